"""Dashboard timings, measured in Debian's chromium driven by Playwright (issue 11):

1. from the command (`clusterlab dashboard --port 0`) to a usable page (the scenario form
   drawn in the browser), cold and warm (a second start, Numba's cache warm); then a page
   opened on the running server, five times (what each new visitor and each browser test
   waits for: the median and the range);
2. chart refresh rate while the default scenario runs (redraws of the live charts per
   second: changes of the first chart seen by a MutationObserver in the page) and the
   run's steps per second; `--steps N` runs N steps instead (a long run: a redraw's cost
   must not grow with the run);
3. a 20-replication, two-arm comparison of the default scenario ("without events" vs "a
   cluster organisation in year 5"), from the click to the CI shown.

    python benchmarks/dashboard.py [--replications 20] [--workers N] [--steps N] [--no-compare]
"""

from __future__ import annotations

import argparse
import atexit
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


SERVERS: list = []  # stopped at exit, also when a step fails or times out
atexit.register(lambda: [p.kill() for p in SERVERS if p.poll() is None])


def start(extra_env=None):
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "clusterlab", "dashboard", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, **(extra_env or {})})
    SERVERS.append(proc)
    url = re.search(r"http://\S+/", proc.stdout.readline()).group(0)
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                break
        except OSError:
            time.sleep(0.1)
    return proc, url, t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=20)
    ap.add_argument("--workers", type=int, default=None, help="pool workers of the comparison (default: the cores)")
    ap.add_argument("--steps", type=int, default=None, help="steps of the timed run (default: the scenario's)")
    ap.add_argument("--no-compare", action="store_true", help="skip the comparison (3.)")
    a = ap.parse_args()
    from playwright.sync_api import sync_playwright

    env = {"CLUSTERLAB_DASHBOARD_WORKERS": str(a.workers)} if a.workers else {}  # as --workers
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        for label in ("first start", "second start"):
            proc, url, t0 = start(env)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(600_000)
            page.goto(url)
            page.get_by_text("Main parameters").wait_for()
            print(f"{label}: command to usable page {time.perf_counter() - t0:.1f} s")
            if label == "first start":
                page.close()
                proc.terminate()
                proc.wait()
        opens = []
        for _ in range(5):
            other = browser.new_page(viewport={"width": 1400, "height": 1000})
            t1 = time.perf_counter()
            other.goto(url)
            other.get_by_text("Main parameters").wait_for()
            opens.append(time.perf_counter() - t1)
            other.close()
        opens.sort()
        print(f"page opened on the running server: median {opens[2]:.2f} s "
              f"(range {opens[0]:.2f}-{opens[-1]:.2f} s, 5 opens)")
        # 2. a default run
        if a.steps:
            box = page.locator(".cl-key-steps input")
            box.fill(str(a.steps))
            box.press("Enter")
        page.get_by_role("tab", name="Run").click()
        page.locator(".cl-live-charts").wait_for()
        # a redraw = a new first chart (its SVG text changes), seen by a MutationObserver
        page.evaluate("""() => { window.__times = []; let last = '';
            const box = document.querySelector('.cl-live-charts');
            new MutationObserver(() => { const el = box.querySelector('svg');
                if (el && el.outerHTML !== last) { window.__times.push(performance.now()); last = el.outerHTML; } })
                .observe(box, {childList: true, subtree: true, characterData: true}); }""")
        t0 = time.perf_counter()
        page.locator(".cl-run").click()
        page.get_by_text(re.compile(r"step (\d+) of \1 ·")).wait_for()
        seconds = time.perf_counter() - t0
        times = page.evaluate("() => window.__times")
        steps = int(re.search(r"of (\d+)", page.locator(".cl-step-label").inner_text()).group(1))
        rate = (len(times) - 1) / ((times[-1] - times[0]) / 1000) if len(times) > 2 else float("nan")
        print(f"default run: {steps} steps in {seconds:.1f} s from the click ({steps / seconds:.0f} steps/s); "
              f"{len(times)} chart redraws, {rate:.1f} per second between the first and the last")
        # 3. a two-arm comparison
        if a.no_compare:
            proc.terminate()
            proc.wait()
            browser.close()
            return
        page.get_by_role("tab", name="Compare policies").click()
        box = page.locator(".cl-compare-reps input")
        box.fill(str(a.replications))
        box.press("Enter")
        t0 = time.perf_counter()
        page.locator(".cl-compare").click()
        result = page.locator(".cl-compare-result")
        result.wait_for()
        seconds = time.perf_counter() - t0
        first = result.inner_text().splitlines()[0]
        print(f"comparison, 2 arms x {a.replications} replications: {seconds:.1f} s from click to CI shown")
        print(f"  {first}")
        proc.terminate()
        proc.wait()
        browser.close()


if __name__ == "__main__":
    main()

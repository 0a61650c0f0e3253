"""Browser tests of the dashboard: a server started as a user starts it (`clusterlab
dashboard --port 0` on 127.0.0.1) and Debian's chromium driven by Playwright (its own
browser download does not work here: the executable is passed). Screenshots go to
`test-artifacts/dashboard/` (or $CLUSTERLAB_ARTIFACTS)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("CLUSTERLAB_ARTIFACTS", ROOT / "test-artifacts")) / "dashboard"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("Debian's chromium is not installed: `make test` installs it (apt-get install chromium)")


def start_server(*args: str, env: dict | None = None, timeout: float = 90.0):
    """Start `clusterlab dashboard ARGS --port 0`; (process, address, seconds to the first 200)."""
    import urllib.request

    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "clusterlab", "dashboard", *args, "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, **(env or {})})
    line = proc.stdout.readline()
    found = re.search(r"http://\S+/", line)
    if not found:
        proc.kill()
        raise RuntimeError(f"the dashboard did not start: {line!r}")
    url = found.group(0)
    while time.perf_counter() - t0 < timeout:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return proc, url, time.perf_counter() - t0
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the dashboard did not answer")


@pytest.fixture(scope="session")
def dashboard(tmp_path_factory):
    """One dashboard server per test worker, with a propositions report folder of its own."""
    pytest.importorskip("solara")
    props = tmp_path_factory.mktemp("props")
    from clusterlab.propositions import run_suite

    run_suite(["P4"], props, quick=True, robustness=False, executor="serial", overwrite=True)
    proc, url, _ = start_server("--propositions", str(props))
    # drain the server's output so it never blocks on a full pipe
    import threading

    threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": chromium(), "args": CHROMIUM_ARGS}


@pytest.fixture
def shot(page, request):
    """shot(name): a screenshot of the page into the artefacts folder."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        p = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(p), full_page=True)
        return p

    return take


@pytest.fixture
def app(page, dashboard):
    """The page opened at the dashboard, ready (the scenario form drawn); records requests
    that leave the machine."""
    outside = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith((dashboard.rstrip("/"), "data:", "blob:")) else None)
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.set_default_timeout(60_000)
    page.goto(dashboard)
    page.get_by_text("Main parameters").wait_for()
    page.outside = outside
    return page

"""The dashboard in a real browser (Debian's chromium via Playwright): what a user does."""

from __future__ import annotations

import re
import time

import pytest

pytest.importorskip("solara")
pytest.importorskip("playwright")

# one xdist worker runs them all (`--dist loadgroup`, pyproject's addopts) with one
# dashboard server and one chromium, instead of a server and a browser per worker
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_the_browser_tests_run_on_one_worker(request):
    """With `--dist loadgroup` (pyproject's addopts) xdist gives a grouped test the suffix
    @group; without it the browser tests are spread over the workers, each starting its own
    server and chromium (pytest 9.2 with pytest-xdist 3.8 did that silently)."""
    if not hasattr(request.config, "workerinput") or not request.config.getoption("loadgroup", False):
        pytest.skip("not in an xdist worker with --dist loadgroup")
    assert request.node.nodeid.endswith("@browser"), request.node.nodeid


def set_key(page, key: str, value: str):
    box = page.locator(f".cl-key-{key.replace('.', '-')} input")
    box.fill(value)
    box.press("Enter")


def tab(page, name: str):
    page.get_by_role("tab", name=name).click()


def analyse_upload(page, path, absent: bool = False):
    """Upload `path` on the Real data page (ticking the absent box if asked) and press Analyse."""
    tab(page, "Real data")
    page.locator("input.cl-upload-network").set_input_files(str(path))
    if absent:
        page.get_by_text("actors without any tie are absent").click()
    page.locator(".cl-analyse:not([disabled])").click()


def step_label(page) -> int:
    return int(re.search(r"step (\d+)", page.locator(".cl-step-label").inner_text()).group(1))


def test_page_loads_with_nothing_from_outside(app, shot):
    assert app.get_by_text("Mechanisms").is_visible()
    shot("scenario")
    assert app.outside == []


def test_bad_value_is_refused_with_the_command_line_message(app, shot):
    set_key(app, "population.firms", "-3")
    app.get_by_text("input should be greater than or equal to 1, got -3").wait_for()
    shot("scenario-refused")
    # the further keys are made when their section opens, and refuse the same way
    assert app.locator(".cl-key-population-region_km").count() == 0
    app.get_by_text("More parameters").click()
    set_key(app, "population.region_km", "-2")
    app.get_by_text("input should be greater than or equal to 0.1, got -2.0").wait_for()
    assert app.get_by_text("2 value(s) refused").is_visible()


def test_parameter_change_is_applied_to_the_next_run_and_reset(app, shot):
    set_key(app, "population.firms", "60")
    set_key(app, "steps", "30")
    tab(app, "Run")
    app.locator(".cl-step").click()
    app.get_by_text(re.compile(r"step 1 of 30 · 60 firms")).wait_for()
    app.locator(".cl-run").click()
    app.get_by_text(re.compile(r"step 30 of 30")).wait_for()
    app.locator(".cl-reset").click()
    app.get_by_text(re.compile(r"step 0 of 30 · 60 firms")).wait_for()
    # a change made after a run: Reset starts a run with it
    tab(app, "Scenario")
    set_key(app, "population.firms", "50")
    tab(app, "Run")
    app.get_by_text("The scenario has changed").wait_for()
    app.locator(".cl-reset").click()
    app.get_by_text(re.compile(r"step 0 of 30 · 50 firms")).wait_for()


def test_live_charts_update_while_running(app, shot):
    set_key(app, "steps", "5000")
    tab(app, "Run")
    app.locator(".cl-live-charts").wait_for()
    # a redraw = a new first chart (its SVG text changes), seen by a MutationObserver: it
    # costs nothing between redraws (sampling the SVG's text at every animation frame took
    # the renderer's CPU from the server on 2 loaded cores: 1-4 redraws in 3 s, against
    # 9-10 counted this way under the same load, 3 busy processes)
    app.evaluate("""() => { window.__redraws = 0; let last = '';
        const box = document.querySelector('.cl-live-charts');
        new MutationObserver(() => { const el = box.querySelector('svg');
            if (el && el.outerHTML !== last) { window.__redraws++; last = el.outerHTML; } })
            .observe(box, {childList: true, subtree: true, characterData: true}); }""")
    app.locator(".cl-run").click()
    # the rate while running: counted from the first redraw (the run's start-up is not in it)
    app.wait_for_function("() => window.__redraws > 0")
    n0, t0 = app.evaluate("() => window.__redraws"), time.perf_counter()
    time.sleep(3)
    n = app.evaluate("() => window.__redraws") - n0
    seconds = time.perf_counter() - t0
    shot("run")
    app.locator(".cl-pause").click()
    app.locator(".cl-run:not([disabled])").wait_for()
    # the label's own update (a separate widget message from the button's) says when it is
    # rendered after the worker stopped: read before it, the step was 2 behind (a cold run)
    app.locator(".cl-step-label", has_not_text="(running)").wait_for()
    assert n / seconds >= 2, f"{n} chart updates in {seconds:.1f} s"
    t = step_label(app)
    assert 0 < t < 5000
    time.sleep(1)
    assert step_label(app) == t  # paused
    assert app.locator(".cl-network-view svg circle").count() > 50


def test_two_arm_comparison_shows_its_ci(app, shot):
    set_key(app, "population.firms", "40")
    set_key(app, "steps", "72")  # the cluster organisation starts at step 60
    tab(app, "Compare policies")
    box = app.locator(".cl-compare-reps input")
    box.fill("8")
    box.press("Enter")
    app.locator(".cl-compare").click()
    result = app.locator(".cl-compare-result")
    result.wait_for(timeout=180_000)
    assert "SME internationalisation: cluster organisation in year 5 vs without events" in result.inner_text()
    text = result.inner_text()
    assert "95% CI" in text and "clearly higher" in text  # SME internationalisation rises
    assert app.locator(".cl-compare-result svg polygon").count() >= 2  # CI bands
    shot("compare")


def test_network_upload_shows_its_roles(app, shot, tmp_path):
    net = tmp_path / "survey.csv"
    rows = ["source,target"] + [f"F{i},F{(i * 5 + 1) % 25}" for i in range(25)] + ["F1,F2", "F2,F3", "F3,F1"]
    rows += ['F1,"<img src=x onerror=window.__owned=1><i>evil</i>"'] * 1  # a label is shown, never run
    net.write_text("\n".join(rows) + "\n")
    analyse_upload(app, net)
    analysis = app.locator(".cl-analysis")
    analysis.wait_for()
    assert "Cognitive roles" in analysis.inner_text()
    assert app.locator(".cl-analysis .cl-node-label").count() > 0
    assert "<i>evil</i>" in analysis.locator("svg").text_content()  # shown as text (a tooltip)
    assert app.locator(".cl-analysis i", has_text="evil").count() == 0
    assert app.evaluate("() => window.__owned") is None
    shot("real-data")


def test_actors_without_ties_are_left_out_when_asked(app, tmp_path):
    net = tmp_path / "wave.csv"
    net.write_text(",A,B,C,E\nA,0,1,0,0\nB,1,0,1,0\nC,0,1,0,0\nE,0,0,0,0\n")
    analyse_upload(app, net, absent=True)
    app.get_by_text("1 absent actor removed (E)").wait_for()
    assert "3 actors" in app.locator(".cl-analysis").inner_text()


def test_bad_network_upload_is_refused(app, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\nx,y\n")
    analyse_upload(app, bad)
    app.get_by_text("no source and no target column").wait_for()


def test_propositions_report_is_browsed_and_one_is_run(app, shot):
    tab(app, "Propositions")
    table = app.locator(".cl-propositions")
    table.wait_for()
    assert "Trust" in table.inner_text()
    assert app.locator(".cl-propositions img").count() == 1  # the proposition's figure
    box = app.locator(".cl-prop-reps input")
    box.fill("2")
    box.press("Enter")
    app.locator(".cl-run-proposition").click()
    app.locator(".cl-prop-result").wait_for(timeout=180_000)
    assert "P1" in app.locator(".cl-prop-result").inner_text()
    shot("propositions")


def test_two_tabs_do_not_share_state(app, page):
    other = page.context.browser.new_page()
    try:
        other.goto(page.url)
        other.get_by_text("Main parameters").wait_for(timeout=60_000)
        set_key(app, "population.firms", "33")
        tab(app, "Run")
        app.get_by_text(re.compile(r"step 0 of \d+ · 33 firms")).wait_for()
        other.get_by_role("tab", name="Run").click()
        other.get_by_text(re.compile(r"step 0 of \d+ · 200 firms")).wait_for(timeout=60_000)
    finally:
        other.close()


def test_a_comparison_is_cancelled_from_the_page(app):
    tab(app, "Compare policies")
    box = app.locator(".cl-compare-reps input")
    box.fill("400")
    box.press("Enter")
    app.locator(".cl-compare").click()
    app.locator(".cl-compare-progress").wait_for()
    app.locator(".cl-compare-cancel").click()
    app.get_by_text(re.compile(r"Comparison cancelled after \d+ of 800 runs")).wait_for(timeout=60_000)
    app.locator(".cl-compare:not([disabled])").wait_for(timeout=30_000)  # ready for another (the task ends)


def test_network_view_colours_by_role(app):
    set_key(app, "population.firms", "60")
    tab(app, "Run")
    for _ in range(3):
        app.locator(".cl-step").click()
    app.get_by_text(re.compile(r"step 3 of")).wait_for()
    app.locator(".cl-colour-by").get_by_text("cognitive role").click()
    view = app.locator(".cl-network-view svg")
    app.wait_for_function("() => document.querySelector('.cl-network-view svg')"
                          " .getAttribute('aria-label').includes('cognitive role')")
    assert "gatekeeper" in view.text_content()


def test_session_folder_goes_with_the_page_and_the_server(browser, tmp_path):
    from .conftest import start_server

    proc, url, _ = start_server(env={"TMPDIR": str(tmp_path)})
    try:
        page = browser.new_page()
        page.goto(url)
        page.get_by_text("Main parameters").wait_for(timeout=60_000)
        roots = list(tmp_path.glob("clusterlab-dashboard-*"))
        assert len(roots) == 1 and len(list(roots[0].glob("session-*"))) == 1
        page.goto("about:blank")  # the user leaves the page (closing a tab sends the same signal)
        deadline = time.time() + 30
        while list(roots[0].glob("session-*")) and time.time() < deadline:
            time.sleep(0.2)
        assert not list(roots[0].glob("session-*")), "the left page's folder is still there"
    finally:
        proc.terminate()
        proc.wait(30)
    assert proc.returncode == 0
    assert not roots[0].exists(), "the server left its temporary folder"


def test_an_event_is_placed_and_moved_on_the_timeline(app, shot):
    app.locator(".cl-add-event").click()  # start_cluster_org at the default step, 60
    row = app.locator(".cl-event-0")
    row.get_by_text("step 60: start_cluster_org").wait_for()
    thumb = row.locator("[role=slider]")
    thumb.focus()
    for _ in range(12):  # a year later, from the keyboard (the same slider a mouse drags)
        thumb.press("ArrowRight")
    row.get_by_text("step 72: start_cluster_org").wait_for()
    assert "start cluster org" in app.locator(".cl-timeline").text_content()
    tab(app, "Compare policies")  # the moved event is in the scenario the other pages use
    tab(app, "Scenario")
    app.get_by_text("step 72: start_cluster_org").wait_for()
    # for the screenshot, once the tabs' sliding transition is over: while it runs the page
    # holds the leaving and the coming page side by side, so the row twice (a row found
    # first and scrolled next was once detached as the transition ended)
    app.wait_for_function("() => { const rows = document.querySelectorAll('.cl-event-0');"
                          " if (rows.length !== 1 || document.querySelector('[class*=transition]')) return false;"
                          " rows[0].scrollIntoView({block: 'center'}); return true; }")
    shot("scenario-events")

"""The dashboard's pages (Solara): Scenario, Run, Compare, Propositions, Real data.

Every piece of state is a `solara.reactive` created per browser connection (`Session`), so
two tabs never share a scenario, a run or an upload. Simulation work runs in worker threads
(`solara.lab.task`), never on the page's event loop; the page redraws from what the worker
publishes, at most `REFRESH` times a second. The logic lives in `model.py`, the pictures in
`charts.py`; this file only lays them out.
"""

from __future__ import annotations

import atexit
import base64
import html
import io
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd
import solara
import solara.lab

from ..errors import ClusterlabError
from . import charts
from . import model as m
from .upload import Upload

REFRESH = 5.0  # chart redraws per second while a run goes on
RENDER_PAUSE = 0.04  # seconds the run yields after each redraw request (its kernels hold the GIL)
SPEEDS = {"as fast as it goes": 0.0, "20 steps a second": 20.0, "5 steps a second": 5.0, "1 step a second": 1.0}
INITIAL = os.environ.get("CLUSTERLAB_DASHBOARD_SCENARIO") or "default"
PROPOSITIONS_DIR = os.environ.get("CLUSTERLAB_DASHBOARD_PROPOSITIONS", "propositions")
WORKERS = int(os.environ.get("CLUSTERLAB_DASHBOARD_WORKERS") or 0) or None  # comparison processes (None: the cores)

# each connection's files sit in a folder of its own under this one; a folder goes when its
# page closes, and this one when the server stops (`server.serve` makes and removes it)
if os.environ.get("CLUSTERLAB_DASHBOARD_TMP"):
    TEMP_ROOT = Path(os.environ["CLUSTERLAB_DASHBOARD_TMP"])
else:  # started another way (`solara run clusterlab.dashboard.app`)
    TEMP_ROOT = Path(tempfile.mkdtemp(prefix="clusterlab-dashboard-"))
    atexit.register(shutil.rmtree, TEMP_ROOT, ignore_errors=True)


class Session:
    """What one browser connection holds."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="session-", dir=TEMP_ROOT))
        try:
            base = m.load_base(INITIAL)
            note = ""
        except ClusterlabError as exc:
            base, note = m.load_base("default"), str(exc)
        self.base_name = solara.reactive(INITIAL if not note else "default")
        self.base = solara.reactive(base)
        self.values = solara.reactive({})   # key -> valid edited value
        self.errors = solara.reactive({})   # key -> the command line's message
        self.events = solara.reactive([e.model_dump() for e in base.events])
        self.note = solara.reactive(note)
        self.live = solara.reactive(None)   # model.LiveRun
        self.running = solara.reactive(False)
        self.speed = solara.reactive("as fast as it goes")
        self.tick = solara.reactive(0)
        self.refreshes = solara.reactive(0)  # chart redraws (measured by the tests)
        self.compare_progress = solara.reactive((0, 0, 0))
        self.compare_result = solara.reactive(None)
        self.compare_error = solara.reactive("")
        self.compare_stop = threading.Event()
        self.prop_stop = threading.Event()
        self.prop_progress = solara.reactive((0, 0, 0))
        self.upload = solara.reactive(None)   # analysis dict
        self.upload_error = solara.reactive("")
        self.data_live = solara.reactive(None)
        self.prop_result = solara.reactive(None)
        self.compare_arms = solara.reactive(["without events", "cluster organisation in year 5"])
        self.compare_reps = solara.reactive("20")
        self.prop_id = solara.reactive("P1")
        self.prop_reps = solara.reactive("6")
        self.net_file = solara.reactive(None)
        self.attr_file = solara.reactive(None)
        self.data_policy = solara.reactive("without events")
        self.data_absent = solara.reactive(False)  # leave out actors without ties (--absent zeros)

    def scenario(self):
        """The resolved scenario: base + valid edits + the timeline's events."""
        return m.resolve(self.base.value, self.values.value, self.events.value)

    def scenario_or_none(self):
        """The resolved scenario, or None while the events make it invalid (shown elsewhere)."""
        try:
            return self.scenario()
        except ClusterlabError:
            return None


@solara.component
def Bullets(lines: list[str]):
    """Sentences as a list, escaped: they may hold labels from an uploaded file."""
    solara.HTML(tag="ul", unsafe_innerHTML="".join(f"<li>{html.escape(t)}</li>" for t in lines))


# ---------------------------------------------------------------------------------- Scenario

def _parse(c: m.Control, text):
    if c.kind == "bool":
        return bool(text)
    if c.kind == "int":
        return int(str(text).strip())
    if c.kind == "float":
        return float(str(text).strip())
    return text


@solara.component
def ControlInput(c: m.Control, s: Session):
    key = c.key
    current = s.values.value.get(key, c.value)
    err = s.errors.value.get(key, "")
    help_text = c.help + (f" (range {c.low} to {c.high})" if c.low is not None or c.high is not None else "")

    def set_value(text):
        try:
            value = _parse(c, text)
        except (TypeError, ValueError):
            s.errors.set({**s.errors.value, key: f"<dashboard>: key '{key}': expected {c.kind}, got {text!r}"})
            return
        msg = m.check_value(s.base.value, key, value)
        if msg:
            s.errors.set({**s.errors.value, key: msg})
            return
        s.errors.set({k: v for k, v in s.errors.value.items() if k != key})
        s.values.set({**s.values.value, key: value})

    if c.kind == "bool":
        solara.Switch(label=c.label, value=bool(current), on_value=set_value)
    elif c.kind == "choice":
        solara.Select(label=c.label, value=current, values=list(c.choices), on_value=set_value)
    else:
        solara.InputText(label=c.label, value=str(current), on_value=set_value, error=bool(err),
                         message=err or help_text, classes=[f"cl-key-{key.replace('.', '-')}"])


@solara.component
def EventsEditor(s: Session):
    kinds = m.event_kinds()
    action, set_action = solara.use_state("start_cluster_org")
    step, set_step = solara.use_state(60)
    extra, set_extra = solara.use_state("")
    msg, set_msg = solara.use_state("")
    sc = s.scenario_or_none()
    last = sc.steps if sc is not None else max([e["step"] for e in s.events.value] + [240])

    def add():
        try:
            ev = {"action": action, "step": int(step)}
            for part in [p for p in extra.split(",") if p.strip()]:
                k, _, val = part.partition("=")
                ev[k.strip()] = m.parse_value(val.strip())
            m.resolve(s.base.value, s.values.value, s.events.value + [ev])
        except (ValueError, ClusterlabError) as exc:
            set_msg(str(exc))
            return
        set_msg("")
        s.events.set(sorted(s.events.value + [ev], key=lambda e: e["step"]))

    def move(i, new_step):
        s.events.set(sorted([dict(e, step=int(new_step)) if j == i else e for j, e in enumerate(s.events.value)],
                            key=lambda e: e["step"]))

    solara.Markdown("#### Events (policies and shocks)")
    if sc is not None:
        solara.HTML(tag="div", unsafe_innerHTML=charts.timeline_svg(m.event_marks(sc), sc.steps, sc.steps_per_year))
    solara.Markdown("Slide an event along the run to move it; add one below.")
    for i, ev in enumerate(s.events.value):
        with solara.Row(classes=[f"cl-event-{i}"], style={"align-items": "center"}):
            with solara.Div(classes=["cl-event-step"], style={"min-width": "320px"}):
                solara.SliderInt("", value=min(ev["step"], last), min=0, max=last,
                                 on_value=lambda v, i=i: move(i, v))
            solara.Text(f"step {ev['step']}: {ev['action']} " +
                        ", ".join(f"{k}={v}" for k, v in ev.items() if k not in ("step", "action", "note")),
                        classes=["cl-event-text"])
            solara.Button("remove", text=True, on_click=lambda i=i: s.events.set(
                [e for j, e in enumerate(s.events.value) if j != i]))
    with solara.Row(style={"align-items": "center"}):
        solara.Select(label="action", value=action, values=list(kinds), on_value=set_action)
        with solara.Div(classes=["cl-new-event-step"], style={"min-width": "240px"}):
            solara.SliderInt("step", value=min(step, last), min=0, max=last, on_value=set_step)
        solara.InputText(label="options (key=value, ...)", value=extra, on_value=set_extra,
                         message=", ".join(f"{c.key} ({c.help})" for c in kinds[action] if c.key != "step"))
        solara.Button("add event", on_click=add, classes=["cl-add-event"])
    if msg:
        solara.Error(msg)


@solara.component
def LazyDetails(summary: str, content, classes=()):
    """A collapsed section whose content is made only when opened (solara.Details makes it at
    once): the scenario form's 180 further keys took most of a page's 4 s to open."""
    shown, set_shown = solara.use_state(False)
    with solara.v.ExpansionPanels(v_model=0 if shown else None, on_v_model=lambda v: set_shown(v == 0),
                                  class_=" ".join(classes)):
        with solara.v.ExpansionPanel():
            solara.v.ExpansionPanelHeader(children=[summary])
            with solara.v.ExpansionPanelContent():
                if shown:
                    content()


@solara.component
def ScenarioPage(s: Session):
    def pick(name):
        try:
            base = m.load_base(name)
        except ClusterlabError as exc:
            s.note.set(str(exc))
            return
        s.base_name.set(name)
        s.base.set(base)
        s.values.set({})
        s.errors.set({})
        s.events.set([e.model_dump() for e in base.events])
        s.note.set("")

    def uploaded(payload):
        if not payload:
            return
        try:
            base = m.load_upload(base64.b64decode(payload["data"]), payload["name"])
        except ClusterlabError as exc:
            s.note.set(str(exc))
            return
        s.base_name.set(payload["name"])
        s.base.set(base)
        s.values.set({})
        s.errors.set({})
        s.events.set([e.model_dump() for e in base.events])
        s.note.set("")

    with solara.Row():
        solara.Select(label="start from", value=s.base_name.value if s.base_name.value in m.base_choices() else None,
                      values=m.base_choices(), on_value=pick)
        Upload.element(label="or upload a scenario TOML", accept=".toml", input_class="cl-upload-scenario",
                       max_bytes=m.MAX_UPLOAD_BYTES, on_payload=uploaded)
        sc = s.scenario_or_none()
        text = m.scenario_toml(sc) if sc is not None else ""
        solara.FileDownload(text, filename="scenario.toml", label="Download scenario TOML")
    if s.note.value:
        solara.Error(s.note.value)
    if s.errors.value:
        solara.Warning(f"{len(s.errors.value)} value(s) refused; the last valid value is used.")
    ctrls = m.controls(s.base.value)
    solara.Markdown("#### Main parameters")
    with solara.ColumnsResponsive(4):
        for c in ctrls:
            if c.main:
                ControlInput(c, s)
    solara.Markdown("#### Mechanisms")
    with solara.ColumnsResponsive(3):
        for c in ctrls:
            if c.key.startswith("mechanisms.") and c.key.endswith(".enabled"):
                ControlInput(c, s)
    EventsEditor(s)

    def more():
        with solara.ColumnsResponsive(4):
            for c in ctrls:
                if not c.main and not c.key.endswith(".enabled"):
                    ControlInput(c, s)

    LazyDetails("More parameters (every key, with its range and description)", more, classes=["cl-more"])


# --------------------------------------------------------------------------------------- Run

@solara.component
def TimeCharts(frame: pd.DataFrame, events, cls: str = "cl-live-charts"):
    with solara.Div(classes=[cls]):
        with solara.ColumnsResponsive(6, large=4):
            for title, cols in m.CHARTS.items():
                have = [c for c in cols if c in frame.columns]
                x = frame["step"].to_numpy() if "step" in frame.columns else []
                svg = charts.line_chart(x, {c: frame[c].to_numpy() for c in have}, title=title, events=events)
                solara.HTML(tag="div", unsafe_innerHTML=svg)


COLOUR_BY = {"actor kind": "kind", "cognitive role (Giuliani & Bell)": "role"}


@solara.component
def NetworkView(live: m.LiveRun, tick: int):
    by, set_by = solara.use_state("actor kind")
    svg = solara.use_memo(lambda: _network_svg(live, COLOUR_BY[by]), [live, tick // 3, by])
    solara.ToggleButtonsSingle(value=by, values=list(COLOUR_BY), on_value=set_by, classes=["cl-colour-by"])
    solara.HTML(tag="div", unsafe_innerHTML=svg, classes=["cl-network-view"])


def _network_svg(live, by: str = "kind"):
    if live is None:
        return ""
    net = live.network()
    what = "kind" if by == "kind" else "cognitive role"
    return charts.network_svg(net["x"], net["y"], net[by], net["degree"], net["a"], net["b"],
                              labels=net["labels"], title=f"network at step {live.t} (colour: {what}; size: degree)")


@solara.component
def RunPage(s: Session):
    try:
        sc = s.scenario()
        err = ""
    except ClusterlabError as exc:
        sc, err = None, str(exc)
    live = s.live.value
    stale = live is not None and sc is not None and live.scenario != sc

    def ensure():
        lr = s.live.value
        if lr is None or (lr.t == 0 and lr.scenario != s.scenario()):
            lr = m.LiveRun(s.scenario())
            s.live.set(lr)
        return lr

    @solara.lab.use_task(dependencies=None, prefer_threaded=True)
    def loop():
        lr = ensure()
        s.running.set(True)
        last = 0.0
        try:
            while s.running.value and not lr.done:
                t0 = time.perf_counter()
                lr.advance(1)
                rate = SPEEDS.get(s.speed.value, 0.0)
                if rate:
                    time.sleep(max(0.0, 1.0 / rate - (time.perf_counter() - t0)))
                now = time.perf_counter()
                if now - last >= 1.0 / REFRESH:
                    s.tick.set(s.tick.value + 1)
                    last = now
                    time.sleep(RENDER_PAUSE)  # let the page's render have the interpreter
        finally:
            s.running.set(False)
            s.tick.set(s.tick.value + 1)

    def step_once():
        lr = ensure()
        lr.advance(1)
        s.tick.set(s.tick.value + 1)

    def reset():
        s.running.set(False)
        s.live.set(m.LiveRun(s.scenario()))
        s.tick.set(s.tick.value + 1)

    if err:
        solara.Error(err)
        return
    with solara.Row():
        busy = loop.pending or s.running.value  # the worker may still finish its step after Pause
        solara.Button("Run", on_click=loop, disabled=busy or (live is not None and live.done),
                      color="primary", classes=["cl-run"])
        solara.Button("Pause", on_click=lambda: s.running.set(False), disabled=not s.running.value, classes=["cl-pause"])
        solara.Button("Step", on_click=step_once, disabled=busy, classes=["cl-step"])
        solara.Button("Reset", on_click=reset, disabled=busy, classes=["cl-reset"])
        solara.Select("speed", value=s.speed, values=list(SPEEDS), style={"max-width": "200px"})
        shown = live.scenario if live is not None else sc
        t = live.t if live is not None else 0
        solara.Text(f"step {t} of {shown.steps} · {shown.population.firms} firms"
                    + (" (running)" if busy else ""), classes=["cl-step-label"])
    if stale:
        solara.Warning("The scenario has changed since this run started: press Reset to run with it.")
    _ = s.tick.value  # redraw on each published tick
    frame = live.frame() if live is not None else pd.DataFrame()
    TimeCharts(frame, m.event_marks(live.scenario if live is not None else sc))
    NetworkView(live, s.tick.value)
    if live is not None and len(frame):
        with solara.Row():
            solara.FileDownload(lambda: frame.to_csv(index=False), filename="timeseries.csv",
                                label="Download time series (CSV)")
            solara.FileDownload(lambda: _parquet(frame), filename="timeseries.parquet",
                                label="Download time series (Parquet)")
            solara.FileDownload(lambda: charts_html(frame, live), filename="charts.html",
                                label="Download charts (HTML)")


def _parquet(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


def charts_html(frame: pd.DataFrame, live) -> str:
    """The run's charts as one self-contained HTML page."""
    ev = m.event_marks(live.scenario)
    parts = [charts.line_chart(frame["step"].to_numpy(), {c: frame[c].to_numpy() for c in cols if c in frame},
                               title=title, events=ev, width=560, height=280) for title, cols in m.CHARTS.items()]
    return ("<!doctype html><meta charset='utf-8'><title>clusterlab run</title>"
            + "".join(f"<div>{p}</div>" for p in parts))


# ----------------------------------------------------------------------------------- Compare

POLICIES = {
    "as edited (with its events)": None,
    "without events": [],
    "cluster organisation in year 5": [{"action": "start_cluster_org", "step": 60, "members": 0.4}],
    "university funded in year 5": [{"action": "fund_university", "step": 60}],
    "pipelines subsidised from year 5": [{"action": "subsidise_pipelines", "step": 60, "share": 0.5}],
}


@solara.component
def ComparePage(s: Session):
    chosen, set_chosen = s.compare_arms.value, s.compare_arms.set
    reps, set_reps = s.compare_reps.value, s.compare_reps.set

    @solara.lab.use_task(dependencies=None, prefer_threaded=True)
    def go():
        s.compare_error.set("")
        s.compare_result.set(None)
        try:
            n = int(s.compare_reps.value)
            if not 2 <= n <= 1000:
                raise ClusterlabError(f"replications: expected an integer from 2 to 1000, got {n}")
            sc = s.scenario()
            arms = [m.Arm(name=name, events=POLICIES[name]) for name in s.compare_arms.value]
            folder = s.folder / f"compare-{int(time.time() * 1000)}"
            s.compare_stop.clear()
            summary = m.compare(sc, arms, folder, replications=n, workers=WORKERS, stop=s.compare_stop,
                                progress=lambda d, f, t: s.compare_progress.set((d, f, t)))
            s.compare_result.set({"summary": summary, "folder": folder, "steps_per_year": sc.steps_per_year})
        except m.Cancelled as exc:
            s.compare_error.set(f"Comparison {exc}.")
        except (ClusterlabError, ValueError) as exc:
            s.compare_error.set(str(exc))

    solara.Markdown("Each arm runs the edited scenario with a different policy; replication r of "
                    "every arm uses the same seed (common random numbers), so differences are paired.")
    solara.SelectMultiple("arms (the first is the control)", values=chosen, all_values=list(POLICIES),
                          on_value=set_chosen)
    with solara.Row():
        solara.InputText("replications per arm", value=reps, on_value=set_reps, classes=["cl-compare-reps"])
        solara.Button("Compare", on_click=go, disabled=go.pending or len(chosen) < 2, color="primary",
                      classes=["cl-compare"])
    if len(chosen) < 2:
        solara.Info("Choose at least two arms.")
    sc = s.scenario_or_none()
    late = [n for n in chosen if sc is not None and any(e["step"] > sc.steps for e in (POLICIES.get(n) or []))]
    if late:
        solara.Warning(f"{', '.join(late)}: the policy starts after the last step ({sc.steps}); lengthen the run.")
    d, f, t = s.compare_progress.value
    if go.pending:
        solara.ProgressLinear(value=100 * d / t if t else True)
        with solara.Row():
            solara.Text(f"{d} of {t} runs done, {f} failed", classes=["cl-compare-progress"])
            solara.Button("Cancel", on_click=s.compare_stop.set, classes=["cl-compare-cancel"])
    if s.compare_error.value:
        solara.Error(s.compare_error.value)
    res = s.compare_result.value
    if res is not None:
        summary = res["summary"]
        with solara.Div(classes=["cl-compare-result"]):
            Bullets(m.difference_sentences(summary))
            bands = summary.bands
            with solara.ColumnsResponsive(6, large=4):
                for col, label in m.DEFAULT_OUTCOMES.items():
                    b = bands[bands["column"] == col]
                    if not len(b):
                        continue
                    series, cis = {}, {}
                    for arm, g in b.groupby("arm", sort=False):
                        g = g.sort_values("step")
                        series[arm] = g["mean"].to_numpy()
                        cis[arm] = (g["ci_low"].to_numpy(), g["ci_high"].to_numpy())
                        x = g["step"].to_numpy()
                    svg = charts.line_chart(x, series, bands=cis, title=f"{label}: mean and 95% CI")
                    solara.HTML(tag="div", unsafe_innerHTML=svg)
            with solara.Row():
                solara.FileDownload(lambda: summary.comparisons.to_csv(index=False), filename="comparisons.csv",
                                    label="Download comparisons (CSV)")
                solara.FileDownload(lambda: summary.bands.to_csv(index=False), filename="bands.csv",
                                    label="Download bands (CSV)")
                solara.FileDownload(lambda: _report(res["folder"]), filename="report.html",
                                    label="Download the HTML report")


def _report(folder: Path) -> bytes:
    from ..experiments import open_results

    return Path(open_results(folder).report()).read_bytes()


# ------------------------------------------------------------------------------ Propositions

@solara.component
def PropositionsPage(s: Session):
    folder, set_folder = solara.use_state(PROPOSITIONS_DIR)
    browse, set_browse = solara.use_state("")
    pid, set_pid = s.prop_id.value, s.prop_id.set
    reps, set_reps = s.prop_reps.value, s.prop_reps.set
    solara.Markdown("The evidence suite (`clusterlab propositions all --out DIR`) tests the thirteen "
                    "propositions of the source papers: **supported** when every primary test has "
                    "p < 0.01 in the predicted direction (and, for learning or innovation, an effect "
                    "of at least 10%). Browse its latest report, or run one proposition here.")
    solara.InputText("report folder", value=folder, on_value=set_folder)
    tests = m.propositions_table(folder)
    if tests is None:
        solara.Info(f"No propositions report in {folder!r} yet: run `clusterlab propositions all --out {folder}`.")
    else:
        with solara.Div(classes=["cl-propositions"]):
            solara.DataFrame(m.propositions_overview(tests), items_per_page=13)
            over = m.propositions_overview(tests)
            ids = over["id"].tolist()
            shown = browse if browse in ids else ids[0]
            solara.Select("show the tests of", value=shown, values=ids, on_value=set_browse)
            detail = m.proposition_tests(tests, shown)
            if len(detail):
                solara.DataFrame(detail, items_per_page=10)
            fig = Path(folder) / "figures" / f"{shown}.png"
            if fig.is_file():
                solara.Image(fig.read_bytes(), width="640px")
            report = Path(folder) / "report.html"
            if report.is_file():
                solara.FileDownload(lambda: report.read_bytes(), filename="propositions-report.html",
                                    label="Download the evidence report (HTML)")

    @solara.lab.use_task(dependencies=None, prefer_threaded=True)
    def run_one():
        pid = s.prop_id.value
        out = s.folder / f"prop-{pid}-{int(time.time() * 1000)}"
        s.prop_stop.clear()
        s.prop_result.set(None)
        try:
            res = m.run_proposition(pid, out, int(s.prop_reps.value), workers=WORKERS, stop=s.prop_stop,
                                    progress=lambda d, f, t: s.prop_progress.set((d, f, t)))
            s.prop_result.set(res)
        except m.Cancelled as exc:
            s.prop_result.set({"error": f"{pid} {exc}."})
        except (ClusterlabError, ValueError) as exc:
            s.prop_result.set({"error": str(exc)})

    solara.Markdown("#### Run one (without the robustness variants)")
    with solara.Row():
        solara.Select("proposition", value=pid, values=[f"P{i}" for i in range(1, 14)], on_value=set_pid)
        solara.InputText("replications", value=reps, on_value=set_reps, classes=["cl-prop-reps"])
        solara.Button("Run it", on_click=run_one, disabled=run_one.pending, classes=["cl-run-proposition"])
    if run_one.pending:
        d, f, t = s.prop_progress.value
        solara.ProgressLinear(value=100 * d / t if t else True)
        with solara.Row():
            solara.Text(f"{d} of {t} runs done, {f} failed", classes=["cl-prop-progress"])
            solara.Button("Cancel", on_click=s.prop_stop.set, classes=["cl-prop-cancel"])
    res = s.prop_result.value
    if res:
        if "error" in res:
            solara.Error(res["error"])
        else:
            with solara.Div(classes=["cl-prop-result"]):
                solara.Markdown(res["markdown"])


# --------------------------------------------------------------------------------- Real data

@solara.component
def DataPage(s: Session):
    net_file, set_net_file = s.net_file.value, s.net_file.set
    set_attr_file = s.attr_file.set
    policy, set_policy = s.data_policy.value, s.data_policy.set

    def got(payload, which):
        if not payload:
            return
        try:
            p = m.save_upload(s.folder / "uploads", payload["name"], base64.b64decode(payload["data"]))
        except ClusterlabError as exc:
            s.upload_error.set(str(exc))
            return
        (set_net_file if which == "net" else set_attr_file)(p)

    def analyse():
        try:
            s.upload.set(m.analyse_upload(s.net_file.value, s.attr_file.value,
                                          absent="zeros" if s.data_absent.value else None))
            s.upload_error.set("")
        except ClusterlabError as exc:
            s.upload.set(None)
            s.upload_error.set(str(exc))

    @solara.lab.use_task(dependencies=None, prefer_threaded=True)
    def simulate():
        try:
            sc = m.data_scenario(s.scenario(), s.net_file.value, s.attr_file.value, POLICIES[s.data_policy.value],
                                 absent="zeros" if s.data_absent.value else None)
            lr = m.LiveRun(sc)
            lr.advance(sc.steps)
            s.data_live.set(lr)
        except ClusterlabError as exc:
            s.upload_error.set(str(exc))

    solara.Markdown("Upload a survey network (edge list or matrix CSV/TSV, GraphML, GEXF, Pajek) and, "
                    "optionally, an attributes table: the same readers and checks as `clusterlab analyze`.")
    Upload.element(label="network file", input_class="cl-upload-network", max_bytes=m.MAX_UPLOAD_BYTES,
                   on_payload=lambda p: got(p, "net"))
    Upload.element(label="attributes (optional)", input_class="cl-upload-attributes", max_bytes=m.MAX_UPLOAD_BYTES,
                   on_payload=lambda p: got(p, "attr"))
    solara.Checkbox(label="actors without any tie are absent (not yet founded or closed): leave them out",
                    value=s.data_absent)
    solara.Button("Analyse", on_click=analyse, disabled=net_file is None, color="primary", classes=["cl-analyse"])
    if s.upload_error.value:
        solara.Error(s.upload_error.value)
    a = s.upload.value
    if a is not None:
        with solara.Div(classes=["cl-analysis"]):
            Bullets(a["narrative"])
            net = a["net"]
            x, y = charts.spring_layout(net.n, net.src, net.dst)
            firms = a["firms"]
            role = firms["gb_role"].astype(str).tolist() if "gb_role" in firms else ["actor"] * net.n
            labels = [str(i) for i in net.ids]
            svg = charts.network_svg(x, y, role, firms["degree"].to_numpy() if "degree" in firms else [0] * net.n,
                                     net.src, net.dst, labels=labels, title="cognitive roles (colour), degree (size)",
                                     show_labels=12)
            solara.HTML(tag="div", unsafe_innerHTML=svg)
            cols = [c for c in ("id", "gb_role", "degree", "betweenness", "constraint", "external_ties",
                                "focal_candidate") if c in firms.columns]
            solara.DataFrame(firms[cols].sort_values(cols[2] if len(cols) > 2 else cols[0], ascending=False),
                             items_per_page=10)
            solara.FileDownload(lambda: firms.to_csv(index=False), filename="firms.csv", label="Download firms (CSV)")
        with solara.Row():
            solara.Select("policy", value=policy, values=list(POLICIES), on_value=set_policy)
            solara.Button("Simulate this cluster", on_click=simulate, disabled=simulate.pending,
                          classes=["cl-simulate-data"])
        if simulate.pending:
            solara.ProgressLinear(True)
        lr = s.data_live.value
        if lr is not None:
            TimeCharts(lr.frame(), lr.events(), cls="cl-data-charts")


# ------------------------------------------------------------------------------------- Page

@solara.component
def Page():
    s = solara.use_memo(Session, [])

    def cleanup():
        def remove():
            s.running.set(False)
            s.compare_stop.set()
            s.prop_stop.set()
            shutil.rmtree(s.folder, ignore_errors=True)
        return remove

    solara.use_effect(cleanup, [])
    solara.Title("clusterlab")
    solara.Style(".cl-chart, .cl-network { max-width: 100%; height: auto; }")
    with solara.AppBarTitle():
        solara.Text("clusterlab: knowledge and innovation in SME clusters")
    with solara.lab.Tabs(lazy=True):
        with solara.lab.Tab("Scenario"):
            ScenarioPage(s)
        with solara.lab.Tab("Run"):
            RunPage(s)
        with solara.lab.Tab("Compare policies"):
            ComparePage(s)
        with solara.lab.Tab("Propositions"):
            PropositionsPage(s)
        with solara.lab.Tab("Real data"):
            DataPage(s)

"""The dashboard's logic, with no web framework: what the pages show and do, testable
without a browser (`tests/test_dashboard_model.py`).

- `controls`: form controls generated from the parameters' own metadata (type, range,
  default, description);
- `resolve`: a base scenario + edited values + events -> a validated Scenario, refusing bad
  values with the command line's message;
- `LiveRun`: one simulation stepped on demand (run, pause, step, reset), its time series
  and network read while it runs;
- `compare`: policy arms with replications and common random numbers on the experiment
  runner, with mean and 95% CI bands per arm and the paired differences in words;
- `analyse_upload`: a survey network (any format `clusterlab analyze` reads) -> the same
  analysis as the command line, plus a short narrative.
"""

from __future__ import annotations

import threading
import time
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from .. import presets
from ..errors import ClusterlabError, ScenarioError
from ..experiments.designs import field_bounds
from ..scenario import Scenario, default_scenario, load_scenario, validate
from ..sim import Sim
from ..state import KINDS, LAYERS

# the parameters shown first (the rest sit under "more parameters")
MAIN_KEYS = ("steps", "seed", "population.firms", "population.focal_share", "population.sme_openness",
             "population.free_rider_share", "population.culture_groups", "population.subsidiary_share",
             "population.externals", "population.universities", "population.setting",
             "knowledge.tacit_share", "knowledge.heterogeneity", "network.sme_pipelines",
             "network.trust_local")
SECTIONS = ("population", "knowledge", "network")
MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # a survey network file; bigger files are refused

# the live charts: title -> columns of the time series
CHARTS = {
    "Knowledge and frontier gap": ("knowledge_mean", "frontier_gap"),
    "Innovations per step": ("innovations_incremental", "innovations_radical", "projects_innovations"),
    "Knowledge flows by learning channel": tuple(f"flow_{c}" for c in LAYERS + ("spillover", "labour", "projects")),
    "SECI conversion": ("seci_socialization", "seci_externalization", "seci_combination", "seci_internalization"),
    "Lock-in indicators": ("variety", "diversity", "mean_cognitive_proximity"),
    "SME internationalisation": ("sme_international_share", "external_share"),
}


@dataclass
class Control:
    """One form control: `kind` is "bool", "int", "float" or "choice"."""

    key: str
    label: str
    kind: str
    value: Any
    default: Any
    low: float | None = None
    high: float | None = None
    choices: tuple = ()
    help: str = ""
    main: bool = False


def _control(key: str, info, value: Any) -> Control | None:
    ann = info.annotation
    label = key.split(".")[-1].replace("_", " ")
    common = dict(key=key, label=label, value=value, default=info.default, help=info.description or "",
                  main=key in MAIN_KEYS)
    if ann is bool:
        return Control(kind="bool", **common)
    if typing.get_origin(ann) is Literal:
        return Control(kind="choice", choices=tuple(typing.get_args(ann)), **common)
    if ann in (int, float):
        lo, hi = field_bounds(info)[:2]
        return Control(kind=ann.__name__, low=lo, high=hi, **common)
    return None  # tuples, strings, lists: edited in the TOML, not the form


def controls(sc: Scenario) -> list[Control]:
    """The form controls of scenario `sc`: the top-level numbers, the scalar keys of the
    population, knowledge and network tables, and every mechanism's switch and parameters,
    each with its range, default and description; current values from `sc`."""
    out = []
    for key in ("steps", "seed", "steps_per_year"):
        c = _control(key, type(sc).model_fields[key], getattr(sc, key))
        out.append(c)
    for sect in SECTIONS:
        table = getattr(sc, sect)
        for name, info in type(table).model_fields.items():
            c = _control(f"{sect}.{name}", info, getattr(table, name))
            if c is not None:
                out.append(c)
    for mname in type(sc.mechanisms).model_fields:
        table = getattr(sc.mechanisms, mname)
        for name, info in type(table).model_fields.items():
            c = _control(f"mechanisms.{mname}.{name}", info, getattr(table, name))
            if c is not None:
                if name == "enabled":
                    c.label = mname.replace("_", " ")
                    c.help = (type(table).__doc__ or "").strip().split("\n")[0] or c.help
                out.append(c)
    return out


def event_kinds() -> dict[str, list[Control]]:
    """action -> its controls (step first), from the event classes' own fields."""
    from ..events import EVENT_TYPES

    out = {}
    for cls in EVENT_TYPES:
        action = typing.get_args(cls.model_fields["action"].annotation)[0]
        items = []
        for name, info in cls.model_fields.items():
            if name in ("action", "note"):
                continue
            default = 0 if name == "step" else info.default
            c = _control(name, info, default)
            if c is None and name in ("key", "value"):  # a `set` event's key and value: typed as text
                c = Control(key=name, label=name, kind="text", value="", default="", help=info.description or "")
            if c is not None:
                items.append(c)
        out[action] = items
    return out


def base_choices() -> list[str]:
    """What the scenario page offers as a start: the default scenario and each preset."""
    return ["default"] + presets.names()


def load_base(name: str) -> Scenario:
    """The default scenario (`name` "default"), a preset or a scenario file."""
    return default_scenario() if name == "default" else load_scenario(name)


def load_upload(data: bytes, name: str = "uploaded.toml") -> Scenario:
    """A scenario uploaded as TOML text; ScenarioError naming the file on bad input."""
    import tomllib

    if len(data) > MAX_UPLOAD_BYTES:
        raise ScenarioError(f"{name}: larger than {MAX_UPLOAD_BYTES // 2**20} MB")
    try:
        text = data.decode("utf-8")
        table = tomllib.loads(text)
    except UnicodeDecodeError:
        raise ScenarioError(f"{name}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{name}: not valid TOML: {exc}") from None
    if isinstance(table.get("data"), dict) and table["data"].get("network"):
        raise ScenarioError(f"{name}: [data] names files; upload the network on the Real data page instead")
    return validate(table, source=name)


def resolve(base: Scenario, values: dict[str, Any], events: list[dict] | None = None) -> Scenario:
    """`base` with dotted `values` applied and its events replaced by `events` (when given),
    validated as the command line validates `--set` (ScenarioError with its message)."""
    data = base.model_dump()
    if events is not None:
        data["events"] = [dict(e) for e in events]
    sc = validate(data, source="<dashboard>")
    if not values:
        return sc
    try:
        return sc.set(**values)
    except ScenarioError:
        raise
    except ClusterlabError as exc:
        raise ScenarioError(str(exc)) from None


def check_value(base: Scenario, key: str, value: Any) -> str | None:
    """The command line's message for one bad value, None when `key = value` is valid."""
    from ..scenario import _assign

    data = base.model_dump()
    try:
        _assign(data, key, value)
        validate(data, source="<dashboard>")
    except ScenarioError as exc:
        return str(exc)
    return None


def scenario_toml(sc: Scenario) -> str:
    """The resolved scenario as TOML text (what `Download` gives)."""
    return sc.to_toml()


class LiveRun:
    """One simulation of a scenario, stepped by the page: `advance(n)` runs up to n steps
    (thread-safe; the page calls it from a worker thread), `frame()` is the time series so
    far, `network()` the current network, `reset()` starts again from the same scenario."""

    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self._lock = threading.Lock()
        self.reset()

    def reset(self, scenario: Scenario | None = None) -> None:
        with self._lock:
            if scenario is not None:
                self.scenario = scenario
            self.sim = Sim(self.scenario)
            self.sim.recorder.end = self.scenario.steps
            self.sim.init()
            self.seconds = 0.0
            self._frame = pd.DataFrame()

    @property
    def t(self) -> int:
        return self.sim.t

    @property
    def done(self) -> bool:
        return self.sim.t >= self.scenario.steps

    def advance(self, n: int = 1) -> int:
        """Run up to `n` steps (never beyond the scenario's `steps`); the steps run."""
        with self._lock:
            k = max(0, min(n, self.scenario.steps - self.sim.t))
            t0 = time.perf_counter()
            for _ in range(k):
                self.sim.step()
            self.seconds += time.perf_counter() - t0
            return k

    def frame(self) -> pd.DataFrame:
        """The time series so far; only the rows recorded since the last call are converted
        (a redraw at step 5,000 would otherwise rebuild 5,000 rows)."""
        with self._lock:
            rec = self.sim.recorder
            rows = rec.rows[len(self._frame):]
            if rows:
                cols = rec.columns
                new = pd.DataFrame({c: np.array([row[c] for row in rows]) for c in cols}, columns=cols)
                self._frame = new if self._frame.empty else pd.concat([self._frame, new], ignore_index=True)
            return self._frame

    def events(self) -> list[tuple[float, str]]:
        """(step, label) of the scenario's events, for the markers on every time chart."""
        return event_marks(self.scenario)

    def network(self, max_ties: int = 4000) -> dict:
        """The cluster's actors (externals left out: they lie far away) and the live local
        ties among them, as arrays for `charts.network_svg`."""
        with self._lock:
            a, ties = self.sim.actors, self.sim.ties
            keep = a.alive & (a.kind != KINDS.index("external"))
            idx = np.flatnonzero(keep)
            pos = np.full(a.n, -1, np.int64)
            pos[idx] = np.arange(len(idx))
            ok = ties.alive & keep[ties.a] & keep[ties.b]
            ta, tb = pos[ties.a[ok]], pos[ties.b[ok]]
            deg = np.bincount(np.concatenate([ta, tb]), minlength=len(idx)) if len(idx) else np.zeros(0, int)
            ext = _external_ties(a, ties, keep, pos, len(idx))
            role = _roles(ta, tb, ext, len(idx))
            if len(ta) > max_ties:  # draw a sample of ties, degrees from all
                pick = np.linspace(0, len(ta) - 1, max_ties).astype(np.int64)
                ta, tb = ta[pick], tb[pick]
            return {"x": a.x[idx].copy(), "y": a.y[idx].copy(),
                    "kind": [KINDS[k] for k in a.kind[idx]], "role": role, "degree": deg, "a": ta, "b": tb,
                    "labels": [f"actor {i}" for i in idx]}


def _external_ties(a, ties, keep, pos, n: int) -> np.ndarray:
    """Per kept actor, its live ties to external actors (the pipelines of Giuliani & Bell's
    external openness)."""
    ext_kind = a.alive & (a.kind == KINDS.index("external"))
    ok = ties.alive
    ends = np.concatenate([ties.a[ok & keep[ties.a] & ext_kind[ties.b]],
                           ties.b[ok & keep[ties.b] & ext_kind[ties.a]]])
    return np.bincount(pos[ends], minlength=n).astype(np.float64)


def _roles(ta, tb, external, n: int) -> list[str]:
    """Giuliani & Bell (2005) cognitive roles of the live network, the same function
    `clusterlab analyze` uses. The ties are passed undirected (who asks whom, `Ties.asks`,
    is not used here), so only the roles that need no direction occur (gatekeeper, active
    mutual exchanger, weakly connected, isolated)."""
    from ..data import ClusterNetwork
    from ..measures import giuliani_bell_roles

    if n == 0:
        return []
    lo, hi = np.minimum(ta, tb), np.maximum(ta, tb)
    ids = np.array([str(i) for i in range(n)], dtype=object)
    net = ClusterNetwork(ids=ids, src=lo, dst=hi, weight=np.ones(len(lo)), directed=False,
                         attributes=pd.DataFrame({"id": ids, "external_ties": external}))
    return [str(r) for r in giuliani_bell_roles(net)]


def event_marks(sc: Scenario) -> list[tuple[float, str]]:
    return [(float(e.step), e.note or e.action.replace("_", " ")) for e in sc.events]


# -- policy comparison ------------------------------------------------------------------------

DEFAULT_OUTCOMES = {
    "sme_international_share": "SME internationalisation",
    "knowledge_mean": "mean knowledge",
    "innovations_incremental": "incremental innovations per step",
    "frontier_gap": "frontier gap",
}


@dataclass
class Arm:
    """A policy variant: a name, its scenario changes, and its events (None = the base's)."""

    name: str
    values: dict = field(default_factory=dict)
    events: list | None = None


def comparison_experiment(base: Scenario, arms: list[Arm], replications: int, seed: int = 1,
                          outcomes: dict[str, str] | None = None) -> dict:
    """The experiment (as `clusterlab experiment` reads it) of `arms` on `base`: the first
    arm is the control; replication r of every arm runs with seed `seed + r` (common random
    numbers); each outcome is kept yearly and at the last step."""
    if len(arms) < 2:
        raise ClusterlabError("a comparison needs at least two arms")
    names = [a.name for a in arms]
    if len(set(names)) != len(names) or any(not n.strip() for n in names):
        raise ClusterlabError("arm names must be distinct and not empty")
    outcomes = outcomes or DEFAULT_OUTCOMES
    data = base.model_dump()
    data.pop("events", None)
    spec = {"name": "dashboard comparison", "base": data, "replications": int(replications),
            "seed": int(seed), "arms": [],
            "outcomes": {"timeseries": list(outcomes), "steps": "yearly",
                         "values": {c: {"column": c} for c in outcomes}}}
    base_events = [e.model_dump() for e in base.events]
    for i, arm in enumerate(arms):
        events = base_events if arm.events is None else list(arm.events)
        spec["arms"].append({"name": arm.name, "control": i == 0,
                             "set": dict(arm.values), "events": events})
    return spec


class Cancelled(Exception):
    """A background run stopped at the user's request (its finished runs stay in its folder)."""


def _stoppable(progress, stop: threading.Event | None):
    """progress(done, failed, total) that raises Cancelled once `stop` is set: the runner
    then leaves its executor, which terminates the busy workers."""
    def call(done, failed, total):
        if stop is not None and stop.is_set():
            raise Cancelled(f"cancelled after {done} of {total} runs")
        if progress is not None:
            progress(done, failed, total)
    return call


def compare(base: Scenario, arms: list[Arm], folder: str | Path, *, replications: int = 20,
            seed: int = 1, workers: int | None = None, executor: str = "pool", progress=None,
            outcomes: dict[str, str] | None = None, stop: threading.Event | None = None):
    """Run the comparison into store `folder` and return its Summary (arms, comparisons,
    bands). progress(done, failed, total) as in `run_experiment`; setting `stop` cancels
    the comparison after the run in hand (raises Cancelled)."""
    from ..experiments import Experiment, run_experiment

    spec = comparison_experiment(base, arms, replications, seed, outcomes)
    exp = Experiment.from_dict(spec, source="<dashboard comparison>")
    res = run_experiment(exp, folder, executor=executor, workers=workers, progress=_stoppable(progress, stop))
    return res.summary()


def difference_sentences(summary, outcomes: dict[str, str] | None = None, steps_per_year: int = 12) -> list[str]:
    """Each comparison in words a manager reads: 'SME internationalisation: org vs none
    +0.26 (95% CI 0.22 to 0.30) at the end (year 10); clear difference' ."""
    from ..experiments.summary import fmt

    names = outcomes or DEFAULT_OUTCOMES
    out = []
    for _, r in summary.comparisons.iterrows():
        label = names.get(r["outcome"], r["outcome"])
        lo, hi = r["ci_low"], r["ci_high"]
        verdict = ("no clear difference (the interval includes 0)" if lo <= 0 <= hi
                   else f"{r['arm']} is clearly {'higher' if lo > 0 else 'lower'}")
        out.append(f"{label}: {r['arm']} vs {r['control']} {fmt(r['mean_diff'], True)} "
                   f"(95% CI {fmt(lo)} to {fmt(hi)}) at the end, {int(r['n'])} paired replications: {verdict}")
    return out


# -- real data -------------------------------------------------------------------------------

def save_upload(folder: Path, name: str, data: bytes) -> Path:
    """Write an uploaded file into the connection's temporary `folder` under its own base
    name (no path from the browser is used); ClusterlabError when too large or unnamed."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ClusterlabError(f"{name}: larger than {MAX_UPLOAD_BYTES // 2**20} MB")
    base = Path(str(name).replace("\\", "/")).name
    if base in ("", ".", ".."):
        raise ClusterlabError("the uploaded file has no name")
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / base
    p.write_bytes(data)
    return p


def analyse_upload(network: Path, attributes: Path | None = None, group: str | None = None,
                   absent: str | None = None) -> dict:
    """Read and analyse a survey network exactly as `clusterlab analyze` does (`absent`:
    None or "zeros", as `--absent`; a `present` attributes column is always honoured);
    returns the network, the firm table, the summary and a narrative (list of sentences)."""
    from ..analysis import analyze
    from ..data import load_network
    from ..data.load import absent_summary

    net = load_network(network, attributes, absent=absent or None)
    firms, summary = analyze(net, group=group)
    story = narrative(firms, summary)
    removed = absent_summary(net.notes)
    if removed:
        story.insert(1, removed[0].upper() + removed[1:] + ".")
    return {"net": net, "firms": firms, "summary": summary, "narrative": story}


def narrative(firms: pd.DataFrame, summary: dict) -> list[str]:
    """A few sentences on what the analysis numbers mean for a cluster manager."""
    out = [f"The network has {summary.get('actors', len(firms))} actors and {summary.get('edges', '?')} ties "
           f"(density {summary.get('density', float('nan')):.3f}, {summary.get('n_components', '?')} components)."]
    if "gb_role" in firms.columns:
        counts = firms["gb_role"].value_counts()
        parts = [f"{int(v)} {str(k).replace('_', ' ')}" for k, v in counts.items() if v]
        out.append("Cognitive roles (Giuliani & Bell 2005): " + ", ".join(parts) + ".")
        g = firms[firms["gb_role"] == "technological_gatekeeper"]
        if len(g):
            top = g.sort_values("degree", ascending=False)["id"].astype(str).head(5).tolist() if "degree" in g else []
            out.append(f"{len(g)} technological gatekeepers both take knowledge in and pass it on "
                       f"(most connected: {', '.join(top)}); losing them cuts what reaches the rest.")
    if "constraint" in firms.columns and firms["constraint"].notna().any():
        top = firms.nsmallest(3, "constraint")["id"].astype(str).tolist()
        out.append("Brokers spanning structural holes (least Burt constraint): " + ", ".join(top) + ".")
    cands = summary.get("focal_candidates") or []
    if cands:
        out.append(f"{len(cands)} actors look like focal firms (hub of many ties, open outwards): "
                   + ", ".join(str(c) for c in cands[:5]) + ".")
    lock = summary.get("lock_in")
    if isinstance(lock, dict) and lock.get("lock_in_score") is not None:
        risk = "at risk of lock-in" if lock.get("lock_in_risk") else "not at risk of lock-in by this rule"
        out.append(f"Lock-in score {lock['lock_in_score']:.2f} ({lock.get('indicators_available')} indicators): "
                   f"the cluster is {risk} (closure {lock.get('closure', float('nan')):.2f}, "
                   f"share of actors with outside ties {lock.get('external_share', float('nan')):.2f}).")
    return out


def data_scenario(base: Scenario, network: Path, attributes: Path | None, events: list | None,
                  absent: str | None = None) -> Scenario:
    """`base` started from an uploaded network (scenario table `[data]`), with `events`
    (None: the base's); `absent` as `data.absent` ("zeros": actors without ties left out)."""
    data = base.model_dump()
    data["data"] = {"network": str(network), "attributes": str(attributes) if attributes else "",
                    "absent": absent or ""}
    if events is not None:
        data["events"] = list(events)
    return validate(data, source="<dashboard: real data>")


def parse_value(text: str) -> Any:
    """A value typed in a form as the command line reads `--set KEY=VALUE`."""
    from ..scenario import parse_override

    return parse_override(f"x={text}")[1]


# -- propositions ---------------------------------------------------------------------------

def propositions_table(folder: str | Path) -> pd.DataFrame | None:
    """The tests of a propositions report folder (`propositions.csv`), None if absent."""
    p = Path(folder) / "propositions.csv"
    if not p.is_file():
        return None
    try:
        return pd.read_csv(p)
    except (OSError, ValueError, pd.errors.ParserError):
        return None


def propositions_overview(tests: pd.DataFrame) -> pd.DataFrame:
    """One row per proposition: id, title, verdict, robustness."""
    cols = [c for c in ("id", "title", "verdict", "robustness") if c in tests.columns]
    out = tests[cols].drop_duplicates("id").astype(object).fillna("not run")
    order = out["id"].str.extract(r"(\d+)")[0].astype(float)
    return out.iloc[order.argsort(kind="stable")].reset_index(drop=True)


def proposition_tests(tests: pd.DataFrame, pid: str) -> pd.DataFrame:
    """A proposition's tests in words: comparison, effect [95% CI], relative effect, p, holds."""
    t = tests[tests["id"] == pid]
    rows = []
    for _, r in t.iterrows():
        rel = r.get("relative")
        rows.append({"test": r["test"], "outcome": r["outcome"], "comparison": r["comparison"],
                     "effect [95% CI]": f"{r['effect']:.3g} [{r['ci_low']:.3g}, {r['ci_high']:.3g}]",
                     "relative": "" if pd.isna(rel) else f"{rel:+.1%}",
                     "p": f"{r['p']:.3g}", "primary": bool(r["primary"]), "holds": bool(r["supported"])})
    return pd.DataFrame(rows)


def run_proposition(pid: str, out: Path, replications: int, workers: int | None = None, *,
                    progress=None, stop: threading.Event | None = None, executor: str = "pool") -> dict:
    """Run one proposition of the suite (no robustness variants) into `out`; its report.
    progress and stop as in `compare`."""
    from ..propositions import run_suite

    if not 2 <= replications <= 200:
        raise ClusterlabError(f"replications: expected an integer from 2 to 200, got {replications}")
    res = run_suite([pid], out, replications=replications, workers=workers, robustness=False,
                    executor=executor, progress=_stoppable(progress, stop))
    md = (Path(out) / "propositions.md")
    return {"result": res, "markdown": md.read_text() if md.is_file() else ""}


__all__ = ["Cancelled", "Control", "controls", "event_kinds", "base_choices", "load_base", "load_upload", "resolve",
           "check_value", "scenario_toml", "LiveRun", "event_marks", "CHARTS", "Arm",
           "comparison_experiment", "compare", "difference_sentences", "save_upload", "analyse_upload",
           "narrative", "MAX_UPLOAD_BYTES", "data_scenario", "parse_value",
           "propositions_table", "propositions_overview", "proposition_tests", "run_proposition"]

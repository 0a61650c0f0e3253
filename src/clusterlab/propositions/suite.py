"""Running the proposition suite: designs -> runs (one resumable store) -> tests -> report.

    from clusterlab.propositions import run_suite
    table = run_suite(["P1", "P9"], "out/props", workers=2)        # or "all"

What a call does:
1. Read `suite.toml` (the propositions, their design files and tests, the robustness
   perturbations). Load each design with `experiments.load_experiment` and the overrides of
   the variant: main (replications, suite `set`), or a robustness perturbation (fewer
   replications; each key of one group x 0.8 or x 1.2 of its value in the design's base).
   A design that does not load (e.g. a scenario key this model lacks) makes its
   proposition "not run", with the reason.
2. Every run of every design and variant goes into ONE store (`OUT/store`, the experiment
   layer's resumable `Store`, run by `experiments.run_tasks` on one pool): identical runs
   (the same scenario and seed in several designs, e.g. the default cluster) run once.
   Outcomes of designs that record the same steps are merged, so that a run's stored
   outcomes serve every design that uses it; the run key adds a hash of those outcomes.
   Killed and restarted with the same command, only the missing runs run.
3. Evaluate each test (`verdict.py`), Holm-adjust the main primary p-values, count for each
   proposition in how many perturbations its verdict holds, and write OUT/propositions.csv
   (one row per test), OUT/propositions.json, OUT/report.html and OUT/figures/.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ClusterlabError, ScenarioError
from ..experiments.outcomes import Outcomes
from ..experiments.runner import run_tasks
from ..experiments.spec import Experiment, load_experiment
from ..experiments.stats import adjust
from ..experiments.store import Store
from ..outdir import prepare, staged
from ..toml_io import read_toml
from . import verdict as V

HERE = Path(str(resources.files(__package__)))
DESIGNS = HERE / "designs"
SUITE = HERE / "suite.toml"


@dataclass
class Proposition:
    pid: str
    title: str
    claim: str
    design: str
    files: list[str]
    tests: list[dict]
    quick: dict = field(default_factory=dict)


REPORT_FILES = ("report.html", "propositions.csv", "propositions.json", "propositions.md")


def load_suite(path: str | Path | None = None) -> tuple[dict, list[Proposition]]:
    """The suite file (default: the shipped suite.toml): its settings and propositions."""
    data = read_toml(Path(path or SUITE), "a proposition suite TOML file")
    props = [Proposition(k, v["title"], v["claim"], v["design"], list(v["files"]), list(v["tests"]),
                         dict(v.get("quick", {})))
             for k, v in data.items() if k.startswith("P")]
    return data, props


def select(props: list[Proposition], ids: list[str]) -> list[Proposition]:
    if not ids or [i.lower() for i in ids] == ["all"]:
        return props
    by = {p.pid.upper(): p for p in props}
    out = []
    for i in ids:
        key = i.upper() if i.upper().startswith("P") else f"P{i}"
        key = "P" + str(int(key[1:])) if key[1:].isdigit() else key
        if key not in by:
            raise ClusterlabError(f"no proposition {i!r}: expected P1 ... P{len(props)} or all")
        out.append(by[key])
    return out


def _value(exp: Experiment, key: str):
    node: Any = exp._base_data
    for part in key.split("."):
        node = node[part]
    return exp._set.get(key, node)


def perturbations(settings: dict) -> list[tuple[str, list[tuple[str, float]]]]:
    """(name, [(key, factor), ...]) of each robustness perturbation: the rows of
    `robustness.signs`, -1 = x 0.8, 1 = x 1.2, 0 = unchanged, for each group in order."""
    rob = dict(settings.get("robustness", {}))
    signs = rob.pop("signs", None)
    groups = list(rob.items())
    if signs is None:  # one group at a time
        signs = [[s if j == i else 0 for j in range(len(groups))] for i in range(len(groups)) for s in (-1, 1)]
    out = []
    for row in signs:
        if len(row) != len(groups):
            raise ClusterlabError(f"robustness.signs: each row needs {len(groups)} entries (one per group), got {row}")
        moves = [(k, 1 + 0.2 * s) for (_, keys), s in zip(groups, row) if s for k in keys]
        name = ", ".join(f"{g} x{1 + 0.2 * s:g}" for (g, _), s in zip(groups, row) if s)
        out.append((name, moves))
    return out


@dataclass
class Loaded:
    prop: Proposition
    variant: str
    experiments: list[Experiment]
    error: str = ""


def _load(prop: Proposition, overrides: dict, variant: str, pert: tuple | None) -> Loaded:
    exps = []
    try:
        for f in prop.files:
            over = dict(overrides)
            over.update({k: v for k, v in prop.quick.items()} if over.pop("_quick", False) else {})
            exp = load_experiment(DESIGNS / f, over)
            if pert is not None:
                extra = {f"set.{k}": _value(exp, k) * factor for k, factor in pert[1]}
                exp = load_experiment(DESIGNS / f, {**over, **extra})
            exps.append(exp)
    except ScenarioError as exc:
        return Loaded(prop, variant, [], str(exc).replace(str(DESIGNS) + "/", ""))
    return Loaded(prop, variant, exps)


def _group(outcomes: Outcomes) -> str:
    """Designs whose outcomes read the same steps share merged outcomes."""
    marks = sorted(json.dumps({k: v for k, v in spec.items() if k in ("step", "window")})
                   for spec in outcomes.values.values() if "step" in spec or "window" in spec)
    return json.dumps([outcomes.steps, marks])


def _merged(loaded: list[Loaded]) -> dict[str, Outcomes]:
    groups: dict[str, dict] = {}
    for ld in loaded:
        for exp in ld.experiments:
            g = groups.setdefault(_group(exp.outcomes), {"ts": [], "values": {}, "steps": exp.outcomes.steps})
            for c in exp.outcomes.timeseries:
                if c not in g["ts"]:
                    g["ts"].append(c)
            for name, spec in exp.outcomes.values.items():
                if name in g["values"] and g["values"][name] != spec:
                    raise ClusterlabError(f"{exp.source}: outcome {name!r} is defined differently in another "
                                          f"design of the suite; give it another name")
                g["values"][name] = spec
    return {k: Outcomes(g["ts"], g["steps"], g["values"]) for k, g in groups.items()}


def _tasks(loaded: list[Loaded], merged: dict[str, Outcomes]):
    """All tasks (deduplicated by key) and, per loaded design, its rows: (exp index, arm,
    replication, key)."""
    tasks, index = {}, {}
    hashes = {g: hashlib.sha256(json.dumps(o.to_dict(), sort_keys=True).encode()).hexdigest()[:10]
              for g, o in merged.items()}
    for ld in loaded:
        for j, exp in enumerate(ld.experiments):
            g = _group(exp.outcomes)
            rows = []
            for t in exp.tasks():
                key = f"{t.key}-{hashes[g]}"
                if key not in tasks:
                    tasks[key] = replace(t, key=key, outcomes=merged[g])
                rows.append((t.meta["arm"], t.meta["replication"], key))
            index[(ld.prop.pid, ld.variant, j)] = rows
    return list(tasks.values()), index


def _frame(store: Store, rows) -> pd.DataFrame:
    parts = []
    for arm, rep, key in rows:
        p = store.folder / "parts" / "outcomes" / f"{key}.parquet"
        if p.is_file():
            d = pd.read_parquet(p)
            d = d.drop(columns=[c for c in ("arm", "replication", "point", "seed", "run") if c in d.columns])
            d.insert(0, "arm", arm)
            d.insert(1, "replication", rep)
            parts.append(d)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["arm", "replication"])


def run_suite(ids: list[str] | None, out: str | Path, *, replications: int | None = None,
              workers: int | None = None, quick: bool = False, robustness: bool = True,
              suite: str | Path | None = None, progress=None, executor: str = "pool",
              overwrite: bool = False) -> dict:
    """Run the selected propositions into OUT and write the report (see the module).
    Returns {"propositions": [...], "tests": DataFrame, "seconds": ...}."""
    t0 = time.perf_counter()
    settings, props = load_suite(suite)
    props = select(props, list(ids or []))
    conf = settings.get("suite", {})
    alpha, ralpha = float(conf.get("alpha", 0.01)), float(conf.get("robustness_alpha", 0.05))
    reps = replications or int(conf.get("replications", 20))
    base = {f"set.{k}": v for k, v in conf.get("set", {}).items()}
    if quick:
        q = dict(settings.get("quick", {}))
        reps = replications or int(q.pop("replications", 3))
        base.update(q)
    rreps = max(2, min(reps, int(conf.get("robustness_replications", 5))))
    main = {**base, "replications": reps, "_quick": quick}
    loaded = [_load(p, main, "main", None) for p in props]
    perts = perturbations(settings) if robustness else []
    if quick and perts:
        perts = perts[:1]
    for pert in perts:
        loaded += [_load(p, {**base, "replications": rreps, "_quick": quick}, pert[0], pert) for p in props]
    ok = [ld for ld in loaded if not ld.error]
    merged = _merged(ok)
    tasks, index = _tasks(ok, merged)
    out = Path(out)
    prepare(out, "propositions", overwrite, names=REPORT_FILES)  # before any run: a user's file in the way is refused
    out.mkdir(parents=True, exist_ok=True)
    store = Store(out / "store", name="propositions")
    report = run_tasks(tasks, store, executor=executor, workers=workers, progress=progress)
    results = _evaluate(props, loaded, store, index, alpha, ralpha, [p[0] for p in perts])
    seconds = time.perf_counter() - t0
    meta = {"replications": reps, "robustness_replications": rreps if perts else 0, "alpha": alpha,
            "robustness_alpha": ralpha, "quick": quick, "runs": len(tasks), "runs_done_now": report.done,
            "runs_failed": report.failed, "seconds": round(seconds, 1), "perturbations": [p[0] for p in perts]}
    from .report import write

    def frames(pid: str) -> pd.DataFrame:
        n = sum(1 for k in index if k[0] == pid and k[1] == "main")
        return _frame_all(store, index, pid, "main", n)

    with staged(out, "propositions", overwrite) as tmp:  # README "Output folders": only our files are replaced
        write(tmp, results, meta, frames)
    results["seconds"] = seconds
    results["meta"] = meta
    return results


def _levels(exp: Experiment, key: str | None) -> dict:
    if exp.points is None or key is None or key not in exp.points.columns:
        return {}
    return {f"p{i}": float(v) for i, v in enumerate(exp.points[key])}


def _evaluate(props, loaded, store, index, alpha, ralpha, pert_names) -> dict:
    rows, summary = [], []
    by = {(ld.prop.pid, ld.variant): ld for ld in loaded}
    for prop in props:
        ld = by[(prop.pid, "main")]
        entry = {"id": prop.pid, "title": prop.title, "claim": prop.claim, "design": prop.design,
                 "files": prop.files, "verdict": "not run", "reason": ld.error, "robustness": "",
                 "holds": None, "perturbations": 0}
        if not ld.error:
            df = _frame_all(store, index, prop.pid, "main", len(ld.experiments))
            trows = _tests(prop, ld, df, alpha)
            empty = [r["test"] + " " + r["outcome"] for r in trows if r["primary"] and math.isnan(r["effect"])]
            if empty:
                entry["verdict"] = "not run"
                entry["reason"] = (f"no values for {', '.join(empty)} (e.g. too few firms, or no event the "
                                   f"measure needs); the other tests are reported")
            else:
                entry["verdict"] = V.verdict(trows)
            holds, m = 0, 0
            for name in (pert_names if entry["verdict"] != "not run" else []):
                lp = by.get((prop.pid, name))
                if lp is None or lp.error:
                    continue
                dfp = _frame_all(store, index, prop.pid, name, len(lp.experiments))
                m += 1
                holds += V.verdict(_tests(prop, lp, dfp, ralpha)) == "supported"
            if m:
                entry.update(holds=holds, perturbations=m, robustness=f"holds in {holds} of {m}")
            for r in trows:
                rows.append({"id": prop.pid, **r})
        summary.append(entry)
    tests = pd.DataFrame(rows, columns=["id", *V.COLUMNS])
    if len(tests):
        prim = tests["primary"].astype(bool)
        tests["p_holm"] = np.nan
        tests.loc[prim, "p_holm"] = adjust(tests.loc[prim, "p"].to_numpy(float))
    return {"propositions": summary, "tests": tests}


def _frame_all(store, index, pid, variant, n) -> pd.DataFrame:
    return pd.concat([_frame(store, index[(pid, variant, j)]) for j in range(n)], ignore_index=True)


def _tests(prop, ld, df, alpha) -> list[dict]:
    out = []
    for i, t in enumerate(prop.tests):
        levels = {}
        if t["kind"] == "inverted_u":
            for exp in ld.experiments:
                levels.update(_levels(exp, t.get("key")))
        r = V.evaluate(t, df, alpha, levels)
        r["test"] = f"{prop.pid}.{i + 1}"
        out.append(r)
    return out


__all__ = ["run_suite", "load_suite", "select", "perturbations", "Proposition", "DESIGNS", "SUITE"]

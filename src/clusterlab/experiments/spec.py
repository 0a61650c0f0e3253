"""Experiments: a base scenario, arms or a design, replications, outcomes, comparisons.

    exp = load_experiment("org.toml")          # or Experiment.from_dict({...}) from code
    exp.tasks()                                # one Task per arm (or point) and replication

An experiment file (every key checked; a bad one is one line naming the file and key)::

    name = "org-year-5"        # default: the file's stem
    base = "cluster_org"       # a preset name, or a scenario TOML path relative to this file;
                               # omitted: the default scenario (to_dict writes the resolved
                               # scenario here as a table, which is accepted too, and from
                               # code a Scenario is)
    replications = 20          # 1..100000 (default 1)
    seed = 1                   # replication r of every arm / point runs with seed + r (default 1)
    mechanisms = []            # extra mechanisms, "FILE.py:Class" (relative to this file) or "module:Class"
    [set]                      # dotted overrides for every run ("seed" is not one: see above)
    [[arms]]                   # named arms: name, control, set, drop_events, events
    [design]                   # or a design: method, keys, samples, levels, points, seed
    [outcomes]                 # see clusterlab.experiments.outcomes
    [[comparisons]]            # outcome, arm, control (default: every arm vs the control,
                               # for every scalar outcome)

Neither arms nor a design: one arm "base" (the base scenario with [set]). Exactly one arm
is the control (`control = true`; default: the first arm). An arm's scenario is: the base,
then [set], then (drop_events) no events, then the arm's set, then the arm's events
appended. A design point's scenario is the base, then [set], then the point's values.

Each run's meta (scalar columns of every row it writes): arm, point, replication, seed,
and for designs one column per design key (its dotted name). For arms, `point` is the arm's
index in the file. For designs, `arm` is "p<point>" (e.g. "p0", "p1", ...), so per-arm
summaries are per design point. Design points are sampled with `design.seed` (default: the
experiment's seed). Common random numbers (CRN): every arm and point uses the same seeds.
"""

from __future__ import annotations

import copy
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ClusterlabError, ClusterlabWarning, ScenarioError
from ..outdir import json_safe
from ..scenario import Scenario, did_you_mean, validate
from ..toml_io import read_toml
from . import designs
from .outcomes import Outcomes
from .store import run_key
from .task import Task, mechanism_loop

TOP = ("name", "base", "replications", "seed", "mechanisms", "set", "arms", "design", "outcomes", "comparisons")
ARM = ("name", "control", "set", "drop_events", "events")
DESIGN = ("method", "keys", "samples", "levels", "points", "seed")
METHODS = ("grid", "points", "lhs", "sobol", "morris")
COMPARISON = ("outcome", "arm", "control")
MAX_REPLICATIONS = 100_000
MAX_SEED = 2**63 - 1


def _dotted(data: dict, prefix: str = "") -> list[str]:
    out = []
    for k, v in data.items():
        out.append(prefix + k)
        if isinstance(v, dict):
            out += _dotted(v, prefix + k + ".")
    return out


def _flatten(table: dict, prefix: str = "") -> dict[str, Any]:
    """A [set] table as dotted keys: quoted dotted keys and TOML sub-tables alike."""
    out: dict[str, Any] = {}
    for k, v in table.items():
        if isinstance(v, dict) and v:
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def _int(value: Any, where: str, lo: int, hi: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise ScenarioError(f"{where}: expected a whole number from {lo} to {hi:,}, got {value!r}")
    return value


def _unknown(table: dict, allowed: tuple, where: str, prefix: str = "") -> None:
    for k in table:
        if k not in allowed:
            raise ScenarioError(f"{where}: key '{prefix}{k}': unknown key{did_you_mean(k, allowed, prefix)}")


def _scalar(v: Any) -> Any:
    return v.item() if hasattr(v, "item") else v



def _absolute(spec: str, base_dir: Path) -> str:
    """A `FILE.py:Class` spec with FILE made absolute (relative to the experiment file), so
    every worker finds the same file whatever its working folder."""
    where, sep, name = spec.rpartition(":")
    if sep and where.endswith(".py") and not Path(where).is_absolute():
        return f"{(Path(base_dir) / where).resolve()}:{name}"
    return spec

class Experiment:
    """An experiment, validated and resolved (build with `from_dict` or `load_experiment`)."""

    def __init__(self) -> None:  # use from_dict / load_experiment
        self.name = "experiment"
        self.replications = 1
        self.seed = 1
        self.kind = "arms"
        self.method: str | None = None
        self.arms: list[str] = []
        self.control: str | None = None
        self.points: pd.DataFrame | None = None
        self.problem: dict | None = None
        self.levels: int | None = None  # Morris only
        self.comparisons: list[dict] = []
        self.mechanisms: tuple[str, ...] = ()
        self.scenarios: list = []  # the resolved Scenario of each arm / point (seed: base's)

    # -- reading -------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: dict, source: str = "<experiment>", base_dir: Path = Path(".")) -> Experiment:
        """Validate and resolve an experiment document (the TOML's tables as a dict)."""
        if not isinstance(data, dict):
            raise ScenarioError(f"{source}: expected a table, got {data!r}")
        _unknown(data, TOP, source)
        self = cls()
        self.source = source
        name = data.get("name", "experiment")
        if not isinstance(name, str) or not name.strip():
            raise ScenarioError(f"{source}: key 'name': expected a non-empty text, got {name!r}")
        self.name = name
        self.replications = _int(data.get("replications", 1), f"{source}: key 'replications'", 1, MAX_REPLICATIONS)
        self.seed = _int(data.get("seed", 1), f"{source}: key 'seed'", 0, MAX_SEED - self.replications + 1)
        mechs = data.get("mechanisms", [])
        if not isinstance(mechs, list) or not all(isinstance(m, str) for m in mechs):
            raise ScenarioError(f"{source}: key 'mechanisms': expected a list of \"FILE.py:Class\" or "
                                f"\"module:Class\", got {mechs!r}")
        self.mechanisms = tuple(_absolute(m, base_dir) for m in mechs)
        try:
            self._loop = mechanism_loop(self.mechanisms)
        except ClusterlabError as exc:
            raise ScenarioError(f"{source}: key 'mechanisms': {exc}") from None
        self._base = self._load_base(data.get("base"), base_dir)
        self._base_data = self._base.model_dump(mode="json")
        self._set = self._set_table(data.get("set", {}), "set")
        self.outcomes = data["outcomes"] if isinstance(data.get("outcomes"), Outcomes) else \
            Outcomes.from_dict(data.get("outcomes"), source)
        if "arms" in data and "design" in data:
            raise ScenarioError(f"{source}: give [[arms]] or [design], not both")
        if "design" in data:
            self._read_design(data["design"])
        else:
            self._read_arms(data.get("arms"))
        horizons: dict[tuple, str] = {}  # the outcomes are checked once per run length
        for label, sc in zip(self.arms, self.scenarios):
            horizons.setdefault((sc.steps, sc.steps_per_year), label)
        for sc in self.scenarios:
            label = horizons.pop((sc.steps, sc.steps_per_year), None)
            if label is not None:
                named = self.kind == "arms" and len({(s.steps, s.steps_per_year) for s in self.scenarios}) > 1
                self.outcomes.check(sc, f"{source}: arm '{label}'" if named else source)
        for name in self.outcomes.names():
            if self.points is not None and name in self.points.columns:
                raise ScenarioError(f"{source}: key 'outcomes.values.{name}': the name is taken by the design key {name!r}")
        self._read_comparisons(data.get("comparisons"))
        self._tasks = self._make_tasks()
        keys = [t.key for t in self._tasks]
        if len(set(keys)) < len(keys):
            warnings.warn(f"{source}: some {'points' if self.kind == 'design' else 'arms'} resolve to the "
                          f"same scenario ({len(keys) - len(set(keys))} runs repeat another); a store "
                          f"keeps each run once", ClusterlabWarning, stacklevel=2)
        return self

    def _load_base(self, base: Any, base_dir: Path):
        from ..scenario import default_scenario, load_scenario

        where = f"{self.source}: key 'base'"
        if base is None:
            return default_scenario(self._loop)
        if isinstance(base, Scenario):  # from code
            base = base.model_dump(mode="json")
        if isinstance(base, dict):
            return validate(base, source=f"{self.source}: base", mechanisms=self._loop)
        if not isinstance(base, str) or not base:
            raise ScenarioError(f"{where}: expected a preset name or a scenario file, got {base!r}")
        p = Path(base)
        if p.suffix.lower() == ".toml" or len(p.parts) > 1:
            p = p if p.is_absolute() else Path(base_dir) / p
            target: Any = p
        else:  # a preset name, unless a file of that name sits beside the experiment
            target = Path(base_dir) / p if (Path(base_dir) / p).is_file() else base
        try:
            return load_scenario(target, mechanisms=self._loop)
        except ScenarioError as exc:
            raise ScenarioError(f"{where}: {exc}") from None

    def _set_table(self, table: Any, where: str) -> dict[str, Any]:
        if not isinstance(table, dict):
            raise ScenarioError(f"{self.source}: key '{where}': expected a table of dotted keys, got {table!r}")
        flat = _flatten(table)
        scratch = dict(self._base_data)
        for key, value in flat.items():
            self._assign(scratch, key, value, f"{where}.{key}")
        return flat

    def _assign(self, data: dict, dotted: str, value: Any, where: str) -> None:
        """Set a dotted scenario key in a scenario dict; unknown keys name `where`. The
        tables along the key's path are copied first, so a shallow copy of the base is
        enough: the base itself is never changed."""
        if dotted == "seed":
            raise ScenarioError(f"{self.source}: key '{where}': the seed is set per replication "
                                f"(seed + replication); set the experiment's `seed` instead")
        parts = dotted.split(".")
        node = data
        for i, part in enumerate(parts):
            if not isinstance(node, dict) or part not in node:
                raise ScenarioError(f"{self.source}: key '{where}': unknown key"
                                    f"{did_you_mean(dotted, _dotted(data))}")
            if i < len(parts) - 1:
                if isinstance(node[part], dict):
                    node[part] = dict(node[part])
                node = node[part]
        node[parts[-1]] = json_safe(value)

    def _resolve(self, label: str, sets: list[tuple[dict, str]], drop_events: bool = False,
                 events: list | None = None):
        data = dict(self._base_data)  # copied along each assigned path (`_assign`)
        for key, value in self._set.items():
            self._assign(data, key, value, f"set.{key}")
        if drop_events:
            data["events"] = []
        for table, where in sets:
            for key, value in table.items():
                self._assign(data, key, value, f"{where}.{key}")
        if events:
            data["events"] = list(data.get("events", [])) + [json_safe(e) for e in events]
        return validate(data, source=f"{self.source}: {label}", mechanisms=self._loop)

    def _read_arms(self, arms: Any) -> None:
        self.kind = "arms"
        if arms is None:
            arms = [{"name": "base"}]
        if not isinstance(arms, list) or not arms:
            raise ScenarioError(f"{self.source}: key 'arms': expected [[arms]] tables, got {arms!r}")
        self._arm_doc = []
        controls = []
        for i, arm in enumerate(arms):
            where = f"arms.{i}"
            if not isinstance(arm, dict):
                raise ScenarioError(f"{self.source}: key '{where}': expected a table, got {arm!r}")
            _unknown(arm, ARM, self.source, f"{where}.")
            name = arm.get("name")
            if not isinstance(name, str) or not name.strip():
                raise ScenarioError(f"{self.source}: key '{where}.name': every arm needs a name (a non-empty text)")
            if name in self.arms:
                raise ScenarioError(f"{self.source}: key '{where}.name': the arm name {name!r} is used twice")
            control = arm.get("control", False)
            drop = arm.get("drop_events", False)
            for k, v in (("control", control), ("drop_events", drop)):
                if not isinstance(v, bool):
                    raise ScenarioError(f"{self.source}: key '{where}.{k}': expected true or false, got {v!r}")
            events = arm.get("events", [])
            if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
                raise ScenarioError(f"{self.source}: key '{where}.events': expected a list of event tables, got {events!r}")
            table = arm.get("set", {})
            if not isinstance(table, dict):
                raise ScenarioError(f"{self.source}: key '{where}.set': expected a table of dotted keys, got {table!r}")
            flat = _flatten(table)
            self.arms.append(name)
            if control:
                controls.append(name)
            self.scenarios.append(self._resolve(f"arm '{name}'", [(flat, f"{where}.set")], drop, events))
            self._arm_doc.append({"name": name, "set": flat, "drop_events": drop, "events": json_safe(events)})
        if len(controls) > 1:
            raise ScenarioError(f"{self.source}: arms {controls[0]!r} and {controls[1]!r} are both the control; "
                                f"mark exactly one with control = true")
        self.control = controls[0] if controls else self.arms[0]
        for doc in self._arm_doc:
            doc["control"] = doc["name"] == self.control

    def _read_design(self, design: Any) -> None:
        self.kind = "design"
        src = self.source
        if not isinstance(design, dict):
            raise ScenarioError(f"{src}: key 'design': expected a table, got {design!r}")
        _unknown(design, DESIGN, src, "design.")
        method = design.get("method")
        if method not in METHODS:
            raise ScenarioError(f"{src}: key 'design.method': expected one of {', '.join(METHODS)}, got "
                                f"{method!r}{did_you_mean(str(method), METHODS)}")
        self.method = method
        sampled = method in ("lhs", "sobol", "morris")
        for k, used in (("samples", sampled), ("levels", method == "morris"), ("keys", method != "points")):
            if not used and k in design:
                raise ScenarioError(f"{src}: key 'design.{k}': not used by method {method!r}")
        if sampled and "samples" not in design:
            raise ScenarioError(f"{src}: key 'design.samples' is required for method {method!r}")
        if "points" in design and method == "grid":
            raise ScenarioError(f"{src}: key 'design.points': not used by method {method!r}")
        if method == "points" and "points" not in design:
            raise ScenarioError(f"{src}: key 'design.points' is required for method 'points'")
        seed = _int(design.get("seed", self.seed), f"{src}: key 'design.seed'", 0, 2**32 - 1)
        kind = type(self._base)
        keys = design.get("keys", {})
        if not isinstance(keys, dict) or (method != "points" and not keys):
            raise ScenarioError(f"{src}: key 'design.keys': expected a table of dotted keys, got {keys!r}")
        keys = _flatten(keys)  # quoted dotted keys or TOML sub-tables alike ({} stays a value)
        for key, value in keys.items():
            where = f"design.keys.{key}"
            self._assign(dict(self._base_data), key, None, where)  # the key exists
            if method == "grid" and not isinstance(value, list):
                raise ScenarioError(f"{src}: key '{where}': a grid needs a list of values, got {value!r}"
                                    f" (write dotted keys in quotes: \"network.tie_km\" = [2, 6])")
        self._design_doc: dict[str, Any] = {"method": method, "seed": seed}
        try:
            if method == "grid":
                pts = designs.grid(keys)
            elif method == "points":
                pts = designs.points(design["points"])
                for key in pts.columns:
                    self._assign(dict(self._base_data), key, None, f"design.points.0.{key}")
            else:
                bounds = {}
                for key, value in keys.items():
                    if value is not None and not isinstance(value, (list, dict)):
                        raise ScenarioError(f"key '{key}': expected [low, high] or {{}}, got {value!r}")
                    bounds[key] = designs.sample_range(key, value or None, kind)
                n = _int(design["samples"], f"{src}: key 'design.samples'", 1, 10_000_000)
                levels = _int(design.get("levels", 4), f"{src}: key 'design.levels'", 2, 1000)
                self.problem = designs.problem(bounds)
                if "points" in design:  # the points an earlier reading drew (to_dict writes them)
                    pts = designs.points(design["points"])
                    if list(pts.columns) != list(bounds):
                        raise ScenarioError("key 'design.points': the points do not set the design's keys")
                elif method == "lhs":
                    pts = designs.lhs(bounds, n, seed, kind)
                elif method == "sobol":
                    pts = designs.sobol(dict(self.problem), n, seed, kind)
                else:
                    pts = designs.morris(dict(self.problem), n, levels, seed, kind)
                self._design_doc.update({"samples": n, "keys": {k: list(b) for k, b in bounds.items()}})
                if method == "morris":
                    self._design_doc["levels"] = levels
                    self.levels = levels
        except ScenarioError as exc:  # designs name the key; here it sits under design.keys
            msg = str(exc)
            if msg.startswith(src):
                raise
            if msg.startswith("key '") and not msg.startswith("key 'design."):
                msg = msg.replace("key '", "key 'design.keys.", 1)
            raise ScenarioError(f"{src}: {msg}") from None
        if method == "grid":
            self._design_doc["keys"] = json_safe(keys)
        for key in pts.columns:
            if key == "seed":
                raise ScenarioError(f"{src}: key 'design.keys.seed': the seed is set per replication; "
                                    f"it cannot be a design key")
        self.points = pts.reset_index(drop=True)
        self._design_doc["points"] = json_safe([{k: _scalar(v) for k, v in row.items()}
                                                for row in self.points.to_dict("records")])
        for i, row in enumerate(self._design_doc["points"]):
            label = f"p{i}"
            self.arms.append(label)
            self.scenarios.append(self._resolve(f"design point {i}", [(row, f"design point {i}")]))
        self.control = None

    def _read_comparisons(self, comps: Any) -> None:
        src = self.source
        names = self.outcomes.names()
        if comps is None:
            if self.kind == "arms":
                self.comparisons = [{"outcome": o, "arm": a, "control": self.control}
                                    for a in self.arms if a != self.control for o in names]
            return
        if self.kind == "design":
            raise ScenarioError(f"{src}: key 'comparisons': comparisons are between arms; a design has none")
        if not isinstance(comps, list):
            raise ScenarioError(f"{src}: key 'comparisons': expected [[comparisons]] tables, got {comps!r}")
        for i, c in enumerate(comps):
            where = f"comparisons.{i}"
            if not isinstance(c, dict):
                raise ScenarioError(f"{src}: key '{where}': expected a table, got {c!r}")
            _unknown(c, COMPARISON, src, f"{where}.")
            c = {"control": self.control, **c}
            for k in ("outcome", "arm"):
                if k not in c:
                    raise ScenarioError(f"{src}: key '{where}.{k}' is required")
            out = c["outcome"]
            if out not in names and not any(isinstance(out, str) and out.startswith(n + ".")
                                            and "function" in self.outcomes.values[n] for n in names):
                raise ScenarioError(f"{src}: key '{where}.outcome': no outcome {out!r}{did_you_mean(str(out), names)}")
            for k in ("arm", "control"):
                if c[k] not in self.arms:
                    raise ScenarioError(f"{src}: key '{where}.{k}': no arm {c[k]!r}{did_you_mean(str(c[k]), self.arms)}")
            if c["arm"] == c["control"]:
                raise ScenarioError(f"{src}: key '{where}': an arm compared with itself ({c['arm']!r})")
            self.comparisons.append({"outcome": out, "arm": c["arm"], "control": c["control"]})

    # -- what to run ---------------------------------------------------------------------
    def tasks(self) -> list[Task]:
        """One Task per arm (or design point) and replication, arm/point major: replication r
        runs with seed = experiment seed + r in every arm (common random numbers). A task's
        scenario dict shares its sub-tables with the other replications of its arm: read it,
        do not change it."""
        return list(self._tasks)

    def _make_tasks(self) -> list[Task]:
        out = []
        for i, (label, sc) in enumerate(zip(self.arms, self.scenarios)):
            extra = {} if self.points is None else dict(self._design_doc["points"][i])
            resolved = sc.model_dump(mode="json")
            for r in range(self.replications):
                seed = self.seed + r
                data = dict(resolved)
                data["seed"] = seed
                meta = {"arm": label, "point": i, "replication": r, "seed": seed, **extra}
                out.append(Task(run_key(data, seed), data, meta, self.outcomes, self.mechanisms))
        return out

    def to_dict(self) -> dict:
        """The experiment as resolved, JSON-safe: `from_dict` of it gives the same tasks
        (same keys) without the file or the base scenario's file (the base is written out)."""
        doc: dict[str, Any] = {"name": self.name, "base": self._base_data, "replications": self.replications,
                               "seed": self.seed, "mechanisms": list(self.mechanisms), "set": json_safe(self._set),
                               "outcomes": self.outcomes.to_dict()}
        if self.kind == "design":  # sampled points written out: the same points whatever SALib's version
            doc["design"] = copy.deepcopy(self._design_doc)
            if self.method == "grid":
                del doc["design"]["points"]
        else:
            doc["arms"] = copy.deepcopy(self._arm_doc)
            doc["comparisons"] = [dict(c) for c in self.comparisons]
        return json_safe(doc)

    def __repr__(self) -> str:
        what = f"{len(self.arms)} arms" if self.kind == "arms" else f"{self.method} design, {len(self.arms)} points"
        return (f"Experiment {self.name!r}: {what} x {self.replications} replications "
                f"= {len(self.arms) * self.replications} runs (seeds {self.seed}..{self.seed + self.replications - 1})")


def _override(data: dict, key: str, value: Any, source: str) -> None:
    """A dotted override of an experiment key: "replications", "design.samples", or a
    scenario key for every run under "set." (e.g. "set.steps")."""
    parts = key.split(".")
    if parts[0] not in TOP:
        raise ScenarioError(f"{source} (override): key '{key}': unknown key{did_you_mean(parts[0], TOP)}")
    if parts[0] == "set" and len(parts) > 1:
        table = data.setdefault("set", {})
        if not isinstance(table, dict):
            raise ScenarioError(f"{source} (override): key 'set' is not a table")
        table[".".join(parts[1:])] = value
        return
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ScenarioError(f"{source} (override): key '{key}': '{part}' is not a table")
    node[parts[-1]] = value


def load_experiment(path: str | Path, overrides: dict[str, Any] | None = None) -> Experiment:
    """Read an experiment TOML file (see the module); `overrides` are dotted experiment keys,
    e.g. {"replications": 5, "set.steps": 60}. ScenarioError (one line naming the file and
    key) for anything wrong."""
    p = Path(path)
    source = str(p)
    data = read_toml(p, "an experiment TOML file")
    data.setdefault("name", p.stem)
    for key, value in (overrides or {}).items():
        _override(data, key, value, source)
    return Experiment.from_dict(data, source=source, base_dir=p.parent)


__all__ = ["Experiment", "load_experiment"]

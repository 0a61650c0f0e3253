"""What an experiment keeps of each run: named scalar outcomes and a thinned time series.

    Outcomes(timeseries=["knowledge_mean"], steps="yearly",
             values={"sme_intl": {"column": "sme_international_share"},
                     "gap_late": {"column": "frontier_gap", "window": [180, 240], "stat": "mean"},
                     "innov": {"summary": "innovations_radical"},
                     "ac_sme": {"firms": "absorptive", "stat": "mean", "kind": "sme"},
                     "mine": {"function": "mypkg.mod:fn"}})    # or a Python callable

Kinds of scalar outcome (one float column each, named by the outcome):
- column: a time-series column at the last step, or at `step`;
- column + window [a, b] (steps, both included) + stat: mean, sum, min, max or last;
- summary: a dotted key of `Results.summary()` (its numbers, e.g. "lock_in.diversity.end");
- firms: an actor-snapshot column aggregated (stat: mean, sum, min, max, median, sd, count)
  over the actors alive at the last step, of `kind` ("firm" = focal and sme, the default;
  any actor kind; or "all");
- function: "module:func" or a callable taking the Results, returning a float or a dict of
  floats (then one column `<name>.<key>` each).

The kept time series ("timeseries" table) has `step` then the kept columns at the kept
steps: "yearly" (default) = 0, steps_per_year, 2 * steps_per_year, ..., and the last step.
`record_steps` lists every step whose full row the outcomes read, for `Sim(..., keep=)`.
An Outcomes is picklable when its callables are (module-level functions are; lambdas not).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ClusterlabError, ScenarioError
from ..scenario import did_you_mean
from ..user_code import load_object

META = ("run", "arm", "point", "replication", "seed", "step")  # names outcomes may not take
WINDOW_STATS = ("mean", "sum", "min", "max", "last")
FIRM_STATS = ("mean", "sum", "min", "max", "median", "sd", "count")
DEFAULT_COLUMNS = ("knowledge_mean", "frontier_gap", "diversity", "sme_international_share",
                   "external_share", "trust_mean")
DEFAULT_SUMMARY = ("innovations_incremental", "innovations_radical")
_KINDS_OF_SPEC = ("column", "summary", "firms", "function")
_KEYS = {"column": {"column", "step", "window", "stat"}, "summary": {"summary"},
         "firms": {"firms", "stat", "kind"}, "function": {"function"}}


def callable_name(fn: Callable) -> str:
    """"module:qualname" of a module-level callable (so it can be stored and re-imported);
    ClusterlabError when it has none (a lambda, a nested function, one defined in __main__)."""
    module, qual = getattr(fn, "__module__", None), getattr(fn, "__qualname__", "")
    if not module or module == "__main__" or "<" in qual or not qual:
        raise ClusterlabError(f"outcome function {fn!r} cannot be stored: only a function defined at the "
                              f"top level of an importable module can (write it in a .py file and "
                              f"give it as 'module:function')")
    return f"{module}:{qual}"


def _flat_numbers(d: dict, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flat_numbers(v, key + "."))
        elif v is None or (isinstance(v, (int, float, np.number)) and not isinstance(v, bool)):
            out[key] = v
    return out


@functools.lru_cache(maxsize=1)
def summary_keys() -> tuple[str, ...]:
    """The dotted keys of `Results.summary()` that hold numbers (run time `seconds` left
    out: it is not a result). Read from a summary of a one-row stand-in run, so the list
    follows `Results.summary` as it changes."""
    from ..mechanisms import MECHANISMS
    from ..recorder import columns
    from ..results import Results
    from ..scenario import default_scenario

    ts = pd.DataFrame([dict.fromkeys(columns(MECHANISMS), 0.0)])
    actors = pd.DataFrame({"step": [0], "alive": [True], "kind": ["sme"]})
    s = Results(scenario=default_scenario(), timeseries=ts, actors=actors).summary()
    return tuple(k for k in _flat_numbers(s) if k not in ("seconds",))


def actor_columns(classes: Iterable) -> list[str]:
    """Numeric actor-snapshot columns: the built-in ones and the recorded states of `classes`."""
    from ..recorder import ACTOR_COLUMNS

    cols = [c for c in ACTOR_COLUMNS if c not in ("step", "id", "label", "kind", "alive")]
    for cls in classes:
        cols += [s.name for s in cls.states if s.record and not s.per_domain]
    return cols


class Outcomes:
    """The outcomes of an experiment (see the module). `source` prefixes error messages."""

    def __init__(self, timeseries: Iterable[str] | None = None, steps: str | Iterable[int] = "yearly",
                 values: dict[str, Any] | None = None, source: str = "<outcomes>"):
        where = f"{source}: key 'outcomes"
        self.timeseries = list(DEFAULT_COLUMNS if timeseries is None else timeseries)
        for i, c in enumerate(self.timeseries):
            if not isinstance(c, str):
                raise ScenarioError(f"{where}.timeseries.{i}': expected a column name, got {c!r}")
        if len(set(self.timeseries)) < len(self.timeseries):
            raise ScenarioError(f"{where}.timeseries': a column is listed twice")
        if isinstance(steps, str):
            if steps != "yearly":
                raise ScenarioError(f"{where}.steps': expected \"yearly\" or a list of steps, got {steps!r}")
            self.steps: str | list[int] = "yearly"
        else:
            steps = list(steps)
            if not steps or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in steps):
                raise ScenarioError(f"{where}.steps': expected \"yearly\" or a non-empty list of steps "
                                    f"(whole numbers >= 0), got {steps!r}")
            self.steps = sorted(set(steps))
        if values is None:
            values = {c: {"column": c} for c in DEFAULT_COLUMNS}
            values.update({k: {"summary": k} for k in DEFAULT_SUMMARY})
        if not isinstance(values, dict) or not values:
            raise ScenarioError(f"{where}.values': expected a table of named outcomes")
        self.values: dict[str, dict] = {}
        for name, spec in values.items():
            self.values[name] = self._spec(name, spec, f"{where}.values.{name}")

    @staticmethod
    def _spec(name: str, spec: Any, where: str) -> dict:
        if not name.isidentifier():
            raise ScenarioError(f"{where}': an outcome name must be an identifier (letters, digits, _)")
        if name in META:
            raise ScenarioError(f"{where}': the name {name!r} is taken by a column every row has "
                                f"({', '.join(META)})")
        if callable(spec):
            return {"function": spec}
        if not isinstance(spec, dict):
            raise ScenarioError(f"{where}': expected a table such as {{ column = \"knowledge_mean\" }}, got {spec!r}")
        kinds = [k for k in _KINDS_OF_SPEC if k in spec]
        if len(kinds) != 1:
            extra = [k for k in spec if k not in set().union(*_KEYS.values())]
            if extra:
                raise ScenarioError(f"{where}.{extra[0]}': unknown key"
                                    f"{did_you_mean(extra[0], _KINDS_OF_SPEC)}")
            raise ScenarioError(f"{where}': expected exactly one of {', '.join(_KINDS_OF_SPEC)}")
        kind = kinds[0]
        for k in spec:
            if k not in _KEYS[kind]:
                raise ScenarioError(f"{where}.{k}': unknown key for a {kind} outcome"
                                    f"{did_you_mean(k, _KEYS[kind])} (keys: {', '.join(sorted(_KEYS[kind]))})")
        out = dict(spec)
        if kind == "column":
            if not isinstance(spec["column"], str):
                raise ScenarioError(f"{where}.column': expected a column name, got {spec['column']!r}")
            if "step" in spec and "window" in spec:
                raise ScenarioError(f"{where}': give step or window, not both")
            if "step" in spec and not (isinstance(spec["step"], int) and not isinstance(spec["step"], bool)
                                       and spec["step"] >= 0):
                raise ScenarioError(f"{where}.step': expected a step (a whole number >= 0), got {spec['step']!r}")
            if "window" in spec:
                w = spec["window"]
                if not (isinstance(w, (list, tuple)) and len(w) == 2 and all(isinstance(v, int) and not isinstance(v, bool) for v in w)
                        and 0 <= w[0] <= w[1]):
                    raise ScenarioError(f"{where}.window': expected [first, last] steps with 0 <= first <= last, got {w!r}")
                out["window"] = [int(w[0]), int(w[1])]
                out.setdefault("stat", "mean")
                if out["stat"] not in WINDOW_STATS:
                    raise ScenarioError(f"{where}.stat': expected one of {', '.join(WINDOW_STATS)}, got {out['stat']!r}"
                                        f"{did_you_mean(str(out['stat']), WINDOW_STATS)}")
            elif "stat" in spec:
                raise ScenarioError(f"{where}.stat': a stat needs a window")
        elif kind == "summary":
            if not isinstance(spec["summary"], str):
                raise ScenarioError(f"{where}.summary': expected a dotted key of the run summary")
        elif kind == "firms":
            out.setdefault("stat", "mean")
            out.setdefault("kind", "firm")
            if out["stat"] not in FIRM_STATS:
                raise ScenarioError(f"{where}.stat': expected one of {', '.join(FIRM_STATS)}, got {out['stat']!r}"
                                    f"{did_you_mean(str(out['stat']), FIRM_STATS)}")
            from ..state import KINDS

            kinds_ok = ("firm", "all", *KINDS)
            if out["kind"] not in kinds_ok:
                raise ScenarioError(f"{where}.kind': expected one of {', '.join(kinds_ok)}, got {out['kind']!r}"
                                    f"{did_you_mean(str(out['kind']), kinds_ok)}")
        elif kind == "function":
            fn = spec["function"]
            if isinstance(fn, str):
                try:
                    load_object(fn)
                except ClusterlabError as exc:
                    raise ScenarioError(f"{where}.function': {exc}") from None
            elif not callable(fn):
                raise ScenarioError(f"{where}.function': expected 'module:function' or a callable, got {fn!r}")
        return out

    # -- checks against a scenario -------------------------------------------------------
    def check(self, scenario, source: str = "<outcomes>") -> None:
        """Refuse (ScenarioError naming the key) a column the run will not record, a summary
        key that does not exist, or a step beyond the scenario's last step."""
        from ..recorder import columns

        classes = type(scenario).mechanism_classes
        cols = columns(classes)
        where = f"{source}: key 'outcomes"
        last = scenario.steps
        for i, c in enumerate(self.timeseries):
            if c not in cols or c == "step":
                raise ScenarioError(f"{where}.timeseries.{i}': no time-series column {c!r}{did_you_mean(c, cols)}")
        if self.steps != "yearly" and self.steps[-1] > last:
            raise ScenarioError(f"{where}.steps': step {self.steps[-1]} is beyond the run's last step {last}")
        for name, spec in self.values.items():
            w = f"{where}.values.{name}"
            if "column" in spec:
                c = spec["column"]
                if c not in cols or c == "step":
                    raise ScenarioError(f"{w}.column': no time-series column {c!r}{did_you_mean(c, cols)}")
                if spec.get("step", 0) > last:
                    raise ScenarioError(f"{w}.step': step {spec['step']} is beyond the run's last step {last}")
                if "window" in spec and spec["window"][1] > last:
                    raise ScenarioError(f"{w}.window': step {spec['window'][1]} is beyond the run's last step {last}")
            elif "summary" in spec:
                keys = summary_keys()
                if spec["summary"] not in keys:
                    raise ScenarioError(f"{w}.summary': no number {spec['summary']!r} in the run summary"
                                        f"{did_you_mean(spec['summary'], keys)}")
            elif "firms" in spec:
                acols = actor_columns(classes)
                if spec["firms"] not in acols:
                    raise ScenarioError(f"{w}.firms': no actor column {spec['firms']!r}{did_you_mean(spec['firms'], acols)}")

    def kept_steps(self, scenario) -> list[int]:
        """The steps of the kept time series."""
        last = scenario.steps
        if self.steps == "yearly":
            return sorted(set(range(0, last + 1, scenario.steps_per_year)) | {last})
        return [s for s in self.steps if s <= last]

    def record_steps(self, scenario) -> list[int]:
        """Every step whose full time-series row the outcomes read, sorted: the kept steps,
        each `step`, every step of each window, 0 and the last step."""
        last = scenario.steps
        steps = set(self.kept_steps(scenario)) | {0, last}
        for spec in self.values.values():
            if "step" in spec:
                steps.add(spec["step"])
            if "window" in spec:
                a, b = spec["window"]
                steps.update(range(a, b + 1))
        return sorted(s for s in steps if s <= last)

    # -- extraction ----------------------------------------------------------------------
    def extract(self, results) -> dict[str, pd.DataFrame]:
        """{"outcomes": one row, a float column per scalar outcome; "timeseries": `step` then
        the kept columns at the kept steps}."""
        ts = results.timeseries.set_index("step", drop=False)
        row: dict[str, float] = {}
        summary = None
        final = None
        for name, spec in self.values.items():
            if "column" in spec:
                col = ts[spec["column"]]
                if "window" in spec:
                    a, b = spec["window"]
                    part = col.loc[a:b].astype(float)
                    stat = spec["stat"]
                    row[name] = float(part.iloc[-1] if stat == "last" else getattr(part, stat)())
                else:
                    row[name] = float(col.loc[spec.get("step", int(ts["step"].iat[-1]))])
            elif "summary" in spec:
                if summary is None:
                    summary = _flat_numbers(results.summary())
                v = summary[spec["summary"]]
                row[name] = math.nan if v is None else float(v)
            elif "firms" in spec:
                if final is None:
                    act = results.actors
                    final = act[(act["step"] == act["step"].max()) & act["alive"]]
                kind = spec["kind"]
                sel = final if kind == "all" else final[final["kind"].isin(["focal", "sme"] if kind == "firm" else [kind])]
                x = sel[spec["firms"]].astype(float)
                stat = spec["stat"]
                row[name] = float(len(x) if stat == "count" else (x.std(ddof=1) if stat == "sd" else getattr(x, stat)()))
            else:
                fn = spec["function"]
                fn = load_object(fn) if isinstance(fn, str) else fn
                got = fn(results)
                if isinstance(got, dict):
                    row.update({f"{name}.{k}": float(v) for k, v in got.items()})
                else:
                    row[name] = float(got)
        kept = self.kept_steps(results.scenario)
        cols = ["step", *self.timeseries]
        series = ts.loc[ts.index.isin(kept), cols].reset_index(drop=True)
        series[self.timeseries] = series[self.timeseries].astype(float)
        series["step"] = series["step"].astype(np.int64)
        return {"outcomes": pd.DataFrame([row], dtype=float), "timeseries": series}

    def names(self) -> list[str]:
        """The scalar outcome names (a function returning a dict adds `<name>.<key>` columns)."""
        return list(self.values)

    def to_dict(self) -> dict:
        """The outcomes as a JSON-safe dict (`Outcomes.from_dict` reads it back); callables
        as "module:qualname" (ClusterlabError for one that cannot be re-imported)."""
        values = {}
        for name, spec in self.values.items():
            spec = dict(spec)
            if "function" in spec and callable(spec["function"]):
                spec["function"] = callable_name(spec["function"])
            values[name] = spec
        return {"timeseries": list(self.timeseries), "steps": self.steps, "values": values}

    @classmethod
    def from_dict(cls, data: dict, source: str = "<outcomes>") -> Outcomes:
        data = dict(data or {})
        where = f"{source}: key 'outcomes"
        for k in data:
            if k not in ("timeseries", "steps", "values"):
                raise ScenarioError(f"{where}.{k}': unknown key{did_you_mean(k, ('timeseries', 'steps', 'values'), 'outcomes.')}")
        return cls(data.get("timeseries"), data.get("steps", "yearly"), data.get("values"), source)

    def __eq__(self, other) -> bool:
        return isinstance(other, Outcomes) and (self.timeseries, self.steps, self.values) == (
            other.timeseries, other.steps, other.values)

    def __repr__(self) -> str:
        return f"Outcomes({len(self.values)} values: {', '.join(self.values)}; timeseries {', '.join(self.timeseries)} at {self.steps})"


__all__ = ["Outcomes", "callable_name", "summary_keys", "actor_columns", "META"]

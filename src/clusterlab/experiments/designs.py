"""Designs over dotted scenario keys: the points an experiment runs (one row per point).

    grid({"network.tie_km": [2, 6], "population.cluster_orgs": [0, 1]})   # full factorial
    points([{"network.tie_km": 2}, {"network.tie_km": 9}])                # a list of points
    lhs(bounds, n, seed)          # Latin hypercube (McKay, Beckman & Conover 1979) via scipy.stats.qmc
    sobol(problem(bounds), n, seed)    # Saltelli's scheme (Saltelli 2002), SALib: n * (D + 2) points
    morris(problem(bounds), n, levels, seed)  # Morris (1991) trajectories, SALib: n * (D + 1) points

Every function returns a DataFrame, one column per key in the order given. Sampled designs
(lhs, sobol, morris) draw floats in [low, high]; a key whose declared type is int is
rounded to the nearest whole number after sampling (so its levels are not exactly uniform
near the ends), and a bool or str key is refused (use a grid). `key_bounds` gives a key's
declared range (the Field ge/gt/le/lt that `clusterlab default-scenario` prints), the
default range of a sampled key; a range outside it is refused naming the key.
"""

from __future__ import annotations

import itertools
import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel

from ..errors import ClusterlabWarning, ScenarioError
from ..scenario import Scenario, did_you_mean

SOBOL_MIN = 64  # base samples below which Sobol indices are rarely stable (Saltelli et al. 2010)


def _field(kind: type[BaseModel], key: str):
    """The pydantic FieldInfo of dotted scenario key `key` (ScenarioError naming it if none)."""
    model: Any = kind
    parts = key.split(".")
    for i, part in enumerate(parts):
        fields = model.model_fields if isinstance(model, type) and issubclass(model, BaseModel) else {}
        if part not in fields:
            prefix = ".".join(parts[:i])
            hint = did_you_mean(part, fields, prefix + "." if prefix else "")
            raise ScenarioError(f"key '{key}': unknown key{hint}")
        info = fields[part]
        if i < len(parts) - 1:
            model = info.annotation
    if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel):
        raise ScenarioError(f"key '{key}': is a table; give one of its keys")
    return info


def key_type(key: str, kind: type[BaseModel] = Scenario) -> type:
    """The declared Python type of a dotted scenario key (int, float, bool, str, ...)."""
    return _field(kind, key).annotation


def field_bounds(info) -> tuple[float | None, float | None, bool, bool]:
    """(low, high, low_open, high_open) of a pydantic FieldInfo's ge/gt/le/lt metadata."""
    lo = hi = None
    lo_open = hi_open = False
    for m in info.metadata:
        if getattr(m, "ge", None) is not None:
            lo, lo_open = m.ge, False
        if getattr(m, "gt", None) is not None:
            lo, lo_open = m.gt, True
        if getattr(m, "le", None) is not None:
            hi, hi_open = m.le, False
        if getattr(m, "lt", None) is not None:
            hi, hi_open = m.lt, True
    return lo, hi, lo_open, hi_open


def key_bounds(key: str, kind: type[BaseModel] = Scenario) -> tuple[float | None, float | None, bool, bool]:
    """(low, high, low_open, high_open) of a key's declared range, read from the Field's
    ge/gt/le/lt metadata exactly as `clusterlab default-scenario` prints it (toml_io);
    None where the key declares no bound on that side."""
    return field_bounds(_field(kind, key))


def sample_range(key: str, given=None, kind: type[BaseModel] = Scenario) -> tuple[float, float]:
    """The [low, high] a sampled design draws `key` from: `given` (a pair) checked against
    the declared range, else the declared range itself (which must be closed on both sides).
    ScenarioError naming the key otherwise."""
    typ = key_type(key, kind)
    if typ not in (int, float):
        raise ScenarioError(f"key '{key}': a sampled design needs a number, but the key holds "
                            f"{getattr(typ, '__name__', typ)}; use method = \"grid\" or \"points\"")
    lo, hi, lo_open, hi_open = key_bounds(key, kind)
    declared = (f"{'>' if lo_open else '>='} {lo}" if lo is not None else "no lower bound",
                f"{'<' if hi_open else '<='} {hi}" if hi is not None else "no upper bound")
    if given is None or (isinstance(given, (list, tuple)) and len(given) == 0):
        if lo is None or hi is None or lo_open or hi_open:
            raise ScenarioError(f"key '{key}': its declared range ({', '.join(declared)}) is not closed; "
                                f"give [low, high]")
        return float(lo), float(hi)
    if (not isinstance(given, (list, tuple)) or len(given) != 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in given)):
        raise ScenarioError(f"key '{key}': expected [low, high] (two finite numbers) or {{}} for the "
                            f"declared range, got {given!r}")
    a, b = float(given[0]), float(given[1])
    if not a < b:
        raise ScenarioError(f"key '{key}': expected low < high, got [{a:g}, {b:g}]")
    below = lo is not None and (a < lo or (lo_open and a <= lo))
    above = hi is not None and (b > hi or (hi_open and b >= hi))
    if below or above:
        raise ScenarioError(f"key '{key}': range [{a:g}, {b:g}] is outside the key's declared range "
                            f"({', '.join(declared)})")
    return a, b


def problem(bounds: dict[str, tuple[float, float]]) -> dict:
    """The SALib problem dict: {"num_vars": D, "names": [keys], "bounds": [[low, high], ...]}."""
    return {"num_vars": len(bounds), "names": list(bounds),
            "bounds": [[float(lo), float(hi)] for lo, hi in bounds.values()]}


def _round_ints(df: pd.DataFrame, kind: type[BaseModel] | None) -> pd.DataFrame:
    if kind is None:
        return df
    for key in df.columns:
        typ = key_type(key, kind)
        if typ is bool or typ is str:
            raise ScenarioError(f"key '{key}': a sampled design cannot vary a {typ.__name__} key; "
                                f"use method = \"grid\" or \"points\"")
        if typ is int:
            df[key] = np.rint(df[key].to_numpy()).astype(np.int64)
    return df


def grid(values: dict[str, list]) -> pd.DataFrame:
    """The full factorial of `values` (key -> list of values): every combination, the first
    key varying slowest. Values are taken as given (any valid value: numbers, bools, text)."""
    for key, vals in values.items():
        if not isinstance(vals, (list, tuple)) or not vals:
            raise ScenarioError(f"key '{key}': a grid needs a non-empty list of values, got {vals!r}")
        seen = [v for i, v in enumerate(vals) if any(type(w) is type(v) and w == v for w in vals[:i])]
        if seen:
            raise ScenarioError(f"key '{key}': the value {seen[0]!r} is listed twice")
    rows = list(itertools.product(*values.values()))
    return pd.DataFrame(rows, columns=list(values)).astype(object).infer_objects()


def points(rows: list[dict]) -> pd.DataFrame:
    """The given points, one row each; every point must set the same keys."""
    if not rows:
        raise ScenarioError("key 'design.points': expected a non-empty list of tables")
    keys = list(rows[0])
    for i, row in enumerate(rows):
        if not isinstance(row, dict) or not row:
            raise ScenarioError(f"key 'design.points.{i}': expected a table of dotted keys, got {row!r}")
        if set(row) != set(keys):
            odd = sorted(set(row) ^ set(keys))[0]
            raise ScenarioError(f"key 'design.points.{i}': every point must set the same keys "
                                f"({', '.join(keys)}); this one differs in '{odd}'")
    return pd.DataFrame([[row[k] for k in keys] for row in rows], columns=keys).astype(object).infer_objects()


def lhs(bounds: dict[str, tuple[float, float]], n: int, seed: int,
        kind: type[BaseModel] | None = Scenario) -> pd.DataFrame:
    """A Latin hypercube of `n` points over `bounds` (scipy.stats.qmc.LatinHypercube; McKay,
    Beckman & Conover 1979): each key's range is cut into n equal strata and every stratum
    holds exactly one point, placed uniformly inside it; strata are paired at random
    across keys. Int keys are rounded (see the module)."""
    from scipy.stats import qmc

    if n < 1:
        raise ScenarioError(f"key 'design.samples': expected at least 1, got {n}")
    unit = qmc.LatinHypercube(d=len(bounds), seed=np.random.default_rng(seed)).random(n)
    lo = np.array([b[0] for b in bounds.values()], float)
    hi = np.array([b[1] for b in bounds.values()], float)
    df = pd.DataFrame(lo + unit * (hi - lo), columns=list(bounds))
    return _round_ints(df, kind)


def sobol(prob: dict, n: int, seed: int, kind: type[BaseModel] | None = Scenario) -> pd.DataFrame:
    """Saltelli's sample for first- and total-order Sobol indices (SALib.sample.sobol with
    calc_second_order=False, scrambled): n * (D + 2) points in SALib's order, which
    SALib.analyze.sobol needs unchanged. Warns (ClusterlabWarning) when n is not a power of
    2 (the Sobol sequence loses its balance) or below 64 (indices rarely stable)."""
    from SALib.sample import sobol as saltelli

    if n < 1:
        raise ScenarioError(f"key 'design.samples': expected at least 1, got {n}")
    if n & (n - 1):
        warnings.warn(f"sobol design: samples = {n} is not a power of 2; the Sobol sequence is "
                      f"balanced only for powers of 2 (e.g. {1 << n.bit_length()})", ClusterlabWarning, stacklevel=2)
    if n < SOBOL_MIN:
        warnings.warn(f"sobol design: samples = {n} is small; Sobol indices are rarely stable "
                      f"below {SOBOL_MIN} (look at their confidence intervals)", ClusterlabWarning, stacklevel=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # said above, once, in our words
        x = saltelli.sample(prob, n, calc_second_order=False, scramble=True, seed=seed)
    return _round_ints(pd.DataFrame(x, columns=prob["names"]), kind)


def morris(prob: dict, n: int, levels: int, seed: int, kind: type[BaseModel] | None = Scenario) -> pd.DataFrame:
    """`n` Morris trajectories (SALib.sample.morris; Morris 1991, Campolongo et al. 2007):
    n * (D + 1) points on a grid of `levels` levels per key, each step of a trajectory moving
    one key. Warns (ClusterlabWarning) when n is below 10 trajectories."""
    from SALib.sample import morris as morris_sample

    if n < 1:
        raise ScenarioError(f"key 'design.samples': expected at least 1, got {n}")
    if levels < 2 or levels % 2:
        raise ScenarioError(f"key 'design.levels': expected an even number >= 2, got {levels}")
    if n < 10:
        warnings.warn(f"morris design: samples = {n} trajectories is small; mu* and sigma are rarely "
                      f"stable below 10", ClusterlabWarning, stacklevel=2)
    x = morris_sample.sample(prob, n, num_levels=levels, seed=seed)
    return _round_ints(pd.DataFrame(x, columns=prob["names"]), kind)


__all__ = ["grid", "points", "lhs", "sobol", "morris", "problem", "key_bounds", "key_type", "sample_range"]

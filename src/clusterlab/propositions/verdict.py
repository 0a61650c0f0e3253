"""The tests of the proposition suite and their verdicts: per-run values in, one row per test out.

Kinds (see suite.toml):
- paired: arm vs control matched by replication (common random numbers), paired t-test
  (`experiments.stats.paired`); effect = mean difference, relative = effect / |control mean|;
- correlation: one value per run (a within-run correlation across firms); one-sample t-test
  of its mean against 0 (scipy.stats.ttest_1samp); relative not applicable;
- inverted_u: per replication a quadratic fit y = c0 + c1 x + c2 x^2 over the design levels;
  one-sample t-test of c2 (predicted < 0); the quadratic fitted to the level means must
  peak strictly inside the range; relative = the smaller fall from the peak to either end,
  over the peak;
- interaction: per replication (a - b) - (c - d); one-sample t-test against 0; relative =
  effect / |mean(c - d)|.

A test is supported when p < alpha, the effect has the predicted sign and |relative| >=
min_relative (when given). Holm (1979) adjusted p-values over the suite's primary tests are
reported beside the raw ones. The verdict of a proposition: "supported" when every primary
test is; "not supported" otherwise; "not run" when its design could not be run.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats as st

from ..experiments.stats import describe, paired

COLUMNS = ["test", "kind", "outcome", "comparison", "direction", "n", "mean_control", "mean_arm",
           "effect", "ci_low", "ci_high", "relative", "min_relative", "p", "supported", "primary", "note"]


def _wide(df: pd.DataFrame, outcome: str) -> pd.DataFrame:
    if outcome not in df.columns:
        return pd.DataFrame()
    return df.pivot_table(index="replication", columns="arm", values=outcome, aggfunc="first", dropna=False)


def _one_sample(x: np.ndarray) -> tuple[dict, float]:
    x = np.asarray(x, float)
    x = x[~np.isnan(x)]
    d = describe(x)
    if x.size < 2:
        return d, math.nan
    if np.all(x == x[0]):
        return d, 0.0 if x[0] != 0 else 1.0
    return d, float(st.ttest_1samp(x, 0.0).pvalue)


def evaluate(test: dict, df: pd.DataFrame, alpha: float, levels: dict | None = None) -> dict:
    """One test on `df` (one row per run: arm, replication, outcome columns). `levels` maps a
    design arm ("p0", ...) to its key value (inverted_u)."""
    kind = test["kind"]
    out = dict.fromkeys(COLUMNS, math.nan)
    direction = int(test.get("direction", 1))
    min_rel = test.get("min_relative")
    out.update(kind=kind, outcome=test["outcome"], direction=direction, primary=bool(test.get("primary", True)),
               min_relative=math.nan if min_rel is None else float(min_rel), note="", supported=False)
    wide = _wide(df, test["outcome"])
    if kind == "paired":
        arm, ctl = test["arm"], test["control"]
        out["comparison"] = f"{arm} vs {ctl}"
        if wide.empty or arm not in wide or ctl not in wide:
            out["note"] = "no values"
            return out
        r = paired(wide[ctl].to_numpy(float), wide[arm].to_numpy(float))
        out.update(n=r["n"], mean_control=r["mean_a"], mean_arm=r["mean_b"], effect=r["mean_diff"],
                   ci_low=r["ci_low"], ci_high=r["ci_high"], p=r["p_t"], note=r["note"])
        if r["mean_a"] and not math.isnan(r["mean_a"]):
            out["relative"] = r["mean_diff"] / abs(r["mean_a"])
    elif kind == "correlation":
        arm = test.get("arm")
        out["comparison"] = f"mean of the per-run values{' in ' + arm if arm else ''} vs 0"
        if test["outcome"] not in df.columns:
            out["note"] = "no values"
            return out
        x = df.loc[df["arm"] == arm, test["outcome"]] if arm else df[test["outcome"]]
        d, p = _one_sample(x.to_numpy(float))
        out.update(n=d["n"], mean_arm=d["mean"], effect=d["mean"], ci_low=d["ci_low"], ci_high=d["ci_high"], p=p)
        if d["n_missing"]:
            out["note"] = f"{d['n_missing']} runs without a value"
    elif kind == "inverted_u":
        out["comparison"] = f"quadratic term over {test.get('key', 'levels')}"
        if wide.empty or not levels:
            out["note"] = "no values"
            return out
        arms = sorted((a for a in wide.columns if a in levels), key=lambda a: levels[a])
        x = np.array([levels[a] for a in arms], float)
        y = wide[arms].to_numpy(float)
        ok = ~np.isnan(y).any(axis=1)
        c2 = np.array([np.polyfit(x, row, 2)[0] for row in y[ok]]) if ok.sum() else np.array([])
        d, p = _one_sample(c2)
        out.update(n=d["n"], effect=d["mean"], ci_low=d["ci_low"], ci_high=d["ci_high"], p=p)
        if ok.sum():
            c = np.polyfit(x, y[ok].mean(axis=0), 2)
            f = np.poly1d(c)
            peak_x = -c[1] / (2 * c[0]) if c[0] != 0 else math.nan
            interior = c[0] < 0 and x.min() < peak_x < x.max()
            if interior and f(peak_x):
                out["relative"] = min(f(peak_x) - f(x.min()), f(peak_x) - f(x.max())) / abs(f(peak_x))
            else:
                out["relative"] = 0.0
            out["mean_arm"] = float(peak_x)
            out["note"] = (f"peak of the fitted mean curve at {peak_x:.3g}" if interior
                           else "no interior peak of the fitted mean curve")
            out["mean_control"] = float(y[ok].mean())
    elif kind == "interaction":
        a, b, c, d_ = test["a"], test["b"], test["c"], test["d"]
        out["comparison"] = f"({a} - {b}) - ({c} - {d_})"
        if wide.empty or any(k not in wide for k in (a, b, c, d_)):
            out["note"] = "no values"
            return out
        low = (wide[c] - wide[d_]).to_numpy(float)
        high = (wide[a] - wide[b]).to_numpy(float)
        dd, p = _one_sample(high - low)
        out.update(n=dd["n"], mean_control=float(np.nanmean(low)), mean_arm=float(np.nanmean(high)),
                   effect=dd["mean"], ci_low=dd["ci_low"], ci_high=dd["ci_high"], p=p)
        if np.nanmean(low):
            out["relative"] = dd["mean"] / abs(np.nanmean(low))
    else:
        raise ValueError(f"unknown test kind {kind!r}")
    out["supported"] = supported(out, alpha)
    return out


def supported(row: dict, alpha: float) -> bool:
    """p < alpha, the predicted sign, and the relative effect when one is required."""
    eff, p = row["effect"], row["p"]
    if eff is None or p is None or math.isnan(eff) or math.isnan(p):
        return False
    if p >= alpha or np.sign(eff) != np.sign(row["direction"]):
        return False
    mr = row.get("min_relative")
    if mr is not None and not math.isnan(mr):
        rel = row.get("relative")
        if rel is None or math.isnan(rel) or abs(rel) < mr:
            return False
        if row["kind"] != "inverted_u" and np.sign(rel) != np.sign(row["direction"]):
            return False
    return True


def verdict(rows: list[dict]) -> str:
    prim = [r for r in rows if r["primary"]]
    if not prim:
        return "not run"
    return "supported" if all(r["supported"] for r in prim) else "not supported"


__all__ = ["evaluate", "supported", "verdict", "COLUMNS"]

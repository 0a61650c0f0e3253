"""Statistics of replicated comparisons: values in, dicts and DataFrames out.

Arms run with common random numbers (CRN): replication r of every arm uses seed r, so
outcome a[r] of the control and b[r] of an arm are a pair and their difference cancels the
noise they share (Law 2015, *Simulation Modeling and Analysis*, 5th ed., sec. 11.2).

Formulas, for n finite values x (NaN values are dropped and counted as ``n_missing``):

- mean, sd with ddof=1, se = sd / sqrt(n), CI = mean +- t_{(1+level)/2, n-1} se
  (Student 1908). n = 1 gives a NaN sd, se and CI; n = 0 NaN everything.
- paired, d = b - a: the same on d; Cohen's d_z = mean(d) / sd(d) (Cohen 1988) and Hedges'
  small-sample correction g_z = d_z (1 - 3 / (4 (n-1) - 1)); paired t-test p-value
  (scipy.stats.ttest_rel); Wilcoxon signed-rank p-value (Wilcoxon 1945; scipy's default
  zero_method="wilcox": zero differences are dropped before ranking).
- unpaired (Welch 1947), on the same pairs taken as independent samples:
  se = sqrt(var(a)/n + var(b)/n), df = se^4 / ((var(a)/n)^2/(n-1) + (var(b)/n)^2/(n-1)).
- variance_reduction = var(b - a) / (var(a) + var(b)): the paired difference's variance over
  the variance the difference would have without CRN (independent a, b). Below 1, CRN
  narrowed the CI by a factor sqrt(variance_reduction).
- Holm (1979) step-down adjustment for the comparisons of one table.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["describe", "paired", "adjust", "compare_arms", "summary_by_arm", "band"]


def _check_level(level: float) -> float:
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level}")
    return float(level)


def _tcrit(level: float, dof):
    """Two-sided t quantile; NaN where dof < 1."""
    dof = np.asarray(dof, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(dof >= 1, stats.t.ppf((1 + level) / 2, np.maximum(dof, 1)), np.nan)


def describe(values, level: float = 0.95) -> dict:
    """n, n_missing, mean, sd (ddof=1), se and the t-based CI of the mean of ``values``.

    NaN values are dropped and counted as ``n_missing``. n = 1: sd, se, CI are NaN; n = 0:
    everything but the counts is NaN."""
    level = _check_level(level)
    x = np.asarray(values, dtype=float).ravel()
    ok = ~np.isnan(x)
    x = x[ok]
    n = x.size
    mean = float(x.mean()) if n else np.nan
    sd = float(x.std(ddof=1)) if n > 1 else np.nan
    se = sd / np.sqrt(n) if n > 1 else np.nan
    half = float(_tcrit(level, n - 1)) * se
    return {"n": n, "n_missing": int((~ok).sum()), "mean": mean, "sd": sd, "se": float(se),
            "ci_low": float(mean - half), "ci_high": float(mean + half), "level": level}


def paired(a, b, level: float = 0.95) -> dict:
    """Paired comparison of b against a, where a[i] and b[i] share seed i (CRN).

    Pairs with a NaN on either side are dropped and counted as ``n_missing``. Returns n,
    mean_a, mean_b, mean_diff (b - a), sd_diff, se_diff, ci_low/ci_high of the mean
    difference, d_z and g_z (NaN when sd_diff is 0), p_t (paired t), p_wilcoxon, the Welch
    CI of the same pairs taken as unpaired (unpaired_ci_low/high), variance_reduction and a
    note. All differences zero: p_t = p_wilcoxon = 1 and a note saying so."""
    level = _check_level(level)
    a = np.asarray(a, dtype=float).ravel()
    b = np.asarray(b, dtype=float).ravel()
    if a.shape != b.shape:
        raise ValueError(f"a and b differ in length: {a.size} and {b.size}")
    ok = ~(np.isnan(a) | np.isnan(b))
    a, b = a[ok], b[ok]
    d = b - a
    n = d.size
    dd = describe(d, level)
    out = {"n": n, "n_missing": int((~ok).sum()),
           "mean_a": float(a.mean()) if n else np.nan, "mean_b": float(b.mean()) if n else np.nan,
           "mean_diff": dd["mean"], "sd_diff": dd["sd"], "se_diff": dd["se"],
           "ci_low": dd["ci_low"], "ci_high": dd["ci_high"],
           "d_z": np.nan, "g_z": np.nan, "p_t": np.nan, "p_wilcoxon": np.nan,
           "unpaired_ci_low": np.nan, "unpaired_ci_high": np.nan,
           "variance_reduction": np.nan, "note": ""}
    if n < 2:
        out["note"] = "fewer than 2 pairs"
        return out
    if np.all(d == 0):
        out.update(p_t=1.0, p_wilcoxon=1.0, note="all differences are zero")
    else:
        if dd["sd"] > 0:
            out["d_z"] = dd["mean"] / dd["sd"]
            out["g_z"] = out["d_z"] * (1 - 3 / (4 * (n - 1) - 1)) if n > 2 else np.nan
            out["p_t"] = float(stats.ttest_rel(b, a).pvalue)
        else:  # every difference the same non-zero value: certain sign, no spread
            out["p_t"] = 0.0
            out["note"] = "all differences are equal"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # scipy warns on ties / zeros with small n
            out["p_wilcoxon"] = float(stats.wilcoxon(d, zero_method="wilcox").pvalue)
    va, vb = a.var(ddof=1), b.var(ddof=1)
    se_u = np.sqrt(va / n + vb / n)
    if se_u > 0:
        dof = se_u**4 / ((va / n) ** 2 / (n - 1) + (vb / n) ** 2 / (n - 1))
        half = float(_tcrit(level, dof)) * se_u
        out["unpaired_ci_low"], out["unpaired_ci_high"] = float(dd["mean"] - half), float(dd["mean"] + half)
        out["variance_reduction"] = float(d.var(ddof=1) / (va + vb))
    return out


def adjust(pvalues, method: str = "holm") -> np.ndarray:
    """Adjusted p-values: "holm" (Holm 1979, step-down), "bonferroni" or "none".

    Holm: sort the m p-values ascending, p'_(i) = max_{j<=i} min(1, (m - j + 1) p_(j)).
    NaN p-values stay NaN and are not counted in m."""
    p = np.asarray(pvalues, dtype=float).ravel()
    out = p.copy()
    ok = ~np.isnan(p)
    q = p[ok]
    m = q.size
    if method == "none":
        return out
    if method == "bonferroni":
        out[ok] = np.minimum(1.0, q * m)
    elif method == "holm":
        order = np.argsort(q, kind="stable")
        steps = np.minimum(1.0, np.maximum.accumulate(q[order] * (m - np.arange(m))))
        adj = np.empty(m)
        adj[order] = steps
        out[ok] = adj
    else:
        raise ValueError(f"unknown method {method!r}: use 'holm', 'bonferroni' or 'none'")
    return out


def compare_arms(df: pd.DataFrame, outcome: str, *, control, arm: str = "arm",
                 replication: str = "replication", level: float = 0.95) -> pd.DataFrame:
    """One row per non-control arm against ``control``: the columns of :func:`paired`,
    n_unmatched, and p_t_holm / p_wilcoxon_holm adjusted over the rows of the table.

    Pairs are matched on ``replication``. A replication with a value (not NaN) in only one
    of the two arms (a failed run in the other) is dropped and counted in n_unmatched."""
    if df.duplicated([arm, replication]).any():
        raise ValueError(f"more than one row per ({arm}, {replication})")
    wide = df.pivot(index=replication, columns=arm, values=outcome)
    if control not in wide.columns:
        raise ValueError(f"control arm {control!r} not in column {arm!r}")
    rows = []
    for name in [c for c in wide.columns if c != control]:
        a, b = wide[control].to_numpy(float), wide[name].to_numpy(float)
        has_a, has_b = ~np.isnan(a), ~np.isnan(b)
        both = has_a & has_b
        r = paired(a[both], b[both], level)
        del r["n_missing"]
        rows.append({"arm": name, "control": control, **r, "n_unmatched": int((has_a ^ has_b).sum())})
    cols = ["arm", "control", *[k for k in paired([], [], level) if k != "n_missing"], "n_unmatched"]
    out = pd.DataFrame(rows, columns=cols)
    out["p_t_holm"] = adjust(out["p_t"])
    out["p_wilcoxon_holm"] = adjust(out["p_wilcoxon"])
    return out


def _grouped(df: pd.DataFrame, value: str, by: list[str], level: float) -> pd.DataFrame:
    level = _check_level(level)
    g = df.groupby(by, sort=True, dropna=False)[value].agg(["size", "count", "mean", "std"])
    n = g["count"].to_numpy()
    se = g["std"].to_numpy() / np.sqrt(np.where(n > 0, n, np.nan))
    half = _tcrit(level, n - 1) * se
    return pd.DataFrame({"n": n, "n_missing": g["size"].to_numpy() - n, "mean": g["mean"],
                         "sd": g["std"], "se": se, "ci_low": g["mean"] - half,
                         "ci_high": g["mean"] + half, "level": level}, index=g.index)


def summary_by_arm(df: pd.DataFrame, outcome: str, arm: str = "arm", level: float = 0.95) -> pd.DataFrame:
    """:func:`describe` of ``outcome`` per arm, one row each, indexed by arm."""
    return _grouped(df, outcome, [arm], level)


def band(df: pd.DataFrame, value: str, by=("arm", "step"), level: float = 0.95) -> pd.DataFrame:
    """Mean and t CI of ``value`` per group of ``by`` (time-series bands), as in
    :func:`describe`, computed with one groupby; indexed by ``by``."""
    return _grouped(df, value, list(by), level)

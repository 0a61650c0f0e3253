"""Recovery after a shock as the area between the pre-shock trend and the actual path.

A time to recover ("steps until the indicator is back at its pre-shock level") is censored:
a run that has not recovered by its end has no value, and comparing clusters then needs
survival methods. The resilience literature measures the cumulative loss against the
counterfactual path instead (Martin 2012; Fingleton, Garretsen & Martin 2012, who project
the pre-shock trend): here the counterfactual is the linear trend of the indicator over
the ``pre_years`` before the shift, extended over the ``post_years`` after it, and

    recovery = (1 / T) * integral_{s}^{s + T} (y(t) - trend(t)) dt        (per year)

with t in years, s the shift and T the post window actually observed (the window is cut
at the end of the run, never extended). Positive: above the pre-shock trend (the cluster
did better than before the shift); negative: below it, by that many units of the
indicator on average over the window. It is defined for every run (never censored) and
does not saturate: a deeper or longer dip gives a more negative value. Steps whose value is
missing (NaN: steps a kept-steps run did not compute) are skipped; the integral is the
trapezoid rule over the remaining steps.

`knowledge_in_domains` is the share of the firms' knowledge held in given domains, from
a state (for the tests of external trajectories; snapshots hold totals only).

Martin, R. (2012) Regional economic resilience, hysteresis and recessionary shocks.
*J. Econ. Geogr.* 12, 1-32. Fingleton, B., Garretsen, H. & Martin, R. (2012) Recessionary
shocks and regional employment. *J. Regional Sci.* 52, 109-133. Hassink, R. (2010) Regional
resilience: a promising concept to explain differences in regional economic adaptability?
*Cambridge J. Regions Econ. Soc.* 3, 45-58.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ._graph import MeasureError

__all__ = ["knowledge_in_domains", "recovery", "trend_gap"]


def _steps_per_year(ts: pd.DataFrame) -> float:
    s = ts.loc[ts["year"] > 0]
    if not len(s):
        raise MeasureError("the time series needs a row after step 0 to know the steps per year")
    return float(s["step"].iat[0] / s["year"].iat[0])


def trend_gap(timeseries, shift_step: int, column: str, pre_years: float = 2.0,
              post_years: float = 5.0) -> pd.DataFrame:
    """The path behind `recovery`: rows (step, year, value, trend, gap = value - trend) over
    the post window, the trend fitted by least squares on the pre window (at least two
    values; with exactly one value before the shift, or none varying, a flat line)."""
    ts = getattr(timeseries, "timeseries", timeseries)
    for col in ("step", "year", column):
        if col not in ts.columns:
            raise MeasureError(f"the time series has no column {col!r}")
    if pre_years <= 0 or post_years <= 0:
        raise MeasureError("pre_years and post_years must be positive")
    spy = _steps_per_year(ts)
    step = ts["step"].to_numpy(np.float64)
    y = ts[column].to_numpy(np.float64)
    ok = np.isfinite(y)
    pre = ok & (step < shift_step) & (step >= shift_step - pre_years * spy)
    if not pre.any():
        raise MeasureError(f"no value of {column!r} in the {pre_years:g} years before step {shift_step}")
    x = step[pre] / spy
    if pre.sum() >= 2 and np.ptp(x) > 0:
        slope, icpt = np.polyfit(x, y[pre], 1)
    else:
        slope, icpt = 0.0, float(y[pre].mean())
    post = ok & (step >= shift_step) & (step <= shift_step + post_years * spy)
    yr = step[post] / spy
    trend = icpt + slope * yr
    return pd.DataFrame({"step": step[post].astype(np.int64), "year": yr, "value": y[post],
                         "trend": trend, "gap": y[post] - trend})


def recovery(timeseries, shift_step: int, column: str = "knowledge_mean", pre_years: float = 2.0,
             post_years: float = 5.0) -> float:
    """Mean gap per year between the actual path of `column` after `shift_step` and its
    linear trend over the `pre_years` before, over the `post_years` after (cut at the end
    of the run): module docstring. `timeseries`: a Results or its time-series DataFrame
    (columns step, year and `column`). NaN when fewer than two values follow the shift."""
    path = trend_gap(timeseries, shift_step, column, pre_years, post_years)
    if len(path) < 2:
        return math.nan
    yr, gap = path["year"].to_numpy(), path["gap"].to_numpy()
    span = yr[-1] - yr[0]
    if span <= 0:
        return math.nan
    area = float(np.sum((gap[1:] + gap[:-1]) * np.diff(yr)) / 2.0)
    return area / span


def knowledge_in_domains(actors, domains, firms_only: bool = True) -> float:
    """Share of the (alive) firms' knowledge, tacit and explicit, held in `domains` (indices)
    now, from a Sim's `actors` (or a Sim); 0 when they hold none."""
    a = getattr(actors, "actors", actors)
    from ..state import SME

    sel = a.alive & (a.kind <= SME) if firms_only else a.alive
    K = (a.T[sel].astype(np.float64) + a.E[sel])
    total = K.sum()
    if total <= 0:
        return 0.0
    return float(K[:, np.asarray(domains, np.int64)].sum() / total)

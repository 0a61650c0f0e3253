"""clusterlab.measures.recovery: the area between the pre-shift trend and the path, per year,
on series with known answers; never censored, never saturated, NaN steps skipped."""

import math

import numpy as np
import pandas as pd
import pytest

from clusterlab.measures import MeasureError, knowledge_in_domains, recovery, trend_gap


def series(values, spy=12):
    values = np.asarray(values, float)
    step = np.arange(len(values))
    return pd.DataFrame({"step": step, "year": step / spy, "y": values})


def path(shift=24, n=120, drop=0.0, slope=0.1, spy=12, recover_rate=0.0):
    """A line of `slope` per year that drops by `drop` at `shift`; the drop shrinks by
    `recover_rate` per year afterwards (0: never recovers)."""
    t = np.arange(n) / spy
    y = 1.0 + slope * t
    after = np.arange(n) >= shift
    y[after] -= drop * np.exp(-recover_rate * (t[after] - shift / spy))
    return series(y, spy)


def test_on_trend_is_zero_and_a_level_drop_is_minus_the_drop():
    assert recovery(path(drop=0.0), 24, "y") == pytest.approx(0.0, abs=1e-12)
    assert recovery(path(drop=0.3), 24, "y") == pytest.approx(-0.3)
    assert recovery(path(drop=-0.2), 24, "y") == pytest.approx(0.2)  # above trend: positive


def test_never_censored_and_never_saturated():
    """A path that never comes back still has a value, and deeper or slower dips give
    strictly lower values (time to recover would be missing for all of them)."""
    values = [recovery(path(drop=d, recover_rate=r), 24, "y") for d, r in
              [(0.1, 2.0), (0.1, 0.5), (0.1, 0.0), (0.5, 0.0), (2.0, 0.0)]]
    assert all(math.isfinite(v) for v in values)
    assert all(a > b for a, b in zip(values, values[1:]))


def test_the_window_is_cut_at_the_end_of_the_run_and_nan_steps_are_skipped():
    short = path(drop=0.3, n=40)  # 16 steps after the shift, not 5 years
    assert recovery(short, 24, "y", post_years=5) == pytest.approx(-0.3)
    gaps = path(drop=0.3)
    gaps.loc[gaps["step"] % 5 != 0, "y"] = np.nan  # a kept-steps run
    assert recovery(gaps, 24, "y") == pytest.approx(-0.3)
    tg = trend_gap(path(drop=0.3), 24, "y", pre_years=2, post_years=1)
    assert list(tg.columns) == ["step", "year", "value", "trend", "gap"]
    assert tg["step"].iat[0] == 24 and tg["step"].iat[-1] == 36
    assert np.allclose(tg["gap"], -0.3)


def test_a_results_object_is_accepted_and_bad_input_refused():
    class R:
        timeseries = path(drop=0.3)

    assert recovery(R(), 24, "y") == pytest.approx(-0.3)
    with pytest.raises(MeasureError, match="no column"):
        recovery(path(), 24, "nope")
    with pytest.raises(MeasureError, match="before step 0"):
        recovery(path(), 0, "y")
    assert math.isnan(recovery(path(n=25), 24, "y"))  # one step after the shift: no area


def test_knowledge_in_domains():
    class A:
        alive = np.array([True, True, False, True])
        kind = np.array([0, 1, 1, 7])
        T = np.array([[1.0, 0, 0], [0, 1.0, 0], [0, 0, 9.0], [0, 0, 5.0]])
        E = np.array([[1.0, 0, 0], [0, 0, 2.0], [0, 0, 9.0], [0, 0, 5.0]])

    assert knowledge_in_domains(A(), [2]) == pytest.approx(2 / 5)
    assert knowledge_in_domains(A(), [0, 1]) == pytest.approx(3 / 5)
    assert knowledge_in_domains(A(), [2], firms_only=False) == pytest.approx(12 / 15)

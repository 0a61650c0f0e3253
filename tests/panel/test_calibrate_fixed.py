"""A lever that runs to its bound is fixed there, and calibrated.toml carries the fixed value
(predict must simulate the model that was calibrated, not the scenario's default)."""

from __future__ import annotations

import math

import numpy as np

from clusterlab.panel.calibrate import Calibration, Lever
from clusterlab.panel.msm import Parameter, Problem, Settings, estimate
from clusterlab.scenario import load_scenario

E = "mechanisms.network_evolution."


def test_a_lever_fixed_at_its_bound_is_written_to_the_scenario_fragment(tmp_path):
    def model(theta, seed):  # geo_created cannot fall to the observed -1: geo_weight runs to 0
        rng = np.random.default_rng(seed)
        g, p = theta
        return np.array([g + 0.3 * rng.standard_normal(), 10 * p + g + 0.5 * rng.standard_normal()])

    levers = [Lever(E + "geo_weight", "geo_created", "log", 0.0, 1000.0), Lever(E + "proposals", "created", "log", 0.0, 100.0)]
    prob = Problem([Parameter(lv.key, 4.0 if "geo" in lv.key else 1.0, lv.lower, lv.upper, lv.transform) for lv in levers],
                   ["geo_created", "created"], [-1.0, 20.0], model)
    res = estimate(prob, Settings(seed=3, n1=30, n3=200, n3_deriv=30, runs=2))
    cal = Calibration(levers=levers, msm=res, years=3.0, steps=36, observed={}, actors={}, proximity_sources={},
                      not_estimated=dict(res.dropped), kept={})
    assert cal.fixed() == {E + "geo_weight": 0.0} and E + "geo_weight" not in cal.estimates()
    cal.write(tmp_path / "cal")
    text = (tmp_path / "cal" / "calibrated.toml").read_text()
    assert "geo_weight ran to its bound and is fixed at 0" in text
    sc = load_scenario(tmp_path / "cal" / "calibrated.toml")
    assert sc.mechanisms.network_evolution.geo_weight == 0.0
    assert math.isclose(sc.mechanisms.network_evolution.proposals, cal.estimates()[E + "proposals"], rel_tol=1e-5)
    assert cal.summary()["estimates"][E + "geo_weight"]["fixed_at_bound"] is True
    # "converged" covers the estimated parameters (RSiena's criteria); the fixed one's
    # statistic is not reproduced (observed -1, simulated about 0), and the verdict says so
    assert "fixed at a bound, its statistic not reproduced: geo_weight (t-ratio" in res.verdict()
    assert cal.summary()["estimates"][E + "geo_weight"]["note"].startswith("ran to its bound 0")
    assert cal.table().set_index("key").loc[E + "proposals", "note"] == ""


def test_an_estimate_without_a_standard_error_says_so():
    """A statistic that does not vary (no ties created at all: geo_created is always 0) leaves
    its parameter without a standard error; the table and convergence.json say what that
    means instead of a bare NaN."""
    def model(theta, seed):
        rng = np.random.default_rng(seed)
        return np.array([0.0, 10 * theta[1] + 0.5 * rng.standard_normal()])

    levers = [Lever(E + "geo_weight", "geo_created", "log", 0.0, 1000.0), Lever(E + "proposals", "created", "log", 0.0, 100.0)]
    prob = Problem([Parameter(lv.key, 4.0 if "geo" in lv.key else 1.0, lv.lower, lv.upper, lv.transform) for lv in levers],
                   ["geo_created", "created"], [0.0, 20.0], model)
    res = estimate(prob, Settings(seed=3, n1=10, n3=40, n3_deriv=10, runs=1, min_t=-1.0))
    cal = Calibration(levers=levers, msm=res, years=3.0, steps=36, observed={}, actors={}, proximity_sources={},
                      not_estimated=dict(res.dropped), kept={})
    k = res.names.index(E + "geo_weight")
    assert res.estimated[k] and not np.isfinite(res.se[k]), (res.estimated, res.se)
    assert cal.table().set_index("key").loc[E + "geo_weight", "note"].startswith("no standard error")

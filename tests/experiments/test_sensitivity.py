"""Sensitivity indices on known-answer functions: Ishigami (Sobol) and an inert parameter (Morris)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from clusterlab import ClusterlabWarning
from clusterlab.experiments.sensitivity import morris_indices, sobol_indices

pytest.importorskip("SALib")
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from SALib.test_functions import Ishigami

ISHIGAMI = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}


def ishigami_exact(a=7.0, b=0.1):
    """Analytic indices (Ishigami and Homma 1990; Sobol' and Levitan 1999)."""
    v1 = 0.5 * (1 + b * np.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * np.pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v


def test_ishigami_exact_values_are_the_published_ones():
    s1, st = ishigami_exact()
    assert s1 == pytest.approx([0.314, 0.442, 0.0], abs=1e-3)
    assert st == pytest.approx([0.558, 0.442, 0.244], abs=1e-3)


def test_sobol_reproduces_ishigami():
    x = sobol_sample.sample(ISHIGAMI, 1024, calc_second_order=False, seed=7)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ClusterlabWarning)  # N = 1024: no small-sample warning
        t, said = sobol_indices(ISHIGAMI, Ishigami.evaluate(x), num_resamples=200, seed=1)
    assert said == [] and list(t["parameter"]) == ["x1", "x2", "x3"] and (t["N"] == 1024).all()
    s1, st = ishigami_exact()
    assert t["S1"].to_numpy() == pytest.approx(s1, abs=0.05)
    assert t["ST"].to_numpy() == pytest.approx(st, abs=0.05)
    assert (t["S1_conf"] > 0).all() and (t["S1_conf"] < 0.1).all()
    assert (t["ST_low"] < st).all() and (st < t["ST_high"]).all()


@pytest.mark.filterwarnings("ignore:.*ranking is not resolved")
def test_sobol_small_sample_warns_and_checks_length():
    x = sobol_sample.sample(ISHIGAMI, 16, calc_second_order=False, seed=7)
    with pytest.warns(ClusterlabWarning, match=r"N = 16 base samples \(< 64\)"):
        t, said = sobol_indices(ISHIGAMI, Ishigami.evaluate(x), num_resamples=50, label="y")
    assert len(t) == 3 and said[0].startswith("y: Sobol")
    assert any("ranking is not resolved" in s for s in said)  # CIs wider than the spread
    with pytest.raises(ValueError, match="N x \\(D \\+ 2\\)"):
        sobol_indices(ISHIGAMI, np.zeros(81))
    y = Ishigami.evaluate(x)
    y[3] = np.nan
    with pytest.raises(ValueError, match="1 of 80 values"):
        sobol_indices(ISHIGAMI, y)


def test_morris_finds_the_inert_parameter():
    problem = {"num_vars": 4, "names": ["a", "b", "inert", "c"], "bounds": [[0, 1], [0, 2], [0, 1], [-1, 1]]}
    x = morris_sample.sample(problem, 20, num_levels=4, seed=3)
    y = 2 * x[:, 0] + x[:, 1] ** 2 + x[:, 0] * x[:, 3]
    with warnings.catch_warnings():
        warnings.simplefilter("error", ClusterlabWarning)
        t, said = morris_indices(problem, x, y, levels=4, num_resamples=100, seed=1)
    t = t.set_index("parameter")
    assert said == [] and (t["r"] == 20).all()
    assert t.loc["inert", "mu_star"] == pytest.approx(0.0, abs=1e-12)
    assert t.loc["inert", "sigma"] == pytest.approx(0.0, abs=1e-12)
    assert min(t.loc[["a", "b", "c"], "mu_star"]) > 0.1
    assert t.loc["a", "sigma"] > 0 and t.loc["b", "sigma"] > 0  # interaction / non-linearity


def test_morris_small_sample_warns_and_checks_shape():
    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1], [0, 1]]}
    x = morris_sample.sample(problem, 4, num_levels=4, seed=3)
    with pytest.warns(ClusterlabWarning, match=r"r = 4 trajectories \(< 10\)"):
        _, said = morris_indices(problem, x, x[:, 0], num_resamples=20)
    assert len(said) == 1
    with pytest.raises(ValueError, match="shape"):
        morris_indices(problem, x[:, :1], x[:, 0])
    with pytest.raises(ValueError, match="names"):
        morris_indices({"num_vars": 3, "names": ["a"]}, x, x[:, 0])

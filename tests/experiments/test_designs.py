"""Designs: grid, LHS, Sobol and Morris give the intended points; ranges come from the keys."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from clusterlab import ClusterlabWarning, ScenarioError
from clusterlab.experiments import designs

TIE = "network.tie_km"
ORGS = "population.cluster_orgs"
SHARE = "population.focal_share"


def test_grid_is_the_full_factorial_in_key_order():
    df = designs.grid({TIE: [2.0, 6.0, 9.0], ORGS: [0, 1], "mechanisms.trust.enabled": [True, False]})
    assert list(df.columns) == [TIE, ORGS, "mechanisms.trust.enabled"]
    assert len(df) == 12
    assert set(map(tuple, df.to_numpy().tolist())) == {(t, o, e) for t in (2.0, 6.0, 9.0) for o in (0, 1)
                                                       for e in (True, False)}
    assert df[TIE].tolist()[:4] == [2.0] * 4  # the first key varies slowest


def test_grid_refuses_a_repeated_or_empty_list():
    with pytest.raises(ScenarioError, match=f"key '{TIE}': the value 2 is listed twice"):
        designs.grid({TIE: [2, 3, 2]})
    with pytest.raises(ScenarioError, match="non-empty list"):
        designs.grid({TIE: []})


def test_lhs_has_one_point_per_stratum_per_key_and_stays_in_bounds():
    n = 20
    bounds = {TIE: (1.0, 21.0), SHARE: (0.0, 0.5)}
    df = designs.lhs(bounds, n, seed=3)
    assert df.shape == (n, 2)
    for key, (lo, hi) in bounds.items():
        x = df[key].to_numpy()
        assert ((x >= lo) & (x <= hi)).all()
        strata = np.floor((x - lo) / (hi - lo) * n).astype(int)
        assert sorted(strata) == list(range(n))  # each stratum exactly once


def test_lhs_rounds_integer_keys_and_refuses_bool_keys():
    df = designs.lhs({ORGS: (0.0, 5.0)}, 30, seed=1)
    assert df[ORGS].dtype.kind == "i" and df[ORGS].between(0, 5).all()
    with pytest.raises(ScenarioError, match="mechanisms.trust.enabled"):
        designs.lhs({"mechanisms.trust.enabled": (0.0, 1.0)}, 4, seed=1)


def test_same_seed_same_points_other_seed_other_points():
    bounds = {TIE: (1.0, 20.0), SHARE: (0.0, 0.5)}
    prob = designs.problem(bounds)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ClusterlabWarning)
        for make in (lambda s: designs.lhs(bounds, 16, s), lambda s: designs.sobol(prob, 16, s),
                     lambda s: designs.morris(prob, 4, 4, s)):
            assert make(7).equals(make(7))
            assert not make(7).equals(make(8))


def test_sobol_has_n_times_d_plus_2_rows_and_salib_analyses_it():
    from SALib.analyze import sobol as analyze

    bounds = {TIE: (1.0, 20.0), SHARE: (0.0, 0.5), "network.trust_local": (0.0, 1.0)}
    prob = designs.problem(bounds)
    n = 64
    df = designs.sobol(prob, n, seed=2)
    assert df.shape == (n * (3 + 2), 3)
    for key, (lo, hi) in bounds.items():
        assert df[key].between(lo, hi).all()
    x = df.to_numpy()
    y = 3 * (x[:, 0] - 1) / 19 + 0.1 * x[:, 1]  # only the first key matters much
    si = analyze.analyze(prob, y, calc_second_order=False, seed=1)
    assert si["ST"][0] > 0.9 and si["ST"][2] < 0.01


def test_sobol_warns_when_n_is_not_a_power_of_two_or_small():
    prob = designs.problem({TIE: (1.0, 20.0)})
    with pytest.warns(ClusterlabWarning, match="not a power of 2"):
        designs.sobol(prob, 96, seed=1)
    with pytest.warns(ClusterlabWarning, match="small"):
        designs.sobol(prob, 16, seed=1)


def test_morris_has_n_times_d_plus_1_rows_on_the_level_grid():
    bounds = {TIE: (2.0, 8.0), SHARE: (0.0, 0.3)}
    prob = designs.problem(bounds)
    n, levels = 10, 4
    df = designs.morris(prob, n, levels, seed=5)
    assert df.shape == (n * (2 + 1), 2)
    for key, (lo, hi) in bounds.items():
        grid = lo + (hi - lo) * np.arange(levels) / (levels - 1)
        assert np.isclose(df[key].to_numpy()[:, None], grid[None, :]).any(axis=1).all()
    # each step of a trajectory moves exactly one key
    x = df.to_numpy().reshape(n, 3, 2)
    moved = (~np.isclose(np.diff(x, axis=1), 0)).sum(axis=2)
    assert (moved == 1).all()


def test_ranges_default_to_declared_bounds_and_are_checked():
    assert designs.sample_range(SHARE) == (0.0, 1.0)
    assert designs.sample_range(ORGS) == (0.0, 1000.0)
    assert designs.sample_range(TIE, [1, 20]) == (1.0, 20.0)
    with pytest.raises(ScenarioError, match=r"key 'network.tie_km': range \[0, 5\] is outside the key's declared range \(>= 0.01"):
        designs.sample_range(TIE, [0, 5])
    with pytest.raises(ScenarioError, match="not closed"):  # declared > 0, < 1
        designs.sample_range("network.strength_horizontal")
    with pytest.raises(ScenarioError, match=r"key 'network.strength_horizontal': range \[0, 0.5\] is outside"):
        designs.sample_range("network.strength_horizontal", [0, 0.5])
    assert designs.sample_range("network.strength_horizontal", [0.1, 0.5]) == (0.1, 0.5)
    with pytest.raises(ScenarioError, match=r"unknown key \(did you mean 'network.tie_km'\?\)"):
        designs.sample_range("network.tie_kmm")
    with pytest.raises(ScenarioError, match="holds str"):
        designs.sample_range("name")


def test_declared_bounds_are_the_ones_default_scenario_prints():
    from clusterlab import default_scenario

    text = default_scenario().to_toml()
    lo, hi, _, _ = designs.key_bounds(TIE)
    assert f"(>= {lo}, <= {hi})" in text

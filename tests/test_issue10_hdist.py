"""Issue 10 round 2, P5 (distances): the levers population.culture_groups and
population.subsidiary_share change only what they are about (common random numbers for
the paired comparisons of P5), and the direction of their effects on a small cluster."""

from __future__ import annotations

import numpy as np
import pytest

import clusterlab as cl
from clusterlab.state import EXTERNAL, PIPELINE

SEEDS = (1, 2, 3)
SAME = ("kind", "stage", "x", "y", "size", "rd", "openness", "sharing", "reciprocity", "T", "E")


def _sc(**kw) -> cl.Scenario:
    base = {"steps": 120, "population.firms": 80, "population.externals": 20, "output.figures": False}
    base.update(kw)
    return cl.default_scenario().set(**base)


def _init(**kw) -> cl.Sim:
    return cl.Sim(_sc(**kw)).init()


@pytest.mark.parametrize("seed", SEEDS)
def test_culture_groups_move_no_other_draw(seed):
    one, six = _init(seed=seed, **{"population.culture_groups": 1}), _init(seed=seed, **{"population.culture_groups": 6})
    for name in SAME + ("group",):
        assert np.array_equal(getattr(one.actors, name), getattr(six.actors, name)), name
    for name in ("a", "b", "layer", "w", "dist", "born"):
        assert np.array_equal(getattr(one.ties, name), getattr(six.ties, name)), name
    local = one.actors.kind != EXTERNAL
    assert (one.actors.culture[local] == 0).all()
    assert len(np.unique(six.actors.culture)) > 3


@pytest.mark.parametrize("seed", SEEDS)
def test_subsidiary_share_moves_no_other_draw(seed):
    none, half = (_init(seed=seed, **{"population.subsidiary_share": s}) for s in (0.0, 0.5))
    for name in SAME + ("culture",):
        assert np.array_equal(getattr(none.actors, name), getattr(half.actors, name)), name
    m = none.ties.m  # the parent ties come after the rest of the network, which stays as it is
    for name in ("a", "b", "w", "trust", "dist", "born"):
        assert np.array_equal(getattr(none.ties, name), getattr(half.ties, name)[:m]), name
    sub = np.flatnonzero(half.actors.group != np.arange(half.actors.n))
    assert len(sub) > 10
    quarter = _init(seed=seed, **{"population.subsidiary_share": 0.25}).actors
    nested = np.flatnonzero(quarter.group != np.arange(quarter.n))
    assert set(nested) <= set(sub) and (quarter.group[nested] == half.actors.group[nested]).all()


def test_six_culture_groups_put_more_local_ties_across_cultures():
    for seed in SEEDS:
        s = _init(seed=seed, **{"population.culture_groups": 6})
        t, a = s.ties, s.actors
        loc = np.flatnonzero(t.alive[: t.m] & (t.layer[: t.m] != PIPELINE))
        cross = (a.culture[t.a[loc]] != a.culture[t.b[loc]]).mean()
        assert 0.3 < cross < 0.9


# -- homophily in tie formation (network_evolution) ----------------------------------

ON = {"mechanisms.network_evolution.culture_weight": 1.0, "mechanisms.network_evolution.group_weight": 1.0}


def _created(seed: int, **kw) -> tuple[float, float]:
    """Local ties created by network_evolution in 120 steps, and the share within a culture
    group of those still alive at the end."""
    s = cl.Sim(_sc(seed=seed, **kw)).init()
    ts = s.run().timeseries
    made = float(sum(ts[f"ties_created_{r}"].sum() for r in ("closure", "proximity", "brokerage")))
    t, a = s.ties, s.actors
    new = np.flatnonzero(t.alive[: t.m] & (t.born[: t.m] > 0) & (t.layer[: t.m] != PIPELINE))
    return made, float((a.culture[t.a[new]] == a.culture[t.b[new]]).mean())


@pytest.fixture(scope="module")
def homophily():
    return np.array([[_created(seed), _created(seed, **ON)] for seed in SEEDS])  # seed x (off, on) x (made, share)


def test_new_ties_form_more_within_a_culture_group(homophily):
    share_off, share_on = homophily[:, 0, 1], homophily[:, 1, 1]
    assert (share_on > share_off).all()
    assert share_on.mean() > share_off.mean() + 0.04
    assert homophily[:, 1, 0].sum() > homophily[:, 0, 0].sum()  # same-culture proposals are accepted more often


def test_one_culture_group_forms_more_ties_than_six():
    one = sum(_created(seed, **ON, **{"population.culture_groups": 1})[0] for seed in SEEDS)
    six = sum(_created(seed, **ON, **{"population.culture_groups": 6})[0] for seed in SEEDS)
    assert one > 1.05 * six

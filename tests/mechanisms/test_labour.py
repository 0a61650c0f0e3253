"""Labour mobility carries tacit knowledge between nearby firms (small seeded cases)."""

import numpy as np
import pytest

import clusterlab as cl

MOBILE = {"labour__mobility": 1.0}  # every worker moves once a year: many moves in a few steps


@pytest.fixture(scope="session")
def rich_and_poor(actors):
    def rich_and_poor(adjacent=True):
        """Firm 0 is rich; 1 is a poor same-stage neighbour (2 km), 2 a poor same-stage firm far
        away (200 km), 3 a poor neighbour two stages up and (if `adjacent`) 4 a poor neighbour
        one stage up."""
        n = 5 if adjacent else 4
        T = np.full((n, 4), 0.1, np.float32)
        T[0] = 1.0
        E = np.full((n, 4), 0.2, np.float32)
        return actors(n, T=T, E=E, x=[0.0, 2.0, 200.0, 1.0, 1.5][:n], stage=[0, 0, 0, 2, 1][:n])

    return rich_and_poor


@pytest.fixture(scope="session")
def run_labour(only, sim_with, ties):
    def run_labour(act, steps=24, **changes):
        sim = sim_with(only("labour", **{**MOBILE, **changes}), act, ties(act.n, [], []))
        T0, E0 = sim.actors.T.copy(), sim.actors.E.copy()
        for _ in range(steps):
            sim.step()
        return sim, T0, E0

    return run_labour


def test_tacit_knowledge_moves_from_richer_to_poorer_nearby_firms(rich_and_poor, run_labour):
    sim, T0, E0 = run_labour(rich_and_poor())
    T = sim.actors.T
    assert (T[1] > T0[1] + 1e-3).all()  # the poor neighbour gains in every domain
    assert (T[4] > T0[4] + 1e-4).all()  # so does the poor neighbour one stage up
    assert np.array_equal(T[2], T0[2])  # the distant firm gains nothing
    assert (T[0] <= T0[0]).all() and (T[0] < T0[0]).any()  # the source loses a little, gains nothing
    assert (T[0] > 0.9).all()
    assert np.array_equal(sim.actors.E, E0)  # only tacit knowledge moves
    ts = sim.results().timeseries
    assert ts["flow_labour"].sum() > 0
    assert ts["seci_socialization"].sum() == pytest.approx(ts["flow_labour"].sum())
    assert ts["flow_tacit"].sum() == pytest.approx(ts["flow_labour"].sum())


def test_workers_move_to_the_same_or_an_adjacent_stage_only(rich_and_poor, run_labour):
    sim, T0, _ = run_labour(rich_and_poor(adjacent=False))
    T = sim.actors.T
    assert (T[1] > T0[1]).all()
    assert np.array_equal(T[3], T0[3])  # two stages away: no moves


def test_no_source_loss_keeps_the_source_intact(rich_and_poor, run_labour):
    sim, T0, _ = run_labour(rich_and_poor(), labour__source_loss=0.0)
    T = sim.actors.T
    assert np.array_equal(T[0], T0[0]) and (T[1] > T0[1]).all()
    # without losses the recorded flow is exactly what the destinations gained
    flow = sim.results().timeseries["flow_labour"].sum()
    assert flow == pytest.approx(float((T - T0).sum()), rel=1e-4)


def test_more_mobility_more_flow(rich_and_poor, run_labour):
    low = run_labour(rich_and_poor(), labour__mobility=0.2)
    high = run_labour(rich_and_poor(), labour__mobility=1.0)
    gain = lambda r: float(r[0].actors.T[1].sum() - r[1][1].sum())  # noqa: E731
    assert gain(high) > 2 * gain(low) > 0


def test_many_movers_into_a_small_firm_do_not_overshoot(actors, run_labour):
    n = 30
    T = np.ones((n, 4), np.float32)
    T[0] = 0.0
    act = actors(n, T=T, x=np.r_[0.0, np.linspace(0.5, 3.0, n - 1)])
    act.size[0] = 1.0
    sim, T0, _ = run_labour(act, steps=6, labour__same_stage=1.0)
    assert sim.actors.T[0].max() <= 1.0 + 1e-6
    assert sim.actors.T[0].min() > 0.5  # it did learn a lot


def test_movers_carry_the_origin_of_their_knowledge(rich_and_poor, run_labour):
    act = rich_and_poor()
    act.external_origin[0] = 1.0
    sim, _, _ = run_labour(act, steps=12)
    a = sim.actors
    assert a.external_origin[1] > 0.01 and a.external_origin[2] == 0.0
    assert a.inflow_external[1] >= 0


def test_flow_labour_is_zero_when_the_module_is_off(rich_and_poor, run_labour, small):
    on = cl.run(small(steps=12))
    off = cl.run(small(steps=12, **{"mechanisms.labour.enabled": False}))
    assert on.timeseries["flow_labour"].sum() > 0
    assert off.timeseries["flow_labour"].sum() == 0
    sim, T0, _ = run_labour(rich_and_poor(), labour__enabled=False)
    assert np.array_equal(sim.actors.T, T0)


def test_same_seed_same_moves(rich_and_poor, run_labour):
    one, _, _ = run_labour(rich_and_poor(), steps=6)
    two, _, _ = run_labour(rich_and_poor(), steps=6)
    assert np.array_equal(one.actors.T, two.actors.T)

"""Transfer moves knowledge as its sources say (Cowan & Jonard 2004; Nooteboom 2000; Szulanski 2000)."""

import numpy as np
import pytest

import clusterlab as cl
from clusterlab.state import (
    HORIZONTAL,
    PIPELINE,
    VERTICAL,
)

ALL_ACTIVE = {"interaction__enabled": False, "absorptive_capacity__enabled": False}


@pytest.fixture(scope="session")
def gain_of_receiver(sim_with):
    def gain_of_receiver(scenario, act, tie, steps=1):
        """Knowledge the receiver (actor 0) gains, as (tacit, explicit)."""
        sim = sim_with(scenario, act, tie)
        T0, E0 = sim.actors.T[0].sum(), sim.actors.E[0].sum()
        for _ in range(steps):
            sim.step()
        return sim.actors.T[0].sum() - T0, sim.actors.E[0].sum() - E0

    return gain_of_receiver


def test_more_trust_more_transfer(gain_of_receiver, only, pair, ties):
    sc = only("transfer", **ALL_ACTIVE)
    low = gain_of_receiver(sc, pair(), ties(2, [0], [1], trust=0.1))
    high = gain_of_receiver(sc, pair(), ties(2, [0], [1], trust=0.9))
    assert high[0] > low[0] > 0 and high[1] > low[1] > 0


def test_tacit_does_not_cross_a_weak_distant_tie(gain_of_receiver, only, pair, ties):
    sc = only("transfer", **ALL_ACTIVE)
    weak_far = gain_of_receiver(sc, pair(), ties(2, [0], [1], w=0.2, dist=800.0, layer=PIPELINE))
    strong_near = gain_of_receiver(sc, pair(), ties(2, [0], [1], w=0.8, dist=2.0))
    assert weak_far[0] == 0.0 and weak_far[1] > 0  # explicit still crosses
    assert strong_near[0] > 0
    # a strong but distant tie and a near but weak tie carry no tacit knowledge either
    assert gain_of_receiver(sc, pair(), ties(2, [0], [1], w=0.9, dist=800.0))[0] == 0.0
    assert gain_of_receiver(sc, pair(), ties(2, [0], [1], w=0.2, dist=1.0))[0] == 0.0


@pytest.fixture(scope="session")
def dyad_gain(actors, gain_of_receiver, only, ties):
    def dyad_gain(angle, absorptive=0.5):
        """Explicit gain of a receiver from a holder of equal knowledge at a given angle."""
        sc = only("transfer", **ALL_ACTIVE, absorptive_capacity__fixed=absorptive)
        E = [[1.0, 0.0, 0, 0], [np.cos(angle), np.sin(angle), 0, 0]]
        act = actors(2, E=E, T=np.zeros((2, 4)))
        return gain_of_receiver(sc, act, ties(2, [0], [1], w=0.3))[1], 1 - np.cos(angle)

    return dyad_gain


def test_learning_is_an_inverted_u_in_cognitive_distance(dyad_gain):
    # Nooteboom et al. (2007): understandability (falling, here linearly to 0 at the reach
    # cognitive_scale x A) times novelty (rising) peaks at an intermediate distance
    angles = np.linspace(0.02, np.pi / 2, 25)
    gains, dist = zip(*(dyad_gain(a) for a in angles))
    gains = np.array(gains)
    top = int(np.argmax(gains))
    assert 0 < top < len(angles) - 1  # rises, then falls
    assert gains[top] > 1.5 * gains[0] and gains[top] > 1.5 * gains[-1]
    falling = np.diff(gains[top:])
    assert np.all(np.diff(gains[: top + 1]) > 0) and np.all(falling <= 0)
    assert np.all(falling[gains[top + 1:] > 0] < 0)  # strictly, until nothing is understood
    # absorptive capacity widens the range: the peak moves to a larger distance
    wide = np.array([dyad_gain(a, absorptive=1.0)[0] for a in angles])
    assert dist[int(np.argmax(wide))] > dist[top]


def test_the_peak_lies_inside_the_distances_that_occur(small):
    # the optimal distance (about cognitive_scale x A / 2) is neither below nor above the
    # cognitive distances of the cluster's ties, so both branches of the U are in use
    from clusterlab.knowledge import cosine_pairs

    sim = cl.Sim(small(steps=24)).init()
    sim.run(24)
    a, t = sim.actors, sim.ties
    live = np.flatnonzero(t.alive[:t.m])
    cos = np.zeros(len(live))
    cosine_pairs(a.T, a.E, t.a[live].astype(np.int64), t.b[live].astype(np.int64), cos)
    delta = 1 - cos
    peak = sim.scenario.knowledge.cognitive_scale * np.median(a.absorptive[a.is_firm]) / 2
    assert np.quantile(delta, 0.1) < peak < np.quantile(delta, 0.9)


def test_competitors_share_less_than_partners(gain_of_receiver, only, pair, ties):
    sc = only("transfer", **ALL_ACTIVE, transfer__beta_horizontal=0.05, transfer__beta_vertical=0.05)
    horiz = gain_of_receiver(sc, pair(), ties(2, [0], [1], layer=HORIZONTAL))
    vert = gain_of_receiver(sc, pair(), ties(2, [0], [1], layer=VERTICAL))
    assert vert[1] > horiz[1] > 0


def test_distances_lower_absorption(gain_of_receiver, only, pair, ties):
    sc = only("transfer", **ALL_ACTIVE)
    base = dict(w=0.3)  # weak: explicit only, so the geographic penalty is isolated
    near = gain_of_receiver(sc, pair(), ties(2, [0], [1], dist=1.0, **base))[1]
    far = gain_of_receiver(sc, pair(), ties(2, [0], [1], dist=300.0, **base))[1]
    assert near > far > 0
    same_culture = gain_of_receiver(sc, pair(culture=0), ties(2, [0], [1], **base))[1]
    other_culture = gain_of_receiver(sc, pair(culture=[0, 1]), ties(2, [0], [1], **base))[1]
    assert same_culture > other_culture > 0
    same_group = gain_of_receiver(sc, pair(group=[0, 0]), ties(2, [0], [1], layer=HORIZONTAL, **base))[1]
    other_group = gain_of_receiver(sc, pair(), ties(2, [0], [1], layer=HORIZONTAL, **base))[1]
    assert same_group > other_group > 0
    # a long subcontracting relation removes the organisational distance
    old = gain_of_receiver(sc, pair(), ties(2, [0], [1], born=-1000, layer=VERTICAL, **base))[1]
    new = gain_of_receiver(sc, pair(), ties(2, [0], [1], born=0, layer=VERTICAL, **base))[1]
    assert old > new > 0


def test_free_rider_holder_gives_little(gain_of_receiver, only, pair, ties):
    sc = only("transfer", **ALL_ACTIVE)
    fair = gain_of_receiver(sc, pair(reciprocity=[1.0, 1.0]), ties(2, [0], [1]))[1]
    rider = gain_of_receiver(sc, pair(reciprocity=[1.0, 0.05]), ties(2, [0], [1]))[1]
    assert fair > 10 * rider > 0


def test_gain_never_overshoots_the_best_partner(actors, only, sim_with, ties):
    # a receiver tied to many identical holders cannot pass them
    n = 200
    T = np.zeros((n, 4))
    E = np.zeros((n, 4))
    E[1:, 0] = 1.0
    sc = only("transfer", **ALL_ACTIVE, transfer__beta_vertical=1.0, absorptive_capacity__fixed=1.0)
    sim = sim_with(sc, actors(n, T=T, E=E), ties(n, np.zeros(n - 1), np.arange(1, n), w=0.99, trust=1.0))
    sim.step()
    assert 0.9 < sim.actors.E[0, 0] <= 1.0 + 1e-6


@pytest.mark.parametrize("channel", ["horizontal", "vertical", "multi_angle", "pipeline"])
def test_switching_a_channel_off_zeroes_its_flow(channel, small):
    # focal firms' training is vertical learning too, with its own switch
    on = cl.run(small(steps=12, mechanisms__focal_firms__enabled=False))
    off = cl.run(small(steps=12, mechanisms__focal_firms__enabled=False,
                       **{f"mechanisms.transfer.{channel}": False}))
    assert on.timeseries[f"flow_{channel}"].sum() > 0
    assert off.timeseries[f"flow_{channel}"].sum() == 0
    others = [c for c in ("horizontal", "vertical", "multi_angle", "pipeline") if c != channel]
    assert all(off.timeseries[f"flow_{c}"].sum() > 0 for c in others)


def test_switching_transfer_or_spillover_off(small):
    r = cl.run(small(steps=12, mechanisms__spillover__enabled=False))
    assert r.timeseries["flow_spillover"].sum() == 0 and r.timeseries["flow_vertical"].sum() > 0
    # training by focal firms and labour mobility also move tacit knowledge: switch them off too
    r = cl.run(small(steps=12, mechanisms__transfer__enabled=False, mechanisms__focal_firms__enabled=False,
                     mechanisms__labour__enabled=False))
    assert r.timeseries[[f"flow_{c}" for c in ("horizontal", "vertical", "multi_angle", "pipeline")]].sum().sum() == 0
    assert r.timeseries["seci_socialization"].sum() == 0

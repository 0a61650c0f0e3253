"""The same panel in another actor order (another file format, rows sorted differently)
gives the same predictions and calibrations: `predict` and `calibrate` put the actors in
natural order of their ids first (`clusterlab.data.in_id_order`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clusterlab.data import ClusterNetwork, in_id_order, natural_key
from clusterlab.panel import predict
from clusterlab.panel.calibrate import LEVERS, calibrate
from clusterlab.panel.interval import simulate_interval
from clusterlab.panel.msm import Settings
from clusterlab.panel.synthetic import make_logit_panel


def shuffled(net: ClusterNetwork, seed: int) -> ClusterNetwork:
    """The network with its actors and edges in a random order (the same panel)."""
    rng = np.random.default_rng(seed)
    perm = rng.permutation(net.n)  # new position k holds old actor perm[k]
    pos = np.empty(net.n, np.int64)
    pos[perm] = np.arange(net.n)
    e = rng.permutation(net.m)
    return ClusterNetwork(ids=net.ids[perm], src=pos[net.src][e], dst=pos[net.dst][e], weight=net.weight[e],
                          layer=None if net.layer is None else net.layer[e], directed=net.directed,
                          attributes=net.attributes.iloc[perm].reset_index(drop=True), source=net.source)


@pytest.fixture(scope="module")
def panel():
    return make_logit_panel(30, 3, seed=3)


def labelled_ties(net: ClusterNetwork, run) -> set:
    return {frozenset((net.ids[a], net.ids[b])) for a, b in zip(run.a, run.b)}


def test_natural_key_and_in_id_order():
    assert sorted(["F10", "F2", "f1", "F02", "A", "F1b"], key=natural_key) == ["A", "F1b", "F02", "F2", "F10", "f1"]
    assert natural_key("x²") == ((1, 0, "x²"),)  # a non-ASCII digit is text, not a number
    net = ClusterNetwork(ids=["b", "a10", "a2"], src=[0, 2, 1], dst=[1, 0, 2], weight=[1.0, 2.0, 3.0], directed=False,
                         attributes=pd.DataFrame({"id": ["b", "a10", "a2"], "size": [1, 2, 3]}))
    got = in_id_order(net)
    assert list(got.ids) == ["a2", "a10", "b"] and got.attributes["size"].tolist() == [3, 2, 1]
    # b-a10 (w 1) -> 1-2, a2-b (w 2) -> 0-2, a10-a2 (w 3) -> 0-1; undirected pairs stored low-high
    assert list(zip(got.src, got.dst, got.weight)) == [(0, 1, 3.0), (0, 2, 2.0), (1, 2, 1.0)]


def test_predict_is_the_same_whatever_the_actor_order(panel):
    w1, w2 = shuffled(panel.wave1, 1), shuffled(panel.wave2, 2)
    # the simulation alone draws in actor order: started from the two orders it differs
    a = simulate_interval(panel.wave1, 3, replications=1, seed=1)[0]
    b = simulate_interval(w1, 3, replications=1, seed=1)[0]
    assert labelled_ties(panel.wave1, a) != labelled_ties(w1, b)
    one = predict(panel.wave1, panel.wave2, 3, replications=3, seed=1)
    two = predict(w1, w2, 3, replications=3, seed=1)
    pd.testing.assert_frame_equal(one.scores, two.scores, check_exact=True)
    pd.testing.assert_frame_equal(one.dyads, two.dyads, check_exact=True)


def test_calibrate_is_the_same_whatever_the_actor_order(panel):
    st = Settings(n1=8, h=0.5, nsub=1, n2extra=5, batch=1, n3=8, n3_deriv=4, runs=1)
    prox = {"geo": panel.geographic, "cog": panel.cognitive}
    one = calibrate(panel.wave1, panel.wave2, 3, prox, levers=LEVERS[:1], settings=st, seed=2)
    rev = panel.geographic.index[::-1]
    prox2 = {"geo": panel.geographic.loc[rev, rev], "cog": panel.cognitive.loc[rev, rev]}
    two = calibrate(shuffled(panel.wave1, 3), shuffled(panel.wave2, 4), 3, prox2, levers=LEVERS[:1], settings=st,
                    seed=2)
    assert one.msm.estimated.all()
    assert np.array_equal(one.msm.theta, two.msm.theta) and np.array_equal(one.msm.se, two.msm.se, equal_nan=True)
    assert np.array_equal(one.msm.observed, two.msm.observed)

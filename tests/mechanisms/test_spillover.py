"""Spillover: firms imitate visible knowledge of nearby competitors (Wang 2013; Malmberg & Maskell 2002)."""

import numpy as np
import pytest


def test_spillover_imitates_visible_knowledge_of_nearby_competitors(actors, only, sim_with, ties):
    E = [[0.1, 0, 0, 0], [1.0, 0.5, 0, 0], [1.0, 0.5, 0, 0]]
    T = [[0.1, 0, 0, 0], [1.0, 0.5, 0, 0], [1.0, 0.5, 0, 0]]
    # actor 1 is a same-stage neighbour 1 km away; actor 2 is 50 km away
    act = actors(3, T=T, E=E, x=[0.0, 1.0, 50.0])
    sim = sim_with(only("spillover"), act, ties(3, [], []))
    for _ in range(10):
        sim.step()
    assert sim.actors.E[0, :2].sum() > 0.1 + 1e-3
    assert sim.actors.T[0].sum() == pytest.approx(0.1)  # tacit knowledge is not observable
    assert sim.results().timeseries["flow_spillover"].sum() > 0
    other_stage = actors(3, T=T, E=E, x=[0.0, 1.0, 50.0], stage=[0, 1, 1])
    sim = sim_with(only("spillover"), other_stage, ties(3, [], []))
    sim.step()
    assert sim.actors.E[0].sum() == pytest.approx(0.1)  # only competitors are observed


def test_spillover_needs_understanding(actors, only, sim_with, ties):
    # the same understandability as transfer: nothing is imitated beyond the cognitive
    # reach cognitive_scale x A (Nooteboom 2000), however visible
    def gain(angle):
        E = [[1.0, 0, 0, 0], [1.2 * np.cos(angle), 1.2 * np.sin(angle), 0, 0]]
        act = actors(2, T=np.zeros((2, 4)), E=E, x=[0.0, 1.0])
        sc = only("spillover", absorptive_capacity__fixed=0.5).set(**{"knowledge.cognitive_scale": 1.0})
        sim = sim_with(sc, act, ties(2, [], []))
        sim.step()
        return sim.actors.E[0].sum() - 1.0

    near, mid, far = gain(0.1), gain(0.6), gain(1.2)  # distances 0.005, 0.17, 0.64 (reach 0.5)
    assert mid > near > 0 and far == 0.0

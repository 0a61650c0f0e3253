"""Spillover: firms imitate visible knowledge of nearby competitors (Wang 2013; Malmberg & Maskell 2002)."""

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

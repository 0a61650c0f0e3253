"""Unused knowledge decays, peripheral knowledge first (Argote 1999)."""

import numpy as np


def test_unused_knowledge_decays_and_peripheral_knowledge_first(actors, only, sim_with, ties):
    K = [[1.0, 1.0, 1.0, 0.05]]
    sim = sim_with(only("depreciation"), actors(1, T=K, E=K), ties(1, [], []))
    for _ in range(12):
        sim.step()
    left = sim.actors.T[0] / np.asarray(K[0])
    assert np.all(left < 1.0)
    assert left[3] < left[0]  # the peripheral domain loses a larger share
    sim = sim_with(only(), actors(1, T=K, E=K), ties(1, [], []))
    sim.step()
    assert np.allclose(sim.actors.T[0], K[0])

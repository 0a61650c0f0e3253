"""Absorptive capacity rises with R&D, knowledge and sharing (Cohen & Levinthal 1990)."""

import numpy as np


def test_absorptive_capacity_rises_with_rd_knowledge_and_sharing(actors, only, sim_with, ties):
    E = np.array([[0.2] * 4, [0.2] * 4, [0.8] * 4, [0.2] * 4])
    act = actors(4, E=E, rd=[0.0, 0.2, 0.0, 0.0], sharing=[0.2, 0.2, 0.2, 0.9])
    sim = sim_with(only("absorptive_capacity"), act, ties(4, [], []))
    sim.step()
    A = sim.actors.absorptive
    assert A[1] > A[0] and A[2] > A[0] and A[3] > A[0]
    sim = sim_with(only(absorptive_capacity__fixed=0.3), actors(4, E=E), ties(4, [], []))
    sim.step()
    assert np.allclose(sim.actors.absorptive, 0.3)

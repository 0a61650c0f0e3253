"""Innovation rises with R&D and diversity; attribution adds up."""

import numpy as np
import pytest

import clusterlab as cl
from clusterlab.state import (
    UNIVERSITY,
)


@pytest.fixture(scope="session")
def innovations(actors, only, sim_with, ties):
    def innovations(rd, E_rows, steps=120, n=400, seed=1):
        E = np.tile(np.asarray(E_rows, np.float32), (n, 1))
        sc = only("innovation").set(seed=seed)
        sim = sim_with(sc, actors(n, rd=rd, E=E, T=E), ties(n, [], []))
        for _ in range(steps):
            sim.step()
        return sim.actors.innov_incremental.sum(), sim.actors.innov_radical.sum(), sim

    return innovations


def test_more_rd_more_innovation(innovations):
    diverse = [0.3, 0.3, 0.3, 0.3]
    low = innovations(0.0, diverse)
    high = innovations(0.2, diverse)
    assert high[0] > 1.5 * low[0] > 0 and high[1] > low[1]


def test_radical_innovation_needs_diverse_knowledge(innovations):
    inc, rad, _ = innovations(0.1, [0.5, 0, 0, 0], steps=60)
    assert inc > 0 and rad == 0  # one domain: no diversity, no radical innovation
    inc, rad, _ = innovations(0.1, [0.3, 0.3, 0.3, 0.3], steps=60)
    assert rad > 0


def test_innovation_raises_knowledge_and_moves_the_frontier(innovations):
    _, _, sim = innovations(0.3, [0.9, 0.9, 0.9, 0.9], steps=120)
    assert sim.actors.E.max() > 1.0  # radical leaps pass the initial frontier (1.0)
    assert np.all(sim.tech.frontier >= sim.actors.E.max(axis=0) - 1e-6)


def test_innovations_are_attributed_to_channels(small):
    ts = cl.run(small(steps=36)).timeseries
    total = ts["innovations_incremental"] + ts["innovations_radical"]
    attributed = ts[[c for c in ts.columns if c.startswith("innov_from_")]].sum(axis=1)
    assert np.allclose(total, attributed)
    assert ts["innov_from_vertical"].sum() > 0 and ts["innov_from_internal"].sum() > 0


def test_universities_do_research(actors, only, sim_with, ties):
    E = [[0.5, 0.2, 0, 0]]
    sim = sim_with(only("innovation"), actors(1, kind=UNIVERSITY, stage=-1, E=E), ties(1, [], []))
    sim.step()
    assert sim.actors.E[0, 0] > 0.5 and sim.actors.E[0, 2] == 0  # only domains it holds

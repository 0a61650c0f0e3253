"""Sim(record=False): the same simulation, nothing recorded."""

import numpy as np
import pytest

from clusterlab import Sim, default_scenario
from clusterlab.errors import ClusterlabError


def test_a_run_without_recording_ends_in_the_same_state():
    sc = default_scenario().set(**{"population.firms": 40, "steps": 12, "seed": 3})
    sims = [Sim(sc, keep=[]), Sim(sc, record=False)]
    for sim in sims:
        sim.init()
        for _ in range(12):
            sim.step()
    full, bare = sims
    assert full.actors.n == bare.actors.n and set(full.actors._buf) == set(bare.actors._buf)
    for name in full.actors._buf:
        assert np.array_equal(getattr(full.actors, name), getattr(bare.actors, name)), name
    for name in full.ties.EDGE_FIELDS:
        assert np.array_equal(getattr(full.ties, name), getattr(bare.ties, name)), name
    assert full.stats == bare.stats
    with pytest.raises(ClusterlabError, match="records nothing"):
        bare.results()

"""The five proximities: definitions, agreement with networkx, and with the transfer kernel."""

import networkx as nx
import numpy as np
import pytest

from clusterlab import proximity
from clusterlab.measures import csr_from_edges
from clusterlab.state import EXTERNAL, HORIZONTAL, SME, VERTICAL


def test_proximities_of_hand_built_ties(actors, ties):
    E = [[1, 0, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0], [1, 1, 0, 0]]
    act = actors(4, E=E, x=[0, 3, 4, 0], culture=[0, 0, 1, 0], group=[5, 5, 6, 7],
                 kind=[SME, SME, SME, EXTERNAL])
    a, b = np.array([0, 0, 0]), np.array([1, 2, 3])
    assert np.allclose(proximity.geographic_km(act, a, b), [3, 4, 0])
    assert np.allclose(proximity.cognitive(act, a, b), [1, 0, 1 / np.sqrt(2)], atol=1e-6)
    assert np.allclose(proximity.cultural(act, a, b), [1, 0, 1])
    assert np.allclose(proximity.institutional(act, a, b), [1, 1, 0])
    t = ties(4, a, b, layer=[HORIZONTAL, VERTICAL, VERTICAL], born=[0, 0, -120])
    org = proximity.organisational(act, t, now=30, years=5, steps_per_year=12)
    assert np.allclose(org, [1.0, 0.5, 1.0])  # same group; half-way subcontracting; old subcontracting
    assert ((proximity.geographic(act, a, b) > 0) & (proximity.geographic(act, a, b) <= 1)).all()


def test_social_proximity_counts_shared_partners_like_networkx():
    G = nx.gnm_random_graph(60, 240, seed=3)
    a, b = np.array(G.edges()).T
    indptr, indices, _ = csr_from_edges(60, a, b)
    got = proximity.social(indptr, indices, a, b)
    for (u, v), s in zip(G.edges(), got):
        common = len(list(nx.common_neighbors(G, u, v)))
        m = min(G.degree(u) - 1, G.degree(v) - 1)
        assert s == pytest.approx(common / m if m > 0 else 0.0)


def test_transfer_efficiency_follows_the_proximities(actors, only, sim_with, ties):
    """Explicit gain over a weak tie is proportional to the proximity factors of transfer.py."""
    sc = only("transfer", interaction__enabled=False, absorptive_capacity__enabled=False)
    p = sc.mechanisms.transfer
    def gain(culture, dist):
        act = actors(2, E=[[0.1, 0, 0, 0], [1, 0, 0, 0]], culture=culture, group=[0, 0])
        sim = sim_with(sc, act, ties(2, [0], [1], w=0.3, dist=dist))
        sim.step()
        return sim.actors.E[0, 0] - 0.1
    base = gain([0, 0], 0.0)
    far = gain([0, 0], 100.0)
    foreign = gain([0, 1], 0.0)
    assert far / base == pytest.approx(1 - p.geo_penalty * (1 - np.exp(-100.0 / p.geo_km)), rel=1e-4)
    assert foreign / base == pytest.approx(1 - p.cultural_penalty, rel=1e-4)

"""Issue 10 round 2, P3 (structural holes), diagnosis guard (docs/odd.md 5.2).

Burt (1992): at a given degree, a firm whose contacts are not tied to each other reaches
non-redundant, more diverse knowledge. The link the proposition needs from the starting
network: firms with lower constraint than their degree predicts have partners whose
knowledge profiles are further from their own (mean cognitive distance, Nooteboom 2000).
"""

import numpy as np
import pandas as pd
import pytest

from clusterlab import Sim, default_scenario
from clusterlab.knowledge import cosine_pairs
from clusterlab.propositions.measures import _partial_spearman
from clusterlab.recorder import firm_network
from clusterlab.state import EXTERNAL, PIPELINE, SME


def _link(seed: int) -> float:
    sim = Sim(default_scenario().set(steps=1, seed=seed, population__firms=100))
    sim.init()
    a, ties = sim.actors, sim.ties
    t = np.flatnonzero(ties.alive & (ties.layer != PIPELINE))
    A, B = ties.a[t].astype(np.int64), ties.b[t].astype(np.int64)
    ok = (a.kind[A] != EXTERNAL) & (a.kind[B] != EXTERNAL)
    A, B = A[ok], B[ok]
    cos = np.empty(len(A), np.float32)
    cosine_pairs(a.T, a.E, A, B, cos)
    dist = 1.0 - cos.astype(np.float64)
    k = np.bincount(A, minlength=a.n) + np.bincount(B, minlength=a.n)
    mean_dist = (np.bincount(A, dist, a.n) + np.bincount(B, dist, a.n)) / np.maximum(k, 1)
    net = firm_network(sim)
    firms = np.flatnonzero(a.alive & (a.kind <= SME) & (k > 0))
    s = lambda v: pd.Series(np.asarray(v)[firms], index=firms)  # noqa: E731
    return _partial_spearman(s(net["constraint"]), s(mean_dist), s(net["degree_centrality"]))


@pytest.fixture(scope="module")
def links():
    return [_link(seed) for seed in (1, 2, 3, 4)]


def test_low_residual_constraint_means_cognitively_distant_partners(links):
    """Controlling for degree, constraint falls with the partners' cognitive distance."""
    assert np.nanmean(links) < -0.1

"""Null models keep what they promise."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import chisquare

from clusterlab.data import ClusterNetwork
from clusterlab.errors import ClusterlabError
from clusterlab.panel.nulls import nothing_changes, random_pairs, random_rewiring


def net(n, edges, directed=False):
    e = np.array(edges, np.int64).reshape(-1, 2)
    return ClusterNetwork(ids=np.array([f"v{i}" for i in range(n)], object), src=e[:, 0], dst=e[:, 1],
                          weight=np.ones(len(e)), directed=directed)


def test_nothing_changes_is_wave_one():
    w = net(5, [(0, 1), (3, 1), (1, 3), (2, 4)], directed=True)
    [run] = nothing_changes(w)
    assert run.present.all() and len(run.present) == 5
    assert list(zip(run.a, run.b)) == [(0, 1), (1, 3), (2, 4)]  # the undirected projection


def test_random_rewiring_keeps_the_tie_count_exactly_and_the_persistence_in_expectation():
    rng = np.random.default_rng(1)
    n = 40
    g = np.random.default_rng(9)
    i, j = np.triu_indices(n, 1)
    tied = g.random(len(i)) < 0.1
    w = net(n, np.c_[i[tied], j[tied]])
    w1 = set((i[tied] * n + j[tied]).tolist())
    m1, p, ties, R = len(w1), 0.6, len(w1) + 15, 200
    runs = random_rewiring(w, p, ties, R, rng=rng)
    kept = []
    for r in runs:
        c = r.pairs(n)
        assert len(c) == ties and len(np.unique(c)) == ties  # exact tie count, no duplicate
        assert (r.a < r.b).all() and r.present.all()
        kept.append(len(w1 & set(c.tolist())))
    share = np.sum(kept) / (m1 * R)
    se = np.sqrt(p * (1 - p) / (m1 * R))
    assert abs(share - p) < 4 * se  # within sampling error of the persistence asked for


def test_random_rewiring_draws_new_ties_uniformly_among_untied_pairs():
    n = 8
    w = net(n, [(0, 1), (1, 2), (2, 3), (4, 5), (6, 7)])
    runs = random_rewiring(w, 0.4, 9, 3000, rng=np.random.default_rng(2))
    w1 = {0 * n + 1, 1 * n + 2, 2 * n + 3, 4 * n + 5, 6 * n + 7}
    i, j = np.triu_indices(n, 1)
    untied = [c for c in (i * n + j).tolist() if c not in w1]
    freq = dict.fromkeys(untied, 0)
    for r in runs:
        for c in r.pairs(n).tolist():
            if c not in w1:
                freq[c] += 1
    counts = np.array(list(freq.values()))
    assert chisquare(counts).pvalue > 0.001  # every untied pair equally likely


def test_random_rewiring_is_reproducible_from_its_generator():
    w = net(10, [(0, 1), (2, 3), (4, 5)])
    a = random_rewiring(w, 0.5, 6, 3, rng=np.random.default_rng(7))
    b = random_rewiring(w, 0.5, 6, 3, rng=np.random.default_rng(7))
    assert all(np.array_equal(x.pairs(10), y.pairs(10)) for x, y in zip(a, b))


def test_random_rewiring_with_more_ties_kept_than_asked_keeps_exactly_the_count():
    w = net(6, [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)])
    for r in random_rewiring(w, 1.0, 3, 10, rng=np.random.default_rng(0)):
        assert len(r.a) == 3 and set(r.pairs(6).tolist()) <= {1, 8, 15, 22, 29}


def test_random_rewiring_on_a_dense_panel_keeps_more_wave1_ties_and_the_count():
    # 4 actors, 4 of 6 pairs tied in wave 1, 5 in wave 2: with persistence 0.25 most draws
    # keep 1 tie and would need 4 new ones among 2 untied pairs (a sweep's panel was refused)
    w = net(4, [(0, 1), (1, 2), (2, 3), (0, 3)])
    runs = random_rewiring(w, 0.25, 5, 50, rng=np.random.default_rng(3))
    assert all(len(r.a) == 5 and {2, 7} <= set(r.pairs(4).tolist()) for r in runs)  # both untied pairs taken
    d = net(4, [(0, 1), (1, 0), (1, 2), (2, 3), (3, 0)], directed=True)
    assert all(len(r.arcs) == 11 for r in random_rewiring(d, 0.2, 11, 20, rng=np.random.default_rng(0), directed=True))
    with pytest.raises(ClusterlabError, match="cannot hold 13 ties"):
        random_rewiring(d, 0.2, 13, 1, rng=np.random.default_rng(0), directed=True)


def test_random_pairs_by_rejection_on_a_large_cluster():
    rng = np.random.default_rng(3)
    n = 3000  # 4.5 million pairs: drawn by rejection, no enumeration
    exclude = np.sort(rng.choice(n * n, 1000, replace=False))
    got = random_pairs(rng, n, 500, exclude)
    assert len(got) == 500 and len(np.unique(got)) == 500
    a, b = np.divmod(got, n)
    assert (a < b).all() and not np.isin(got, exclude).any()


def test_bad_null_arguments_are_clear_errors():
    w = net(3, [(0, 1)])
    with pytest.raises(ClusterlabError, match="persistence"):
        random_rewiring(w, 1.5, 2, rng=np.random.default_rng(0))
    with pytest.raises(ClusterlabError, match="cannot hold 4 ties: only 3 pairs"):
        random_rewiring(w, 0.0, 4, rng=np.random.default_rng(0))
    with pytest.raises(ClusterlabError, match="cannot draw"):
        random_pairs(np.random.default_rng(0), 3, 3, np.array([1]))

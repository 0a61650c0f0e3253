"""Scores of a predicted wave: known answers on hand-made tiny networks."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from scipy.stats import mannwhitneyu

from clusterlab.data import ClusterNetwork
from clusterlab.errors import ClusterlabError
from clusterlab.panel import scores as S


def codes(pairs, n):
    return S.pair_codes([a for a, _ in pairs], [b for _, b in pairs], n)


def net(ids, edges, directed=False, source="w"):
    e = np.array(edges, np.int64).reshape(-1, 2)
    return ClusterNetwork(ids=np.array(ids, object), src=e[:, 0], dst=e[:, 1], weight=np.ones(len(e)),
                          directed=directed, source=source)


def test_pair_codes_are_the_undirected_projection():
    # 0->1 and 1->0 are one pair; 2->0 is pair (0, 2); the self-loop is dropped
    assert S.pair_codes([0, 1, 2, 3], [1, 0, 0, 3], 4).tolist() == [0 * 4 + 1, 0 * 4 + 2]


def test_tie_count_and_exit_share():
    assert S.tie_count(codes([(0, 1), (1, 2)], 3)) == 2
    assert S.exit_share(np.array([True, False, True, True])) == 0.25
    assert math.isnan(S.exit_share(np.zeros(0, bool)))


def test_jaccard_known_answer():
    p, o = codes([(0, 1), (0, 2), (1, 2)], 4), codes([(0, 2), (1, 2), (2, 3)], 4)
    assert S.jaccard(p, o) == 2 / 4  # 2 shared of 4 distinct ties
    assert S.jaccard(p, p) == 1.0 and S.jaccard(p, codes([(0, 3)], 4)) == 0.0
    assert math.isnan(S.jaccard(np.zeros(0, np.int64), np.zeros(0, np.int64)))


def test_degree_correlation_known_answer():
    n = 4
    p = codes([(0, 1), (0, 2), (0, 3)], n)        # degrees 3 1 1 1
    o = codes([(0, 1), (0, 2), (1, 2), (2, 3)], n)  # degrees 2 2 3 1
    expected = np.corrcoef([3, 1, 1, 1], [2, 2, 3, 1])[0, 1]
    assert S.degree_correlation(p, o, n) == pytest.approx(expected)
    # over a subset of actors (the stayers)
    assert S.degree_correlation(p, o, n, over=np.array([0, 1, 3])) == pytest.approx(
        np.corrcoef([3, 1, 1], [2, 2, 1])[0, 1])
    # a constant degree sequence has no correlation
    ring = codes([(0, 1), (1, 2), (2, 3), (0, 3)], n)
    assert math.isnan(S.degree_correlation(ring, o, n))


def test_transitivity_known_answer_and_networkx():
    n = 4
    tri_tail = codes([(0, 1), (1, 2), (0, 2), (2, 3)], n)  # 1 triangle, 5 connected triples
    assert S.transitivity(tri_tail, n) == pytest.approx(3 * 1 / 5)
    assert S.transitivity(codes([(0, 1), (1, 2)], n), n) == 0.0
    assert S.transitivity(codes([(0, 1)], n), n) == 0.0  # no triple at all
    g = nx.gnp_random_graph(40, 0.15, seed=3)
    c = codes(list(g.edges()), 40)
    assert S.transitivity(c, 40) == pytest.approx(nx.transitivity(g))


def test_reciprocity_known_answer():
    # 0->1 and 1->0 returned, 1->2 not: 2 of 3 ties are reciprocated
    assert S.reciprocity([0, 1, 1], [1, 0, 2]) == pytest.approx(2 / 3)
    g = nx.gnp_random_graph(30, 0.1, seed=1, directed=True)
    s, d = zip(*g.edges())
    assert S.reciprocity(s, d) == pytest.approx(nx.overall_reciprocity(g))
    assert math.isnan(S.reciprocity([], []))


def test_tie_auc_known_answers():
    # positives 0.9 and 0.7, negatives 0.8 and 0.6: 3 of 4 (positive, negative) pairs ordered
    assert S.tie_auc([0.9, 0.8, 0.7, 0.6], [1, 0, 1, 0]) == 0.75
    # a tied score counts 1/2: positive 1 vs negatives 1 (1/2) and 0 (1)
    assert S.tie_auc([1, 1, 0], [1, 0, 0]) == 0.75
    assert S.tie_auc([0.2, 0.2, 0.2], [1, 0, 1]) == 0.5  # one score for all: chance
    assert S.tie_auc([1, 0], [1, 0]) == 1.0 and S.tie_auc([0, 1], [1, 0]) == 0.0
    assert math.isnan(S.tie_auc([1, 2], [1, 1]))


def test_auc_from_counts_is_the_mann_whitney_auc():
    rng = np.random.default_rng(0)
    R = 7
    k = rng.integers(0, R + 1, 300)  # replications holding each dyad
    y = rng.random(300) < 0.2 + 0.08 * k
    pos = np.bincount(k[y], minlength=R + 1)
    neg = np.bincount(k[~y], minlength=R + 1)
    auc = S.auc_from_counts(pos, neg)
    assert auc == pytest.approx(S.tie_auc(k / R, y))
    u = mannwhitneyu(k[y], k[~y]).statistic
    assert auc == pytest.approx(u / (y.sum() * (~y).sum()))
    fpr, tpr = S.roc_from_counts(pos, neg)
    assert (fpr[0], tpr[0], fpr[-1], tpr[-1]) == (0, 0, 1, 1)
    assert np.trapezoid(tpr, fpr) == pytest.approx(auc)


def test_waves_are_matched_by_id_label():
    w1 = net(["a", "b", "c", "d"], [(0, 1), (1, 2), (2, 3)])
    # wave 2: d exited, e entered; ties b-c (persisted), a-c (created), c-e (with an entry)
    w2 = net(["c", "a", "b", "e"], [(2, 0), (1, 0), (0, 3)])
    o = S.match_waves(w1, w2)
    assert o.stay.tolist() == [True, True, True, False] and o.entries == 1
    n = 4
    assert o.ties1.tolist() == [0 * n + 1, 1 * n + 2, 2 * n + 3]
    assert o.ties2.tolist() == [0 * n + 2, 1 * n + 2]  # in wave-1 positions, entries left out
    assert o.ties1_among_stayers().tolist() == [1, 1 * n + 2]
    assert o.persistence_rate() == 0.5  # a-b dissolved, b-c persisted
    assert o.reciprocity1 is None


def test_directed_waves_keep_their_reciprocity_for_information():
    w1 = net(["a", "b", "c"], [(0, 1), (1, 0), (1, 2)], directed=True)
    w2 = net(["a", "b", "c"], [(0, 1), (2, 1)], directed=True)
    o = S.match_waves(w1, w2)
    assert o.ties1.tolist() == [1, 5] and o.ties2.tolist() == [1, 5]  # projections
    assert o.reciprocity1 == pytest.approx(2 / 3) and o.reciprocity2 == 0.0


def test_waves_that_cannot_be_matched_are_one_clear_error():
    with pytest.raises(ClusterlabError, match="directed but wave 2"):
        S.match_waves(net(["a", "b"], [(0, 1)], directed=True), net(["a", "b"], [(0, 1)]))
    with pytest.raises(ClusterlabError, match="no actor id in common"):
        S.match_waves(net(["a", "b"], [(0, 1)]), net(["x", "y"], [(0, 1)]))
    with pytest.raises(ClusterlabError, match="duplicate actor ids"):
        S.match_waves(net(["a", "a"], [(0, 1)]), net(["a", "b"], [(0, 1)]))


def test_ids_written_differently_in_the_two_waves_are_named():
    """Ids are matched as text; ids that differ only by leading zeros, case, outer spaces or
    Unicode normal form (a spreadsheet that dropped zeros, a retyped name) count as an exit
    and an entry, so the match warns, and an error with no id in common says why."""
    import unicodedata
    import warnings

    from clusterlab.errors import ClusterlabWarning
    from clusterlab.panel.scores import written_alike

    cafe = "Caf\u00e9 Ltd"
    assert written_alike(["7", "08", "Acme", cafe, "x"], ["007", "8", "ACME ", unicodedata.normalize("NFD", cafe), "y"]) \
        == [("7", "007"), ("08", "8"), ("Acme", "ACME "), (cafe, unicodedata.normalize("NFD", cafe))]
    assert written_alike(["1", "2"], ["1", "2"]) == [] and written_alike(["10"], ["1"]) == []

    w1 = net(["1", "2", "3", "10"], [(0, 1), (1, 2), (2, 3)])
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        obs = S.match_waves(w1, net(["01", "2", "3", "10"], [(0, 1), (1, 2)]))
    assert int(obs.stay.sum()) == 3 and obs.entries == 1
    assert [str(w.message) for w in got if issubclass(w.category, ClusterlabWarning)] == [
        "1 id(s) of wave 1 match one of wave 2 only when written alike ('1' and '01'): ids are matched as text, "
        "so each counts as an exit and an entry; write them the same way in both files"]
    with pytest.raises(ClusterlabError, match=r"no actor id in common.*4 id\(s\) of wave 1 match one of wave 2 only "
                                              r"when written alike \('1' and '001'"):
        S.match_waves(w1, net(["001", "002", "003", "010"], [(0, 1)]))

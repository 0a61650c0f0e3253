"""Tests for the ClusterNetwork measures in clusterlab.measures (against networkx and by hand)."""

import itertools
import json
import math
import random

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import clusterlab.measures as M
from clusterlab.data import ClusterNetwork
from clusterlab.measures.brokerage import ROLES
from clusterlab.measures.centrality import _sources

# ------------------------------------------------------------------------------ helpers


def net_of(G, attributes=None):
    """ClusterNetwork of a networkx graph with nodes 0..n-1 and optional 'weight' data."""
    n = G.number_of_nodes()
    assert sorted(G) == list(range(n))
    e = list(G.edges(data="weight", default=1.0))
    src = np.array([u for u, _, _ in e], np.int64)
    dst = np.array([v for _, v, _ in e], np.int64)
    w = np.array([x for _, _, x in e], np.float64)
    if not G.is_directed():
        src, dst = np.minimum(src, dst), np.maximum(src, dst)
    net = ClusterNetwork(ids=np.array([f"a{i}" for i in range(n)], dtype=object), src=src, dst=dst,
                         weight=w, directed=G.is_directed())
    if attributes is not None:
        net.attributes = pd.DataFrame({"id": net.ids, **attributes})
    return net


def weighted(G, seed, low=0.2, high=3.0):
    rng = np.random.default_rng(seed)
    for u, v in G.edges:
        G[u][v]["weight"] = float(rng.uniform(low, high))
        G[u][v]["dist"] = 1.0 / G[u][v]["weight"]
    return G


def undirected_sum(G):
    """Undirected view with the weights of both directions summed (as the measures do)."""
    U = nx.Graph()
    U.add_nodes_from(G)
    for u, v, w in G.edges(data="weight", default=1.0):
        U.add_edge(u, v, weight=U[u][v]["weight"] + w if U.has_edge(u, v) else w)
    for u, v in U.edges:
        U[u][v]["dist"] = 1.0 / U[u][v]["weight"]
    return U


def vec(d, n):
    return np.array([d[i] for i in range(n)], np.float64)


def random_graphs():
    """Several random graphs, directed and undirected, some disconnected, weighted."""
    out = []
    for seed, (n, p) in enumerate([(25, 0.15), (40, 0.06), (30, 0.3), (12, 0.1)]):
        out.append(pytest.param(weighted(nx.gnp_random_graph(n, p, seed=seed, directed=True), seed),
                                id=f"dir{seed}"))
        out.append(pytest.param(weighted(nx.gnp_random_graph(n, p, seed=seed + 10), seed),
                                id=f"und{seed}"))
    return out


GRAPHS = random_graphs()


# ------------------------------------------------------------------------------ degrees


@pytest.mark.parametrize("G", GRAPHS)
def test_degrees_match_networkx(G):
    net, n = net_of(G), G.number_of_nodes()
    D = G if G.is_directed() else G.to_directed()
    for w in (None, "weight"):
        np.testing.assert_allclose(M.in_degree(net, weighted=w is not None), vec(dict(D.in_degree(weight=w)), n))
        np.testing.assert_allclose(M.out_degree(net, weighted=w is not None), vec(dict(D.out_degree(weight=w)), n))
        np.testing.assert_allclose(M.degree(net, weighted=w is not None), vec(dict(G.degree(weight=w)), n))
    np.testing.assert_allclose(M.degree(net, normalized=True), vec(nx.degree_centrality(G), n))
    if G.is_directed():
        np.testing.assert_allclose(M.in_degree(net, normalized=True), vec(nx.in_degree_centrality(G), n))
        np.testing.assert_allclose(M.out_degree(net, normalized=True), vec(nx.out_degree_centrality(G), n))
    ego = [len(set(nx.all_neighbors(G, v))) for v in range(n)]
    np.testing.assert_array_equal(M.ego_network_size(net), ego)


def test_tie_strength_and_parallel_edges_self_loops():
    # 0->1 twice (layers), 1->0, 2->2 self-loop, 1->2
    net = ClusterNetwork(ids=["a", "b", "c", "d"], src=[0, 0, 1, 2, 1], dst=[1, 1, 0, 2, 2],
                         weight=[1.0, 2.0, 4.0, 9.0, 0.5])
    p = M.prepare(net)
    assert p.self_loops == 1 and p.merged == 1 and p.m == 3
    np.testing.assert_allclose(M.out_degree(net, weighted=True), [3.0, 4.5, 0.0, 0.0])
    np.testing.assert_array_equal(M.out_degree(net), [1, 2, 0, 0])
    np.testing.assert_array_equal(M.ego_network_size(net), [1, 2, 1, 0])
    # actor b: ties b->a (4), b->c (0.5), a->b (3) => mean 2.5
    ts = M.tie_strength(net)
    np.testing.assert_allclose(ts[:3], [3.5, 2.5, 0.5])
    assert np.isnan(ts[3])
    assert M.mean_tie_strength(net) == pytest.approx((3 + 4 + 0.5) / 3)


# ------------------------------------------------------------------------------ betweenness


@pytest.mark.parametrize("G", GRAPHS)
def test_betweenness_matches_networkx(G):
    net, n = net_of(G), G.number_of_nodes()
    for norm in (True, False):
        np.testing.assert_allclose(M.betweenness(net, normalized=norm),
                                   vec(nx.betweenness_centrality(G, normalized=norm), n), atol=1e-12)
        np.testing.assert_allclose(M.betweenness(net, normalized=norm, weighted=True),
                                   vec(nx.betweenness_centrality(G, normalized=norm, weight="dist"), n),
                                   atol=1e-12)


def test_betweenness_weighted_ties_with_equal_lengths():
    # weights 1, 2, 4 give lengths 1, .5, .25: exact binary fractions, so tied paths are tied
    G = nx.gnp_random_graph(30, 0.2, seed=5, directed=True)
    rng = np.random.default_rng(5)
    for u, v in G.edges:
        G[u][v]["weight"] = float(rng.choice([1.0, 2.0, 4.0]))
        G[u][v]["dist"] = 1.0 / G[u][v]["weight"]
    np.testing.assert_allclose(M.betweenness(net_of(G), weighted=True),
                               vec(nx.betweenness_centrality(G, weight="dist"), 30), atol=1e-12)


@pytest.mark.parametrize("directed", [True, False])
def test_sampled_betweenness_is_the_pivot_estimate(directed):
    G = nx.gnp_random_graph(40, 0.12, seed=3, directed=directed)
    net, n, k = net_of(G), 40, 10
    S = _sources(n, k, 7)
    ref = vec(nx.betweenness_centrality_subset(G, S, list(G), normalized=False), n) * n / k
    np.testing.assert_allclose(M.betweenness(net, normalized=False, samples=k, seed=7), ref, atol=1e-9)
    # samples >= n is exact
    np.testing.assert_allclose(M.betweenness(net, samples=n), M.betweenness(net))
    # unbiased: the mean of many estimates is close to the exact value
    est = np.mean([M.betweenness(net, samples=k, seed=s) for s in range(300)], axis=0)
    exact = M.betweenness(net)
    assert np.abs(est - exact).max() < 0.25 * exact.max()


# ------------------------------------------------------------------------------ closeness


@pytest.mark.parametrize("G", GRAPHS)
def test_closeness_matches_networkx(G):
    net, n = net_of(G), G.number_of_nodes()
    R = G.reverse() if G.is_directed() else G
    U = undirected_sum(G)
    for mode, H in (("in", G), ("out", R), ("all", U)):
        for w in (False, True):
            dist = "dist" if w else None
            np.testing.assert_allclose(M.closeness(net, mode=mode, weighted=w),
                                       vec(nx.harmonic_centrality(H, distance=dist), n) / (n - 1), atol=1e-12)
            np.testing.assert_allclose(M.closeness(net, mode=mode, kind="wf", weighted=w),
                                       vec(nx.closeness_centrality(H, distance=dist), n), atol=1e-12)


def test_sampled_closeness_estimate():
    G = nx.gnp_random_graph(40, 0.08, seed=4, directed=True)
    net, n, k = net_of(G), 40, 9
    S = _sources(n, k, 1)
    ref = np.zeros(n)
    for u in S:
        for v, d in nx.single_source_shortest_path_length(G, u).items():
            if v != u:
                ref[v] += 1.0 / d
    ref *= n / k / (n - 1)
    np.testing.assert_allclose(M.closeness(net, samples=k, seed=1, chunk=4), ref, atol=1e-12)
    with pytest.raises(M.MeasureError):
        M.closeness(net, kind="wf", samples=5)


# ------------------------------------------------------------------------------ spectral


def _connected(directed, seed, n=30, p=0.15):
    while True:
        G = nx.gnp_random_graph(n, p, seed=seed, directed=directed)
        ok = nx.is_strongly_connected(G) if directed else nx.is_connected(G)
        if ok:
            return weighted(G, seed)
        seed += 100


@pytest.mark.parametrize("directed", [True, False])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_eigenvector_matches_networkx(directed, seed):
    G = _connected(directed, seed)
    net, n = net_of(G), G.number_of_nodes()
    for w in (None, "weight"):
        ref = vec(nx.eigenvector_centrality(G, weight=w, tol=1e-12, max_iter=10000), n)
        ours = M.eigenvector(net, weighted=w is not None, scale="l2")
        np.testing.assert_allclose(ours, ref, atol=1e-6)
        np.testing.assert_allclose(M.eigenvector(net, weighted=w is not None), ref / ref.max(), atol=1e-6)


@pytest.mark.parametrize("G", GRAPHS)
def test_pagerank_matches_networkx(G):
    net, n = net_of(G), G.number_of_nodes()
    for w in (None, "weight"):
        ref = vec(nx.pagerank(G, weight=w, tol=1e-13, max_iter=10000), n)
        np.testing.assert_allclose(M.pagerank(net, weighted=w is not None), ref, atol=1e-9)
    np.testing.assert_allclose(M.pagerank(net, damping=0.6),
                               vec(nx.pagerank(G, alpha=0.6, weight=None, tol=1e-13), n), atol=1e-9)


# ------------------------------------------------------------------------------ Burt


@pytest.mark.parametrize("G", GRAPHS)
def test_burt_wrappers_match_networkx(G):
    net, n = net_of(G), G.number_of_nodes()
    # networkx returns NaN for actors without out-ties (it tests len(G[v]) == 0 on a DiGraph);
    # by Burt's definition they have a value when they have in-ties, as ours do
    no_out = np.array([len(G[v]) == 0 for v in range(n)])
    has_any = M.ego_network_size(net) > 0
    for w in ("weight", None):
        for ours_f, nx_f in ((M.burt_constraint, nx.constraint), (M.burt_effective_size, nx.effective_size)):
            ours = ours_f(net, weighted=w is not None)
            ref = vec(nx_f(G, nodes=list(G), weight=w), n)
            np.testing.assert_allclose(ours[~no_out], ref[~no_out], rtol=1e-9, equal_nan=True)
            assert np.isfinite(ours[has_any]).all() and np.isnan(ours[~has_any]).all()
    if G.is_directed() and (no_out & has_any).any():
        # for those actors, networkx's definition on the reversed graph gives the value
        R = G.reverse()
        v = int(np.flatnonzero(no_out & has_any)[0])
        assert M.burt_constraint(net)[v] == pytest.approx(nx.constraint(R, nodes=[v], weight="weight")[v])


# ------------------------------------------------------------------------------ cluster level


@pytest.mark.parametrize("G", GRAPHS)
def test_cluster_level_matches_networkx(G):
    net = net_of(G)
    assert M.density(net) == pytest.approx(nx.density(G))
    U = G.to_undirected() if G.is_directed() else G
    assert M.transitivity(net) == pytest.approx(nx.transitivity(U))
    if G.is_directed():
        assert M.reciprocity(net) == pytest.approx(nx.reciprocity(G))
        comps = list(nx.weakly_connected_components(G))
        strong = list(nx.strongly_connected_components(G))
        assert M.components(net, mode="strong") == (len(strong), max(map(len, strong)))
    else:
        assert math.isnan(M.reciprocity(net))
        comps = list(nx.connected_components(G))
    assert M.components(net) == (len(comps), max(map(len, comps)))
    ws = [d for _, _, d in G.edges(data="weight")]
    assert M.mean_tie_strength(net) == pytest.approx(np.mean(ws))


def test_degree_centralization_star_and_ring():
    assert M.degree_centralization(net_of(nx.star_graph(6))) == pytest.approx(1.0)
    assert M.degree_centralization(net_of(nx.cycle_graph(6))) == pytest.approx(0.0)
    # path of 4: degrees 1,2,2,1 -> (1+0+0+1)/(3*2)
    assert M.degree_centralization(net_of(nx.path_graph(4))) == pytest.approx(2 / 6)


# ------------------------------------------------------------------------------ Gould-Fernandez


def brute_gf(n, flows, groups):
    """Reference: every ordered triple (a, b, c) of distinct actors."""
    F = np.zeros((n, n), bool)
    for a, c in flows:
        if a != c:
            F[a, c] = True
    out = {r: np.zeros(n, np.int64) for r in ROLES}
    for a, b, c in itertools.permutations(range(n), 3):
        if not (F[a, b] and F[b, c]) or F[a, c]:
            continue
        ga, gb, gc = groups[a], groups[b], groups[c]
        if ga is None or gb is None or gc is None:
            continue
        if ga == gb == gc:
            r = "coordinator"
        elif ga == gc:
            r = "itinerant"
        elif ga == gb:
            r = "representative"
        elif gb == gc:
            r = "gatekeeper"
        else:
            r = "liaison"
        out[r][b] += 1
    return out


def _gf_case(seed, directed, n=22, p=0.18, hub=True):
    G = nx.gnp_random_graph(n, p, seed=seed, directed=directed)
    rng = np.random.default_rng(seed)
    if hub:  # actor 0 asks many and is asked by many: exercises both subtraction strategies
        for v in rng.choice(np.arange(1, n), size=n // 2, replace=False):
            G.add_edge(int(v), 0)
        for v in rng.choice(np.arange(1, n), size=n // 3, replace=False):
            G.add_edge(0, int(v))
    groups = [str(g) for g in rng.choice(["A", "B", "C", "D"], size=n, p=[0.4, 0.3, 0.2, 0.1])]
    groups[int(rng.integers(n))] = None
    return G, groups


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("directed", [True, False])
def test_gould_fernandez_matches_brute_force(seed, directed):
    G, groups = _gf_case(seed, directed)
    n = G.number_of_nodes()
    net = net_of(G, {"grp": groups})
    edges = list(G.edges())
    if not directed:
        edges = edges + [(v, u) for u, v in edges]
    for direction, flows in (("edges", edges), ("knowledge", [(v, u) for u, v in edges])):
        ours = M.gould_fernandez(net, "grp", direction=direction)
        ref = brute_gf(n, flows, groups)
        for r in ROLES:
            np.testing.assert_array_equal(ours[r], ref[r], err_msg=f"{r} ({direction})")
        assert sum(ours[r].sum() for r in ROLES) > 0


def test_gould_fernandez_hand_built_roles():
    # knowledge flows a -> b -> c; stored edges (asks) are reversed: b asks a, c asks b
    def roles(ga, gb, gc):
        net = ClusterNetwork(ids=["a", "b", "c"], src=[1, 2], dst=[0, 1], weight=[1, 1])
        net.attributes = pd.DataFrame({"id": net.ids, "g": [ga, gb, gc]})
        r = M.gould_fernandez(net, "g")
        return {k: int(v[1]) for k, v in r.items() if v[1]}, int(sum(v[[0, 2]].sum() for v in r.values()))

    assert roles("x", "x", "x") == ({"coordinator": 1}, 0)
    assert roles("x", "y", "x") == ({"itinerant": 1}, 0)
    assert roles("x", "x", "y") == ({"representative": 1}, 0)
    assert roles("y", "x", "x") == ({"gatekeeper": 1}, 0)
    assert roles("x", "y", "z") == ({"liaison": 1}, 0)
    # closing the triad (c asks a directly) removes the brokerage
    net = ClusterNetwork(ids=["a", "b", "c"], src=[1, 2, 2], dst=[0, 1, 0], weight=[1, 1, 1])
    net.attributes = pd.DataFrame({"id": net.ids, "g": ["y", "x", "x"]})
    assert M.gould_fernandez(net, "g")["gatekeeper"].sum() == 0
    with pytest.raises(M.MeasureError, match="no attribute column"):
        M.gould_fernandez(net, "stage")


# ------------------------------------------------------------------------------ core-periphery


def planted_cp(n=80, core=12, p_cc=0.9, p_cp=0.25, p_pp=0.02, seed=0):
    rng = np.random.default_rng(seed)
    G = nx.Graph()
    G.add_nodes_from(range(n))
    perm = rng.permutation(n)
    is_core = np.zeros(n, bool)
    is_core[perm[:core]] = True
    for i, j in itertools.combinations(range(n), 2):
        pr = p_cc if is_core[i] and is_core[j] else p_cp if is_core[i] or is_core[j] else p_pp
        if rng.random() < pr:
            G.add_edge(i, j)
    return G, is_core


def _dense_corr(G, x):
    n = G.number_of_nodes()
    A = nx.to_numpy_array(G, nodelist=range(n), weight=None)
    iu = np.triu_indices(n, 1)
    return A, iu, np.corrcoef(A[iu], x[iu])[0, 1]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_core_periphery_recovers_planted_core(seed):
    G, is_core = planted_cp(seed=seed)
    net = net_of(G)
    cp = M.core_periphery(net)
    np.testing.assert_array_equal(cp.core, is_core)
    assert cp.converged
    assert cp.coreness[is_core].min() > cp.coreness[~is_core].max()
    # fits agree with a dense computation
    c = cp.coreness
    A, iu, r = _dense_corr(G, np.outer(c, c))
    assert cp.fit_continuous == pytest.approx(r, rel=1e-9)
    delta = np.outer(cp.core, cp.core).astype(float)
    keep = (np.add.outer(cp.core.astype(int), cp.core.astype(int)) != 1)[iu]  # core-periphery pairs left out
    assert cp.fit_discrete == pytest.approx(np.corrcoef(A[iu][keep], delta[iu][keep])[0, 1], rel=1e-9)
    assert M.core_periphery_fit(net, cp.core) == pytest.approx(cp.fit_discrete, rel=1e-12)
    one = M.core_periphery(net, pattern="one")
    delta1 = np.logical_or.outer(one.core, one.core).astype(float)
    assert one.fit_discrete == pytest.approx(np.corrcoef(A[iu], delta1[iu])[0, 1], rel=1e-9)


def test_core_periphery_minres_stationary_and_local_optimum():
    G, _ = planted_cp(n=50, core=8, p_cp=0.3, p_pp=0.05, seed=9)
    net = net_of(G)
    cp = M.core_periphery(net, tol=1e-12, max_iter=5000)
    A = nx.to_numpy_array(G, nodelist=range(50), weight=None)
    c = cp.coreness
    # minres stationarity: c_i is proportional to (A c)_i / (sum_j c_j^2 - c_i^2) ...
    alpha2 = (c @ A @ c) / ((c @ c) ** 2 - (c ** 4).sum())
    cs = np.sqrt(alpha2) * c
    g = A @ cs / ((cs @ cs) - cs ** 2)
    np.testing.assert_allclose(g, cs, rtol=1e-6, atol=1e-9)
    # ... and no single move between core and periphery raises the discrete fit
    for i in range(50):
        flipped = cp.core.copy()
        flipped[i] = not flipped[i]
        f = M.core_periphery_fit(net, flipped)
        assert not (f > cp.fit_discrete + 1e-12)


def test_core_periphery_small_exhaustive():
    G, _ = planted_cp(n=12, core=4, p_cc=1.0, p_cp=0.5, p_pp=0.05, seed=2)
    net = net_of(G)
    cp = M.core_periphery(net)
    best = max(M.core_periphery_fit(net, np.array(bits, bool))
               for bits in itertools.product([0, 1], repeat=12) if 2 <= sum(bits) <= 10)
    assert cp.fit_discrete == pytest.approx(best, rel=1e-12)


# ------------------------------------------------------------------------------ communities


def test_leiden_recovers_planted_partition_and_is_reproducible():
    sizes = [30, 25, 20, 15]
    G = nx.random_partition_graph(sizes, 0.35, 0.01, seed=3, directed=True)
    blocks = np.repeat(np.arange(4), sizes)
    net = net_of(G)
    state = random.getstate()
    c1 = M.leiden(net, seed=11)
    assert random.getstate() == state  # the module's generator is not consumed
    c2 = M.leiden(net, seed=11)
    np.testing.assert_array_equal(c1.membership, c2.membership)
    assert c1.count == 4
    # same partition as the blocks (labels are canonical: 0 = largest block)
    np.testing.assert_array_equal(c1.membership, blocks)
    U = undirected_sum(G)
    comms = [set(np.flatnonzero(c1.membership == k)) for k in range(c1.count)]
    assert c1.modularity == pytest.approx(nx.community.modularity(U, comms, weight="weight"))
    assert M.modularity(net, blocks) == pytest.approx(c1.modularity)


# ------------------------------------------------------------------------------ roles


def gb_net(openness=True):
    # stored edges: src asks dst. Actor:      in (asked by)   out (asks)
    #   0 gatekeeper       asked by 1,3,4; asks 1,2,3         in 3, out 3
    #   1 mutual exchanger asked by 0,2,3,5; asks 0,2,4       in 4, out 3
    #   2 source           asked by 0,1,3,4,5; asks 1         in 5, out 1
    #   3 absorber         asked by 0; asks 0,1,2,4,5          in 1, out 5
    #   4 weakly connected asked by 1,3; asks 0,2             in 2, out 2
    #   5 weak, external star  asked by 3; asks 1, 2          in 1, out 2
    #   6 isolated
    #   7 isolated external star
    asks = {0: [1, 2, 3], 1: [0, 2, 4], 2: [1], 3: [0, 1, 2, 4, 5], 4: [0, 2], 5: [1, 2]}
    src = [s for s, ds in asks.items() for _ in ds]
    dst = [d for ds in asks.values() for d in ds]
    net = ClusterNetwork(ids=[f"f{i}" for i in range(8)], src=src, dst=dst, weight=np.ones(len(src)))
    attrs = {"id": net.ids}
    if openness:
        attrs["external_ties"] = [6, 0, 1, 0, 0, 9, 0, 7]
    net.attributes = pd.DataFrame(attrs)
    return net


def test_giuliani_bell_roles_hand_built():
    net = gb_net()
    np.testing.assert_array_equal(M.in_degree(net), [3, 4, 5, 1, 2, 1, 0, 0])
    np.testing.assert_array_equal(M.out_degree(net), [3, 3, 1, 5, 2, 2, 0, 0])
    # means: in 2, out 2 (actor 4 is not above them); openness k/(k+1) mean ~ 0.39
    roles = M.giuliani_bell_roles(net)
    assert list(roles) == ["technological_gatekeeper", "active_mutual_exchanger", "source", "absorber",
                           "weakly_connected", "weakly_connected", "isolated", "isolated"]
    np.testing.assert_array_equal(M.external_stars(net), [False] * 5 + [True, False, True])
    # a numeric threshold moves actor 4 (in 2, out 2) into the high/high class
    r2 = M.giuliani_bell_roles(net, in_threshold=1.5, out_threshold=1.5)
    assert r2[4] == "active_mutual_exchanger" and r2[5] == "absorber"
    # median thresholds: in median 1.5, out median 2.0
    r3 = M.giuliani_bell_roles(net, in_threshold="median", out_threshold="median")
    assert r3[4] == "source"
    # without openness data, high/high actors are gatekeepers and nobody is an external star
    bare = gb_net(openness=False)
    assert list(M.giuliani_bell_roles(bare)[:2]) == ["technological_gatekeeper"] * 2
    assert not M.external_stars(bare).any()
    assert np.isnan(M.external_openness(bare)).all()
    with pytest.raises(M.MeasureError):
        M.giuliani_bell_roles(net, in_threshold="mode")


def test_external_openness_sources():
    net = gb_net()
    np.testing.assert_allclose(M.external_openness(net), np.array([6, 0, 1, 0, 0, 9, 0, 7]) / np.array(
        [7, 1, 2, 1, 1, 10, 1, 8]))
    net.attributes = pd.DataFrame({"id": net.ids, "export_share": [50, 0, 10, None, 0, 100, 0, 20]})
    o = M.external_openness(net)
    np.testing.assert_allclose(o[[0, 1, 2, 5]], [0.5, 0.0, 0.1, 1.0])
    assert np.isnan(o[3])


def test_focal_firms_hand_built():
    # a star of vertical ties around actor 0 plus a horizontal clique among 5..8
    src, dst, layer = [], [], []
    for v in range(1, 9):
        src.append(v), dst.append(0), layer.append("vertical")
    for u, v in itertools.combinations(range(5, 9), 2):
        src.append(u), dst.append(v), layer.append("horizontal")
    for u, v in [(5, 9), (6, 9), (7, 9), (8, 9), (9, 10)]:
        src.append(u), dst.append(v), layer.append("horizontal")
    net = ClusterNetwork(ids=[f"f{i}" for i in range(12)], src=src, dst=dst, weight=np.ones(len(src)),
                         layer=np.array(layer))
    net.attributes = pd.DataFrame({"id": net.ids, "external_ties": [5] + [0] * 8 + [1, 0, 0]})
    score = M.focal_firm_score(net)
    assert np.argmax(score) == 0
    flag = M.focal_firms(net, top=0.1)  # ceil(1.2) = 2 candidates
    assert flag.sum() == 2 and flag[0] and not flag[11]
    assert M.focal_firms(net, top=1).sum() == 1
    # actor 9 has the highest all-tie degree among 5..9 but no vertical ties
    assert score[9] < score[0]


# ------------------------------------------------------------------------------ lock-in


def test_lock_in_indicators_tiny():
    tri = ClusterNetwork(ids=["a", "b", "c"], src=[0, 1, 2], dst=[1, 2, 0], weight=[1, 1, 1])
    tri.attributes = pd.DataFrame({"id": tri.ids, "external_ties": [0, 0, 2]})
    P = np.array([[1.0, 0.9, 0.2], [0.5, 1.0, 0.8], [0.7, 0.1, 1.0]])
    assert M.cognitive_homogeneity(tri, P) == pytest.approx((0.9 + 0.8 + 0.7) / 3)
    # a DataFrame is aligned by labels, whatever its order
    df = pd.DataFrame(P, index=["a", "b", "c"], columns=["a", "b", "c"]).loc[["c", "a", "b"], ["b", "c", "a"]]
    assert M.cognitive_homogeneity(tri, df) == pytest.approx(0.8)
    assert M.cognitive_homogeneity(tri, sp.csr_matrix(P)) == pytest.approx(0.8)
    li = M.lock_in_indicators(tri, P)
    assert li["closure"] == pytest.approx(1.0)
    assert li["external_ties_mean"] == pytest.approx(2 / 3) and li["external_ties_median"] == 0.0
    assert li["external_share"] == pytest.approx(1 / 3)
    assert li["risk_closure"] and li["risk_homogeneity"] and not li["risk_openness"]
    assert li["lock_in_score"] == pytest.approx(2 / 3) and li["lock_in_risk"]
    # an open star: no closure, proximity low, everyone has pipelines -> no risk
    star = ClusterNetwork(ids=["a", "b", "c"], src=[1, 2], dst=[0, 0], weight=[1, 1], directed=False)
    star.attributes = pd.DataFrame({"id": star.ids, "external_ties": [3, 1, 2]})
    li2 = M.lock_in_indicators(star, P)
    assert li2["closure"] == 0.0 and not li2["lock_in_risk"]
    # undirected ties average both directions: (0.9+0.5)/2 and (0.2+0.7)/2
    assert li2["cognitive_homogeneity"] == pytest.approx((0.7 + 0.45) / 2)
    # without proximity only two indicators: both must be in the risk zone
    tri.attributes["external_ties"] = [0, 0, 0]
    li3 = M.lock_in_indicators(tri)
    assert li3["cognitive_homogeneity"] is None and li3["risk_openness"] and li3["lock_in_risk"]
    with pytest.raises(M.MeasureError):
        M.cognitive_homogeneity(tri, np.ones((2, 2)))
    with pytest.raises(M.MeasureError, match="lacks"):
        M.cognitive_homogeneity(tri, df.drop(index="a"))


# ------------------------------------------------------------------------------ table


def test_firm_table_and_summary(monkeypatch):
    G = weighted(nx.gnp_random_graph(40, 0.1, seed=8, directed=True), 8)
    rng = np.random.default_rng(8)
    net = net_of(G, {"kind": rng.choice(["sme", "focal", "university"], 40),
                     "external_ties": rng.integers(0, 4, 40), "betweenness": np.zeros(40)})
    table, summary = M.analyze(net, group="kind")
    assert len(table) == 40 and list(table["id"]) == list(net.ids)
    assert list(table.columns[:4]) == ["id", "kind", "external_ties", "attr_betweenness"]
    for c in M.table.MEASURE_COLUMNS + M.table.GF_COLUMNS:
        assert c in table.columns, c
    np.testing.assert_allclose(table["betweenness"], M.betweenness(net))
    np.testing.assert_array_equal(table["gf_total"], sum(table[f"gf_{r}"] for r in ROLES))
    json.dumps(summary, allow_nan=False)
    assert summary["n_actors"] == 40 and summary["density"] == pytest.approx(nx.density(G))
    assert summary["brokerage"]["gatekeeper"] == int(table["gf_gatekeeper"].sum())
    assert sum(summary["gb_roles"].values()) == 40
    assert summary["methods"]["samples"] is None
    # above exact_limit betweenness and closeness are sampled
    monkeypatch.setattr(M.table, "AUTO_SAMPLES", 12)
    t2, s2 = M.analyze(net, exact_limit=10, samples="auto")
    assert s2["methods"]["samples"] == 12
    np.testing.assert_allclose(t2["closeness_in"], M.closeness(net, samples=12, seed=0))
    assert M.analyze(net, exact_limit=40)[1]["methods"]["samples"] is None
    t3, s3 = M.analyze(net, samples=10, seed=3)
    assert s3["methods"]["samples"] == 10 and "sampled" in s3["methods"]["betweenness"]
    np.testing.assert_allclose(t3["betweenness"], M.betweenness(net, samples=10, seed=3))
    assert "gf_total" not in M.firm_table(net).columns
    assert M.cluster_summary(net)["brokerage"] is None
    with pytest.raises(M.MeasureError, match="unknown threshold"):
        M.analyze(net, thresholds={"indegree": 1})

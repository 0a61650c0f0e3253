"""Tests for clusterlab.measures.structural_holes against networkx."""

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clusterlab.measures import constraint, csr_from_edges, effective_size

METHODS = ["auto", "pairs", "scan"]


def _csr_of(G, n=None):
    """CSR of a networkx graph with integer nodes 0..n-1 and 'weight' data."""
    n = G.number_of_nodes() if n is None else n
    edges = list(G.edges(data="weight", default=1.0))
    a = np.array([e[0] for e in edges], dtype=np.int64)
    b = np.array([e[1] for e in edges], dtype=np.int64)
    w = np.array([e[2] for e in edges], dtype=np.float64)
    return csr_from_edges(n, a, b, w)


def _nx_values(G, func):
    """networkx values in node order, from its per-node (definition) path."""
    d = func(G, nodes=list(G), weight="weight")
    return np.array([d[v] for v in range(G.number_of_nodes())], dtype=np.float64)


def _assert_matches_nx(G, method="auto"):
    indptr, indices, weights = _csr_of(G)
    for ours_f, nx_f in ((constraint, nx.constraint), (effective_size, nx.effective_size)):
        ours = ours_f(indptr, indices, weights, method=method)
        ref = _nx_values(G, nx_f)
        np.testing.assert_allclose(ours, ref, rtol=1e-6, atol=1e-9, equal_nan=True)
    return indptr, indices, weights


def _weighted(G, seed):
    rng = np.random.default_rng(seed)
    for u, v in G.edges:
        G[u][v]["weight"] = float(rng.uniform(0.1, 3.0))
    return G


def _hub_graph(seed=0, n=200, hub_deg=70, p=0.015):
    """Node 0 is a hub; the rest is a sparse random graph with random weights."""
    rng = np.random.default_rng(seed)
    G = nx.gnp_random_graph(n, p, seed=seed)
    for v in rng.choice(np.arange(1, n), size=hub_deg, replace=False):
        G.add_edge(0, int(v))
    return _weighted(G, seed + 1)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    "G",
    [
        pytest.param(_weighted(nx.star_graph(7), 1), id="star"),
        pytest.param(_weighted(nx.path_graph(9), 2), id="path"),
        pytest.param(_weighted(nx.complete_graph(8), 3), id="complete"),
        pytest.param(_weighted(nx.gnp_random_graph(60, 0.15, seed=4), 5), id="gnp"),
    ],
)
def test_matches_networkx(G, method):
    _assert_matches_nx(G, method)


def test_unweighted_known_values():
    # star with k leaves: centre constraint 1/k, leaves 1; effective size k and 1
    indptr, indices, weights = _csr_of(nx.star_graph(4))
    np.testing.assert_allclose(constraint(indptr, indices, weights), [0.25, 1, 1, 1, 1])
    np.testing.assert_allclose(effective_size(indptr, indices, weights), [4, 1, 1, 1, 1])
    # triangle: constraint (1/2 + 1/4)^2 * 2 = 1.125, effective size 2 - 2/2 = 1
    indptr, indices, weights = _csr_of(nx.complete_graph(3))
    np.testing.assert_allclose(constraint(indptr, indices, weights), [1.125] * 3)
    np.testing.assert_allclose(effective_size(indptr, indices, weights), [1.0] * 3)


def test_weighted_known_values():
    # edges 0-1 (1), 1-2 (2), 0-2 (3), 2-3 (1); by hand for ego 0:
    # p01 = 1/4, p02 = 3/4, p12 = 2/3, p21 = 2/6, max weights: m1 = 2, m2 = 3
    # c0 = (1/4 + 3/4 * 2/6)^2 + (3/4 + 1/4 * 2/3)^2 = 0.25 + 0.8402777...
    # e0 = (1 - 3/4 * 2/2) + (1 - 1/4 * 2/3) = 1.0833333...
    indptr, indices, weights = csr_from_edges(4, [0, 1, 0, 2], [1, 2, 2, 3], [1.0, 2, 3, 1])
    c = constraint(indptr, indices, weights, [0])
    e = effective_size(indptr, indices, weights, [0])
    np.testing.assert_allclose(c, [0.25 + (3 / 4 + 1 / 6) ** 2], rtol=1e-12)
    np.testing.assert_allclose(e, [1 / 4 + 5 / 6], rtol=1e-12)


def test_constraint_matches_networkx_matrix_path():
    # nodes=None in networkx (with scipy) takes a sparse-matrix route. Only
    # constraint is compared: networkx 3.6's matrix route for weighted
    # effective_size normalises by column instead of row maxima and
    # disagrees with its own per-node definition (see test above, e0).
    G = _weighted(nx.gnp_random_graph(40, 0.2, seed=11), 12)
    indptr, indices, weights = _csr_of(G)
    d = nx.constraint(G, weight="weight")
    ref = np.array([d[v] for v in range(40)])
    np.testing.assert_allclose(constraint(indptr, indices, weights), ref, rtol=1e-6)


@pytest.mark.parametrize("method", METHODS)
def test_isolated_node_is_nan(method):
    G = _weighted(nx.cycle_graph(5), 6)
    G.add_edge(1, 3, weight=0.7)
    G.add_node(5)  # isolated
    G.add_node(6)  # isolated
    indptr, indices, weights = _assert_matches_nx(G, method)
    c = constraint(indptr, indices, weights, method=method)
    e = effective_size(indptr, indices, weights, method=method)
    assert np.isnan(c[5]) and np.isnan(c[6])
    assert np.isnan(e[5]) and np.isnan(e[6])
    assert np.all(np.isfinite(c[:5])) and np.all(np.isfinite(e[:5]))


@pytest.mark.parametrize("method", METHODS)
def test_hub_graph(method):
    # hub degree 250 vs ~9 elsewhere: with "auto" egos next to the hub
    # binary-search the hub row while the hub ego scans its neighbours' rows
    _assert_matches_nx(_hub_graph(), method)


def test_branches_agree_on_hub_graph_and_nodes():
    G = _hub_graph(seed=3, n=4000, hub_deg=3500, p=0.002)
    indptr, indices, weights = _csr_of(G)
    nodes = np.array([0, 0, 5, 3999, 17, 0, 1234])
    for f in (constraint, effective_size):
        vals = [f(indptr, indices, weights, nodes, method=m) for m in METHODS]
        np.testing.assert_allclose(vals[1], vals[0], rtol=1e-12)
        np.testing.assert_allclose(vals[2], vals[0], rtol=1e-12)


def test_float32_weights():
    G = _hub_graph(seed=7, n=100, hub_deg=40, p=0.04)
    indptr, indices, weights = _csr_of(G)
    w32 = weights.astype(np.float32)
    # networkx on the float32-rounded weights
    H = G.copy()
    for u, v in H.edges:
        H[u][v]["weight"] = float(np.float32(H[u][v]["weight"]))
    for ours_f, nx_f in ((constraint, nx.constraint), (effective_size, nx.effective_size)):
        np.testing.assert_allclose(ours_f(indptr, indices, w32), _nx_values(H, nx_f), rtol=1e-6)


@pytest.mark.parametrize("method", METHODS)
def test_nodes_subset_matches_full(method):
    G = _hub_graph(seed=5)
    G.add_node(200)  # isolated
    indptr, indices, weights = _csr_of(G)
    nodes = np.array([200, 0, 7, 7, 150, 1, 0, 42], dtype=np.int32)
    for f in (constraint, effective_size):
        full = f(indptr, indices, weights, method=method)
        sub = f(indptr, indices, weights, nodes, method=method)
        assert sub.shape == nodes.shape
        np.testing.assert_array_equal(sub, full[nodes])
    assert constraint(indptr, indices, weights, np.array([], dtype=np.int64)).shape == (0,)


def test_csr_from_edges_sums_drops_sorts_symmetric():
    a = np.array([3, 0, 2, 1, 0, 2, 4, 1])
    b = np.array([0, 3, 2, 0, 1, 1, 4, 2])
    w = np.array([1.0, 2.0, 9.0, 0.5, 0.25, 4.0, 7.0, 1.5])
    indptr, indices, weights = csr_from_edges(5, a, b, w)
    assert indptr.dtype == np.int64 and indices.dtype == np.int32
    assert weights.dtype == np.float64
    # pairs: {0,3}: 1+2, {0,1}: 0.5+0.25, {1,2}: 4+1.5; self-loops (2,2), (4,4) dropped
    np.testing.assert_array_equal(indptr, [0, 2, 4, 5, 6, 6])
    np.testing.assert_array_equal(indices, [1, 3, 0, 2, 1, 0])
    np.testing.assert_allclose(weights, [0.75, 3.0, 0.75, 5.5, 5.5, 3.0])


def test_csr_from_edges_random_is_valid_symmetric_csr():
    rng = np.random.default_rng(0)
    n = 30
    a = rng.integers(0, n, 1000)  # many repeated pairs, in both orientations
    b = rng.integers(0, n, 1000)
    w = rng.uniform(0, 1, 1000)
    indptr, indices, weights = csr_from_edges(n, a, b, w)
    # dense reference with summed duplicates, no diagonal
    ref = np.zeros((n, n))
    for u, v, x in zip(a, b, w):
        if u != v:
            ref[u, v] += x
            ref[v, u] += x
    dense = np.zeros((n, n))
    rows = np.repeat(np.arange(n), np.diff(indptr))
    dense[rows, indices] = weights
    np.testing.assert_allclose(dense, ref)
    np.testing.assert_array_equal(dense != 0, ref != 0)
    for i in range(n):
        row = indices[indptr[i] : indptr[i + 1]]
        assert np.all(np.diff(row) > 0), f"row {i} not strictly ascending"
    np.testing.assert_array_equal(dense, dense.T)  # bitwise symmetric


def test_csr_from_edges_defaults_and_dtypes():
    indptr, indices, weights = csr_from_edges(3, [0, 1, 1], [1, 0, 2])
    np.testing.assert_array_equal(indptr, [0, 1, 3, 4])
    np.testing.assert_array_equal(indices, [1, 0, 2, 1])
    np.testing.assert_array_equal(weights, [2.0, 2.0, 1.0, 1.0])
    _, _, w32 = csr_from_edges(3, [0], [1], np.array([1.5], dtype=np.float32))
    assert w32.dtype == np.float32
    indptr, indices, weights = csr_from_edges(4, [], [])
    np.testing.assert_array_equal(indptr, [0, 0, 0, 0, 0])
    assert indices.size == 0 and weights.size == 0


@pytest.mark.parametrize(
    "args",
    [
        (3, [0, 3], [1, 1], None),  # out of range
        (3, [0, -1], [1, 1], None),
        (3, [0, 1], [1], None),  # length mismatch
        (3, [0], [1], [-1.0]),  # negative weight
        (3, [0], [1], [np.nan]),
    ],
)
def test_csr_from_edges_rejects_bad_input(args):
    with pytest.raises(ValueError):
        csr_from_edges(*args)


def test_rejects_malformed_csr():
    indptr = np.array([0, 2, 3, 4])
    good_idx = np.array([1, 2, 0, 0], dtype=np.int32)
    w = np.ones(4)
    cases = {
        "out of range": np.array([1, 3, 0, 0]),
        "unsorted": np.array([2, 1, 0, 0]),
        "duplicate": np.array([1, 1, 0, 0]),
        "self-loop": np.array([0, 2, 0, 0]),
    }
    for name, idx in cases.items():
        with pytest.raises(ValueError):
            constraint(indptr, idx, w)
    with pytest.raises(ValueError):  # would wrap to 0 in an unchecked int32 cast
        constraint(indptr, np.array([1, 2**32, 0, 0], dtype=np.int64), w)
    with pytest.raises(ValueError):
        constraint(indptr, good_idx, -w)
    with pytest.raises(ValueError):
        constraint(indptr, good_idx[:3], w[:3])
    with pytest.raises(ValueError):
        constraint(indptr, good_idx, w, nodes=[3])
    with pytest.raises(ValueError):
        effective_size(indptr, good_idx, w, method="dense")


@st.composite
def _graphs(draw):
    n = draw(st.integers(min_value=1, max_value=14))
    pairs = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1))
    edges = draw(st.lists(pairs, max_size=40))
    weights = draw(
        st.lists(
            st.floats(min_value=0.05, max_value=20.0, allow_nan=False),
            min_size=len(edges),
            max_size=len(edges),
        )
    )
    return n, edges, weights


@settings(max_examples=60, deadline=None)
@given(_graphs(), st.sampled_from(METHODS))
def test_property_constraint_range_and_networkx(graph, method):
    n, edges, weights = graph
    a = np.array([e[0] for e in edges], dtype=np.int64)
    b = np.array([e[1] for e in edges], dtype=np.int64)
    indptr, indices, w = csr_from_edges(n, a, b, np.array(weights, dtype=np.float64))
    c = constraint(indptr, indices, w, method=method)
    e = effective_size(indptr, indices, w, method=method)

    deg = np.diff(indptr)
    connected = deg > 0
    assert np.all(np.isnan(c[~connected])) and np.all(np.isnan(e[~connected]))
    # with v_j = p_ij + sum_q p_iq p_qj: each v_j <= 1 and sum_j v_j <= 2,
    # so c = sum_j v_j^2 <= 2; and c >= sum_j p_ij^2 >= 1/deg > 0
    assert np.all(np.isfinite(c[connected]))
    assert np.all(c[connected] >= 1.0 / deg[connected] - 1e-12)
    assert np.all(c[connected] <= 2.0 + 1e-9)
    # effective size lies in [1, degree]
    assert np.all(e[connected] >= 1 - 1e-9)
    assert np.all(e[connected] <= deg[connected] + 1e-9)

    G = nx.Graph()
    G.add_nodes_from(range(n))
    for i in range(n):
        for k in range(indptr[i], indptr[i + 1]):
            G.add_edge(i, int(indices[k]), weight=float(w[k]))
    np.testing.assert_allclose(c, _nx_values(G, nx.constraint), rtol=1e-6, equal_nan=True)
    np.testing.assert_allclose(e, _nx_values(G, nx.effective_size), rtol=1e-6, equal_nan=True)


def test_auto_cost_model_uses_both_branches_on_hub_graph():
    from clusterlab.measures.structural_holes import _use_scan

    indptr, indices, _ = _csr_of(_hub_graph())
    deg = np.diff(indptr)
    choices = {
        bool(_use_scan.py_func(0, deg[i], deg[q]))
        for i in range(deg.size)
        for q in indices[indptr[i] : indptr[i + 1]]
    }
    assert choices == {True, False}
    # the hub ego scans its small neighbours; a leaf of the hub searches the hub row
    assert _use_scan.py_func(0, deg[0], deg[indices[indptr[0]]])
    leaf = indices[indptr[0]]
    assert not _use_scan.py_func(0, deg[leaf], deg[0])

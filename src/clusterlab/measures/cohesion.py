"""Cluster-level structure: density, reciprocity, closure, components, tie strength.

The cluster-level side of Wang's (2013) structural dimension ("position, size, density") and
relational dimension (strong versus weak ties), on the simple graph of a
:class:`~clusterlab.data.ClusterNetwork` (self-loops dropped, parallel edges merged with
summed weights). Each function returns a Python number.

Wasserman, S. & Faust, K. (1994) *Social Network Analysis: Methods and Applications*. CUP.
"""

from __future__ import annotations

import math

import numpy as np

from ._graph import MeasureError, prepare

__all__ = [
    "components",
    "degree_centralization",
    "density",
    "mean_tie_strength",
    "reciprocity",
    "transitivity",
]


def density(net) -> float:
    """Share of possible ties present: ``m / (n (n - 1))`` directed, ``2 m / (n (n - 1))``
    undirected, on the simple graph (networkx ``density``; Wasserman & Faust 1994, 4.2).
    0 for fewer than two actors."""
    p = prepare(net)
    if p.n < 2:
        return 0.0
    pairs = p.n * (p.n - 1)
    return float(p.m / pairs if p.directed else 2 * p.m / pairs)


def reciprocity(net) -> float:
    """Share of directed ties whose reverse tie also exists (networkx ``reciprocity(G)``,
    igraph's default mode; Wasserman & Faust 1994, 13.2). Asking advice from a firm that
    asks you back is mutual exchange. A tie whose reverse cell was not observed (``NA``,
    ``net.missing``: a non-respondent's row) is left out: whether it is returned is unknown
    (`reciprocity_of`). NaN for undirected networks and networks without such ties."""
    p = prepare(net)
    if not p.directed or p.m == 0:
        return math.nan
    missing = getattr(p.net, "missing", None)
    if missing is not None and len(missing):
        return reciprocity_of(p.src, p.dst, missing)
    a, _, _ = p.und_edges
    mutual_pairs = p.m - a.size  # pairs with both directions present
    return float(2 * mutual_pairs / p.m)


def reciprocity_of(src, dst, missing=None) -> float:
    """``|{(i, j) in T : (j, i) in T}| / |T|`` over the distinct directed ties T (i != j)
    whose reverse cell was observed (`missing`: (K, 2) unobserved cells); NaN when none."""
    src, dst = np.asarray(src, np.int64), np.asarray(dst, np.int64)
    keep = src != dst
    src, dst = src[keep], dst[keep]
    miss = np.zeros((0, 2), np.int64) if missing is None else np.asarray(missing, np.int64).reshape(-1, 2)
    if not len(src):
        return math.nan
    n = int(max(src.max(), dst.max(), miss.max() if len(miss) else 0)) + 1
    fwd = np.unique(src * n + dst)
    back = (fwd % n) * n + fwd // n
    seen = ~np.isin(back, miss[:, 0] * n + miss[:, 1])
    return float(np.isin(back[seen], fwd).mean()) if seen.any() else math.nan


def transitivity(net) -> float:
    """Global clustering coefficient: ``3 x triangles / connected triples`` of the undirected
    view (networkx ``transitivity`` on the undirected graph; igraph
    ``transitivity_undirected``). Closure: the share of two-paths that are closed, the
    "closure" of Coleman (1988) and the closure side of lock-in (Boschma 2005). 0 without
    triples."""
    p = prepare(net)
    if p.m == 0:
        return 0.0
    return float(p.und_graph.transitivity_undirected(mode="zero"))


def components(net, *, mode: str = "weak") -> tuple[int, int]:
    """(number of connected components, size of the largest).

    ``mode="weak"`` (default) ignores direction (networkx
    ``number_weakly_connected_components`` / ``connected_components``); ``"strong"``
    gives strongly connected components of directed networks. Isolated actors are
    components of size 1.
    """
    p = prepare(net)
    if p.n == 0:
        return 0, 0
    if mode not in ("weak", "strong"):
        raise MeasureError(f"components mode must be 'weak' or 'strong', got {mode!r}")
    g = p.graph if (p.directed and mode == "strong") else p.und_graph
    cc = g.connected_components(mode="strong" if g.is_directed() else "weak")
    sizes = np.asarray(cc.sizes(), np.int64)
    return int(sizes.size), int(sizes.max())


def mean_tie_strength(net) -> float:
    """Mean strength (weight) over the distinct ties of the simple graph (relational
    dimension: Granovetter 1973's strong versus weak ties). A pair tied in several layers
    counts once with the summed weight. NaN without ties."""
    p = prepare(net)
    return float(p.weight.mean()) if p.m else math.nan


def degree_centralization(net) -> float:
    """Freeman's (1979) degree centralization of the undirected view:
    ``sum_i (d_max - d_i) / ((n - 1)(n - 2))``, 1 for a star and 0 when all actors have
    the same number of partners: how much the cluster's ties concentrate on a few actors
    (e.g. focal firms). 0 for fewer than three actors."""
    p = prepare(net)
    if p.n < 3:
        return 0.0
    d = p.und_count
    return float((d.max() - d).sum() / ((p.n - 1) * (p.n - 2)))

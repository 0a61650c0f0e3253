"""Shared graph views of a :class:`~clusterlab.data.ClusterNetwork` for the measures.

Every measure in :mod:`clusterlab.measures` works on the *simple* graph of a network:

- self-loops are dropped (asking oneself for advice carries no knowledge);
- parallel edges (the same ordered pair in several layers or rows; for undirected
  networks the same unordered pair) are merged into one tie whose weight is the sum of
  their weights, so a pair tied in two layers has a stronger tie, not two ties.

Direction: an edge ``src -> dst`` means src asks dst for advice, so knowledge flows
``dst -> src`` (see :mod:`clusterlab.data`). Each measure states how it uses direction.

:func:`prepare` builds these views once (igraph graphs, CSR adjacencies) and every measure
accepts either a ``ClusterNetwork`` or the prepared object, so computing many measures on
one network converts it only once.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from ..errors import ClusterlabError

__all__ = ["MeasureError", "PreparedNetwork", "prepare"]


class MeasureError(ClusterlabError, ValueError):
    """A measure cannot be computed from the given input (bad column, shape or option)."""


class PreparedNetwork:
    """The simple-graph views of a ClusterNetwork, each built on first use.

    Attributes
    ----------
    net : ClusterNetwork
        The network it was built from.
    n : int
        Number of actors.
    directed : bool
    src, dst, weight : numpy.ndarray
        The simple graph's ties (int64, int64, float64), sorted by ``(src, dst)``. For an
        undirected network ``src < dst``.
    """

    def __init__(self, net):
        self.net = net
        n = int(net.n)
        self.n = n
        self.directed = bool(net.directed)
        src = np.asarray(net.src, np.int64)
        dst = np.asarray(net.dst, np.int64)
        w = np.asarray(net.weight, np.float64)
        if not (src.shape == dst.shape == w.shape) or src.ndim != 1:
            raise MeasureError("network src, dst and weight must be 1-D arrays of equal length")
        if src.size and (min(src.min(), dst.min()) < 0 or max(src.max(), dst.max()) >= n):
            raise MeasureError(f"network edge ends must lie in [0, {n})")
        if w.size and not np.all(np.isfinite(w)):
            raise MeasureError("network edge weights must be finite")
        if w.size and w.min() < 0:
            raise MeasureError("network edge weights must be non-negative")
        keep = src != dst
        self.self_loops = int(src.size - keep.sum())
        s, d, w = src[keep], dst[keep], w[keep]
        if not self.directed:
            s, d = np.minimum(s, d), np.maximum(s, d)
        key = s * n + d
        uniq, inv = np.unique(key, return_inverse=True)
        self.weight = np.bincount(inv, weights=w, minlength=uniq.size) if uniq.size else np.zeros(0)
        self.src = uniq // n if n else uniq
        self.dst = uniq % n if n else uniq
        self.merged = int(s.size - uniq.size)

    # ---------------------------------------------------------------- sizes

    @property
    def m(self) -> int:
        """Number of ties of the simple graph."""
        return int(self.src.size)

    @cached_property
    def out_count(self) -> np.ndarray:
        """Distinct actors each actor asks (undirected: neighbours)."""
        if not self.directed:
            return self.und_count
        return np.bincount(self.src, minlength=self.n).astype(np.int64)

    @cached_property
    def in_count(self) -> np.ndarray:
        """Distinct actors asking each actor (undirected: neighbours)."""
        if not self.directed:
            return self.und_count
        return np.bincount(self.dst, minlength=self.n).astype(np.int64)

    @cached_property
    def out_strength(self) -> np.ndarray:
        if not self.directed:
            return self.und_strength
        return np.bincount(self.src, weights=self.weight, minlength=self.n)

    @cached_property
    def in_strength(self) -> np.ndarray:
        if not self.directed:
            return self.und_strength
        return np.bincount(self.dst, weights=self.weight, minlength=self.n)

    # ---------------------------------------------------------------- undirected view

    @cached_property
    def und_edges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each connected pair once (a < b); weights of both directions summed."""
        if not self.directed:
            return self.src, self.dst, self.weight
        a, b = np.minimum(self.src, self.dst), np.maximum(self.src, self.dst)
        key = a * self.n + b
        uniq, inv = np.unique(key, return_inverse=True)
        w = np.bincount(inv, weights=self.weight, minlength=uniq.size) if uniq.size else np.zeros(0)
        return uniq // self.n, uniq % self.n, w

    @cached_property
    def und_count(self) -> np.ndarray:
        """Number of distinct alters (in or out) of each actor."""
        a, b, _ = self.und_edges
        return (np.bincount(a, minlength=self.n) + np.bincount(b, minlength=self.n)).astype(np.int64)

    @cached_property
    def und_strength(self) -> np.ndarray:
        a, b, w = self.und_edges
        return np.bincount(a, weights=w, minlength=self.n) + np.bincount(b, weights=w, minlength=self.n)

    @cached_property
    def und_csr(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Symmetric CSR (indptr, indices, weights) of the undirected view, rows sorted."""
        from .structural_holes import csr_from_edges

        a, b, w = self.und_edges
        return csr_from_edges(self.n, a, b, w)

    # ---------------------------------------------------------------- directed adjacency

    @cached_property
    def out_csr(self) -> tuple[np.ndarray, np.ndarray]:
        """(indptr, indices): whom each actor asks, sorted (undirected: neighbours)."""
        if not self.directed:
            p, i, _ = self.und_csr
            return p, i
        indptr = np.zeros(self.n + 1, np.int64)
        np.cumsum(np.bincount(self.src, minlength=self.n), out=indptr[1:])
        return indptr, self.dst.astype(np.int32)

    @cached_property
    def in_csr(self) -> tuple[np.ndarray, np.ndarray]:
        """(indptr, indices): who asks each actor, sorted (undirected: neighbours)."""
        if not self.directed:
            p, i, _ = self.und_csr
            return p, i
        order = np.argsort(self.dst * self.n + self.src, kind="stable")
        indptr = np.zeros(self.n + 1, np.int64)
        np.cumsum(np.bincount(self.dst, minlength=self.n), out=indptr[1:])
        return indptr, self.src[order].astype(np.int32)

    # ---------------------------------------------------------------- igraph

    @cached_property
    def graph(self):
        """igraph Graph of the simple graph (directed as the network), edge attr ``weight``."""
        import igraph as ig

        g = ig.Graph(n=self.n, edges=np.column_stack([self.src, self.dst]), directed=self.directed)
        g.es["weight"] = self.weight
        return g

    @cached_property
    def und_graph(self):
        """Undirected igraph Graph of the undirected view (weights of both directions summed)."""
        if not self.directed:
            return self.graph
        import igraph as ig

        a, b, w = self.und_edges
        g = ig.Graph(n=self.n, edges=np.column_stack([a, b]), directed=False)
        g.es["weight"] = w
        return g

    @cached_property
    def inverse_weight(self) -> np.ndarray:
        """Tie lengths 1 / weight for path-based measures (stronger tie = shorter path)."""
        with np.errstate(divide="ignore"):
            return 1.0 / self.weight

    # ---------------------------------------------------------------- attributes

    @property
    def attributes(self):
        return self.net.attributes


def prepare(net) -> PreparedNetwork:
    """The simple-graph views of ``net``; a PreparedNetwork is returned unchanged.

    Pass the result instead of the network to several measures to convert it only once.
    The prepared object does not follow later changes of ``net``.
    """
    if isinstance(net, PreparedNetwork):
        return net
    if not all(hasattr(net, a) for a in ("ids", "src", "dst", "weight", "directed")):
        raise MeasureError(f"expected a ClusterNetwork, got {type(net).__name__}")
    return PreparedNetwork(net)

"""Burt's structural-hole measures (constraint, effective size) on CSR graphs.

References
----------
Burt, R.S. (1992) *Structural Holes: The Social Structure of Competition*.
Cambridge, MA: Harvard University Press.

Input convention
----------------
Every function here takes an undirected weighted graph with ``N`` nodes as a
symmetric CSR adjacency:

``indptr``
    int64 array of length ``N + 1``; ``indptr[0] == 0`` and non-decreasing.
``indices``
    int32 array of length ``nnz = indptr[N]``; the neighbours of node ``i``
    are ``indices[indptr[i]:indptr[i + 1]]``, sorted strictly ascending
    (hence no duplicates), with no self-loop (``i`` never lists itself).
``weights``
    float32 or float64 array of length ``nnz``, finite and non-negative;
    ``weights[k]`` is the weight of the edge ``(i, indices[k])``.

Both directions of every edge are stored with the same weight (the matrix is
symmetric). Arrays of another dtype are converted (a copy). The cheap parts
of the convention (shapes, ranges, sortedness, self-loops, weight signs) are
checked in one O(N + nnz) pass and a ``ValueError`` names the first bad row;
symmetry is *not* checked. :func:`csr_from_edges` builds a valid CSR from
edge lists.

Definitions (weighted, as networkx defines them for undirected graphs)
----------------------------------------------------------------------
``p_ij = (w_ij + w_ji) / sum_k (w_ik + w_ki) = w_ij / s_i`` with
``s_i = sum_k w_ik``; ``p_ij = 0`` when ``s_i == 0``.

Constraint (Burt 1992, ch. 2)::

    c_i = sum_{j in N(i)} (p_ij + sum_{q in N(i), q != i, j} p_iq p_qj)^2

Effective size (Burt 1992, ch. 2; the weighted form of
``networkx.effective_size``)::

    e_i = sum_{j in N(i)} (1 - sum_{q in N(i)} p_iq m_jq),
    m_jq = w_jq / max_k w_jk  (0 when the maximum is 0)

Both are NaN for isolated nodes, as in networkx.

Algorithm
---------
For ego ``i`` both measures need, for every neighbour ``j`` (``k``-th entry
of row ``i``), ``A_k = sum_{q in N(i)} a_q w_qj`` with ``a_q = p_iq / s_q``
(constraint) or ``a_q = p_iq`` (effective size). Each term ``q`` is done
one of two ways, chosen per (ego, neighbour) pair by estimated cost, so that
neither a hub ego nor the many small neighbours of a hub blow up:

* *pairs*: for every ``j`` in row ``i`` binary-search ``j`` in the sorted
  row ``q`` (cost ~ ``deg(i) * log deg(q)``);
* *scan*: walk row ``q`` once and look each entry up in a per-thread
  ``node -> position in row i`` scratch array (cost ~ ``deg(q)``).

The total cost is ``sum_i sum_{q in N(i)} min(deg q, deg i * log deg q)``,
never worse than choosing one strategy per ego. Egos are split into
contiguous blocks of about equal estimated cost and the blocks run in
parallel (numba ``prange``); each block owns an int32 scratch of length N.
Memory is O(N * threads + nnz); no N x N matrix is ever formed.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba import njit, prange

__all__ = ["constraint", "csr_from_edges", "effective_size"]

_KIND_CONSTRAINT = 0
_KIND_EFFECTIVE_SIZE = 1
_METHODS = {"auto": 0, "pairs": 1, "scan": 2}


# --------------------------------------------------------------------------
# numba kernels
# --------------------------------------------------------------------------


@njit(parallel=True, cache=True)
def _row_stats(indptr, indices, weights):
    """Row sums and maxima of the weights plus a per-row status code.

    status: 0 ok, 1 index out of range, 2 row not strictly ascending,
    3 self-loop, 4 negative or non-finite weight.
    """
    n = indptr.shape[0] - 1
    rowsum = np.zeros(n, np.float64)
    rowmax = np.zeros(n, np.float64)
    status = np.zeros(n, np.int8)
    for i in prange(n):
        s = 0.0
        m = 0.0
        prev = -1
        code = 0
        for t in range(indptr[i], indptr[i + 1]):
            j = indices[t]
            w = np.float64(weights[t])
            if j < 0 or j >= n:
                code = 1
                break
            if j <= prev:
                code = 2
                break
            if j == i:
                code = 3
                break
            if not (w >= 0.0 and w < np.inf):
                code = 4
                break
            prev = j
            s += w
            if w > m:
                m = w
        status[i] = code
        rowsum[i] = s
        rowmax[i] = m
    return rowsum, rowmax, status


@njit(cache=True, inline="always")
def _use_scan(mode, deg_i, deg_q):
    """True if row q should be scanned rather than binary-searched."""
    if mode == 2:
        return True
    if mode == 1:
        return False
    return deg_q <= deg_i * (1.0 + math.log2(deg_q + 1.0))


@njit(parallel=True, cache=True)
def _node_costs(indptr, indices, nodes, mode):
    """Estimated work of each ego (same cost model as the kernel)."""
    out = np.empty(nodes.shape[0], np.float64)
    for t in prange(nodes.shape[0]):
        i = nodes[t]
        start = indptr[i]
        d = indptr[i + 1] - start
        c = 1.0 + d
        for k in range(d):
            q = indices[start + k]
            dq = indptr[q + 1] - indptr[q]
            if _use_scan(mode, d, dq):
                c += dq
            else:
                c += d * (1.0 + math.log2(dq + 1.0))
        out[t] = c
    return out


@njit(cache=True)
def _ego(i, indptr, indices, weights, rowsum, rowmax, kind, mode, pos, acc):
    """Constraint (kind 0) or effective size (kind 1) of one ego ``i``."""
    start = indptr[i]
    d = indptr[i + 1] - start
    if d == 0:
        return np.nan
    s_i = rowsum[i]
    if s_i <= 0.0:
        # every p_ij is 0 (networkx: constraint 0, effective size deg)
        return 0.0 if kind == 0 else np.float64(d)
    for k in range(d):
        acc[k] = 0.0
    marked = False
    for kq in range(d):
        q = indices[start + kq]
        a = np.float64(weights[start + kq]) / s_i
        if kind == 0:
            s_q = rowsum[q]
            if s_q <= 0.0:
                continue
            a = a / s_q
        if a == 0.0:
            continue
        qs = indptr[q]
        qe = indptr[q + 1]
        if qe == qs:
            continue
        if _use_scan(mode, d, qe - qs):
            if not marked:
                for k in range(d):
                    pos[indices[start + k]] = k
                marked = True
            for t in range(qs, qe):
                k = pos[indices[t]]
                if k >= 0:
                    acc[k] += a * np.float64(weights[t])
        else:
            lo = qs
            last = indices[qe - 1]
            for k in range(d):
                j = indices[start + k]
                if j > last:
                    break
                hi = qe
                while lo < hi:
                    mid = (lo + hi) >> 1
                    if indices[mid] < j:
                        lo = mid + 1
                    else:
                        hi = mid
                # j <= last guarantees lo < qe here
                if indices[lo] == j:
                    acc[k] += a * np.float64(weights[lo])
                    lo += 1
    if marked:
        for k in range(d):
            pos[indices[start + k]] = -1
    total = 0.0
    if kind == 0:
        for k in range(d):
            x = np.float64(weights[start + k]) / s_i + acc[k]
            total += x * x
        return total
    for k in range(d):
        m = rowmax[indices[start + k]]
        if m > 0.0:
            total += acc[k] / m
    return np.float64(d) - total


@njit(parallel=True, cache=True)
def _ego_kernel(indptr, indices, weights, rowsum, rowmax, nodes, bounds, kind, mode):
    """Evaluate ``_ego`` for ``nodes``; block ``b`` is ``nodes[bounds[b]:bounds[b+1]]``."""
    n = indptr.shape[0] - 1
    out = np.empty(nodes.shape[0], np.float64)
    nblocks = bounds.shape[0] - 1
    for b in prange(nblocks):
        lo = bounds[b]
        hi = bounds[b + 1]
        if hi <= lo:
            continue
        maxd = 1
        for t in range(lo, hi):
            i = nodes[t]
            d = indptr[i + 1] - indptr[i]
            if d > maxd:
                maxd = d
        acc = np.empty(maxd, np.float64)
        pos = np.full(n, -1, np.int32)
        for t in range(lo, hi):
            out[t] = _ego(nodes[t], indptr, indices, weights, rowsum, rowmax, kind, mode, pos, acc)
    return out


# --------------------------------------------------------------------------
# Python wrappers
# --------------------------------------------------------------------------

_STATUS_MESSAGES = {
    1: "has a neighbour index outside [0, N)",
    2: "is not sorted strictly ascending (unsorted or duplicate neighbours)",
    3: "contains a self-loop",
    4: "has a negative or non-finite weight",
}


def _prepare(indptr, indices, weights):
    """Convert dtypes, run cheap checks, return arrays plus row sums/maxima."""
    indptr = np.ascontiguousarray(indptr, dtype=np.int64)
    indices_arr = np.asarray(indices)
    if indices_arr.size and not np.issubdtype(indices_arr.dtype, np.integer):
        raise ValueError(f"indices must be integers, got dtype {indices_arr.dtype}")
    if indices_arr.dtype != np.int32 and indices_arr.size:
        # out-of-range values would wrap silently in the int32 cast
        if indices_arr.min() < 0 or indices_arr.max() >= indptr.shape[0] - 1:
            raise ValueError(f"indices must lie in [0, {indptr.shape[0] - 1})")
    indices = np.ascontiguousarray(indices_arr, dtype=np.int32)
    weights = np.asarray(weights)
    if weights.dtype not in (np.float32, np.float64):
        weights = weights.astype(np.float64)
    weights = np.ascontiguousarray(weights)
    if indptr.ndim != 1 or indices.ndim != 1 or weights.ndim != 1:
        raise ValueError("indptr, indices and weights must be 1-D arrays")
    if indptr.shape[0] < 1:
        raise ValueError("indptr must have length N + 1 >= 1")
    if indptr[0] != 0:
        raise ValueError(f"indptr[0] must be 0, got {indptr[0]}")
    nnz = int(indptr[-1])
    if indices.shape[0] != nnz or weights.shape[0] != nnz:
        raise ValueError(
            f"indptr[-1] = {nnz} but len(indices) = {indices.shape[0]}, "
            f"len(weights) = {weights.shape[0]}"
        )
    if np.any(indptr[1:] < indptr[:-1]):
        raise ValueError("indptr must be non-decreasing")
    rowsum, rowmax, status = _row_stats(indptr, indices, weights)
    bad = np.flatnonzero(status)
    if bad.size:
        row = int(bad[0])
        raise ValueError(f"CSR row {row} {_STATUS_MESSAGES[int(status[row])]}")
    return indptr, indices, weights, rowsum, rowmax


def _node_array(nodes, n):
    if nodes is None:
        return np.arange(n, dtype=np.int64)
    arr = np.asarray(nodes)
    if arr.ndim == 0:
        raise ValueError("nodes must be a 1-D array of node ids, not a scalar")
    arr = arr.ravel()
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"nodes must be integers, got dtype {arr.dtype}")
    arr = np.ascontiguousarray(arr, dtype=np.int64)
    if arr.size and (arr.min() < 0 or arr.max() >= n):
        raise ValueError(f"nodes must lie in [0, {n})")
    return arr


def _blocks(indptr, indices, nodes, mode):
    """Contiguous blocks of ``nodes`` with about equal estimated cost."""
    m = nodes.shape[0]
    nblocks = max(1, min(m, 4 * numba.get_num_threads()))
    if nblocks == 1:
        return np.array([0, m], dtype=np.int64)
    cum = np.cumsum(_node_costs(indptr, indices, nodes, mode))
    targets = cum[-1] * np.arange(1, nblocks) / nblocks
    inner = np.searchsorted(cum, targets, side="left") + 1
    bounds = np.concatenate(([0], np.minimum(inner, m), [m])).astype(np.int64)
    return np.maximum.accumulate(bounds)


def _measure(indptr, indices, weights, nodes, kind, method):
    if method not in _METHODS:
        raise ValueError(f"method must be one of {sorted(_METHODS)}, got {method!r}")
    mode = _METHODS[method]
    indptr, indices, weights, rowsum, rowmax = _prepare(indptr, indices, weights)
    nodes = _node_array(nodes, indptr.shape[0] - 1)
    if nodes.shape[0] == 0:
        return np.empty(0, dtype=np.float64)
    bounds = _blocks(indptr, indices, nodes, mode)
    return _ego_kernel(indptr, indices, weights, rowsum, rowmax, nodes, bounds, kind, mode)


def constraint(indptr, indices, weights, nodes=None, *, method="auto"):
    """Burt's (1992) constraint of each node of a weighted undirected graph.

    ``c_i = sum_{j in N(i)} (p_ij + sum_{q in N(i), q != i, j} p_iq p_qj)^2``
    with ``p_ij = w_ij / sum_k w_ik`` (networkx's undirected weighted
    definition; Burt, R.S. (1992) *Structural Holes*, Harvard UP).

    Parameters
    ----------
    indptr, indices, weights
        Symmetric CSR adjacency, see the module docstring.
    nodes
        Integer array of node ids; default all nodes ``0 .. N-1``. Repeats
        are allowed.
    method
        ``"auto"`` (default) picks per (ego, neighbour) pair the cheaper of
        binary search (``"pairs"``) and row scan (``"scan"``); the other
        two force one strategy (for testing and benchmarking).

    Returns
    -------
    numpy.ndarray
        float64 array aligned with ``nodes``; NaN for isolated nodes.
    """
    return _measure(indptr, indices, weights, nodes, _KIND_CONSTRAINT, method)


def effective_size(indptr, indices, weights, nodes=None, *, method="auto"):
    """Burt's (1992) effective size of each node of a weighted undirected graph.

    ``e_i = sum_{j in N(i)} (1 - sum_{q in N(i)} p_iq m_jq)`` with
    ``p_iq = w_iq / sum_k w_ik`` and ``m_jq = w_jq / max_k w_jk``: the
    weighted form used by ``networkx.effective_size`` (Burt, R.S. (1992)
    *Structural Holes*, Harvard UP). With unit weights it equals Borgatti's
    ``n - 2t/n``.

    Parameters and return value as for :func:`constraint`; NaN for isolated
    nodes.
    """
    return _measure(indptr, indices, weights, nodes, _KIND_EFFECTIVE_SIZE, method)


def csr_from_edges(n, a, b, w=None):
    """Symmetric CSR adjacency (see module docstring) from undirected edges.

    Parameters
    ----------
    n
        Number of nodes ``N`` (ids ``0 .. N-1``, at most 2**31 - 1).
    a, b
        Integer arrays of equal length; edge ``e`` joins ``a[e]`` and ``b[e]``.
        ``(u, v)`` and ``(v, u)`` are the same undirected pair.
    w
        Edge weights (finite, non-negative); default 1. float32 weights stay
        float32, anything else becomes float64.

    Returns
    -------
    (indptr, indices, weights)
        int64, int32 and float arrays. Repeated pairs have their weights
        summed (in float64), self-loops are dropped, every row is sorted
        ascending and both directions are stored with the identical weight.
        O(E log E) time (two numpy sorts).
    """
    n = int(n)
    if n < 0 or n > np.iinfo(np.int32).max:
        raise ValueError(f"n must be in [0, 2**31 - 1], got {n}")
    a = np.asarray(a).ravel()
    b = np.asarray(b).ravel()
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same length, got {a.size} and {b.size}")
    for name, arr in (("a", a), ("b", b)):
        if arr.size and not np.issubdtype(arr.dtype, np.integer):
            raise ValueError(f"{name} must be integers, got dtype {arr.dtype}")
        if arr.size and (arr.min() < 0 or arr.max() >= n):
            raise ValueError(f"{name} must lie in [0, {n})")
    if w is None:
        w = np.ones(a.size, dtype=np.float64)
        out_dtype = np.float64
    else:
        w = np.asarray(w).ravel()
        if w.shape != a.shape:
            raise ValueError(f"w must have the same length as a, got {w.size} and {a.size}")
        out_dtype = np.float32 if w.dtype == np.float32 else np.float64
        w = w.astype(np.float64)
        if w.size and not (np.all(np.isfinite(w)) and w.min() >= 0):
            raise ValueError("w must be finite and non-negative")
    keep = a != b
    lo = np.minimum(a[keep], b[keep]).astype(np.int64)
    hi = np.maximum(a[keep], b[keep]).astype(np.int64)
    w = w[keep]
    del a, b, keep
    indptr = np.zeros(n + 1, dtype=np.int64)
    if lo.size == 0:
        return indptr, np.empty(0, np.int32), np.empty(0, out_dtype)
    # 1. one entry per unordered pair {lo < hi}, weights summed in input order
    key = lo * n + hi
    order = np.argsort(key, kind="stable")
    key = key[order]
    w = w[order]
    del order, lo, hi
    first = np.empty(key.size, dtype=bool)
    first[0] = True
    np.not_equal(key[1:], key[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    del first
    wsum = np.add.reduceat(w, starts).astype(out_dtype)
    key = key[starts]
    del starts, w
    lo = key // n  # ascending, and hi ascending within equal lo
    hi = key - lo * n
    del key
    # 2. row r = [lo of pairs with hi == r, ascending] + [hi of pairs with lo == r]
    #    (all of the first part are < r, all of the second > r); the same summed
    #    weight goes to both directions, so the result is exactly symmetric.
    n_rev = np.bincount(hi, minlength=n)
    n_fwd = np.bincount(lo, minlength=n)
    np.cumsum(n_rev + n_fwd, out=indptr[1:])
    m = lo.size
    rank = np.arange(m, dtype=np.int64)
    start_fwd = np.cumsum(n_fwd) - n_fwd
    pos_fwd = indptr[lo] + n_rev[lo] + (rank - start_fwd[lo])
    rev = np.argsort(hi * n + lo)  # keys are unique: stability irrelevant
    hi_r = hi[rev]
    start_rev = np.cumsum(n_rev) - n_rev
    pos_rev = indptr[hi_r] + (rank - start_rev[hi_r])
    indices = np.empty(2 * m, dtype=np.int32)
    weights = np.empty(2 * m, dtype=out_dtype)
    indices[pos_fwd] = hi
    weights[pos_fwd] = wsum
    indices[pos_rev] = lo[rev]
    weights[pos_rev] = wsum[rev]
    return indptr, indices, weights

"""Borgatti & Everett (1999) core/periphery structure: continuous coreness and a discrete core.

Wang (2013, Fig. 1) draws the cluster as a core (focal firms and SMEs) with assistant and
supplementary parts; Giuliani & Bell (2005) find knowledge "flows within a core group of
firms". Borgatti & Everett's models measure how well a network fits that picture.

Both models use the undirected view of the network (a directed tie either way makes a
pair adjacent): ``a_ij = 1`` for tied pairs (``weighted=True``: the summed strength of
both directions), over unordered pairs ``i < j`` (the diagonal is ignored).

Continuous model
    Coreness ``c`` minimising ``sum_{i != j} (a_ij - c_i c_j)^2`` (Borgatti & Everett 1999,
    section 5; the "minres" fit UCINET uses). Its stationarity condition
    ``c_i = sum_j a_ij c_j / sum_{j != i} c_j^2`` is iterated from the degrees (damped
    half-steps, the scale of ``c`` re-fitted by least squares each step) until no entry of
    the direction of ``c`` changes by more than ``tol`` times its largest entry (default
    1e-7, at most ``max_iter`` = 5000 iterations, each an ``O(m)`` sparse product; the
    result says whether it converged). Like eigenvector centrality, to which it is close,
    it concentrates on the dominant component. Returned scaled to maximum 1.
    The fit is the Pearson correlation between ``a_ij`` and ``c_i c_j`` over all pairs,
    computed in closed form in ``O(n + m)``.

Discrete model
    A core C maximising the Pearson correlation between ``a_ij`` and the ideal pattern
    ``delta_ij`` (Borgatti & Everett 1999, section 3): 1 inside the core, 0 inside the
    periphery; core-periphery pairs are left out of the correlation (``pattern="ignore"``,
    the model that only asks for a dense core and a sparse periphery) or ideal 1
    (``pattern="one"``, the model where the periphery is tied to the core).
    Heuristic (B&E use a genetic algorithm): (1) every "top-k by continuous coreness" core
    is scored in one ``O(n + m)`` sweep and the best k kept; (2) single actors are moved
    between core and periphery while that raises the correlation (at most ``max_passes``
    passes, each ``O(n + m)``). It finds a local optimum, usually the global one on clear
    core/periphery structures.

Borgatti, S.P. & Everett, M.G. (1999) Models of core/periphery structures.
*Social Networks* 21, 375-395.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from ._graph import MeasureError, prepare

__all__ = ["CorePeriphery", "core_periphery", "core_periphery_fit"]

_PATTERNS = {"ignore": 0, "one": 1}


@dataclass
class CorePeriphery:
    """Result of :func:`core_periphery`.

    coreness:   continuous coreness per actor (max 1; 0 for isolated actors)
    core:       bool per actor, the discrete core
    fit_continuous: correlation of a_ij with c_i c_j
    fit_discrete:   correlation of a_ij with the ideal pattern of ``core``
    pattern:    "ignore" or "one" (how core-periphery pairs enter the discrete fit)
    converged:  whether the continuous iteration reached ``tol``
    iterations: iterations used
    """

    coreness: np.ndarray
    core: np.ndarray
    fit_continuous: float
    fit_discrete: float
    pattern: str
    converged: bool
    iterations: int


def _adjacency(p, weighted):
    a, b, w = p.und_edges
    if not weighted:
        w = np.ones(a.size)
    return a, b, w


def _corr_continuous(a, b, w, c):
    n = c.size
    N = n * (n - 1) / 2.0
    if N <= 0:
        return math.nan
    sa, sa2 = w.sum(), (w * w).sum()
    s1, s2, s4 = c.sum(), (c * c).sum(), (c ** 4).sum()
    sp_ = (s1 * s1 - s2) / 2.0
    sp2 = (s2 * s2 - s4) / 2.0
    sap = float((w * c[a] * c[b]).sum())
    num = N * sap - sa * sp_
    den = (N * sa2 - sa * sa) * (N * sp2 - sp_ * sp_)
    return float(num / math.sqrt(den)) if den > 0 else math.nan


@njit(cache=True)
def _fit(k, n, xcc, xpp, qcc, qpp, xtot, qtot, pattern):
    """Pearson correlation of a_ij with the discrete ideal pattern (unordered pairs)."""
    n0 = (n - k) * (n - k - 1) / 2.0
    if pattern == 0:
        n1 = k * (k - 1) / 2.0
        x1 = xcc
        x0 = xpp
        q = qcc + qpp
    else:
        n1 = n * (n - 1) / 2.0 - n0
        x1 = xtot - xpp
        x0 = xpp
        q = qtot
    nn = n1 + n0
    if n1 <= 0.0 or n0 <= 0.0:
        return -np.inf
    mean = (x1 + x0) / nn
    var_a = q / nn - mean * mean
    pr = n1 / nn
    var_d = pr * (1.0 - pr)
    if var_a <= 1e-300 or var_d <= 0.0:
        return -np.inf
    cov = x1 / nn - mean * pr
    return cov / math.sqrt(var_a * var_d)


@njit(cache=True)
def _fit_all(n, xcc, xpp, qcc, qpp, xtot, qtot, pattern):
    out = np.empty(n + 1)
    for k in range(n + 1):
        out[k] = _fit(k, n, xcc[k], xpp[k], qcc[k], qpp[k], xtot, qtot, pattern)
    return out


@njit(cache=True)
def _local_search(indptr, indices, weights, order, core, pattern, max_passes):
    """Single-actor moves between core and periphery while the correlation rises."""
    n = indptr.shape[0] - 1
    s = np.zeros(n)
    sq = np.zeros(n)
    wc = np.zeros(n)  # weight to core members
    qc = np.zeros(n)
    for i in range(n):
        for t in range(indptr[i], indptr[i + 1]):
            w = weights[t]
            s[i] += w
            sq[i] += w * w
            if core[indices[t]]:
                wc[i] += w
                qc[i] += w * w
    xtot = s.sum() / 2.0
    qtot = sq.sum() / 2.0
    k = 0
    xcc = 0.0
    qcc = 0.0
    xpc = 0.0  # weight of pairs with at least one core end, times 2 for core-core
    qpc = 0.0
    for i in range(n):
        if core[i]:
            k += 1
            xcc += wc[i]
            qcc += qc[i]
            xpc += s[i]
            qpc += sq[i]
    xcc /= 2.0
    qcc /= 2.0
    # pairs with no core end: total - (pairs touching the core)
    xpp = xtot - (xpc - xcc)
    qpp = qtot - (qpc - qcc)
    best = _fit(k, n, xcc, xpp, qcc, qpp, xtot, qtot, pattern)
    passes = 0
    for _ in range(max_passes):
        passes += 1
        moved = False
        for t in range(n):
            i = order[t]
            if core[i]:
                k2 = k - 1
                xcc2 = xcc - wc[i]
                qcc2 = qcc - qc[i]
                xpp2 = xpp + (s[i] - wc[i])
                qpp2 = qpp + (sq[i] - qc[i])
            else:
                k2 = k + 1
                xcc2 = xcc + wc[i]
                qcc2 = qcc + qc[i]
                xpp2 = xpp - (s[i] - wc[i])
                qpp2 = qpp - (sq[i] - qc[i])
            f = _fit(k2, n, xcc2, xpp2, qcc2, qpp2, xtot, qtot, pattern)
            if f > best + 1e-12:
                sign = -1.0 if core[i] else 1.0
                core[i] = not core[i]
                k, xcc, qcc, xpp, qpp, best = k2, xcc2, qcc2, xpp2, qpp2, f
                for u in range(indptr[i], indptr[i + 1]):
                    j = indices[u]
                    w = weights[u]
                    wc[j] += sign * w
                    qc[j] += sign * w * w
                moved = True
        if not moved:
            break
    return best, passes


@njit(parallel=True, cache=True)
def _matvec(indptr, indices, weights, x, out):
    for i in prange(indptr.shape[0] - 1):
        acc = 0.0
        for t in range(indptr[i], indptr[i + 1]):
            acc += weights[t] * x[indices[t]]
        out[i] = acc


@njit(cache=True)
def _minres_step(u, au, out):
    """One damped minres step from direction u (unit norm) with au = A u.

    Returns (alpha, change): the least-squares scale of u and the largest change of the
    direction relative to its maximum; ``out`` receives the new unit direction.
    """
    n = u.shape[0]
    s4 = 0.0
    uau = 0.0
    for i in range(n):
        s4 += u[i] ** 4
        uau += u[i] * au[i]
    denom = 1.0 - s4
    if denom <= 0.0 or uau <= 0.0:
        return 0.0, 0.0
    alpha = math.sqrt(uau / denom)
    a2 = alpha * alpha
    nrm = 0.0
    for i in range(n):
        c = alpha * u[i]
        d = a2 - c * c
        g = alpha * au[i] / d if d > 0.0 else 0.0
        v = 0.5 * (c + g)
        out[i] = v
        nrm += v * v
    if nrm <= 0.0:
        return 0.0, 0.0
    nrm = math.sqrt(nrm)
    mx = 0.0
    for i in range(n):
        out[i] /= nrm
        if out[i] > mx:
            mx = out[i]
    change = 0.0
    for i in range(n):
        dlt = abs(out[i] - u[i])
        if dlt > change:
            change = dlt
    return alpha, change / mx


def _continuous(indptr, indices, weights, strength, max_iter, tol):
    n = strength.size
    c = np.sqrt(strength)
    norm = math.sqrt(float((c * c).sum()))
    if norm == 0:
        return np.zeros(n), True, 0
    u = c / norm
    au = np.empty(n)
    new = np.empty(n)
    converged = False
    it = 0
    for it in range(1, max_iter + 1):
        _matvec(indptr, indices, weights, u, au)
        alpha, change = _minres_step(u, au, new)
        if alpha == 0.0:
            break
        u, new = new, u
        if change < tol:
            converged = True
            break
    return u, converged, it


def core_periphery_fit(net, core, *, pattern: str = "ignore", weighted: bool = False) -> float:
    """Pearson correlation between the network and the ideal core/periphery pattern of
    ``core`` (a bool array per actor), as in :func:`core_periphery` (Borgatti & Everett
    1999). NaN when undefined (empty core or periphery for ``"one"``; fewer than two
    members in either for ``"ignore"``; or a network without variation)."""
    if pattern not in _PATTERNS:
        raise MeasureError(f"pattern must be 'ignore' or 'one', got {pattern!r}")
    p = prepare(net)
    core = np.asarray(core, bool)
    if core.shape != (p.n,):
        raise MeasureError(f"core must be a bool array of length {p.n}")
    a, b, w = _adjacency(p, weighted)
    xtot, qtot = float(w.sum()), float((w * w).sum())
    cc = core[a] & core[b]
    pp = ~core[a] & ~core[b]
    f = _fit(int(core.sum()), p.n, float(w[cc].sum()), float(w[pp].sum()), float((w[cc] ** 2).sum()),
             float((w[pp] ** 2).sum()), xtot, qtot, _PATTERNS[pattern])
    return float(f) if np.isfinite(f) else math.nan


def core_periphery(net, *, pattern: str = "ignore", weighted: bool = False, max_iter: int = 5000,
                   tol: float = 1e-7, max_passes: int = 50) -> CorePeriphery:
    """Borgatti & Everett (1999) coreness per actor, a discrete core, and both fits.

    See the module docstring for the models and the algorithm. ``pattern`` chooses how
    core-periphery pairs enter the discrete model (``"ignore"``: left out, default;
    ``"one"``: ideal tie). ``weighted=True`` uses tie strengths instead of 0/1.
    """
    if pattern not in _PATTERNS:
        raise MeasureError(f"pattern must be 'ignore' or 'one', got {pattern!r}")
    p = prepare(net)
    n = p.n
    a, b, w = _adjacency(p, weighted)
    indptr, indices, csr_w = p.und_csr
    csr_w = np.asarray(csr_w, np.float64) if weighted else np.ones(indices.size)
    strength = np.bincount(a, weights=w, minlength=n) + np.bincount(b, weights=w, minlength=n)
    u, converged, iters = _continuous(indptr, indices, csr_w, strength, max_iter, tol)
    coreness = u / u.max() if n and u.max() > 0 else np.zeros(n)
    fit_c = _corr_continuous(a, b, w, coreness) if a.size else math.nan

    core = np.zeros(n, bool)
    fit_d = math.nan
    if n >= 2 and a.size:
        order = np.lexsort((np.arange(n), -coreness))  # by coreness, ties by position
        rank = np.empty(n, np.int64)
        rank[order] = np.arange(n)
        ra, rb = rank[a], rank[b]
        hi, lo = np.maximum(ra, rb), np.minimum(ra, rb)
        # core = first k in order: a pair is core-core when hi < k, periph-periph when lo >= k
        xcc = np.concatenate([[0.0], np.cumsum(np.bincount(hi, weights=w, minlength=n))])
        qcc = np.concatenate([[0.0], np.cumsum(np.bincount(hi, weights=w * w, minlength=n))])
        xlo = np.bincount(lo, weights=w, minlength=n)
        qlo = np.bincount(lo, weights=w * w, minlength=n)
        xpp = np.concatenate([np.cumsum(xlo[::-1])[::-1], [0.0]])  # pairs with lo >= k
        qpp = np.concatenate([np.cumsum(qlo[::-1])[::-1], [0.0]])
        xtot, qtot = float(w.sum()), float((w * w).sum())
        pat = _PATTERNS[pattern]
        fits = _fit_all(n, xcc, xpp, qcc, qpp, xtot, qtot, pat)
        kbest = int(np.argmax(fits))
        if np.isfinite(fits[kbest]):
            core[order[:kbest]] = True
            best, _ = _local_search(indptr, indices, csr_w, order.astype(np.int64), core, pat, max_passes)
            fit_d = float(best)
    return CorePeriphery(coreness=coreness, core=core, fit_continuous=fit_c, fit_discrete=fit_d,
                         pattern=pattern, converged=converged, iterations=iters)

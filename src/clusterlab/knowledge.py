"""Per-actor knowledge helpers used across mechanisms and the recorder (Numba kernels)."""

import numba as nb
import numpy as np


@nb.njit(parallel=True, cache=True)
def unit_profiles(T, E, out):
    for i in nb.prange(T.shape[0]):
        s = 0.0
        for d in range(T.shape[1]):
            v = T[i, d] + E[i, d]
            out[i, d] = v
            s += v * v
        if s > 0.0:
            inv = 1.0 / np.sqrt(s)
            for d in range(T.shape[1]):
                out[i, d] *= inv


@nb.njit(parallel=True, cache=True)
def mean_levels(T, E, out):
    for i in nb.prange(T.shape[0]):
        s = 0.0
        for d in range(T.shape[1]):
            s += T[i, d] + E[i, d]
        out[i] = s / T.shape[1]


@nb.njit(cache=True)
def column_max(T, E, out):
    """out[d] = max(out[d], max over all actors of T[i, d] + E[i, d])."""
    for i in range(T.shape[0]):
        for d in range(T.shape[1]):
            v = T[i, d] + E[i, d]
            if v > out[d]:
                out[d] = v


@nb.njit(cache=True)
def blau(row):
    """Blau (Gini-Simpson) diversity of a knowledge row over domains, normalised to [0, 1]
    (0 = all in one domain, 1 = even)."""
    D = len(row)
    tot = 0.0
    for d in range(D):
        tot += row[d]
    if tot <= 0.0 or D < 2:
        return 0.0
    s = 0.0
    for d in range(D):
        p = row[d] / tot
        s += p * p
    return (1.0 - s) / (1.0 - 1.0 / D)


@nb.njit(cache=True, inline="always")
def origin_parts(kind_j, ext_j, via_j, focal_kind, external_kind):
    """The shares of knowledge from holder j that are of external origin, and of external
    origin passed on by a focal firm (the gatekeeping tracer; Giuliani & Bell 2005,
    Malipiero et al. 2005): pipelines bring external knowledge; a focal firm passes on its
    external knowledge as gatekept; others pass on what they hold."""
    if kind_j == external_kind:
        return 1.0, 0.0
    if kind_j == focal_kind:
        return ext_j, ext_j
    return ext_j, via_j


@nb.njit(parallel=True, cache=True)
def update_origin(T, E, inflow, inflow_ext, inflow_via, alive, is_external, ext, via):
    """After a step: fold this step's traced inflow into each actor's origin shares. New
    knowledge the actor made itself dilutes them; conversion and decay keep the mix."""
    for i in nb.prange(T.shape[0]):
        if not alive[i] or is_external[i]:
            continue
        K = 0.0
        for d in range(T.shape[1]):
            K += T[i, d] + E[i, d]
        got = 0.0
        for c in range(inflow.shape[1]):
            got += inflow[i, c]
        if K <= 0.0 or got <= 0.0:
            continue
        before = max(K - got, 0.0)
        ext[i] = min(1.0, (ext[i] * before + inflow_ext[i]) / K)
        via[i] = min(ext[i], (via[i] * before + inflow_via[i]) / K)

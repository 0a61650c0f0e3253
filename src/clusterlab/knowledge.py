"""Knowledge kernels shared by mechanisms and the recorder (Numba).

Knowledge is two float32 actors x domains arrays, tacit T and explicit E; an actor's
profile is T + E. Here: profiles and levels, the cosine of profiles (cognitive proximity,
Nooteboom 2000), understandability across cognitive distance, the Blau index, and the
knowledge-origin tracer's parts.
"""

import numba as nb
import numpy as np

from .kernels import parallel_njit


@parallel_njit(cache=True)
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


@parallel_njit(cache=True)
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


@parallel_njit(cache=True)
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


@nb.njit(cache=True, inline="always")
def understandability(delta, absorptive, scale):
    """u(delta, A) = max(0, 1 - delta / (scale * A)): how much of a partner's knowledge an
    actor of absorptive capacity A understands across cognitive distance delta, falling
    linearly to 0 at the reach scale * A (Nooteboom 2000; Nooteboom et al. 2007, whose
    understandability is linear in distance; Cohen & Levinthal 1990: capacity widens the
    reach). Times novelty, which rises with delta, it gives the inverted U of learning in
    cognitive distance with its peak near delta = scale * A / 2 (changed in issue 10: the
    former exp(-delta / (scale * A)) never reached 0, so the falling branch was faint)."""
    reach = scale * absorptive
    if reach <= 0.0:
        return 0.0
    return max(0.0, 1.0 - delta / reach)


@parallel_njit(cache=True)
def add_inplace(X, dX):
    """X += dX for actors x domains arrays, in parallel."""
    for i in nb.prange(X.shape[0]):
        for d in range(X.shape[1]):
            X[i, d] += dX[i, d]


@parallel_njit(cache=True)
def cosine_pairs(T, E, a, b, out):
    """out[k] = cosine of the profiles T + E of a[k] and b[k] (0 where one is empty)."""
    D = T.shape[1]
    for t in nb.prange(len(a)):
        i = a[t]
        j = b[t]
        dot = 0.0
        ni = 0.0
        nj = 0.0
        for d in range(D):
            vi = T[i, d] + E[i, d]
            vj = T[j, d] + E[j, d]
            dot += vi * vj
            ni += vi * vi
            nj += vj * vj
        out[t] = dot / np.sqrt(ni * nj) if ni > 0.0 and nj > 0.0 else 0.0


@parallel_njit(cache=True)
def dot_pairs(P, a, b, out):
    """out[k] = P[a[k]] . P[b[k]] clipped to [0, 1]: the cosine of unit profiles P."""
    D = P.shape[1]
    for k in nb.prange(len(a)):
        i = a[k]
        j = b[k]
        s = 0.0
        for d in range(D):
            s += P[i, d] * P[j, d]
        out[k] = min(1.0, max(0.0, s))

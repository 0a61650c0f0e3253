"""The five proximities of a tie (Boschma 2005, "Proximity and innovation: a critical
assessment", Regional Studies 39(1); Wang 2013 adds cultural proximity).

Each function takes the actors and tie end arrays `a`, `b` and returns one value per tie in
[0, 1] (1 = closest), except `geographic_km` which returns kilometres. All are O(E); none
builds an N x N matrix. The transfer kernel uses the same definitions inline.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from .knowledge import cosine_pairs
from .state import EXTERNAL, VERTICAL, Actors, Ties
from .kernels import parallel_njit


def geographic_km(actors: Actors, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Euclidean distance between the ends (km)."""
    return np.hypot(actors.x[a] - actors.x[b], actors.y[a] - actors.y[b]).astype(np.float32)


def geographic(actors: Actors, a: np.ndarray, b: np.ndarray, scale_km: float = 50.0) -> np.ndarray:
    """Geographic proximity exp(-km / scale_km)."""
    return np.exp(-geographic_km(actors, a, b) / scale_km).astype(np.float32)


def cognitive(actors: Actors, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarity of the ends' knowledge profiles (T + E over domains), Nooteboom's
    cognitive proximity; 1 - cognitive is the cognitive distance used in transfer."""
    out = np.empty(len(a), np.float32)
    cosine_pairs(actors.T, actors.E, np.asarray(a, np.int64), np.asarray(b, np.int64), out)
    return out


def organisational(actors: Actors, ties: Ties, now: int, years: float, steps_per_year: int,
                   idx: np.ndarray | None = None) -> np.ndarray:
    """1 within a business group; on a vertical (subcontracting) tie, rising with its age to 1
    after `years`; otherwise 0."""
    idx = np.flatnonzero(ties.alive) if idx is None else idx
    a, b = ties.a[idx], ties.b[idx]
    age = (now - ties.born[idx]) / (years * steps_per_year)
    prox = np.where(ties.layer[idx] == VERTICAL, np.minimum(1.0, age), 0.0)
    prox[actors.group[a] == actors.group[b]] = 1.0
    return prox.astype(np.float32)


def cultural(actors: Actors, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """1 if the ends belong to the same culture group, else 0."""
    return (actors.culture[a] == actors.culture[b]).astype(np.float32)


def institutional(actors: Actors, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """1 if both ends are in the cluster (one institutional framework), 0 across its border."""
    return ((actors.kind[a] != EXTERNAL) & (actors.kind[b] != EXTERNAL)).astype(np.float32)


def social(indptr: np.ndarray, indices: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Shared partners |N(a) & N(b)| / min(|N(a) - b|, |N(b) - a|) on a sorted CSR adjacency
    (see `clusterlab.measures.csr_from_edges`): the social side of Boschma's social proximity,
    and the opportunity for triadic closure."""
    out = np.empty(len(a), np.float32)
    _shared(indptr, indices, np.asarray(a, np.int64), np.asarray(b, np.int64), out)
    return out


@parallel_njit(cache=True)
def _shared(indptr, indices, a, b, out):
    for t in nb.prange(len(a)):
        i = a[t]
        j = b[t]
        p, pe = indptr[i], indptr[i + 1]
        q, qe = indptr[j], indptr[j + 1]
        common = 0
        while p < pe and q < qe:
            u = indices[p]
            v = indices[q]
            if u == v:
                common += 1
                p += 1
                q += 1
            elif u < v:
                p += 1
            else:
                q += 1
        di = (pe - indptr[i]) - (1 if _has(indices, indptr[i], pe, j) else 0)
        dj = (qe - indptr[j]) - (1 if _has(indices, indptr[j], qe, i) else 0)
        m = min(di, dj)
        out[t] = common / m if m > 0 else 0.0


@nb.njit(cache=True)
def _has(indices, lo, end, v):
    """Whether v is in the sorted slice indices[lo:end] (binary search)."""
    hi = end
    while lo < hi:
        mid = (lo + hi) // 2
        if indices[mid] < v:
            lo = mid + 1
        else:
            hi = mid
    return lo < end and indices[lo] == v

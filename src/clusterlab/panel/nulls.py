"""Null models of the next wave, as replications in the form of `simulate_interval`
(`interval.IntervalRun`: present mask over the wave-1 actors, ties a < b in wave-1
positions), so that the same scores apply (`clusterlab.panel.scores`).

    nothing_changes(wave1)                                    # wave 1 as the prediction
    random_rewiring(wave1, persistence=0.6, ties=80, replications=20, rng=np.random.default_rng(0))

A model of network dynamics is worth its parameters only if it predicts the next wave better
than these baselines: "nothing changes" (the persistence forecast: ties are mostly stable
between waves, Snijders, van de Bunt & Steglich 2010, section 4, so it is hard to beat on
tie counts and overlap), and random rewiring with the observed amount of change (a
conditional uniform null in the sense of Wasserman & Faust 1994, section 13.5: the right
number of ties kept and made, but the wrong ones). A model that knows which ties change
beats both on the tie-level AUC.
"""

from __future__ import annotations

import numpy as np

from ..data import ClusterNetwork
from ..errors import ClusterlabError
from .interval import IntervalRun
from .scores import arc_codes, pair_codes

__all__ = ["nothing_changes", "random_rewiring", "random_pairs"]


def _wave1_codes(wave1: ClusterNetwork) -> np.ndarray:
    keep = (wave1.src != wave1.dst) & (wave1.weight != 0)
    return pair_codes(wave1.src[keep], wave1.dst[keep], wave1.n)


def _among(codes: np.ndarray, present: np.ndarray, n: int) -> np.ndarray:
    a, b = np.divmod(codes, n)
    return codes[present[a] & present[b]]


def _present(present, n: int) -> np.ndarray:
    if present is None:
        return np.ones(n, bool)
    present = np.asarray(present, bool)
    if present.shape != (n,):
        raise ClusterlabError(f"present: expected one true/false per wave-1 actor ({n}), got shape {present.shape}")
    return present


def _wave1_arcs(wave1: ClusterNetwork) -> np.ndarray:
    keep = (wave1.src != wave1.dst) & (wave1.weight != 0)
    return arc_codes(wave1.src[keep], wave1.dst[keep], wave1.n)


def _run(present: np.ndarray, codes: np.ndarray, n: int, directed: bool) -> IntervalRun:
    """A replication from tie codes: undirected pair codes, or directed codes (then a, b are
    their undirected projection and `arcs` the codes)."""
    if not directed:
        a, b = np.divmod(codes, n)
        return IntervalRun(present=present.copy(), a=a, b=b)
    i, j = np.divmod(codes, n)
    a, b = np.divmod(pair_codes(i, j, n), n)
    return IntervalRun(present=present.copy(), a=a, b=b, arcs=np.asarray(codes, np.int64))


def nothing_changes(wave1: ClusterNetwork, present: np.ndarray | None = None) -> list[IntervalRun]:
    """"Nothing changes": wave 1 is the prediction of wave 2. Every actor stays and every tie
    persists (ties as their undirected projection, a pair tied if either direction is, and
    for directed data each direction as in wave 1, `IntervalRun.arcs`); no tie is created.
    One replication (it is not random). `present`: the composition given (bool per wave-1
    actor; the others leave with their ties), default everyone stays."""
    n = wave1.n
    present = _present(present, n)
    run = _run(present, _among(_wave1_codes(wave1), present, n), n, False)
    if wave1.directed:
        run.arcs = _among(_wave1_arcs(wave1), present, n)
    return [run]


def random_pairs(rng: np.random.Generator, n: int, k: int, exclude: np.ndarray, directed: bool = False) -> np.ndarray:
    """k distinct undirected pair codes (i * n + j, i < j), or with `directed` ordered pair
    codes (i * n + j, i != j), drawn uniformly among the pairs of n actors not in the sorted
    array `exclude`. Enumerates the candidates when there are at most 4 million pairs, else
    draws by rejection (no N x N array)."""
    total = n * (n - 1) // (1 if directed else 2)
    if k <= 0:
        return np.zeros(0, np.int64)
    if k > total - len(exclude):
        raise ClusterlabError(f"cannot draw {k} new ties: only {total - len(exclude)} untied pairs among {n} actors")
    if total <= 4_000_000 or k > (total - len(exclude)) // 2:
        if directed:
            cand = np.arange(n * n, dtype=np.int64)
            cand = cand[cand // n != cand % n]
        else:
            i, j = np.triu_indices(n, 1)
            cand = i.astype(np.int64) * n + j
        cand = cand[~np.isin(cand, exclude, assume_unique=True)]
        return np.sort(rng.choice(cand, k, replace=False))
    got = np.zeros(0, np.int64)
    while len(got) < k:
        m = int((k - len(got)) * 1.3) + 64
        i, j = rng.integers(0, n, m), rng.integers(0, n, m)
        keep = i != j
        lo, hi = (i[keep], j[keep]) if directed else (np.minimum(i, j)[keep], np.maximum(i, j)[keep])
        c = lo * n + hi
        c = c[~np.isin(c, exclude)]
        # keep the order of the draws (first come first kept) so the sample stays uniform
        c = c[np.sort(np.unique(c, return_index=True)[1])]
        got = np.r_[got, c[~np.isin(c, got)]]
    return np.sort(got[:k])


def random_rewiring(wave1: ClusterNetwork, persistence: float, ties: int, replications: int = 20, *,
                    rng: np.random.Generator, present: np.ndarray | None = None,
                    unknown: np.ndarray | None = None, directed: bool = False) -> list[IntervalRun]:
    """Random rewiring keeping the observed tie count and persistence. Each replication:

    1. keeps each wave-1 tie independently with probability `persistence` (the observed
       share of wave-1 ties among stayers still tied in wave 2);
    2. adds new ties uniformly at random among the wave-1 pairs not tied in wave 1 until
       there are exactly `ties` (the observed wave-2 tie count among stayers); if more than
       `ties` were kept, a uniform random `ties` of them are kept instead, and if fewer pairs
       are untied than the ties missing (a small, dense panel), uniformly drawn dropped
       wave-1 ties are kept as well, so that the count stays exact.

    Every actor stays (no exits), unless `present` gives the composition (bool per wave-1
    actor): then only the present actors' ties are kept and made. This null is *given* two
    observed wave-2 numbers, the persistence rate and the tie count, which a real prediction
    does not know; so its tie count is exact by construction, and only which ties it keeps
    and creates is random. Directed wave 1: its undirected projection, or with `directed`
    its directed ties (each "i asks j" kept or drawn as a unit, `ties` and `persistence` then
    counting directed ties, `unknown` directed codes; the runs' `arcs`). `unknown`: pair codes
    (wave-1 positions) whose tie the waves leave unknown (`scores.Observed.unknown`): neither
    kept nor made, so the count holds among the known pairs the scores use. `rng`: a NumPy
    Generator (reproducible)."""
    if directed and not wave1.directed:
        raise ClusterlabError("directed: wave 1 is undirected")
    if not 0.0 <= persistence <= 1.0:
        raise ClusterlabError(f"persistence: expected a share from 0 to 1, got {persistence}")
    if ties < 0:
        raise ClusterlabError(f"ties: expected a count >= 0, got {ties}")
    if replications < 1:
        raise ClusterlabError(f"replications: expected a whole number >= 1, got {replications}")
    n = wave1.n
    present = _present(present, n)
    stay = np.flatnonzero(present)  # increasing: position k among the present <-> wave-1 position
    m = len(stay)
    unknown = np.zeros(0, np.int64) if unknown is None else np.unique(np.asarray(unknown, np.int64))
    unknown = _among(unknown, present, n)
    w1 = np.setdiff1d(_among(_wave1_arcs(wave1) if directed else _wave1_codes(wave1), present, n), unknown,
                      assume_unique=True)
    rank = np.full(n, -1, np.int64)
    rank[stay] = np.arange(m)

    def in_m(codes):  # the same pairs in the present actors' positions
        a, b = np.divmod(codes, n)
        return np.sort(rank[a] * m + rank[b])

    w1_m = np.union1d(in_m(w1), in_m(unknown))  # not drawn as new ties
    free = m * (m - 1) // (1 if directed else 2) - len(w1_m)  # pairs a new tie can take
    if ties > free + len(w1):
        raise ClusterlabError(f"random rewiring: cannot hold {ties} ties: only {free + len(w1)} pairs among the "
                              f"{m} actors")
    out = []
    for _ in range(int(replications)):
        keep = rng.random(len(w1)) < persistence
        kept = w1[keep]
        if len(kept) > ties:
            kept = np.sort(rng.choice(kept, int(ties), replace=False))
        elif ties - len(kept) > free:  # a dense panel: too few untied pairs, so more wave-1 ties stay
            back = rng.choice(w1[~keep], int(ties - len(kept) - free), replace=False)
            kept = np.union1d(kept, back)
        new_m = random_pairs(rng, m, int(ties) - len(kept), w1_m, directed)
        na, nb_ = np.divmod(new_m, m)
        new = stay[na] * n + stay[nb_]
        out.append(_run(present, np.union1d(kept, new), n, directed))
    return out

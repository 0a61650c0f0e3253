"""The statistics of wave 2 given wave 1 that calibration matches (the target statistics of
the method of moments for network panels, Snijders 2001, "The statistical evaluation of
social network dynamics", Sociological Methodology 31, section 6; one statistic per
parameter, as RSiena's default estimator).

Pure functions over (the wave-1 network, the wave-2 outcome as a `present` mask over the
wave-1 actors and the tie pairs among them, the proximity matrices). Notation, all over the
wave-1 actors i, j (positions 0..n-1):

    x1_ij  = 1 if i and j are tied in wave 1 (undirected)
    x2_ij  = 1 if tied in wave 2 (both present)
    S      = the stayers (present in wave 2); pairs i < j with i, j in S
    m_ij   = the number of common partners of i and j in wave 1 (among all wave-1 actors)
    z^g_ij = the geographic proximity of the pair, standardised (below)
    z^c_ij = the cognitive proximity of the pair, standardised

Statistics (sums over stayer pairs i < j):

    created              sum (1 - x1) x2                  new ties
    persisted            sum x1 x2                        wave-1 ties kept
    dissolved            sum x1 (1 - x2)                  wave-1 ties lost
    exits                n - |S|                          wave-1 actors gone
    closure_created      sum (1 - x1) x2 log1p(m)         creation effect of triadic closure
    closure_per_created  closure_created / max(created, 1)  the same per created tie
    geo_created          sum (1 - x1) x2 z^g              creation effect of geographic proximity
    cognitive_created    sum (1 - x1) x2 z^c              creation effect of cognitive proximity
    cognitive_persisted  sum x1 x2 z^c                    persistence effect of cognitive proximity
    closure_persisted    sum x1 x2 log1p(m)               persistence effect of closure
    closure_per_persisted closure_persisted / max(persisted, 1)  the same per persisted tie
    exit_ties            sum_{i not in S} z^d_i           who exits: the leavers' wave-1 ties
    mutual               sum y2_ij y2_ji                  directed data: mutual ties in wave 2
    ask_up               sum (z^s_j - z^s_i) / sum |z^s_j - z^s_i| over created one-way ties
                         i -> j          directed data: whether new advice is sought upwards

closure_per_created is the statistic of the choice form's triad_weight (docs/odd.md 7.23):
closure_created is nearly proportional to created, so most of its spread is the count's; per
created tie the count's noise is gone (at 120 firms its response to triad_weight between 1/2
and 2 times the truth is 1.7 simulated sds against 0.6 for the sum). closure_per_persisted is
reported, not matched: embed_weight, which it would inform, acts on these panels as a
persistence rate (docs/odd.md 7.12).

z^d_i is log(1 + wave-1 degree of i), standardised over the wave-1 actors: exit_ties is 0 on
average when exits do not depend on ties, negative when the weakly tied leave.

Pairs whose tie is unknown in either wave (unobserved `NA` cells, `Wave1.unknown`) are left
out of every sum, as RSiena leaves such dyads out of its target statistics (Huisman &
Steglich 2008); wave 1's unobserved cells count as no tie in x1, m and z^d.

Proximities are standardised over the wave-1 pairs i < j, z = (p - mean p) / sd p, as RSiena
centres its covariates (Ripley, Snijders et al., RSiena manual, "centering"): the statistic
then measures whether created (persisted) ties are closer than the average pair, and does not
depend on the level or unit of the matrix, so the data's matrix and the model's own
proximities (cosine of simulated knowledge profiles) give comparable statistics.

The tie statistics are of the undirected ties (x: a pair is tied if either direction is).
With directed data y2_ij = 1 if i asks j in wave 2, and `mutual` counts the stayer pairs
i < j asking each other (RSiena's reciprocity statistic, sum_{i,j} y_ij y_ji, halved); it
informs `network_evolution.reciprocate` (docs/odd.md 7.12, 7.23). NaN for undirected data.
`ask_up` is, over wave 2's one-way ties i -> j among stayers whose pair was not tied in wave
1, the sum of the size gaps z^s_j - z^s_i over the sum of their absolute values, z^s = log(1
+ employees) standardised over the wave-1 actors (an actor without a size at the mean): 1
when every such tie asks the larger end, -1 when every one asks the smaller, 0 when the
direction does not follow size (RSiena's alter covariate effect). NaN without such a tie or
size gap (a simulated draw then counts 0 in `calibrate`: it leans neither way).
Normalised by the gaps, it measures the direction of the new ties and not how far apart in
size their pairs are, which creation decides: a mean gap would rise with that too, and the
model's creation does not use size. It informs `network_evolution.ask_size`. NaN without
directed data or sizes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["STATISTICS", "Wave1", "statistics", "standardise", "tie_scores", "size_scores", "geographic_proximity_km"]

STATISTICS = ("created", "persisted", "dissolved", "exits", "closure_created", "closure_per_created", "geo_created",
              "cognitive_created", "cognitive_persisted", "closure_persisted", "closure_per_persisted", "exit_ties",
              "mutual", "ask_up")


def standardise(P: np.ndarray) -> np.ndarray:
    """(P - mean) / sd over the pairs i < j of a square matrix (sd 0: centred only)."""
    P = np.asarray(P, np.float64)
    n = len(P)
    if n < 2:
        return np.zeros_like(P)
    i, j = np.triu_indices(n, 1)
    v = 0.5 * (P[i, j] + P[j, i])
    mu, sd = float(v.mean()), float(v.std())
    Z = (0.5 * (P + P.T) - mu) / (sd if sd > 0 else 1.0)
    np.fill_diagonal(Z, 0.0)
    return Z


def tie_scores(degree: np.ndarray) -> np.ndarray:
    """z^d: log(1 + degree), standardised over the actors (sd 0: centred only)."""
    d = np.log1p(np.asarray(degree, np.float64))
    return d - d.mean() if d.std() == 0 else (d - d.mean()) / d.std()


def size_scores(size: np.ndarray) -> np.ndarray:
    """z^s: log(1 + employees), standardised over the actors with a size; an actor without
    one (NaN) at 0, the mean (sd 0: all 0)."""
    s = np.log1p(np.maximum(np.asarray(size, np.float64), 0.0))
    ok = ~np.isnan(s)
    if not ok.any():
        return np.zeros(len(s))
    mu, sd = s[ok].mean(), s[ok].std()
    return np.where(ok, (s - mu) / (sd if sd > 0 else 1.0), 0.0)


def geographic_proximity_km(km: np.ndarray, geo_km: float) -> np.ndarray:
    """exp(-km / geo_km): the geographic proximity of clusterlab's tie acceptance."""
    return np.exp(-np.asarray(km, np.float64) / float(geo_km))


@dataclass
class Wave1:
    """Wave 1, prepared once: n actors, ties a < b, adjacency and log1p(common partners)."""

    n: int
    a: np.ndarray
    b: np.ndarray
    unknown: np.ndarray | None = None  # pair codes i * n + j whose tie is unknown in a wave
    size: np.ndarray | None = None  # employees per wave-1 actor (NaN: unknown), for ask_up

    def __post_init__(self):
        n = self.n
        a, b = np.asarray(self.a, np.int64), np.asarray(self.b, np.int64)
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        keep = lo != hi
        self.a, self.b = lo[keep], hi[keep]
        A = np.zeros((n, n), np.int64)
        A[self.a, self.b] = A[self.b, self.a] = 1
        self.adjacency = A.astype(bool)
        self.closure = np.log1p((A @ A).astype(np.float64))
        self.tie_score = tie_scores(A.sum(axis=1)) if n else np.zeros(0)  # z^d
        self.size_score = size_scores(self.size) if self.size is not None else None  # z^s
        self.known = np.ones((n, n), bool)  # pairs counted by the statistics
        if self.unknown is not None and len(self.unknown):
            ua, ub = np.divmod(np.asarray(self.unknown, np.int64), n)
            self.known[ua, ub] = self.known[ub, ua] = False


def statistics(w1: Wave1, present: np.ndarray, a2: np.ndarray, b2: np.ndarray,
               geographic: np.ndarray | None = None, cognitive: np.ndarray | None = None,
               cognitive_persist: np.ndarray | None = None, arcs2: np.ndarray | None = None) -> dict[str, float]:
    """The statistics of the module for one wave-2 outcome (`present` per wave-1 actor; ties
    a2-b2 among present wave-1 actors). `geographic`, `cognitive`: standardised n x n
    proximities (see `standardise`), or None (their statistics are then NaN);
    `cognitive_persist` (default `cognitive`) for the persistence statistic; `arcs2`: wave
    2's directed ties as codes i * n + j ("i asks j"), or None (mutual is then NaN)."""
    n = w1.n
    present = np.asarray(present, bool)
    a2, b2 = np.asarray(a2, np.int64), np.asarray(b2, np.int64)
    lo, hi = np.minimum(a2, b2), np.maximum(a2, b2)
    ok = (lo != hi) & present[lo] & present[hi]
    X2 = np.zeros((n, n), bool)
    X2[lo[ok], hi[ok]] = True
    iu = np.triu(np.ones((n, n), bool), 1)
    stay = present[:, None] & present[None, :] & iu & w1.known
    X1 = w1.adjacency & stay
    X2 &= stay
    created = X2 & ~X1
    persisted = X2 & X1
    dissolved = X1 & ~X2
    cp = cognitive if cognitive_persist is None else cognitive_persist
    nan = float("nan")
    return {
        "created": float(created.sum()),
        "persisted": float(persisted.sum()),
        "dissolved": float(dissolved.sum()),
        "exits": float(n - present.sum()),
        "closure_created": float(w1.closure[created].sum()),
        "closure_per_created": float(w1.closure[created].sum() / max(int(created.sum()), 1)),
        "geo_created": float(geographic[created].sum()) if geographic is not None else nan,
        "cognitive_created": float(cognitive[created].sum()) if cognitive is not None else nan,
        "cognitive_persisted": float(cp[persisted].sum()) if cp is not None else nan,
        "closure_persisted": float(w1.closure[persisted].sum()),
        "closure_per_persisted": float(w1.closure[persisted].sum() / max(int(persisted.sum()), 1)),
        "exit_ties": float(w1.tie_score[~present].sum()),
        "mutual": _mutual(arcs2, n, stay) if arcs2 is not None else nan,
        "ask_up": (_ask_up(arcs2, n, created, w1.size_score) if arcs2 is not None and w1.size_score is not None
                   else nan),
    }


def _ask_up(arcs: np.ndarray, n: int, created: np.ndarray, z: np.ndarray) -> float:
    """sum (z_j - z_i) / sum |z_j - z_i| over the one-way arcs i -> j of `arcs` whose pair
    is `created` (an upper-triangle mask); NaN without such an arc or size gap."""
    i, j = np.divmod(np.asarray(arcs, np.int64), n)
    one_way = ~np.isin(j * n + i, arcs)
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    keep = one_way & created[lo, hi]
    gap = z[j[keep]] - z[i[keep]]
    total = float(np.abs(gap).sum())
    return float(gap.sum() / total) if total > 0 else float("nan")


def _mutual(arcs: np.ndarray, n: int, stay: np.ndarray) -> float:
    """Pairs i < j of `stay` (the counted pairs) with both i -> j and j -> i in `arcs`."""
    i, j = np.divmod(np.asarray(arcs, np.int64), n)
    back = np.isin(j * n + i, arcs) & (i < j)
    return float(np.count_nonzero(stay[i[back], j[back]]))

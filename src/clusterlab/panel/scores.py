"""Scores of a predicted network against an observed one: one public function per measure
(networkx style), each on plain arrays.

Ties are given as **pair codes**: an undirected tie between positions i < j of n actors is
the integer ``i * n + j`` (`interval.IntervalRun.pairs`); a directed tie "i asks j" (any
i != j) is ``i * n + j`` too (`arc_codes`, `interval.IntervalRun.arcs`,
`Observed.directed_view`). A set of ties is a sorted array of unique codes, so no N x N
matrix is ever built. `match_waves` puts an observed second wave in
the positions of the first (actors matched by id label, as `clusterlab compare` matches
them), so that predicted and observed ties share their codes.

The measures (the simulation-based evaluation of network panels: simulate the interval
from the first observation and compare statistics of the simulated networks with the
second, Snijders 2001; Snijders, van de Bunt & Steglich 2010, section 6):

    tie_count, exit_share           levels, compared with the observed level
    jaccard                         |P & O| / |P | O| of the tie sets (Jaccard 1912)
    degree_correlation              Pearson r of predicted and observed degrees
    degree_correlation_directed     the same of in-degrees (or out-degrees), directed ties
    transitivity                    3 x triangles / connected triples (global clustering)
    reciprocity, arc_reciprocity    share of directed ties returned (directed data only)
    tie_auc, auc_from_counts        tie-level AUC, Mann-Whitney form (Fawcett 2006)
"""

from __future__ import annotations

import unicodedata
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.stats import rankdata

from ..analysis.compare import actor_labels
from ..data import ClusterNetwork
from ..data.network import check_numbered
from ..errors import ClusterlabError, ClusterlabWarning
from ..measures.cohesion import reciprocity_of

__all__ = ["Observed", "match_waves", "pair_codes", "arc_codes", "tie_count", "exit_share", "jaccard",
           "degree_correlation", "degree_correlation_directed", "transitivity", "reciprocity",
           "arc_reciprocity", "tie_auc", "auc_from_counts", "roc_from_counts"]


class PredictError(ClusterlabError):
    """The two waves cannot be scored against each other; the message says why."""


# ---------------------------------------------------------------------------------------
# the observed waves, in the positions of wave 1
# ---------------------------------------------------------------------------------------
def pair_codes(a, b, n: int) -> np.ndarray:
    """Sorted unique undirected pair codes ``min(a, b) * n + max(a, b)`` of ties (a, b) among
    n actors; self-loops dropped. A directed tie set becomes its undirected projection: a pair
    is tied if either direction is."""
    a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
    keep = a != b
    lo, hi = np.minimum(a[keep], b[keep]), np.maximum(a[keep], b[keep])
    return np.unique(lo * int(n) + hi)


def arc_codes(src, dst, n: int) -> np.ndarray:
    """Sorted unique directed pair codes ``src * n + dst`` ("src asks dst") of ties among n
    actors; self-loops dropped."""
    src, dst = np.asarray(src, np.int64), np.asarray(dst, np.int64)
    keep = src != dst
    return np.unique(src[keep] * int(n) + dst[keep])


@dataclass
class Observed:
    """Two waves matched by id label, in the positions of wave 1 (`match_waves`).

    n:        wave-1 actors
    stay:     bool per wave-1 actor: also in wave 2 (a stayer)
    ties1:    pair codes of wave 1's ties (undirected projection), all wave-1 actors
    ties2:    pair codes of wave 2's ties among stayers (in wave-1 positions)
    entries:  wave-2 actors not in wave 1 (their ties are not scored: a simulation's new
              firms cannot be matched to them either)
    directed: whether the waves were directed (then ties1, ties2 are projections)
    reciprocity1, reciprocity2: the waves' directed reciprocity (None when undirected)
    unknown:  pair codes whose tie is unknown in either wave (unobserved `NA` cells,
              `ClusterNetwork.unknown_pairs`); they are left out of ties1, ties2 and every
              score (`known`), as RSiena leaves a dyad missing at either end of a period
              out of the period's statistics (Huisman & Steglich 2008)
    """

    n: int
    stay: np.ndarray
    ties1: np.ndarray
    ties2: np.ndarray
    entries: int
    directed: bool
    ids: np.ndarray
    reciprocity1: float | None = None
    reciprocity2: float | None = None
    unknown: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    arcs1: np.ndarray | None = None  # directed data: wave 1's directed ties i -> j as codes i * n + j
    arcs2: np.ndarray | None = None  # the same for wave 2, among stayers
    ordered: bool = False            # this is `directed_view`: ties1, ties2, unknown are directed codes

    @property
    def stayers(self) -> np.ndarray:
        return np.flatnonzero(self.stay)

    def directed_view(self) -> Observed:
        """The waves as directed ties (directed data only): ties1, ties2 are `arcs1`, `arcs2`
        (codes i * n + j, "i asks j"), unknown holds both orders of each unknown pair, and
        every count below is over ordered pairs. The same scores then apply to who asks whom."""
        if self.arcs1 is None:
            raise PredictError("the waves are undirected: there is no directed view")
        a, b = np.divmod(self.unknown, self.n)
        unknown = np.unique(np.r_[self.unknown, b * self.n + a])
        return Observed(n=self.n, stay=self.stay, ties1=self.arcs1, ties2=self.arcs2, entries=self.entries,
                        directed=True, ids=self.ids, reciprocity1=self.reciprocity1,
                        reciprocity2=self.reciprocity2, unknown=unknown, ordered=True)

    def known(self, codes: np.ndarray) -> np.ndarray:
        """The pair codes (sorted, unique) whose tie is known in both waves."""
        return np.setdiff1d(codes, self.unknown, assume_unique=True) if len(self.unknown) else codes

    def unknown_among_stayers(self) -> int:
        """Pairs of stayers whose tie is unknown in either wave."""
        a, b = np.divmod(self.unknown, self.n)
        return int(np.count_nonzero(self.stay[a] & self.stay[b]))

    def scored_stayers(self) -> np.ndarray:
        """The stayers with at least one pair known in both waves: a firm whose every pair is
        unknown (a non-respondent nobody's tie reaches, say) has no degree to score."""
        stayers = self.stayers
        if not len(self.unknown):
            return stayers
        a, b = np.divmod(self.unknown, self.n)
        inside = self.stay[a] & self.stay[b]
        count = np.bincount(a[inside], minlength=self.n)  # ordered codes list each pair both ways
        if not self.ordered:
            count += np.bincount(b[inside], minlength=self.n)
        return stayers[count[stayers] < len(stayers) - 1]

    def known_pairs(self) -> int:
        """Pairs of stayers whose tie is known in both waves: the universe of the scores
        (ordered pairs in the `directed_view`)."""
        s = len(self.stayers)
        return s * (s - 1) // (1 if self.ordered else 2) - self.unknown_among_stayers()

    def ties1_among_stayers(self) -> np.ndarray:
        a, b = np.divmod(self.ties1, self.n)
        return self.ties1[self.stay[a] & self.stay[b]]

    def persistence_rate(self) -> float:
        """Persisted / wave-1 ties among stayers (`clusterlab compare`'s persistence_rate)."""
        t1 = self.ties1_among_stayers()
        return float(len(np.intersect1d(t1, self.ties2, assume_unique=True)) / len(t1)) if len(t1) else float("nan")


def _ties(net: ClusterNetwork) -> tuple[np.ndarray, np.ndarray]:
    keep = (net.src != net.dst) & (net.weight != 0)
    return net.src[keep], net.dst[keep]


def _alike(label: str) -> str:
    """A label as a person would read it: Unicode NFC, case folded, outer spaces gone, and a
    number without its leading zeros ("007" and "7")."""
    t = unicodedata.normalize("NFC", label).strip().casefold()
    return (t.lstrip("0") or "0") if t.isdigit() else t


def written_alike(labels1, labels2) -> list[tuple[str, str]]:
    """(wave-1 label, wave-2 label) pairs that are different text but read alike (`_alike`):
    ids matched as text then count as an exit and an entry, often by mistake (a spreadsheet
    that dropped leading zeros, a changed case or accent encoding)."""
    s1, s2 = set(labels1), set(labels2)
    other: dict[str, str] = {}
    for b in labels2:
        if b not in s1:
            other.setdefault(_alike(b), b)
    return [(a, other[_alike(a)]) for a in labels1 if a not in s2 and _alike(a) in other]


def alike_note(labels1, labels2) -> str:
    """What `written_alike` found, for an error's parenthesis, or ""."""
    pairs = written_alike(labels1, labels2)
    if not pairs:
        return ""
    shown = ", ".join(f"{a!r} and {b!r}" for a, b in pairs[:3]) + (" ..." if len(pairs) > 3 else "")
    return f"{len(pairs)} id(s) of wave 1 match one of wave 2 only when written alike ({shown})"


def warn_alike(note: str) -> None:
    """The warning for an `alike_note` when the waves do share ids (nothing if note is "")."""
    if note:
        warnings.warn(note + ": ids are matched as text, so each counts as an exit and an entry; write them "
                      "the same way in both files", ClusterlabWarning, stacklevel=3)


def unknown_in_either(wave1: ClusterNetwork, wave2: ClusterNetwork, pos1_of_2: np.ndarray) -> np.ndarray:
    """Pair codes (wave-1 positions) whose tie is unknown in wave 1 or in wave 2
    (`ClusterNetwork.unknown_pairs`); pos1_of_2: the wave-1 position of each wave-2 actor
    (-1 for an entry)."""
    u2 = wave2.unknown_pairs()
    k = max(wave2.n, 1)
    ua, ub = pos1_of_2[u2 // k], pos1_of_2[u2 % k]
    inside = (ua >= 0) & (ub >= 0)
    return np.union1d(wave1.unknown_pairs(), pair_codes(ua[inside], ub[inside], wave1.n))


def match_waves(wave1: ClusterNetwork, wave2: ClusterNetwork) -> Observed:
    """Match wave 2 to wave 1 by id label (compared as text, as `clusterlab compare` does): a
    tie is any edge with a non-zero weight, layers pooled, self-loops dropped; stayers are
    the actors in both waves; pairs unknown in either wave (unobserved cells) are recorded
    and left out of both tie sets (`Observed.unknown`). PredictError when the waves differ
    in directedness, share no actor, observe no pair in both, or are files without labels of
    different sizes."""
    l1, l2 = actor_labels(wave1, "wave 1", PredictError), actor_labels(wave2, "wave 2", PredictError)
    check_numbered((wave1, wave2), None, PredictError)
    if bool(wave1.directed) != bool(wave2.directed):
        d = {True: "directed", False: "undirected"}
        raise PredictError(f"wave 1 ({wave1.source or 'network'}) is {d[bool(wave1.directed)]} but wave 2 "
                           f"({wave2.source or 'network'}) is {d[bool(wave2.directed)]}; read both the same way")
    n = len(l1)
    pos1_of_2 = pd.Index(l1).get_indexer(l2)  # wave-1 position of each wave-2 actor (-1: entry)
    stay = np.zeros(n, bool)
    stay[pos1_of_2[pos1_of_2 >= 0]] = True
    note = alike_note(l1, l2)
    if not stay.any():
        raise PredictError(f"wave 1 ({wave1.source or 'network'}) and wave 2 ({wave2.source or 'network'}) "
                           "have no actor id in common; the ids must be the same labels in both waves"
                           + (f" ({note})" if note else ""))
    warn_alike(note)
    s1, d1 = _ties(wave1)
    s2, d2 = _ties(wave2)
    a2, b2 = pos1_of_2[s2], pos1_of_2[d2]
    ok = (a2 >= 0) & (b2 >= 0)
    directed = bool(wave1.directed)
    unknown = unknown_in_either(wave1, wave2, pos1_of_2)
    obs = Observed(n=n, stay=stay, ties1=pair_codes(s1, d1, n), ties2=pair_codes(a2[ok], b2[ok], n),
                   entries=int(np.count_nonzero(pos1_of_2 < 0)), directed=directed, ids=l1,
                   reciprocity1=reciprocity(s1, d1, wave1.missing) if directed else None,
                   reciprocity2=reciprocity(s2, d2, wave2.missing) if directed else None, unknown=unknown)
    obs.ties1, obs.ties2 = obs.known(obs.ties1), obs.known(obs.ties2)
    if directed:  # directed codes, without the pairs unknown in either wave
        a, b = np.divmod(obs.unknown, n)
        gone = np.r_[obs.unknown, b * n + a]
        arcs = lambda s, d: np.setdiff1d(arc_codes(s, d, n), gone)  # noqa: E731
        obs.arcs1, obs.arcs2 = arcs(s1, d1), arcs(a2[ok], b2[ok])
    if len(unknown) and obs.known_pairs() == 0:
        raise PredictError(NOTHING_OBSERVED)
    return obs


NOTHING_OBSERVED = ("no pair of stayers is observed in both waves (each has an unobserved cell, NA, in a wave): "
                    "there is nothing to score")


# ---------------------------------------------------------------------------------------
# the measures
# ---------------------------------------------------------------------------------------
def tie_count(codes: np.ndarray) -> int:
    """The number of ties, ``|T|`` (a tie set of unique pair codes)."""
    return int(len(codes))


def exit_share(present: np.ndarray) -> float:
    """The share of wave-1 actors gone by wave 2, ``1 - sum(present) / n`` (the exits of a
    panel, Juhasz & Lengyel 2018; survival in Staber 2001)."""
    present = np.asarray(present, bool)
    return float(1.0 - present.mean()) if len(present) else float("nan")


def jaccard(p: np.ndarray, o: np.ndarray) -> float:
    """Jaccard similarity of two tie sets (sorted unique pair codes):

        J(P, O) = |P & O| / |P | O|

    1 when the sets are equal, 0 when they share no tie; NaN when both are empty (Jaccard
    1912, "The distribution of the flora in the alpine zone", New Phytologist 11(2); used for
    network panels as the stability of ties between waves, Snijders, van de Bunt & Steglich
    2010, section 4)."""
    inter = len(np.intersect1d(p, o, assume_unique=True))
    union = len(p) + len(o) - inter
    return float(inter / union) if union else float("nan")


def degrees(codes: np.ndarray, n: int) -> np.ndarray:
    """Degree of each of n actors in an undirected tie set of pair codes."""
    a, b = np.divmod(np.asarray(codes, np.int64), n)
    return np.bincount(a, minlength=n) + np.bincount(b, minlength=n)


def degree_correlation(p: np.ndarray, o: np.ndarray, n: int, over: np.ndarray | None = None) -> float:
    """Pearson correlation of the degrees of actors in the predicted and the observed tie set
    (pair codes among n actors), over the actors `over` (positions; default all):

        r = cov(d_P, d_O) / (sd(d_P) sd(d_O))

    NaN when either degree sequence is constant (no correlation is defined). Degree
    distributions as auxiliary statistics for judging a fitted network model: Hunter, Goodreau
    & Handcock 2008, "Goodness of fit of social network models", JASA 103(481)."""
    dp, do = degrees(p, n), degrees(o, n)
    if over is not None:
        dp, do = dp[over], do[over]
    if len(dp) < 2 or np.ptp(dp) == 0 or np.ptp(do) == 0:
        return float("nan")
    return float(np.corrcoef(dp, do)[0, 1])


def degree_correlation_directed(p: np.ndarray, o: np.ndarray, n: int, over: np.ndarray | None = None,
                                which: str = "in") -> float:
    """`degree_correlation` of in-degrees (``which="in"``: how many ask an actor, a knowledge
    source; Giuliani & Bell 2005) or out-degrees ("out": how many an actor asks) of two
    directed tie sets (codes i * n + j, "i asks j")."""
    if which not in ("in", "out"):
        raise ClusterlabError(f"which: expected 'in' or 'out', got {which!r}")
    k = 1 if which == "in" else 0
    dp = np.bincount(np.divmod(np.asarray(p, np.int64), n)[k], minlength=n)
    do = np.bincount(np.divmod(np.asarray(o, np.int64), n)[k], minlength=n)
    if over is not None:
        dp, do = dp[over], do[over]
    if len(dp) < 2 or np.ptp(dp) == 0 or np.ptp(do) == 0:
        return float("nan")
    return float(np.corrcoef(dp, do)[0, 1])


def arc_reciprocity(codes: np.ndarray, n: int) -> float:
    """Share of the directed ties (codes i * n + j) whose reverse j -> i is also in the set,
    ``|{(i, j) in T : (j, i) in T}| / |T|`` (Wasserman & Faust 1994, section 13.2); NaN for
    an empty set."""
    codes = np.asarray(codes, np.int64)
    if not len(codes):
        return float("nan")
    a, b = np.divmod(codes, n)
    return float(np.isin(b * n + a, codes).mean())


def _adjacency(codes: np.ndarray, n: int) -> sparse.csr_matrix:
    a, b = np.divmod(np.asarray(codes, np.int64), n)
    A = sparse.coo_matrix((np.ones(2 * len(a)), (np.r_[a, b], np.r_[b, a])), shape=(n, n)).tocsr()
    return A


def transitivity(codes: np.ndarray, n: int) -> float:
    """Global clustering coefficient of an undirected tie set (pair codes among n actors):

        T = 3 x triangles / connected triples = trace(A^3) / sum_i d_i (d_i - 1)

    0 when there is no connected triple (as networkx.transitivity; Wasserman & Faust 1994,
    "Social network analysis", section 14.3; Newman 2003, "The structure and function of
    complex networks", SIAM Review 45(2), eq. 3)."""
    A = _adjacency(codes, n)
    d = np.asarray(A.sum(axis=1)).ravel()
    triples = float(np.sum(d * (d - 1)))
    if triples == 0:
        return 0.0
    closed = float((A @ A).multiply(A).sum())  # = trace(A^3) = 6 x triangles
    return closed / triples


def reciprocity(src, dst, missing=None) -> float:
    """Share of the directed ties (distinct ordered pairs i -> j, i != j) whose reverse j -> i
    is also a tie:

        R = |{(i, j) in T : (j, i) in T}| / |T|

    over the ties whose reverse cell was observed (`missing`: the (K, 2) unobserved cells,
    `ClusterNetwork.missing`; a tie to a non-respondent cannot be known to be returned). NaN
    without such ties (networkx.overall_reciprocity; Wasserman & Faust 1994, section 13.2).
    For tie sets of directed codes, `arc_reciprocity`."""
    return reciprocity_of(src, dst, missing)


def tie_auc(scores, labels) -> float:
    """Area under the ROC curve of `scores` for binary `labels`, in the Mann-Whitney form:
    the probability that a random positive scores above a random negative, ties counted 1/2:

        AUC = (sum of the positives' mid-ranks - P (P + 1) / 2) / (P N)

    with P positives and N negatives (Fawcett 2006, "An introduction to ROC analysis", Pattern
    Recognition Letters 27(8), section 7; Hanley & McNeil 1982, Radiology 143(1)). 0.5 is
    chance, 1 a perfect ranking. NaN when there are no positives or no negatives."""
    scores = np.asarray(scores, float)
    labels = np.asarray(labels, bool)
    P = int(labels.sum())
    N = len(labels) - P
    if P == 0 or N == 0:
        return float("nan")
    r = rankdata(scores)  # mid-ranks for ties
    return float((r[labels].sum() - P * (P + 1) / 2) / (P * N))


def auc_from_counts(pos: np.ndarray, neg: np.ndarray) -> float:
    """`tie_auc` from histograms: pos[k], neg[k] = positives and negatives with the k-th
    smallest score (e.g. held in k of R replications). The same Mann-Whitney value, without
    one entry per dyad:

        AUC = sum_k neg[k] (sum_{k' > k} pos[k'] + pos[k] / 2) / (P N)
    """
    pos, neg = np.asarray(pos, float), np.asarray(neg, float)
    P, N = pos.sum(), neg.sum()
    if P == 0 or N == 0:
        return float("nan")
    above = np.cumsum(pos[::-1])[::-1] - pos  # positives with a higher score than k
    return float(np.sum(neg * (above + 0.5 * pos)) / (P * N))


def roc_from_counts(pos: np.ndarray, neg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ROC curve (false-positive rate, true-positive rate) from score histograms as in
    `auc_from_counts`, thresholds from the highest score down; starts at (0, 0), ends at (1, 1)
    (Fawcett 2006, algorithm 1). Its trapezoid area is `auc_from_counts`."""
    pos, neg = np.asarray(pos, float), np.asarray(neg, float)
    tpr = np.r_[0.0, np.cumsum(pos[::-1]) / max(pos.sum(), 1)]
    fpr = np.r_[0.0, np.cumsum(neg[::-1]) / max(neg.sum(), 1)]
    return fpr, tpr

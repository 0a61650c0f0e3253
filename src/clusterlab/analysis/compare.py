"""Panel comparison of two survey waves of a cluster network: who entered and left, which
ties among the stayers were created, persisted or dissolved, and what drives creation and
persistence (Juhasz & Lengyel 2018, "Creation and persistence of ties in cluster knowledge
networks", J. Econ. Geogr. 18(6); Ter Wal 2013, "Cluster emergence and network evolution",
Reg. Stud. 47(5)).

    res = compare(wave1, wave2, {"cognitive": C, "geographic": G})
    res.actors, res.ties, res.coefficients, res.summary()
    res.write("out/")                        # CSV tables, summary.json, report.html
    evolution_parameters(res)                # estimates -> network_evolution parameters (calibrate)

Actors are matched by their id label (compared as text). A tie is any edge with a non-zero
weight, whatever its layer (layers are pooled, weights otherwise ignored, self-loops dropped).
Both waves must be directed or both undirected. Only ties between stayers (actors in both
waves) are classified:

    created    tied in wave 2, not in wave 1
    persisted  tied in both
    dissolved  tied in wave 1, not in wave 2

Directed ties are ordered pairs (source asks target); undirected ties are unordered pairs.
A pair with an unobserved cell (`NA` in a matrix, `ClusterNetwork.missing`) in either
direction in either wave is left out of the tie counts and both models
(`tie_counts["unknown_pairs"]`; directed: ordered pairs, so twice the undirected count): its
change, or its reciprocity covariate, is unknown (Huisman & Steglich 2008).

Two logistic regressions over stayer pairs (intercept `const` always included):

    creation     pairs NOT tied in wave 1; outcome: tied in wave 2
    persistence  pairs tied in wave 1;     outcome: still tied in wave 2

Covariates, all measured in wave 1:

    reciprocity  the reverse tie existed in wave 1 (directed networks only)
    closure      log1p(number of common partners) in wave 1, partners taken without regard
                 to direction and among all wave-1 actors (exits included); ``closure="count"``
                 uses the plain number
    <name>       each proximity matrix given: its value for the pair (directed: row = source,
                 column = target; undirected: mean of both cells). A proximity matrix is a
                 labelled square table (pandas DataFrame, index = row labels, columns = column
                 labels, matched as text; order does not matter), e.g. from
                 `clusterlab.data.read_proximity`. Every stayer must have a row and a column,
                 and the cells used must be numbers.

A covariate that does not vary over a model's pairs cannot be estimated and is left out
(listed in the model's ``dropped_terms``).

Standard errors (see `clusterlab.analysis.dyadic`): pairs sharing an actor are dependent,
so ``se``, ``z``, ``p`` of ``coefficients`` are dyadic-robust (Fafchamps & Gubert 2007;
Aronow, Samii & Assenova 2015: the sandwich's meat sums the score products of every two
pairs sharing an actor); ``se_ml``, ``z_ml``, ``p_ml`` are the naive ML ones; ``se_twoway``,
``p_twoway`` cluster two-way by the pair's first and second actor (Cameron, Gelbach &
Miller 2011). A term behind a separation keeps the ML standard error in every column (the
sandwich is degenerate there), and the model is named in a `ClusterlabWarning`.
``permutations=N`` adds ``p_qap``, node-permutation p-values by double semi-partialling
(Dekker, Krackhardt & Snijders 2007), seeded by ``seed``. ``years`` (time between the
waves) is kept for the yearly rates of `evolution_parameters`.

Sampled design for large clusters. Creation has about N^2 candidate pairs; when there are
more than ``max_pairs`` of them, the model is fitted on a case-control sample: every pair that
became tied (all cases) plus a uniform random sample of the pairs that did not (controls), so
that about ``max_pairs`` pairs are used. The slopes of a logit are consistent under such
outcome-based sampling; the intercept is corrected by prior correction (King & Zeng 2001,
"Logistic regression in rare events data", Political Analysis 9(2)):

    const = const_sample - ln(N0 / n0)        N0 controls in the population, n0 sampled

Its standard error is unchanged; the log-likelihoods reported are those of the sample. The
design, N0, n0 and the correction are in the model's entry of ``CompareResult.models``.
"""

from __future__ import annotations

import json
import math
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.stats import norm

from ..data import ClusterNetwork
from ..data.network import check_numbered
from ..data.load import absent_record
from ..errors import ClusterlabError, ClusterlabWarning
from ..outdir import json_safe, staged
from .calibrate import evolution_parameters
from .dyadic import dyadic_cov, qap_pvalues, twoway_cov
from .logit import logit

__all__ = ["CompareError", "CompareResult", "compare", "geographic_proximity", "STATUSES"]

STATUSES = ("created", "persisted", "dissolved")
RESERVED = ("const", "reciprocity", "closure")
MAX_LIST = 8  # labels named in an error message at most
COLUMNS = ["model", "term", "coef", "se", "z", "p", "se_ml", "z_ml", "p_ml", "se_twoway", "p_twoway", "p_qap"]
SE_NOTE = ("se, z, p: dyadic-robust (Fafchamps & Gubert 2007; Aronow, Samii & Assenova 2015): pairs sharing an "
           "actor are dependent; se_ml, z_ml, p_ml: naive maximum likelihood (pairs independent); se_twoway, "
           "p_twoway: two-way clustered by the pair's first and second actor (Cameron, Gelbach & Miller 2011); "
           "see clusterlab.analysis.dyadic")
QAP_NOTE = ("p_qap: node-label permutation (QAP) p-value, double semi-partialling (Dekker, Krackhardt & "
            "Snijders 2007): each term's residual on the other terms is permuted by actor labels, "
            "(1 + #|z_perm| >= |z|) / (1 + permutations)")


class CompareError(ClusterlabError):
    """The two waves or a proximity matrix cannot be compared; the message says why."""


# ---------------------------------------------------------------------------------------
# proximity matrices
# ---------------------------------------------------------------------------------------
def geographic_proximity(net: ClusterNetwork, km: float = 10.0) -> pd.DataFrame:
    """exp(-distance / km) between actors from the attribute columns x and y (in km), the
    geographic proximity of clusterlab's network evolution (geo_km = km)."""
    att = net.attributes
    if att is None or "x" not in att.columns or "y" not in att.columns:
        raise CompareError(f"{net.source or 'network'}: no x and y attributes for geographic proximity")
    x, y = att["x"].to_numpy(float), att["y"].to_numpy(float)
    d = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    labels = [str(i) for i in net.ids]
    return pd.DataFrame(np.exp(-d / km), index=labels, columns=labels)


def _network_matrix(net: ClusterNetwork) -> pd.DataFrame:
    labels = [str(i) for i in net.ids]
    M = np.zeros((net.n, net.n))
    np.add.at(M, (net.src, net.dst), net.weight)
    if not net.directed:
        M = M + M.T - np.diag(np.diag(M))
    return pd.DataFrame(M, index=labels, columns=labels)


class _Proximity:
    """A proximity matrix with the positions of the stayers' rows and columns."""

    def __init__(self, name: str, P, labels: np.ndarray):
        source = P.source if isinstance(P, ClusterNetwork) else getattr(P, "attrs", {}).get("source")
        where = (f"{source}: " if source else "") + f"proximity {name!r}"
        if isinstance(P, ClusterNetwork):
            P = _network_matrix(P)
        if not isinstance(P, pd.DataFrame):
            raise CompareError(f"{where}: expected a labelled table (pandas DataFrame), "
                               f"got {type(P).__name__}")
        rows = pd.Index([str(v) for v in P.index])
        cols = pd.Index([str(v) for v in P.columns])
        for what, idx in (("row", rows), ("column", cols)):
            if idx.has_duplicates:
                dup = list(dict.fromkeys(idx[idx.duplicated()]))
                raise CompareError(f"{where}: duplicate {what} labels: {_names(dup)}")
        self.rpos = rows.get_indexer(labels)
        self.cpos = cols.get_indexer(labels)
        miss_r = labels[self.rpos < 0]
        miss_c = labels[self.cpos < 0]
        if len(miss_r) or len(miss_c):
            parts = []
            if len(miss_r):
                parts.append(f"no row for {len(miss_r)} actor(s): {_names(miss_r)}")
            if len(miss_c):
                parts.append(f"no column for {len(miss_c)} actor(s): {_names(miss_c)}")
            raise CompareError(f"{where}: " + "; ".join(parts))
        try:
            self.values = P.to_numpy(dtype=np.float64)
        except (TypeError, ValueError):
            raise CompareError(f"{where}: has values that are not numbers") from None
        self.name = name
        self.where = where
        self.labels = labels

    def pairs(self, i: np.ndarray, j: np.ndarray, directed: bool) -> np.ndarray:
        v = self.values[self.rpos[i], self.cpos[j]]
        if not directed:
            v = 0.5 * (v + self.values[self.rpos[j], self.cpos[i]])
        bad = ~np.isfinite(v)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            raise CompareError(f"{self.where}: {int(bad.sum())} pair(s) have no value, e.g. "
                               f"{self.labels[i[k]]!r} -> {self.labels[j[k]]!r}")
        return v

    def range(self) -> tuple[float, float]:
        sub = self.values[np.ix_(self.rpos, self.cpos)] if len(self.rpos) <= 3000 else self.values
        sub = sub[np.isfinite(sub)]
        return (float(sub.min()), float(sub.max())) if len(sub) else (0.0, 0.0)


def _names(labels, limit: int = MAX_LIST) -> str:
    labels = [str(v) for v in labels]
    more = f" and {len(labels) - limit} more" if len(labels) > limit else ""
    return ", ".join(repr(v) for v in labels[:limit]) + more


# ---------------------------------------------------------------------------------------
# the comparison
# ---------------------------------------------------------------------------------------
@dataclass
class CompareResult:
    """The comparison of two waves.

    directed:     whether ties are directed
    actors:       DataFrame id, status ("stayer", "entry", "exit"): stayers in wave-1 order,
                  then entries in wave-2 order, then exits in wave-1 order
    entries, exits, stayers: the labels (str) of each group
    ties:         DataFrame source, target, status ("created", "persisted", "dissolved") of
                  the ties among stayers (undirected: source < target in stayer order)
    tie_counts:   counts of the statuses and of the waves' ties (see `summary`)
    coefficients: DataFrame model ("creation"/"persistence"), term, coef, se, z, p
    models:       per model: fit statistics, design, dropped terms, covariate means
    proximities:  names of the proximity matrices used (terms of the models)
    closure:      "log1p" or "count"
    sources:      the waves' source files
    years:        the time between the waves (None: not given), for yearly rates
    """

    directed: bool
    actors: pd.DataFrame
    entries: list[str]
    exits: list[str]
    stayers: list[str]
    ties: pd.DataFrame
    tie_counts: dict
    coefficients: pd.DataFrame
    models: dict
    proximities: list[str] = field(default_factory=list)
    closure: str = "log1p"
    sources: tuple[str, str] = ("", "")
    years: float | None = None
    absent: dict = field(default_factory=dict)  # "wave1"/"wave2" -> {id: rule} of actors removed as absent

    def summary(self) -> dict:
        """Everything but the long lists, JSON-ready (no NaN)."""
        coefs = [{k: json_safe(v) for k, v in r.items()} for r in self.coefficients.to_dict("records")]
        return json_safe({
            "wave1": self.sources[0], "wave2": self.sources[1], "directed": self.directed,
            "actors": {"wave1": len(self.stayers) + len(self.exits),
                       "wave2": len(self.stayers) + len(self.entries),
                       "stayers": len(self.stayers), "entries": len(self.entries), "exits": len(self.exits)},
            "absent": {"wave1": dict(self.absent.get("wave1", {})), "wave2": dict(self.absent.get("wave2", {}))},
            "ties": dict(self.tie_counts),
            "closure": self.closure,
            "years": self.years,
            "proximities": list(self.proximities),
            "models": self.models,
            "coefficients": coefs,
            "evolution_parameters": evolution_parameters(self),
        })

    def write(self, out, report: bool = True, overwrite: bool = False) -> Path:
        """Write into folder `out` (rules: `clusterlab.outdir`; overwrite: also replace files
        clusterlab did not write): actors.csv, ties.csv, coefficients.csv, summary.json and
        (report=True) report.html."""
        out = Path(out)
        with staged(out, "compare", overwrite) as tmp:
            self.actors.to_csv(tmp / "actors.csv", index=False)
            self.ties.to_csv(tmp / "ties.csv", index=False)
            self.coefficients.to_csv(tmp / "coefficients.csv", index=False)
            (tmp / "summary.json").write_text(json.dumps(self.summary(), indent=2) + "\n", encoding="utf-8")
            if report:
                from .report import write_compare_report  # matplotlib only when writing a report

                write_compare_report(tmp / "report.html", self)
        return out


def actor_labels(net: ClusterNetwork, which: str, error: type[ClusterlabError] = CompareError) -> np.ndarray:
    """The actors' id labels as text (how waves are matched: `compare`, `predict`,
    `calibrate`); `error` (naming `which`) when `net` is not a network or has duplicate ids."""
    if not isinstance(net, ClusterNetwork):
        raise error(f"{which}: expected a ClusterNetwork, got {type(net).__name__}")
    labels = np.array([str(i) for i in net.ids], dtype=object)
    idx = pd.Index(labels)
    if idx.has_duplicates:
        dup = list(dict.fromkeys(idx[idx.duplicated()]))
        raise error(f"{which} ({net.source or 'network'}): duplicate actor ids: {_names(dup)}")
    return labels


def _tie_keys(net: ClusterNetwork, to_stayer: np.ndarray, S: int) -> np.ndarray:
    """Sorted unique keys i * S + j of the ties among stayers (undirected: i < j)."""
    keep = (net.src != net.dst) & (net.weight != 0)
    s, d = to_stayer[net.src[keep]], to_stayer[net.dst[keep]]
    ok = (s >= 0) & (d >= 0)
    s, d = s[ok], d[ok]
    if not net.directed:
        s, d = np.minimum(s, d), np.maximum(s, d)
    return np.unique(s * S + d)


def _unknown_keys(net: ClusterNetwork, to_stayer: np.ndarray, S: int) -> np.ndarray:
    """Sorted unique keys i * S + j of the stayer pairs with an unobserved cell (`NA`,
    `ClusterNetwork.missing`) in either direction (undirected: i < j; directed: both ordered
    pairs, as the reciprocity covariate of i -> j is the cell j -> i)."""
    m = net.missing
    s, d = to_stayer[m[:, 0]], to_stayer[m[:, 1]]
    ok = (s >= 0) & (d >= 0) & (s != d)
    s, d = s[ok], d[ok]
    if net.directed:
        s, d = np.r_[s, d], np.r_[d, s]
    else:
        s, d = np.minimum(s, d), np.maximum(s, d)
    return np.unique(s * S + d)


def _partners(net: ClusterNetwork) -> sparse.csr_matrix:
    """Binary symmetric adjacency (partners without regard to direction, no self-loops)."""
    keep = (net.src != net.dst) & (net.weight != 0)
    s, d = net.src[keep], net.dst[keep]
    U = sparse.coo_matrix((np.ones(2 * len(s)), (np.r_[s, d], np.r_[d, s])), shape=(net.n, net.n)).tocsr()
    U.data[:] = 1.0
    U.sum_duplicates()
    U.data[:] = 1.0
    return U


def _common(U: sparse.csr_matrix, a: np.ndarray, b: np.ndarray, chunk: int = 200_000) -> np.ndarray:
    out = np.empty(len(a))
    for lo in range(0, len(a), chunk):
        hi = lo + chunk
        out[lo:hi] = np.asarray(U[a[lo:hi]].multiply(U[b[lo:hi]]).sum(axis=1)).ravel()
    return out


def compare(wave1: ClusterNetwork, wave2: ClusterNetwork,
            proximities: dict[str, pd.DataFrame] | None = None, *, closure: str = "log1p",
            max_pairs: int = 1_000_000, seed: int = 0, permutations: int = 0,
            years: float | None = None) -> CompareResult:
    """Compare two waves: actor turnover, tie changes among stayers and the logit models of
    tie creation and persistence (see the module docstring).

    proximities: name -> labelled square matrix (DataFrame; a ClusterNetwork is taken as its
    weighted adjacency matrix). Name them ``geographic`` and ``cognitive`` (proximity, higher
    = closer, on a 0-1 scale) for `evolution_parameters` to use them.
    max_pairs: above this many candidate pairs the creation model uses a case-control sample
    (seeded by `seed`, so results are reproducible).
    permutations: QAP permutations per model for ``p_qap`` (0: none; seeded by `seed`).
    years: time between the waves (> 0), for yearly rates and ``dissolve_rate``.
    A distance matrix must first be made a proximity (`clusterlab.data.as_proximity`).
    """
    if closure not in ("log1p", "count"):
        raise CompareError(f"closure must be 'log1p' or 'count', not {closure!r}")
    if max_pairs < 1:
        raise CompareError("max_pairs must be >= 1")
    if seed < 0:
        raise CompareError("seed must be >= 0")
    if permutations < 0:
        raise CompareError("permutations must be >= 0")
    if years is not None and not (isinstance(years, (int, float)) and math.isfinite(years) and years > 0):
        raise CompareError(f"years must be a number > 0 (the time between the waves), not {years!r}")
    l1, l2 = actor_labels(wave1, "wave 1"), actor_labels(wave2, "wave 2")
    if bool(wave1.directed) != bool(wave2.directed):
        raise CompareError(f"wave 1 ({wave1.source or 'network'}) is {'directed' if wave1.directed else 'undirected'} "
                           f"but wave 2 ({wave2.source or 'network'}) is {'directed' if wave2.directed else 'undirected'}; "
                           "read both the same way")
    directed = bool(wave1.directed)
    proximities = dict(proximities or {})
    check_numbered((wave1, wave2), proximities, CompareError)
    for name in proximities:
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.\-]*", name):
            raise CompareError(f"proximity name {name!r}: use letters, digits and _ . - (starting with a letter)")
        if name in RESERVED:
            raise CompareError(f"proximity name {name!r} is reserved (terms {', '.join(RESERVED)})")

    in2 = pd.Index(l2)
    in1 = pd.Index(l1)
    pos2_of_1 = in2.get_indexer(l1)
    stay1 = np.flatnonzero(pos2_of_1 >= 0)  # wave-1 positions of stayers, wave-1 order
    stay2 = pos2_of_1[stay1]
    stayers = l1[stay1]
    S = len(stayers)
    exits = l1[pos2_of_1 < 0]
    entries = l2[in1.get_indexer(l2) < 0]
    actors = pd.DataFrame({
        "id": np.r_[stayers, entries, exits].astype(object),
        "status": ["stayer"] * S + ["entry"] * len(entries) + ["exit"] * len(exits),
    })

    to_s1 = np.full(wave1.n, -1, np.int64)
    to_s1[stay1] = np.arange(S)
    to_s2 = np.full(wave2.n, -1, np.int64)
    to_s2[stay2] = np.arange(S)
    T1, T2 = _tie_keys(wave1, to_s1, S), _tie_keys(wave2, to_s2, S)
    # pairs with an unobserved cell in either wave: their change is unknown, left out (Huisman & Steglich 2008)
    unknown = np.union1d(_unknown_keys(wave1, to_s1, S), _unknown_keys(wave2, to_s2, S))
    n1_stay, n2_stay = len(T1), len(T2)
    T1, T2 = np.setdiff1d(T1, unknown, assume_unique=True), np.setdiff1d(T2, unknown, assume_unique=True)
    persisted = np.intersect1d(T1, T2, assume_unique=True)
    created = np.setdiff1d(T2, T1, assume_unique=True)
    dissolved = np.setdiff1d(T1, T2, assume_unique=True)
    keys = np.r_[created, persisted, dissolved]
    status = np.repeat(np.array(STATUSES, dtype=object), [len(created), len(persisted), len(dissolved)])
    order = np.argsort(keys, kind="stable")
    keys, status = keys[order], status[order]
    ties = pd.DataFrame({"source": stayers[keys // S] if S else np.zeros(0, object),
                         "target": stayers[keys % S] if S else np.zeros(0, object),
                         "status": status})

    all1 = _tie_keys(wave1, np.arange(wave1.n), wave1.n)
    all2 = _tie_keys(wave2, np.arange(wave2.n), wave2.n)
    tie_counts = {
        "created": int(len(created)), "persisted": int(len(persisted)), "dissolved": int(len(dissolved)),
        "wave1": int(len(all1)), "wave2": int(len(all2)),
        "wave1_among_stayers": int(len(T1)), "wave2_among_stayers": int(len(T2)),
        "wave1_with_exits": int(len(all1) - n1_stay), "wave2_with_entries": int(len(all2) - n2_stay),
        "persistence_rate": (len(persisted) / len(T1)) if len(T1) else None,
    }

    prox = [_Proximity(name, P, stayers) for name, P in proximities.items()]
    U = _partners(wave1)
    total_pairs = (S * (S - 1) if directed else S * (S - 1) // 2) - len(unknown)
    if len(unknown) and total_pairs == 0:
        raise CompareError("no pair of stayers is observed in both waves (each has an unobserved cell, NA, in a "
                           "wave): there is nothing to compare")
    tie_counts["unknown_pairs"] = int(len(unknown))
    tie_counts["candidate_pairs"] = int(total_pairs - len(T1))
    tie_counts["creation_rate"] = (len(created) / (total_pairs - len(T1))) if total_pairs > len(T1) else None

    def design(a: np.ndarray, b: np.ndarray) -> tuple[list[str], np.ndarray]:
        names, cols = ["const"], [np.ones(len(a))]
        if directed:
            names.append("reciprocity")
            cols.append(np.isin(b * S + a, T1).astype(float))
        cp = _common(U, stay1[a], stay1[b])
        names.append("closure")
        cols.append(np.log1p(cp) if closure == "log1p" else cp)
        for px in prox:
            names.append(px.name)
            cols.append(px.pairs(a, b, directed))
        return names, np.column_stack(cols) if cols else np.zeros((len(a), 0))

    models: dict = {}
    tables = []
    rng = np.random.default_rng(seed)
    qrng = np.random.default_rng([seed, 1])  # QAP permutations: a stream apart from the sample's

    # creation: pairs not tied in wave 1
    n_cand = total_pairs - len(T1)
    info: dict = {"pairs": int(n_cand), "events": int(len(created)), "design": "full"}
    if n_cand <= max_pairs:
        ck = _all_pairs(S, directed)
        ck = ck[~np.isin(ck, np.union1d(T1, unknown))]
        y = np.isin(ck, T2).astype(float)
        offset = 0.0
    else:
        N1, N0 = len(created), n_cand - len(created)
        n0 = int(min(N0, max(max_pairs - N1, N1, 1)))
        controls = _sample_pairs(rng, S, directed, n0, np.union1d(np.union1d(T1, T2), unknown))
        ck = np.r_[created, controls]
        y = np.r_[np.ones(N1), np.zeros(len(controls))]
        offset = math.log(N0 / len(controls)) if len(controls) else 0.0
        info.update(design="case-control", cases=int(N1), controls_population=int(N0),
                    controls_sampled=int(len(controls)), intercept_correction=-offset, seed=int(seed),
                    note="all created ties and a uniform random sample of the other candidate pairs; "
                         "slopes as fitted, const prior-corrected by -ln(controls_population / "
                         "controls_sampled) (King & Zeng 2001); log-likelihoods are of the sample")
    models["creation"], tab = _fit("creation", ck, y, S, design, offset, info, permutations, qrng)
    tables.append(tab)

    # persistence: pairs tied in wave 1
    info = {"pairs": int(len(T1)), "events": int(len(persisted)), "design": "full"}
    y = np.isin(T1, T2).astype(float)
    models["persistence"], tab = _fit("persistence", T1, y, S, design, 0.0, info, permutations, qrng)
    tables.append(tab)

    cols = COLUMNS
    tables = [t for t in tables if len(t)]
    coefficients = pd.concat(tables, ignore_index=True)[cols] if tables else pd.DataFrame(columns=cols)
    for name, m in models.items():
        if m.get("separation"):
            terms = m.get("separating_terms") or []
            warnings.warn(ClusterlabWarning(
                f"{name} model: perfect or quasi-perfect separation by {_names(terms)}: "
                f"{'its' if len(terms) == 1 else 'their'} estimates are unbounded (standard errors "
                "shown are ML's), and no parameter is suggested from this model"), stacklevel=2)
    ranges = {px.name: px.range() for px in prox}
    for m in models.values():
        m["proximity_ranges"] = {k: list(v) for k, v in ranges.items()}
    return CompareResult(directed=directed, actors=actors, entries=[str(v) for v in entries],
                         exits=[str(v) for v in exits], stayers=[str(v) for v in stayers], ties=ties,
                         tie_counts=tie_counts, coefficients=coefficients, models=models,
                         proximities=[px.name for px in prox], closure=closure,
                         sources=(str(wave1.source or ""), str(wave2.source or "")),
                         years=None if years is None else float(years),
                         absent={"wave1": absent_record(wave1), "wave2": absent_record(wave2)})


def _all_pairs(S: int, directed: bool) -> np.ndarray:
    i, j = np.divmod(np.arange(S * S, dtype=np.int64), S) if S else (np.zeros(0, np.int64),) * 2
    keep = (i != j) if directed else (i < j)
    return i[keep] * S + j[keep]


def _sample_pairs(rng, S: int, directed: bool, n0: int, exclude: np.ndarray) -> np.ndarray:
    """n0 distinct pair keys drawn uniformly among the pairs not in `exclude` (rejection)."""
    got = np.zeros(0, np.int64)
    for _ in range(200):
        need = n0 - len(got)
        if need <= 0:
            break
        m = int(need * 1.3) + 100
        i, j = rng.integers(0, S, m), rng.integers(0, S, m)
        if not directed:
            i, j = np.minimum(i, j), np.maximum(i, j)
        k = (i * S + j)[i != j]
        k = k[~np.isin(k, exclude)]
        got = np.union1d(got, k)
    if len(got) > n0:
        got = np.sort(rng.choice(got, n0, replace=False))
    return got


def _fit(model: str, keys: np.ndarray, y: np.ndarray, S: int, design, offset: float,
         info: dict, permutations: int = 0, rng=None) -> tuple[dict, pd.DataFrame]:
    empty = pd.DataFrame(columns=COLUMNS)
    a, b = (keys // S, keys % S) if S else (keys, keys)
    names, X = design(a, b)
    info["n"] = int(len(y))
    if len(y) == 0:
        return info | {"fitted": False, "reason": "no pairs"}, empty
    if y.min() == y.max():
        return info | {"fitted": False, "reason": f"every pair has outcome {int(y[0])}: nothing to explain"}, empty
    vary = [0] + [c for c in range(1, X.shape[1]) if np.ptp(X[:, c]) > 0]
    dropped = [names[c] for c in range(1, X.shape[1]) if c not in vary]
    X, names = X[:, vary], [names[c] for c in vary]
    info["dropped_terms"] = dropped
    info["means"] = {nm: float(X[:, c].mean()) for c, nm in enumerate(names) if nm != "const"}
    info["means_events"] = {nm: float(X[y == 1, c].mean()) for c, nm in enumerate(names) if nm != "const"}
    if len(y) <= len(names):
        return info | {"fitted": False, "reason": f"{len(y)} pairs for {len(names)} terms"}, empty
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        fit = logit(X, y, names=names)
        V, clipped = dyadic_cov(X, y, fit.coef, a, b)
        V2 = twoway_cov(X, y, fit.coef, a, b, psd=True)
    coef = fit.coef.copy()
    if offset:
        coef[0] -= offset
    se = _se(V)
    se2 = _se(V2)
    separating = _separating(X, y, names, fit) if fit.separation else []
    for c, nm in enumerate(names):
        if nm in separating:  # the sandwich is degenerate where the MLE is infinite: keep ML's
            se[c] = se2[c] = fit.se[c]
    z, p = _wald(coef, se)
    z_ml, p_ml = _wald(coef, fit.se)
    _, p2 = _wald(coef, se2)
    p_qap = np.full(len(names), np.nan)
    if permutations:
        cols = list(vary)

        def pair_design(perm: np.ndarray) -> np.ndarray:
            return design(perm[a], perm[b])[1][:, cols]

        pv = qap_pvalues(X, y, names, pair_design, S, permutations, rng)
        p_qap = np.array([pv.get(nm, np.nan) for nm in names])
        info["qap"] = {"permutations": int(permutations), "method": QAP_NOTE}
    info.update(fitted=True, loglik=fit.loglik, loglik_null=fit.loglik_null, pseudo_r2=fit.pseudo_r2,
                converged=fit.converged, separation=fit.separation, singular=fit.singular,
                iterations=fit.iterations, warning=fit.warning,
                separating_terms=separating,
                se_type=SE_NOTE, se_clipped=bool(clipped), actors=int(len(np.unique(np.r_[a, b]))))
    ev = X[y == 1]
    # share of events that would not have happened with the term at 0 (rare-event
    # log-linear approximation), for evolution_parameters
    info["attributable"] = {nm: float(np.mean(-np.expm1(-max(coef[c], 0.0) * ev[:, c])))
                            for c, nm in enumerate(names) if nm != "const"}
    tab = pd.DataFrame({"model": model, "term": names, "coef": coef, "se": se, "z": z, "p": p,
                        "se_ml": fit.se, "z_ml": z_ml, "p_ml": p_ml, "se_twoway": se2, "p_twoway": p2,
                        "p_qap": p_qap})
    return info, tab


def _se(V: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.sqrt(np.clip(np.diag(V), 0.0, None))


def _wald(coef: np.ndarray, se: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, coef / se, 0.0)
    z = np.where(np.isfinite(se), np.nan_to_num(z), np.nan)
    return z, 2.0 * norm.sf(np.abs(z))


def _separating(X: np.ndarray, y: np.ndarray, names: list[str], fit) -> list[str]:
    """The terms behind a (quasi-)separation: those without which the model, refitted, is no
    longer separated; if no single term is, those whose coefficient moves the linear
    predictor by more than 15 over the term's range (the estimates that were running away)."""
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for c, nm in enumerate(names):
            if nm == "const":
                continue
            keep = [j for j in range(len(names)) if j != c]
            if not logit(X[:, keep], y).separation:
                out.append(nm)
    if not out:
        out = [nm for c, nm in enumerate(names)
               if nm != "const" and abs(fit.coef[c]) * float(np.ptp(X[:, c])) > 15.0]
    return out or ["const"]

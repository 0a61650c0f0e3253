"""Record the cluster's indicators every step and actor snapshots (docs/odd.md, 7.18).

Time-series columns come from three places, declared once each:
- `CORE`: what the recorder computes from the state (knowledge, network structure, ...);
- `SHARED`: learning flows by channel and form and the SECI flows, which several
  mechanisms add to (`sim.stats`);
- each mechanism's `records` (what it counts, in `sim.stats`), in loop order.
`Stats` refuses a key nobody declared, so no statistic is dropped silently. Cluster
indicators are over the cluster's firms (focal firms and SMEs, alive). Row 0 is the
initial state. Actor snapshots hold the built-in actor fields and every declared state
that is recorded.

Kept steps (`Sim(..., keep=steps)`, for experiments that read a few steps only): the state
indicators (every `CORE` column not in `ALWAYS`) are computed only at kept steps (the steps
in `keep`, step 0, the last step of each `Sim.run` and the snapshot steps) and are NaN at
the others; `ALWAYS` (step, counters, cheap scalars) and the mechanisms' statistics are
recorded at every step. A skipped step moves no random stream and no cached state the way a
full step would not (constraint's recompute decision still runs, its inputs are kept), so
the values at kept steps are bit for bit those of a full run. keep=None records every step.
"""

from __future__ import annotations

import copy

import numba as nb
import numpy as np
import pandas as pd

from .errors import ClusterlabError, MechanismError
from .bookkeeping import LEARNED, declare_learning
from .knowledge import blau
from .measures import betweenness as _betweenness
from .measures import burt_constraint
from .measures.structural_holes import constraint
from .proximity import cognitive
from .results import Results
from .state import CHANNELS, EXTERNAL, KINDS, LAYERS, PIPELINE, SME
from .kernels import parallel_njit

N_CHUNKS = 256
BETWEENNESS_MAX = 5_000  # alive local actors; above this the snapshots' betweenness is NaN
CORE = {
    "step": "step number (0 = initial state)",
    "year": "step / steps_per_year",
    "knowledge_mean": "mean relevance-weighted knowledge of firms",
    "knowledge_sd": "its standard deviation over firms",
    "knowledge_gini": "Gini coefficient of firms' relevance-weighted knowledge",
    "frontier": "relevance-weighted global frontier",
    "frontier_gap": "1 - knowledge_mean / frontier",
    "diversity": "variety of firms' knowledge profiles (mean cosine distance to their centroid)",
    "domain_diversity": "Blau index of the cluster's knowledge over domains",
    "tacit_mean": "mean tacit knowledge per domain of firms",
    "explicit_mean": "mean explicit knowledge per domain of firms",
    "absorptive_mean": "mean absorptive capacity of firms",
    "sme_innovating_share": "share of SMEs that innovated within the last year",
    "trust_mean": "mean trust over alive ties",
    "tie_strength_mean": "mean strength over alive ties",
    "density": "density of the local (non-pipeline) network",
    "external_share": "share of firms with a pipeline",
    "constraint_mean": "mean Burt constraint of firms",
    "ties": "alive ties",
    "firms": "alive firms",
    "sme_international_share": "share of SMEs with a pipeline",
    "ties_created": "ties added this step",
    "ties_dissolved": "ties removed this step",
    "mean_cognitive_proximity": "mean cognitive proximity over local ties",
    "external_inflow_share": "share of this step's inflow that came over pipelines",
    "gatekeeper_share": "share of SMEs' external knowledge that came through focal firms",
    "openness_mean": "mean openness of firms",
    "demand": "market demand (1 = normal)",
    "competitiveness_bar": "competitiveness bar raised by global competition",
    "projects_started": "joint projects started this step",
    "projects_running": "joint projects running at the end of the step",
    "variety": "1 - mean pairwise cosine similarity of firms' knowledge profiles (0 = all alike)",
}
ALWAYS = ("step", "year", "ties", "firms", "ties_created", "ties_dissolved", "demand",
          "competitiveness_bar", "projects_started", "projects_running")  # every step, also with keep
SHARED = {
    **{f"flow_{c}": f"knowledge gained this step through channel {c}" for c in CHANNELS},
    "flow_tacit": "tacit knowledge gained this step",
    "flow_explicit": "explicit knowledge gained this step",
    "seci_socialization": "tacit knowledge moved between actors",
    "seci_externalization": "tacit knowledge codified",
    "seci_combination": "explicit knowledge combined or created",
    "seci_internalization": "explicit knowledge internalised",
}

ACTOR_COLUMNS = {  # the built-in columns of an actor snapshot, in order; then recorded states
    "step": "step of the snapshot",
    "id": "actor id",
    "label": "the actor's label in the real cluster's data (runs from data only; entrants and externals empty)",
    "kind": "kind: focal, sme, university, institute, intermediary, agency, cluster_org, external",
    "stage": "value-chain stage, -1 for non-firms",
    "x": "position (km)",
    "y": "position (km)",
    "culture": "culture group",
    "group": "business group (id of the group's actor)",
    "size": "employees",
    "rd": "R&D intensity",
    "openness": "openness",
    "reciprocity": "reciprocity (free riders low)",
    "absorptive": "absorptive capacity",
    "tacit": "tacit knowledge, total over domains",
    "explicit": "explicit knowledge, total over domains",
    "knowledge": "relevance-weighted knowledge",
    "diversity": "Blau index of the actor's own knowledge over domains, 0 to 1",
    **{f"degree_{name}": f"alive {name} ties" for name in LAYERS},
    "sharing": "internal knowledge sharing (0 to 1)",
    "born": "step of entry (0 for the initial actors)",
    "external_origin": "share of its knowledge of external origin",
    "via_focal": "share of its knowledge of external origin that came through a focal firm",
    "innovations_incremental": "incremental innovations since entry",
    "innovations_radical": "radical innovations since entry",
    "alive": "in the cluster (false: exited or closed)",
    "learned": "knowledge gained since entry, all channels (cumulative inflow)",
    **{f"learned_{c}": f"knowledge gained since entry through channel {c}" for c in CHANNELS},
    "degree_centrality": "distinct local partners / (alive local actors - 1) (local layers: no pipelines)",
    "betweenness": (f"normalised betweenness (hop counts) in the local network; NaN above "
                    f"{BETWEENNESS_MAX:,} alive local actors (too costly) and for externals"),
    "constraint": "Burt's constraint in the local network, tie strengths as weights (NaN: no local tie)",
    "ego_size": "distinct local partners (local layers, alive)",
    "external_ties": "alive pipelines",
}
TIE_COLUMNS = {  # the ties table (Results.ties, ties.parquet): live ties at snapshot steps
    "step": "step of the snapshot",
    "a": "one end (actor id, the lower)",
    "b": "the other end (actor id)",
    "layer": "horizontal, vertical, multi_angle or pipeline",
    "w": "tie strength, 0 to 1",
    "trust": "trust, 0 to 1",
    "age_years": "years since the tie was made (ties of the initial network: since before the run)",
    "asks": "who asks whom (advice sought): a_asks_b, b_asks_a or mutual (docs/odd.md 7.12)",
}
ASKS_NAMES = ("a_asks_b", "b_asks_a", "mutual")  # Ties.asks codes 1, 2, 3


class Stats(dict):
    """One step's statistics: every declared column starts at 0; any other key is refused,
    so a statistic cannot be computed and then dropped silently."""

    def __init__(self, columns):
        super().__init__(dict.fromkeys(columns, 0.0))

    def __missing__(self, key):
        raise KeyError(f"statistic {key!r} is not a declared column: add it to the `records` "
                       f"of the mechanism that writes it")

    def __setitem__(self, key, value) -> None:
        if key not in self:
            self.__missing__(key)
        super().__setitem__(key, value)


def stat_columns(mechanisms) -> list[str]:
    """The columns mechanisms write: the shared flows, then each mechanism's records."""
    out = list(SHARED)
    for m in mechanisms:
        for col in m.records:
            if col in out or col in CORE:
                raise MechanismError(f"mechanism {m.name!r} records column {col!r}, which is already declared")
            out.append(col)
    return out


def columns(mechanisms) -> list[str]:
    """Every time-series column of a run with these mechanisms, in order."""
    return list(CORE) + stat_columns(mechanisms)


COGNITIVE_SAMPLE = 50_000  # tie slots; above this, mean cognitive proximity is taken on a sample
BIG_NETWORK = 100_000  # tie slots; above this, constraint is recomputed at most once a year


def gini(x: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = equal, -> 1 = concentrated); Giuliani (2005)
    uses it for the uneven distribution of knowledge in a cluster."""
    x = np.sort(np.asarray(x, np.float32)).astype(np.float64)
    n, s = len(x), x.sum()
    if n == 0 or s <= 0:
        return 0.0
    return max(0.0, float(2.0 * np.dot(np.arange(1, n + 1), x) / (n * s) - (n + 1) / n))


@parallel_njit(cache=True)
def _firm_sums(T, E, rho, firm, sme, A, ext, via, pipes, kw, out):
    """One pass over actors: relevance-weighted knowledge kw of every actor, and per chunk
    the firm sums [count, kw, kw^2, tacit, explicit, A, domain totals (D), unit profiles (D)]
    then for SMEs [count, with pipelines, external-origin knowledge, of it via focal firms]."""
    n, D = T.shape
    n_chunks = out.shape[0]
    size = (n + n_chunks - 1) // n_chunks
    for c in nb.prange(n_chunks):
        for k in range(out.shape[1]):
            out[c, k] = 0.0
        for i in range(c * size, min(n, (c + 1) * size)):
            w = 0.0
            ss = 0.0
            for d in range(D):
                v = T[i, d] + E[i, d]
                w += rho[d] * v
                ss += v * v
            kw[i] = w
            if sme[i]:
                K = 0.0
                for d in range(D):
                    K += T[i, d] + E[i, d]
                out[c, 6 + 2 * D] += 1.0
                out[c, 7 + 2 * D] += 1.0 if pipes[i] > 0 else 0.0
                out[c, 8 + 2 * D] += ext[i] * K
                out[c, 9 + 2 * D] += via[i] * K
            if not firm[i]:
                continue
            out[c, 0] += 1.0
            out[c, 1] += w
            out[c, 2] += w * w
            out[c, 5] += A[i]
            inv = 1.0 / np.sqrt(ss) if ss > 0.0 else 0.0
            for d in range(D):
                out[c, 3] += T[i, d] / D
                out[c, 4] += E[i, d] / D
                out[c, 6 + d] += T[i, d] + E[i, d]
                out[c, 6 + D + d] += (T[i, d] + E[i, d]) * inv


@parallel_njit(cache=True)
def _tie_means(alive, trust, w):
    n_chunks = 64
    size = (len(alive) + n_chunks - 1) // n_chunks
    sums = np.zeros((n_chunks, 3))
    for c in nb.prange(n_chunks):
        for t in range(c * size, min(len(alive), (c + 1) * size)):
            if alive[t]:
                sums[c, 0] += trust[t]
                sums[c, 1] += w[t]
                sums[c, 2] += 1.0
    st, sw, n = sums[:, 0].sum(), sums[:, 1].sum(), int(sums[:, 2].sum())
    return (st / n, sw / n, n) if n else (0.0, 0.0, 0)


def _frozen(ties):
    """A copy of the ties that `csr` and `neighbours` read as they are now (incidence index
    and strengths), whatever later steps change."""
    out = copy.copy(ties)
    end = ties.pool_end
    out.start, out.count = ties.start.copy(), ties.count.copy()
    out.nbr, out.tid, out.w = ties.nbr[:end].copy(), ties.tid[:end].copy(), ties.w.copy()
    return out


def firm_network(sim) -> dict[str, np.ndarray]:
    """Per-actor network measures of the local network now (snapshot columns
    `degree_centrality`, `betweenness`, `constraint`, `ego_size`, `external_ties`), through
    `clusterlab.measures` on the simple graph of the alive local actors' live non-pipeline
    ties (strengths as weights; a pair tied in two layers is one tie). Externals and actors
    no longer alive get NaN (0 ties for ego_size and external_ties). Betweenness (igraph,
    O(n m)) is NaN above `BETWEENNESS_MAX` alive local actors."""
    from types import SimpleNamespace

    from .measures import prepare

    a, ties = sim.actors, sim.ties
    n = a.n
    local = np.flatnonzero(a.alive & (a.kind != EXTERNAL))
    index = np.full(n, -1, np.int64)
    index[local] = np.arange(len(local))
    t = np.flatnonzero(ties.alive & (ties.layer != PIPELINE))
    ia, ib = index[ties.a[t]], index[ties.b[t]]
    ok = (ia >= 0) & (ib >= 0)
    net = SimpleNamespace(n=len(local), ids=local, src=ia[ok], dst=ib[ok],
                          weight=np.maximum(ties.w[t[ok]].astype(np.float64), 1e-12), directed=False)
    p = prepare(net)
    out = {name: np.full(n, np.nan) for name in ("degree_centrality", "betweenness", "constraint")}
    ego = np.zeros(n, np.int32)
    ego[local] = p.und_count
    if len(local):
        out["degree_centrality"][local] = p.und_count / (len(local) - 1) if len(local) > 1 else 0.0
        if len(local) <= BETWEENNESS_MAX:
            out["betweenness"][local] = _betweenness(p, normalized=True)
        out["constraint"][local] = burt_constraint(p)
    out["ego_size"] = ego
    out["external_ties"] = ties.deg[:n, PIPELINE].astype(np.int32)
    return out


def tie_table(sim) -> pd.DataFrame:
    """The live ties now, one row each (`TIE_COLUMNS`)."""
    ties = sim.ties
    t = np.flatnonzero(ties.alive)
    return pd.DataFrame({
        "step": np.full(len(t), sim.t, np.int32),
        "a": ties.a[t].astype(np.int32), "b": ties.b[t].astype(np.int32),
        "layer": pd.Categorical.from_codes(ties.layer[t], categories=list(LAYERS)),
        "w": ties.w[t].astype(np.float32), "trust": ties.trust[t].astype(np.float32),
        "age_years": ((sim.t - ties.born[t]) / sim.scenario.steps_per_year).astype(np.float32),
        "asks": pd.Categorical.from_codes(ties.asks[t].astype(np.int8) - 1, categories=list(ASKS_NAMES)),
    })


class NoRecorder:
    """The recorder of a Sim that records nothing (`Sim(record=False)`): for callers that read
    only the final state, e.g. the replications of `clusterlab.panel`. The simulation is
    unchanged (the recorder only reads the state, and draws from its own stream "record");
    the actors' learning states are declared as `Recorder.init` declares them."""

    keep = frozenset()
    end = -1
    rows: tuple = ()

    def init(self, sim) -> None:
        declare_learning(sim.actors)

    def record(self, sim) -> None:
        """Nothing is recorded (the point of this recorder)."""

    def results(self, sim) -> Results:
        raise ClusterlabError("this simulation records nothing (Sim(record=False)): no results to return")


class Recorder:
    """Collects one row of indicators per step and per-actor snapshots.

    `keep` (None: every step in full) are the steps whose state indicators are computed;
    at other steps only `ALWAYS` and the mechanisms' statistics are, the rest is NaN (module
    docstring). `end` is the last step of the running `Sim.run` (set by the Sim), always kept.
    """

    def __init__(self, keep=None):
        self.keep = None if keep is None else frozenset(keep)
        self.end = -1

    def init(self, sim) -> None:
        self.columns = columns(sim.mechanisms)
        self._costly = [c for c in CORE if c not in ALWAYS]
        self.rows: list[dict] = []
        self.snapshots: list[pd.DataFrame] = []
        self.tie_snapshots: list[pd.DataFrame] = []
        self._version = -1
        self._when = 0
        self._pending = None  # constraint inputs of a skipped step that recomputed it
        self._added = sim.ties.n_added
        self._removed = sim.ties.n_removed
        self._started = sim.projects.n_started
        a = sim.actors
        declare_learning(a)
        firms = np.flatnonzero(a.kind <= SME)
        n_sample = sim.scenario.output.constraint_sample
        rng = sim.rng("record")
        self._sample = firms if len(firms) <= n_sample else np.sort(rng.choice(firms, n_sample, replace=False))
        self._snap_steps = set(sim.scenario.output.snapshots)
        self.record(sim)

    def kept(self, t: int) -> bool:
        """Whether step t's row is recorded in full."""
        return self.keep is None or t == 0 or t == self.end or t in self.keep or t in self._snap_steps

    def _structure(self, sim, full: bool = True) -> None:
        """Structure indicators; recomputed only when ties were added or removed (on big
        networks at most once a year). At a skipped step (`full` false) a due recompute
        keeps its inputs instead (the sample and a copy of the tie index and strengths, a few
        memory copies) and runs at the next kept step, unless another one is due before."""
        a, ties = sim.actors, sim.ties
        due = ties.version != self._version and not (
            ties.m > BIG_NETWORK and self._version >= 0 and sim.t - self._when < sim.scenario.steps_per_year)
        if due:
            self._version = ties.version
            self._when = sim.t
            firms = np.flatnonzero(a.is_firm)
            n_sample = sim.scenario.output.constraint_sample
            sample = firms if len(firms) <= n_sample else self._sample[a.alive[self._sample]]
            if full:
                self._pending = None
                self._constraint = self._constraint_of(ties, sample)
            else:
                self._pending = (_frozen(ties), sample)
        elif full and self._pending is not None:
            frozen, sample = self._pending
            self._pending = None
            self._constraint = self._constraint_of(frozen, sample)

    @staticmethod
    def _constraint_of(ties, sample) -> float:
        c = np.zeros(0)
        if len(sample):  # the rows constraint reads: the sample's and its partners'
            indptr, indices, w = ties.csr(np.concatenate([sample, ties.neighbours(sample)]))
            c = constraint(indptr, indices, w, sample)
        return float(np.nanmean(c)) if np.isfinite(c).any() else float("nan")

    @staticmethod
    def _density(sim) -> float:
        """Density of local (non-pipeline) ties among alive cluster actors."""
        a, ties = sim.actors, sim.ties
        n_local = int(np.count_nonzero(a.alive & (a.kind != EXTERNAL)))
        return float(ties.deg[:, :3].sum()) / (n_local * (n_local - 1)) if n_local > 1 else 0.0

    def _cognitive_proximity(self, sim, full: bool = True) -> float:
        a, ties = sim.actors, sim.ties
        if ties.m <= COGNITIVE_SAMPLE:
            if not full:
                return float("nan")
            slots = np.flatnonzero(ties.alive & (ties.layer != PIPELINE))
        else:  # a uniform sample of slots (with replacement), live local ones kept
            slots = sim.rng("record").integers(0, ties.m, COGNITIVE_SAMPLE)
            if not full:  # the draw is made all the same: the stream moves as in a full run
                return float("nan")
            slots = np.sort(slots)
            slots = slots[ties.alive[slots] & (ties.layer[slots] != PIPELINE)]
        if len(slots) == 0:
            return 0.0
        return float(cognitive(a, ties.a[slots], ties.b[slots]).mean())

    def record(self, sim) -> None:
        if self.kept(sim.t):
            row = self._full(sim)
        else:
            row = self._cheap(sim)
        self._added, self._removed = sim.ties.n_added, sim.ties.n_removed
        self._started = sim.projects.n_started
        for col, value in sim.stats.items():
            row[col] = float(value)
        self.rows.append(row)

    def _cheap(self, sim) -> dict:
        """A skipped step's row: `ALWAYS` and (in `record`) the statistics; the rest NaN.
        The constraint decision and the cognitive sample's draw run as in a full step."""
        ties = sim.ties
        self._structure(sim, full=False)
        self._cognitive_proximity(sim, full=False)
        row = dict.fromkeys(self._costly, float("nan"))
        row.update({
            "step": sim.t,
            "year": sim.t / sim.scenario.steps_per_year,
            "ties": int(np.count_nonzero(ties.alive)),
            "firms": int(np.count_nonzero(sim.actors.is_firm)),
            "ties_created": ties.n_added - self._added,
            "ties_dissolved": ties.n_removed - self._removed,
            "demand": sim.tech.demand,
            "competitiveness_bar": sim.tech.bar,
            "projects_started": sim.projects.n_started - self._started,
            "projects_running": sim.projects.running,
        })
        return row

    def _full(self, sim) -> dict:
        a, ties, st = sim.actors, sim.ties, sim.stats
        self._structure(sim)
        firms = a.is_firm
        D = a.domains
        kw = np.empty(a.n, np.float32)
        smes = (a.kind == SME) & a.alive
        sums = np.zeros((N_CHUNKS, 10 + 2 * D))
        _firm_sums(a.T, a.E, sim.tech.relevance.astype(np.float32), firms, smes, a.absorptive,
                   a.external_origin, a.via_focal, ties.deg[:, PIPELINE], kw, sums)
        s = sums.sum(axis=0)
        nf = s[0]
        n_sme, sme_pipes, ext_k, via_k = s[6 + 2 * D: 10 + 2 * D]
        mean = s[1] / nf if nf else 0.0
        # variety: mean cosine distance of unit profiles p_i to their centroid direction;
        # sum_i cos(p_i, c) = |sum_i p_i| for unit p_i, so no second pass is needed
        variety = max(0.0, 1.0 - float(np.linalg.norm(s[6 + D:6 + 2 * D])) / nf) if nf else 0.0
        frontier = sim.tech.frontier_level()
        spy = sim.scenario.steps_per_year
        trust_mean, strength_mean, n_ties = _tie_means(ties.alive, ties.trust, ties.w)
        row = {
            "step": sim.t,
            "year": sim.t / spy,
            "knowledge_mean": mean,
            "knowledge_sd": float(np.sqrt(max(0.0, s[2] / nf - mean * mean))) if nf else 0.0,
            "knowledge_gini": gini(kw[firms]),
            "frontier": frontier,
            "frontier_gap": max(0.0, 1.0 - mean / frontier) if frontier > 0 else 0.0,
            "diversity": variety,
            "domain_diversity": float(blau(s[6:6 + D])),
            "tacit_mean": s[3] / nf if nf else 0.0,
            "explicit_mean": s[4] / nf if nf else 0.0,
            "absorptive_mean": s[5] / nf if nf else 0.0,
            "sme_innovating_share": float(np.count_nonzero(sim.t - a.last_innovation[smes] < spy) / n_sme) if n_sme else 0.0,
            "trust_mean": trust_mean,
            "tie_strength_mean": strength_mean,
            "density": self._density(sim),
            "external_share": float(np.count_nonzero(ties.deg[firms, PIPELINE]) / nf) if nf else 0.0,
            "constraint_mean": self._constraint,
            "ties": n_ties,
        }
        inflow = sum(float(st[f"flow_{c}"]) for c in CHANNELS)
        row.update({
            "firms": int(nf),
            "sme_international_share": sme_pipes / n_sme if n_sme else 0.0,
            "ties_created": ties.n_added - self._added,
            "ties_dissolved": ties.n_removed - self._removed,
            "mean_cognitive_proximity": self._cognitive_proximity(sim),
            "external_inflow_share": float(st["flow_pipeline"]) / inflow if inflow > 0 else 0.0,
            "gatekeeper_share": via_k / ext_k if ext_k > 0 else 0.0,
            "openness_mean": float(a.openness[firms].mean()) if nf else 0.0,
            "demand": sim.tech.demand,
            "competitiveness_bar": sim.tech.bar,
            "projects_started": sim.projects.n_started - self._started,
            "projects_running": sim.projects.running,
        })
        nv = float(nf)  # variety: mean pairwise cosine = (|sum_i p_i|^2 - n) / (n (n - 1))
        sq = float(np.dot(s[6 + D:6 + 2 * D], s[6 + D:6 + 2 * D]))
        row["variety"] = min(1.0, max(0.0, 1.0 - (sq - nv) / (nv * (nv - 1.0)))) if nv > 1 else 0.0
        if sim.t in self._snap_steps:
            self.snapshots.append(self.snapshot(sim, kw))
            self.tie_snapshots.append(tie_table(sim))
        return row

    def snapshot(self, sim, kw: np.ndarray | None = None) -> pd.DataFrame:
        """Per-actor state now: one row per actor."""
        a, ties = sim.actors, sim.ties
        if kw is None:
            kw = (a.T + a.E) @ sim.tech.relevance
        K = a.T + a.E
        tot = K.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            p = K / tot[:, None]
            div = np.where(tot > 0, (1 - (p * p).sum(axis=1)) / (1 - 1 / max(a.domains, 2)), 0.0)
        cols = {  # every column first, then one DataFrame (inserting columns one by one is slow)
            "step": np.full(a.n, sim.t, np.int32),
            "id": np.arange(a.n, dtype=np.int32),
        }
        if sim.labels is not None:  # a real cluster: its labels; entrants and externals unnamed
            labels = np.full(a.n, "", dtype=object)
            labels[:len(sim.labels)] = sim.labels
            cols["label"] = labels
        cols.update({
            "kind": pd.Categorical.from_codes(a.kind, categories=list(KINDS)),
            "stage": a.stage, "x": a.x, "y": a.y, "culture": a.culture, "group": a.group,
            "size": a.size, "rd": a.rd, "openness": a.openness, "reciprocity": a.reciprocity,
            "absorptive": a.absorptive,
            "tacit": a.T.sum(axis=1), "explicit": a.E.sum(axis=1),
            "knowledge": kw.astype(np.float32), "diversity": div.astype(np.float32),
        })
        for L, name in enumerate(LAYERS):
            cols[f"degree_{name}"] = ties.deg[:a.n, L].astype(np.int32)
        cols["sharing"] = a.sharing
        cols["born"] = a.born
        cols["external_origin"] = a.external_origin
        cols["via_focal"] = a.via_focal
        cols["innovations_incremental"] = a.innov_incremental
        cols["innovations_radical"] = a.innov_radical
        cols["alive"] = a.alive
        learned = [getattr(a, name) for name in LEARNED] if hasattr(a, LEARNED[0]) else [np.zeros(a.n)] * len(LEARNED)
        cols["learned"] = np.sum(learned, axis=0)
        for name, x in zip(LEARNED, learned):
            cols[name] = x
        cols.update(firm_network(sim))
        for m in sim.mechanisms:  # the states mechanisms declared to be recorded
            for s in m.states:
                if s.record and not s.per_domain:
                    cols[s.name] = getattr(a, s.name)
        df = pd.DataFrame(cols)  # copies the arrays (dict input), so later steps leave it as it is
        return df

    def results(self, sim) -> Results:
        snaps, tie_snaps = list(self.snapshots), list(self.tie_snapshots)
        if not snaps or snaps[-1]["step"].iat[0] != sim.t:
            snaps.append(self.snapshot(sim))
            tie_snaps.append(tie_table(sim))
        # column by column (numpy infers each column's type as pandas does from the rows)
        ts = pd.DataFrame({c: np.array([row[c] for row in self.rows]) for c in self.columns},
                          columns=self.columns)
        a, ties = sim.actors, sim.ties
        live = ties.alive
        network = {"x": a.x, "y": a.y, "kind": np.array(KINDS)[a.kind], "alive": a.alive.copy(),
                   "a": ties.a[live], "b": ties.b[live], "layer": ties.layer[live]}
        return Results(scenario=sim.given, timeseries=ts,
                       actors=pd.concat(snaps, ignore_index=True), network=network,
                       seconds=sim.seconds, events=sim.schedule.table(),
                       ties=pd.concat(tie_snaps, ignore_index=True))


__all__ = ["Recorder", "Stats", "ALWAYS", "CORE", "SHARED", "ACTOR_COLUMNS", "TIE_COLUMNS", "columns",
           "stat_columns", "gini", "firm_network", "tie_table"]

"""Record the cluster's indicators every step and actor snapshots (MODEL.md section 5).

Cluster indicators are over the cluster's firms (focal firms and SMEs, alive); see
`docs/odd.md` for the definition of every column. Row 0 is the initial state.
"""

from __future__ import annotations

import numba as nb
import numpy as np
import pandas as pd

from .knowledge import blau
from .proximity import cognitive
from .results import Results
from .state import CHANNELS, EXTERNAL, KINDS, LAYERS, PIPELINE, SME

N_CHUNKS = 256
FLOW_COLUMNS = [f"flow_{c}" for c in CHANNELS] + ["flow_tacit", "flow_explicit"]
SECI_COLUMNS = ["seci_socialization", "seci_externalization", "seci_combination", "seci_internalization"]
INNOV_COLUMNS = [f"innov_from_{c}" for c in CHANNELS] + ["innov_from_internal"]
COLUMNS = (["step", "year", "knowledge_mean", "knowledge_sd", "knowledge_gini", "frontier",
            "frontier_gap", "diversity", "domain_diversity", "tacit_mean", "explicit_mean", "absorptive_mean",
            "innovations_incremental", "innovations_radical", "sme_innovating_share"]
           + FLOW_COLUMNS + SECI_COLUMNS
           + ["trust_mean", "tie_strength_mean", "density", "external_share", "constraint_mean",
              "active_ties", "ties"] + INNOV_COLUMNS
           + ["firms", "entries", "exits", "sme_international_share", "projects_started",
              "projects_succeeded", "projects_failed", "cluster_org_actions", "ties_created", "ties_dissolved", "ties_created_closure",
              "ties_created_proximity", "ties_created_brokerage", "mean_cognitive_proximity",
              "external_inflow_share", "gatekeeper_share", "openness_mean", "demand",
              "competitiveness_bar", "pipelines_opened", "pipelines_dropped", "trainings",
              "labour_moves", "projects_started_under_pressure"])
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


@nb.njit(parallel=True, cache=True)
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


@nb.njit(parallel=True, cache=True)
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


def constraint_incidence(start, count, nbr, tid, w, nodes, n, scratch=None):
    """Burt's (1992) constraint of `nodes`, read from the incidence index (unsorted lists of
    live ties; weights w per tie), with p_ij = w_ij / sum_k w_ik. NaN for isolated nodes.
    Cost per node: the sum of its neighbours' degrees. `scratch` (4 x 2 x n zeros, returned
    to zeros after the call) may be passed in to avoid allocating it."""
    if scratch is None or scratch.shape[2] < n:
        scratch = np.zeros((4, 2, n))
    return _constraint(start, count, nbr, tid, w, np.asarray(nodes, np.int64), scratch)


@nb.njit(parallel=True, cache=True)
def _constraint(start, count, nbr, tid, w, nodes, scratch):
    out = np.full(len(nodes), np.nan)
    n_chunks = scratch.shape[0]
    size = (len(nodes) + n_chunks - 1) // n_chunks
    for c in nb.prange(n_chunks):
        p = scratch[c, 0]
        ind = scratch[c, 1]
        for k in range(c * size, min(len(nodes), (c + 1) * size)):
            i = nodes[k]
            tot = 0.0
            for e in range(start[i], start[i] + count[i]):
                tot += w[tid[e]]
            if count[i] == 0 or tot <= 0.0:
                continue
            for e in range(start[i], start[i] + count[i]):
                p[nbr[e]] += w[tid[e]] / tot
            for e in range(start[i], start[i] + count[i]):
                q = nbr[e]
                pq = p[q]
                tq = 0.0
                for f in range(start[q], start[q] + count[q]):
                    tq += w[tid[f]]
                if tq <= 0.0:
                    continue
                for f in range(start[q], start[q] + count[q]):
                    j = nbr[f]
                    if j != i and p[j] > 0.0:
                        ind[j] += pq * w[tid[f]] / tq
            ci = 0.0
            for e in range(start[i], start[i] + count[i]):
                j = nbr[e]
                if p[j] > 0.0:
                    ci += (p[j] + ind[j]) ** 2
                    p[j] = 0.0
                    ind[j] = 0.0
            out[k] = ci
    return out


class Recorder:
    """Collects one row of indicators per step and per-actor snapshots."""

    def init(self, sim) -> None:
        self.rows: list[dict] = []
        self.snapshots: list[pd.DataFrame] = []
        self._version = -1
        self._when = 0
        self._scratch = None
        self._added = sim.ties.n_added
        self._removed = sim.ties.n_removed
        a = sim.actors
        firms = np.flatnonzero(a.kind <= SME)
        n_sample = sim.scenario.output.constraint_sample
        rng = sim.rng("record")
        self._sample = firms if len(firms) <= n_sample else np.sort(rng.choice(firms, n_sample, replace=False))
        self._snap_steps = set(sim.scenario.output.snapshots)
        self.record(sim)

    def _structure(self, sim) -> None:
        """Structure indicators; recomputed only when ties were added or removed."""
        a, ties = sim.actors, sim.ties
        if ties.version == self._version:
            return
        if ties.m > BIG_NETWORK and self._version >= 0 and sim.t - self._when < sim.scenario.steps_per_year:
            return
        self._version = ties.version
        self._when = sim.t
        firms = np.flatnonzero(a.is_firm)
        n_sample = sim.scenario.output.constraint_sample
        sample = firms if len(firms) <= n_sample else self._sample[a.alive[self._sample]]
        if self._scratch is None or self._scratch.shape[2] < a.n:
            self._scratch = np.zeros((4, 2, int(a.n * 1.25) + 16))
        c = constraint_incidence(ties.start, ties.count, ties.nbr, ties.tid, ties.w,
                                 sample, a.n, self._scratch) if len(sample) else np.zeros(0)
        self._constraint = float(np.nanmean(c)) if np.isfinite(c).any() else float("nan")

    @staticmethod
    def _density(sim) -> float:
        """Density of local (non-pipeline) ties among alive cluster actors."""
        a, ties = sim.actors, sim.ties
        n_local = int(np.count_nonzero(a.alive & (a.kind != EXTERNAL)))
        return float(ties.deg[:, :3].sum()) / (n_local * (n_local - 1)) if n_local > 1 else 0.0

    def _cognitive_proximity(self, sim) -> float:
        a, ties = sim.actors, sim.ties
        if ties.m <= COGNITIVE_SAMPLE:
            slots = np.flatnonzero(ties.alive & (ties.layer != PIPELINE))
        else:  # a uniform sample of slots (with replacement), live local ones kept
            slots = np.sort(sim.rng("record").integers(0, ties.m, COGNITIVE_SAMPLE))
            slots = slots[ties.alive[slots] & (ties.layer[slots] != PIPELINE)]
        if len(slots) == 0:
            return 0.0
        return float(cognitive(a, ties.a[slots], ties.b[slots]).mean())

    def record(self, sim) -> None:
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
        inflow = sum(float(st.get(f"flow_{c}", 0.0)) for c in CHANNELS)
        row.update({
            "firms": int(nf),
            "sme_international_share": sme_pipes / n_sme if n_sme else 0.0,
            "ties_created": ties.n_added - self._added,
            "ties_dissolved": ties.n_removed - self._removed,
            "mean_cognitive_proximity": self._cognitive_proximity(sim),
            "external_inflow_share": float(st.get("flow_pipeline", 0.0)) / inflow if inflow > 0 else 0.0,
            "gatekeeper_share": via_k / ext_k if ext_k > 0 else 0.0,
            "openness_mean": float(a.openness[firms].mean()) if nf else 0.0,
            "demand": sim.tech.demand,
            "competitiveness_bar": sim.tech.bar,
        })
        self._added, self._removed = ties.n_added, ties.n_removed
        for col in COLUMNS:
            if col not in row:
                row[col] = float(st.get(col, 0.0))
        self.rows.append(row)
        if sim.t in self._snap_steps:
            self.snapshots.append(self.snapshot(sim, kw))

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
        df = pd.DataFrame({
            "step": np.full(a.n, sim.t, np.int32),
            "id": np.arange(a.n, dtype=np.int32),
            "kind": pd.Categorical.from_codes(a.kind, categories=list(KINDS)),
            "stage": a.stage, "x": a.x, "y": a.y, "culture": a.culture, "group": a.group,
            "size": a.size, "rd": a.rd, "openness": a.openness, "reciprocity": a.reciprocity,
            "absorptive": a.absorptive,
            "tacit": a.T.sum(axis=1), "explicit": a.E.sum(axis=1),
            "knowledge": kw.astype(np.float32), "diversity": div.astype(np.float32),
        })
        for L, name in enumerate(LAYERS):
            df[f"degree_{name}"] = ties.deg[:a.n, L].astype(np.int32)
        if sim.labels is not None:  # a real cluster: its labels; entrants and externals unnamed
            labels = np.full(a.n, "", dtype=object)
            labels[:len(sim.labels)] = sim.labels
            df.insert(2, "label", labels)
        df["sharing"] = a.sharing
        df["born"] = a.born
        df["capital"] = a.capital
        df["external_origin"] = a.external_origin
        df["via_focal"] = a.via_focal
        df["innovations_incremental"] = a.innov_incremental
        df["innovations_radical"] = a.innov_radical
        df["alive"] = a.alive
        return df

    def results(self, sim) -> Results:
        snaps = list(self.snapshots)
        if not snaps or snaps[-1]["step"].iat[0] != sim.t:
            snaps.append(self.snapshot(sim))
        ts = pd.DataFrame(self.rows, columns=COLUMNS)
        a, ties = sim.actors, sim.ties
        live = ties.alive
        network = {"x": a.x, "y": a.y, "kind": np.array(KINDS)[a.kind],
                   "a": ties.a[live], "b": ties.b[live], "layer": ties.layer[live]}
        return Results(scenario=sim.scenario, timeseries=ts,
                       actors=pd.concat(snaps, ignore_index=True), network=network,
                       seconds=sim.seconds, events=sim.policies.table())


__all__ = ["Recorder", "COLUMNS", "gini"]

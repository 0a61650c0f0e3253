"""Network evolution: ties form, strengthen with use, fade without it and dissolve
(MODEL.md 3, "Added with the dynamics"; Juhasz & Lengyel 2018, "Creation and persistence
of ties in cluster knowledge networks", J. Econ. Geogr. 18(6); Boschma 2005; Ter Wal &
Boschma 2009, "Applying social network analysis in economic geography", Ann. Reg. Sci. 43).

Every step, in this order (t = now, S = steps per year):

1. Strength (every live tie except those born this step; Granovetter 1973, strength as
   the frequency of interaction; Hansen 1999):

       w += grow * (1 - w)        if knowledge moved over the tie this step (transfer)
       w -= d * w                 otherwise, d = 1 - (1 - decay)^(1/S)

   `grow` is per use, `decay` the share of strength lost in a year without use; w stays
   in [0, 1]. One streaming Numba pass over tie slots, dead slots skipped.
2. Dissolution, of local ties only (pipelines are kept or dropped by `openness`): a tie
   with w < dissolve_below that has not been active (``ties.last_use``) for idle_years
   dissolves this step with probability

       p = 1 - exp(-dissolve_rate * (1 - persistence * c_ij) / S)

   where c_ij in [0, 1] is the cognitive proximity (cosine of the ends' knowledge
   profiles at the start of the step, Nooteboom 2000). Cognitive proximity makes ties
   persist (Juhasz & Lengyel 2018); weak, unused ties fade away (Ter Wal & Boschma 2009).
   Candidates are gathered in the strength pass.
3. Creation, of local ties only (both ends in the cluster): Poisson(proposals * n_local / S)
   proposals per step, n_local the alive cluster actors, split over three routes in
   proportion to their weights:
   - triadic closure (Juhasz & Lengyel 2018; Ter Wal 2014): a random cluster actor i with
     ties, a random partner j of i, a random partner k of j: propose i-k;
   - geographic proximity (Boschma 2005; Juhasz & Lengyel 2018): a random firm and a
     partner near it from a spatial grid (distance exponential with mean network.tie_km):
     a same-stage firm, an adjacent-stage firm or an institution, in proportion to the
     scenario's horizontal, vertical and multi-angle degrees, as the initial network
     (`clusterlab.network.make_ties`);
   - brokerage (seed 003; Burt 2005; Howells 2006): a broker introduces two of its own
     contacts. A share `broker_share` of brokers are intermediaries and cluster
     organisations, the rest any cluster actor; either way drawn in proportion to degree.
   A proposal i-k is accepted with probability

       q = min(1, base_accept * (1 + geo_weight * exp(-km_ik / geo_km)) * (1 + cognitive_weight * c_ik))

   multiplicative, so each proximity raises the odds on its own and neither is
   necessary (proximities partly substitute, Boschma 2005); base_accept is the acceptance
   of a distant, cognitively unrelated pair. Juhasz & Lengyel found geographic proximity
   (and closure) drive creation, cognitive proximity hardly, so the default geo_weight is
   large and cognitive_weight small. Accepted pairs become ties through
   `clusterlab.network.connect` (layer, strength and trust from the scenario's network
   table; existing pairs, repeats and dead ends are dropped).

Creation is a constant flow (proportional to actors) and dissolution a hazard per tie, so
the number of ties has a stable level. Each step costs one streaming pass over tie slots
plus O(proposals + changed ties); the spatial grid is rebuilt once a year when actors
entered or exited. Records ``ties_created_closure``, ``ties_created_proximity`` and
``ties_created_brokerage`` (new ties by route) in ``sim.stats``.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from ..network import connect
from ..params import Field, MechanismParams
from ..proximity import cognitive
from ..spatial import Grid
from ..state import CLUSTER_ORG, EXTERNAL, INTERMEDIARY, PIPELINE, SME
from .base import Mechanism

N_CHUNKS = 256  # fixed, so results do not depend on the number of threads
ROUTES = ("closure", "proximity", "brokerage")


@nb.njit(parallel=True, cache=True)
def _strength_pass(alive, moved, born, last_use, layer, w, now, grow, decay, below, idle, buf, counts):
    """Update every live tie's strength; write each chunk's dissolution candidates (weak,
    idle, local) into its own part of `buf`, and their number into `counts`."""
    m = len(w)
    n_chunks = len(counts)
    size = (m + n_chunks - 1) // n_chunks
    for c in nb.prange(n_chunks):
        lo = c * size
        k = lo
        for t in range(lo, min(m, lo + size)):
            if not alive[t] or born[t] == now:
                continue
            x = w[t]
            if moved[t]:
                x += grow * (1.0 - x)
            else:
                x -= decay * x
            x = min(1.0, max(0.0, x))
            w[t] = x
            if x < below and layer[t] != PIPELINE and now - last_use[t] >= idle:
                buf[k] = t
                k += 1
        counts[c] = k - lo


@nb.njit(cache=True)
def _gather(buf, counts, m):
    n_chunks = len(counts)
    size = (m + n_chunks - 1) // n_chunks
    out = np.empty(counts.sum(), np.int32)
    k = 0
    for c in range(n_chunks):
        for p in range(c * size, c * size + counts[c]):
            out[k] = buf[p]
            k += 1
    return out


@nb.njit(parallel=True, cache=True)
def _dot_pairs(P, a, b, out):
    """Cosine of unit profiles P for pairs a[k]-b[k]."""
    D = P.shape[1]
    for k in nb.prange(len(a)):
        i = a[k]
        j = b[k]
        s = 0.0
        for d in range(D):
            s += P[i, d] * P[j, d]
        out[k] = min(1.0, max(0.0, s))


class NetworkEvolution(Mechanism):
    name = "network_evolution"

    class Params(MechanismParams):
        grow: float = Field(0.05, ge=0, le=1, description="share of the gap to full strength gained per step in which knowledge moved over the tie")
        decay: float = Field(0.3, ge=0, le=1, description="share of strength lost per year without knowledge moving over the tie")
        dissolve_below: float = Field(0.3, ge=0, le=1, description="ties weaker than this may dissolve (when also idle)")
        idle_years: float = Field(0.5, ge=0, description="years without activity before a weak tie may dissolve")
        dissolve_rate: float = Field(3.0, ge=0, description="dissolution hazard per year of a weak idle tie between cognitively unrelated ends")
        persistence: float = Field(0.8, ge=0, le=1, description="how much cognitive proximity lowers dissolution (Juhasz & Lengyel 2018)")
        proposals: float = Field(0.5, ge=0, description="tie proposals per alive cluster actor per year")
        closure_weight: float = Field(1.0, ge=0, description="relative share of proposals by triadic closure (a partner's partner)")
        proximity_weight: float = Field(1.0, ge=0, description="relative share of proposals by geographic proximity (a nearby firm or institution)")
        brokerage_weight: float = Field(0.5, ge=0, description="relative share of proposals by brokerage (a broker introduces two contacts)")
        broker_share: float = Field(0.5, ge=0, le=1, description="share of brokerage proposals made by intermediaries and cluster organisations (the rest by any actor, by degree)")
        base_accept: float = Field(0.1, ge=0, le=1, description="acceptance probability of a distant, cognitively unrelated pair")
        geo_weight: float = Field(4.0, ge=0, description="added relative acceptance at zero distance")
        geo_km: float = Field(10.0, gt=0, description="distance scale of geographic proximity in acceptance (km)")
        cognitive_weight: float = Field(0.5, ge=0, description="added relative acceptance at full cognitive proximity")

    # -- set-up ----------------------------------------------------------------------
    def init(self, sim) -> None:
        self._buf = np.zeros(0, np.int32)
        self._counts = np.zeros(N_CHUNKS, np.int64)
        self._build_grids(sim)

    def _build_grids(self, sim) -> None:
        """Spatial grids of alive firms by stage and of alive institutions (the partners of
        the geographic route), as in `clusterlab.network.make_ties`."""
        a, net = sim.actors, sim.scenario.network
        x, y = a.x.astype(np.float64), a.y.astype(np.float64)
        firm = (a.kind <= SME) & a.alive
        self._firms = Grid(x, y, np.where(firm, a.stage, -1).astype(np.int64), net.tie_km)
        inst = (a.kind > SME) & (a.kind != EXTERNAL) & (a.kind != CLUSTER_ORG) & a.alive
        self._inst = Grid(x, y, np.where(inst, 0, -1).astype(np.int64), 3 * net.tie_km)
        self._has_inst = bool(inst.any())
        self._grid_key = (a.n, int(np.count_nonzero(a.alive)))
        broker = ((a.kind == INTERMEDIARY) | (a.kind == CLUSTER_ORG)) & a.alive
        self._brokers = np.flatnonzero(broker)

    # -- the step --------------------------------------------------------------------
    def step(self, sim) -> None:
        p, ties, spy = self.pars, sim.ties, sim.scenario.steps_per_year
        if sim.t % spy == 0 and (sim.actors.n, int(np.count_nonzero(sim.actors.alive))) != self._grid_key:
            self._build_grids(sim)
        for r in ROUTES:
            sim.stats[f"ties_created_{r}"] += 0.0
        # 1-2. strength, and dissolution of weak idle local ties
        if len(self._buf) < ties.m:
            self._buf = np.empty(int(ties.m * 1.25) + 64, np.int32)
        decay = 1.0 - (1.0 - p.decay) ** (1.0 / spy)
        _strength_pass(ties.alive, ties.moved, ties.born, ties.last_use, ties.layer, ties.w, sim.t,
                       p.grow, decay, p.dissolve_below, p.idle_years * spy, self._buf, self._counts)
        cand = _gather(self._buf, self._counts, ties.m)
        rng = sim.rng("evolution")
        if len(cand) and p.dissolve_rate > 0:
            c = self._cognitive(sim, ties.a[cand], ties.b[cand])
            prob = -np.expm1(-p.dissolve_rate * (1.0 - p.persistence * c) / spy)
            ties.remove(cand[rng.random(len(cand)) < prob])
        # 3. creation
        self._create(sim, rng)

    def _cognitive(self, sim, a, b) -> np.ndarray:
        P = sim.profiles()
        if len(P) < sim.actors.n:  # actors appended after the profiles were taken
            return cognitive(sim.actors, a, b)
        out = np.empty(len(a), np.float32)
        _dot_pairs(P, np.asarray(a, np.int64), np.asarray(b, np.int64), out)
        return out

    def _create(self, sim, rng: np.random.Generator) -> None:
        p, a = self.pars, sim.actors
        weights = np.array([p.closure_weight, p.proximity_weight, p.brokerage_weight])
        if p.proposals <= 0 or weights.sum() <= 0:
            return
        local = a.alive & (a.kind != EXTERNAL)
        n_local = int(np.count_nonzero(local))
        if n_local < 2:
            return
        total = rng.poisson(p.proposals * n_local / sim.scenario.steps_per_year)
        k_closure, k_prox, k_broker = rng.multinomial(total, weights / weights.sum())
        proposed = (self._closure(sim, rng, k_closure, local, n_local),
                    self._proximity(sim, rng, k_prox),
                    self._brokerage(sim, rng, k_broker, local))
        for route, (i, j) in zip(ROUTES, proposed):
            keep = (i >= 0) & (j >= 0) & (i != j)
            i, j = i[keep], j[keep]
            keep = local[i] & local[j]
            i, j = i[keep], j[keep]
            if len(i) == 0:
                continue
            km = np.hypot(a.x[i] - a.x[j], a.y[i] - a.y[j]).astype(np.float64)
            q = (p.base_accept * (1.0 + p.geo_weight * np.exp(-km / p.geo_km))
                 * (1.0 + p.cognitive_weight * self._cognitive(sim, i, j)))
            ok = rng.random(len(i)) < np.minimum(q, 1.0)
            made = connect(sim, i[ok], j[ok], rng)
            sim.stats[f"ties_created_{route}"] += float(len(made))

    # -- the three routes: each returns proposed pairs (i, j), -1 where none ------------
    def _sample_ids(self, rng, k: int, ok: np.ndarray, share: float) -> np.ndarray:
        """k ids drawn uniformly among those with ok[id] (rejection, a few rounds)."""
        n = len(ok)
        out = []
        got = 0
        for _ in range(4):
            if got >= k:
                break
            draw = rng.integers(0, n, int((k - got) / max(share, 0.02) * 1.2) + 16)
            draw = draw[ok[draw]]
            out.append(draw[:k - got])
            got += len(out[-1])
        return np.concatenate(out) if out else np.zeros(0, np.int64)

    def _closure(self, sim, rng, k, local, n_local):
        ties = sim.ties
        if k == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        start, count, nbr = ties.start, ties.count, ties.nbr
        n = len(count)
        ok = local[:n] & (count > 0)
        i = self._sample_ids(rng, k, ok, n_local / max(n, 1))
        j = nbr[start[i] + (rng.random(len(i)) * count[i]).astype(np.int64)].astype(np.int64)
        far = nbr[start[j] + (rng.random(len(j)) * count[j]).astype(np.int64)].astype(np.int64)
        return i, far

    def _proximity(self, sim, rng, k):
        a, net = sim.actors, sim.scenario.network
        if k == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        firm = (a.kind <= SME) & a.alive
        # firms are most actors; rejection from the id range is O(k)
        src = self._sample_ids(rng, k, firm, 0.5)
        stages = sim.scenario.population.stages
        w = np.array([net.horizontal_degree, net.vertical_degree if stages > 1 else 0.0,
                      net.multi_angle_degree if self._has_inst else 0.0])
        dst = np.full(len(src), -1, np.int64)
        if len(src) == 0 or w.sum() <= 0:
            return src, dst
        route = rng.choice(3, len(src), p=w / w.sum())
        x, y = a.x[src].astype(np.float64), a.y[src].astype(np.float64)
        target = a.stage[src].astype(np.int64)
        vert = route == 1
        up = rng.random(int(vert.sum())) < 0.5
        tv = target[vert] + np.where(up, 1, -1)
        target[vert] = np.where(tv < 0, 1, np.where(tv >= stages, stages - 2, tv))
        firm_pick = route < 2
        if firm_pick.any():
            dst[firm_pick] = self._firms.pick_near(rng, x[firm_pick], y[firm_pick], target[firm_pick], net.tie_km)
        inst_pick = route == 2
        if inst_pick.any():
            dst[inst_pick] = self._inst.pick_near(rng, x[inst_pick], y[inst_pick],
                                                  np.zeros(int(inst_pick.sum()), np.int64), 3 * net.tie_km)
        return src, dst

    def _brokerage(self, sim, rng, k, local):
        ties = sim.ties
        none = np.zeros(0, np.int64), np.zeros(0, np.int64)
        if k == 0:
            return none
        start, count, nbr = ties.start, ties.count, ties.nbr
        brokers = self._brokers[count[self._brokers] >= 2]
        k_inst = int(rng.binomial(k, self.pars.broker_share)) if len(brokers) else 0
        parts = []
        if k_inst:
            # intermediaries and cluster organisations, in proportion to their degree
            cum = np.cumsum(count[brokers].astype(np.float64))
            parts.append(brokers[np.searchsorted(cum, rng.random(k_inst) * cum[-1], side="right")])
        if k > k_inst and ties.n_alive:
            parts.append(self._tie_ends(rng, ties, k - k_inst))
        b = np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)
        b = b[(count[b] >= 2) & local[b]]
        if len(b) == 0:
            return none
        c = count[b].astype(np.int64)
        u = np.minimum((rng.random(len(b)) * c).astype(np.int64), c - 1)
        v = np.minimum((rng.random(len(b)) * (c - 1)).astype(np.int64), c - 2)
        v += v >= u
        return nbr[start[b] + u].astype(np.int64), nbr[start[b] + v].astype(np.int64)

    def _tie_ends(self, rng, ties, k):
        """k actors drawn in proportion to their degree (an end of a uniformly drawn live tie)."""
        share = ties.n_alive / max(ties.m, 1)
        out = []
        got = 0
        for _ in range(4):
            if got >= k:
                break
            s = rng.integers(0, ties.m, int((k - got) / max(share, 0.02) * 1.2) + 16)
            s = s[ties.alive[s]][:k - got]
            end = np.where(rng.random(len(s)) < 0.5, ties.a[s], ties.b[s])
            out.append(end.astype(np.int64))
            got += len(s)
        return np.concatenate(out) if out else np.zeros(0, np.int64)

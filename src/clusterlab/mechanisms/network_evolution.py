"""Network evolution: ties form, strengthen with use, fade without it and dissolve
(docs/odd.md, 7.12; Juhasz & Lengyel 2018, "Creation and persistence
of ties in cluster knowledge networks", J. Econ. Geogr. 18(6); Boschma 2005; Ter Wal &
Boschma 2009, "Applying social network analysis in economic geography", Ann. Reg. Sci. 43).

Every step, in this order (t = now, S = steps per year):

1. Strength (every live tie except those born this step; Granovetter 1973, strength as
   the frequency of interaction; Hansen 1999):

       w += grow * (1 - w)        if knowledge moved over the tie this step (transfer)
       w -= d * w                 otherwise, d = 1 - (1 - decay)^(1/S)

   `grow` is per use (like trust's gain per exchange), `decay` the share of strength
   lost in a year without use; w stays in [0, 1]. One streaming, branch-free Numba pass
   over tie slots (dead slots left as they are), which also gathers the candidates of 2.
2. Dissolution, of local ties only (pipelines are kept or dropped by `openness`): a tie
   with w < dissolve_below that has not been active (``ties.last_use``) for idle_years
   dissolves this step with probability

       p = 1 - exp(-dissolve_rate * (1 - persistence * c_ij) * (1 + m_ij)^(-embed_weight) / S)

   where c_ij in [0, 1] is the cognitive proximity (cosine of the ends' knowledge
   profiles at the start of the step, Nooteboom 2000) and m_ij the ends' common partners.
   Cognitive proximity and common partners make ties persist (Juhasz & Lengyel 2018;
   embeddedness, Granovetter 1985, Uzzi 1997; embed_weight 0 by default: off); weak,
   unused ties fade away (Ter Wal & Boschma 2009).
   Idle time counts from the start of the run for ties older than it (their earlier use
   is unknown). Membership ties to a cluster organisation are formal and do not dissolve
   (`keep_membership`); the `cluster_org` mechanism serves its members through them.
   Interaction switched off marks every tie used every step, so then nothing dissolves.
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
   - brokerage (Andreeva n.d.; Burt 2005; Howells 2006): a broker introduces two of its own
     contacts. A share `broker_share` of brokers are intermediaries and cluster
     organisations, the rest any cluster actor; either way drawn in proportion to degree.
   A proposal i-k is accepted with probability

       q = min(1, base_accept * (1 + geo_weight * exp(-km_ik / geo_km)) * (1 + cognitive_weight * c_ik)
                  * (1 + culture_weight * [same culture group]) * (1 + group_weight * [same business group]))

   multiplicative, so each proximity raises the odds on its own and neither is
   necessary (proximities partly substitute, Boschma 2005); base_accept is the acceptance
   of a distant, cognitively unrelated pair. (One uniform per proposal; cognitive
   proximity is computed only where it is below the bound at c = 1, which is exact.) Juhasz & Lengyel found geographic proximity
   (and closure) drive creation, cognitive proximity hardly, so the default geo_weight is
   large and cognitive_weight small. The last two factors are homophily (McPherson,
   Smith-Lovin & Cook 2001): institutional and organisational proximity favour new
   collaborations (Boschma 2005; Balland 2012, "Proximity and the evolution of
   collaboration networks", Regional Studies 46(6)); off by default (0), see docs/odd.md
   7.12 for what weight 1 does. Accepted pairs become ties through
   `clusterlab.network.connect` (layer, strength and trust from the scenario's network
   table; existing pairs, repeats and dead ends are dropped).

   With ``acceptance = "choice"`` the proximities choose instead of capping: each proposal's
   route offers ``choice_set`` candidates for the same proposer (those already tied to it
   left out; the proximity route's drawn anywhere in the cluster among the firms of the
   sought stage or the institutions, so that geography enters through the choice alone),
   the proposer picks one with probability proportional to
   exp(geo_weight exp(-km / geo_km) + cognitive_weight c + culture_weight [same culture]
   + group_weight [same group] + triad_weight log(1 + common partners)) (a conditional
   logit, McFadden 1974; Snijders 2001's actor-oriented choice, the last term its
   transitive triplets), and the pair is accepted with probability base_accept. Then how
   many ties form is set by proposals and base_accept and where by the weights, which a
   calibration can tell apart (docs/odd.md 7.12, 7.23). The weights are log-odds here and
   may be negative (such candidates chosen less often than others, as any RSiena effect);
   under capped they must be >= 0 (`LOG_ODDS_WEIGHTS`).

4. Who asks whom (survey advice ties are directed: "i asks j for advice", the knowledge
   flowing from j to i; Giuliani & Bell 2005): a tie this mechanism creates is sought by its
   proposer, the first end of every route (`Ties.asks`: the proposer asks); ties from the
   data keep their observed direction and ties other mechanisms create are mutual. Each
   step a one-way tie becomes mutual (the partner asks back) with probability
   1 - exp(-reciprocate / S), from the ``reciprocity`` stream (reciprocation, Snijders, van
   de Bunt & Steglich 2010's reciprocity effect; Wasserman & Faust 1994, section 13.2).
   Default 0: one-way ties stay one-way. Who asks a new tie may depend on size: firms ask
   those with more to teach, so advice is sought from larger, knowledge-richer firms and the
   sources of a cluster are asked more than they ask (Giuliani & Bell 2005; Giuliani 2007;
   RSiena's alter covariate effect). With ``ask_size`` > 0 a proposer larger than its partner
   (g = log(1 + employees) of the proposer minus the partner's, > 0) is asked by the partner
   instead with probability 1 - exp(-ask_size g), from the ``asking`` stream; a smaller
   proposer asks. A negative ``ask_size`` does the same the other way (a smaller proposer is
   asked by the larger partner with probability 1 - exp(-ask_size g), both < 0: the larger firms
   ask). Default 0: the proposer asks. Direction does not steer the simulation:
   knowledge flows over a tie both ways whoever asked (docs/odd.md 5.3, 7.12).

Creation is a constant flow (proportional to actors) and dissolution a hazard per weak idle
tie, so the number of ties has a stable level. Each step costs one streaming pass over tie
slots plus O(proposals + candidates + changed ties), never a rebuild of the network (the
candidates, weak idle ties, are a few times the ties that dissolve); the spatial grid is
rebuilt once a year when actors entered or exited. Only the strength pass is parallel
(fixed chunks, per-slot writes), so results do not depend on the thread count; every
random draw but reciprocation's and who asks (``reciprocity``, ``asking``) comes from the ``evolution`` stream. Records ``ties_created_closure``, ``ties_created_proximity`` and
``ties_created_brokerage`` (new ties by route) in ``sim.stats``.
"""

from __future__ import annotations

from typing import Literal

import numba as nb
import numpy as np
from pydantic import model_validator

from ..params import Field, MechanismParams, MIN_KM, MAX_KM, MAX_YEARS
from ..fast import choice_p
from ..knowledge import dot_pairs
from ..proximity import cognitive
from ..spatial import Grid, rebuild_due
from ..state import ASKS_A, ASKS_B, CLUSTER_ORG, EXTERNAL, INTERMEDIARY, MUTUAL, PIPELINE, SME, grown
from ..mechanism import Mechanism
from ..kernels import parallel_njit

N_CHUNKS = 256  # fixed, so results do not depend on the number of threads
ROUTES = ("closure", "proximity", "brokerage")
# the choice form's log-odds weights: any real value under choice (a negative weight: such
# candidates are chosen less often than others), >= 0 under capped (factors 1 + w x)
LOG_ODDS_WEIGHTS = ("geo_weight", "cognitive_weight", "culture_weight", "group_weight", "triad_weight")


@parallel_njit(cache=True)
def _strength_pass(alive, moved, born, last_use, layer, w, now, t0, grow, decay, below, idle, buf, counts):
    """Update every live tie's strength (ties born this step are left as created); write
    each chunk's dissolution candidates (weak, idle since max(last use, t0), not a
    pipeline) into its own part of `buf` and their number into `counts`. Branch-free, so
    the pass streams at memory speed."""
    m = len(w)
    n_chunks = len(counts)
    size = (m + n_chunks - 1) // n_chunks
    g = np.float32(grow)
    d = np.float32(decay)
    lim = np.float32(below)
    one = np.float32(1.0)
    zero = np.float32(0.0)
    for c in nb.prange(n_chunks):
        lo = c * size
        k = lo
        for t in range(lo, min(m, lo + size)):
            live = alive[t] & (born[t] != now)
            mv = moved[t]
            x = w[t]
            r = g if mv else d
            target = one if mv else zero
            nx = min(one, max(zero, x + r * (target - x)))
            w[t] = nx if live else x
            cand = live & (nx < lim) & (layer[t] != PIPELINE) & (now - max(last_use[t], t0) >= idle)
            buf[k] = t  # k <= t: stays inside the chunk's part
            k += 1 if cand else 0
        counts[c] = k - lo


@nb.njit(cache=True)
def _gather_kept(buf, counts, m, keep_membership, kind, a, b):
    """The chunks' candidates in slot order; with `keep_membership`, without the ties to a
    cluster organisation (`kind`, `a`, `b` are read only then)."""
    n_chunks = len(counts)
    size = (m + n_chunks - 1) // n_chunks
    out = np.empty(counts.sum(), np.int32)
    k = 0
    for c in range(n_chunks):
        for p in range(c * size, c * size + counts[c]):
            t = buf[p]
            if keep_membership and (kind[a[t]] == CLUSTER_ORG or kind[b[t]] == CLUSTER_ORG):
                continue
            out[k] = t
            k += 1
    return out[:k]


@nb.njit(cache=True)
def _can_broker(b, count, alive, kind):
    """The brokers b with at least two ties, alive and in the cluster, in order."""
    keep = np.empty(len(b), np.int64)
    m = 0
    for r in range(len(b)):
        i = b[r]
        if count[i] >= 2 and alive[i] and kind[i] != EXTERNAL:
            keep[m] = i
            m += 1
    return keep[:m]


@nb.njit(cache=True)
def _two_contacts(b, u_first, u_second, start, count, nbr):
    """Two distinct contacts of each broker b: positions u = floor(u_first * c) and
    v = floor(u_second * (c - 1)), v skipping u (both capped, c the broker's ties)."""
    m = len(b)
    first = np.empty(m, np.int64)
    second = np.empty(m, np.int64)
    for r in range(m):
        c = np.int64(count[b[r]])
        u = min(np.int64(u_first[r] * c), c - 1)
        v = min(np.int64(u_second[r] * (c - 1)), c - 2)
        if v >= u:
            v += 1
        first[r] = nbr[start[b[r]] + u]
        second[r] = nbr[start[b[r]] + v]
    return first, second


@nb.njit(cache=True)
def _first_local_with_ties(draw, limit, alive, kind, count):
    """The first `limit` of `draw` that are alive cluster actors with ties, in order."""
    out = np.empty(min(limit, len(draw)), draw.dtype)
    m = 0
    for v in draw:
        if m >= limit:
            break
        if alive[v] and kind[v] != EXTERNAL and count[v] > 0:
            out[m] = v
            m += 1
    return out[:m]


@nb.njit(cache=True)
def _first_alive(draw, limit, alive, kind):
    """The first `limit` of `draw` that are alive (and firms, if `kind` is given), in order."""
    out = np.empty(min(limit, len(draw)), draw.dtype)
    m = 0
    for v in draw:
        if m >= limit:
            break
        if alive[v] and (kind is None or kind[v] <= SME):
            out[m] = v
            m += 1
    return out[:m]


@nb.njit(cache=True)
def _tie_end(s, u, a, b):
    """An end of each tie s: a where u < 0.5, else b (int64)."""
    out = np.empty(len(s), np.int64)
    for r in range(len(s)):
        out[r] = a[s[r]] if u[r] < 0.5 else b[s[r]]
    return out


@nb.njit(cache=True)
def _two_hops(i, u_j, u_k, start, count, nbr):
    """Triadic closure: for each i a partner j taken by u_j, and j's partner taken by u_k."""
    out = np.empty(len(i), np.int64)
    for r in range(len(i)):
        j = nbr[start[i[r]] + np.int64(u_j[r] * count[i[r]])]
        out[r] = nbr[start[j] + np.int64(u_k[r] * count[j])]
    return out


@nb.njit(cache=True)
def _local_pairs(i, j, alive, kind, x, y):
    """The proposals i-j with both ends given (>= 0), distinct, alive and in the cluster, in
    order, the ends' offsets (x[i] - x[j], y[i] - y[j], in the coordinates' dtype) and the
    positions of the kept proposals."""
    keep = np.empty(len(i), np.int64)
    m = 0
    for k in range(len(i)):
        s, t = i[k], j[k]
        if s >= 0 and t >= 0 and s != t and alive[s] and alive[t] and kind[s] != EXTERNAL and kind[t] != EXTERNAL:
            keep[m] = k
            m += 1
    ii = np.empty(m, np.int64)
    jj = np.empty(m, np.int64)
    dx = np.empty(m, x.dtype)
    dy = np.empty(m, y.dtype)
    for r in range(m):
        s, t = i[keep[r]], j[keep[r]]
        ii[r] = s
        jj[r] = t
        dx[r] = x[s] - x[t]
        dy[r] = y[s] - y[t]
    return ii, jj, dx, dy, keep[:m]


@nb.njit(cache=True)
def _choose(group, score, u):
    """The position of the chosen candidate of each group (runs of equal `group`, in order):
    the largest score + Gumbel noise -log(-log(u)), so candidate c of its group is chosen
    with probability exp(score_c) / sum exp(score) (the Gumbel-max trick)."""
    out = np.empty(len(group), np.int64)
    m = 0
    k = 0
    while k < len(group):
        best = k
        top = score[k] - np.log(-np.log(u[k]))
        r = k + 1
        while r < len(group) and group[r] == group[k]:
            v = score[r] - np.log(-np.log(u[r]))
            if v > top:
                best, top = r, v
            r += 1
        out[m] = best
        m += 1
        k = r
    return out[:m]


@nb.njit(cache=True)
def _common_partners(i, j, start, count, nbr, mark, base):
    """The number of distinct common partners of each pair i[r]-j[r] (transitive triplets):
    i's partners stamped base + r in `mark` (scratch over the actors, reused: every stamp
    below base is stale), then j's partners counted where stamped base + r and unstamped
    once counted. O(degree i + degree j)."""
    out = np.zeros(len(i), np.int64)
    for r in range(len(i)):
        stamp = base + r
        s = start[i[r]]
        for q in range(s, s + count[i[r]]):
            mark[nbr[q]] = stamp
        s = start[j[r]]
        for q in range(s, s + count[j[r]]):
            k = nbr[q]
            if mark[k] == stamp:
                out[r] += 1
                mark[k] = -1
    return out


@nb.njit(cache=True)
def _below_bound(i, j, u, near, culture, group, base, gw, cw, hc, hg):
    """geo = base * (1 + gw * near) * (1 + hc * same culture) * (1 + hg * same group) of
    each proposal (near = exp(-km / geo_km)); the proposals whose uniform is below the
    acceptance bound at c = 1, u < min(geo * (1 + cw), 1), with their i, j, u and geo."""
    bound = 1.0 + cw
    keep = np.empty(len(i), np.int64)
    geo = np.empty(len(i), np.float64)
    m = 0
    for k in range(len(i)):
        geo[k] = base * (1.0 + gw * near[k])
        if culture[i[k]] == culture[j[k]]:
            geo[k] *= 1.0 + hc
        if group[i[k]] == group[j[k]]:
            geo[k] *= 1.0 + hg
        if u[k] < min(geo[k] * bound, 1.0):
            keep[m] = k
            m += 1
    keep = keep[:m]
    return i[keep], j[keep], u[keep], geo[keep]


@nb.njit(cache=True)
def _accepted(i, j, u, geo, cw, c):
    """The accepted pairs: u < q = min(geo * (1 + cw * c), 1)."""
    keep = np.empty(len(i), np.int64)
    m = 0
    for k in range(len(i)):
        if u[k] < min(geo[k] * (1.0 + cw * c[k]), 1.0):
            keep[m] = k
            m += 1
    keep = keep[:m]
    return i[keep], j[keep]


@nb.njit(cache=True)
def _routes(src, route, up, x, y, stage, stages):
    """For the proximity route's firms src (route 0 horizontal, 1 vertical, 2 institution):
    the positions of routes 0-1 and of route 2, the firms' coordinates (float64) and the
    stage sought (the firm's own; vertical one up if `up`, else one down, reflected at
    the ends of the chain)."""
    m = len(src)
    near = np.empty(m, np.int64)
    inst = np.empty(m, np.int64)
    xs = np.empty(m, np.float64)
    ys = np.empty(m, np.float64)
    target = np.empty(m, np.int64)
    n_near = 0
    n_inst = 0
    v = 0
    for k in range(m):
        i = src[k]
        xs[k] = x[i]
        ys[k] = y[i]
        t = np.int64(stage[i])
        if route[k] == 1:
            t += 1 if up[v] else -1
            v += 1
            t = 1 if t < 0 else (stages - 2 if t >= stages else t)
        target[k] = t
        if route[k] < 2:
            near[n_near] = k
            n_near += 1
        elif route[k] == 2:
            inst[n_inst] = k
            n_inst += 1
    return near[:n_near], inst[:n_inst], xs, ys, target



class NetworkEvolution(Mechanism):
    name = "network_evolution"
    records = {f"ties_created_{route}": f"ties created this step by {route}" for route in ROUTES}

    class Params(MechanismParams):
        grow: float = Field(0.05, ge=0, le=1, description="share of the gap to full strength gained per step in which knowledge moved over the tie")
        decay: float = Field(0.3, ge=0, le=1, description="share of strength lost per year without knowledge moving over the tie")
        dissolve_below: float = Field(0.3, ge=0, le=1, description="ties weaker than this may dissolve (when also idle)")
        idle_years: float = Field(0.5, ge=0, le=MAX_YEARS, description="years without activity before a weak tie may dissolve")
        dissolve_rate: float = Field(8.0, ge=0, le=1000, description="dissolution hazard per year of a weak idle tie between cognitively unrelated ends")
        persistence: float = Field(0.8, ge=0, le=1, description="how much cognitive proximity lowers dissolution (Juhasz & Lengyel 2018)")
        embed_weight: float = Field(0.0, ge=0, le=1000, description="how much common partners lower dissolution: the hazard times (1 + common partners)^-embed_weight (embeddedness)")
        proposals: float = Field(0.5, ge=0, le=100, description="tie proposals per alive cluster actor per year")
        closure_weight: float = Field(1.0, ge=0, le=1000, description="relative share of proposals by triadic closure (a partner's partner)")
        proximity_weight: float = Field(1.0, ge=0, le=1000, description="relative share of proposals by geographic proximity (a nearby firm or institution)")
        brokerage_weight: float = Field(0.5, ge=0, le=1000, description="relative share of proposals by brokerage (a broker introduces two contacts)")
        broker_share: float = Field(0.5, ge=0, le=1, description="share of brokerage proposals made by intermediaries and cluster organisations (the rest by any actor, by degree)")
        base_accept: float = Field(0.1, ge=0, le=1, description="acceptance probability of a distant, cognitively unrelated pair (choice: of every chosen pair)")
        geo_weight: float = Field(4.0, ge=-1000, le=1000, description="added relative acceptance at zero distance, >= 0 (choice: log-odds of a candidate at zero distance, may be negative)")
        geo_km: float = Field(10.0, ge=MIN_KM, le=MAX_KM, description="distance scale of geographic proximity in acceptance (km)")
        cognitive_weight: float = Field(0.5, ge=-1000, le=1000, description="added relative acceptance at full cognitive proximity, >= 0 (choice: log-odds at full cognitive proximity, may be negative)")
        culture_weight: float = Field(0.0, ge=-1000, le=1000, description="added relative acceptance of a pair of the same culture group, >= 0 (homophily; institutional proximity; choice: log-odds, may be negative)")
        group_weight: float = Field(0.0, ge=-1000, le=1000, description="added relative acceptance of a pair of the same business group, >= 0 (organisational proximity; choice: log-odds, may be negative)")
        triad_weight: float = Field(0.0, ge=-1000, le=1000, description="choice only: log-odds per log(1 + common partners) of a candidate, may be negative (transitive triplets; a scenario setting it under capped is refused)")
        keep_membership: bool = Field(True, description="ties to a cluster organisation (membership) never dissolve here")
        acceptance: Literal["capped", "choice"] = Field("capped", description="how proximities act on creation: capped (accept with the capped product of proximity factors) or choice (pick one of choice_set candidates by a logit in the proximities, then accept with base_accept)")
        choice_set: int = Field(5, ge=2, le=100, description="candidates a route offers per proposal under acceptance = choice")
        reciprocate: float = Field(0.0, ge=0, le=1000, description="hazard per year that the partner of a one-way (asked, not asking) tie asks back, making it mutual (0: one-way ties stay one-way)")
        ask_size: float = Field(0.0, ge=-1000, le=1000, description="who asks a new tie by size: > 0 a proposer larger than its partner is asked by it instead with probability 1 - exp(-ask_size x log-size gap); < 0 the same for a smaller proposer (the larger asks); 0: the proposer asks")

        @model_validator(mode="after")
        def _check(self):
            if self.triad_weight and self.acceptance != "choice":
                raise ValueError('triad_weight acts only under acceptance = "choice" (set acceptance = "choice", or triad_weight = 0)')
            if self.acceptance == "capped":
                for name in LOG_ODDS_WEIGHTS:
                    if getattr(self, name) < 0:
                        raise ValueError(f'{name} = {getattr(self, name):g}: under acceptance = "capped" a weight is an added '
                                         'relative acceptance and must be >= 0 (a negative log-odds needs acceptance = "choice")')
            return self

    # -- set-up ----------------------------------------------------------------------
    def init(self, sim) -> None:
        self._t0 = sim.t  # idle time counts from the start of the run (earlier use unknown)
        self._buf = np.zeros(0, np.int32)
        self._counts = np.zeros(N_CHUNKS, np.int64)
        self._mark, self._stamp = np.zeros(0, np.int64), 1  # scratch of `_common`
        self._build_grids(sim)

    def _build_grids(self, sim) -> None:
        """Spatial grids of alive firms by stage and of alive institutions (the partners of
        the geographic route, as in `clusterlab.network.make_ties`), and the brokers."""
        a, net = sim.actors, sim.scenario.network
        x, y = a.x.astype(np.float64), a.y.astype(np.float64)
        firm = (a.kind <= SME) & a.alive
        self._firms = Grid(x, y, np.where(firm, a.stage, -1).astype(np.int64), net.tie_km)
        inst = (a.kind > SME) & (a.kind != EXTERNAL) & (a.kind != CLUSTER_ORG) & a.alive
        self._inst = Grid(x, y, np.where(inst, 0, -1).astype(np.int64), 3 * net.tie_km)
        self._has_inst = bool(inst.any())
        self._externals = np.flatnonzero(a.kind == EXTERNAL)  # entrants are cluster firms
        self._brokers = np.flatnonzero(((a.kind == INTERMEDIARY) | (a.kind == CLUSTER_ORG)) & a.alive)
        self._firm_share = max(float(firm.mean()), 0.01) if a.n else 1.0
        self._grid_t, self._grid_n = sim.t, a.n

    # -- the step --------------------------------------------------------------------
    def step(self, sim) -> None:
        p, ties, spy = self.pars, sim.ties, sim.scenario.steps_per_year
        if rebuild_due(sim, self._grid_t, self._grid_n):
            self._build_grids(sim)
        rng = sim.rng("evolution")
        # 1. strength; candidates for dissolution
        self._buf = grown(self._buf, ties.m, np.int32)
        decay = 1.0 - (1.0 - p.decay) ** (1.0 / spy)
        _strength_pass(ties.alive, ties.moved, ties.born, ties.last_use, ties.layer, ties.w, sim.t,
                       self._t0, p.grow, decay, p.dissolve_below, p.idle_years * spy, self._buf, self._counts)
        cand = _gather_kept(self._buf, self._counts, ties.m, p.keep_membership, sim.actors.kind, ties.a, ties.b)
        # 2. dissolution; cognitive proximity only where the draw is below the largest probability
        if len(cand) and p.dissolve_rate > 0:
            u = rng.random(len(cand))
            top = -np.expm1(-p.dissolve_rate / spy)
            cand, u = cand[u < top], u[u < top]
            ends_a, ends_b = ties.a[cand], ties.b[cand]
            rate = p.dissolve_rate * (1.0 - p.persistence * self._cognitive(sim, ends_a, ends_b))
            if p.embed_weight:  # (1 + m)^-w <= 1: the draw's bound `top` stays exact
                rate = rate * (1.0 + self._common(ties, ends_a, ends_b)) ** -p.embed_weight
            prob = -np.expm1(-rate / spy)
            ties.remove(cand[u < prob])
        # 3. creation
        self._create(sim, rng)
        # 4. reciprocation: one-way ties become mutual
        if p.reciprocate > 0:
            one_way = np.flatnonzero(ties.alive & (ties.asks != MUTUAL))
            if len(one_way):
                back = sim.rng("reciprocity").random(len(one_way)) < -np.expm1(-p.reciprocate / spy)
                ties.asks[one_way[back]] = MUTUAL

    def _common(self, ties, i, j) -> np.ndarray:
        """Common partners of each pair i-j (`_common_partners`; scratch kept between calls)."""
        self._mark = grown(self._mark, len(ties.count), np.int64)  # zeroed when new: stamps start at 1
        out = _common_partners(np.asarray(i, np.int64), np.asarray(j, np.int64), ties.start, ties.count,
                               ties.nbr, self._mark, self._stamp)
        self._stamp += len(i)
        return out

    def _cognitive(self, sim, a, b) -> np.ndarray:
        """Cosine similarity of the ends' knowledge profiles at the start of the step."""
        P = sim.profiles()
        if len(P) < sim.actors.n:  # actors appended after the profiles were taken
            return cognitive(sim.actors, a, b).astype(np.float64)
        out = np.empty(len(a), np.float64)
        dot_pairs(P, np.asarray(a, np.int64), np.asarray(b, np.int64), out)
        return out

    def _create(self, sim, rng: np.random.Generator) -> None:
        p, a = self.pars, sim.actors
        weights = np.array([p.closure_weight, p.proximity_weight, p.brokerage_weight])
        w_sum = weights.sum()
        if p.proposals <= 0 or w_sum <= 0:
            return
        n_local = int(np.count_nonzero(a.alive)) - int(np.count_nonzero(a.alive[self._externals]))
        if n_local < 2:
            return
        total = rng.poisson(p.proposals * n_local / sim.scenario.steps_per_year)
        k_closure, k_prox, k_broker = rng.multinomial(total, weights / w_sum)
        K = p.choice_set if p.acceptance == "choice" else 1
        proposed = (self._closure(sim, rng, k_closure, n_local, K),
                    self._proximity(sim, rng, k_prox, K),
                    self._brokerage(sim, rng, k_broker, K))
        for route, (i, j) in zip(ROUTES, proposed):
            i, j, dx, dy, kept = _local_pairs(i, j, a.alive, a.kind, a.x, a.y)
            if len(i) == 0:
                continue
            # exp(-km / geo_km), km in float64 (a / -g is -a / g exactly)
            near = np.exp(np.divide(np.hypot(dx, dy), -p.geo_km, dtype=np.float64))
            if K > 1:
                i, j = self._chosen(sim, rng, i, j, near, kept // K)
            else:
                i, j = self._accepted(sim, rng, i, j, near)
            made = sim.connect(i, j, rng, asks=True)  # the proposer i asks j
            if p.ask_size:
                self._ask_up(sim, made)
            sim.stats[f"ties_created_{route}"] += float(len(made))

    def _ask_up(self, sim, made) -> None:
        """Who asks a new tie (4 in the module): with g = sign(ask_size) x (log(1 + employees)
        of the proposer minus the partner's), a proposer with g > 0 (larger, for ask_size > 0)
        is asked by the partner instead with probability 1 - exp(-|ask_size| g), from the
        ``asking`` stream; the other proposers ask."""
        ties, size, beta = sim.ties, sim.actors.size, self.pars.ask_size
        made = np.asarray(made, np.int64)
        a, b, asks = ties.a[made], ties.b[made], ties.asks[made]
        asker, asked = np.where(asks == ASKS_A, a, b), np.where(asks == ASKS_A, b, a)
        g = np.sign(beta) * (np.log1p(np.maximum(size[asker], 0.0)) - np.log1p(np.maximum(size[asked], 0.0)))
        wrong = np.flatnonzero(g > 0)
        if len(wrong):
            u = sim.rng("asking").random(len(wrong))
            turn = wrong[u < -np.expm1(-abs(beta) * g[wrong])]
            ties.asks[made[turn]] = np.where(asks[turn] == ASKS_A, ASKS_B, ASKS_A)

    def _accepted(self, sim, rng, i, j, near):
        """acceptance = capped: q = min(1, base (1 + gw near) (1 + cw c) ...); one uniform,
        cognitive proximity computed only where the uniform is below the bound at c = 1."""
        p, a = self.pars, sim.actors
        cw = float(p.cognitive_weight)
        u = rng.random(len(i))
        i, j, u, geo = _below_bound(i, j, u, near, a.culture, a.group, p.base_accept, p.geo_weight,
                                    cw, p.culture_weight, p.group_weight)
        return _accepted(i, j, u, geo, cw, self._cognitive(sim, i, j))

    def _chosen(self, sim, rng, i, j, near, group):
        """acceptance = choice: of each proposal's candidates (those not yet tied to the
        proposer), the proposer picks one with probability proportional to
        exp(gw near + cw c + hc [same culture] + hg [same group] + tw log(1 + common partners)),
        and the pair is accepted with probability base_accept."""
        p, a = self.pars, sim.actors
        new = ~sim.ties.has(i, j)
        i, j, near, group = i[new], j[new], near[new], group[new]
        score = p.geo_weight * near + p.cognitive_weight * self._cognitive(sim, i, j)
        if p.triad_weight:
            score += p.triad_weight * np.log1p(self._common(sim.ties, i, j))
        if p.culture_weight:
            score += p.culture_weight * (a.culture[i] == a.culture[j])
        if p.group_weight:
            score += p.group_weight * (a.group[i] == a.group[j])
        pick = _choose(group, score, rng.random(len(i)))
        ok = rng.random(len(pick)) < p.base_accept
        return i[pick[ok]], j[pick[ok]]

    # -- the three routes: each returns proposed pairs (i, j), -1 where none ------------
    @staticmethod
    def _sample(rng, k: int, n: int, keep, share: float) -> np.ndarray:
        """k ids drawn uniformly among 0..n-1 that `keep(ids, limit)` accepts (it returns the
        first `limit` accepted, in order; rejection: O(k), a few rounds)."""
        out, got = [], 0
        for _ in range(4):
            if got >= k or n == 0:
                break
            draw = rng.integers(0, n, int((k - got) / max(share, 0.02) * 1.2) + 16)
            draw = keep(draw, k - got)
            out.append(draw)
            got += len(draw)
        return (out[0] if len(out) == 1 else np.concatenate(out)) if out else np.zeros(0, np.int64)

    def _closure(self, sim, rng, k, n_local, K=1):
        """i: a random cluster actor with ties; j: a random partner of i; k: one of j's
        (K candidates k per i)."""
        a, ties = sim.actors, sim.ties
        if k == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        start, count, nbr = ties.start, ties.count, ties.nbr
        n = min(a.n, len(count))
        i = self._sample(rng, k, n, lambda v, lim: _first_local_with_ties(v, lim, a.alive, a.kind, count),
                         n_local / max(n, 1))
        if K > 1:
            i = np.repeat(i, K)
        u_j = rng.random(len(i))  # which partner j of i
        u_k = rng.random(len(i))  # which partner of j
        return i, _two_hops(i, u_j, u_k, start, count, nbr)

    def _proximity(self, sim, rng, k, K=1):
        """A random firm and a nearby firm (same or adjacent stage) or institution; with K > 1
        (choice), K candidates per firm drawn anywhere in the cluster."""
        a, net = sim.actors, sim.scenario.network
        none = np.zeros(0, np.int64), np.zeros(0, np.int64)
        stages = sim.scenario.population.stages
        w = np.array([net.horizontal_degree, net.vertical_degree if stages > 1 else 0.0,
                      net.multi_angle_degree if self._has_inst else 0.0])
        w_sum = w.sum()
        if k == 0 or w_sum <= 0:
            return none
        src = self._sample(rng, k, a.n, lambda v, lim: _first_alive(v, lim, a.alive, a.kind),
                           self._firm_share)
        if K > 1:
            src = np.repeat(src, K)
        dst = np.full(len(src), -1, np.int64)
        route = choice_p(rng, w / w_sum, len(src))  # rng.choice(3, len(src), p=...), cheaper
        up = rng.random(int(np.count_nonzero(route == 1))) < 0.5  # vertical: up or down the chain
        near, inst, x, y, target = _routes(src, route, up, a.x, a.y, a.stage, stages)
        if K > 1:  # choice: candidates anywhere in the cluster; where is left to the choice
            if len(near):
                dst[near] = self._firms.pick_any(rng, target[near])
            if len(inst):
                dst[inst] = self._inst.pick_any(rng, np.zeros(len(inst), np.int64))
            return src, dst
        if len(near):
            dst[near] = self._firms.pick_near(rng, x[near], y[near], target[near], net.tie_km)
        if len(inst):
            dst[inst] = self._inst.pick_near(rng, x[inst], y[inst], np.zeros(len(inst), np.int64),
                                             3 * net.tie_km)
        return src, dst

    def _brokerage(self, sim, rng, k, K=1):
        """A broker (intermediary or cluster organisation, or any actor; by degree)
        introduces two distinct contacts of its own (K pairs per broker)."""
        a, ties = sim.actors, sim.ties
        none = np.zeros(0, np.int64), np.zeros(0, np.int64)
        if k == 0:
            return none
        start, count, nbr = ties.start, ties.count, ties.nbr
        brokers = self._brokers[count[self._brokers] >= 2]
        k_inst = int(rng.binomial(k, self.pars.broker_share)) if len(brokers) else 0
        parts = []
        if k_inst:
            cum = np.cumsum(count[brokers].astype(np.float64))
            parts.append(brokers[np.searchsorted(cum, rng.random(k_inst) * cum[-1], side="right")])
        if k > k_inst and ties.n_alive:
            parts.append(self._tie_ends(rng, ties, k - k_inst))
        b = np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)
        b = _can_broker(b, count, a.alive, a.kind)
        if len(b) == 0:
            return none
        if K > 1:
            b = np.repeat(b, K)
        u_first = rng.random(len(b))  # the first contact
        u_second = rng.random(len(b))  # another one
        return _two_contacts(b, u_first, u_second, start, count, nbr)

    @staticmethod
    def _tie_ends(rng, ties, k):
        """k actors drawn in proportion to their degree: an end of a uniformly drawn live tie."""
        share = ties.n_alive / max(ties.m, 1)
        out, got = [], 0
        for _ in range(4):
            if got >= k:
                break
            s = rng.integers(0, ties.m, int((k - got) / max(share, 0.02) * 1.2) + 16)
            s = _first_alive(s, k - got, ties.alive, None)
            out.append(_tie_end(s, rng.random(len(s)), ties.a, ties.b))
            got += len(s)
        return np.concatenate(out) if out else np.zeros(0, np.int64)

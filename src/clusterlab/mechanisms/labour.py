"""Labour mobility: workers move between nearby firms and carry tacit knowledge
(docs/odd.md, 7.6; Marshall's knowledge "in the air" in Wang 2013; Almeida & Kogut 1999 on
the mobility of engineers as the carrier of localised knowledge; Dahl & Pedersen 2004 on
informal knowledge flows through former colleagues; Malmberg & Maskell 2002).

- Movers: each step a firm i (alive, focal or SME) loses n_i = floor(lambda_i + u_i) workers
  to other cluster firms, lambda_i = mobility * size_i / spy and u_i uniform: lambda_i rounded
  up or down at random, so its mean is lambda_i, the number of moves is mobility x total
  employees a year and movers come from firms in proportion to their size.
- Destination: the movers leaving a firm in a step look for jobs together (one search per
  firm and step: at monthly steps most firms lose at most one worker; colleagues often move
  together, Dahl & Pedersen 2004) at a nearby firm of the same value-chain stage (share
  `same_stage`) or of an adjacent one (up or down, each half of the rest; the only
  neighbour at the ends of the chain), by the rule of `Grid.pick_near`: a point at an
  exponential distance of mean `search_km` (the commuting range) in a random direction, a
  random firm of that stage in its grid cell, up to 4 tries (run in a Numba kernel on the
  grid's arrays, with a per-search stream seeded from the "labour" generator; distance and
  direction come from 1024-point tables of exponential quantiles and unit vectors, finer
  than the grid cells that resolve the destination). Searches that find no firm, that go
  further than `max_km`, or that end at the source itself or at a firm that has exited
  lapse (the workers leave the cluster's knowledge economy).
  Destinations are uniform among the nearby firms of the stage. The grid is rebuilt once a
  year when firms have entered or exited (entrants receive movers from the next rebuild on;
  they can lose movers at once).
- Knowledge carried: a mover brings the source's per-head tacit knowledge into a firm of
  size_dst employees; the part that is personal rather than embedded in the source's routines
  is `carry` (Nelson & Winter 1982). Per domain d, for c movers from src to dst,

      gap[d]    = max(0, T_src[d] - T_dst[d])
      dT_dst[d] = min(1, c * carry / size_dst) * gap[d]
      dT_src[d] = -min(1, c * carry * source_loss / size_src) * gap[d]

  so knowledge flows only from richer to poorer firms, a destination never passes its
  source, and the source loses a little of its edge (`source_loss`: the part the replacement
  hire does not bring back). Firm sizes do not change: each mover fills a vacancy left by a
  leaver.
- Order: T_src is the source's knowledge at the start of the labour step; moves into the
  same destination apply one after another in the order of their source id (T_dst is the
  destination's knowledge as it stands), so several teams joining one small firm cannot
  overshoot; then every source loses its part. The result does not depend on the number of
  threads (destinations are processed in fixed buckets, each in a fixed order).

Flows go to the labour channel of `inflow` (with the knowledge-origin tracer), `flow_labour`,
`flow_tacit` and `seci_socialization` (movers share tacit knowledge with new colleagues).
Random draws come from the stream "labour".
"""

from __future__ import annotations

import numba as nb
import numpy as np

from ..knowledge import origin_parts
from ..params import Field, MechanismParams, MIN_KM, MAX_KM
from ..spatial import Grid, rebuild_due
from ..state import EXTERNAL, FOCAL, LABOUR, SME, grown
from ..mechanism import Mechanism, State
from ..kernels import parallel_njit

N_CHUNKS = 256  # fixed, so results do not depend on the number of threads
TRIES = 4  # as Grid.pick_near
# search offsets from 1024-point tables (the destination is resolved to a grid cell anyway):
# unit directions, and quantiles of the unit exponential distribution
TABLE = 1024
_ANGLES = 2.0 * np.pi * (np.arange(TABLE) + 0.5) / TABLE
DIR_X, DIR_Y = np.cos(_ANGLES), np.sin(_ANGLES)
EXP_Q = -np.log(1.0 - (np.arange(TABLE) + 0.5) / TABLE)


@parallel_njit(cache=True)
def _leavers(kind, alive, size, u, rate, out, chunk_total):
    """Movers leaving each firm this step, floor(rate * size + u); per chunk the number of
    firms that lose any."""
    n = len(kind)
    n_chunks = len(chunk_total)
    chunk = (n + n_chunks - 1) // n_chunks
    for c in nb.prange(n_chunks):
        tot = 0
        for i in range(c * chunk, min(n, (c + 1) * chunk)):
            k = 0
            if alive[i] and kind[i] <= SME:
                k = int(np.floor(rate * size[i] + u[i]))
            out[i] = k
            if k > 0:
                tot += 1
        chunk_total[c] = tot


@nb.njit(cache=True, inline="always")
def _uniform(state):
    """xorshift64: the next state and a uniform in [0, 1)."""
    state ^= state << np.uint64(13)
    state ^= state >> np.uint64(7)
    state ^= state << np.uint64(17)
    return state, float(state >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@parallel_njit(cache=True)
def _search(leavers, chunk_start, seeds, x, y, stage, alive, kind, ext, via, T, stages, same,
            members, offsets, x0, y0, cell_km, nx, ny, ncells, nclasses, scale, max_km,
            dir_x, dir_y, exp_q, src, cnt, dst, origin, snap):
    """One job search per firm losing workers (in source order): a nearby firm of the same
    or an adjacent stage by Grid.pick_near's rule, or -1 when the search fails, goes too
    far, or ends at the source or a dead firm; a copy of the source's tacit knowledge and
    the shares of it of external origin and gatekept by a focal firm."""
    n = len(leavers)
    n_chunks = len(chunk_start) - 1
    chunk = (n + n_chunks - 1) // n_chunks
    max2 = max_km * max_km
    D = T.shape[1]
    nt = len(dir_x)
    for c in nb.prange(n_chunks):
        k = chunk_start[c]
        for s in range(c * chunk, min(n, (c + 1) * chunk)):
            if leavers[s] == 0:
                continue
            src[k] = s
            cnt[k] = leavers[s]
            state = np.uint64(seeds[k]) | np.uint64(1)
            state, v = _uniform(state)
            cls = min(max(stage[s], 0), stages - 1)
            if stages > 1 and v >= same:
                cls += 1 if v < same + (1.0 - same) / 2 else -1
                if cls < 0:
                    cls = 1
                elif cls >= stages:
                    cls = stages - 2
            j = -1
            if cls < nclasses:
                for _ in range(TRIES):
                    state, u1 = _uniform(state)
                    state, u2 = _uniform(state)
                    state, u3 = _uniform(state)
                    r = scale * exp_q[int(u1 * nt)]
                    a = int(u2 * nt)
                    cx = min(max(int(np.floor((x[s] + r * dir_x[a] - x0) / cell_km)), 0), nx - 1)
                    cy = min(max(int(np.floor((y[s] + r * dir_y[a] - y0) / cell_km)), 0), ny - 1)
                    key = cls * ncells + cy * nx + cx
                    lo = offsets[key]
                    hi = offsets[key + 1]
                    if hi > lo:
                        j = members[lo + min(int(u3 * (hi - lo)), hi - lo - 1)]
                        break
            if j >= 0:
                dx = x[j] - x[s]
                dy = y[j] - y[s]
                if j == s or not alive[j] or dx * dx + dy * dy > max2:
                    j = -1
            dst[k] = j
            if j >= 0:
                for d in range(D):
                    snap[k, d] = T[s, d]
                fe, fv = origin_parts(kind[s], ext[s], via[s], FOCAL, EXTERNAL)
                origin[k, 0] = fe
                origin[k, 1] = fv
            k += 1


@nb.njit(cache=True)
def _buckets(dst, n, n_buckets, start, order):
    """Counting sort of the moves by destination bucket (fixed id ranges), stable."""
    size = (n + n_buckets - 1) // n_buckets
    start[:] = 0
    for k in range(len(dst)):
        if dst[k] >= 0:
            start[dst[k] // size + 1] += 1
    for b in range(n_buckets):
        start[b + 1] += start[b]
    fill = start[:n_buckets].copy()
    for k in range(len(dst)):
        if dst[k] >= 0:
            b = dst[k] // size
            order[fill[b]] = k
            fill[b] += 1


@parallel_njit(cache=True)
def _receive(start, order, cnt, dst, origin, snap, T, size, carry, inflow, inflow_ext,
             inflow_via, totals):
    """Destinations gain, bucket by bucket, moves in source order; snap[k] becomes the gap
    used by move k."""
    D = T.shape[1]
    for b in nb.prange(len(start) - 1):
        tot = 0.0
        for q in range(start[b], start[b + 1]):
            k = order[q]
            t = dst[k]
            f = min(1.0, cnt[k] * carry / max(size[t], 1.0))
            got = 0.0
            for d in range(D):
                g = max(snap[k, d] - T[t, d], 0.0)
                snap[k, d] = g
                T[t, d] += f * g
                got += f * g
            if got > 0.0:
                inflow[t, LABOUR] += got
                inflow_ext[t] += got * origin[k, 0]
                inflow_via[t] += got * origin[k, 1]
                tot += got
        totals[b] = tot


@parallel_njit(cache=True)
def _lose(chunk_start, src, cnt, dst, gap, T, size, f_loss):
    """Sources lose their part of the gap their movers carried away (chunks of sources)."""
    D = T.shape[1]
    for c in nb.prange(len(chunk_start) - 1):
        for k in range(chunk_start[c], chunk_start[c + 1]):
            if dst[k] < 0:
                continue
            s = src[k]
            f = min(1.0, cnt[k] * f_loss / max(size[s], 1.0))
            for d in range(D):
                T[s, d] = max(T[s, d] - f * gap[k, d], 0.0)


class Labour(Mechanism):
    name = "labour"
    records = {"labour_moves": "workers who moved between cluster firms this step"}

    class Params(MechanismParams):
        mobility: float = Field(0.05, ge=0, le=1, description="share of employees who move to another cluster firm in a year")
        same_stage: float = Field(0.6, ge=0, le=1, description="share of moves to a firm of the same value-chain stage (the rest to adjacent stages)")
        search_km: float = Field(8.0, ge=MIN_KM, le=MAX_KM, description="mean distance of the job a mover takes (km, exponential)")
        max_km: float = Field(30.0, ge=MIN_KM, le=MAX_KM, description="longest move within the cluster's labour market (km); longer ones lapse")
        carry: float = Field(0.3, ge=0, le=1, description="share of a mover's per-head tacit knowledge advantage that is personal and moves with them")
        source_loss: float = Field(0.1, ge=0, le=1, description="share of that advantage the source loses (not brought back by the replacement)")

    states = (State("labour_leavers", np.int32, 0, "scratch: workers leaving the firm this step", record=False),)

    def init(self, sim) -> None:
        self._build(sim)
        self.chunk_total = np.zeros(N_CHUNKS, np.int64)
        self.chunk_start = np.zeros(N_CHUNKS + 1, np.int64)
        self.bucket_start = np.zeros(N_CHUNKS + 1, np.int64)
        self.totals = np.zeros(N_CHUNKS)
        self.src = self.cnt = self.dst = self.order = self.origin = self.snap = None

    def _size(self, moves: int) -> None:
        """Per-move arrays for at least `moves` moves."""
        self.src = grown(self.src, moves, np.int64)
        self.cnt = grown(self.cnt, moves, np.int32)
        self.dst = grown(self.dst, moves, np.int64)
        self.order = grown(self.order, moves, np.int64)
        self.origin = grown(self.origin, moves, np.float32, (2,))
        self.snap = grown(self.snap, moves, np.float32, (self.domains,))

    def _build(self, sim) -> None:
        a = sim.actors
        self.domains = a.domains
        firm = (a.kind <= SME) & a.alive
        self.stages = max(sim.scenario.population.stages, int(a.stage.max(initial=0)) + 1)
        cls = np.where(firm, np.clip(a.stage, 0, self.stages - 1), -1).astype(np.int64)
        self.grid = Grid(a.x.astype(np.float64), a.y.astype(np.float64), cls, self.pars.search_km)
        self.built_n = a.n
        self.built_alive = int(firm.sum())
        self.built_t = sim.t

    def step(self, sim) -> None:
        p, a = self.pars, sim.actors
        spy = sim.scenario.steps_per_year
        n = a.n
        if rebuild_due(sim, self.built_t, self.built_n):
            self._build(sim)
        rng = sim.rng("labour")
        u = rng.random(n, dtype=np.float32)
        leavers = a.labour_leavers
        _leavers(a.kind, a.alive, a.size, u, p.mobility / spy, leavers, self.chunk_total)
        np.cumsum(self.chunk_total, out=self.chunk_start[1:])
        M = int(self.chunk_start[-1])
        if M == 0:
            return
        self._size(M)
        src, cnt, dst, snap = self.src[:M], self.cnt[:M], self.dst[:M], self.snap[:M]
        seeds = rng.integers(0, 2**63 - 1, size=M, dtype=np.int64)
        g = self.grid
        origin = self.origin[:M]
        _search(leavers, self.chunk_start, seeds, a.x, a.y, a.stage, a.alive, a.kind,
                a.external_origin, a.via_focal, a.T, self.stages, p.same_stage, g.members,
                g.offsets, g.x0, g.y0, g.cell_km, g.nx, g.ny, g.ncells, g.nclasses,
                p.search_km, p.max_km, DIR_X, DIR_Y, EXP_Q, src, cnt, dst, origin, snap)
        _buckets(dst, n, N_CHUNKS, self.bucket_start, self.order)
        _receive(self.bucket_start, self.order, cnt, dst, origin, snap, a.T, a.size, p.carry,
                 a.inflow, a.inflow_external, a.inflow_via_focal, self.totals)
        if p.source_loss > 0:
            _lose(self.chunk_start, src, cnt, dst, snap, a.T, a.size, p.carry * p.source_loss)
        moved = float(self.totals.sum())
        st = sim.stats
        placed = dst >= 0
        st["labour_moves"] += float(cnt[placed].sum())
        st["flow_labour"] += moved
        st["flow_tacit"] += moved
        st["seci_socialization"] += moved

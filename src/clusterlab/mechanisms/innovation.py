"""Innovation, incremental and radical, with attribution to learning channels
(docs/odd.md, 7.14; Wang 2013: focal firms "develop and introduce radical innovation and
incremental innovation"; Wang & Wang 2012: collective innovation, combination in Nonaka's
SECI).

Each step a firm innovates incrementally with probability 1 - exp(-lambda_inc),

    lambda_inc = incremental_base + incremental_rd * rd + incremental_knowledge * k + incremental_diversity * div

(k: mean knowledge relative to the frontier; div: Blau diversity of its knowledge over
domains, 0 = one domain, 1 = even). An incremental innovation raises explicit knowledge in
a domain it holds (chosen in proportion to its knowledge) by `incremental_size` x frontier.
Radical innovation is rarer and needs diverse inputs:

    lambda_rad = div**2 * (radical_base + radical_rd * rd)

and opens or leaps a domain chosen at random by `radical_size` x frontier (it may pass the
frontier, which the simulation then moves). Each innovation is attributed fractionally to the channels its
recent knowledge came from: the shares of an exponentially smoothed inflow per channel
(the shared, live `knowledge.inflow_memory` per step; `actors.recent` is updated by the
bookkeeping at the end of every step, so `openness` can use it too), plus an "internal"
share of weight `internal_weight`.
Universities and institutes do research: they close `research_rate` of their gap to the
frontier in the domains they hold. All created knowledge counts as SECI combination.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from ..knowledge import blau
from ..params import Field, MechanismParams
from ..state import CHANNELS, INSTITUTE, SME, UNIVERSITY
from ..mechanism import Mechanism

# columns of the per-chunk stats after the channels (NC = number of channels):
# attribution internal, incremental count, radical count, knowledge created
INTERNAL, N_INC, N_RAD, CREATED = 0, 1, 2, 3


@nb.njit(parallel=True, cache=True)
def _innovate(kind, alive, rd, T, E, frontier, recent, inflow, u, now, mean_frontier,
              base, w_rd, w_k, w_div, inc_size, rad_base, rad_rd, rad_size, research,
              memory, internal, innov_inc, innov_rad, last_innov, stats):
    n, D = T.shape
    NC = recent.shape[1]  # from the array, so a cached kernel never sees a stale constant
    n_chunks = stats.shape[0]
    size = (n + n_chunks - 1) // n_chunks
    for c in nb.prange(n_chunks):
        K = np.empty(D)
        for i in range(c * size, min(n, (c + 1) * size)):
            if not alive[i]:
                continue
            tot = 0.0
            rsum = 0.0
            for ch in range(NC):
                rsum += memory * recent[i, ch] + inflow[i, ch]
            for d in range(D):
                K[d] = T[i, d] + E[i, d]
                tot += K[d]
            k = kind[i]
            if k <= SME:
                div = blau(K)
                lam_inc = base + w_rd * rd[i] + w_k * tot / D / mean_frontier + w_div * div
                lam_rad = div * div * (rad_base + rad_rd * rd[i])
                kinds_done = 0
                if u[i, 0] < 1.0 - np.exp(-lam_inc) and tot > 0.0:
                    # a domain it holds, in proportion to its knowledge
                    target = u[i, 1] * tot
                    acc = 0.0
                    dd = D - 1
                    for d in range(D):
                        acc += K[d]
                        if acc >= target:
                            dd = d
                            break
                    x = inc_size * frontier[dd]
                    E[i, dd] += x
                    K[dd] += x
                    stats[c, NC + CREATED] += x
                    innov_inc[i] += 1
                    stats[c, NC + N_INC] += 1.0
                    kinds_done += 1
                if u[i, 2] < 1.0 - np.exp(-lam_rad):
                    dd = min(int(u[i, 3] * D), D - 1)
                    x = rad_size * frontier[dd]
                    E[i, dd] += x
                    K[dd] += x
                    stats[c, NC + CREATED] += x
                    innov_rad[i] += 1
                    stats[c, NC + N_RAD] += 1.0
                    kinds_done += 1
                if kinds_done > 0:
                    last_innov[i] = now
                    for ch in range(NC):
                        stats[c, ch] += kinds_done * (memory * recent[i, ch] + inflow[i, ch]) / (rsum + internal)
                    stats[c, NC + INTERNAL] += kinds_done * internal / (rsum + internal)
            elif (k == UNIVERSITY or k == INSTITUTE) and research > 0.0:
                kmax = 0.0
                for d in range(D):
                    kmax = max(kmax, K[d])
                if kmax > 0.0:
                    for d in range(D):
                        gap = frontier[d] - K[d]
                        if gap > 0.0:
                            x = research * (K[d] / kmax) * gap
                            E[i, d] += x
                            K[d] += x
                            stats[c, NC + CREATED] += x


class Innovation(Mechanism):
    name = "innovation"
    records = {
        "innovations_incremental": "incremental innovations of firms this step",
        "innovations_radical": "radical innovations of firms this step",
        **{f"innov_from_{c}": f"innovations attributed to learning channel {c}" for c in CHANNELS},
        "innov_from_internal": "innovations attributed to in-house sources",
    }

    class Params(MechanismParams):
        incremental_base: float = Field(0.002, ge=0, le=1, description="incremental hazard per step of any firm")
        incremental_rd: float = Field(0.2, ge=0, le=10, description="incremental hazard per unit of R&D intensity")
        incremental_knowledge: float = Field(0.01, ge=0, le=10, description="incremental hazard per unit of knowledge (frontier = 1)")
        incremental_diversity: float = Field(0.005, ge=0, le=10, description="incremental hazard per unit of knowledge diversity")
        incremental_size: float = Field(0.03, ge=0, le=10, description="explicit knowledge an incremental innovation adds (x frontier)")
        radical_base: float = Field(0.001, ge=0, le=1, description="radical hazard per step at full diversity")
        radical_rd: float = Field(0.05, ge=0, le=10, description="radical hazard per unit of R&D intensity at full diversity")
        radical_size: float = Field(0.2, ge=0, le=10, description="explicit knowledge a radical innovation adds (x frontier)")
        research_rate: float = Field(0.005, ge=0, le=1, description="share of their gap to the frontier universities and institutes close per step")
        internal_weight: float = Field(0.01, ge=1e-6, le=100, description="weight of in-house sources in attribution (knowledge units)")

    def init(self, sim) -> None:
        self.stats = np.zeros((256, len(CHANNELS) + 4))

    def step(self, sim) -> None:
        p, a, tech = self.pars, sim.actors, sim.tech
        u = sim.rng("innovation").random((a.n, 4))
        self.stats[:] = 0.0
        _innovate(a.kind, a.alive, a.rd, a.T, a.E, tech.frontier, a.recent, a.inflow, u, sim.t,
                  float(tech.frontier.mean()), p.incremental_base, p.incremental_rd,
                  p.incremental_knowledge, p.incremental_diversity, p.incremental_size,
                  p.radical_base, p.radical_rd, p.radical_size, p.research_rate,
                  sim.scenario.knowledge.inflow_memory, p.internal_weight, a.innov_incremental,
                  a.innov_radical, a.last_innovation, self.stats)
        s = self.stats.sum(axis=0)
        NC = len(CHANNELS)
        st = sim.stats
        st["innovations_incremental"] += s[NC + N_INC]
        st["innovations_radical"] += s[NC + N_RAD]
        st["seci_combination"] += s[NC + CREATED]
        for ch, name in enumerate(CHANNELS):
            st[f"innov_from_{name}"] += s[ch]
        st["innov_from_internal"] += s[NC + INTERNAL]

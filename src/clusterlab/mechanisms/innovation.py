"""Innovation as recombination, incremental and radical (docs/odd.md, 7.14; Weitzman 1998:
new ideas are recombinations of existing ones; Fleming 2001: recombining novel components
is riskier but yields the breakthroughs; Wang 2013: focal firms "develop and introduce
radical innovation and incremental innovation"; Wang & Wang 2012: collective innovation,
combination in Nonaka's SECI).

Inputs to recombination are the knowledge a firm has NEWLY received: per domain the gain
of this step, g[d] = max(0, K[d] - K_start[d]) with K = T + E and K_start the snapshot the
bookkeeping takes at the start of the step, smoothed with the shared memory m =
`knowledge.inflow_memory` into the state `innovation_new`:

    N[d] = m N[d] + g[d]

Its novelty relative to what the firm holds: nov[d] = 1 - K_start[d] / max K_start (0 in
the firm's strongest domain, 1 where it held nothing), so received knowledge in weak
domains counts more. With F the mean frontier,

    X = sum_d N[d] (1 + novelty_weight nov[d]) / F         (recombination input)
    V = sum_d N[d] nov[d] / F                              (novel, distant input)

Each step a firm innovates incrementally with probability 1 - exp(-lambda_inc),

    lambda_inc = incremental_base + incremental_rd rd + incremental_diversity div + incremental_learning X

(div: Blau diversity of its knowledge over domains, 0 = one domain, 1 = even). An
incremental innovation raises explicit knowledge in a domain it holds (chosen in
proportion to its knowledge) by (incremental_size + size_learning X / (1 + X)) x frontier.
Radical innovation is rarer and needs diverse or novel, distant inputs:

    lambda_rad = div**2 (radical_base + radical_rd rd) + radical_novelty V

and opens or leaps by `radical_size` x frontier a domain: with the share of the novelty
term in lambda_rad, a domain drawn in proportion to its novel input N[d] nov[d], else one
at random (it may pass the frontier, which the simulation then moves).
Universities and institutes do research: they close `research_rate` of their gap to the
frontier in the domains they hold. All created knowledge counts as SECI combination.

Changed in issue 10: the hazard used the stock of knowledge (learning mattered little:
8x more learning, +9% innovations), and each innovation was attributed to channels by
their shares of smoothed inflow (columns innov_from_*), which disagreed with knock-out
experiments; the columns are gone, channel contributions are measured by knock-outs.
Measured with the defaults (120 steps, seeds 1-6): transfer off -25% innovations,
vertical transfer off -16%.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from ..knowledge import blau
from ..params import Field, MechanismParams
from ..state import INSTITUTE, SME, UNIVERSITY
from ..mechanism import Mechanism, State
from ..kernels import parallel_njit

# columns of the per-chunk stats: incremental count, radical count, knowledge created,
# recombination input of innovating firms
N_INC, N_RAD, CREATED, INPUT = 0, 1, 2, 3


@parallel_njit(cache=True)
def _innovate(kind, alive, rd, T, E, K_start, new, frontier, u, now, mean_frontier, memory,
              base, w_rd, w_div, w_learn, nov_w, inc_size, size_learn, rad_base, rad_rd,
              rad_nov, rad_size, research, innov_inc, innov_rad, last_innov, stats):
    n, D = T.shape
    n_chunks = stats.shape[0]
    size = (n + n_chunks - 1) // n_chunks
    inv_f = 1.0 / mean_frontier
    for c in nb.prange(n_chunks):
        K = np.empty(D)
        nov = np.empty(D)
        for i in range(c * size, min(n, (c + 1) * size)):
            if not alive[i]:
                continue
            tot = 0.0
            for d in range(D):
                K[d] = T[i, d] + E[i, d]
                tot += K[d]
            k = kind[i]
            if k <= SME:
                kmax = 0.0
                for d in range(D):
                    kmax = max(kmax, K_start[i, d])
                X = 0.0
                V = 0.0
                for d in range(D):
                    g = K[d] - K_start[i, d]
                    x = memory * new[i, d] + (g if g > 0.0 else 0.0)
                    new[i, d] = x
                    nov[d] = 1.0 - K_start[i, d] / kmax if kmax > 0.0 else 1.0
                    X += x * (1.0 + nov_w * nov[d])
                    V += x * nov[d]
                X *= inv_f
                V *= inv_f
                div = blau(K)
                lam_inc = base + w_rd * rd[i] + w_div * div + w_learn * X
                lam_explore = div * div * (rad_base + rad_rd * rd[i])
                lam_novel = rad_nov * V
                lam_rad = lam_explore + lam_novel
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
                    x = (inc_size + size_learn * X / (1.0 + X)) * frontier[dd]
                    E[i, dd] += x
                    K[dd] += x
                    stats[c, CREATED] += x
                    innov_inc[i] += 1
                    stats[c, N_INC] += 1.0
                    kinds_done += 1
                if lam_rad > 0.0 and u[i, 2] < 1.0 - np.exp(-lam_rad):
                    dd = min(int(u[i, 3] * D), D - 1)
                    if V > 0.0 and u[i, 4] * lam_rad < lam_novel:
                        # the domain the novel input came from
                        target = u[i, 3] * V * mean_frontier
                        acc = 0.0
                        for d in range(D):
                            acc += new[i, d] * nov[d]
                            if acc >= target:
                                dd = d
                                break
                    x = rad_size * frontier[dd]
                    E[i, dd] += x
                    K[dd] += x
                    stats[c, CREATED] += x
                    innov_rad[i] += 1
                    stats[c, N_RAD] += 1.0
                    kinds_done += 1
                if kinds_done > 0:
                    last_innov[i] = now
                    stats[c, INPUT] += X
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
                            stats[c, CREATED] += x


class Innovation(Mechanism):
    name = "innovation"
    records = {
        "innovations_incremental": "incremental innovations of firms this step",
        "innovations_radical": "radical innovations of firms this step",
    }

    class Params(MechanismParams):
        incremental_base: float = Field(0.001, ge=0, le=1, description="incremental hazard per step of any firm")
        incremental_rd: float = Field(0.2, ge=0, le=10, description="incremental hazard per unit of R&D intensity")
        incremental_diversity: float = Field(0.003, ge=0, le=10, description="incremental hazard per unit of knowledge diversity")
        incremental_learning: float = Field(0.1, ge=0, le=100, description="incremental hazard per unit of recombination input X (newly received knowledge, novelty-weighted, frontier = 1)")
        novelty_weight: float = Field(2.0, ge=0, le=100, description="extra weight in X of new knowledge in domains the firm is weak in (x novelty in [0, 1])")
        incremental_size: float = Field(0.03, ge=0, le=10, description="explicit knowledge an incremental innovation adds without new inputs (x frontier)")
        size_learning: float = Field(0.03, ge=0, le=10, description="added size of an incremental innovation at large recombination input, X / (1 + X) of it (x frontier)")
        radical_base: float = Field(0.001, ge=0, le=1, description="radical hazard per step at full diversity")
        radical_rd: float = Field(0.05, ge=0, le=10, description="radical hazard per unit of R&D intensity at full diversity")
        radical_novelty: float = Field(0.05, ge=0, le=100, description="radical hazard per unit of novel input V (new knowledge in domains the firm was weak in, frontier = 1)")
        radical_size: float = Field(0.2, ge=0, le=10, description="explicit knowledge a radical innovation adds (x frontier)")
        research_rate: float = Field(0.005, ge=0, le=1, description="share of their gap to the frontier universities and institutes close per step")

    states = (State("K_start", per_domain=True, record=False,
                    description="scratch: T + E at the start of the step (bookkeeping.begin_step)"),
              State("innovation_new", per_domain=True, record=False,
                    description="smoothed newly received knowledge per domain (recombination input)"))

    def init(self, sim) -> None:
        self.stats = np.zeros((256, 4))
        a = sim.actors
        np.add(a.T, a.E, out=a.K_start)

    def step(self, sim) -> None:
        p, a, tech = self.pars, sim.actors, sim.tech
        u = sim.rng("innovation").random((a.n, 5))
        self.stats[:] = 0.0
        _innovate(a.kind, a.alive, a.rd, a.T, a.E, a.K_start, a.innovation_new, tech.frontier, u,
                  sim.t, float(tech.frontier.mean()), sim.scenario.knowledge.inflow_memory,
                  p.incremental_base, p.incremental_rd, p.incremental_diversity,
                  p.incremental_learning, p.novelty_weight, p.incremental_size, p.size_learning,
                  p.radical_base, p.radical_rd, p.radical_novelty, p.radical_size,
                  p.research_rate, a.innov_incremental, a.innov_radical, a.last_innovation,
                  self.stats)
        s = self.stats.sum(axis=0)
        st = sim.stats
        st["innovations_incremental"] += s[N_INC]
        st["innovations_radical"] += s[N_RAD]
        st["seci_combination"] += s[CREATED]

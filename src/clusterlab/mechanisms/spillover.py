"""Horizontal spillover without consent (docs/odd.md, 7.5; Wang 2013, horizontal learning).

Firms "compare, observe and imitate" same-stage firms nearby: geographic proximity lets
them observe the innovations of others "expediently and freely" (Wang 2013; Marshall's
knowledge "in the air"; Malmberg & Maskell 2002). Each step every firm observes one
same-stage firm drawn from those within `radius_km` and gains part of the gap in visible
(explicit, embodied in products) knowledge:

    dE_i[d] = rate * visibility * A_i * u(delta_ij, A_i) * max(0, E_j[d] - E_i[d])

with u the understandability of transfer, max(0, 1 - delta / (cognitive_scale * A_i))
(`knowledge.understandability`; changed in issue 10 from exp(-delta / (scale * A)), so
nothing is imitated beyond the cognitive reach; Nooteboom et al. 2007). Tacit knowledge is
not observable and does not spill over. The observation neighbourhood
(at most `max_observed` firms) is built with a spatial grid at the start and rebuilt when
firms have entered (`spatial.rebuild_due`: yearly in small models, by turnover in large
ones); entrants observe nobody until then; exited firms are skipped.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from ..params import Field, MechanismParams, MIN_KM, MAX_KM
from ..spatial import Grid, rebuild_due
from ..knowledge import add_inplace, origin_parts, understandability
from ..state import EXTERNAL, FOCAL, SME, SPILLOVER
from ..mechanism import Mechanism, State
from ..kernels import parallel_njit


@parallel_njit(cache=True)
def _spill(indptr, indices, pick, E, P, A, alive, rate, cog_scale, kind, ext, via, dE, inflow,
           inflow_ext, inflow_via, totals):
    n, D = E.shape
    n_chunks = totals.shape[0]
    size = (n + n_chunks - 1) // n_chunks
    for c in nb.prange(n_chunks):
        for i in range(c * size, min(n, (c + 1) * size)):
            lo, hi = indptr[i], indptr[i + 1]
            for d in range(D):
                dE[i, d] = 0.0
            if hi == lo or not alive[i]:
                continue
            j = indices[lo + min(int(pick[i] * (hi - lo)), hi - lo - 1)]
            if not alive[j]:
                continue
            dot = 0.0
            for d in range(D):
                dot += P[i, d] * P[j, d]
            r = rate * A[i] * understandability(1.0 - dot, A[i], cog_scale)
            got = 0.0
            for d in range(D):
                g = E[j, d] - E[i, d]
                if g > 0.0:
                    dE[i, d] = r * g
                    got += r * g
            inflow[i, SPILLOVER] += got
            fe, fv = origin_parts(kind[j], ext[j], via[j], FOCAL, EXTERNAL)
            inflow_ext[i] += got * fe
            inflow_via[i] += got * fv
            totals[c] += got


class Spillover(Mechanism):
    name = "spillover"

    class Params(MechanismParams):
        rate: float = Field(0.03, ge=0, le=1, description="share of an observed gap imitated per step")
        visibility: float = Field(0.5, ge=0, le=1, description="share of explicit knowledge visible in products")
        radius_km: float = Field(5.0, ge=MIN_KM, le=MAX_KM, description="observation radius (km)")
        max_observed: int = Field(16, ge=1, le=1000, description="most firms a firm keeps under observation")

    states = (State("spillover_dE", per_domain=True, record=False, description="scratch: explicit gain this step"),)

    def init(self, sim) -> None:
        self._observe(sim)
        self.totals = np.zeros(256)

    def _observe(self, sim) -> None:
        a, p = sim.actors, self.pars
        firm = (a.kind <= SME) & a.alive
        cls = np.where(firm, a.stage, -1).astype(np.int64)
        grid = Grid(a.x.astype(np.float64), a.y.astype(np.float64), cls, p.radius_km)
        self.indptr, self.indices = grid.within(a.x, a.y, cls, p.radius_km, p.max_observed,
                                                sim.rng("spillover"))
        self.built_t, self.built_n = sim.t, a.n

    def step(self, sim) -> None:
        a, p = sim.actors, self.pars
        known = len(self.indptr) - 1
        if known < a.n:  # entrants observe nobody until the lists are rebuilt
            if rebuild_due(sim, self.built_t, self.built_n):
                self._observe(sim)
            else:
                self.indptr = np.concatenate([self.indptr, np.full(a.n - known, self.indptr[-1])])
        scale = sim.scenario.knowledge.cognitive_scale
        pick = sim.rng("spillover").random(a.n)
        self.totals[:] = 0.0
        dE = a.spillover_dE
        _spill(self.indptr, self.indices, pick, a.E, sim.profiles(), a.absorptive, a.alive,
               p.rate * p.visibility, scale, a.kind, a.external_origin, a.via_focal, dE,
               a.inflow, a.inflow_external, a.inflow_via_focal, self.totals)
        add_inplace(a.E, dE)
        total = float(self.totals.sum())
        sim.stats["flow_spillover"] += total
        sim.stats["flow_explicit"] += total
        sim.stats["seci_combination"] += total

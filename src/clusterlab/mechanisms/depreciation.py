"""Depreciation: unused knowledge decays (docs/odd.md, 7.16; retentive capacity, Wang 2013 via
Van den Bosch et al. 2003; Argote 1999 on organisational forgetting).

A domain is "in use" in proportion to its share of the actor's knowledge: a domain holding
at least the average share 1/D counts as fully used. Per step

    K[i, d] *= 1 - rate * (1 - protection * min(1, D * share[i, d]))

for tacit and explicit knowledge with their own rates, so peripheral knowledge fades first.
External partners are outside the cluster and do not depreciate here.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from ..params import Field, MechanismParams
from ..state import EXTERNAL
from ..mechanism import Mechanism
from ..kernels import parallel_njit


@parallel_njit(cache=True)
def _decay(T, E, kind, alive, rate_t, rate_e, protect, totals):
    n, D = T.shape
    n_chunks = totals.shape[0]
    size = (n + n_chunks - 1) // n_chunks
    for c in nb.prange(n_chunks):
        lost = 0.0
        for i in range(c * size, min(n, (c + 1) * size)):
            if not alive[i] or kind[i] == EXTERNAL:
                continue
            tot = 0.0
            for d in range(D):
                tot += T[i, d] + E[i, d]
            if tot <= 0.0:
                continue
            for d in range(D):
                use = min(1.0, D * (T[i, d] + E[i, d]) / tot)
                keep = 1.0 - protect * use
                lt = T[i, d] * rate_t * keep
                le = E[i, d] * rate_e * keep
                T[i, d] -= lt
                E[i, d] -= le
                lost += lt + le
        totals[c] = lost


class Depreciation(Mechanism):
    name = "depreciation"
    records = {"knowledge_lost": "knowledge lost to depreciation this step"}

    class Params(MechanismParams):
        tacit_rate: float = Field(0.004, ge=0, le=1, description="decay of unused tacit knowledge per step")
        explicit_rate: float = Field(0.006, ge=0, le=1, description="decay of unused explicit knowledge per step")
        protection: float = Field(0.8, ge=0, le=1, description="share of the decay avoided in a fully used domain")

    def init(self, sim) -> None:
        self.totals = np.zeros(256)

    def step(self, sim) -> None:
        a, p = sim.actors, self.pars
        _decay(a.T, a.E, a.kind, a.alive, p.tacit_rate, p.explicit_rate, p.protection, self.totals)
        sim.stats["knowledge_lost"] += float(self.totals.sum())

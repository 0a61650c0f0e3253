"""SECI knowledge conversion inside each actor (Nonaka & Takeuchi 1995; Nonaka, Toyama &
Konno 2000; Wang & Wang 2012).

- Socialisation (tacit -> tacit between people) is the tacit channel of `transfer`.
- Externalisation codifies tacit knowledge not yet written down:  dE = ext * max(0, T - E).
- Combination recombines explicit knowledge: explicit knowledge received over ties and by
  spillover, and the explicit knowledge created by innovation (`innovation`).
- Internalisation turns explicit into tacit knowledge by learning by doing:  dT = int * max(0, E - T).

The four flows are recorded every step (columns seci_*): the SECI spiral is an output.
Both conversions close gaps, so they cannot inflate knowledge without bound. External
partners are outside the cluster's spiral and are not converted.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from ..params import Field, MechanismParams
from ..state import EXTERNAL
from ..mechanism import Mechanism


@nb.njit(parallel=True, cache=True)
def _convert(T, E, kind, alive, ext, intern, totals):
    n, D = T.shape
    n_chunks = totals.shape[0]
    size = (n + n_chunks - 1) // n_chunks
    for c in nb.prange(n_chunks):
        se = 0.0
        si = 0.0
        for i in range(c * size, min(n, (c + 1) * size)):
            if not alive[i] or kind[i] == EXTERNAL:
                continue
            for d in range(D):
                t = T[i, d]
                e = E[i, d]
                if t > e:
                    x = ext * (t - e)
                    E[i, d] = e + x
                    se += x
                elif e > t:
                    x = intern * (e - t)
                    T[i, d] = t + x
                    si += x
        totals[c, 0] = se
        totals[c, 1] = si


class Seci(Mechanism):
    name = "seci"

    class Params(MechanismParams):
        externalization: float = Field(0.01, ge=0, le=1, description="share of uncodified tacit knowledge codified per step")
        internalization: float = Field(0.02, ge=0, le=1, description="share of unpractised explicit knowledge internalised per step")

    def init(self, sim) -> None:
        self.totals = np.zeros((256, 2))

    def step(self, sim) -> None:
        a = sim.actors
        _convert(a.T, a.E, a.kind, a.alive, self.pars.externalization, self.pars.internalization, self.totals)
        s = self.totals.sum(axis=0)
        sim.stats["seci_externalization"] += s[0]
        sim.stats["seci_internalization"] += s[1]

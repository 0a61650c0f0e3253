"""SECI knowledge conversion inside each actor (Nonaka & Takeuchi 1995; Nonaka, Toyama &
Konno 2000; Wang & Wang 2012), conserving knowledge (docs/odd.md, 7.10).

- Socialisation (tacit -> tacit between people) is the tacit channel of `transfer`.
- Externalisation codifies tacit knowledge: it MOVES knowledge from T to E.
- Combination recombines explicit knowledge: explicit knowledge received over ties and by
  spillover, and the explicit knowledge created by innovation (`innovation`).
- Internalisation turns explicit into tacit knowledge by learning by doing: it MOVES
  knowledge from E to T.

Each actor relaxes, per domain, toward its codifiability target tau_i, the tacit share it
had at set-up (`knowledge.tacit_share` x its kind's factor; entrants: their share on
entry), so that the lever keeps its meaning (how much of the cluster's knowledge can be
codified at all; Polanyi 1966, Cowan & Foray 1997 on codifiability):

    K = T + E;  excess = T - tau K
    excess > 0:  x = externalization * excess;     T -= x;  E += (1 - conversion_loss) x
    excess < 0:  x = internalization * (-excess);  E -= x;  T += (1 - conversion_loss) x

T + E never grows (it falls by the conversion loss); conversion cannot create knowledge
(changed in issue 10: the former gap-closing rule kept both forms and inflated the stock
1.7-1.9x in 120 steps). The flows moved are recorded every step (columns seci_*): the SECI
spiral is an output. External partners are outside the cluster's spiral and are not
converted.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from ..params import Field, MechanismParams
from ..state import EXTERNAL
from ..mechanism import Mechanism, State
from ..kernels import parallel_njit


@parallel_njit(cache=True)
def _targets(T, E, target):
    """Entrants (target < 0) take their tacit share on entry (0.5 if they hold nothing)."""
    for i in nb.prange(T.shape[0]):
        if target[i] >= 0.0:
            continue
        t = 0.0
        k = 0.0
        for d in range(T.shape[1]):
            t += T[i, d]
            k += T[i, d] + E[i, d]
        target[i] = t / k if k > 0.0 else 0.5


@parallel_njit(cache=True)
def _convert(T, E, kind, alive, target, ext, intern, loss, totals):
    n, D = T.shape
    n_chunks = totals.shape[0]
    size = (n + n_chunks - 1) // n_chunks
    keep = 1.0 - loss
    for c in nb.prange(n_chunks):
        se = 0.0
        si = 0.0
        for i in range(c * size, min(n, (c + 1) * size)):
            if not alive[i] or kind[i] == EXTERNAL:
                continue
            tau = target[i]
            for d in range(D):
                t = T[i, d]
                e = E[i, d]
                excess = t - tau * (t + e)
                if excess > 0.0:
                    x = min(ext * excess, t)  # t + e is summed in float32: never more than there is
                    T[i, d] = t - x
                    E[i, d] = e + keep * x
                    se += x
                elif excess < 0.0:
                    x = min(-intern * excess, e)  # (a full internalisation rounded past e went below 0)
                    E[i, d] = e - x
                    T[i, d] = t + keep * x
                    si += x
        totals[c, 0] = se
        totals[c, 1] = si


class Seci(Mechanism):
    name = "seci"

    class Params(MechanismParams):
        externalization: float = Field(0.02, ge=0, le=1, description="share of the tacit excess over the codifiability target codified per step (moved from tacit to explicit)")
        internalization: float = Field(0.02, ge=0, le=1, description="share of the explicit excess over the codifiability target internalised per step (moved from explicit to tacit)")
        conversion_loss: float = Field(0.0, ge=0, le=1, description="share of converted knowledge lost in conversion")

    states = (State("seci_target", default=-1.0, record=False,
                    description="codifiability target: the tacit share the actor relaxes toward (its share at set-up or entry)"),)

    def init(self, sim) -> None:
        self.totals = np.zeros((256, 2))
        a = sim.actors
        a.seci_target[:] = -1.0
        _targets(a.T, a.E, a.seci_target)

    def step(self, sim) -> None:
        a, p = sim.actors, self.pars
        _targets(a.T, a.E, a.seci_target)
        _convert(a.T, a.E, a.kind, a.alive, a.seci_target, p.externalization, p.internalization,
                 p.conversion_loss, self.totals)
        s = self.totals.sum(axis=0)
        sim.stats["seci_externalization"] += s[0]
        sim.stats["seci_internalization"] += s[1]

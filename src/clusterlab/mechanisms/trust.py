"""Trust dynamics (docs/odd.md, 7.11; Wang 2013, "Inter-firms trustiness degree";
Kale, Singh & Perlmutter 2000; Dyer & Nobeoka 2000; Uzzi 1997).

Trust on a tie changes only when knowledge moved over it this step. With r the reciprocity
of the exchange, the lower of the two partners' willingness to give back (a free rider's
is low, so a free rider only takes), and relational capital rc = trust * min(1, age / age_years):

    d trust = gain * (1 - trust) * r  -  loss * trust * (1 - r) * (1 - relational_protection * rc)

Reciprocal exchange builds trust; one-sided taking erodes it; long, trusting relations
(relational capital) lower the damage of opportunism. Trust stays in [0, 1].
"""

from __future__ import annotations

import numba as nb

from ..params import Field, MechanismParams, MAX_YEARS
from ..mechanism import Mechanism
from ..kernels import parallel_njit


@parallel_njit(cache=True)
def _update(a, b, alive, moved, recip, born, now, trust, gain, loss, protect, age_steps):
    for t in nb.prange(len(a)):
        if not (alive[t] and moved[t]):
            continue
        r = min(recip[a[t]], recip[b[t]])
        th = trust[t]
        rc = th * min(1.0, (now - born[t]) / age_steps)
        th += gain * (1.0 - th) * r - loss * th * (1.0 - r) * (1.0 - protect * rc)
        trust[t] = min(1.0, max(0.0, th))


class Trust(Mechanism):
    name = "trust"

    class Params(MechanismParams):
        gain: float = Field(0.03, ge=0, le=1, description="trust gained per fully reciprocal exchange (share of distrust)")
        loss: float = Field(0.1, ge=0, le=1, description="trust lost per one-sided exchange (share of trust)")
        relational_protection: float = Field(0.5, ge=0, le=1, description="how much relational capital shields trust from opportunism")
        age_years: float = Field(5.0, ge=0.01, le=MAX_YEARS, description="tie age at which relational capital is full (years)")

    def step(self, sim) -> None:
        p, t, a = self.pars, sim.ties, sim.actors
        _update(t.a, t.b, t.alive, t.moved, a.reciprocity, t.born, sim.t,
                t.trust, p.gain, p.loss, p.relational_protection, p.age_years * sim.scenario.steps_per_year)

"""Absorptive capacity (Cohen & Levinthal 1990; Wang 2013, "Absorptive capability"; Andreeva n.d.).

A firm's ability to recognise, assimilate and apply outside knowledge rises with prior
related knowledge, R&D intensity and internal knowledge sharing (Van den Bosch et al. 2003,
"Frans et al." in Wang 2013). It scales every learning gain and widens the range of
cognitive distance a firm can learn across (see `transfer.understandability`):

    A_i = clip(base + w_rd * rd/(rd + rd_half) + w_k * k/(k + k_half) + w_s * sharing, a_min, 1)

with k the actor's mean knowledge per domain relative to the global frontier.
Switched off, every actor has the constant capacity `fixed`.
"""

from __future__ import annotations


from ..fast import clip
from ..params import Field, MechanismParams
from ..mechanism import Mechanism


class AbsorptiveCapacity(Mechanism):
    name = "absorptive_capacity"

    class Params(MechanismParams):
        base: float = Field(0.15, ge=0, le=1, description="capacity of an actor with no R&D, knowledge or sharing")
        rd_weight: float = Field(0.35, ge=0, le=1, description="weight of R&D intensity")
        rd_half: float = Field(0.05, ge=0.001, le=1, description="R&D intensity giving half the R&D effect")
        knowledge_weight: float = Field(0.35, ge=0, le=1, description="weight of prior knowledge")
        knowledge_half: float = Field(0.3, ge=0.001, le=10, description="mean knowledge (frontier = 1) giving half the knowledge effect")
        sharing_weight: float = Field(0.15, ge=0, le=1, description="weight of internal knowledge sharing")
        minimum: float = Field(0.05, ge=0.001, le=1, description="lowest capacity")
        fixed: float = Field(0.5, ge=0.001, le=1, description="everyone's capacity while the mechanism is off")

    def init(self, sim) -> None:
        (self.step if self.pars.enabled else self.off)(sim)

    def step(self, sim) -> None:
        p, a = self.pars, sim.actors
        k = sim.knowledge_level()
        cap = (p.base + p.rd_weight * a.rd / (a.rd + p.rd_half)
               + p.knowledge_weight * k / (k + p.knowledge_half) + p.sharing_weight * a.sharing)
        a.absorptive[:] = clip(cap, p.minimum, 1.0)

    def off(self, sim) -> None:
        sim.actors.absorptive[:] = self.pars.fixed

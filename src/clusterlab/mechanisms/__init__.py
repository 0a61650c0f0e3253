"""The mechanisms of one step, in the order they run (MODEL.md section 3).

The loop order is written here and only here:

1. absorptive_capacity  update each actor's capacity to learn
2. interaction          draw which ties are active (strength, buzz)
3. transfer             knowledge moves along active ties (tacit only over strong near ties)
4. spillover            firms imitate visible knowledge of nearby same-stage firms
5. seci                 externalisation and internalisation inside each actor
6. trust                trust follows reciprocity of this step's exchanges
7. innovation           incremental and radical innovation, research, frontier
8. depreciation         unused knowledge decays
(then the recorder writes the step's indicators)
"""

from ..params import Field, Params
from .absorptive_capacity import AbsorptiveCapacity
from .base import Mechanism
from .depreciation import Depreciation
from .innovation import Innovation
from .interaction import Interaction
from .seci import Seci
from .spillover import Spillover
from .transfer import Transfer
from .trust import Trust

MECHANISMS: tuple[type[Mechanism], ...] = (
    AbsorptiveCapacity, Interaction, Transfer, Spillover, Seci, Trust, Innovation, Depreciation,
)


class MechanismsConfig(Params):
    """One table per mechanism, each with `enabled` and its parameters."""

    absorptive_capacity: AbsorptiveCapacity.Params = Field(default_factory=AbsorptiveCapacity.Params)
    interaction: Interaction.Params = Field(default_factory=Interaction.Params)
    transfer: Transfer.Params = Field(default_factory=Transfer.Params)
    spillover: Spillover.Params = Field(default_factory=Spillover.Params)
    seci: Seci.Params = Field(default_factory=Seci.Params)
    trust: Trust.Params = Field(default_factory=Trust.Params)
    innovation: Innovation.Params = Field(default_factory=Innovation.Params)
    depreciation: Depreciation.Params = Field(default_factory=Depreciation.Params)


__all__ = ["MECHANISMS", "MechanismsConfig", "Mechanism", "AbsorptiveCapacity", "Interaction",
           "Transfer", "Spillover", "Seci", "Trust", "Innovation", "Depreciation"]

"""The mechanisms of one step, in the order they run (MODEL.md section 3).

The loop order is written here and only here. Scheduled events (policies, shocks) apply
first, at the start of the step; after the mechanisms the frontier is updated, the
knowledge-origin tracer folded in and the recorder writes the step's indicators.

 1. technology           the global frontier grows; externals follow it; shocks end
 2. absorptive_capacity  each actor's capacity to learn
 3. interaction          which ties are active this step (strength, buzz)
 4. transfer             knowledge moves along active ties (tacit only over strong near ties)
 5. spillover            firms imitate visible knowledge of nearby same-stage firms
 6. labour               workers move between nearby firms, carrying tacit knowledge
 7. focal_firms          focal firms train their suppliers
 8. projects             joint projects start, run and end (collective innovation)
 9. cluster_org          the cluster organisation brokers contacts, networks, informs
10. seci                 externalisation and internalisation inside each actor
11. trust                trust follows the reciprocity of this step's exchanges
12. network_evolution    ties form (closure, proximity, brokerage), strengthen, fade, dissolve
13. openness             firms adapt their openness; pipelines are kept or dropped
14. innovation           incremental and radical innovation, research
15. market               competitiveness, revenue, R&D budgets, exit and spin-off entry
16. depreciation         unused knowledge decays
"""

from ..params import Field, Params
from .absorptive_capacity import AbsorptiveCapacity
from .base import Mechanism
from .cluster_org import ClusterOrganisation
from .depreciation import Depreciation
from .focal_firms import FocalFirms
from .innovation import Innovation
from .interaction import Interaction
from .labour import Labour
from .market import Market
from .network_evolution import NetworkEvolution
from .openness import Openness
from .projects import Projects
from .seci import Seci
from .spillover import Spillover
from .technology import TechnologyRegime
from .transfer import Transfer
from .trust import Trust

MECHANISMS: tuple[type[Mechanism], ...] = (
    TechnologyRegime, AbsorptiveCapacity, Interaction, Transfer, Spillover, Labour, FocalFirms,
    Projects, ClusterOrganisation, Seci, Trust, NetworkEvolution, Openness, Innovation, Market,
    Depreciation,
)


class MechanismsConfig(Params):
    """One table per mechanism, each with `enabled` and its parameters."""

    technology: TechnologyRegime.Params = Field(default_factory=TechnologyRegime.Params)
    absorptive_capacity: AbsorptiveCapacity.Params = Field(default_factory=AbsorptiveCapacity.Params)
    interaction: Interaction.Params = Field(default_factory=Interaction.Params)
    transfer: Transfer.Params = Field(default_factory=Transfer.Params)
    spillover: Spillover.Params = Field(default_factory=Spillover.Params)
    labour: Labour.Params = Field(default_factory=Labour.Params)
    focal_firms: FocalFirms.Params = Field(default_factory=FocalFirms.Params)
    projects: Projects.Params = Field(default_factory=Projects.Params)
    cluster_org: ClusterOrganisation.Params = Field(default_factory=ClusterOrganisation.Params)
    seci: Seci.Params = Field(default_factory=Seci.Params)
    trust: Trust.Params = Field(default_factory=Trust.Params)
    network_evolution: NetworkEvolution.Params = Field(default_factory=NetworkEvolution.Params)
    openness: Openness.Params = Field(default_factory=Openness.Params)
    innovation: Innovation.Params = Field(default_factory=Innovation.Params)
    market: Market.Params = Field(default_factory=Market.Params)
    depreciation: Depreciation.Params = Field(default_factory=Depreciation.Params)


__all__ = ["MECHANISMS", "MechanismsConfig", "Mechanism"] + [m.__name__ for m in MECHANISMS]

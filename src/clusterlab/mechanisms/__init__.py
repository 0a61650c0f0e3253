"""The built-in mechanisms of one step, in the order they run (docs/odd.md, section 3).

The loop order is written here and only here. Scheduled events (policies, shocks) apply
first, at the start of the step; after the mechanisms comes the bookkeeping (frontier,
smoothed inflow, knowledge-origin tracer, `clusterlab.bookkeeping`) and the recorder writes
the step's indicators. `with_mechanisms` places a mechanism of your own in this loop.

 1. technology           the global frontier grows, relevance drifts; externals follow the frontier
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

from ..errors import MechanismError
from ..mechanism import Mechanism
from .absorptive_capacity import AbsorptiveCapacity
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


def with_mechanisms(*extra: type[Mechanism], base: tuple[type[Mechanism], ...] = MECHANISMS
                    ) -> tuple[type[Mechanism], ...]:
    """The loop `base` with each extra mechanism placed after the mechanism its `after`
    names (at the end when `after` is None); one of the same name replaces it in place."""
    loop = list(base)
    for cls in extra:
        names = [m.name for m in loop]
        if cls.name in names:
            loop[names.index(cls.name)] = cls
        elif cls.after is None:
            loop.append(cls)
        elif cls.after in names:
            loop.insert(names.index(cls.after) + 1, cls)
        else:
            raise MechanismError(f"mechanism {cls.name!r} goes after {cls.after!r}, which is not in the loop "
                             f"({', '.join(names)})")
    return tuple(loop)


__all__ = ["MECHANISMS", "Mechanism", "with_mechanisms"] + [m.__name__ for m in MECHANISMS]

"""clusterlab: knowledge sharing, interactive learning and collective innovation in SME clusters.

The public API in ten minutes:

    import clusterlab as cl
    sc = cl.default_scenario().set(steps=120, **{"mechanisms.trust.enabled": False})
    res = cl.run(sc)                  # or cl.Sim(sc).run()
    res.timeseries, res.actors        # pandas DataFrames
    sc = cl.load_scenario("my.toml", {"seed": 7})

A mechanism of your own: subclass `cl.Mechanism` (name, Params, records, states, step) and
pass it to the Sim: ``cl.Sim(sc, mechanisms=cl.with_mechanisms(Mine))``.
"""

from .errors import ClusterlabError, ClusterlabWarning, ScenarioError
from .mechanism import Mechanism, SimView, State
from .mechanisms import MECHANISMS, with_mechanisms
from .params import Field, MechanismParams
from .results import Results
from .scenario import Scenario, default_scenario, load_scenario, validate
from .sim import Sim, run

__version__ = "0.1.0"
__all__ = ["Sim", "run", "Scenario", "default_scenario", "load_scenario", "validate", "Results",
           "Mechanism", "MechanismParams", "Field", "State", "SimView", "MECHANISMS",
           "with_mechanisms", "ClusterlabError", "ClusterlabWarning", "ScenarioError", "__version__"]

"""clusterlab: knowledge sharing, interactive learning and collective innovation in SME clusters.

The public API in ten minutes:

    import clusterlab as cl
    sc = cl.default_scenario().set(steps=120, **{"mechanisms.trust.enabled": False})
    res = cl.run(sc)                  # or cl.Sim(sc).run()
    res.timeseries, res.actors        # pandas DataFrames
    sc = cl.load_scenario("my.toml", {"seed": 7})
"""

from .errors import ClusterlabError, ScenarioError
from .mechanisms import MECHANISMS, Mechanism
from .results import Results
from .scenario import Scenario, default_scenario, load_scenario, validate
from .sim import Sim, run

__version__ = "0.1.0"
__all__ = ["Sim", "run", "Scenario", "default_scenario", "load_scenario", "validate", "Results",
           "Mechanism", "MECHANISMS", "ClusterlabError", "ScenarioError", "__version__"]

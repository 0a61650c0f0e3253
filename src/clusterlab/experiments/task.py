"""One run of an experiment: what to run (`Task`) and running it (`run_task`).

A Task is plain data (a scenario dict, a seed inside it, metadata, the outcomes and the
names of extra mechanisms), so it pickles to any worker process or Dask worker; the
worker imports the mechanisms itself. `run_task` returns the run's tables; the runner
adds `run` and the meta columns and writes them to the store.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .outcomes import Outcomes


@dataclass(frozen=True)
class Task:
    key: str  # run_key(scenario, seed)
    scenario: dict  # fully resolved scenario dict (Scenario.model_dump(mode="json")), seed set
    meta: dict  # scalar columns of every row: arm, point, replication, seed (+ design keys)
    outcomes: Outcomes  # picklable
    mechanisms: tuple[str, ...] = ()  # "module:Class" or "/abs/FILE.py:Class" of extra mechanisms (() = built-in loop)


def mechanism_loop(specs) -> tuple | None:
    """The built-in loop with these mechanisms (`clusterlab.user_code`) placed in it (None: none given)."""
    if not specs:
        return None
    from ..mechanisms import with_mechanisms
    from ..user_code import load_mechanism

    return with_mechanisms(*(load_mechanism(s) for s in specs))


def run_task(task: Task) -> dict[str, pd.DataFrame]:
    """Run one task: validate its scenario, run it keeping the steps its outcomes read, and
    return {"outcomes": one row, "timeseries": rows at the kept steps}."""
    from ..scenario import validate
    from ..sim import Sim

    sc = validate(task.scenario, source=f"run {task.key}", mechanisms=mechanism_loop(task.mechanisms))
    sim = Sim(sc, keep=task.outcomes.record_steps(sc))  # costly indicators only where read
    return task.outcomes.extract(sim.run())


__all__ = ["Task", "run_task", "mechanism_loop"]

"""Experiments: many runs of a scenario (arms, designs, replications), issue 9.

- `spec.py`: an experiment (a base scenario, arms or a design, replications, outcomes,
  comparisons), read from TOML (`load_experiment`) or built in code (`Experiment.from_dict`);
  `exp.tasks()` lists its runs, with common random numbers across arms;
- `designs.py`: grid, points, Latin hypercube, Sobol and Morris designs over dotted keys;
- `outcomes.py`: what each run keeps (named scalar outcomes, a thinned time series);
- `task.py`: one run (`Task`) and running it (`run_task`);
- `store.py`: the resumable run store (one Parquet part per table per finished run, keyed
  by `run_key`, queried with DuckDB);
- `stats.py`: statistics of replicated comparisons (describe, paired with common random
  numbers, Holm adjustment, bands).
"""

from .outcomes import Outcomes
from .spec import Experiment, load_experiment
from .store import Store, run_key
from .task import Task, run_task

__all__ = ["Store", "run_key", "Experiment", "load_experiment", "Outcomes", "Task", "run_task"]

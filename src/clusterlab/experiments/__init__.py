"""Experiments: many runs of a scenario (arms, designs, replications), with statistics.

    import clusterlab.experiments as ex
    res = ex.run_experiment("org.toml", "runs/org", workers=2)
    res.outcomes, res.summary(), res.report()

What to run, running one, where it runs and what is kept are separate modules:
- `spec.py`: an experiment (a base scenario, arms or a design, replications, outcomes,
  comparisons), read from TOML (`load_experiment`) or built in code (`Experiment.from_dict`);
  `exp.tasks()` lists its runs, with common random numbers across arms;
- `designs.py`: grid, points, Latin hypercube, Sobol and Morris designs over dotted keys;
- `outcomes.py`: what each run keeps (named scalar outcomes, a thinned time series);
- `task.py`: one run (`Task`) and running it (`run_task`);
- `executors.py`, `runner.py`: where runs execute (serial, a process pool, Dask) and
  running the missing ones into the store (`run_tasks`);
- `store.py`: the resumable run store (one Parquet part per table per finished run, keyed
  by `run_key`, queried with DuckDB);
- `stats.py`, `summary.py`, `sensitivity.py`, `report.py`: statistics of replicated
  comparisons, the summary of a store, Sobol and Morris indices, figures and the HTML report;
- `results.py`: `run_experiment`, `open_results` and `ExperimentResults`, which join them.
"""

from .outcomes import Outcomes
from .results import ExperimentResults, open_results, run_experiment
from .runner import RunReport, run_tasks
from .spec import Experiment, load_experiment
from .store import Store, run_key
from .task import Task, run_task

__all__ = ["run_experiment", "open_results", "ExperimentResults", "Experiment", "load_experiment",
           "Outcomes", "Task", "run_task", "run_tasks", "RunReport", "Store", "run_key"]

"""An experiment run into its store, and its results: the few lines a notebook needs.

    import clusterlab.experiments as ex
    res = ex.run_experiment("org.toml", "runs/org", workers=2)   # or an Experiment
    res.outcomes            # DataFrame: one row per run (arm, replication, seed, outcomes)
    res.timeseries          # DataFrame: one row per run and kept step
    res.summary()           # arm means with CIs, paired comparisons, bands, sensitivity
    res.report()            # figures and a self-contained report.html in the store folder
    ex.open_results("runs/org")                                  # later, or elsewhere

What to run (`spec.Experiment`), running one (`task.run_task`), where it runs
(`executors`, through `runner.run_tasks`) and what is kept (`store.Store`) stay separate;
this module only joins them. Results are read from the store on disk (DuckDB over the
Parquet parts), never gathered in memory while the experiment runs, and only the runs of
the experiment as it now stands are read: runs of points an edited file no longer has stay
in the store (a later edit back reuses them) but are left out.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import ClusterlabError
from .runner import RunReport, run_tasks
from .spec import Experiment, load_experiment
from .store import Store


def layout(exp: Experiment) -> dict:
    """What the summary reads about an experiment (kept in the store as `layout.json`):
    kind, method, arm names, control, outcome names, time-series columns, comparisons,
    design keys, SALib problem, Morris levels, steps per year, and the current run keys."""
    tasks = exp.tasks()
    sc = exp.scenarios[0] if exp.scenarios else None
    return {
        "name": exp.name, "kind": exp.kind, "method": exp.method, "arms": list(exp.arms),
        "control": exp.control, "replications": exp.replications, "seed": exp.seed,
        "outcomes": {"values": exp.outcomes.names(), "timeseries": list(exp.outcomes.timeseries)},
        "comparisons": [dict(c) for c in exp.comparisons],
        "keys": [] if exp.points is None else [str(c) for c in exp.points.columns],
        "problem": exp.problem, "levels": exp.levels,
        "steps_per_year": None if sc is None else sc.steps_per_year,
        "runs": [t.key for t in tasks],
    }


def _save(store: Store, exp: Experiment) -> None:
    """Keep the experiment beside its runs: `experiment.json` (from which `Experiment.from_dict`
    rebuilds it, when its outcome functions can be re-imported) and `layout.json`."""
    try:
        doc = exp.to_dict()
    except ClusterlabError as exc:  # e.g. a lambda as outcome function: runs fine, cannot be stored
        doc = {"name": exp.name, "rebuildable": False, "why": str(exc)}
    store.save_json("experiment", doc)
    store.save_json("layout", layout(exp))


def run_experiment(experiment: Experiment | str | Path, out: str | Path, *, executor: str = "pool",
                   workers: int | None = None, address: str | None = None, progress=None,
                   retry_failed: bool = True) -> ExperimentResults:
    """Run what is missing of `experiment` (an Experiment or an experiment TOML file) into the
    store folder `out` (created; a folder that is not a store and not empty is refused).
    executor: "pool" (default; `workers` processes, default the usable cores), "serial", or
    "dask" (`address` of a scheduler, else a local cluster of `workers`). Killed and run
    again, it runs only what is missing; failed runs are retried. progress(done, failed, total)."""
    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    store = Store(out, name=exp.name)
    _save(store, exp)
    report = run_tasks(exp.tasks(), store, executor=executor, workers=workers, address=address,
                       progress=progress, retry_failed=retry_failed)
    return ExperimentResults(store, report)


def open_results(folder: str | Path) -> ExperimentResults:
    """The results of an experiment store folder written by `run_experiment` or the command
    line (ClusterlabError when the folder is not one)."""
    folder = Path(folder)
    if not (folder / "manifest.json").is_file():
        raise ClusterlabError(f"{folder}: not an experiment store (no manifest.json); "
                              f"give the --out folder of `clusterlab experiment`")
    return ExperimentResults(Store(folder))


class ExperimentResults:
    """The runs of an experiment in its store: tables read on demand (see the module)."""

    def __init__(self, store: Store, report: RunReport | None = None):
        self.store = store
        self.run_report = report
        self.layout = store.load_json("layout") or {}

    @property
    def folder(self) -> Path:
        return self.store.folder

    def _read(self, table: str, columns=None, where: str | None = None) -> pd.DataFrame:
        if table not in self.store.tables():
            return pd.DataFrame()
        import duckdb

        runs, given = self.layout.get("runs"), where
        con = self.store._connect()
        try:
            if runs is not None:
                con.register("current_runs", pd.DataFrame({"run": runs}))
                cond = "run IN (SELECT run FROM current_runs)"
                where = f"({where}) AND {cond}" if where else cond
            cols = ", ".join('"' + c.replace('"', '""') + '"' for c in columns) if columns else "*"
            sql = f"SELECT {cols} FROM {table}" + (f" WHERE {where}" if where else "")
            df = con.execute(sql).df()
        except duckdb.Error as exc:
            from .summary import sql_error

            raise ClusterlabError(sql_error(exc, given, self.store)) from None
        finally:
            con.close()
        order = [c for c in ("point", "replication", "step") if c in df.columns]
        return df.sort_values(order, kind="stable").reset_index(drop=True) if order else df

    @property
    def outcomes(self) -> pd.DataFrame:
        """One row per done run: run, arm, point, replication, seed (design keys), outcomes."""
        return self._read("outcomes")

    @property
    def timeseries(self) -> pd.DataFrame:
        """One row per done run and kept step."""
        return self._read("timeseries")

    def read(self, table: str, columns: list[str] | None = None, where: str | None = None) -> pd.DataFrame:
        """Rows of `table` ("outcomes" or "timeseries") of the current runs, with an SQL
        condition `where` on its columns, e.g. "arm = 'org' AND replication < 10"."""
        return self._read(table, columns, where)

    def failed(self) -> pd.DataFrame:
        """The runs that raised and are not done since: run, meta, error."""
        return self.store.failed()

    def query(self, sql: str) -> pd.DataFrame:
        """DuckDB SQL over the store: views `outcomes` and `timeseries` (all done runs)."""
        return self.store.query(sql)

    def summary(self, **options):
        """`summary.summarize(store, ...)`: arms, comparisons, bands, points, sensitivity."""
        from .summary import summarize

        return summarize(self.store, **options)

    def report(self, folder: str | Path | None = None, summary=None, overwrite: bool = False) -> Path:
        """Write figures and report.html (and the summary tables as CSV) to `folder`
        (default: `report/` in the store folder; README "Output folders": only files
        clusterlab wrote there are replaced); return the report's path."""
        from ..outdir import staged
        from .report import write_report

        s = summary if summary is not None else self.summary()
        target = Path(folder) if folder is not None else self.folder / "report"
        with staged(target, "experiment-report", overwrite) as tmp:  # the output-folder rule
            s.write(tmp)
            name = write_report(s, tmp).name
        return target / name

    def __repr__(self) -> str:
        lay = self.layout
        total = len(lay.get("runs") or [])
        done = len(set(self.store.keys()) & set(lay.get("runs") or []))
        return (f"ExperimentResults {lay.get('name', '?')!r} in {self.folder}: {done} of {total} runs done, "
                f"{len(self.failed())} failed; .outcomes, .timeseries, .summary(), .report()")


__all__ = ["run_experiment", "open_results", "ExperimentResults", "layout"]

"""Experiments: many runs of a scenario (arms, designs, replications), issue 9. So far two
leaf modules: the resumable run store (`store.py`: one Parquet part per table per finished
run, keyed by `run_key`, queried with DuckDB) and the statistics of replicated comparisons
(`stats.py`: describe, paired with common random numbers, Holm adjustment, bands)."""

from .store import Store, run_key

__all__ = ["Store", "run_key"]

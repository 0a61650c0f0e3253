"""Experiments: many runs of a scenario (arms, designs, replications). So far only the
resumable run store (`store.py`): one Parquet part per table per finished run, keyed by
`run_key`, queried with DuckDB."""

from .store import Store, run_key

__all__ = ["Store", "run_key"]

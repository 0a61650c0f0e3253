"""Run an experiment's tasks into its store: resumable, failure-tolerant, on any executor.

    report = run_tasks(exp.tasks(), Store("out/exp"), executor="pool", workers=2)

What a call does, in order:

1. `store.clean()`: remove temp files that killed writers left.
2. Drop duplicate keys (the first task of a key runs), then the keys already done (resume),
   and, with retry_failed=False, the keys recorded as failed. What is left runs.
3. Hand the tasks to the executor (`executors.py`). In the worker, `execute(task)` makes
   the run's tables and the worker writes them itself: ``store.write(key, tables, meta)``,
   parts first and the done marker last. Only a small status (key, ok, seconds, error text)
   comes back, so the main process never holds results and memory stays bounded.
4. A task that raises, or whose worker process dies, is recorded by the main process with
   ``store.fail(key, meta, text)`` (exception type and message, then the last traceback
   lines; or "worker process died (killed by SIGKILL)"), and the others go on. Failed runs
   are not done, so the next call retries them.
5. Ctrl-C (KeyboardInterrupt): no more tasks are handed out, pool workers are terminated,
   a Dask cluster closed, and the KeyboardInterrupt propagates. The store stays consistent
   whatever is cut short (see `store.py`): a run is done exactly when its marker exists, and
   a rerun runs the rest. The same holds after kill -9 of the main process.

Results do not depend on the executor or the number of workers: each run is seeded by its
scenario alone (tested bit for bit across serial, a 2-worker pool and a 2-worker Dask cluster).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ClusterlabError
from .executors import error_text, make_executor
from .store import MANIFEST, Store


@dataclass
class RunReport:
    """What one `run_tasks` call did. done: runs finished now; skipped: already done before
    (and duplicates, and failed keys with retry_failed=False); failed: runs that failed now;
    failures: (key, error text) of those; seconds: wall time of the call."""

    done: int = 0
    skipped: int = 0
    failed: int = 0
    seconds: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.done + self.skipped + self.failed


_STORES: dict[tuple[str, bool], Store] = {}


def _open(folder: str, durable: bool) -> Store:
    """The store at `folder`, opened once per worker process. Refuses a folder without a
    manifest rather than creating a new store there (a Dask worker on another machine
    without the shared file system would otherwise write where nobody looks)."""
    key = (folder, durable)
    if key not in _STORES:
        if not (Path(folder) / MANIFEST).is_file():
            import socket

            raise ClusterlabError(f"{folder}: no experiment store seen from host "
                                  f"{socket.gethostname()}; workers need the store's folder "
                                  f"on a shared file system")
        _STORES[key] = Store(folder, durable=durable)
    return _STORES[key]


def _default_execute(task):
    from .task import run_task

    return run_task(task)


class RunOne:
    """The job a worker runs per task: execute it, write its tables, return a small status
    (key, ok, seconds, error text or None). Picklable; opens the store in the worker."""

    def __init__(self, folder: str, durable: bool, execute: Callable | None):
        self.folder, self.durable, self.execute = folder, durable, execute

    def __call__(self, task) -> tuple[str, bool, float, str | None]:
        t0 = time.perf_counter()
        try:
            tables = (self.execute or _default_execute)(task)
            _open(self.folder, self.durable).write(task.key, tables, task.meta)
        except Exception as exc:
            return task.key, False, time.perf_counter() - t0, error_text(exc)
        return task.key, True, time.perf_counter() - t0, None


def _failed_keys(store: Store) -> set[str]:
    table = store.failed()
    return set(table["run"]) if len(table) else set()


def run_tasks(tasks: Iterable, store: Store, *, executor: str = "pool",
              workers: int | None = None, address: str | None = None,
              progress: Callable[[int, int, int], None] | None = None,
              retry_failed: bool = True,
              execute: Callable | None = None) -> RunReport:
    """Run the tasks not yet done in `store` (see the module) and return a RunReport.

    tasks: objects with `key` (the run key), `meta` (dict of scalars) and whatever `execute`
    reads (see `task.Task`). executor: "serial", "pool" (default) or "dask"; workers: pool or
    local Dask processes (default: the usable cores); address: a Dask scheduler to use
    instead of a local cluster. progress(done, failed, total) is called at the start and
    after each finished run, with total = the runs this call starts (for a progress bar).
    execute(task) -> {table: DataFrame}: default `task.run_task`; a picklable callable."""
    t0 = time.perf_counter()
    ex = make_executor(executor, workers, address)  # checks the options before any work
    store.clean()
    done_keys = set(store.keys())
    skip = done_keys if retry_failed else done_keys | _failed_keys(store)
    todo, seen, report = [], set(), RunReport()
    for task in tasks:
        if task.key in seen or task.key in skip:
            report.skipped += 1
        else:
            todo.append(task)
        seen.add(task.key)
    total = len(todo)
    if progress:
        progress(0, 0, total)
    if todo:
        job = RunOne(str(store.folder.resolve()), store.durable, execute)
        with ex:
            for task, ok, status in ex.map(job, iter(todo)):
                if ok and status[1]:
                    report.done += 1
                else:
                    text = status[3] if ok else status
                    store.fail(task.key, task.meta, text)
                    report.failed += 1
                    report.failures.append((task.key, text))
                if progress:
                    progress(report.done, report.failed, total)
    report.seconds = time.perf_counter() - t0
    return report

"""Where runs execute: in this process, on a local pool of worker processes, or on Dask.

An executor knows nothing of tasks, stores or simulations. It takes a picklable `job` (a
callable) and an iterable of items, calls ``job(item)`` somewhere, and yields
``(item, ok, value)`` as the calls finish (in any order): ok=True and the job's return
value, or ok=False and a one-paragraph error text when the call raised or its process died.
The job should return something small (a status): results travel back to this process.

    with make_executor("pool", workers=2) as ex:
        for item, ok, value in ex.map(job, items):
            ...

Items are drawn from the iterable lazily and at most a few per worker are in flight, so a
10,000-item run holds only those in memory (bounded memory). Job and items are pickled with
cloudpickle when it is installed (functions defined in a notebook or a script's `__main__`
then work), else with pickle.

- `Serial`: calls in this process, in order. A job's KeyboardInterrupt propagates.
- `Pool`: its own worker processes, each a fresh interpreter (`sys.executable -c ...`,
  this process's sys.path) talking over two pipes. Not fork: Python's default on Linux
  dies at once with "fork() called from a process already using GNU OpenMP" once numba's
  OpenMP layer is loaded. Not multiprocessing's spawn either: it re-imports the parent's
  main script in every worker, so a script without an `if __name__ == "__main__":` guard
  runs its experiment again in each worker (the classic process-pool pitfall); here the
  job arrives pickled (cloudpickle: notebook functions work) and nothing else is imported.
  Workers start with NUMBA_NUM_THREADS=1 and OMP_NUM_THREADS=1 when first needed and stay
  until the pool is closed, serving later maps of the same job (a new job gets new
  workers). Each runs one item at a
  time, so when a worker process dies (a segfault, the OOM killer, kill -9) the pool knows
  exactly which item it held: that item comes back ok=False ("worker process died ...") and
  a fresh worker takes its place; the other workers are not disturbed. (Python's
  ProcessPoolExecutor instead marks the whole pool broken and fails every pending future,
  see BrokenProcessPool in the concurrent.futures docs, and cannot say which call killed
  the worker.) Workers ignore SIGINT: on Ctrl-C the main process stops handing out items,
  terminates the workers and re-raises. A worker whose parent dies (kill -9 of the main
  process) exits once its current item is done.
- `Dask`: a `distributed.Client` on an existing scheduler (`address`) or a LocalCluster of
  `workers` single-threaded worker processes on 127.0.0.1 with no dashboard. A window of
  2 items per worker thread is in flight (recounted as workers join or leave). Each call
  sets numba to one thread first (numba's thread count is per calling thread; Dask runs
  tasks in its own threads and does not set it). A worker that dies is replaced by the
  nanny and Dask retries its task on another worker; after
  `distributed.scheduler.allowed-failures` deaths the item comes back ok=False
  (KilledWorker). Workers must see the same file system as this process. A LocalCluster
  started from a script needs the script's `if __name__ == "__main__":` guard (Dask
  starts its workers with multiprocessing's spawn); notebooks need nothing.

Sources: the multiprocessing docs ("Contexts and start methods", "Connection", "wait"); the
concurrent.futures docs (BrokenProcessPool); the distributed docs ("as_completed",
"LocalCluster", "KilledWorker"); EMA workbench's evaluators (serial, multiprocessing, ipyparallel
and MPI evaluators behind one interface) for the idea of a small executor interface.
"""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..errors import ClusterlabError

try:
    import cloudpickle as _pickler
except ImportError:  # pragma: no cover - cloudpickle comes with dask
    _pickler = pickle

EXECUTORS = ("serial", "pool", "dask")


def dumps(obj: Any) -> bytes:
    return _pickler.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)


def error_text(exc: BaseException, lines: int = 6) -> str:
    """`Type: message` then the last `lines` lines of the traceback (the frames nearest the
    error), for a failed-run record."""
    head = traceback.format_exception_only(type(exc), exc)[-1].strip()
    tb = "".join(traceback.format_tb(exc.__traceback__)).rstrip().splitlines()[-lines:]
    return head + ("\n" + "\n".join(tb) if tb else "")


def single_thread() -> None:
    """Run numba (and OpenMP libraries loaded from now on) on one thread in the calling
    thread: workers run one simulation each, side by side. clusterlab.runtime's defaults
    (idle OpenMP threads sleep) are applied on import of clusterlab."""
    os.environ["OMP_NUM_THREADS"] = "1"
    import numba

    if numba.get_num_threads() != 1:
        numba.set_num_threads(1)


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _positive(workers: int | None, what: str) -> int:
    if workers is None:
        return default_workers()
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ClusterlabError(f"{what}: workers must be a whole number >= 1, got {workers!r}")
    return workers


class Serial:
    """Calls the job in this process, one item after another."""

    workers = 1

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def map(self, job: Callable, items: Iterable) -> Iterator[tuple[Any, bool, Any]]:
        for item in items:
            try:
                value = job(item)
            except Exception as exc:
                yield item, False, error_text(exc)
            else:
                yield item, True, value


# -- the local pool ----------------------------------------------------------------------
# A worker is a fresh interpreter running this bootstrap: SIGINT ignored first, this
# process's sys.path, then `_serve` on the two pipe descriptors given as arguments.
_BOOT = ("import signal; signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
         "import json, os, sys; sys.path[:] = json.loads(os.environ.pop('CLUSTERLAB_SYS_PATH'))\n"
         "from clusterlab.experiments.executors import _serve; _serve()\n")


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(3)


def _serve() -> None:
    """A pool worker's loop (in the worker process): read the job, then per item answer
    (ok, value); an empty message or a closed pipe ends it."""
    from multiprocessing.connection import Connection

    inbox = Connection(int(sys.argv[1]), writable=False)
    outbox = Connection(int(sys.argv[2]), readable=False)
    threading.Thread(target=_watch_parent, args=(int(sys.argv[3]),), daemon=True).start()
    single_thread()
    try:
        job, broken = pickle.loads(inbox.recv_bytes()), None
    except (EOFError, OSError):
        return
    except Exception as exc:
        job, broken = None, "cannot load the job in a worker process: " + error_text(exc)
    while True:
        try:
            data = inbox.recv_bytes()
        except (EOFError, OSError):
            return
        if not data:
            return
        if broken:
            msg = (False, broken)
        else:
            try:
                msg = (True, job(pickle.loads(data)))
            except Exception as exc:
                msg = (False, error_text(exc))
        try:
            answer = dumps(msg)
        except Exception as exc:  # a value that cannot be pickled
            answer = dumps((False, error_text(exc)))
        outbox.send_bytes(answer)


def _death(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"worker process died (killed by {name})"
    return f"worker process died (exit code {code})"


class _Worker:
    """One worker process and its two pipes; it holds at most one item."""

    def __init__(self, job_bytes: bytes):
        from multiprocessing.connection import Connection

        down_r, down_w = os.pipe()
        up_r, up_w = os.pipe()
        env = {**os.environ, "NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
               "CLUSTERLAB_SYS_PATH": json.dumps(sys.path)}
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", _BOOT, str(down_r), str(up_w), str(os.getpid())],
                pass_fds=(down_r, up_w), env=env, stdin=subprocess.DEVNULL)
        except BaseException:
            for fd in (down_r, down_w, up_r, up_w):
                os.close(fd)
            raise
        finally:
            for fd in (down_r, up_w):
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.outbox = Connection(down_w, readable=False)
        self.inbox = Connection(up_r, writable=False)
        self.item = None
        self.busy = False
        self.outbox.send_bytes(job_bytes)  # the pipe buffers it while the worker starts

    def send(self, item) -> None:
        data = dumps(item)
        self.item, self.busy = item, True
        self.outbox.send_bytes(data)

    def stop(self, kill: bool) -> None:
        if not kill:
            try:
                self.outbox.send_bytes(b"")
                self.proc.wait(10)
            except (OSError, subprocess.TimeoutExpired):
                pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.outbox.close()
        self.inbox.close()


class Pool:
    """`workers` worker processes, one item each at a time (see the module)."""

    def __init__(self, workers: int | None = None):
        self.workers = _positive(workers, "pool")
        self._live: list[_Worker] = []
        self._job: bytes | None = None  # the job the live workers hold

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        self.close(kill=kind is not None)
        return False

    def close(self, kill: bool = False) -> None:
        """Stop the workers: ask them to finish (kill=False) or terminate them at once."""
        live, self._live = self._live, []
        for w in live:
            w.stop(kill or w.busy)

    def map(self, job: Callable, items: Iterable) -> Iterator[tuple[Any, bool, Any]]:
        from multiprocessing.connection import wait

        job_bytes = dumps(job)
        # idle workers of an earlier map with the same job serve this one (an estimator's
        # phases map the same job several times; a worker start imports clusterlab, about
        # 2-3 s); a different job, or a worker still busy from an abandoned map, needs new ones
        if job_bytes != self._job or any(w.busy for w in self._live):
            self.close()
        self._job = job_bytes
        items = iter(items)
        more = True
        try:
            while True:
                while more:  # an item to each idle worker; workers start when needed
                    w = next((w for w in self._live if not w.busy), None)
                    if w is None and len(self._live) >= self.workers:
                        break
                    item = next(items, _END)
                    if item is _END:
                        more = False
                        break
                    if w is None:
                        w = _Worker(job_bytes)
                        self._live.append(w)
                    try:
                        w.send(item)
                    except (OSError, EOFError):  # the worker is gone: found by wait
                        w.busy = True
                    except Exception as exc:  # an item that cannot be pickled
                        w.item, w.busy = None, False
                        yield item, False, "cannot send the item to a worker: " + error_text(exc)
                busy = [w for w in self._live if w.busy]
                if not busy:
                    return
                ready = set(wait([w.inbox for w in busy]))
                for w in busy:
                    if w.inbox in ready:
                        yield self._collect(w)
        except BaseException:
            self.close(kill=True)
            raise

    def _collect(self, w: _Worker):
        """The answer of worker `w`, or the death of its item (the worker is then replaced)."""
        item = w.item
        try:
            ok, value = pickle.loads(w.inbox.recv_bytes())
            w.item, w.busy = None, False
            return item, ok, value
        except (EOFError, OSError):  # the worker process is gone
            pass
        self._live.remove(w)
        try:
            code = w.proc.wait(5)
        except subprocess.TimeoutExpired:
            code = None
        w.stop(kill=True)
        return item, False, _death(w.proc.returncode if code is None else code)


_END = object()


# -- Dask ---------------------------------------------------------------------------------
_JOBS: dict[bytes, Callable] = {}


def _dask_call(job_bytes: bytes, item_bytes: bytes):
    """Run in a Dask worker thread: one numba thread, then the job (unpickled once per
    worker process)."""
    single_thread()
    job = _JOBS.get(job_bytes)
    if job is None:
        if len(_JOBS) > 8:
            _JOBS.clear()
        job = _JOBS[job_bytes] = pickle.loads(job_bytes)
    return job(pickle.loads(item_bytes))


# A local cluster's workers run long pure-Python-and-Numba calls: distributed's statistical
# profiler (a stack sample every 10 ms), GIL monitor and fast system monitor cost CPU that
# the runs need (measured: 30 runs of 120 steps on 2 workers, about 15% slower with them).
# A cluster of one's own (`address`) keeps its own settings.
QUIET_WORKERS = {"distributed.worker.profile.enabled": False,
                 "distributed.admin.system-monitor.gil.enabled": False,
                 "distributed.admin.system-monitor.interval": "5s",
                 "distributed.admin.tick.interval": "200ms"}


class Dask:
    """A Dask distributed client: on `address`, or on a local cluster of `workers`
    single-threaded processes bound to 127.0.0.1 (see the module)."""

    def __init__(self, workers: int | None = None, address: str | None = None,
                 window: int = 2):
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise ClusterlabError("the dask executor needs dask distributed: "
                                  "pip install 'clusterlab[dask]'") from None
        self.address = address
        self.workers = None if address else _positive(workers, "dask")
        self.window = window
        self.client = self.cluster = None

    def __enter__(self):
        from distributed import Client, LocalCluster

        if self.address:
            try:
                self.client = Client(self.address, timeout="30s")
            except (OSError, TimeoutError) as exc:
                raise ClusterlabError(f"dask scheduler {self.address}: cannot connect "
                                      f"({exc})") from None
        else:
            import dask

            with dask.config.set(QUIET_WORKERS):  # the workers take the config they start with
                self.cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1,
                                            processes=True, host="127.0.0.1",
                                            dashboard_address=None)
            self.client = Client(self.cluster)
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
        self.client = self.cluster = None

    def map(self, job: Callable, items: Iterable) -> Iterator[tuple[Any, bool, Any]]:
        from distributed import as_completed

        client = self.client
        checked = [0.0, 1]

        def limit() -> int:
            """Items in flight: `window` per worker thread, the threads counted again at most
            once a second (workers of an HPC cluster join while it runs)."""
            if time.monotonic() - checked[0] > 1.0:
                checked[:] = [time.monotonic(), max(1, sum(client.nthreads().values()))]
            return self.window * checked[1]
        job_bytes = dumps(job)
        items = iter(items)
        flight: dict = {}
        done = as_completed()

        unsent: list = []

        def submit() -> bool:
            item = next(items, _END)
            if item is _END:
                return False
            try:
                data = dumps(item)
            except Exception as exc:  # an item that cannot be pickled
                unsent.append((item, False, "cannot send the item to a worker: " + error_text(exc)))
                return True
            fut = client.submit(_dask_call, job_bytes, data, pure=False)
            flight[fut.key] = item
            done.add(fut)
            return True

        def fill() -> Iterator:
            """Submit up to the window; yield the items that could not be sent."""
            while len(flight) < limit() and submit():
                pass
            yield from unsent
            unsent.clear()

        try:
            yield from fill()
            for fut in done:
                item = flight.pop(fut.key)
                try:
                    ok, value = True, fut.result()
                except Exception as exc:
                    ok, value = False, error_text(exc)
                fut.release()
                yield item, ok, value
                yield from fill()
        finally:
            for key in list(flight):
                flight.pop(key)
            done.clear()


def make_executor(name: str = "pool", workers: int | None = None,
                  address: str | None = None):
    """The executor `name` ("serial", "pool" or "dask"); `address` is for dask only."""
    if name not in EXECUTORS:
        from ..scenario import did_you_mean

        raise ClusterlabError(f"executor {name!r}: expected one of {', '.join(EXECUTORS)}"
                              f"{did_you_mean(name, EXECUTORS)}")
    if address and name != "dask":
        raise ClusterlabError(f"executor {name!r}: an address is for the dask executor only")
    if name == "serial":
        return Serial()
    if name == "pool":
        return Pool(workers)
    return Dask(workers, address)

"""The runner and its executors: identical stores whatever runs them, resume, failures
recorded and retried, a worker killed with SIGKILL, the main process killed with SIGKILL.

The tasks here are stand-ins for `task.Task` (same fields) run by a local `execute`, so
these tests check the runner alone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import cloudpickle
import pandas as pd
import pyarrow.parquet as pq
import pytest

import clusterlab as cl
from clusterlab import ClusterlabError
from clusterlab.experiments import Store, run_key
from clusterlab.experiments.executors import Pool, Serial, make_executor
from clusterlab.experiments.runner import run_tasks

# pytest imports test modules by path (--import-mode=importlib), so worker processes could
# not import this one: ship its functions and classes by value
cloudpickle.register_pickle_by_value(sys.modules[__name__])

SRC = str(Path(cl.__file__).parents[1])


class Outcomes:
    """A tiny picklable outcomes object: two scalars and two kept columns."""

    def record_steps(self, scenario):
        return None

    def extract(self, res) -> dict[str, pd.DataFrame]:
        ts = res.timeseries
        return {"outcomes": pd.DataFrame({"knowledge_mean": [float(ts["knowledge_mean"].iat[-1])],
                                          "ties": [float(ts["ties"].iat[-1])]}),
                "timeseries": ts[["step", "knowledge_mean", "frontier_gap"]].copy()}


@dataclass(frozen=True)
class Task:
    key: str
    scenario: dict
    meta: dict
    outcomes: Outcomes = field(default_factory=Outcomes)
    mechanisms: tuple[str, ...] = ()


def tasks(n: int, arms=("a", "b")) -> list[Task]:
    out = []
    for arm in arms:
        base = cl.default_scenario().set(**{"population.firms": 30, "steps": 12,
                                            "network.tie_km": 5.0 if arm == "a" else 9.0})
        for r in range(n):
            sc = base.set(seed=100 + r).model_dump(mode="json")
            out.append(Task(run_key(sc, 100 + r), sc,
                            {"arm": arm, "replication": r, "seed": 100 + r}))
    return out


def execute(task) -> dict[str, pd.DataFrame]:
    res = cl.Sim(cl.validate(task.scenario)).run()
    return task.outcomes.extract(res)


class Faulty:
    """execute, except for the task keys in `bad`: they raise, or kill their own process
    with SIGKILL (how="kill"), as long as `marker` does not exist; each creates it first, so
    a fault happens once per marker."""

    def __init__(self, bad, marker, how="raise"):
        self.bad, self.marker, self.how = set(bad), str(marker), how

    def __call__(self, task):
        if task.key in self.bad and not os.path.exists(self.marker):
            Path(self.marker).touch()
            if self.how == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            raise RuntimeError(f"planned failure of {task.meta['arm']}/{task.meta['replication']}")
        return execute(task)


class Held:
    """execute, then the runs from replication `first` on keep their worker busy for up to
    `seconds` more before returning: they are still in progress when the test interrupts
    after `first` runs are done, however slowly the machine runs."""

    def __init__(self, first=2, seconds=60.0):
        self.first, self.seconds = first, seconds

    def __call__(self, task):
        out = execute(task)
        if task.meta["replication"] >= self.first:
            time.sleep(self.seconds)
        return out


def contents(store: Store) -> dict:
    """Every done run's parts, read back per table and key."""
    out = {}
    for table in store.tables():
        for f in store.files(table):
            out[table, Path(f).stem] = pq.read_table(f).to_pandas()
    return out


def assert_once(store: Store, keys) -> None:
    """Every key done exactly once, readable, nothing else; no temp files left."""
    assert sorted(store.keys()) == sorted(set(keys))
    n = store.query("SELECT run, count(*) AS n FROM outcomes GROUP BY run")
    assert sorted(n["run"]) == sorted(set(keys)) and (n["n"] == 1).all()
    assert store.failed().empty
    assert not [p for p in store.folder.rglob("*") if ".tmp-" in p.name]


def test_same_store_whatever_the_executor(tmp_path):
    ts = tasks(3)
    stores = {}
    for name, workers in [("serial", None), ("pool", 2), ("dask", 2)]:
        st = Store(tmp_path / name, durable=False)
        seen = []
        rep = run_tasks(ts, st, executor=name, workers=workers, execute=execute,
                        progress=lambda *a, seen=seen: seen.append(a))
        assert (rep.done, rep.skipped, rep.failed) == (6, 0, 0), (name, rep)
        assert seen[0] == (0, 0, 6) and seen[-1] == (6, 0, 6)
        stores[name] = contents(st)
    serial = stores.pop("serial")
    assert len(serial) == 12
    for name, got in stores.items():
        assert got.keys() == serial.keys(), name
        for k, df in serial.items():
            pd.testing.assert_frame_equal(got[k], df, check_exact=True, obj=f"{name} {k}")
    # the arms differ and replications differ: the comparison above can fail
    o = {k[1]: df for k, df in serial.items() if k[0] == "outcomes"}
    assert len({float(df["knowledge_mean"].iat[0]) for df in o.values()}) == 6


def test_resume_duplicates_and_retry(tmp_path):
    ts = tasks(2)
    st = Store(tmp_path / "s", durable=False)
    bad = ts[1].key
    rep = run_tasks(ts + ts[:2], st, executor="serial",
                    execute=Faulty([bad], tmp_path / "once"))
    assert (rep.done, rep.skipped, rep.failed) == (3, 2, 1)
    assert rep.failures[0][0] == bad and "RuntimeError: planned failure of a/1" in rep.failures[0][1]
    failed = st.failed()
    assert list(failed["run"]) == [bad] and failed["arm"].iat[0] == "a"
    assert "RuntimeError: planned failure" in failed["error"].iat[0]
    assert "in __call__" in failed["error"].iat[0]  # the last traceback lines
    # retry_failed=False leaves it; the next call retries it and runs nothing else
    rep = run_tasks(ts, st, executor="serial", execute=execute, retry_failed=False)
    assert (rep.done, rep.skipped, rep.failed) == (0, 4, 0)
    rep = run_tasks(ts, st, executor="serial", execute=execute)
    assert (rep.done, rep.skipped, rep.failed) == (1, 3, 0)
    rep = run_tasks(ts, st, executor="pool", workers=2, execute=execute)
    assert (rep.done, rep.skipped, rep.failed) == (0, 4, 0)
    assert_once(st, [t.key for t in ts])


def test_pool_failure_and_worker_killed(tmp_path):
    """One task raises, one kills its worker process with SIGKILL: both are recorded, the
    other tasks finish, and the rerun completes both without duplicates."""
    ts = tasks(3)
    st = Store(tmp_path / "s", durable=False)
    raise_, kill = ts[1].key, ts[4].key

    class Both:
        def __call__(self, task):
            if task.key == kill:
                return Faulty([kill], tmp_path / "killed", "kill")(task)
            return Faulty([raise_], tmp_path / "raised")(task)

    t0 = time.perf_counter()
    rep = run_tasks(ts, st, executor="pool", workers=2, execute=Both())
    assert time.perf_counter() - t0 < 120
    assert (rep.done, rep.failed) == (4, 2), rep
    errors = dict(rep.failures)
    assert errors[kill] == "worker process died (killed by SIGKILL)"
    assert errors[raise_].startswith("RuntimeError: planned failure")
    assert sorted(st.failed()["run"]) == sorted([raise_, kill])
    rep = run_tasks(ts, st, executor="pool", workers=2, execute=Both())
    assert (rep.done, rep.skipped, rep.failed) == (2, 4, 0)
    assert_once(st, [t.key for t in ts])


# A user's script as written in haste: no `if __name__ == "__main__":` guard, and the
# function the workers run defined in the script itself (multiprocessing's spawn would run
# the whole script again in each worker).
MAIN = r"""
import faulthandler, signal, sys, cloudpickle
faulthandler.register(signal.SIGUSR1)  # the test asks for the stacks when the process hangs
# Ctrl-C as at a terminal: a shell that starts pytest in the background (`make test &`) starts
# it with SIGINT ignored, which every child inherits, and Python then leaves it ignored
signal.signal(signal.SIGINT, signal.default_int_handler)
from clusterlab.experiments import Store
from clusterlab.experiments.runner import run_tasks
folder, executor, blob = sys.argv[1], sys.argv[2], sys.argv[3]
with open(blob, "rb") as f:
    ts, inner = cloudpickle.load(f)
def execute(task):
    return inner(task)
rep = run_tasks(ts, Store(folder), executor=executor, workers=2, execute=execute)
print(rep.done, rep.failed)
"""


def script(tmp_path, executor: str, blob) -> list[str]:
    main = tmp_path / "main.py"
    main.write_text(MAIN)
    return [sys.executable, str(main), str(tmp_path / "s"), executor, str(blob)]


@pytest.mark.parametrize("executor", ["serial", "pool"])
def test_main_process_killed(tmp_path, executor):
    """kill -9 of the main process once some runs are done: the rerun does the rest, each
    run once, the store readable, no temp files left."""
    ts = tasks(6, arms=("a",))
    blob = tmp_path / "tasks.pkl"
    blob.write_bytes(cloudpickle.dumps((ts, execute)))
    folder = tmp_path / "s"
    cmd = script(tmp_path, executor, blob)
    env = {**os.environ, "PYTHONPATH": SRC}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if len(list((folder / "done").glob("*.json"))) >= 2:
            break
        time.sleep(0.02)
    assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    st = Store(folder)
    before = len(st.keys())
    assert 2 <= before < 6
    time.sleep(1.5)  # orphaned pool workers notice their parent is gone and exit
    rep = run_tasks(ts, st, executor=executor, workers=2, execute=execute)
    assert rep.failed == 0 and rep.done + rep.skipped == 6 and rep.skipped >= before
    st.clean()
    assert_once(st, [t.key for t in ts])


def test_pool_interrupt_stops_workers(tmp_path, monkeypatch):
    """KeyboardInterrupt while a pool runs: workers are terminated, the error propagates,
    the store stays consistent and a rerun completes it."""
    ts = tasks(3)
    st = Store(tmp_path / "s", durable=False)
    procs = []

    def progress(done, failed, total):
        if done == 1:
            ex_workers = [w.proc for w in pool._live]
            procs.extend(ex_workers)
            raise KeyboardInterrupt

    pool = Pool(2)
    monkeypatch.setattr("clusterlab.experiments.runner.make_executor", lambda *a: pool)
    with pytest.raises(KeyboardInterrupt):
        run_tasks(ts, st, executor="pool", workers=2, execute=execute, progress=progress)
    monkeypatch.undo()
    assert procs and all(p.poll() is not None for p in procs)
    assert 1 <= len(st.keys()) < 6
    rep = run_tasks(ts, st, executor="serial", execute=execute)
    assert rep.failed == 0
    assert_once(st, [t.key for t in ts])


def test_executors_alone():
    double = lambda x: 2 * x  # noqa: E731  (a lambda: pickled by value)
    with Serial() as ex:
        assert sorted(v for _, _, v in ex.map(double, range(4))) == [0, 2, 4, 6]
    with Pool(2) as ex:
        got = list(ex.map(lambda x: 1 // x, [1, 0, 2]))
    assert sorted((i, ok) for i, ok, _ in got) == [(0, False), (1, True), (2, True)]
    assert next(v for i, _, v in got if i == 0).startswith("ZeroDivisionError")
    lock = threading.Lock()  # cannot be pickled: that item fails, the others run
    for ex in (Pool(1), make_executor("dask", 1)):
        with ex:
            got = list(ex.map(double, [1, lock, 2]))
        assert sorted(v for _, ok, v in got if ok) == [2, 4]
        assert next(v for _, ok, v in got if not ok).startswith("cannot send the item to a worker")


def test_pool_workers_serve_later_maps_of_the_same_job():
    """A pool keeps its workers between maps of one job (an estimator maps its simulation
    once per phase) and starts new ones for another job; closing it ends them."""
    pid = lambda x: os.getpid()  # noqa: E731
    other = lambda x: (os.getpid(), x)  # noqa: E731
    with Pool(2) as ex:
        first = {v for _, _, v in ex.map(pid, range(6))}
        again = {v for _, _, v in ex.map(pid, range(6))}
        procs = [w.proc for w in ex._live]
        assert again <= first and os.getpid() not in first
        assert {v[0] for _, _, v in ex.map(other, range(4))}.isdisjoint(first)
        assert all(p.poll() is not None for p in procs)   # the first job's workers were stopped
        live = [w.proc for w in ex._live]
    assert live and all(p.poll() is not None for p in live)


def test_bad_options(tmp_path):
    with pytest.raises(ClusterlabError, match="did you mean 'pool'"):
        make_executor("pools")
    with pytest.raises(ClusterlabError, match="workers must be a whole number"):
        make_executor("pool", workers=0)
    with pytest.raises(ClusterlabError, match="address is for the dask executor only"):
        run_tasks([], Store(tmp_path / "s"), executor="pool", address="tcp://127.0.0.1:1")


def test_ctrl_c_on_the_process_group(tmp_path):
    """Ctrl-C at a terminal: SIGINT to the whole process group, the pool workers included.
    The main process stops with KeyboardInterrupt, no worker outlives it, the rerun completes.
    The runs after the first two hold their workers (Held), so the signal always arrives
    while the pool is busy: on a loaded machine the last four runs could otherwise finish
    (exit 0) between the second run's file and the signal."""
    ts = tasks(6, arms=("a",))
    blob = tmp_path / "tasks.pkl"
    blob.write_bytes(cloudpickle.dumps((ts, Held(first=2))))
    folder = tmp_path / "s"
    cmd = script(tmp_path, "pool", blob)
    proc = subprocess.Popen(cmd, env={**os.environ, "PYTHONPATH": SRC}, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None and \
            len(list((folder / "done").glob("*.json"))) < 2:
        time.sleep(0.02)
    assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
    os.killpg(proc.pid, signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:  # say what still runs and where the main process is
        procs = subprocess.run(["ps", "-o", "pid,ppid,stat,etime,args", "-g", str(proc.pid)],
                               capture_output=True, text=True).stdout
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGUSR1)
            time.sleep(2)
        os.killpg(proc.pid, signal.SIGKILL)
        _, err = proc.communicate(timeout=30)
        pytest.fail(f"still running 60 s after SIGINT:\n{procs}\nstderr:\n{err.decode()[-6000:]}")
    assert proc.returncode != 0 and b"KeyboardInterrupt" in err
    for _ in range(100):  # every process of the group is gone
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail("a worker process outlived the interrupted run")
    st = Store(folder)
    rep = run_tasks(ts, st, executor="serial", execute=execute)
    assert rep.failed == 0
    assert_once(st, [t.key for t in ts])


def test_dask_worker_killed(tmp_path):
    """A task that kills its Dask worker once: the nanny restarts the worker, Dask runs the
    task again elsewhere, and the run completes with every key done once."""
    ts = tasks(2)
    st = Store(tmp_path / "s", durable=False)
    rep = run_tasks(ts, st, executor="dask", workers=2,
                    execute=Faulty([ts[2].key], tmp_path / "killed", "kill"))
    assert (tmp_path / "killed").exists()
    assert (rep.done, rep.failed) == (4, 0), rep
    assert_once(st, [t.key for t in ts])

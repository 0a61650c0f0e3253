"""Runs per second of the experiment runner: serial, a pool of 1 and of 2 workers, a local
Dask cluster of 2 workers, against bare runs in this process.

    python benchmarks/experiments.py                 # 200 default runs (240 steps) each way
    python benchmarks/experiments.py --runs 50
    python benchmarks/experiments.py --quick         # a smoke run: 8 small runs
    python benchmarks/experiments.py --only pool-dask   # the Dask overhead alone

The tasks are replications of the default scenario (seeds 1..runs), built by
`Experiment.from_dict` and run by `task.run_task` (kept steps only: see `Sim(keep=...)`). Each executor writes a fresh
store in a temp folder (durable, as in real use). One warm-up run first loads numba's cache.

Reported (JSON and a table):
- bare `cl.run`: seconds per run in this process, nothing stored;
- bare execute: the task's execute in this process, nothing stored;
- per executor: wall seconds (worker start-up included), runs/s, steady runs/s (from the
  first finished run to the last: start-up excluded), and the overhead per run in ms:
  wall x workers / runs - bare execute seconds per run;
- speedup: pool-1 wall / pool-2 wall (target >= 1.8 on 2 quiet cores);
- runner overhead: serial runner per run / bare execute per run - 1 (target < 5%), and
  against bare `cl.run`;
- Dask overhead per run in ms, against the 2-worker pool's steady rate and against bare
  execute (target < 50 ms).
Run it on a quiet machine: the timings of a shared one say little.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time

import clusterlab as cl
from clusterlab.experiments import Experiment, Store, run_task
from clusterlab.experiments.runner import run_tasks


def make_tasks(runs: int, changes: dict):
    """(tasks, execute, source): replications of the default scenario, run by `run_task`."""
    exp = Experiment.from_dict({"name": "bench", "replications": runs, "seed": 1,
                                "set": changes, "arms": [{"name": "default"}]})
    return exp.tasks(), run_task, "experiments.task.run_task"


def timed(tasks, executor: str, workers: int, execute) -> dict:
    stamps = []
    with tempfile.TemporaryDirectory(prefix="clusterlab-bench-") as folder:
        t0 = time.perf_counter()
        rep = run_tasks(tasks, Store(folder), executor=executor, workers=workers,
                        execute=execute, progress=lambda d, f, n: stamps.append(time.perf_counter()))
        wall = time.perf_counter() - t0
    if rep.failed:
        sys.exit(f"{executor}: {rep.failed} runs failed, first: {rep.failures[0][1]}")
    done = stamps[1:]  # stamps[0]: the start call
    steady = (len(done) - 1) / (done[-1] - done[0]) if len(done) > 1 and done[-1] > done[0] else None
    return {"executor": executor, "workers": workers, "wall_s": wall, "runs_per_s": len(tasks) / wall,
            "steady_runs_per_s": steady}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--quick", action="store_true", help="8 runs of 60 firms, 24 steps")
    ap.add_argument("--no-dask", action="store_true")
    ap.add_argument("--only", choices=["pool-dask"], help="time only a 2-worker pool and a 2-worker Dask cluster")
    args = ap.parse_args(argv)
    changes = {"population.firms": 60, "steps": 24} if args.quick else {}
    runs = 8 if args.quick else args.runs
    tasks, execute, source = make_tasks(runs, changes)
    execute(tasks[0])  # warm-up: numba's cache
    if args.only:
        rows = [timed(tasks, "pool", 2, execute), timed(tasks, "dask", 2, execute)]
        p, d = rows
        gap = 1000 * 2 * (1 / d["steady_runs_per_s"] - 1 / p["steady_runs_per_s"])
        for r in rows:
            print(f"{r['executor']:<6} 2 workers: wall {r['wall_s']:.2f} s, steady {r['steady_runs_per_s']:.3f} runs/s")
        print(f"dask overhead vs the pool (steady): {gap:.1f} ms/run (target < 50 ms)")
        return {"runs": runs, "executors": rows, "dask_vs_pool_ms_per_run": gap}

    t0 = time.perf_counter()
    for t in tasks:
        cl.run(cl.validate(t.scenario))
    bare_run = (time.perf_counter() - t0) / runs
    t0 = time.perf_counter()
    for t in tasks:
        execute(t)
    bare = (time.perf_counter() - t0) / runs

    rows = [timed(tasks, "serial", 1, execute), timed(tasks, "pool", 1, execute),
            timed(tasks, "pool", 2, execute)]
    if not args.no_dask:
        rows.append(timed(tasks, "dask", 2, execute))
    for r in rows:
        r["overhead_ms_per_run"] = 1000 * (r["wall_s"] * r["workers"] / runs - bare)
    by = {(r["executor"], r["workers"]): r for r in rows}
    serial = by["serial", 1]["wall_s"] / runs
    out = {"runs": runs, "changes": changes, "execute": source,
           "bare_cl_run_s": bare_run, "bare_execute_s": bare, "executors": rows,
           "speedup_2_vs_1": by["pool", 1]["wall_s"] / by["pool", 2]["wall_s"],
           "runner_overhead_vs_execute": serial / bare - 1,
           "runner_overhead_vs_cl_run": serial / bare_run - 1}
    if ("dask", 2) in by:
        d, p = by["dask", 2], by["pool", 2]
        out["dask_overhead_ms_per_run"] = d["overhead_ms_per_run"]
        if d["steady_runs_per_s"] and p["steady_runs_per_s"]:
            out["dask_vs_pool_ms_per_run"] = 1000 * 2 * (1 / d["steady_runs_per_s"] - 1 / p["steady_runs_per_s"])

    print(f"{runs} runs {changes or '(default scenario)'}; execute: {source}")
    print(f"bare cl.run {bare_run:.3f} s/run, bare execute {bare:.3f} s/run")
    print(f"{'executor':<8} {'workers':>7} {'wall s':>8} {'runs/s':>7} {'steady':>7} {'overhead ms/run':>16}")
    for r in rows:
        steady = f"{r['steady_runs_per_s']:.2f}" if r["steady_runs_per_s"] else "-"
        print(f"{r['executor']:<8} {r['workers']:>7} {r['wall_s']:>8.2f} {r['runs_per_s']:>7.2f} "
              f"{steady:>7} {r['overhead_ms_per_run']:>16.1f}")
    print(f"speedup 2 vs 1 worker: {out['speedup_2_vs_1']:.2f}x (target >= 1.8)")
    print(f"runner overhead: {100 * out['runner_overhead_vs_execute']:+.1f}% vs bare execute, "
          f"{100 * out['runner_overhead_vs_cl_run']:+.1f}% vs bare cl.run (target < 5%)")
    if "dask_overhead_ms_per_run" in out:
        extra = out.get("dask_vs_pool_ms_per_run")
        print(f"dask overhead: {out['dask_overhead_ms_per_run']:.1f} ms/run vs bare execute"
              + (f", {extra:.1f} ms/run vs the pool (steady)" if extra is not None else "")
              + " (target < 50 ms)")
    print(json.dumps(out, indent=1))
    return out


if __name__ == "__main__":
    main()

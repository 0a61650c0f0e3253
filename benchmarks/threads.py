"""Seconds per step with 1 thread, 2 threads and clusterlab's default, quiet and loaded.

    python benchmarks/threads.py                                  # 1k, 10k, 100k, 1M actors
    python benchmarks/threads.py --actors 10000 --rounds 5
    python benchmarks/threads.py --before /tmp/main/src           # also the code before, as is

Each configuration runs in a fresh process (the OpenMP runtime reads its settings when it
loads), builds the model of `benchmarks/scale.py`, takes one warm-up step (compile or load
the cached kernels) and times the steps after it. "1 thread" and "2 threads" fix numba's
thread count for every step (NUMBA_NUM_THREADS, no per-size choice); "default" sets
nothing, as a user would run. The configurations alternate in rounds (their order rotates)
so machine noise hits all alike; the medians over rounds are compared.

Two conditions: quiet, and loaded, where this script keeps one core busy with a spinning
process of its own and stops it afterwards. Reported per size and condition: the ratio
default / best of (1 thread, 2 threads); the target is <= 1.10.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
STEPS = {1_000: 40, 10_000: 20, 100_000: 8, 1_000_000: 3}
DOMAINS = {1_000_000: 8}
BIG = 1_000_000  # from here: one round, no "before" (a build takes about a minute)


def configs(before: str | None) -> dict[str, tuple[dict, bool, str | None]]:
    """name -> (environment, fixed thread count, src folder or None for this checkout)."""
    out = {"1 thread": ({"NUMBA_NUM_THREADS": "1"}, True, None),
           "2 threads": ({"NUMBA_NUM_THREADS": "2"}, True, None),
           "default": ({}, False, None)}
    if before:
        out["before"] = ({}, False, before)
    return out


def child_main(actors: int, domains: int, steps: int, fixed: bool) -> dict:
    sys.path.insert(0, str(HERE))
    import numba

    import clusterlab.sim
    from scale import one

    if fixed:  # every step on numba's thread count, whatever the size
        rt = getattr(clusterlab, "runtime", None)
        if rt is not None:
            rt.SMALL_MODEL = 0
        clusterlab.sim.SMALL_MODEL = 0
    row = one(actors, domains, steps)
    row["threads"] = numba.get_num_threads()
    row["layer"] = numba.threading_layer()
    return row


def child(actors: int, env: dict, fixed: bool, src: str | None) -> dict:
    e = {k: v for k, v in os.environ.items()
         if not k.startswith(("NUMBA_", "OMP_", "KMP_", "GOMP_"))}
    e.update(env)
    if src:
        e["PYTHONPATH"] = os.pathsep.join([str(Path(src).resolve()), e.get("PYTHONPATH", "")])
    cmd = [sys.executable, __file__, "--child", "--actors", str(actors),
           "--domains", str(DOMAINS.get(actors, 16)), "--steps", str(STEPS.get(actors, 5))]
    out = subprocess.run(cmd + (["--fixed"] if fixed else []), capture_output=True, text=True, env=e)
    if out.returncode != 0:
        sys.exit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


@contextmanager
def busy_core(on: bool):
    """One core kept busy by a spinning process of our own, or nothing."""
    p = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if on else None
    try:
        time.sleep(0.5 if on else 0)
        yield
    finally:
        if p is not None:
            p.kill()
            p.wait()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--actors", type=int, nargs="+", default=[1_000, 10_000, 100_000, 1_000_000])
    ap.add_argument("--rounds", type=int, default=3, help="rounds below 1M actors (1M: one)")
    ap.add_argument("--conditions", nargs="+", default=["quiet", "loaded"], choices=["quiet", "loaded"])
    ap.add_argument("--before", metavar="SRC", help="another checkout's src folder, run as 'before'")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--fixed", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--domains", type=int, default=16, help=argparse.SUPPRESS)
    ap.add_argument("--steps", type=int, default=5, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child_main(a.actors[0], a.domains, a.steps, a.fixed)))
        return
    cfg = configs(a.before)
    start = time.time()
    print(f"cpus {os.cpu_count()}, load average at start {os.getloadavg()[0]:.2f}; "
          f"steps {STEPS}, rounds {a.rounds}")
    for name, (env, fixed, src) in cfg.items():  # compile every side's kernels before timing
        child(1_000, env, fixed, src)
    table = []
    for n in a.actors:
        for cond in a.conditions:
            names = [k for k in cfg if n < BIG or k != "before"]
            times: dict[str, list[float]] = {k: [] for k in names}
            with busy_core(cond == "loaded"):
                for r in range(a.rounds if n < BIG else 1):
                    for name in names[r % len(names):] + names[:r % len(names)]:
                        env, fixed, src = cfg[name]
                        row = child(n, env, fixed, src)
                        times[name].append(row["step_s"])
            med = {k: statistics.median(v) for k, v in times.items()}
            best = min(med["1 thread"], med["2 threads"])
            ratio = med["default"] / best
            spread = max(max(v) / min(v) for v in times.values())
            line = {"actors": n, "condition": cond, **{k: round(v, 5) for k, v in med.items()},
                    "default/best": round(ratio, 3), "worst spread": round(spread, 2)}
            if "before" in med:
                line["before/best"] = round(med["before"] / best, 3)
            table.append(line)
            print(f"{n:>9,} {cond:6s} " + "  ".join(f"{k} {v * 1e3:9.2f} ms" for k, v in med.items())
                  + f"  default/best {ratio:.3f}" + (f"  before/best {line['before/best']:.3f}" if "before" in med else "")
                  + f"  {'OK' if ratio <= 1.10 else 'MISSED'}  (max/min over rounds up to {spread:.2f}; "
                  f"load {os.getloadavg()[0]:.1f})",
                  flush=True)
    print(f"load average at end {os.getloadavg()[0]:.2f}; {time.time() - start:.0f} s")
    print(json.dumps(table))


if __name__ == "__main__":
    main()

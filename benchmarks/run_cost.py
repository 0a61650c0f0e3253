"""Cost of one default run in-process (200 firms, 240 steps, no figures): every step
recorded in full (keep=None) vs only the yearly steps an experiment reads (keep = 0, 12,
..., 240); the minimum of N interleaved repeats after a warm-up run (Numba compilation
excluded), as wall time and as the main thread's CPU time (less sensitive to other load).

    python benchmarks/run_cost.py [--repeats 7] [--steps 240]
    PYTHONPATH=/path/to/other/checkout/src python benchmarks/run_cost.py   # 'before'

A checkout whose Sim has no `keep` runs the full run only. Prints seconds per run, the
ratio, and 1,000 runs on 2 workers at that cost (pool overhead not counted). Timings are
noisy on a shared machine: take the minimum of several repeats on a quiet one.
"""

from __future__ import annotations

import argparse
import inspect
import time

import clusterlab as cl


def once(sc, keep) -> tuple[float, float]:
    w0, c0 = time.perf_counter(), time.thread_time()
    sim = cl.Sim(sc) if keep is None else cl.Sim(sc, keep=keep)
    sim.run()
    return time.perf_counter() - w0, time.thread_time() - c0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--steps", type=int, default=None, help="default: the scenario's (240)")
    args = ap.parse_args()
    sc = cl.default_scenario().set(**{"output.figures": False})
    if args.steps:
        sc = sc.set(steps=args.steps)
    yearly = list(range(0, sc.steps + 1, sc.steps_per_year))
    has_keep = "keep" in inspect.signature(cl.Sim).parameters
    once(sc, None)  # warm-up: compile or load the Numba kernels
    variants = {"keep=None": None, f"keep=yearly ({len(yearly)} steps)": yearly} if has_keep else {"keep=None": None}
    times = {name: [] for name in variants}
    for _ in range(args.repeats):  # interleaved, so changes of load hit both alike
        for name, keep in variants.items():
            times[name].append(once(sc, keep))
    print(f"clusterlab from {cl.__file__}")
    print(f"default scenario: {sc.population.firms} firms, {sc.steps} steps; min of {args.repeats} repeats")
    best = {}
    for name, t in times.items():
        best[name] = min(w for w, _ in t), min(c for _, c in t)
        print(f"  {name:<26} wall {best[name][0]:.3f} s/run   cpu {best[name][1]:.3f} s/run")
    if len(best) == 2:
        (fw, fc), (kw, kc) = best.values()
        print(f"  ratio full/yearly          wall {fw / kw:.2f}          cpu {fc / kc:.2f}")
        print(f"  1,000 yearly runs on 2 workers: {1000 * kw / 2 / 60:.1f} min (wall), "
              f"{1000 * kc / 2 / 60:.1f} min (cpu)")
    else:
        print("  (this checkout's Sim has no keep: full runs only)")


if __name__ == "__main__":
    main()

"""Cost of one default run in-process: every step recorded in full (keep=None) vs only the
yearly steps an experiment reads (keep = 0, 12, 24, ..., last), the minimum of N repeats
after a warm-up run (Numba compilation excluded).

    python benchmarks/run_cost.py [--repeats 7] [--steps 240]

Prints seconds per run for both, their ratio, and what 1,000 runs would take on 2 workers
(1,000 * yearly / 2, ignoring pool overhead). Timings are noisy on a shared machine: take
the minimum of several repeats on a quiet one.
"""

from __future__ import annotations

import argparse
import time

import clusterlab as cl


def once(sc, keep) -> float:
    t0 = time.perf_counter()
    cl.Sim(sc, keep=keep).run()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--steps", type=int, default=None, help="default: the scenario's (240)")
    args = ap.parse_args()
    sc = cl.default_scenario().set(**{"output.figures": False})
    if args.steps:
        sc = sc.set(steps=args.steps)
    yearly = list(range(0, sc.steps + 1, sc.steps_per_year))
    once(sc, None)  # warm-up: compile / load the Numba kernels
    full, kept = [], []
    for _ in range(args.repeats):  # interleaved, so load changes hit both alike
        full.append(once(sc, None))
        kept.append(once(sc, yearly))
    f, k = min(full), min(kept)
    print(f"default scenario: {sc.population.firms} firms, {sc.steps} steps; min of {args.repeats} repeats")
    print(f"keep=None (every step in full): {f:.3f} s/run")
    print(f"keep=yearly ({len(yearly)} steps):      {k:.3f} s/run")
    print(f"ratio full/yearly: {f / k:.2f}")
    print(f"1,000 runs on 2 workers (yearly, no overhead): {1000 * k / 2 / 60:.2f} min")


if __name__ == "__main__":
    main()

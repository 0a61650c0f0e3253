"""Cold compile time of a default run: each source tree given runs the built-in scenario for a
few steps in a fresh process with an empty numba cache, in turn, and the wall and CPU times
are printed (the first run on a machine, or on CI, pays this once).

    python benchmarks/compile.py                     # this checkout
    python benchmarks/compile.py --before ../old/src # and another source tree, alternating

The compile dominates: a warm 3-step run takes well under a second.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUN = ("import clusterlab as cl; print(cl.__file__);"
       "cl.Sim(cl.default_scenario().set(steps=3)).run()")


def cold(src: str | None) -> tuple[float, float]:
    """Wall and CPU seconds of one default run with an empty numba cache."""
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        if src:
            env["PYTHONPATH"] = src
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", RUN], env=env, check=True, capture_output=True)
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--before", help="another source tree (its src folder) to time alternately")
    ap.add_argument("--rounds", type=int, default=1)
    a = ap.parse_args()
    trees = [("this", str(Path(__file__).resolve().parents[1] / "src"))]
    if a.before:
        trees.append(("before", a.before))
    for r in range(a.rounds):
        for name, src in trees:
            wall, cpu = cold(src)
            print(f"round {r + 1} {name:<7} wall {wall:6.1f} s  cpu {cpu:6.1f} s")


if __name__ == "__main__":
    main()

"""The test suite's warm-up on a cold numba cache: the two processes `tests/conftest.py` starts
before any test (a run of half the mechanisms each, and an `analyze`), side by side, with an
empty NUMBA_CACHE_DIR; prints when each is done. Give another source tree to time it.

    python benchmarks/warm_up.py                      # this checkout
    python benchmarks/warm_up.py ../old               # another checkout (its src and tests)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[1]).resolve()
    src, tests = root / "src", root / "tests"
    sys.path[:0] = [str(src), str(tests)]
    import conftest  # the checkout's own warm-up commands
    from clusterlab.mechanisms import MECHANISMS

    tmp, cache = tempfile.mkdtemp(), tempfile.mkdtemp()

    def run(name, on):
        off = [a for m in MECHANISMS if m.name not in on for a in ("--set", f"mechanisms.{m.name}.enabled=false")]
        return ["run", "--steps", "2", "--no-figures", "-q", "--out", f"{tmp}/{name}", *off]

    first = set(conftest.WARM_UP_FIRST)
    second = {m.name for m in MECHANISMS} - first
    fix = conftest.FIXTURES
    commands = [[run("first", first), ["analyze", str(fix / "matrix_excel.csv"), "--attributes",
                                       str(fix / "attributes.csv"), "--group", "kind", "--out", f"{tmp}/analyze"]],
                [run("second", second)]]
    env = dict(os.environ, NUMBA_CACHE_DIR=cache, PYTHONPATH=str(src))
    t = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-c", conftest.WARM_UP, json.dumps(c)], cwd=tmp, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for c in commands]
    done = []
    for p in procs:
        p.wait()
        done.append(time.perf_counter() - t)
    print(f"{root}: warm-up processes done at " + ", ".join(f"{d:.1f} s" for d in done))


if __name__ == "__main__":
    main()

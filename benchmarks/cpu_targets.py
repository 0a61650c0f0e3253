"""Do results depend on the CPU? The baseline test's two scenarios (tests/test_baseline.py:
a generated cluster with every mechanism and event, and the survey fixture), each run with
numba compiling for other CPUs (`NUMBA_CPU_NAME`: generic x86-64 without AVX, haswell's
AVX2, skylake-avx512) and with numpy's AVX-512 and AVX2 loops switched off
(`NPY_DISABLE_CPU_FEATURES`), compared value by value with this machine's own run.

    python benchmarks/cpu_targets.py             # every target; prints differing values per case
    python benchmarks/cpu_targets.py --targets generic

Each target runs in a fresh process (numba keeps one cache entry per CPU target). A kernel
compiled with fastmath may reorder a sum by the vector width of the CPU, so its last bits
differ between machines (measured before the kernels dropped it: up to 7.6e-8 relative at
step 60, 53 values of the generated case against skylake-avx512); docs/odd.md 4,
stochasticity.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGETS = {
    "generic": {"NUMBA_CPU_NAME": "generic"},
    "haswell": {"NUMBA_CPU_NAME": "haswell"},
    "skylake-avx512": {"NUMBA_CPU_NAME": "skylake-avx512"},
    "numpy-avx2": {"NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR"},
    "numpy-sse": {"NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL AVX512_SPR"},
}
CHILD = """
import json, sys
sys.path.insert(0, {tests!r})
from test_baseline import CASES, indicators
json.dump({{n: indicators(n) for n in sorted(CASES)}}, open({out!r}, "w"))
"""


def run(env_extra: dict, out: Path) -> dict:
    env = {**os.environ, **env_extra}
    code = CHILD.format(tests=str(HERE.parent / "tests"), out=str(out))
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    return json.loads(out.read_text())


def differences(a: dict, b: dict) -> dict[str, tuple[int, float]]:
    """Per case: values that differ, and the largest relative difference."""
    out = {}
    for case in a:
        n, worst = 0, 0.0
        for col, values in a[case].items():
            for x, y in zip(values, b[case][col]):
                if not ((math.isnan(x) and math.isnan(y)) or x == y):
                    n += 1
                    worst = max(worst, abs(x - y) / max(abs(x), abs(y), 1e-300))
        out[case] = (n, worst)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--targets", nargs="+", default=list(TARGETS), choices=list(TARGETS))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        host = run({}, Path(tmp) / "host.json")
        for name in args.targets:
            other = run(TARGETS[name], Path(tmp) / f"{name}.json")
            for case, (n, worst) in differences(host, other).items():
                print(f"{name:>15}  {case:>10}: {n} values differ (largest relative difference {worst:.2e})")


if __name__ == "__main__":
    main()

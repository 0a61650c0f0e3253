"""Thread settings, applied when clusterlab is imported, before numba or igraph load OpenMP.

OpenMP threads that wait for work spin by default. On a quiet machine that costs nothing,
but when another process uses a core, spinning threads take its time and a step with two
threads can be several times slower than with one (measured: `benchmarks/threads.py`,
README "Performance"). So waiting threads sleep, and numba prefers its OpenMP layer (the
one measured). Each is a default only: a variable already set in the environment wins.
Both OpenMP runtimes in an analysis process (numba's and igraph's) read these when they
load, so they must be set before `import numba` or `import igraph`.
"""

from __future__ import annotations

import os

DEFAULTS = {
    "OMP_WAIT_POLICY": "PASSIVE",  # GNU and LLVM OpenMP: idle threads sleep at once
    "KMP_BLOCKTIME": "0",  # Intel OpenMP (conda builds): the same
    "NUMBA_THREADING_LAYER_PRIORITY": "omp tbb workqueue",  # numba's order when the layer is "default"
}


def apply() -> None:
    """Set every default the environment does not already set."""
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)


apply()

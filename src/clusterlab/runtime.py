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



def cold_cache(variant: str = "serial") -> bool:
    """True when most numba kernels of the loaded clusterlab modules have nothing in numba's
    on-disk cache for their current source, so a run first compiles them (about a minute):
    the first run on a machine, after a numba upgrade, or with a new NUMBA_CACHE_DIR. Reads
    only the small cache index files. (Helpers inlined into other kernels and kernels a run
    never calls stay uncached, hence "most".) `variant`: of the `kernels.parallel_njit`
    kernels, the one a run calls ("serial" for a small model on one thread, "parallel" for a
    large one). False if numba's private cache API has changed."""
    import sys

    cached = total = 0
    for name, module in list(sys.modules.items()):
        if not name.startswith("clusterlab.") or module is None:
            continue
        for obj in list(vars(module).values()):
            if variant == "parallel" and not hasattr(obj, "parallel"):
                continue  # only the parallel kernels differ between a small run and a large one
            obj = getattr(obj, variant, obj)  # a `kernels.parallel_njit` kernel: the variant a run uses
            index = getattr(getattr(getattr(obj, "_cache", None), "_cache_file", None), "_load_index", None)
            if index is None or getattr(obj, "__module__", None) != name:
                continue
            try:
                cached += bool(index())
            except Exception:
                return False
            total += 1
    return 2 * cached < total

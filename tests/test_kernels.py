"""`kernels.parallel_njit`: the serial variant on one thread, the parallel one otherwise, the
same numbers from both."""

import numba as nb
import numpy as np
import pytest

from clusterlab.kernels import parallel_njit


@parallel_njit(cache=False)
def _row_sums(X, out):
    for i in nb.prange(X.shape[0]):
        s = 0.0
        for j in range(X.shape[1]):
            s += X[i, j]
        out[i] = s


@pytest.mark.skipif(nb.config.NUMBA_NUM_THREADS < 2, reason="needs two threads")
def test_one_thread_calls_the_serial_variant_and_two_the_parallel_one():
    X = np.random.default_rng(0).random((1000, 7))
    before = nb.get_num_threads()
    got = {}
    try:
        for th in (1, 2):
            nb.set_num_threads(th)
            out = np.empty(1000)
            _row_sums(X, out)
            got[th] = out
            compiled = (len(_row_sums.serial.signatures), len(_row_sums.parallel.signatures))
            assert compiled == ((1, 0) if th == 1 else (1, 1))  # the parallel one compiled only when needed
    finally:
        nb.set_num_threads(before)
    assert np.array_equal(got[1], got[2]) and np.allclose(got[1], X.sum(axis=1))
    assert _row_sums.py_func.__name__ == "_row_sums" and _row_sums.__name__ == "_row_sums"


def test_cold_cache_asks_about_the_variant_a_run_calls(monkeypatch):
    import sys
    import types

    from clusterlab import runtime

    def dispatcher(cached: bool):
        index = types.SimpleNamespace(_load_index=lambda: {"sig": 1} if cached else {})
        return types.SimpleNamespace(_cache=types.SimpleNamespace(_cache_file=index), __module__="clusterlab._fake")

    fake = types.ModuleType("clusterlab._fake")
    for k in range(3):  # serial variants and plain kernels cached, parallel variants not
        setattr(fake, f"k{k}", types.SimpleNamespace(serial=dispatcher(True), parallel=dispatcher(False)))
        setattr(fake, f"plain{k}", dispatcher(True))
    for name in list(sys.modules):
        if name.startswith("clusterlab."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "clusterlab._fake", fake)
    assert runtime.cold_cache() is False and runtime.cold_cache("parallel") is True


def _kernels():
    """Every numba kernel of clusterlab (both variants of a `parallel_njit` one)."""
    import importlib
    import pkgutil

    import clusterlab
    from numba.core.registry import CPUDispatcher

    seen = {}
    for info in pkgutil.walk_packages(clusterlab.__path__, "clusterlab."):
        if ".dashboard" in info.name or info.name.endswith("__main__"):
            continue
        mod = importlib.import_module(info.name)
        for name, obj in vars(mod).items():
            for k in (obj, getattr(obj, "serial", None), getattr(obj, "parallel", None)):
                if isinstance(k, CPUDispatcher):
                    seen[f"{info.name}.{name}{'' if k is obj else '.' + ('serial' if k is obj.serial else 'parallel')}"] = k
    return seen


def test_no_kernel_uses_fastmath():
    """fastmath lets LLVM reorder sums by the CPU's vector width, so the last bits of a run
    (and, through exits and thresholds, more) would differ between machines: a kernel must
    give the same numbers on any CPU (benchmarks/cpu_targets.py; docs/odd.md 4, stochasticity)."""
    kernels = _kernels()
    assert len(kernels) > 30  # the walk found the kernels
    fast = sorted(name for name, k in kernels.items() if k.targetoptions.get("fastmath"))
    assert not fast, f"kernels compiled with fastmath: {fast}"

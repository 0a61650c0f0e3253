"""`parallel_njit`: a numba kernel with `prange` loops, compiled on demand in two variants,
serial for one thread and parallel otherwise.

Compiling a `parallel=True` kernel takes several times as long as the same kernel serial
(numba's parfor passes): a default run's cold compile took 94.8 s, 57.7 s of it in the 33
parallel kernels, and 54.6 s with every kernel serial (README "Performance"). Small models
step on one thread (`sim.SMALL_MODEL`) and experiment workers run on one thread each, so
they never need the parallel code: the wrapper calls the serial variant whenever numba's
thread count is 1, and the parallel one (compiled the first time it is needed) otherwise.

The two variants give the same numbers: the kernels sum over fixed chunks, never over
threads, so a result does not depend on the thread count (tests/test_properties.py runs a
12,000-firm cluster on one thread, the serial variants, and on two, the parallel ones, and
compares every table bit for bit). Each variant has its own entry in numba's on-disk cache
(the serial one under the name `<kernel>_serial`).
"""

from __future__ import annotations

import functools
import types

import numba as nb

__all__ = ["parallel_njit"]


def parallel_njit(**options):
    """Decorator: ``@parallel_njit(cache=True)`` in place of ``@nb.njit(parallel=True,
    cache=True)``. The result calls ``.serial`` (``nb.njit(**options)``) when
    ``numba.get_num_threads() == 1`` and ``.parallel`` (``nb.njit(parallel=True,
    **options)``) otherwise; ``.py_func`` is the Python function."""

    def wrap(fn):
        par = nb.njit(parallel=True, **options)(fn)
        twin = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__ + "_serial", fn.__defaults__,
                                  fn.__closure__)
        twin.__qualname__ = fn.__qualname__ + "_serial"  # its own file in numba's cache
        twin.__module__ = fn.__module__
        ser = nb.njit(**options)(twin)
        threads = nb.get_num_threads

        @functools.wraps(fn)
        def call(*args):
            return ser(*args) if threads() == 1 else par(*args)

        call.serial, call.parallel, call.py_func = ser, par, fn
        return call

    return wrap

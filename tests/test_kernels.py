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

"""Per-actor knowledge helpers used across mechanisms and the recorder (Numba kernels)."""

import numba as nb
import numpy as np


@nb.njit(parallel=True, cache=True)
def unit_profiles(T, E, out):
    for i in nb.prange(T.shape[0]):
        s = 0.0
        for d in range(T.shape[1]):
            v = T[i, d] + E[i, d]
            out[i, d] = v
            s += v * v
        if s > 0.0:
            inv = 1.0 / np.sqrt(s)
            for d in range(T.shape[1]):
                out[i, d] *= inv


@nb.njit(parallel=True, cache=True)
def mean_levels(T, E, out):
    for i in nb.prange(T.shape[0]):
        s = 0.0
        for d in range(T.shape[1]):
            s += T[i, d] + E[i, d]
        out[i] = s / T.shape[1]


@nb.njit(cache=True)
def column_max(T, E, alive, out):
    for i in range(T.shape[0]):
        if alive[i]:
            for d in range(T.shape[1]):
                v = T[i, d] + E[i, d]
                if v > out[d]:
                    out[d] = v

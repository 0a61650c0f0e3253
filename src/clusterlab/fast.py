"""Small numpy helpers for the hot path of a step, without the Python-level wrappers' cost.

`clip(x, lo, hi)` is the `np.clip` ufunc itself (`numpy._core.umath.clip`, which `np.clip`
calls after its argument checks): the same values, bit for bit, for an array and two
bounds; it skips a few microseconds of wrapper per call, which add up over the thousands of
calls of a run.
"""

from __future__ import annotations


import numpy as np

try:  # np.clip(x, lo, hi) with both bounds given (in range of x's dtype)
    from numpy._core.umath import clip
except ImportError:  # a numpy that moved it: the public function, same values
    clip = np.clip


__all__ = ["clip"]

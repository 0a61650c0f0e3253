"""Small numpy helpers for the hot path of a step, without the Python-level wrappers' cost.

`clip(x, lo, hi)` is the `np.clip` ufunc itself (`numpy._core.umath.clip`, which `np.clip`
calls after its argument checks): the same values, bit for bit, for an array and two
bounds; it skips a few microseconds of wrapper per call, which add up over the thousands of
calls of a run. `choice_p(rng, p, size)` is `rng.choice(len(p), size, p=p)` likewise: the
same draw from the same stream (numpy's algorithm: the normalised cumulative sum searched
with uniforms), without the checks of p that cost more than the draw on small arrays.
"""

from __future__ import annotations


import numpy as np

try:  # np.clip(x, lo, hi) with both bounds given (in range of x's dtype)
    from numpy._core.umath import clip
except ImportError:  # a numpy that moved it: the public function, same values
    clip = np.clip


def choice_p(rng: np.random.Generator, p: np.ndarray, size: int) -> np.ndarray:
    """`rng.choice(len(p), size, p=p)` for probabilities p (>= 0, summing to 1), bit for bit."""
    cdf = np.cumsum(np.asarray(p, np.float64))
    cdf /= cdf[-1]
    return cdf.searchsorted(rng.random(size), side="right")


__all__ = ["clip", "choice_p"]

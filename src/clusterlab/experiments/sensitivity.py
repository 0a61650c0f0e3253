"""Global sensitivity indices of a design's outcomes: Sobol (variance based) and Morris
(elementary effects), computed with SALib (Herman and Usher 2017; Iwanaga et al. 2022).

Replications: a design point is run `replications` times (common random numbers: the same
seeds at every point). The indices are computed on the **mean over the replications at each
point**, so they apportion the variance of the expected outcome, not of a single noisy run;
the seed noise left in the means inflates the smaller indices and the CIs (Marrel et al.
2012, *Stat. Comput.* 22, 833-847, treat the noise separately; we do not).

Sobol (Sobol' 2001; Saltelli 2002; Saltelli et al. 2010, *Comput. Phys. Commun.* 181,
259-270): the points must be exactly SALib's `sample.sobol(problem, N,
calc_second_order=False)` in its order, N (D + 2) points for D parameters; the first-order
S1 and total-order ST come with bootstrap CIs (SALib's `num_resamples` resamples of the N
base rows; the CI is the normal interval, half-width `*_conf`).

Morris (Morris 1991; Campolongo, Cariboni and Saltelli 2007): the points must be SALib's
`sample.morris(problem, r, num_levels)` in order, r (D + 1) points; mu, mu_star (mean
absolute elementary effect, with a bootstrap CI half-width `mu_star_conf`) and sigma.

**Small-sample rule** (a `ClusterlabWarning`, the indices are still returned):

- Sobol: N < 64 base samples. Saltelli et al. (2008, *Global Sensitivity Analysis. The
  Primer*, sec. 4.6) and SALib's documentation use N in the hundreds to thousands; below 64
  the bootstrap CIs of the indices are typically as wide as the indices themselves. Also,
  whatever N: when some index's CI (2 x conf) is wider than the spread (max - min) of that
  index over the parameters (D >= 2), the ranking of the parameters is not resolved.
- Morris: r < 10 trajectories. Saltelli et al. (2008, sec. 3.4) and Campolongo et al.
  (2007) use r = 10 to 20 for a stable ranking by mu_star.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..errors import ClusterlabError, ClusterlabWarning

__all__ = ["MIN_MORRIS_R", "MIN_SOBOL_N", "morris_indices", "sobol_indices"]

MIN_SOBOL_N = 64
MIN_MORRIS_R = 10


def _salib(module: str):
    try:
        import importlib

        return importlib.import_module(f"SALib.analyze.{module}")
    except ImportError:
        raise ClusterlabError("sensitivity analysis needs SALib: "
                              "pip install 'clusterlab[experiments]'") from None


def _check_problem(problem: dict) -> tuple[list[str], int]:
    names = list(problem.get("names") or [])
    if not names or problem.get("num_vars", len(names)) != len(names):
        raise ValueError(f"problem needs names and a matching num_vars, got {problem!r}")
    return names, len(names)


def _values(y, what: str) -> np.ndarray:
    y = np.asarray(y, dtype=float).ravel()
    bad = int((~np.isfinite(y)).sum())
    if bad:
        raise ValueError(f"{what}: {bad} of {y.size} values are missing or not finite "
                         f"(failed runs?); the indices need every point")
    return y


def _say(messages: list[str], text: str) -> None:
    messages.append(text)
    warnings.warn(text, ClusterlabWarning, stacklevel=3)


def sobol_indices(problem: dict, y, *, level: float = 0.95, num_resamples: int = 1000,
                  seed: int | None = 0, label: str = "outcome") -> tuple[pd.DataFrame, list[str]]:
    """First- and total-order Sobol indices of `y` (one value per point, in SALib's
    `sample.sobol(problem, N, calc_second_order=False)` order): a DataFrame with one row per
    parameter (parameter, S1, S1_conf, ST, ST_conf, S1_low/high, ST_low/high at `level`) and
    the small-sample warnings given (also issued as ClusterlabWarning; see the module)."""
    names, d = _check_problem(problem)
    y = _values(y, label)
    if y.size % (d + 2):
        raise ValueError(f"{label}: {y.size} values is not N x (D + 2) = N x {d + 2}; the "
                         f"points must be SALib's sobol sample without second order, in order")
    n = y.size // (d + 2)
    sobol = _salib("sobol")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # constant y: 0/0 in SALib
        res = sobol.analyze({"num_vars": d, "names": names, "bounds": problem.get("bounds")},
                            y, calc_second_order=False, num_resamples=num_resamples,
                            conf_level=level, print_to_console=False, seed=seed)
    out = pd.DataFrame({"parameter": names, "S1": res["S1"], "S1_conf": res["S1_conf"],
                        "ST": res["ST"], "ST_conf": res["ST_conf"]})
    for k in ("S1", "ST"):
        out[f"{k}_low"] = out[k] - out[f"{k}_conf"]
        out[f"{k}_high"] = out[k] + out[f"{k}_conf"]
    out.insert(1, "N", n)
    said: list[str] = []
    if n < MIN_SOBOL_N:
        _say(said, f"{label}: Sobol indices from N = {n} base samples (< {MIN_SOBOL_N}) are "
                   f"not stable; use samples >= {MIN_SOBOL_N} (Saltelli et al. 2008)")
    if d >= 2:
        for k in ("S1", "ST"):
            spread = float(out[k].max() - out[k].min())
            width = float(2 * out[f"{k}_conf"].max())
            if width > spread:
                _say(said, f"{label}: the widest {k} confidence interval ({width:.3g}) exceeds "
                           f"the spread of {k} over the parameters ({spread:.3g}): the "
                           f"ranking is not resolved; use more samples")
    return out, said


def morris_indices(problem: dict, x, y, *, levels: int = 4, level: float = 0.95,
                   num_resamples: int = 1000, seed: int | None = 0,
                   label: str = "outcome") -> tuple[pd.DataFrame, list[str]]:
    """Morris screening of `y` at the points `x` (an r (D + 1) x D array in SALib's
    `sample.morris` order, columns in `problem["names"]` order): one row per parameter
    (parameter, r, mu, mu_star, mu_star_conf, mu_star_low/high, sigma) and the small-sample
    warnings given (also issued as ClusterlabWarning; see the module)."""
    names, d = _check_problem(problem)
    y = _values(y, label)
    x = np.asarray(x, dtype=float)
    if x.shape != (y.size, d):
        raise ValueError(f"{label}: x has shape {x.shape}, expected ({y.size}, {d})")
    if y.size % (d + 1):
        raise ValueError(f"{label}: {y.size} values is not r x (D + 1) = r x {d + 1}; the "
                         f"points must be SALib's morris sample, in order")
    r = y.size // (d + 1)
    morris = _salib("morris")
    res = morris.analyze({"num_vars": d, "names": names, "bounds": problem.get("bounds")},
                         x, y, num_resamples=num_resamples, conf_level=level,
                         print_to_console=False, num_levels=levels, seed=seed)
    out = pd.DataFrame({"parameter": names, "r": r, "mu": np.asarray(res["mu"], float),
                        "mu_star": np.asarray(res["mu_star"], float),
                        "mu_star_conf": np.asarray(res["mu_star_conf"], float),
                        "sigma": np.asarray(res["sigma"], float)})
    out["mu_star_low"] = out["mu_star"] - out["mu_star_conf"]
    out["mu_star_high"] = out["mu_star"] + out["mu_star_conf"]
    said: list[str] = []
    if r < MIN_MORRIS_R:
        _say(said, f"{label}: Morris indices from r = {r} trajectories (< {MIN_MORRIS_R}) are "
                   f"not stable; use samples >= {MIN_MORRIS_R} (Saltelli et al. 2008)")
    return out, said

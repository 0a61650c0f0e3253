"""Cluster-level indicators of lock-in risk (Wang 2013; Boschma 2005).

"Too much proximity leads to a lack of openness and flexibility"; clusters "may come to be
locked in ... as a result of an excess of conformism" (Boschma 2005), the competency trap
(Levitt & March 1988). Wang (2013) names its ingredients: dense closed local networks, too
weak a cognitive distance, and "inward looking" firms without external linkages. The
indicators:

closure
    :func:`clusterlab.measures.transitivity` (global clustering of the undirected view).
cognitive homogeneity
    Mean proximity over the network's distinct ties, given a proximity matrix (N x N, dense,
    scipy sparse, or a DataFrame labelled by actor ids). Directed ties read ``P[src, dst]``;
    undirected ties the mean of ``P[a, b]`` and ``P[b, a]``; sparse matrices read missing
    entries as 0.
external openness
    Mean and median of the ``external_ties`` attribute (raw counts) and the share of actors
    with at least one external tie (``export_share`` > 0 when only that is available).

Composite flag (a convention of this package, not a published cut-off): an indicator is in
its risk zone when closure >= ``closure_threshold`` (default 0.3), homogeneity >=
``homogeneity_threshold`` (0.7, for proximities in [0, 1]), or the share of actors with
external ties < ``openness_threshold`` (0.25). With at least two indicators available,
``lock_in_score`` is the share of them in their risk zone and ``lock_in_risk`` is True when
that share is above one half (two of two, two or three of three). With fewer than two the
evidence is too thin: score and risk are None (``LOCK_IN_RULE`` says this in words).

Boschma, R.A. (2005) Proximity and innovation: a critical assessment. *Regional Studies* 39,
61-74. Levitt, B. & March, J.G. (1988) Organizational learning. *Annual Review of Sociology*
14, 319-340. Coleman, J.S. (1988) Social capital in the creation of human capital.
*Am. J. Sociol.* 94, S95-S120.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ._graph import MeasureError, prepare
from .cohesion import transitivity

__all__ = ["LOCK_IN_RULE", "cognitive_homogeneity", "lock_in_indicators", "proximity_matrix"]

LOCK_IN_RULE = ("lock_in_score = share of the available indicators (closure, cognitive homogeneity, "
                "external openness) in their risk zone; lock_in_risk = score above 0.5; both null when "
                "fewer than two indicators are available")


def proximity_matrix(net, proximity):
    """``proximity`` as an N x N numpy array or scipy CSR matrix aligned with ``net.ids``.

    A DataFrame is aligned by its index and column labels (compared as strings with the
    ids); every id must appear in both. Arrays and sparse matrices must already be N x N in
    the order of ``net.ids``.
    """
    import scipy.sparse as sp  # imported when used: it is slow to import

    p = prepare(net)
    n = p.n
    if isinstance(proximity, pd.DataFrame):
        ids = [str(i) for i in p.net.ids]
        df = proximity.copy()
        df.index = [str(i) for i in df.index]
        df.columns = [str(c) for c in df.columns]
        missing = [i for i in ids if i not in df.index or i not in df.columns]
        if missing:
            raise MeasureError(f"proximity matrix lacks {len(missing)} actor id(s), e.g. {missing[:3]}")
        if not (df.index.is_unique and df.columns.is_unique):
            raise MeasureError("proximity matrix labels must be unique")
        return df.loc[ids, ids].to_numpy(np.float64)
    if sp.issparse(proximity):
        P = sp.csr_matrix(proximity, dtype=np.float64)
    else:
        P = np.asarray(proximity, np.float64)
    if P.shape != (n, n):
        raise MeasureError(f"proximity matrix must be {n} x {n} (one row and column per actor), got {P.shape}")
    return P


def cognitive_homogeneity(net, proximity) -> float:
    """Mean proximity over the distinct ties (module docstring); NaN without ties or when
    every tie's proximity is missing (NaN entries are skipped)."""
    import scipy.sparse as sp  # imported when used: it is slow to import

    p = prepare(net)
    P = proximity_matrix(p, proximity)
    if p.m == 0:
        return math.nan

    def take(i, j):
        if sp.issparse(P):
            return np.asarray(P[i, j]).ravel()
        return P[i, j]

    vals = take(p.src, p.dst)
    if not p.directed:
        vals = 0.5 * (vals + take(p.dst, p.src))
    vals = vals[np.isfinite(vals)]
    return float(vals.mean()) if vals.size else math.nan


def lock_in_indicators(net, proximity=None, *, closure_threshold: float = 0.3,
                       homogeneity_threshold: float = 0.7, openness_threshold: float = 0.25) -> dict:
    """Lock-in risk indicators of a cluster network (module docstring). JSON-ready dict:

    ``closure``, ``cognitive_homogeneity`` (None without a proximity matrix),
    ``external_ties_mean``, ``external_ties_median``, ``external_share``, ``openness_source``
    (the attribute used, or None), ``risk_closure``, ``risk_homogeneity``, ``risk_openness``
    (bool, or None when the indicator is unavailable), ``lock_in_score`` (float or None),
    ``lock_in_risk`` (bool or None), ``indicators_available`` (int), ``rule`` (`LOCK_IN_RULE`)
    and ``thresholds`` (closure, homogeneity, external_share).
    """
    p = prepare(net)
    attrs = p.attributes
    out: dict = {}
    closure = transitivity(p)
    out["closure"] = closure
    hom = cognitive_homogeneity(p, proximity) if proximity is not None else None
    out["cognitive_homogeneity"] = None if hom is None or not math.isfinite(hom) else hom

    source = None
    mean = median = share = None
    for name in ("external_ties", "export_share"):
        if attrs is not None and name in attrs.columns:
            x = pd.to_numeric(attrs[name], errors="coerce").to_numpy(np.float64)
            x = x[np.isfinite(x)]
            source = name
            if x.size:
                share = float((x > 0).mean())
                if name == "external_ties":
                    mean, median = float(x.mean()), float(np.median(x))
            break
    out["external_ties_mean"] = mean
    out["external_ties_median"] = median
    out["external_share"] = share
    out["openness_source"] = source

    risks = {
        "risk_closure": bool(closure >= closure_threshold) if p.m else None,
        "risk_homogeneity": (None if out["cognitive_homogeneity"] is None
                             else bool(out["cognitive_homogeneity"] >= homogeneity_threshold)),
        "risk_openness": None if share is None else bool(share < openness_threshold),
    }
    out.update(risks)
    avail = [v for v in risks.values() if v is not None]
    enough = len(avail) >= 2
    out["lock_in_score"] = float(np.mean(avail)) if enough else None
    out["lock_in_risk"] = bool(out["lock_in_score"] > 0.5) if enough else None
    out["indicators_available"] = len(avail)
    out["rule"] = LOCK_IN_RULE
    out["thresholds"] = {"closure": closure_threshold, "homogeneity": homogeneity_threshold,
                         "external_share": openness_threshold}
    return out

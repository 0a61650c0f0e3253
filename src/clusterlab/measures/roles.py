"""The cluster literature's actor roles: openness, cognitive roles, focal firms.

External openness
    Wang's (2013) "network openness": ties to knowledge outside the cluster (Bathelt et al.
    2004's global pipelines). From the attributes, not the network: ``external_ties``
    (number of extra-cluster partners) mapped to ``k / (k + 1)`` in [0, 1) (the mapping
    ``clusterlab.from_data`` uses for an actor's openness), else ``export_share`` (a share;
    read as percent when any value exceeds 1), else NaN.

Cognitive roles (Giuliani & Bell 2005)
    Giuliani & Bell classify the firms of a cluster's knowledge system by their in-degree
    (how many firms ask them for technical advice: knowledge **sources**) and out-degree
    (how many firms they ask: knowledge **absorbers**), and their external openness. As
    reconstructed here, with "high" meaning above a threshold (default: the mean over all
    actors; strict ``>``) and in/out degrees counted over distinct partners:

    ==========================  =========  ==========  ===================
    role                        in-degree  out-degree  external openness
    ==========================  =========  ==========  ===================
    technological_gatekeeper    high       high        high
    active_mutual_exchanger     high       high        not high
    source                      high       low         any
    absorber                    low        high        any
    weakly_connected            low        low (some tie)  any
    isolated                    0          0           any
    ==========================  =========  ==========  ===================

    **External stars** (a separate flag): actors with low in- and out-degree (weakly
    connected or isolated) but high external openness, "cognitively isolated from the
    cluster, though ... strongly linked to extra-cluster knowledge". Openness unknown for an
    actor counts as not high. When the network has no openness attribute at all, high/high
    actors are labelled technological gatekeepers (the degree-only reading) and no external
    stars are flagged.

Focal firms (Wang 2013)
    "Companies that occupy strategically central positions because of the greater number
    and intensity of relationships that they have with both customers and suppliers"
    (Lazerson & Lorenzoni 1999), which "use external knowledge to a greater extent"
    (Malipiero et al. 2005). Score = mean of the available percentile ranks (in [0, 1]) of

    1. number of customer/supplier partners: distinct partners over ``vertical``-layer ties
       when the network has a layer column with a ``vertical`` layer, else over all ties;
    2. intensity: the summed strength of those ties;
    3. centrality: betweenness;
    4. external openness (left out when no actor has it; an actor without it ranks lowest).

    Candidates: the ``top`` highest scores among actors with at least one tie (``top`` < 1:
    a fraction of the actors, rounded up; ``top`` >= 1: a number).

Giuliani, E. & Bell, M. (2005) The micro-determinants of meso-level learning and innovation:
evidence from a Chilean wine cluster. *Research Policy* 34, 47-68.
Lazerson, M.H. & Lorenzoni, G. (1999) The firms that feed industrial districts.
*Industrial and Corporate Change* 8, 235-266.
Malipiero, A., Munari, F. & Sobrero, M. (2005) Focal firms as technological gatekeepers
within industrial districts. DRUID Working Paper 05-18.
Bathelt, H., Malmberg, A. & Maskell, P. (2004) Clusters and knowledge: local buzz, global
pipelines and the process of knowledge creation. *Progress in Human Geography* 28, 31-56.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ._graph import MeasureError, prepare

__all__ = [
    "GB_ROLES",
    "external_openness",
    "external_stars",
    "focal_firm_score",
    "focal_firms",
    "giuliani_bell_roles",
    "openness_source",
]

GB_ROLES = ("technological_gatekeeper", "active_mutual_exchanger", "source", "absorber",
            "weakly_connected", "isolated")


def _numeric_column(attrs, name, n):
    if attrs is None or name not in attrs.columns:
        return None
    x = pd.to_numeric(attrs[name], errors="coerce").to_numpy(np.float64)
    if x.shape != (n,):
        raise MeasureError(f"attribute {name!r} has {x.size} values for {n} actors")
    return x


def openness_source(net) -> str | None:
    """The attribute :func:`external_openness` reads (``external_ties``, ``export_share``)
    or None."""
    attrs = prepare(net).attributes
    for name in ("external_ties", "export_share"):
        if attrs is not None and name in attrs.columns:
            return name
    return None


def external_openness(net) -> np.ndarray:
    """External openness per actor in [0, 1], NaN where unknown (see the module docstring).

    ``external_ties`` k -> ``k / (k + 1)`` (negative values are treated as missing);
    otherwise ``export_share`` clipped to [0, 1] (divided by 100 first if any value > 1).
    All NaN when the network has neither attribute.
    """
    p = prepare(net)
    x = _numeric_column(p.attributes, "external_ties", p.n)
    if x is not None:
        x = np.where(x >= 0, x, np.nan)
        return x / (x + 1.0)
    x = _numeric_column(p.attributes, "export_share", p.n)
    if x is not None:
        if np.nanmax(x, initial=0.0) > 1.0:
            x = x / 100.0
        return np.clip(x, 0.0, 1.0)
    return np.full(p.n, np.nan)


def _threshold(x, t, what):
    if isinstance(t, str):
        vals = x[np.isfinite(x)]
        if t == "mean":
            return float(vals.mean()) if vals.size else math.inf
        if t == "median":
            return float(np.median(vals)) if vals.size else math.inf
        raise MeasureError(f"{what} threshold must be 'mean', 'median' or a number, got {t!r}")
    try:
        return float(t)
    except (TypeError, ValueError):
        raise MeasureError(f"{what} threshold must be 'mean', 'median' or a number, got {t!r}") from None


def _gb_parts(net, in_threshold, out_threshold, openness_threshold, openness):
    p = prepare(net)
    din = p.in_count.astype(np.float64)
    dout = p.out_count.astype(np.float64)
    hi_in = din > _threshold(din, in_threshold, "in-degree")
    hi_out = dout > _threshold(dout, out_threshold, "out-degree")
    o = external_openness(p) if openness is None else np.asarray(openness, np.float64)
    if o.shape != (p.n,):
        raise MeasureError(f"openness must have one value per actor ({p.n})")
    known = bool(np.isfinite(o).any())
    if known:
        with np.errstate(invalid="ignore"):
            hi_open = np.isfinite(o) & (o > _threshold(o, openness_threshold, "openness"))
    else:
        hi_open = np.zeros(p.n, bool)
    return p, din, dout, hi_in, hi_out, hi_open, known


def giuliani_bell_roles(net, *, in_threshold="mean", out_threshold="mean",
                        openness_threshold="mean", openness=None) -> np.ndarray:
    """Giuliani & Bell (2005) cognitive role of every actor (object array of role names).

    See the module docstring for the mapping. Thresholds: ``"mean"`` (default), ``"median"``
    or a number; an actor is high when its value is strictly above the threshold. In- and
    out-degree count distinct partners (in: actors asking it; out: actors it asks; on
    undirected networks both are the degree, so only ``mutual exchanger``-type,
    ``weakly_connected`` and ``isolated`` roles occur). ``openness`` overrides
    :func:`external_openness` (one value per actor, NaN = unknown).
    """
    p, din, dout, hi_in, hi_out, hi_open, known = _gb_parts(
        net, in_threshold, out_threshold, openness_threshold, openness)
    role = np.full(p.n, "weakly_connected", dtype=object)
    both = hi_in & hi_out
    role[both & (hi_open | (not known))] = "technological_gatekeeper"
    role[both & ~(hi_open | (not known))] = "active_mutual_exchanger"
    role[hi_in & ~hi_out] = "source"
    role[~hi_in & hi_out] = "absorber"
    role[(din == 0) & (dout == 0)] = "isolated"
    return role


def external_stars(net, *, in_threshold="mean", out_threshold="mean", openness_threshold="mean",
                   openness=None) -> np.ndarray:
    """Giuliani & Bell's (2005) external stars (bool per actor): low in- and out-degree in
    the cluster but high external openness. Thresholds as :func:`giuliani_bell_roles`; all
    False when no actor's openness is known."""
    _, _, _, hi_in, hi_out, hi_open, _ = _gb_parts(
        net, in_threshold, out_threshold, openness_threshold, openness)
    return ~hi_in & ~hi_out & hi_open


def _pct_rank(x):
    """Percentile rank in [0, 1] (average ranks for ties; 0.5 for everyone when n == 1)."""
    n = x.size
    if n <= 1:
        return np.full(n, 0.5)
    from scipy.stats import rankdata  # scipy.stats takes a second to import: only when used

    return (rankdata(x, method="average") - 1.0) / (n - 1.0)


def focal_firm_score(net, *, betweenness_values=None, openness=None, layer: str = "vertical") -> np.ndarray:
    """Focal-firm score per actor in [0, 1]: mean percentile rank of vertical partners,
    their tie intensity, betweenness and external openness (module docstring; Wang 2013).

    ``betweenness_values`` (one per actor) avoids recomputing betweenness; default exact
    :func:`clusterlab.measures.betweenness`. ``openness`` overrides
    :func:`external_openness`. ``layer`` names the customer-supplier layer.
    """
    from .centrality import betweenness

    p = prepare(net)
    n = p.n
    if n == 0:
        return np.zeros(0)
    net0 = p.net
    lay = getattr(net0, "layer", None)
    if lay is not None and layer is not None and np.any(np.asarray(lay).astype(str) == layer):
        keep = (np.asarray(lay).astype(str) == layer) & (net0.src != net0.dst)
        a = np.minimum(net0.src[keep], net0.dst[keep])
        b = np.maximum(net0.src[keep], net0.dst[keep])
        key, inv = np.unique(a * n + b, return_inverse=True)
        w = np.bincount(inv, weights=np.asarray(net0.weight, np.float64)[keep], minlength=key.size)
        ka, kb = key // n, key % n
        partners = np.bincount(ka, minlength=n) + np.bincount(kb, minlength=n)
        intensity = np.bincount(ka, weights=w, minlength=n) + np.bincount(kb, weights=w, minlength=n)
    else:
        partners, intensity = p.und_count, p.und_strength
    bt = betweenness(p) if betweenness_values is None else np.asarray(betweenness_values, np.float64)
    parts = [_pct_rank(partners.astype(np.float64)), _pct_rank(intensity), _pct_rank(np.nan_to_num(bt))]
    o = external_openness(p) if openness is None else np.asarray(openness, np.float64)
    if np.isfinite(o).any():
        parts.append(_pct_rank(np.where(np.isfinite(o), o, -1.0)))
    return np.mean(parts, axis=0)


def focal_firms(net, *, top: float = 0.05, score=None, **kwargs) -> np.ndarray:
    """Focal-firm candidates (bool per actor): the ``top`` highest :func:`focal_firm_score`
    among actors with at least one tie (``top`` < 1: that fraction of all actors rounded
    up, at least one; ``top`` >= 1: that many). Ties at the cut are broken by position.
    ``score`` reuses a computed score; other keywords go to :func:`focal_firm_score`."""
    p = prepare(net)
    if top <= 0:
        raise MeasureError(f"top must be positive, got {top}")
    s = focal_firm_score(p, **kwargs) if score is None else np.asarray(score, np.float64)
    k = int(math.ceil(top * p.n)) if top < 1 else int(top)
    eligible = np.flatnonzero(p.und_count > 0)
    flag = np.zeros(p.n, bool)
    if eligible.size == 0:
        return flag
    order = eligible[np.lexsort((eligible, -s[eligible]))]
    flag[order[:max(1, k)]] = True
    return flag

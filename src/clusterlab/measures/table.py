"""Every measure of a cluster network at once: a firm table and a cluster summary.

:func:`analyze` computes all per-actor measures and cluster indicators of a
:class:`~clusterlab.data.ClusterNetwork` in one pass (the network is converted once);
:func:`firm_table` and :func:`cluster_summary` return its two halves. This is what
``clusterlab analyze`` writes.

Large networks: exact betweenness and closeness cost ``O(n m)``. With ``samples="auto"``
(default) they are exact up to ``exact_limit`` actors (default 10,000) and above it
estimated from ``AUTO_SAMPLES`` (500) uniformly drawn source actors (Brandes & Pich 2007;
Eppstein & Wang 2004; see :func:`clusterlab.measures.betweenness` and
:func:`clusterlab.measures.closeness`); the summary's ``methods`` entry says which was used.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ._graph import MeasureError, prepare
from .brokerage import ROLES, gould_fernandez
from .centrality import (betweenness, burt_constraint, burt_effective_size, closeness, degree,
                         ego_network_size, eigenvector, in_degree, out_degree, pagerank, tie_strength)
from .cohesion import (components, degree_centralization, density, mean_tie_strength, reciprocity,
                       transitivity)
from .communities import leiden
from .core_periphery import core_periphery
from .lockin import lock_in_indicators
from .roles import (GB_ROLES, external_openness, external_stars, focal_firm_score, focal_firms,
                    giuliani_bell_roles)

__all__ = ["AUTO_SAMPLES", "EXACT_LIMIT", "MEASURE_COLUMNS", "analyze", "cluster_summary", "firm_table"]

EXACT_LIMIT = 10_000
AUTO_SAMPLES = 500

MEASURE_COLUMNS = (
    "in_degree", "out_degree", "degree", "in_strength", "out_strength", "strength", "ego_size",
    "tie_strength", "betweenness", "closeness_in", "closeness_out", "eigenvector", "pagerank",
    "constraint", "effective_size", "coreness", "core", "community", "external_openness",
    "gb_role", "external_star", "focal_score", "focal_candidate",
)
GF_COLUMNS = tuple(f"gf_{r}" for r in ROLES) + ("gf_total",)

_THRESHOLD_KEYS = {"in_degree": "mean", "out_degree": "mean", "openness": "mean",
                   "closure": 0.3, "homogeneity": 0.7, "external_share": 0.25}


def _json(x):
    """A JSON-serialisable copy: numpy scalars to Python, NaN/inf to None."""
    if isinstance(x, Mapping):
        return {str(k): _json(v) for k, v in x.items()}
    if isinstance(x, (list, tuple, np.ndarray)):
        return [_json(v) for v in x]
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return float(x) if math.isfinite(x) else None
    if x is None or isinstance(x, str):
        return x
    return str(x)


def _nanmean(x):
    x = np.asarray(x, np.float64)
    x = x[np.isfinite(x)]
    return float(x.mean()) if x.size else None


def analyze(net, group: str | None = None, proximity=None, *, thresholds: Mapping | None = None,
            weighted: bool = False, samples="auto", exact_limit: int = EXACT_LIMIT, seed: int = 0,
            focal_top: float = 0.05) -> tuple[pd.DataFrame, dict]:
    """All per-actor measures (a DataFrame, one row per actor) and cluster indicators (a dict).

    Parameters
    ----------
    net
        A ClusterNetwork.
    group
        Attribute column for Gould & Fernandez brokerage roles (e.g. ``"kind"``, ``"stage"``);
        None skips them.
    proximity
        Optional N x N proximity matrix (array, sparse, or DataFrame labelled by ids) for
        the lock-in indicator "cognitive homogeneity".
    thresholds
        Overrides of ``{"in_degree": "mean", "out_degree": "mean", "openness": "mean"}``
        (Giuliani & Bell roles: "mean", "median" or a number) and of the lock-in thresholds
        ``{"closure": 0.3, "homogeneity": 0.7, "external_share": 0.25}``.
    weighted
        Tie strengths in betweenness/closeness (length 1/w), eigenvector and PageRank;
        default 0/1 ties. Strengths, Burt's measures (weighted) and Leiden (weighted) do
        not depend on it.
    samples, exact_limit
        ``"auto"``: exact betweenness/closeness up to ``exact_limit`` actors, else estimated
        from ``AUTO_SAMPLES`` sources; None: always exact; an integer: that many sources.
    seed
        Seed of the source sample and of Leiden.
    focal_top
        Share (< 1) or number (>= 1) of focal-firm candidates.

    Returns
    -------
    (table, summary)
        ``table``: ``id``, the attribute columns (an attribute whose name is a measure column
        is renamed ``attr_<name>``), then :data:`MEASURE_COLUMNS` and, with ``group``,
        :data:`GF_COLUMNS`. ``summary``: a JSON-serialisable dict (see
        :func:`cluster_summary`).
    """
    th = dict(_THRESHOLD_KEYS)
    for k, v in (thresholds or {}).items():
        if k not in th:
            raise MeasureError(f"unknown threshold {k!r}; known: {sorted(th)}")
        th[k] = v
    p = prepare(net)
    n = p.n
    if samples == "auto":
        k = AUTO_SAMPLES if n > exact_limit else None
    elif samples is None:
        k = None
    else:
        k = int(samples)
    k = None if k is not None and k >= n else k

    bt = betweenness(p, weighted=weighted, samples=k, seed=seed)
    cp = core_periphery(p)
    comm = leiden(p, seed=seed)
    opn = external_openness(p)
    gb_kw = dict(in_threshold=th["in_degree"], out_threshold=th["out_degree"],
                 openness_threshold=th["openness"])
    fscore = focal_firm_score(p, betweenness_values=bt)
    cols = {
        "in_degree": in_degree(p).astype(np.int64),
        "out_degree": out_degree(p).astype(np.int64),
        "degree": degree(p).astype(np.int64),
        "in_strength": in_degree(p, weighted=True),
        "out_strength": out_degree(p, weighted=True),
        "strength": degree(p, weighted=True),
        "ego_size": ego_network_size(p),
        "tie_strength": tie_strength(p),
        "betweenness": bt,
        "closeness_in": closeness(p, mode="in", weighted=weighted, samples=k, seed=seed),
        "closeness_out": closeness(p, mode="out", weighted=weighted, samples=k, seed=seed),
        "eigenvector": eigenvector(p, weighted=weighted),
        "pagerank": pagerank(p, weighted=weighted),
        "constraint": burt_constraint(p),
        "effective_size": burt_effective_size(p),
        "coreness": cp.coreness,
        "core": cp.core,
        "community": comm.membership,
        "external_openness": opn,
        "gb_role": giuliani_bell_roles(p, **gb_kw),
        "external_star": external_stars(p, **gb_kw),
        "focal_score": fscore,
        "focal_candidate": focal_firms(p, top=focal_top, score=fscore),
    }
    gf = None
    if group is not None:
        gf = gould_fernandez(p, group)
        for r in ROLES:
            cols[f"gf_{r}"] = gf[r]
        cols["gf_total"] = sum(gf[r] for r in ROLES)

    attrs = p.attributes
    if attrs is None:
        attrs = pd.DataFrame({"id": p.net.ids})
    if len(attrs) != n:
        raise MeasureError(f"attributes have {len(attrs)} rows for {n} actors")
    table = attrs.reset_index(drop=True).copy()
    if "id" not in table.columns:
        table.insert(0, "id", p.net.ids)
    table = table.rename(columns={c: f"attr_{c}" for c in table.columns if c in cols})
    table = pd.concat([table, pd.DataFrame(cols)], axis=1)

    n_comp, largest = components(p)
    roles = cols["gb_role"]
    method = "exact" if k is None else f"sampled from {k} sources (seed {seed})"
    summary = {
        "n_actors": n,
        "n_ties": p.m,
        "directed": p.directed,
        "self_loops_dropped": p.self_loops,
        "parallel_ties_merged": p.merged,
        "density": density(p),
        "reciprocity": reciprocity(p) if p.directed else None,
        "transitivity": transitivity(p),
        "n_components": n_comp,
        "largest_component": largest,
        "largest_component_share": largest / n if n else None,
        "n_strong_components": components(p, mode="strong")[0] if p.directed else None,
        "mean_degree": float(cols["degree"].mean()) if n else None,
        "mean_ego_size": float(cols["ego_size"].mean()) if n else None,
        "degree_centralization": degree_centralization(p),
        "mean_tie_strength": mean_tie_strength(p),
        "mean_constraint": _nanmean(cols["constraint"]),
        "mean_effective_size": _nanmean(cols["effective_size"]),
        "core_size": int(cp.core.sum()),
        "core_fit": cp.fit_discrete,
        "coreness_fit": cp.fit_continuous,
        "core_pattern": cp.pattern,
        "coreness_converged": cp.converged,
        "n_communities": comm.count,
        "modularity": comm.modularity,
        "gb_roles": {r: int((roles == r).sum()) for r in GB_ROLES},
        "external_stars": int(cols["external_star"].sum()),
        "external_openness_mean": _nanmean(opn),
        "n_focal_candidates": int(cols["focal_candidate"].sum()),
        "focal_candidates": [str(i) for i in np.asarray(p.net.ids)[cols["focal_candidate"]]],
        "brokerage": (None if gf is None else
                      {"group": group if isinstance(group, str) else "custom",
                       **{r: int(gf[r].sum()) for r in ROLES}}),
        "lock_in": lock_in_indicators(p, proximity, closure_threshold=float(th["closure"]),
                                      homogeneity_threshold=float(th["homogeneity"]),
                                      openness_threshold=float(th["external_share"])),
        "methods": {
            "betweenness": f"{method}, normalised as networkx, {'1/weight lengths' if weighted else 'hop counts'}",
            "closeness": f"harmonic (mean inverse distance, 0 if unreachable), {method}",
            "eigenvector": "left eigenvector (asked by central actors), max = 1",
            "pagerank": "damping 0.85, walk from asker to advisor",
            "constraint": "Burt 1992, tie weights summed over both directions",
            "core_periphery": "Borgatti & Everett 1999, minres coreness; discrete core with "
                              "core-periphery pairs ignored",
            "communities": f"Leiden, modularity, weighted, seed {seed}",
            "samples": k,
            "seed": seed,
        },
    }
    return table, _json(summary)


def firm_table(net, group: str | None = None, thresholds: Mapping | None = None, **kwargs) -> pd.DataFrame:
    """One row per actor: ``id``, attributes, every per-actor measure and role (see
    :func:`analyze`, which also gives the cluster summary without recomputing)."""
    return analyze(net, group, thresholds=thresholds, **kwargs)[0]


def cluster_summary(net, group: str | None = None, proximity=None, thresholds: Mapping | None = None,
                    **kwargs) -> dict:
    """Every cluster-level indicator as a JSON-serialisable dict (see :func:`analyze`).

    Keys: n_actors, n_ties, directed, self_loops_dropped, parallel_ties_merged, density,
    reciprocity, transitivity, n_components, largest_component, largest_component_share,
    n_strong_components, mean_degree, mean_ego_size, degree_centralization,
    mean_tie_strength, mean_constraint, mean_effective_size, core_size, core_fit,
    coreness_fit, core_pattern, coreness_converged, n_communities, modularity, gb_roles,
    external_stars, external_openness_mean, n_focal_candidates, focal_candidates,
    brokerage, lock_in, methods. NaN values are None.
    """
    return analyze(net, group, proximity, thresholds=thresholds, **kwargs)[1]

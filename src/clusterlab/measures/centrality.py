"""Actor-level measures of the structural dimension: centrality, network size, structural holes.

Wang (2013, *Collective learning mechanism and influencing factors of industrial cluster
innovation network*) measures a firm's structural position by "network centrality, network
size and network openness" (after Nahapiet & Ghoshal 1998) and points to Burt's (1992)
structural holes; the relational dimension is tie strength. This module gives each of these
per actor, as numpy arrays aligned with ``net.ids``. Openness is in
:mod:`clusterlab.measures.roles` (it comes from attributes, not from the network).

All functions take a :class:`~clusterlab.data.ClusterNetwork` (or the result of
:func:`clusterlab.measures.prepare`) and work on its simple graph (self-loops dropped,
parallel edges merged with summed weights; see :mod:`clusterlab.measures._graph`).

Direction: ``src -> dst`` means src asks dst, so knowledge flows dst -> src.
*In*-ties of an actor are the actors asking it (it is a knowledge **source**), *out*-ties
the actors it asks (it **absorbs** knowledge). On undirected networks in = out = all ties.

Weights are tie strengths. Degree-type measures sum them (``weighted=True``); path-based
measures (betweenness, closeness) use the tie length ``1 / weight`` so that strong ties are
short; eigenvector centrality and PageRank use the weight as the tie's intensity.
The path-based and spectral measures call igraph's C routines.
"""

from __future__ import annotations

import warnings

import numpy as np

from ._graph import MeasureError, prepare

__all__ = [
    "betweenness",
    "burt_constraint",
    "burt_effective_size",
    "closeness",
    "degree",
    "ego_network_size",
    "eigenvector",
    "in_degree",
    "out_degree",
    "pagerank",
    "tie_strength",
]


# ------------------------------------------------------------------------------ degrees


def _degree(p, counts, strengths, weighted, normalized):
    x = strengths.astype(np.float64) if weighted else counts.astype(np.float64)
    if normalized:
        x = x / (p.n - 1) if p.n > 1 else np.zeros(p.n)
    return x


def in_degree(net, *, weighted: bool = False, normalized: bool = False) -> np.ndarray:
    """In-degree of each actor: how many actors ask it for advice (a knowledge source).

    Freeman (1979) degree centrality on the in-ties. Unweighted: number of distinct actors
    asking it; ``weighted=True``: the sum of the strengths of those ties (networkx
    ``G.in_degree(weight="weight")``). ``normalized=True`` divides by ``n - 1`` (networkx
    ``in_degree_centrality``). Undirected networks: the degree.

    Freeman, L.C. (1979) Centrality in social networks: conceptual clarification.
    *Social Networks* 1, 215-239.
    """
    p = prepare(net)
    return _degree(p, p.in_count, p.in_strength, weighted, normalized)


def out_degree(net, *, weighted: bool = False, normalized: bool = False) -> np.ndarray:
    """Out-degree of each actor: how many actors it asks for advice (it absorbs knowledge).

    As :func:`in_degree` on the out-ties (networkx ``G.out_degree``,
    ``out_degree_centrality``). Undirected networks: the degree.
    """
    p = prepare(net)
    return _degree(p, p.out_count, p.out_strength, weighted, normalized)


def degree(net, *, weighted: bool = False, normalized: bool = False) -> np.ndarray:
    """Total degree: in-degree + out-degree on directed networks, the degree on undirected.

    As networkx ``G.degree`` (a reciprocated pair counts twice on a directed network; for
    the number of distinct partners see :func:`ego_network_size`). ``normalized=True``
    divides by ``n - 1`` as networkx ``degree_centrality`` (so a directed value can exceed 1).
    Freeman (1979).
    """
    p = prepare(net)
    if not p.directed:
        return _degree(p, p.und_count, p.und_strength, weighted, normalized)
    return _degree(p, p.in_count + p.out_count, p.in_strength + p.out_strength, weighted, normalized)


def ego_network_size(net) -> np.ndarray:
    """Network size of each actor: the number of distinct alters it is tied to, either way.

    The "network size" of Wang's (2013) structural dimension (Nahapiet & Ghoshal 1998; the
    size of the ego network, Burt 1992): ``|N_in(i) | N_out(i)|`` (int64).
    """
    return prepare(net).und_count.copy()


def tie_strength(net) -> np.ndarray:
    """Mean strength of each actor's ties (relational dimension; NaN for isolated actors).

    The mean weight over the distinct ties incident to the actor (in and out; on a directed
    network a reciprocated pair contributes both directed ties). Strong versus weak ties:
    Granovetter (1973); Wang (2013) after Powell et al. (2005) and Uzzi (1997).
    """
    p = prepare(net)
    if p.directed:
        s, c = p.in_strength + p.out_strength, p.in_count + p.out_count
    else:
        s, c = p.und_strength, p.und_count
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(c > 0, s / np.maximum(c, 1), np.nan)


# ------------------------------------------------------------------------------ paths


def _lengths(p, weighted):
    if not weighted:
        return None
    if p.m and p.weight.min() <= 0:
        raise MeasureError("weighted path measures need positive tie weights (length = 1 / weight)")
    return p.inverse_weight


def _sources(n, samples, seed):
    if samples is None or samples >= n:
        return None
    samples = int(samples)
    if samples < 1:
        raise MeasureError(f"samples must be a positive integer or None, got {samples}")
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n, size=samples, replace=False)).tolist()


def betweenness(net, *, normalized: bool = True, weighted: bool = False, directed: bool = True,
                samples: int | None = None, seed: int = 0) -> np.ndarray:
    """Betweenness centrality (Freeman 1977): share of shortest paths passing through an actor.

    ``b(v) = sum_{s != v != t} sigma_st(v) / sigma_st`` over ordered pairs on directed
    networks (unordered on undirected ones), computed with igraph (Brandes 2001).

    Parameters
    ----------
    normalized
        As networkx ``betweenness_centrality(normalized=True)``: divide by
        ``(n - 1)(n - 2)`` on directed networks and by ``(n - 1)(n - 2) / 2`` on undirected
        ones; ``False`` gives the raw counts (networkx ``normalized=False``).
    weighted
        Use tie lengths ``1 / weight`` (strong ties are short); default hop counts.
    directed
        Follow tie direction on directed networks (default). Betweenness is unchanged by
        reversing every tie, so it does not matter whether paths are read as advice
        requests or as knowledge flows. ``False`` uses the undirected view.
    samples
        ``None`` (default): exact, ``O(n m)`` time. An integer ``k < n``: the Brandes & Pich
        (2007) pivot estimate, ``n / k`` times the betweenness of the paths from ``k``
        uniformly drawn sources (seeded by ``seed``), unbiased, ``O(k m)`` time.

    Brandes, U. (2001) A faster algorithm for betweenness centrality. *J. Math. Sociol.* 25,
    163-177. Brandes, U. & Pich, C. (2007) Centrality estimation in large networks.
    *Int. J. Bifurcation and Chaos* 17, 2303-2318. Freeman, L.C. (1977) *Sociometry* 40, 35-41.
    """
    p = prepare(net)
    n = p.n
    use_dir = p.directed and directed
    g = p.graph if use_dir else p.und_graph
    lengths = _lengths(p, weighted)
    if lengths is not None and g is p.und_graph and p.directed:
        lengths = 1.0 / p.und_edges[2]
    sources = _sources(n, samples, seed)
    if n == 0:
        return np.zeros(0)
    if sources is None:
        b = np.asarray(g.betweenness(directed=use_dir, weights=lengths), np.float64)
    else:
        b = np.asarray(g.betweenness(directed=use_dir, weights=lengths, sources=sources), np.float64)
        b *= n / len(sources)
    if normalized and n > 2:
        scale = (n - 1) * (n - 2)
        b = b / scale if use_dir else 2.0 * b / scale
    return b


def closeness(net, *, mode: str = "in", kind: str = "harmonic", weighted: bool = False,
              samples: int | None = None, seed: int = 0, chunk: int = 64) -> np.ndarray:
    """Closeness centrality, defined so that it works on disconnected networks.

    Parameters
    ----------
    mode
        ``"in"`` (default, networkx's convention): distances *from* the other actors *to* v
        along the ties, ``d(u, v)``. Since u -> ... -> v is a chain of advice requests,
        v's knowledge reaches u along it: in-closeness is closeness **as a knowledge
        source**. ``"out"``: distances from v to the others, how close the knowledge v can
        draw on is (closeness **as an absorber**; networkx on ``G.reverse()``). ``"all"``:
        the undirected view. Undirected networks ignore ``mode``.
    kind
        ``"harmonic"`` (default): ``H(v) = sum_{u != v} 1 / d(u, v) / (n - 1)`` with
        ``1 / inf = 0`` (Marchiori & Latora 2000; Rochat 2009): networkx
        ``harmonic_centrality`` divided by ``n - 1`` (igraph's ``normalized=True``).
        ``"wf"``: networkx's ``closeness_centrality`` (default ``wf_improved=True``), the
        Wasserman & Faust (1994) form ``(r - 1) / (n - 1) * (r - 1) / sum_u d(u, v)`` over
        the ``r - 1`` actors u that reach v (0 if none); exact only.
    weighted
        Tie lengths ``1 / weight``; default hop counts.
    samples
        ``None``: exact (``O(n m)``). An integer ``k < n`` (harmonic only): the unbiased
        estimate ``n / k * sum_{u in S, u != v} 1 / d(u, v) / (n - 1)`` from ``k`` uniformly
        drawn actors S (Eppstein & Wang 2004), ``O(k m)``, in chunks of ``chunk`` sources.

    Freeman, L.C. (1979) *Social Networks* 1, 215-239. Marchiori, M. & Latora, V. (2000)
    Harmony in the small-world. *Physica A* 285, 539-546. Wasserman, S. & Faust, K. (1994)
    *Social Network Analysis*, CUP. Eppstein, D. & Wang, J. (2004) Fast approximation of
    centrality. *J. Graph Algorithms Appl.* 8, 39-45.
    """
    if mode not in ("in", "out", "all"):
        raise MeasureError(f"closeness mode must be 'in', 'out' or 'all', got {mode!r}")
    if kind not in ("harmonic", "wf"):
        raise MeasureError(f"closeness kind must be 'harmonic' or 'wf', got {kind!r}")
    p = prepare(net)
    n = p.n
    if n <= 1:
        return np.zeros(n)
    if not p.directed or mode == "all":
        g, lengths = p.und_graph, _lengths(p, weighted)
        if lengths is not None and p.directed:
            lengths = 1.0 / p.und_edges[2]
        mode = "all"
    else:
        g, lengths = p.graph, _lengths(p, weighted)
    sources = _sources(n, samples, seed)
    if kind == "wf":
        if sources is not None:
            raise MeasureError("closeness kind='wf' is exact only; use kind='harmonic' with samples")
        c = np.asarray(g.closeness(mode=mode, weights=lengths, normalized=True), np.float64)
        c = np.nan_to_num(c, nan=0.0)
        # r(v): actors reaching v (mode "in"), reached by v ("out"), or v's component ("all")
        r = np.asarray(g.neighborhood_size(order=n, mode=mode), np.float64)
        return c * (r - 1) / (n - 1)
    if sources is None:
        return np.asarray(g.harmonic_centrality(mode=mode, weights=lengths, normalized=True), np.float64)
    # estimate: distances from sampled u to every v (mode "in" needs d(u, v): BFS out of u)
    dmode = {"in": "out", "out": "in", "all": "all"}[mode]
    total = np.zeros(n)
    for start in range(0, len(sources), chunk):
        block = sources[start:start + chunk]
        d = np.asarray(g.distances(source=block, mode=dmode, weights=lengths), np.float64)
        with np.errstate(divide="ignore"):
            inv = 1.0 / d
        inv[~np.isfinite(inv)] = 0.0  # unreachable (inf) and u == v (0)
        total += inv.sum(axis=0)
    return total * (n / len(sources)) / (n - 1)


# ------------------------------------------------------------------------------ spectral


def eigenvector(net, *, weighted: bool = False, scale: str = "max") -> np.ndarray:
    """Eigenvector centrality (Bonacich 1972): central actors are tied to central actors.

    The Perron eigenvector x of ``A^T x = lambda x`` (igraph, ARPACK). On directed networks
    it is the *left* eigenvector, ``x_v ~ sum_{u -> v} x_u``: an actor is central when it is
    **asked** by actors who are themselves asked (prestige as a knowledge source), as in
    networkx ``eigenvector_centrality``. Undirected networks: the usual symmetric form.

    ``scale="max"`` (default) divides by the largest value (igraph's convention, maximum 1);
    ``scale="l2"`` gives unit Euclidean norm (networkx's convention). ``weighted=True`` uses
    tie strengths as intensities.

    The measure is meaningful on a connected (directed: strongly connected) network; on
    others the mass concentrates on the dominant component and the rest is near 0 (igraph's
    warning about that is silenced here); on a network without cycles it is 0 everywhere.

    Bonacich, P. (1972) Factoring and weighting approaches to status scores and clique
    identification. *J. Math. Sociol.* 2, 113-120.
    """
    if scale not in ("max", "l2"):
        raise MeasureError(f"eigenvector scale must be 'max' or 'l2', got {scale!r}")
    p = prepare(net)
    if p.n == 0:
        return np.zeros(0)
    if p.m == 0:
        return np.zeros(p.n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        x = np.asarray(p.graph.eigenvector_centrality(
            directed=True, weights="weight" if weighted else None), np.float64)
    x = np.abs(x)
    norm = x.max() if scale == "max" else np.linalg.norm(x)
    return x / norm if norm > 0 else x


def pagerank(net, *, damping: float = 0.85, weighted: bool = False) -> np.ndarray:
    """PageRank (Brin & Page 1998): the stationary share of a random walk along the ties.

    The walker follows ties ``src -> dst``, from the asker to the advisor, so PageRank is
    high for actors that are asked by actors that are themselves asked: prestige as a
    knowledge source (Katz-like, but bounded). With probability ``1 - damping`` it jumps to a
    uniformly chosen actor; actors asking nobody jump uniformly (networkx ``pagerank``
    defaults; igraph's PRPACK solver). Values sum to 1. ``weighted=True``: the walker picks
    ties in proportion to their strength.

    Brin, S. & Page, L. (1998) The anatomy of a large-scale hypertextual web search engine.
    *Computer Networks and ISDN Systems* 30, 107-117.
    """
    p = prepare(net)
    if p.n == 0:
        return np.zeros(0)
    return np.asarray(p.graph.pagerank(directed=True, damping=damping,
                                       weights="weight" if weighted else None), np.float64)


# ------------------------------------------------------------------------------ Burt


def _burt(net, weighted, func):
    p = prepare(net)
    indptr, indices, w = p.und_csr
    if not weighted:
        # each directed tie counts 1, so a reciprocated pair weighs 2 (networkx weight=None)
        if p.directed:
            a, b = p.src, p.dst
            from .structural_holes import csr_from_edges

            indptr, indices, w = csr_from_edges(p.n, a, b, np.ones(a.size))
        else:
            w = np.ones_like(w)
    return func(indptr, indices, w)


def burt_constraint(net, *, weighted: bool = True) -> np.ndarray:
    """Burt's (1992) constraint of each actor (low = spans structural holes); NaN if isolated.

    ``c_i = sum_j (p_ij + sum_{q != i, j} p_iq p_qj)^2`` over i's alters (in and out) with
    ``p_ij = (w_ij + w_ji) / sum_k (w_ik + w_ki)``, the proportion of i's network time and
    energy invested in j. Computed by :func:`clusterlab.measures.constraint` on the
    undirected view with both directions' weights summed, which is networkx's
    ``constraint`` on the directed graph (mutual weights). ``weighted=False`` counts every
    directed tie as 1 (networkx ``weight=None``).

    Burt, R.S. (1992) *Structural Holes: The Social Structure of Competition*. Harvard UP.
    """
    from .structural_holes import constraint

    return _burt(net, weighted, constraint)


def burt_effective_size(net, *, weighted: bool = True) -> np.ndarray:
    """Burt's (1992) effective size of each actor: non-redundant alters; NaN if isolated.

    ``e_i = sum_j (1 - sum_q p_iq m_jq)`` with ``m_jq = (w_jq + w_qj) / max_k (w_jk + w_kj)``;
    computed by :func:`clusterlab.measures.effective_size` on the undirected view (weights
    of both directions summed), equal to networkx ``effective_size`` on the directed graph.
    ``weighted=False`` counts every directed tie as 1.

    Burt, R.S. (1992) *Structural Holes*. Harvard UP.
    """
    from .structural_holes import effective_size

    return _burt(net, weighted, effective_size)

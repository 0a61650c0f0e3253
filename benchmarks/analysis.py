"""Run time of the network measures (clusterlab.measures) at scale, and against networkx.

    python benchmarks/analysis.py                       # 100,000 actors / 1,000,000 ties + 5,000 vs networkx
    python benchmarks/analysis.py --nodes 20000 --edges 200000 --nx-nodes 2000
    python benchmarks/analysis.py --skip-nx              # only the large graph
    python benchmarks/analysis.py --nx-exact-limit 0     # networkx betweenness/closeness also sampled
    python benchmarks/analysis.py --skip-large --quick   # 5,000 vs networkx without the path measures

The test graph is a spatially local random directed graph: actors uniform in the unit
square, each tie's asker drawn uniformly (so out-degrees are Poisson), its advisor one of
the asker's 30 nearest neighbours, except for 2% long-range ties to any actor; the first
`edges` distinct pairs are kept (no parallel ties, no self-loops). Attributes:
`kind` (six kinds, the Gould-Fernandez group) and `external_ties` (Poisson 0.5).

Part 1 times every measure on the large graph the way `clusterlab analyze` computes it
(`clusterlab.measures.analyze` defaults: above 10,000 actors betweenness and closeness are
estimated from 500 sources), each measure separately and then `analyze` end to end. Numba
kernels are compiled (or loaded from cache) on a tiny graph first and that time is printed
separately.

Part 2 times the same measures on a 5,000-actor graph with clusterlab (exact, as `analyze`
does below 10,000 actors) and with networkx, and prints the ratio networkx / clusterlab.
networkx has no Borgatti-Everett core/periphery or Gould-Fernandez brokerage; Leiden is
compared with networkx's Louvain (networkx's own Leiden needs a backend).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
import pandas as pd


def spatial_graph(n: int, m: int, seed: int = 0, k_near: int = 30, long_range: float = 0.02):
    """A spatially local random directed ClusterNetwork: n actors, m distinct ties."""
    from scipy.spatial import cKDTree

    from clusterlab.data import ClusterNetwork

    rng = np.random.default_rng(seed)
    xy = rng.random((n, 2))
    k = min(k_near, n - 1)
    _, nb = cKDTree(xy).query(xy, k=k + 1)
    nb = nb[:, 1:]
    draw = int(m * 1.3) + 100
    src = rng.integers(0, n, draw)
    dst = nb[src, rng.integers(0, k, draw)]
    far = rng.random(draw) < long_range
    dst[far] = rng.integers(0, n, int(far.sum()))
    # keep the first m distinct (asker, advisor) pairs, no self-loops
    keep = src != dst
    src, dst = src[keep], dst[keep]
    _, first = np.unique(src * n + dst, return_index=True)
    first = np.sort(first)[:m]
    if first.size < m:
        raise ValueError(f"could not draw {m} distinct ties among {n} actors")
    src, dst = src[first], dst[first]
    w = rng.uniform(0.1, 1.0, src.size)
    ids = np.array([f"a{i}" for i in range(n)], dtype=object)
    net = ClusterNetwork(ids=ids, src=src, dst=dst, weight=w, directed=True)
    kinds = np.array(["sme", "focal", "university", "institute", "intermediary", "external"])
    net.attributes = pd.DataFrame({
        "id": ids,
        "kind": kinds[rng.choice(6, size=n, p=[0.7, 0.05, 0.05, 0.05, 0.05, 0.1])],
        "external_ties": rng.poisson(0.5, n),
        "x": xy[:, 0], "y": xy[:, 1],
    })
    return net


def timed(f, *a, **kw):
    t = time.perf_counter()
    r = f(*a, **kw)
    return r, time.perf_counter() - t


def ours_measures(samples):
    """(name, function of a prepared network) in the order `analyze` computes them."""
    import clusterlab.measures as M

    return [
        ("degrees (in/out/total, counts+strengths)", lambda p: [M.in_degree(p), M.out_degree(p), M.degree(p),
                                                               M.in_degree(p, weighted=True),
                                                               M.out_degree(p, weighted=True),
                                                               M.degree(p, weighted=True),
                                                               M.ego_network_size(p), M.tie_strength(p)]),
        ("betweenness", lambda p: M.betweenness(p, samples=samples)),
        ("closeness in (harmonic)", lambda p: M.closeness(p, mode="in", samples=samples)),
        ("closeness out (harmonic)", lambda p: M.closeness(p, mode="out", samples=samples)),
        ("eigenvector", lambda p: M.eigenvector(p)),
        ("pagerank", lambda p: M.pagerank(p)),
        ("Burt constraint", lambda p: M.burt_constraint(p)),
        ("Burt effective size", lambda p: M.burt_effective_size(p)),
        ("density+reciprocity+transitivity+components", lambda p: [M.density(p), M.reciprocity(p),
                                                                  M.transitivity(p), M.components(p),
                                                                  M.components(p, mode="strong")]),
        ("core-periphery (B&E)", lambda p: M.core_periphery(p)),
        ("Leiden communities", lambda p: M.leiden(p)),
        ("Gould-Fernandez brokerage (kind)", lambda p: M.gould_fernandez(p, "kind")),
        ("Giuliani-Bell roles + external stars", lambda p: [M.giuliani_bell_roles(p), M.external_stars(p)]),
        ("lock-in indicators", lambda p: M.lock_in_indicators(p)),
    ]


def nx_measures():
    import networkx as nx

    return {
        "degrees (in/out/total, counts+strengths)": lambda G: [dict(G.in_degree()), dict(G.out_degree()),
                                                              dict(G.degree()),
                                                              dict(G.in_degree(weight="weight")),
                                                              dict(G.out_degree(weight="weight")),
                                                              dict(G.degree(weight="weight"))],
        "betweenness": lambda G: nx.betweenness_centrality(G),
        "closeness in (harmonic)": lambda G: nx.harmonic_centrality(G),
        "closeness out (harmonic)": lambda G: nx.harmonic_centrality(G.reverse(copy=False)),
        "eigenvector": lambda G: nx.eigenvector_centrality_numpy(G),
        "pagerank": lambda G: nx.pagerank(G),
        # networkx's default (all nodes) sparse-matrix paths; its per-node definition path
        # (nodes=list(G)) is ~100 s at 5,000 actors. For weighted graphs its effective_size
        # matrix path disagrees with its definition path (clusterlab matches the definition).
        "Burt constraint": lambda G: nx.constraint(G, weight="weight"),
        "Burt effective size": lambda G: nx.effective_size(G, weight="weight"),
        "density+reciprocity+transitivity+components": lambda G: [
            nx.density(G), nx.reciprocity(G), nx.transitivity(G.to_undirected(as_view=True)),
            nx.number_weakly_connected_components(G), nx.number_strongly_connected_components(G)],
        "Leiden communities": lambda G: nx.community.louvain_communities(G.to_undirected(), seed=0),
    }


def warm_up():
    """Compile (or load from numba's cache) every numba kernel on a tiny graph."""
    import clusterlab.measures as M

    small = spatial_graph(200, 2000, seed=1)
    _, t = timed(M.analyze, small, "kind")
    return t


def part1(n, m, seed):
    import clusterlab.measures as M

    print(f"== {n:,} actors, {m:,} distinct directed ties (spatially local) ==")
    net, tg = timed(spatial_graph, n, m, seed)
    p, tp = timed(M.prepare, net)
    print(f"generate graph {tg:6.2f} s; prepare (simple graph: {p.m:,} distinct ties) {tp:6.2f} s")
    _, tb = timed(lambda: (p.graph, p.und_graph, p.und_csr, p.out_csr, p.in_csr))
    print(f"build igraph graphs + CSR views                  {tb:6.2f} s")
    samples = M.table.AUTO_SAMPLES if n > M.table.EXACT_LIMIT else None
    total = tb
    for name, f in ours_measures(samples):
        _, t = timed(f, p)
        total += t
        print(f"  {name:44s} {t:7.2f} s")
    print(f"  {'sum of the measures above':44s} {total:7.2f} s")
    (table, summary), ta = timed(M.analyze, net, "kind")
    print(f"analyze(net, 'kind') end to end (fresh network) {ta:7.2f} s  -> {table.shape[0]:,} rows x "
          f"{table.shape[1]} columns; betweenness/closeness {summary['methods']['samples'] or 'exact'} sources")
    return ta


PATHS = ("betweenness", "closeness in (harmonic)", "closeness out (harmonic)")  # networkx: minutes


def part2(n, m, seed, nx_exact_limit, quick=False):
    import clusterlab.measures as M

    net = spatial_graph(n, m, seed)
    p = M.prepare(net)
    import networkx as nx

    G = nx.DiGraph()  # the same simple graph (the generator draws no parallel ties)
    G.add_nodes_from(range(n))
    G.add_weighted_edges_from(zip(p.src.tolist(), p.dst.tolist(), p.weight.tolist()))
    print(f"\n== clusterlab vs networkx: {n:,} actors, {p.m:,} distinct directed ties ==")
    samples = None if n <= nx_exact_limit else M.table.AUTO_SAMPLES
    ref = nx_measures()
    print(f"  {'measure':44s} {'clusterlab':>11s} {'networkx':>11s} {'ratio':>8s}")
    tot_o = tot_n = 0.0
    _, t0 = timed(lambda: (p.graph, p.und_graph, p.und_csr, p.out_csr, p.in_csr))
    tot_o += t0
    for name, f in ours_measures(samples):
        if quick and name in PATHS:
            continue
        _, to = timed(f, p)
        tot_o += to
        if name in ref:
            _, tn = timed(ref[name], G)
            tot_n += tn
            print(f"  {name:44s} {to:10.3f}s {tn:10.3f}s {tn / max(to, 1e-9):7.0f}x")
        else:
            print(f"  {name:44s} {to:10.3f}s {'n/a':>11s}")
    print(f"  {'total (incl. conversion)':44s} {tot_o:10.3f}s {tot_n:10.3f}s {tot_n / tot_o:7.0f}x")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nodes", type=int, default=100_000)
    ap.add_argument("--edges", type=int, default=1_000_000)
    ap.add_argument("--nx-nodes", type=int, default=5_000)
    ap.add_argument("--nx-exact-limit", type=int, default=10_000,
                    help="exact betweenness/closeness in part 2 up to this many actors (default 10,000)")
    ap.add_argument("--skip-nx", action="store_true")
    ap.add_argument("--skip-large", action="store_true")
    ap.add_argument("--quick", action="store_true", help="part 2 without betweenness and closeness")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    import clusterlab  # noqa: F401  (first: its thread settings, before numba and igraph load)
    import numba

    print(f"python {sys.version.split()[0]}, numba threads {numba.get_num_threads()}, cpus {os.cpu_count()}")
    print(f"numba warm-up (compile or load cache) {warm_up():.2f} s")
    if not a.skip_large:
        t = part1(a.nodes, a.edges, a.seed)
        print(f"\nall measures at {a.nodes:,}/{a.edges:,}: {t:.1f} s (target <= 60 s): "
              f"{'OK' if t <= 60 else 'TOO SLOW'}")
    if not a.skip_nx:
        part2(a.nx_nodes, a.nx_nodes * a.edges // a.nodes, a.seed, a.nx_exact_limit, a.quick)


if __name__ == "__main__":
    main()

"""The network read from a file (`ClusterNetwork`), the error of the readers (`DataError`),
and `build_network`, the last step every reader shares.

Direction: an edge ``src -> dst`` means "src asks dst for advice" (a survey row names the
firms it turns to), so knowledge flows from dst to src. In a labelled adjacency matrix rows
ask columns.
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..errors import ClusterlabError


MAX_ACTORS = 2_000_000  # actors a file may declare (twice the largest cluster benchmarked)
MAX_MATRIX = 10_000  # labels of a matrix file (its N x N values take 8 N^2 bytes)
MAX_WEIGHT = 1e12  # largest tie weight: sums and squares of weights stay finite


def weight_ok(w: float) -> bool:
    """Whether a tie weight is valid: a finite number from 0 to MAX_WEIGHT."""
    return 0 <= w <= MAX_WEIGHT  # False for NaN and inf


WEIGHT_RULE = "a number from 0 to 1e12"


class DataError(ClusterlabError):
    """A network or attribute file cannot be read; the message names the file and line."""


@dataclass
class ClusterNetwork:
    """A network of N actors and M edges, with optional per-actor attributes.

    ids:        labels of the actors, length N (str)
    src, dst:   int64 edge ends (positions in ids), length M; src asks dst
    weight:     float64 edge weights (1 where the file has none)
    layer:      str edge layers, or None when the file has none
    directed:   whether ties are directed (undirected: one edge per pair, src < dst)
    attributes: DataFrame with N rows aligned with ids (column `id` first)
    source:     the file it came from
    notes:      what the reader did: format, delimiter, encoding, self-loops dropped, ...
    missing:    int64 (K, 2) cells (src, dst) the survey did not observe (a matrix cell
                `NA`: a non-respondent's row, an item left unanswered); empty when none.
                They are not ties; `unknown_pairs` says which pairs they leave unknown
    """

    ids: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    weight: np.ndarray
    layer: np.ndarray | None = None
    directed: bool = True
    attributes: pd.DataFrame = field(default=None)
    source: str = ""
    notes: dict = field(default_factory=dict)
    missing: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.ids = np.asarray(self.ids, dtype=object)
        self.src = np.asarray(self.src, np.int64)
        self.dst = np.asarray(self.dst, np.int64)
        self.weight = np.asarray(self.weight, np.float64)
        if self.attributes is None:
            self.attributes = pd.DataFrame({"id": self.ids})
        m = np.zeros((0, 2), np.int64) if self.missing is None else np.asarray(self.missing, np.int64)
        self.missing = m.reshape(-1, 2)

    def unknown_pairs(self) -> np.ndarray:
        """Sorted undirected pair codes ``i * n + j`` (i < j) with an unobserved cell
        (`missing`) in either direction. Their tie is unknown to a score even when the other
        side reports one: a non-respondent's reported ties are known and its non-ties are
        not, so keeping the reported ones would select pairs by their outcome and inflate
        every rate (Huisman & Steglich 2008; Stork & Richards 1992). The reported ties still
        start a simulation (reconstruction as imputation, Huisman 2009, "Imputation of
        missing network data", Journal of Social Structure 10)."""
        if not len(self.missing):
            return np.zeros(0, np.int64)
        a, b = self.missing[:, 0], self.missing[:, 1]
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        return np.unique(lo[lo != hi] * self.n + hi[lo != hi])

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def m(self) -> int:
        return len(self.src)

    def to_igraph(self):
        """An igraph Graph with vertex attribute `name` and edge attributes `weight` (and `layer`)."""
        import igraph as ig

        g = ig.Graph(n=self.n, edges=np.column_stack([self.src, self.dst]).tolist(), directed=self.directed)
        g.vs["name"] = [str(i) for i in self.ids]
        g.es["weight"] = self.weight.tolist()
        if self.layer is not None:
            g.es["layer"] = [str(x) for x in self.layer]
        return g

    def to_networkx(self):
        """A networkx (Di)Graph with node labels from ids and edge attribute `weight`."""
        import networkx as nx

        G = nx.DiGraph() if self.directed else nx.Graph()
        G.add_nodes_from(str(i) for i in self.ids)
        for s, d, w in zip(self.src, self.dst, self.weight):
            G.add_edge(str(self.ids[s]), str(self.ids[d]), weight=float(w))
        return G

    def undirected_edges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each connected pair once (a < b), weights of both directions summed."""
        a, b = np.minimum(self.src, self.dst), np.maximum(self.src, self.dst)
        keep = a != b
        key = a[keep] * self.n + b[keep]
        uniq, inv = np.unique(key, return_inverse=True)
        w = np.bincount(inv, weights=self.weight[keep]) if len(key) else np.zeros(0)
        return uniq // self.n, uniq % self.n, w

    def directions(self, a, b) -> np.ndarray:
        """Who asks whom over each pair a-b (a < b, as `undirected_edges` gives them), int8
        bits: 1 when the data have a -> b ("a asks b"), 2 when b -> a, 3 both; 3 for every
        pair of an undirected network (and 0 for a pair with neither direction)."""
        a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
        if not self.directed:
            return np.full(len(a), 3, np.int8)
        keep = (self.src != self.dst) & (self.weight != 0)
        arcs = np.unique(self.src[keep].astype(np.int64) * self.n + self.dst[keep])
        out = np.isin(a * self.n + b, arcs, assume_unique=False).astype(np.int8)
        out += 2 * np.isin(b * self.n + a, arcs).astype(np.int8)
        return out


def check_numbered(waves, proximities: dict | None, error: type[ClusterlabError] = DataError) -> None:
    """Files without labels number their actors 1 to n by position, so they match only when
    they list the same actors: `error` when two of them (waves, proximity matrices) differ
    in size (a leaver dropped from wave 2 instead of kept as an all-zero row, say)."""
    sizes = [(w.source or f"wave {k}", w.notes.get("numbered")) for k, w in enumerate(waves, 1)]
    sizes += [(P.attrs.get("source") or f"proximity {name!r}", P.attrs.get("numbered"))
              for name, P in (proximities or {}).items() if hasattr(P, "attrs")]
    sizes = [(src, n) for src, n in sizes if n is not None]
    if len({n for _, n in sizes}) > 1:
        shown = ", ".join(f"{src} {n}" for src, n in sizes)
        raise error(f"files without labels number their actors by position, so they must list the same actors; "
                    f"their sizes differ ({shown}): keep a firm that left as an all-zero row (with --absent zeros) "
                    "or give the files labels")


def natural_key(label: str) -> tuple:
    """Sort key of an id label in natural order: runs of ASCII digits compare as numbers
    (F2 before F10), the rest as text; distinct labels never share a key."""
    return tuple((0, int(p), p) if p.isascii() and p.isdigit() else (1, 0, p)
                 for p in re.split(r"([0-9]+)", str(label)) if p)


def in_id_order(net: ClusterNetwork) -> ClusterNetwork:
    """The same network with its actors in natural order of their ids (`natural_key`) and
    its edges sorted by (src, dst, layer). A simulation started from a network numbers its
    actors by position, and a stochastic run draws in that order, so two files of the same
    panel (a matrix and an edge list, or rows sorted differently) would give different draws
    of the same model; in this order they give the same numbers (`predict`, `calibrate`)."""
    labels = [str(i) for i in net.ids]
    order = np.array(sorted(range(net.n), key=lambda k: natural_key(labels[k])), np.int64)
    pos = np.empty(net.n, np.int64)
    pos[order] = np.arange(net.n)
    src, dst = pos[net.src], pos[net.dst]
    if not net.directed:
        src, dst = np.minimum(src, dst), np.maximum(src, dst)
    keys = [dst, src]
    if net.layer is not None:
        keys.insert(0, np.unique(np.asarray([str(x) for x in net.layer]), return_inverse=True)[1])
    e = np.lexsort(keys)
    miss = pos[net.missing]
    miss = miss[np.lexsort((miss[:, 1], miss[:, 0]))] if len(miss) else miss
    return replace(net, ids=net.ids[order], src=src[e], dst=dst[e], weight=net.weight[e],
                   layer=None if net.layer is None else net.layer[e],
                   attributes=net.attributes.iloc[order].reset_index(drop=True), missing=miss)


def build_network(path, ids, src, dst, weight, layer, directed: bool, attributes=None,
                  notes=None, missing=None) -> ClusterNetwork:
    """The network of a reader's edges: self-loops and zero weights dropped, duplicates
    merged (weights summed, per layer), undirected pairs stored once (``src < dst``).
    What was dropped and merged is counted in ``notes``. ``missing``: the (K, 2) cells not
    observed (`ClusterNetwork.missing`; self-cells dropped), counted as ``missing_cells``."""
    ids = np.array([str(i) for i in ids], dtype=object)
    if len(ids) == 0:
        raise DataError(f"{path}: no actors in the network")
    src = np.asarray(src, np.int64)
    dst = np.asarray(dst, np.int64)
    weight = np.asarray(weight, np.float64)
    loops = src == dst
    zero = (weight == 0) & ~loops
    keep = ~loops & ~zero
    src, dst, weight = src[keep], dst[keep], weight[keep]
    lay = None if layer is None else np.asarray([str(x) for x in layer], dtype=object)[keep]
    if not directed:
        src, dst = np.minimum(src, dst), np.maximum(src, dst)
    frame = pd.DataFrame({"s": src, "d": dst, "w": weight})
    keys = ["s", "d"]
    if lay is not None:
        frame["l"] = lay
        keys.append("l")
    merged = frame.groupby(keys, sort=True, as_index=False)["w"].sum()
    if attributes is None:
        attributes = pd.DataFrame({"id": ids})
    notes = dict(notes or {})
    notes.update(self_loops_dropped=int(loops.sum()), zero_weights_dropped=int(zero.sum()),
                 duplicates_merged=int(len(frame) - len(merged)))
    miss = np.zeros((0, 2), np.int64) if missing is None else np.asarray(missing, np.int64).reshape(-1, 2)
    miss = miss[miss[:, 0] != miss[:, 1]]
    if len(miss):
        notes["missing_cells"] = int(len(miss))
    return ClusterNetwork(ids=ids, src=merged["s"].to_numpy(np.int64), dst=merged["d"].to_numpy(np.int64),
                          weight=merged["w"].to_numpy(np.float64),
                          layer=None if lay is None else merged["l"].to_numpy(dtype=object),
                          directed=bool(directed), attributes=attributes.reset_index(drop=True),
                          source=str(path), notes=notes, missing=miss)

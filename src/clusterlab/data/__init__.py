"""Real cluster networks: survey edge lists and matrices read into one plain structure.

Direction: an edge ``src -> dst`` means "src asks dst for advice" (a survey row names the
firms it turns to), so knowledge flows from dst to src. In a labelled adjacency matrix rows
ask columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ClusterlabError


class DataError(ClusterlabError):
    """A network or attribute file cannot be read; the message names the file and line."""


# attribute columns clusterlab knows (after normalising names); others are kept as they are
KNOWN_ATTRIBUTES = ("kind", "stage", "size", "age", "rd", "external_ties", "export_share",
                    "ownership", "x", "y")


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
    """

    ids: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    weight: np.ndarray
    layer: np.ndarray | None = None
    directed: bool = True
    attributes: pd.DataFrame = field(default=None)
    source: str = ""
    notes: dict = field(default_factory=dict)  # what the reader did (format, delimiter, dropped self-loops, ...)

    def __post_init__(self) -> None:
        self.ids = np.asarray(self.ids, dtype=object)
        self.src = np.asarray(self.src, np.int64)
        self.dst = np.asarray(self.dst, np.int64)
        self.weight = np.asarray(self.weight, np.float64)
        if self.attributes is None:
            self.attributes = pd.DataFrame({"id": self.ids})

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


__all__ = ["ClusterNetwork", "DataError", "KNOWN_ATTRIBUTES"]

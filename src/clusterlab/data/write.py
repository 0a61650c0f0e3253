"""Write a ClusterNetwork (with attributes and per-node measures) as GraphML or GEXF.

Both go through networkx, open in Gephi (GEXF 1.2) and read back with
:func:`clusterlab.data.read_network`. Nodes are named by id; every attribute column and
every extra per-node column becomes a node attribute (missing values are left out per node);
edges carry ``weight`` and, when the network has layers, ``layer``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .network import ClusterNetwork, DataError

# node attribute names the readers or the GEXF writer treat specially; user columns with
# these names are written with a trailing underscore
_RESERVED = ("label", "viz", "pid", "start", "end", "id")


def write_graphml(net: ClusterNetwork, path, node_columns: pd.DataFrame | None = None) -> Path:
    """Write ``net`` as GraphML (directed or not as the network is); returns the path.

    ``node_columns``: extra per-node columns (e.g. measures), aligned with ``net.ids`` by an
    ``id`` column when it has one, else by position (N rows). They win over attribute
    columns of the same name. Raises DataError when the file cannot be written.
    """
    import networkx as nx

    G = _graph(net, node_columns)
    return _write(path, lambda p: nx.write_graphml(G, p, encoding="utf-8", prettyprint=True))


def write_gexf(net: ClusterNetwork, path, node_columns: pd.DataFrame | None = None) -> Path:
    """Write ``net`` as GEXF 1.2 (what Gephi opens); same columns as :func:`write_graphml`."""
    import networkx as nx

    G = _graph(net, node_columns)
    return _write(path, lambda p: nx.write_gexf(G, p, encoding="utf-8", prettyprint=True, version="1.2draft"))


def write_network(net: ClusterNetwork, path, node_columns: pd.DataFrame | None = None) -> Path:
    """Write GraphML or GEXF by the extension of ``path`` (``.graphml`` or ``.gexf``)."""
    ext = Path(path).suffix.lower()
    if ext == ".graphml":
        return write_graphml(net, path, node_columns)
    if ext == ".gexf":
        return write_gexf(net, path, node_columns)
    raise DataError(f"{path}: cannot write {ext or 'a file without extension'!r}; expected .graphml or .gexf")


def _write(path, writer) -> Path:
    p = Path(path)
    try:
        writer(p)
    except OSError as exc:
        raise DataError(f"{path}: cannot write ({exc.strerror or exc})") from None
    return p


def _node_table(net: ClusterNetwork, node_columns: pd.DataFrame | None) -> pd.DataFrame:
    ids = [str(i) for i in net.ids]
    table = net.attributes.drop(columns=["id"], errors="ignore").reset_index(drop=True)
    if len(table) != len(ids):
        raise ValueError(f"net.attributes has {len(table)} rows for {len(ids)} actors")
    if node_columns is not None:
        extra = node_columns
        if "id" in extra.columns:
            extra = extra.assign(id=extra["id"].astype(str)).drop_duplicates("id").set_index("id")
            extra = extra.reindex(ids).reset_index(drop=True)
        elif len(extra) != len(ids):
            raise ValueError(f"node_columns has {len(extra)} rows for {len(ids)} actors and no id column")
        else:
            extra = extra.reset_index(drop=True)
        table = table.drop(columns=[c for c in extra.columns if c in table.columns]).join(extra)
    table.columns = [f"{c}_" if str(c) in _RESERVED else str(c) for c in table.columns]
    return table


def _python_values(col: pd.Series) -> list:
    """Python scalars of one type per column (None where missing), as the XML writers need."""
    missing = col.isna().to_numpy()
    vals = col.to_numpy(dtype=object)
    present = [v for v, m in zip(vals, missing) if not m]
    if pd.api.types.is_bool_dtype(col) or (present and all(isinstance(v, (bool, np.bool_)) for v in present)):
        conv = bool
    elif pd.api.types.is_integer_dtype(col) or (
            present and all(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))
                            for v in present)):
        conv = int
    elif pd.api.types.is_numeric_dtype(col) or (
            present and all(isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_))
                            for v in present)):
        conv = float
    else:
        conv = str
    return [None if m else conv(v) for v, m in zip(vals, missing)]


def _graph(net: ClusterNetwork, node_columns):
    import networkx as nx

    ids = [str(i) for i in net.ids]
    table = _node_table(net, node_columns)
    columns = {c: _python_values(table[c]) for c in table.columns}
    layer = None if net.layer is None else [str(x) for x in net.layer]
    a, b = (net.src, net.dst) if net.directed else (np.minimum(net.src, net.dst), np.maximum(net.src, net.dst))
    pairs = list(zip(a.tolist(), b.tolist()))
    multi = layer is not None and len(set(pairs)) < len(pairs)
    if net.directed:
        G = nx.MultiDiGraph() if multi else nx.DiGraph()
    else:
        G = nx.MultiGraph() if multi else nx.Graph()
    for k, name in enumerate(ids):
        G.add_node(name, **{c: v[k] for c, v in columns.items() if v[k] is not None})
    for k, ((s, d), w) in enumerate(zip(pairs, net.weight.tolist())):
        data = {"weight": float(w)}
        if layer is not None:
            data["layer"] = layer[k]
        u, v = ids[s], ids[d]
        if not multi and G.has_edge(u, v):  # a duplicate the network should not have: sum
            G[u][v]["weight"] += float(w)
        else:
            G.add_edge(u, v, **data)
    return G


__all__ = ["write_graphml", "write_gexf", "write_network"]

"""GraphML and GEXF files (both XML, read through networkx), as Gephi and most network
tools write them.

Nodes are what the file declares: every ``<node>`` needs a non-empty ``id`` that no other
node has, and every ``<edge>`` needs a ``source`` and a ``target`` naming declared nodes
(networkx alone would add an undeclared node, or one named None, silently). These are
checked first, naming the line."""

from __future__ import annotations

import io
import re

import pandas as pd

from .attributes import check_node_attributes
from .network import WEIGHT_RULE, ClusterNetwork, DataError, build_network, weight_ok
from .text import read_bytes


def read_xml(path, directed: bool | None, what: str) -> ClusterNetwork:
    """A GraphML (``what="GraphML"``) or GEXF (``what="GEXF"``) file as a network. Nodes are
    named by their ``label`` when they have one, else by their id; their scalar attributes
    become attribute columns (an attribute named ``id`` becomes ``id_``). ``directed`` None
    takes it from the file; an undirected tie read as directed becomes two edges."""
    import xml.etree.ElementTree as ET

    import networkx as nx

    data = read_bytes(path)
    if not data.strip():
        raise DataError(f"{path}: file is empty")
    _check_declared(path, data, what)
    try:
        if what == "GraphML":
            G = nx.read_graphml(io.BytesIO(data))
        else:
            G = nx.read_gexf(io.BytesIO(data), relabel=False)
    except ET.ParseError as exc:
        line, col = getattr(exc, "position", (0, 0))
        reason = re.sub(r":? ?line \d+, column \d+$", "", str(exc))
        raise DataError(f"{path}: line {line}: malformed {what} (XML error: {reason}, column {col + 1})") from None
    except Exception as exc:  # networkx raises many kinds for valid XML that is not valid GraphML/GEXF
        raise DataError(f"{path}: malformed {what}: {exc}") from None
    if G.number_of_nodes() == 0:
        raise DataError(f"{path}: no nodes in the {what} file")
    file_directed = G.is_directed()
    directed = file_directed if directed is None else directed
    nodes = list(G.nodes)
    ids, records, pos, seen = [], [], {}, {}
    for node in nodes:
        data_ = dict(G.nodes[node])
        label = data_.pop("label", None)
        name = str(label) if label not in (None, "") else str(node)
        if name in seen:
            raise DataError(f"{path}: nodes {seen[name]!r} and {str(node)!r} have the same label {name!r}")
        seen[name] = str(node)
        pos[node] = len(ids)
        ids.append(name)
        rec = {"id": name}
        rec.update({("id_" if str(k) == "id" else str(k)): v for k, v in data_.items()
                    if isinstance(v, (str, int, float, bool))})
        records.append(rec)
    attributes = pd.DataFrame.from_records(records, columns=_columns(records))
    attributes, moved = check_node_attributes(path, attributes)
    src, dst, w, lay = [], [], [], []
    has_layer = any("layer" in d for _, _, d in G.edges(data=True))
    for a, b, d in G.edges(data=True):
        raw = d.get("weight", 1.0)
        try:
            weight = float(raw)
        except (TypeError, ValueError):
            raise DataError(f"{path}: edge {ids[pos[a]]!r} -> {ids[pos[b]]!r}: weight {raw!r} is not a "
                            "number") from None
        if not weight_ok(weight):
            raise DataError(f"{path}: edge {ids[pos[a]]!r} -> {ids[pos[b]]!r}: weight {raw!r} is out of range; "
                            f"expected {WEIGHT_RULE}")
        ends = [(pos[a], pos[b])]
        if directed and not file_directed and a != b:
            ends.append((pos[b], pos[a]))  # an undirected tie read as directed: both ways
        for s, t in ends:
            src.append(s)
            dst.append(t)
            w.append(weight)
            lay.append(str(d.get("layer", "")))
    notes = {"format": what.lower(), "file_directed": file_directed, **moved}
    return build_network(path, ids, src, dst, w, lay if has_layer else None, directed, attributes, notes)


def _columns(records) -> list[str]:
    cols: list[str] = []
    for rec in records:
        cols.extend(k for k in rec if k not in cols)
    return cols


def _check_declared(path, data: bytes, what: str) -> None:
    """Node ids unique and non-empty, edge ends present and declared (module docstring)."""
    import xml.parsers.expat as expat

    parser = expat.ParserCreate(namespace_separator=" ")
    nodes: dict[str, int] = {}
    edges: list[tuple[int, str | None, str | None]] = []

    def start(tag, attrs):
        name = tag.rsplit(" ", 1)[-1]
        line = parser.CurrentLineNumber
        if name == "node":
            node = attrs.get("id")
            if not (node or "").strip():
                raise DataError(f"{path}: line {line}: <node> without an id")
            if node in nodes:
                raise DataError(f"{path}: line {line}: node id {node!r} is declared twice (also line {nodes[node]})")
            nodes[node] = line
        elif name == "edge":
            edges.append((line, attrs.get("source"), attrs.get("target")))

    parser.StartElementHandler = start
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise DataError(f"{path}: line {exc.lineno}: malformed {what} (XML error: "
                        f"{expat.ErrorString(exc.code)}, column {exc.offset + 1})") from None
    for line, source, target in edges:
        for end, node in (("source", source), ("target", target)):
            if not (node or "").strip():
                raise DataError(f"{path}: line {line}: <edge> without a {end}")
            if node not in nodes:
                raise DataError(f"{path}: line {line}: edge {end} {node!r} is not a declared node; "
                                "declare every node an edge names")

"""Pajek ``.net`` files (vertices with labels, arcs and edges, with or without weights)."""

from __future__ import annotations

import re

from .network import MAX_ACTORS, WEIGHT_RULE, ClusterNetwork, DataError, build_network, weight_ok
from .text import read_text


_VERTEX = re.compile(r'(\d+)(?:\s+(?:"([^"]*)"|(\S+)))?')


def read_pajek(path, directed: bool | None) -> ClusterNetwork:
    """Pajek .net: ``*Vertices n`` (lines ``k "label" ...``), ``*Arcs``/``*Edges`` (``a b [w]``),
    ``*Arcslist``/``*Edgeslist`` (``a b c ...``). Arcs make it directed, Edges undirected; with
    both, the network is directed and every Edges line becomes two arcs. Vertices declared
    but not listed are named by their number. The count may not exceed `MAX_ACTORS`, and
    when the file lists vertices, every declared vertex is listed or in a tie (checked
    before anything is allocated)."""
    text, enc = read_text(path)
    n = None
    labels: dict[int, tuple[str, int]] = {}
    section = None
    arcs: list[tuple[int, int, float]] = []
    edges: list[tuple[int, int, float]] = []
    for ln, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("%"):
            continue
        if line.startswith("*"):
            parts = line[1:].split()
            key = parts[0].lower() if parts else ""
            if key == "vertices":
                if n is not None:
                    raise DataError(f"{path}: line {ln}: a second *Vertices line")
                count = parts[1] if len(parts) > 1 else ""
                if not count.isdigit():
                    raise DataError(f"{path}: line {ln}: *Vertices needs a vertex count, got "
                                    f"{count or 'nothing'!r}")
                n = int(count)
                if n > MAX_ACTORS:
                    raise DataError(f"{path}: line {ln}: *Vertices {count}: more than {MAX_ACTORS:,} actors; "
                                    "expected the number of vertices the file lists")
                section = "vertices"
            elif key in ("arcs", "edges", "arcslist", "edgeslist"):
                if n is None:
                    raise DataError(f"{path}: line {ln}: *{parts[0]} before *Vertices")
                section = key
            elif key == "network":
                section = None
            elif key == "matrix":
                raise DataError(f"{path}: line {ln}: *Matrix sections are not supported; export *Arcs "
                                "or *Edges, or save the matrix as CSV")
            else:
                raise DataError(f"{path}: line {ln}: unknown section {line.split()[0]!r}; expected "
                                "*Vertices, *Arcs, *Edges, *Arcslist or *Edgeslist")
            continue
        if section is None:
            raise DataError(f"{path}: line {ln}: {line[:40]!r} is outside a section (missing *Vertices?)")
        if section == "vertices":
            m = _VERTEX.match(line)
            if not m:
                raise DataError(f"{path}: line {ln}: expected a vertex number and label, got {line[:40]!r}")
            k = int(m.group(1))
            if not 1 <= k <= n:
                raise DataError(f"{path}: line {ln}: vertex {k} is outside 1..{n} (*Vertices {n})")
            if k in labels:
                raise DataError(f"{path}: line {ln}: vertex {k} is listed twice (also line {labels[k][1]})")
            label = m.group(2) if m.group(2) is not None else (m.group(3) or str(k))
            labels[k] = (label.strip() or str(k), ln)
            continue
        toks = line.split()
        vs = []
        for tok in toks if section.endswith("list") else toks[:2]:
            if not tok.isdigit():
                raise DataError(f"{path}: line {ln}: {tok!r} is not a vertex number")
            v = int(tok)
            if not 1 <= v <= n:
                raise DataError(f"{path}: line {ln}: vertex {v} is not declared (*Vertices {n})")
            vs.append(v)
        if len(vs) < 2:
            raise DataError(f"{path}: line {ln}: expected two vertex numbers, got {line[:40]!r}")
        if section.endswith("list"):
            pairs = [(vs[0], v, 1.0) for v in vs[1:]]
        else:
            w = 1.0
            if len(toks) > 2:
                try:
                    w = float(toks[2])
                except ValueError:
                    raise DataError(f"{path}: line {ln}: weight {toks[2]!r} is not a number") from None
                if not weight_ok(w):
                    raise DataError(f"{path}: line {ln}: weight {toks[2]} is out of range; expected {WEIGHT_RULE}")
            pairs = [(vs[0], vs[1], w)]
        (arcs if section.startswith("arcs") else edges).extend(pairs)
    if n is None:
        raise DataError(f"{path}: no *Vertices line; not a Pajek network")
    if n == 0:
        raise DataError(f"{path}: *Vertices 0: no actors in the network")
    if labels and n > len(labels):
        known = set(labels)
        for a, b, _ in arcs + edges:
            known.update((a, b))
        if n > len(known):
            first = next(k for k in range(1, n + 1) if k not in known)
            raise DataError(f"{path}: *Vertices {n}, but the file lists {len(labels)} vertices and vertex "
                            f"{first} is neither listed nor in a tie; list every vertex or give the right count")
    names = [labels.get(k, (str(k), 0))[0] for k in range(1, n + 1)]
    first: dict[str, int] = {}
    for k, name in enumerate(names, 1):
        if name in first:
            raise DataError(f"{path}: line {labels[k][1]}: vertex label {name!r} is used twice (also vertex "
                            f"{first[name]})")
        first[name] = k
    file_directed = bool(arcs) or not edges
    directed = file_directed if directed is None else directed
    src, dst, w = [], [], []
    for a, b, x in arcs:
        src.append(a - 1)
        dst.append(b - 1)
        w.append(x)
    for a, b, x in edges:
        src.append(a - 1)
        dst.append(b - 1)
        w.append(x)
        if directed and a != b:  # an undirected edge read as directed: both ways
            src.append(b - 1)
            dst.append(a - 1)
            w.append(x)
    notes = {"format": "pajek", "encoding": enc, "file_directed": file_directed}
    return build_network(path, names, src, dst, w, None, directed, notes=notes)

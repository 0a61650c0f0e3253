"""Read survey networks (edge lists, labelled matrices, GraphML, GEXF, Pajek) and actor attributes.

Everything a user can get wrong raises :class:`clusterlab.data.DataError` with a one-line
message that starts with the file path and, where there is one, ``line N``. A reader either
returns a whole :class:`ClusterNetwork` or raises; it never returns half a result.

Direction: an edge ``src -> dst`` means src asks dst (a matrix row asks its columns).

Tolerance for what spreadsheets export: UTF-8 with or without BOM, UTF-16 with BOM,
Windows-1252/latin-1 when the bytes are not UTF-8; CR, LF or CRLF line endings; quoted
fields; comma, semicolon or tab delimiters (detected); trailing delimiters; blank lines;
decimal commas in semicolon- and tab-delimited files ("0,5").

What the readers did besides reading (self-loops and zero weights dropped, the format and
delimiter found) is recorded in ``net.notes`` (a dict set on the returned network).
"""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from . import KNOWN_ATTRIBUTES, ClusterNetwork, DataError

FORMATS = ("edgelist", "matrix", "graphml", "gexf", "pajek")
_EXTENSIONS = {".csv": None, ".tsv": None, ".txt": None, ".graphml": "graphml", ".gexf": "gexf",
               ".net": "pajek"}
_SPREADSHEETS = (".xlsx", ".xls", ".xlsm", ".ods", ".numbers")
_DELIMITERS = (",", ";", "\t")

# edge list header names (compared lower-case with everything but letters, digits and & removed)
SOURCE_NAMES = ("source", "from", "ego", "asker", "i", "firm", "id1", "node1")
TARGET_NAMES = ("target", "to", "alter", "j", "id2", "node2")
WEIGHT_NAMES = ("weight", "value", "strength", "w", "frequency")
LAYER_NAMES = ("layer", "type", "relation", "kind_of_tie")
_EXTRA_SOURCE = ("src", "sender", "respondent")
_EXTRA_TARGET = ("dst", "receiver", "nominee")
_EXTRA_WEIGHT = ("weights", "freq")
_EXTRA_LAYER = ("tie_type", "relationship")

# attribute file columns
ID_NAMES = ("id", "firm", "name", "node", "label")
ATTRIBUTE_ALIASES = {
    "kind": ("kind",),
    "stage": ("stage",),
    "size": ("size", "employees"),
    "age": ("age",),
    "rd": ("rd", "r&d", "rd_intensity", "r_and_d"),
    "external_ties": ("external_ties", "external", "pipelines"),
    "export_share": ("export_share", "exports"),
    "ownership": ("ownership",),
    "x": ("x", "lon", "longitude"),
    "y": ("y", "lat", "latitude"),
}
NUMERIC_ATTRIBUTES = ("stage", "size", "age", "rd", "external_ties", "export_share", "x", "y")

KINDS = ("focal", "sme", "university", "institute", "intermediary", "agency", "cluster_org", "external")
_KIND_SYNONYMS = {
    "focal": ("focal", "focal firm", "lead firm", "large firm", "anchor", "anchor firm", "leader firm"),
    "sme": ("sme", "firm", "company", "enterprise", "small firm", "small business", "smb"),
    "university": ("university", "uni", "college", "higher education", "hei"),
    "institute": ("institute", "research institute", "research institution", "research centre",
                  "research center", "public research institute", "lab", "laboratory", "rto"),
    "intermediary": ("intermediary", "consultant", "consultancy", "broker", "knowledge broker", "kibs"),
    "agency": ("agency", "government", "government agency", "public agency", "local government",
               "municipality", "authority", "public authority"),
    "cluster_org": ("cluster org", "cluster organisation", "cluster organization", "cluster association",
                    "cluster initiative", "cluster management", "industry association"),
    "external": ("external", "external partner", "non local", "nonlocal", "extra local", "pipeline",
                 "global partner"),
}
_KIND_LOOKUP = {syn: kind for kind, syns in _KIND_SYNONYMS.items() for syn in syns}

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_COMMA_DECIMAL = re.compile(r"[+-]?\d*,\d+")


def _squash(name: str) -> str:
    """A header name compared loosely: lower case, only letters, digits and &."""
    return re.sub(r"[^0-9a-z&]", "", str(name).lower())


def _lookup(names) -> frozenset[str]:
    return frozenset(_squash(n) for n in names)


_SOURCE = _lookup(SOURCE_NAMES + _EXTRA_SOURCE)
_TARGET = _lookup(TARGET_NAMES + _EXTRA_TARGET)
_WEIGHT = _lookup(WEIGHT_NAMES + _EXTRA_WEIGHT)
_LAYER = _lookup(LAYER_NAMES + _EXTRA_LAYER)
_ATTR_LOOKUP = {_squash(alias): key for key, aliases in ATTRIBUTE_ALIASES.items() for alias in aliases}


# ---------------------------------------------------------------------------------------------
# text and delimited files


def _check_file(path) -> Path:
    p = Path(path)
    if not p.exists():
        raise DataError(f"{path}: no such file")
    if p.is_dir():
        raise DataError(f"{path}: is a folder, expected a file")
    return p


def _read_bytes(path) -> bytes:
    p = _check_file(path)
    try:
        return p.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror or exc})") from None


def _decode(path, data: bytes) -> tuple[str, str]:
    """Text and the encoding it was read with."""
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise DataError(f"{path}: is a spreadsheet workbook, not text; save the sheet as CSV")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text, enc = data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise DataError(f"{path}: not valid UTF-16 text (byte {exc.start})") from None
    else:
        for enc in ("utf-8-sig", "cp1252", "latin-1"):
            try:
                text = data.decode(enc)
                if enc == "utf-8-sig" and not data.startswith(b"\xef\xbb\xbf"):
                    enc = "utf-8"
                break
            except UnicodeDecodeError:
                continue
    if "\x00" in text:
        raise DataError(f"{path}: is a binary file, expected text")
    if not text.strip():
        raise DataError(f"{path}: file is empty")
    return text, enc


def _read_text(path) -> tuple[str, str]:
    return _decode(path, _read_bytes(path))


def _sniff(text: str) -> str:
    """The delimiter (comma, semicolon or tab) that splits the first lines most consistently."""
    lines, stream = [], io.StringIO(text, newline=None)
    while len(lines) < 50:
        line = stream.readline()
        if not line:
            break
        if line.strip():
            lines.append(line.rstrip("\n"))
    sample = "\n".join(lines)
    best, best_score = ",", None
    for d in _DELIMITERS:
        try:
            counts = [len(_strip_trailing(r)) for r in csv.reader(io.StringIO(sample), delimiter=d) if r]
        except csv.Error:
            continue
        if not counts:
            continue
        head = counts[0]
        score = (head > 1, sum(c == head for c in counts) / len(counts), head)
        if best_score is None or score > best_score:
            best, best_score = d, score
    return best


def _strip_trailing(cells: list[str]) -> list[str]:
    cells = list(cells)
    while len(cells) > 1 and not cells[-1].strip():
        cells.pop()
    return cells


def _rows(path, text: str) -> tuple[list[tuple[int, list[str]]], str]:
    """Non-blank rows as (line number, stripped cells), and the delimiter."""
    delim = _sniff(text)

    def parse(strict: bool):
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=strict)
        out, prev = [], 0
        try:
            for cells in reader:
                start, prev = prev + 1, reader.line_num
                cells = [c.strip() for c in cells]
                if any(cells):
                    out.append((start, cells))
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                raise DataError(f"{path}: line {prev + 1}: a quoted field is never closed") from None
            if strict:
                return None
            hint = " (a quote that is never closed?)" if "field larger" in str(exc) else ""
            raise DataError(f"{path}: line {reader.line_num}: {exc}{hint}") from None
        return out

    rows = parse(True)
    if rows is None:  # e.g. '"A" ,' : read it leniently
        rows = parse(False)
    if not rows:
        raise DataError(f"{path}: file is empty")
    # trailing delimiters: drop empty cells past the header's last named column
    hl, header = rows[0]
    header = _strip_trailing(header)
    fixed = [(hl, header)]
    for ln, cells in rows[1:]:
        while len(cells) > len(header) and not cells[-1]:
            cells = cells[:-1]
        fixed.append((ln, cells))
    return fixed, delim


def _number(path, text: str, line: int, column: str, comma_decimal: bool) -> float | None:
    """A cell as a float (None when blank); DataError naming line and column otherwise."""
    if not text:
        return None
    s = text.replace(" ", "").replace("\u00a0", "")
    if comma_decimal and _COMMA_DECIMAL.fullmatch(s):
        s = s.replace(",", ".")
    if not _NUMBER.fullmatch(s) or not math.isfinite(float(s)):
        raise DataError(f"{path}: line {line}, column {column!r}: {text!r} is not a number")
    return float(s)


def _weight(path, text: str, line: int, column: str, comma_decimal: bool) -> float | None:
    w = _number(path, text, line, column, comma_decimal)
    if w is not None and w < 0:
        raise DataError(f"{path}: line {line}, column {column!r}: negative weight {text} "
                        "(weights must be 0 or more)")
    return w


# ---------------------------------------------------------------------------------------------
# building the result


def _finish(path, ids, src, dst, weight, layer, directed: bool, attributes=None, notes=None) -> ClusterNetwork:
    """Drop self-loops and zero weights, merge duplicates (summing weights), build the network."""
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
    net = ClusterNetwork(ids=ids, src=merged["s"].to_numpy(np.int64), dst=merged["d"].to_numpy(np.int64),
                         weight=merged["w"].to_numpy(np.float64),
                         layer=None if lay is None else merged["l"].to_numpy(dtype=object),
                         directed=bool(directed), attributes=attributes.reset_index(drop=True),
                         source=str(path))
    net.notes = notes
    return net


# ---------------------------------------------------------------------------------------------
# public: networks


def read_network(path, directed: bool | None = None, fmt: str | None = None) -> ClusterNetwork:
    """Read a network file into a :class:`ClusterNetwork`.

    The format comes from ``fmt`` (one of ``edgelist``, ``matrix``, ``graphml``, ``gexf``,
    ``pajek``) or the extension: ``.graphml``, ``.gexf``, ``.net`` (Pajek); ``.csv``, ``.tsv``
    and ``.txt`` are delimited text, read as a labelled matrix when the first row and first
    column list the same labels and as an edge list when the header names a source and a
    target column (aliases in ``SOURCE_NAMES``/``TARGET_NAMES``; optional ``WEIGHT_NAMES`` and
    ``LAYER_NAMES`` columns).

    ``directed``: None takes it from the file for GraphML/GEXF/Pajek and means directed for
    matrices and edge lists. Undirected results keep one edge per pair (``src < dst``); a
    symmetric matrix read undirected counts each pair once (the cell value), otherwise both
    directions are summed. An undirected tie read as directed becomes two edges. Duplicate
    edges are summed, self-loops and zero weights dropped (counted in ``net.notes``). Edge
    list actors are the ids that appear in it (in order of appearance), matrix actors are its
    labels (isolates included), in column order.

    Raises DataError (one line, starting with the path) for anything wrong with the file.
    """
    _check_file(path)  # a missing file is reported as such, whatever its extension
    kind = _format(path, fmt)
    if kind == "graphml":
        return _read_xml(path, directed, "GraphML")
    if kind == "gexf":
        return _read_xml(path, directed, "GEXF")
    if kind == "pajek":
        return _read_pajek(path, directed)
    text, enc = _read_text(path)
    rows, delim = _rows(path, text)
    if kind is None:
        kind = _edgelist_or_matrix(path, rows)
    notes = {"format": kind, "delimiter": delim, "encoding": enc}
    if kind == "matrix":
        return _read_matrix(path, rows, delim, True if directed is None else directed, notes)
    return _read_edgelist(path, rows, delim, True if directed is None else directed, notes)


def _format(path, fmt: str | None) -> str | None:
    if fmt is not None:
        f = str(fmt).lower().replace("-", "").replace("_", "")
        f = {"edges": "edgelist", "net": "pajek", "adjacency": "matrix"}.get(f, f)
        if f not in FORMATS:
            raise DataError(f"{path}: unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
        return f
    ext = Path(path).suffix.lower()
    if ext in _EXTENSIONS:
        return _EXTENSIONS[ext]
    hint = "; save the sheet as CSV" if ext in _SPREADSHEETS else ""
    raise DataError(f"{path}: unknown format {ext or '(no extension)'!r}; expected .csv, .tsv, .txt "
                    f"(edge list or matrix), .graphml, .gexf or .net (Pajek){hint}")


def _edgelist_or_matrix(path, rows) -> str:
    hl, header = rows[0]
    if len(rows) < 2:
        raise DataError(f"{path}: only a header (line {hl}), no data rows")
    cols = {c for c in header[1:] if c}
    firsts = {cells[0] for _, cells in rows[1:] if cells[0]}
    if cols and cols == firsts:
        return "matrix"
    names = [_squash(c) for c in header]
    if any(n in _SOURCE for n in names) and any(n in _TARGET for n in names):
        return "edgelist"
    if not header[0]:
        return "matrix"
    numeric_body = all(not c or _NUMBER.fullmatch(c) or _COMMA_DECIMAL.fullmatch(c)
                       for _, cells in rows[1:] for c in cells[1:])
    if len(cols) >= 2 and numeric_body and len(cols & firsts) >= len(cols) / 2:
        return "matrix"  # mostly the same labels: a matrix with a mismatch, reported as such
    raise _header_error(path, hl, header)


def _header_error(path, hl, header) -> DataError:
    names = [_squash(c) for c in header]
    missing = [what for what, pool in (("source", _SOURCE), ("target", _TARGET))
               if not any(n in pool for n in names)]
    shown = ", ".join(repr(c) for c in header[:6]) + (", ..." if len(header) > 6 else "")
    return DataError(
        f"{path}: line {hl}: no {' and no '.join(missing)} column in the header ({shown}); an edge list "
        f"needs a header naming the source ({', '.join(SOURCE_NAMES)}) and the target "
        f"({', '.join(TARGET_NAMES)}) columns, optionally weight ({', '.join(WEIGHT_NAMES)}) and layer "
        f"({', '.join(LAYER_NAMES)}); a matrix needs the same labels in its first row and first column")


def _read_edgelist(path, rows, delim, directed, notes) -> ClusterNetwork:
    hl, header = rows[0]
    if len(rows) < 2:
        raise DataError(f"{path}: only a header (line {hl}), no data rows")
    names = [_squash(c) for c in header]

    def find(pool):
        return next((k for k, n in enumerate(names) if n in pool), None)

    si, ti, wi, li = find(_SOURCE), find(_TARGET), find(_WEIGHT), find(_LAYER)
    if si is None or ti is None:
        raise _header_error(path, hl, header)
    comma = delim != ","
    index: dict[str, int] = {}
    src, dst, w, lay = [], [], [], []
    for ln, cells in rows[1:]:
        if len(cells) > len(header):
            raise DataError(f"{path}: line {ln}: {len(cells)} cells, expected {len(header)} "
                            f"(the header has {len(header)} columns)")
        cells = cells + [""] * (len(header) - len(cells))
        s, t = cells[si], cells[ti]
        for what, value, col in (("source", s, si), ("target", t, ti)):
            if not value:
                raise DataError(f"{path}: line {ln}: missing {what} id (column {header[col]!r})")
        src.append(index.setdefault(s, len(index)))
        dst.append(index.setdefault(t, len(index)))
        value = 1.0 if wi is None else _weight(path, cells[wi], ln, header[wi], comma)
        w.append(1.0 if value is None else value)
        if li is not None:
            lay.append(cells[li])
    return _finish(path, list(index), src, dst, w, lay if li is not None else None, directed, notes=notes)


def _read_matrix(path, rows, delim, directed, notes) -> ClusterNetwork:
    hl, header = rows[0]
    cols = header[1:]
    if not cols:
        raise DataError(f"{path}: line {hl}: a matrix needs labels in its first row")
    seen: dict[str, int] = {}
    for k, c in enumerate(cols):
        if not c:
            raise DataError(f"{path}: line {hl}: column {k + 2} has no label")
        if c in seen:
            raise DataError(f"{path}: line {hl}: column label {c!r} appears twice (columns {seen[c] + 2} "
                            f"and {k + 2})")
        seen[c] = k
    body = rows[1:]
    if not body:
        raise DataError(f"{path}: only a header (line {hl}), no data rows")
    for ln, cells in body:
        if len(cells) != len(header):
            raise DataError(f"{path}: line {ln}: {len(cells)} cells, expected {len(header)} "
                            f"(a label and {len(cols)} values)")
    if len(body) != len(cols):
        raise DataError(f"{path}: matrix is not square: {len(body)} rows but {len(cols)} columns")
    row_line: dict[str, int] = {}
    for ln, cells in body:
        lab = cells[0]
        if not lab:
            raise DataError(f"{path}: line {ln}: row has no label")
        if lab in row_line:
            raise DataError(f"{path}: line {ln}: row label {lab!r} appears twice (also line {row_line[lab]})")
        row_line[lab] = ln
    for ln, cells in body:
        if cells[0] not in seen:
            spare = next(c for c in cols if c not in row_line)
            raise DataError(f"{path}: line {ln}: row label {cells[0]!r} is not a column label (first "
                            f"mismatch; column label {spare!r} has no row); rows and columns must list "
                            "the same actors")
    n = len(cols)
    W = np.zeros((n, n))
    comma = delim != ","
    for ln, cells in body:
        i = seen[cells[0]]
        for j, cell in enumerate(cells[1:]):
            v = _weight(path, cell, ln, cols[j], comma)
            if v:
                W[i, j] = v
    if not directed and np.array_equal(W, W.T):
        W = np.triu(W)  # an undirected matrix lists each tie twice: count it once
        notes = dict(notes, symmetric=True)
    src, dst = np.nonzero(W)
    return _finish(path, cols, src, dst, W[src, dst], None, directed, notes=notes)


# ---------------------------------------------------------------------------------------------
# GraphML and GEXF


def _read_xml(path, directed, what: str) -> ClusterNetwork:
    import xml.etree.ElementTree as ET

    import networkx as nx

    data = _read_bytes(path)
    if not data.strip():
        raise DataError(f"{path}: file is empty")
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
    src, dst, w, lay = [], [], [], []
    has_layer = any("layer" in d for _, _, d in G.edges(data=True))
    for a, b, d in G.edges(data=True):
        raw = d.get("weight", 1.0)
        try:
            weight = float(raw)
        except (TypeError, ValueError):
            raise DataError(f"{path}: edge {ids[pos[a]]!r} -> {ids[pos[b]]!r}: weight {raw!r} is not a "
                            "number") from None
        if not math.isfinite(weight) or weight < 0:
            raise DataError(f"{path}: edge {ids[pos[a]]!r} -> {ids[pos[b]]!r}: weight {raw!r} must be a "
                            "number >= 0")
        ends = [(pos[a], pos[b])]
        if directed and not file_directed and a != b:
            ends.append((pos[b], pos[a]))  # an undirected tie read as directed: both ways
        for s, t in ends:
            src.append(s)
            dst.append(t)
            w.append(weight)
            lay.append(str(d.get("layer", "")))
    notes = {"format": what.lower(), "file_directed": file_directed}
    return _finish(path, ids, src, dst, w, lay if has_layer else None, directed, attributes, notes)


def _columns(records) -> list[str]:
    cols: list[str] = []
    for rec in records:
        cols.extend(k for k in rec if k not in cols)
    return cols


# ---------------------------------------------------------------------------------------------
# Pajek


_VERTEX = re.compile(r'(\d+)(?:\s+(?:"([^"]*)"|(\S+)))?')


def _read_pajek(path, directed) -> ClusterNetwork:
    """Pajek .net: ``*Vertices n`` (lines ``k "label" ...``), ``*Arcs``/``*Edges`` (``a b [w]``),
    ``*Arcslist``/``*Edgeslist`` (``a b c ...``). Arcs make it directed, Edges undirected; with
    both, the network is directed and every Edges line becomes two arcs."""
    text, enc = _read_text(path)
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
                if not math.isfinite(w) or w < 0:
                    raise DataError(f"{path}: line {ln}: weight {toks[2]} must be a number >= 0")
            pairs = [(vs[0], vs[1], w)]
        (arcs if section.startswith("arcs") else edges).extend(pairs)
    if n is None:
        raise DataError(f"{path}: no *Vertices line; not a Pajek network")
    if n == 0:
        raise DataError(f"{path}: *Vertices 0: no actors in the network")
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
    return _finish(path, names, src, dst, w, None, directed, notes=notes)


# ---------------------------------------------------------------------------------------------
# public: attributes


def normalise_kind(value: str) -> str | None:
    """A kind name or common synonym as one of clusterlab's kinds, or None when unknown."""
    key = re.sub(r"[\s_\-]+", " ", str(value).strip().lower())
    if key in _KIND_LOOKUP:
        return _KIND_LOOKUP[key]
    for plural, singular in (("ies", "y"), ("s", "")):  # universities, agencies, firms
        if key.endswith(plural) and key[: -len(plural)] + singular in _KIND_LOOKUP:
            return _KIND_LOOKUP[key[: -len(plural)] + singular]
    return None


def read_attributes(path, net: ClusterNetwork, allow_new: bool = False) -> ClusterNetwork:
    """Read per-actor attributes from a delimited file and return a new network carrying them.

    The file (same encodings, delimiters and tolerance as :func:`read_network`) needs an id
    column (``id``, ``firm``, ``name``, ``node`` or ``label``, in that order of preference).
    Known columns are renamed to ``KNOWN_ATTRIBUTES`` (``employees`` -> ``size``, ``R&D`` ->
    ``rd``, ``lon``/``lat`` -> ``x``/``y``, ...); numeric ones must parse; ``kind`` values are
    normalised (``firm`` -> ``sme``, ``research institute`` -> ``institute``, ...). Other
    columns are kept under their own names (as numbers when every value is one, else text).
    Actors without a row get NaN; values from the file replace those already in
    ``net.attributes``. Ids not in the network are an error unless ``allow_new``, which adds
    them as isolated actors (after the existing ones).
    """
    text, enc = _read_text(path)
    rows, delim = _rows(path, text)
    hl, header = rows[0]
    if len(rows) < 2:
        raise DataError(f"{path}: only a header (line {hl}), no data rows")
    names = [_squash(c) for c in header]
    idcol = next((names.index(a) for a in ID_NAMES if a in names), None)
    if idcol is None:
        raise DataError(f"{path}: line {hl}: no id column; expected one of {', '.join(ID_NAMES)} "
                        f"(found: {', '.join(repr(c) for c in header[:8])})")
    targets: dict[int, str] = {}
    given: dict[str, str] = {}
    for k, (raw, sq) in enumerate(zip(header, names)):
        if k == idcol:
            continue
        if not raw:
            raise DataError(f"{path}: line {hl}: column {k + 1} has no name")
        key = _ATTR_LOOKUP.get(sq, raw)
        if key == "id":
            key = raw
        if key in given:
            raise DataError(f"{path}: line {hl}: columns {given[key]!r} and {raw!r} both give {key!r}")
        given[key] = raw
        targets[k] = key
    comma = delim != ","
    values: dict[str, list] = {key: [] for key in targets.values()}
    raw_other: dict[str, list] = {}
    ids: list[str] = []
    line_of: dict[str, int] = {}
    for ln, cells in rows[1:]:
        if len(cells) > len(header):
            raise DataError(f"{path}: line {ln}: {len(cells)} cells, expected {len(header)}")
        cells = cells + [""] * (len(header) - len(cells))
        ident = cells[idcol]
        if not ident:
            raise DataError(f"{path}: line {ln}: missing id (column {header[idcol]!r})")
        if ident in line_of:
            raise DataError(f"{path}: lines {line_of[ident]} and {ln}: id {ident!r} appears twice")
        line_of[ident] = ln
        ids.append(ident)
        for k, key in targets.items():
            cell = cells[k]
            if key in NUMERIC_ATTRIBUTES:
                v = _number(path, cell, ln, header[k], comma)
                values[key].append(np.nan if v is None else v)
            elif key == "kind":
                if not cell:
                    values[key].append(np.nan)
                    continue
                kind = normalise_kind(cell)
                if kind is None:
                    raise DataError(f"{path}: line {ln}, column {header[k]!r}: unknown kind {cell!r}; "
                                    f"expected one of {', '.join(KINDS)} (or a synonym such as firm, "
                                    "research institute, government)")
                values[key].append(kind)
            else:
                raw_other.setdefault(key, []).append((ln, cell))
                values[key].append(cell if cell else np.nan)
    for key, cells in raw_other.items():  # other columns: numbers when every value is one
        try:
            nums = [_number(path, c, ln, key, comma) for ln, c in cells]
        except DataError:
            continue
        values[key] = [np.nan if v is None else v for v in nums]
    have = {str(i): k for k, i in enumerate(net.ids)}
    new = [i for i in ids if i not in have]
    if new and not allow_new:
        shown = ", ".join(f"{i!r} (line {line_of[i]})" for i in new[:3])
        more = f" and {len(new) - 3} more" if len(new) > 3 else ""
        raise DataError(f"{path}: {len(new)} id{'s' if len(new) > 1 else ''} not in the network: "
                        f"{shown}{more}; allow new actors to add them as isolates")
    all_ids = [str(i) for i in net.ids] + new
    base = net.attributes.copy() if net.attributes is not None else pd.DataFrame({"id": net.ids})
    base["id"] = [str(i) for i in net.ids]
    base = base.set_index("id").reindex(all_ids)
    incoming = pd.DataFrame(values, index=pd.Index(ids, name="id")).reindex(all_ids)
    for col in incoming.columns:
        if col in base.columns:
            base[col] = incoming[col].where(incoming[col].notna(), base[col])
        else:
            base[col] = incoming[col]
    known = [c for c in KNOWN_ATTRIBUTES if c in base.columns]
    order = known + [c for c in base.columns if c not in known]
    attributes = base[order].reset_index()
    out = ClusterNetwork(ids=np.array(all_ids, dtype=object), src=net.src.copy(), dst=net.dst.copy(),
                         weight=net.weight.copy(), layer=None if net.layer is None else net.layer.copy(),
                         directed=net.directed, attributes=attributes, source=net.source)
    out.notes = dict(getattr(net, "notes", {}), attributes=str(path), attributes_added_actors=len(new))
    return out


__all__ = ["read_network", "read_attributes", "normalise_kind", "FORMATS", "KINDS"]

"""`read_network`: a network file in any supported format, by its extension or ``fmt``.

Everything a user can get wrong raises :class:`clusterlab.data.DataError` with a one-line
message that starts with the file path and, where there is one, ``line N``. A reader either
returns a whole :class:`ClusterNetwork` or raises; it never returns half a result. What the
readers did besides reading (self-loops and zero weights dropped, the format, delimiter and
encoding found) is recorded in ``net.notes``.
"""

from __future__ import annotations

from pathlib import Path

from .dl import read_dl
from .edgelist import header_error, names_source_and_target, read_edgelist
from .excel import EXCEL_EXTENSIONS, is_excel, read_sheet_rows, split_sheet
from .matrix import numbered, read_matrix, without_labels
from .network import ClusterNetwork, DataError
from .pajek import read_pajek
from .files import check_file
from .text import header_and_rows, is_missing, is_number, read_rows
from .xml import read_xml

FORMATS = ("edgelist", "matrix", "graphml", "gexf", "pajek", "dl")
_EXTENSIONS = {".csv": None, ".tsv": None, ".txt": None, ".dat": None, ".graphml": "graphml", ".gexf": "gexf",
               ".net": "pajek", ".dl": "dl", **{ext: None for ext in EXCEL_EXTENSIONS}}
_SPREADSHEETS = (".xls", ".ods", ".numbers")


def read_network(path, directed: bool | None = None, fmt: str | None = None) -> ClusterNetwork:
    """Read a network file into a :class:`ClusterNetwork`.

    The format comes from ``fmt`` (one of ``edgelist``, ``matrix``, ``graphml``, ``gexf``,
    ``pajek``, ``dl``) or the extension: ``.graphml``, ``.gexf``, ``.net`` (Pajek), ``.dl``
    (UCINET DL, :mod:`clusterlab.data.dl`); ``.csv``, ``.tsv``, ``.txt`` and ``.dat`` are
    delimited text, and ``.xlsx``/``.xlsm`` an Excel sheet (the first, or
    ``FILE.xlsx#Sheet``, :mod:`clusterlab.data.excel`), read as a matrix without labels when
    it is n rows of n numbers (`matrix.without_labels`: actors numbered 1 to n), as a labelled
    matrix when the first row and first column list the same labels, and as an edge list
    when the header names a source and a target column (aliases in
    :mod:`clusterlab.data.edgelist`; optional weight and layer columns).

    ``directed``: None takes it from the file for GraphML/GEXF/Pajek and means directed for
    matrices and edge lists. Undirected results keep one edge per pair (``src < dst``); a
    symmetric matrix read undirected counts each pair once (the cell value), otherwise both
    directions are summed. An undirected tie read as directed becomes two edges. Duplicate
    edges are summed, self-loops and zero weights dropped (counted in ``net.notes``). Edge
    list actors are the ids that appear in it (in order of appearance), matrix actors are its
    labels (isolates included), in column order.

    Raises DataError (one line, starting with the path) for anything wrong with the file.
    """
    check_file(split_sheet(path)[0])  # a missing file is reported as such, whatever its extension
    kind = _format(path, fmt)
    if kind == "graphml":
        return read_xml(path, directed, "GraphML")
    if kind == "gexf":
        return read_xml(path, directed, "GEXF")
    if kind == "pajek":
        return read_pajek(path, directed)
    if kind == "dl":
        return read_dl(path, directed)
    if is_excel(path):
        raw, sheet = read_sheet_rows(path)
        rows, delim, read_notes = header_and_rows(path, raw), ",", {"sheet": sheet}
    else:
        rows, delim, enc = read_rows(path)
        read_notes = {"delimiter": delim, "encoding": enc}
    if delim == " ":  # numbers separated by spaces: only a matrix without labels is written so
        _check_plain(path, rows)
    plain = kind in (None, "matrix") and without_labels(path, rows)
    if kind is None:
        kind = "matrix" if plain else _edgelist_or_matrix(path, rows)
    notes = {"format": kind, **read_notes}
    directed = True if directed is None else directed
    if plain:
        notes["labels"] = f"numbered 1 to {len(rows)}: the file has none"
        notes["numbered"] = len(rows)
        return read_matrix(path, numbered(rows), delim, directed, notes)
    if kind == "matrix":
        return read_matrix(path, rows, delim, directed, notes)
    return read_edgelist(path, rows, delim, directed, notes)


def format_name(fmt: str) -> str | None:
    """The format a ``fmt`` names (case, ``-`` and ``_`` ignored; a few synonyms), or None."""
    f = str(fmt).lower().replace("-", "").replace("_", "")
    f = {"edges": "edgelist", "net": "pajek", "adjacency": "matrix", "ucinet": "dl"}.get(f, f)
    return f if f in FORMATS else None


def _format(path, fmt: str | None) -> str | None:
    if fmt is not None:
        f = format_name(fmt)
        if f is None:
            raise DataError(f"{path}: unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
        return f
    ext = Path(split_sheet(path)[0]).suffix.lower()
    if ext in _EXTENSIONS:
        return _EXTENSIONS[ext]
    hint = "; save the sheet as .xlsx or CSV" if ext in _SPREADSHEETS else ""
    raise DataError(f"{path}: unknown format {ext or '(no extension)'!r}; expected .csv, .tsv, .txt, .dat, .xlsx "
                    f"(edge list or matrix), .graphml, .gexf, .net (Pajek) or .dl (UCINET){hint}")


def _check_plain(path, rows) -> None:
    """DataError for the first row or cell that keeps a space-separated file from being n
    rows of n numbers (its only reading)."""
    n = len(rows)
    for ln, cells in rows:
        bad = next((c for c in cells if not (is_number(c) or is_missing(c))), None)
        if bad is not None:
            raise DataError(f"{path}: line {ln}, column {cells.index(bad) + 1}: {bad!r} is not a number; a matrix "
                            "without labels holds numbers (or NA for a cell not observed)")
        if len(cells) != n:
            raise DataError(f"{path}: line {ln}: {len(cells)} numbers, expected {n} (a matrix without labels "
                            f"has n rows of n numbers; this file has {n} rows; an edge list needs a header, "
                            "source and target, and commas, semicolons or tabs)")


def _edgelist_or_matrix(path, rows) -> str:
    hl, header = rows[0]
    cols = {c for c in header[1:] if c}
    firsts = {cells[0] for _, cells in rows[1:] if cells[0]}
    if cols and cols == firsts:
        return "matrix"
    if names_source_and_target(header):
        return "edgelist"
    if not header[0]:
        return "matrix"
    numeric_body = all(not c or is_number(c) for _, cells in rows[1:] for c in cells[1:])
    if len(cols) >= 2 and numeric_body and len(cols & firsts) >= len(cols) / 2:
        return "matrix"  # mostly the same labels: a matrix with a mismatch, reported as such
    raise header_error(path, hl, header)

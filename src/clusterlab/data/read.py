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
from .matrix import read_matrix
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
    it is n rows of n numbers (`unlabelled_matrix`: actors numbered 1 to n), as a labelled
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
    numbered = kind in (None, "matrix") and unlabelled_matrix(rows)
    if kind is None:
        kind = "matrix" if numbered else _edgelist_or_matrix(path, rows)
    notes = {"format": kind, **read_notes}
    directed = True if directed is None else directed
    if numbered:
        n = len(rows)
        labelled = [(0, [""] + [str(k) for k in range(1, n + 1)])] + \
                   [(ln, [str(k)] + cells) for k, (ln, cells) in enumerate(rows, 1)]
        notes["labels"] = f"numbered 1 to {n}: the file has none"
        return read_matrix(path, labelled, delim, directed, notes)
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


def unlabelled_matrix(rows) -> bool:
    """Whether delimited rows are a square matrix without labels (as RSiena and SIENA's .dat
    files keep them): n >= 2 rows of n cells, every cell a number, blank or NA, every
    diagonal cell 0, blank or NA (an edge list of ids has none there), the first not blank.
    Read so, the actors are numbered 1 to n. Not when the first row and the first column,
    past their shared corner, hold the same distinct values (in any order), some other than 0
    and 1: those are numeric labels, and a blank corner cell marks labels too."""
    n = len(rows)
    if n < 2 or any(len(cells) != n for _, cells in rows) or not rows[0][1][0]:
        return False  # a blank first cell is a labelled matrix's corner
    if not all(not c or is_number(c) or is_missing(c) for _, cells in rows for c in cells):
        return False
    if any(cells[i] and not is_missing(cells[i]) and float(cells[i].replace(",", ".")) != 0
           for i, (_, cells) in enumerate(rows)):
        return False
    top, side = rows[0][1][1:], [cells[0] for _, cells in rows[1:]]
    labels = sorted(top) == sorted(side) and len(set(top)) == len(top) and not set(top) <= {"0", "1"}
    return not labels


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

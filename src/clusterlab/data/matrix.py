"""Labelled square matrices in delimited files: the first row holds the column labels, the
first column the row labels (its header cell may be empty or hold anything), rows and
columns list the same labels (in any order).

`read_matrix` reads one as a network (rows ask columns, a cell is a tie weight >= 0, blank
is no tie, `NA` is a cell the survey did not observe); `read_proximity` as a proximity
matrix (every cell a finite number).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..memo import Memo, digest
from .network import MAX_MATRIX, ClusterNetwork, DataError, build_network
from .text import is_missing, is_number, parse_number, parse_weight, read_rows


_UNOBSERVED = -1.0  # marks such a cell while parsing (weights are >= 0)


def _weight_or_missing(path, text: str, line: int, column: str, comma_decimal: bool) -> float | None:
    if is_missing(text):
        return _UNOBSERVED
    try:
        return parse_weight(path, text, line, column, comma_decimal)
    except DataError as exc:
        if "is not a number" not in str(exc):
            raise
        raise DataError(f"{exc}; a cell holds a tie weight (a number from 0), nothing for no tie, or NA for a "
                        "cell not observed") from None


def read_matrix(path, rows, delim: str, directed: bool, notes: dict) -> ClusterNetwork:
    """The network of a matrix's rows (from `text.read_rows`); actors are the labels
    (isolates included), in column order. Read undirected, a symmetric matrix counts each
    pair once (the cell value); otherwise both directions are summed. A cell `NA` (also
    `N/A`, `NaN`, `.`, an Excel error value; any case, `text.is_missing`) was not observed:
    not a tie, listed in `missing` (a non-respondent's row; `ClusterNetwork.unknown_pairs`);
    a blank cell is no tie."""
    labels, W = _labelled(path, rows, delim, _weight_or_missing)
    M = W == _UNOBSERVED
    np.fill_diagonal(M, False)
    W = np.where(M | np.isnan(W) | (W < 0), 0.0, W)  # a blank weight is no tie
    if not directed and np.array_equal(W, W.T) and np.array_equal(M, M.T):
        W = np.triu(W)  # an undirected matrix lists each tie twice: count it once (M keeps its rows)
        notes = dict(notes, symmetric=True)
    src, dst = np.nonzero(W)
    _siena_codes(path, W[src, dst])
    return build_network(path, labels, src, dst, W[src, dst], None, directed, notes=notes,
                         missing=np.argwhere(M))


SIENA_CODES = {9.0: "missing", 10.0: "structural zero", 11.0: "structural one"}


def _siena_codes(path, weights: np.ndarray) -> None:
    """A warning when a 0/1 matrix also holds 9, 10 or 11 (or holds nothing else): SIENA's
    codes for a missing cell and structural zeros and ones, which would otherwise be read as
    ties of weight 9-11."""
    values = set(np.unique(weights).tolist())
    codes = sorted(values & set(SIENA_CODES))
    if codes and values <= {1.0, *SIENA_CODES}:
        import warnings

        from ..errors import ClusterlabWarning

        said = ", ".join(f"{c:g} ({SIENA_CODES[c]})" for c in codes)
        warnings.warn(f"{path}: a 0/1 matrix with cells {said}: SIENA's codes? They are read as ties of that "
                      "weight; write NA for a cell not observed and 0 for a structural zero (a firm absent at that "
                      "wave: --absent zeros or a present column)", ClusterlabWarning, stacklevel=2)


PROXIMITY_LIMIT = 1e6  # |cell| at most: larger covariates overflow the logit models


def read_proximity(path, lo: float = -PROXIMITY_LIMIT, hi: float = PROXIMITY_LIMIT) -> pd.DataFrame:
    """A proximity matrix (e.g. cognitive or geographic proximity between actors) from a
    delimited file, as a labelled square float DataFrame (index and columns the labels, in
    column order; ``attrs["source"]`` the path, for later messages).

    Same decoding, delimiters and decimal commas as the network readers. Every cell must
    be a finite number in [lo, hi]: a blank, ``NaN``, text or out-of-range cell raises
    DataError naming the file, the line (row) and the column. A matrix without labels (n
    rows of n numbers, as RSiena keeps dyadic covariates; `numbered`) gets labels 1 to n,
    as a network matrix without labels does. A file (or workbook sheet)
    read again with the same bytes (each replication of a calibration starts from the same
    files) is not parsed again (`clusterlab.memo`).
    """
    key = _text_key(path, lo, hi)
    hit = _READ.get(key) if key is not None else None
    if hit is None:
        hit = _read_proximity(path, lo, hi)
        if key is not None and len(hit[0]) <= MEMO_MAX_LABELS:
            _READ.put(key, hit)
    labels, P, numbered_size = hit
    frame = pd.DataFrame(P.copy(), index=pd.Index(labels), columns=pd.Index(labels))
    frame.attrs["source"] = str(path)
    if numbered_size is not None:
        frame.attrs["numbered"] = numbered_size  # a matrix without labels: actors 1 to n by position
    return frame


MEMO_MAX_LABELS = 2_000  # proximity files kept parsed up to this many labels (32 MB each)
_READ = Memo("proximity files", size=4)  # recent files read by read_proximity: labels, values


def _text_key(path, lo: float, hi: float) -> bytes | None:
    """A digest of the file's bytes (a workbook's whole file and the sheet asked for) and the
    range, or None (unreadable: the reader then says why)."""
    from .excel import is_excel, split_sheet

    file, sheet = split_sheet(path) if is_excel(path) else (path, None)
    try:
        data = Path(file).read_bytes()
    except (OSError, TypeError, ValueError):
        return None
    return digest(np.frombuffer(data, np.uint8), sheet, float(lo), float(hi))


def _value(c: str) -> float | None:
    """A cell's number (decimal comma allowed), None for a blank or NA cell."""
    return None if not c or is_missing(c) else float(c.replace(" ", "").replace(",", "."))


def without_labels(path, rows, proximity: bool = False) -> bool:
    """Whether delimited rows are a square matrix without labels (as RSiena keeps waves and
    dyadic covariates, SIENA in .dat files): n >= 2 rows of n cells, each a number, blank or
    NA, the first cell not blank. Such a file can also be read as a labelled matrix whose
    labels are numbers; the diagonal tells the two readings apart:

    - without labels: the diagonal is zero (blank, NA) for a network, constant for a
      proximity matrix (self-distance 0, self-proximity 1);
    - labelled: the first row past the corner holds distinct whole numbers, the first column
      the same ones (in any order), and each label's own cell is zero (constant).

    Returns True for the reading without labels, False otherwise (a blank first cell is a
    labelled matrix's corner: read as labelled); DataError naming the file when both
    readings hold (a small symmetric matrix of whole numbers, say: the file must say) or
    neither does (self-ties on the diagonal, or an edge list without its header): never a
    silent guess."""
    n = len(rows)
    if n < 2 or any(len(cells) != n for _, cells in rows) or not rows[0][1][0]:
        return False
    if not all(not c or is_missing(c) or is_number(c) for _, cells in rows for c in cells):
        return False
    cell = [cells for _, cells in rows]
    top, side = cell[0][1:], [cells[0] for cells in cell[1:]]

    def flat(values) -> bool:  # the diagonal of the reading: zero (network) or constant (proximity)
        vals = [v for v in map(_value, values) if v is not None]
        return all(v == vals[0] for v in vals) if proximity and vals else all(v == 0 for v in vals)

    unlabelled = flat(cell[i][i] for i in range(n))
    labels = (not is_missing(cell[0][0]) and all(c.isdigit() for c in top) and len(set(top)) == len(top)
              and sorted(top) == sorted(side) and not set(top) <= {"0", "1"})
    if labels:
        col = {c: k for k, c in enumerate(top, 1)}
        labels = flat(cell[r][col[side[r - 1]]] for r in range(1, n))
    if labels and unlabelled:
        raise DataError(f"{path}: cannot tell whether the first row and column are labels or values: both "
                        "readings fit; leave the first cell blank to mark them as labels, or give a matrix "
                        "without labels a first row and column of labels 1 to n (and a blank first cell)")
    if not labels and not unlabelled:
        what = "constant" if proximity else "zero"
        raise DataError(f"{path}: {n} rows of {n} numbers, read as a matrix without labels, but its diagonal is not "
                        f"{what} (self-{'proximities' if proximity else 'ties'}?) and its first row and column are "
                        f"not labels either; set the diagonal to {0 if not proximity else 'one value'}, or label "
                        "the rows and columns (a blank first cell); an edge list needs a header (source, target)")
    return unlabelled


def numbered(rows) -> list:
    """The rows of a matrix without labels with labels 1 to n added (a blank corner)."""
    n = len(rows)
    return [(0, [""] + [str(k) for k in range(1, n + 1)])] + [(ln, [str(k)] + cells)
                                                              for k, (ln, cells) in enumerate(rows, 1)]


def _read_proximity(path, lo: float, hi: float) -> tuple[list[str], np.ndarray, int | None]:
    """The labels and values of `read_proximity`, parsed and checked, and the size of a
    matrix without labels (None for a labelled one)."""
    rows, delim, _ = read_rows(path)
    size = len(rows) if without_labels(path, rows, proximity=True) else None
    if size is not None:
        rows = numbered(rows)

    def cell(path, text: str, line: int, column: str, comma_decimal: bool) -> float:
        value = parse_number(path, text, line, column, comma_decimal)
        if value is None:
            raise DataError(f"{path}: line {line}, column {column!r}: empty cell, expected a number")
        if not lo <= value <= hi:
            raise DataError(f"{path}: line {line}, column {column!r}: {text} is out of range; expected a "
                            f"number from {lo:g} to {hi:g}")
        return value

    return (*_labelled(path, rows, delim, cell), size)


def _labelled(path, rows, delim: str, cell) -> tuple[list[str], np.ndarray]:
    """The column labels and the N x N values (rows put in column order; NaN where
    `cell(path, text, line, column, comma_decimal)` returns None)."""
    hl, header = rows[0]
    cols = header[1:]
    if not cols:
        raise DataError(f"{path}: line {hl}: a matrix needs labels in its first row")
    if len(cols) > MAX_MATRIX:
        raise DataError(f"{path}: line {hl}: {len(cols):,} column labels; a matrix may have at most "
                        f"{MAX_MATRIX:,} (save a bigger network as an edge list)")
    seen: dict[str, int] = {}
    for k, c in enumerate(cols):
        if not c or is_missing(c):  # blank, NA or an Excel error cell (#N/A)
            raise DataError(f"{path}: line {hl}: column {k + 2} has no label" + (f" ({c!r})" if c else ""))
        if c in seen:
            raise DataError(f"{path}: line {hl}: column label {c!r} appears twice (columns {seen[c] + 2} "
                            f"and {k + 2})")
        seen[c] = k
    body = rows[1:]
    for ln, cells in body:
        if len(cells) != len(header):
            raise DataError(f"{path}: line {ln}: {len(cells)} cells, expected {len(header)} "
                            f"(a label and {len(cols)} values)")
    if len(body) != len(cols):
        raise DataError(f"{path}: matrix is not square: {len(body)} rows but {len(cols)} columns")
    row_line: dict[str, int] = {}
    for ln, cells in body:
        lab = cells[0]
        if not lab or is_missing(lab):
            raise DataError(f"{path}: line {ln}: row has no label" + (f" ({lab!r})" if lab else ""))
        if lab in row_line:
            raise DataError(f"{path}: line {ln}: row label {lab!r} appears twice (also line {row_line[lab]})")
        row_line[lab] = ln
    for ln, cells in body:
        if cells[0] not in seen:
            spare = next(c for c in cols if c not in row_line)
            raise DataError(f"{path}: line {ln}: row label {cells[0]!r} is not a column label (first "
                            f"mismatch; column label {spare!r} has no row); rows and columns must list "
                            "the same actors")
    W = np.full((len(cols), len(cols)), np.nan)
    comma = delim != ","
    for ln, cells in body:
        i = seen[cells[0]]
        for j, text in enumerate(cells[1:]):
            v = cell(path, text, ln, cols[j], comma)
            if v is not None:
                W[i, j] = v
    return cols, W


# ---------------------------------------------------------------------------------------
# proximity or distance: declared or detected, and distances converted to proximities
# ---------------------------------------------------------------------------------------
SCALES = ("distance", "proximity")


def proximity_role(name: str) -> str | None:
    """"geographic" (geo*, spatial*), "cognitive" (cog*, tech*) or None, by the matrix's name."""
    low = name.lower()
    if low.startswith(("geo", "spatial")):
        return "geographic"
    if low.startswith(("cog", "tech")):
        return "cognitive"
    return None


def split_proximity_spec(text: str, option: str = "--proximity") -> tuple[str, str, str | None]:
    """``NAME=FILE``, ``NAME=FILE:distance`` or ``NAME=FILE:proximity`` -> (name, file, scale
    or None). A colon followed by anything else stays part of the file name (``C:\\x.csv``)."""
    if "=" not in text:
        raise DataError(f"{option} {text!r}: expected NAME=MATRIX[:distance|:proximity], e.g. "
                        "cognitive=cog.csv or geographic=km.csv:distance")
    name, rest = (part.strip() for part in text.split("=", 1))
    scale = None
    head, sep, tail = rest.rpartition(":")
    if sep and tail.strip().lower() in SCALES:
        rest, scale = head.strip(), tail.strip().lower()
    elif sep and head and tail and "/" not in tail and "\\" not in tail and "." not in tail \
            and not Path(rest).exists() and Path(head.strip()).exists():
        # FILE:km, FILE:dist: the file exists without the suffix, so the suffix is a scale
        raise DataError(f"{option} {text if option == '--proximity' else rest!r}: unknown scale {tail.strip()!r} "
                        "after the file; expected "
                        ":distance (km) or :proximity")
    if not name or not rest:
        raise DataError(f"{option} {text!r}: expected NAME=MATRIX[:distance|:proximity] with a name and a file")
    return name, rest, scale


def detect_scale(values: np.ndarray) -> tuple[str | None, str]:
    """Whether a square matrix holds distances or proximities, by its diagonal and range:

    - diagonal all 1 (or every diagonal cell its row's maximum) -> proximity (self is closest);
    - diagonal all 0 and some cell above 1 -> distance (self at distance 0, others far);
    - all cells in [0, 1] -> proximity (a 0-1 distance with a zero diagonal looks the same:
      declare ``:distance`` then);
    - anything else (cells above 1 or below 0 and neither diagonal pattern) -> None,
      undecidable: the caller asks for a declaration.

    Returns (scale or None, the reason in words)."""
    V = np.asarray(values, np.float64)
    if V.size == 0:
        return "proximity", "empty matrix"
    d = np.diag(V)
    off = V[~np.eye(len(V), dtype=bool)]
    lo, hi = float(V.min()), float(V.max())
    rng = f"values {lo:.3g} to {hi:.3g}"
    if np.all(d == 1) and len(V) > 1:
        return "proximity", f"diagonal of ones, {rng}"
    if np.all(d == 0) and off.size and off.max() > 1 and off.min() >= 0:
        return "distance", f"diagonal of zeros, {rng}"
    if lo >= 0 and hi <= 1:
        return "proximity", f"all {rng}, within 0-1"
    if len(V) > 1 and np.all(d >= V.max(axis=1)) and np.any(d > 0):
        return "proximity", f"each diagonal cell its row's maximum, {rng}"
    return None, rng


def as_proximity(frame: pd.DataFrame, name: str, scale: str | None = None, *, geo_km: float = 10.0,
                 where: str = "") -> tuple[pd.DataFrame, str]:
    """The proximity matrix of a matrix read by `read_proximity`, declared (scale
    "distance"/"proximity") or detected (`detect_scale`); returns (proximity, note saying
    what was assumed). A distance d becomes a proximity on the simulation's 0-1 scale:

    - geographic (`proximity_role(name)`): exp(-d / geo_km), d taken in km, geo_km the
      network-evolution mechanism's distance scale, so that the proximity is the one the
      model uses in acceptance;
    - otherwise: 1 - d when every distance is within 0-1 (e.g. 1 - cosine), else
      exp(-d / median of the off-diagonal distances) (no model scale to use; the median
      makes the result independent of the distance's unit).

    ``attrs``: source, scale (as read), scale_how ("declared"/"detected"), conversion.
    An undecidable matrix or a negative distance raises DataError (where: the option, for
    the message)."""
    where = where or f"{frame.attrs.get('source', '')}: proximity {name!r}"
    V = frame.to_numpy(np.float64)
    how = "declared"
    if scale is None:
        scale, why = detect_scale(V)
        how = "detected"
        if scale is None:
            raise DataError(f"{where}: cannot tell whether the matrix holds distances or proximities ({why}; "
                            "a distance matrix has a diagonal of zeros, a proximity one of ones or values "
                            f"0-1); declare it: {name}=FILE:distance or {name}=FILE:proximity")
    elif scale not in SCALES:
        raise DataError(f"{where}: scale {scale!r}: expected 'distance' or 'proximity'")
    else:
        why = "declared"
    out = frame.copy()
    out.attrs = dict(frame.attrs)
    if scale == "proximity":
        conv = "used as given"
    else:
        if V.size and V.min() < 0:
            raise DataError(f"{where}: a distance matrix has a negative cell ({V.min():.3g}); "
                            "distances are >= 0")
        off = V[~np.eye(len(V), dtype=bool)]
        if proximity_role(name) == "geographic":
            if not geo_km > 0:
                raise DataError(f"{where}: geo_km must be > 0, not {geo_km}")
            P = np.exp(-V / geo_km)
            conv = f"exp(-d / {geo_km:g} km), geo_km of network evolution; distances taken in km"
        elif V.size and V.max() <= 1:
            P = 1.0 - V
            conv = "1 - d (distances within 0-1)"
        else:
            med = float(np.median(off[off > 0])) if np.any(off > 0) else 1.0
            P = np.exp(-V / med)
            conv = f"exp(-d / {med:.4g}), the median off-diagonal distance"
        out.loc[:, :] = P
    out.attrs.update(scale=scale, scale_how=how, conversion=conv)
    note = (f"{where}: {'declared' if how == 'declared' else 'read as'} a {scale} matrix"
            + (f" ({why})" if how == "detected" else "") + f"; {conv}")
    if how == "detected":
        note += f"; declare {name}=FILE:{'proximity' if scale == 'distance' else 'distance'} if not"
    return out, note

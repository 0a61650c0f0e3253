"""Text files as spreadsheets export them: decoding, delimiter sniffing, rows, numbers.

Tolerated: UTF-8 with or without BOM, UTF-16 with BOM, Windows-1252/latin-1 when the bytes
are not UTF-8; CR, LF or CRLF line endings; quoted fields; comma, semicolon or tab
delimiters (detected); trailing delimiters; blank lines; decimal commas in semicolon- and
tab-delimited files ("0,5"). Every problem raises DataError naming the file and, where
there is one, the line.
"""

from __future__ import annotations

import csv
import io
import math
import re

from .network import WEIGHT_RULE, DataError, weight_ok
from .files import check_file

DELIMITERS = (",", ";", "\t")
# a value not observed (any case): NA and its spellings, and Excel's error values as a sheet
# saved as CSV writes them (an error cell read from .xlsx is one too, `excel._cell`)
MISSING_CELLS = frozenset(("na", "n/a", "nan", ".", "#n/a", "#div/0!", "#value!", "#ref!", "#name?", "#num!",
                           "#null!"))


def is_missing(text: str) -> bool:
    """Whether a cell says "not observed": NA, N/A, NaN, a lone full stop, or an Excel error
    value (#N/A, #DIV/0!, #VALUE!, ...; any error cell of an .xlsx sheet), in any case."""
    return text.strip().lower() in MISSING_CELLS


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_COMMA_DECIMAL = re.compile(r"[+-]?\d*,\d+")


def squash(name: str) -> str:
    """A header name compared loosely: lower case, only letters, digits and &."""
    return re.sub(r"[^0-9a-z&]", "", str(name).lower())


def read_bytes(path) -> bytes:
    p = check_file(path)
    try:
        return p.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror or exc})") from None


def read_text(path) -> tuple[str, str]:
    """The text of a file and the encoding it was read with."""
    data = read_bytes(path)
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


def read_rows(path) -> tuple[list[tuple[int, list[str]]], str, str]:
    """The non-blank rows of a delimited file as (line number, stripped cells), the
    delimiter and the encoding: a header and at least one data row. Empty cells past the
    header's last named column (trailing delimiters) are dropped. An Excel sheet
    (``.xlsx``, ``book.xlsx#Sheet``; `clusterlab.data.excel`) gives its rows the same way,
    with delimiter "," (its numbers are numbers already) and encoding "xlsx"."""
    from .excel import is_excel, read_sheet_rows

    if is_excel(path):
        rows, _ = read_sheet_rows(path)
        return header_and_rows(path, rows), ",", "xlsx"
    text, enc = read_text(path)
    delim = _sniff(text, path)
    if delim == " ":  # numbers separated by spaces (SIENA's .dat matrices): no quoting
        rows = [(ln, line.split()) for ln, line in enumerate(text.splitlines(), 1) if line.strip()]
        return header_and_rows(path, rows), delim, enc

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
    return header_and_rows(path, rows), delim, enc


def header_and_rows(path, rows: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """Non-blank rows checked to hold a header and data, trailing empty cells dropped."""
    if not rows:
        raise DataError(f"{path}: file is empty")
    hl, header = rows[0]
    if len(rows) < 2:
        raise DataError(f"{path}: only a header (line {hl}), no data rows")
    header = _strip_trailing(header)
    fixed = [(hl, header)]
    for ln, cells in rows[1:]:
        while len(cells) > len(header) and not cells[-1]:
            cells = cells[:-1]
        fixed.append((ln, cells))
    return fixed


def _sniff(text: str, path="") -> str:
    """The delimiter (comma, semicolon or tab) that splits the first lines most consistently
    (ties: the one giving more number cells); " " (runs of spaces) when none of them splits
    the first line and it splits on spaces into numbers or NA cells (a matrix as SIENA's .dat
    files hold it); DataError naming `path` when it splits on spaces into words."""
    lines, stream = [], io.StringIO(text, newline=None)
    while len(lines) < 50:
        line = stream.readline()
        if not line:
            break
        if line.strip():
            lines.append(line.rstrip("\n"))
    sample = "\n".join(lines)
    best, best_score = ",", None
    for d in DELIMITERS:
        try:
            split = [r for r in csv.reader(io.StringIO(sample), delimiter=d) if r]
        except csv.Error:
            continue
        if not split:
            continue
        counts = [len(_strip_trailing(r)) for r in split]
        head = counts[0]
        # ties broken by the share of number cells (0,5;0,2 splits on both; semicolons make numbers)
        cells = [c for r in split for c in r[1:] if c.strip()]
        numeric = sum(is_number(c.strip()) or is_missing(c) for c in cells) / len(cells) if cells else 0.0
        score = (head > 1, sum(c == head for c in counts) / len(counts), numeric, head)
        if best_score is None or score > best_score:
            best, best_score = d, score
    if best_score is not None and not best_score[0]:
        first = lines[0].split() if lines else []
        if len(first) > 1 and all(is_number(x) or is_missing(x) for x in first):
            return " "  # numbers separated by spaces: a matrix without labels, checked by its reader
        if len(first) > 1:
            raise DataError(f"{path}: line 1: columns separated by spaces are read only in a matrix of numbers "
                            "without labels (n rows of n numbers); separate a labelled matrix, an edge list or "
                            "attributes by commas, semicolons or tabs")
    return best


def _strip_trailing(cells: list[str]) -> list[str]:
    cells = list(cells)
    while len(cells) > 1 and not cells[-1].strip():
        cells.pop()
    return cells


def is_number(text: str) -> bool:
    """Whether a cell reads as a number (a decimal comma allowed)."""
    return bool(_NUMBER.fullmatch(text) or _COMMA_DECIMAL.fullmatch(text))


def parse_number(path, text: str, line: int, column: str, comma_decimal: bool) -> float | None:
    """A cell as a finite float (None when blank); DataError naming line and column otherwise."""
    if not text:
        return None
    s = text.replace(" ", "").replace("\u00a0", "")
    if comma_decimal and _COMMA_DECIMAL.fullmatch(s):
        s = s.replace(",", ".")
    if not _NUMBER.fullmatch(s) or not math.isfinite(float(s)):
        raise DataError(f"{path}: line {line}, column {column!r}: {text!r} is not a number")
    return float(s)


def parse_weight(path, text: str, line: int, column: str, comma_decimal: bool) -> float | None:
    """A tie weight: a number from 0 to `network.MAX_WEIGHT` (None when blank)."""
    w = parse_number(path, text, line, column, comma_decimal)
    if w is not None and w < 0:
        raise DataError(f"{path}: line {line}, column {column!r}: negative weight {text} "
                        f"(weights must be {WEIGHT_RULE})")
    if w is not None and not weight_ok(w):
        raise DataError(f"{path}: line {line}, column {column!r}: weight {text} is out of range; expected "
                        f"{WEIGHT_RULE}")
    return w

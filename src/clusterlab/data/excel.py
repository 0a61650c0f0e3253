"""Excel workbooks (``.xlsx``, ``.xlsm``; Office Open XML, ECMA-376, read by openpyxl through
pandas): one sheet read as the rows of a delimited file, so that the edge list, matrix,
attribute and proximity readers read it as they read a CSV file.

The first sheet is read, or the one named after ``#``: ``survey.xlsx#wave 2``. Cells become
text as a CSV export would write them (whole numbers without ``.0``, empty cells blank);
columns that are empty in every row on the left of the table are dropped, and title lines
above it (rows with one filled cell before the first row with two), so a table may start
anywhere on the sheet. Line numbers in messages are the sheet's row numbers.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd

from .files import check_file
from .network import DataError

EXCEL_EXTENSIONS = (".xlsx", ".xlsm")


def split_sheet(path) -> tuple[str, str | None]:
    """A path as (file, sheet): ``book.xlsx#Sheet 2`` -> ("book.xlsx", "Sheet 2"); any other
    path -> (path, None)."""
    text = str(path)
    if "#" in text:
        file, sheet = text.rsplit("#", 1)
        if Path(file).suffix.lower() in EXCEL_EXTENSIONS:
            return file, sheet
    return text, None


def is_excel(path) -> bool:
    return Path(split_sheet(path)[0]).suffix.lower() in EXCEL_EXTENSIONS


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return "#N/A"  # an error cell (=NA(), #DIV/0!): pandas gives NaN, a blank cell is None or ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value).strip()


def read_sheet_rows(path) -> tuple[list[tuple[int, list[str]]], str]:
    """The non-blank rows of a sheet as (row number, cells as text), and the sheet's name.
    DataError for a missing file, a workbook that cannot be read or an unknown sheet."""
    file, sheet = split_sheet(path)
    check_file(file)
    try:
        import openpyxl  # noqa: F401  (pandas' engine for .xlsx)
    except ImportError:
        raise DataError(f"{path}: reading Excel files needs openpyxl (pip install openpyxl), "
                        "or save the sheet as CSV") from None
    try:
        book = pd.ExcelFile(file, engine="openpyxl")
    except Exception as exc:  # zip, XML or openpyxl errors: all mean the same to the user
        raise DataError(f"{path}: not a readable Excel workbook ({type(exc).__name__}: {exc}); expected "
                        ".xlsx or .xlsm") from None
    names = [str(s) for s in book.sheet_names]
    if sheet is None:
        if not names:
            raise DataError(f"{path}: the workbook has no sheet")
        sheet = names[0]
    elif sheet not in names:
        raise DataError(f"{path}: no sheet {sheet!r} in the workbook; its sheets are "
                        f"{', '.join(repr(s) for s in names)}")
    # cells as written: "NA" or "#N/A" stays text (a network cell not observed; pandas would blank it)
    frame = pd.read_excel(book, sheet_name=sheet, header=None, dtype=object, keep_default_na=False)
    cells = [[_cell(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    filled = [(k, r) for k, r in enumerate(cells) if any(r)]
    # title lines above the table (one filled cell each, "Advice network, wave 1") are not
    # part of it: the table starts at the first row with two filled cells
    first = next((i for i, (_, r) in enumerate(filled) if sum(1 for c in r if c) >= 2), 0)
    filled = filled[first:]
    width = max((len(r) for _, r in filled), default=0)
    left = next((j for j in range(width) if any(j < len(r) and r[j] for _, r in filled)), 0)
    return [(k + 1, r[left:]) for k, r in filled], sheet

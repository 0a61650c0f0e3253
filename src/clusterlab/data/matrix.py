"""Labelled square matrices in delimited files: the first row holds the column labels, the
first column the row labels (its header cell may be empty or hold anything), rows and
columns list the same labels (in any order).

`read_matrix` reads one as a network (rows ask columns, a cell is a tie weight >= 0, blank
is no tie); `read_proximity` as a proximity matrix (every cell a finite number).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .network import MAX_MATRIX, ClusterNetwork, DataError, build_network
from .text import parse_number, parse_weight, read_rows


def read_matrix(path, rows, delim: str, directed: bool, notes: dict) -> ClusterNetwork:
    """The network of a matrix's rows (from `text.read_rows`); actors are the labels
    (isolates included), in column order. Read undirected, a symmetric matrix counts each
    pair once (the cell value); otherwise both directions are summed."""
    labels, W = _labelled(path, rows, delim, parse_weight)
    W = np.nan_to_num(W)  # a blank weight is no tie
    if not directed and np.array_equal(W, W.T):
        W = np.triu(W)  # an undirected matrix lists each tie twice: count it once
        notes = dict(notes, symmetric=True)
    src, dst = np.nonzero(W)
    return build_network(path, labels, src, dst, W[src, dst], None, directed, notes=notes)


PROXIMITY_LIMIT = 1e6  # |cell| at most: larger covariates overflow the logit models


def read_proximity(path, lo: float = -PROXIMITY_LIMIT, hi: float = PROXIMITY_LIMIT) -> pd.DataFrame:
    """A proximity matrix (e.g. cognitive or geographic proximity between actors) from a
    delimited file, as a labelled square float DataFrame (index and columns the labels, in
    column order; ``attrs["source"]`` the path, for later messages).

    Same decoding, delimiters and decimal commas as the network readers. Every cell must
    be a finite number in [lo, hi]: a blank, ``NaN``, text or out-of-range cell raises
    DataError naming the file, the line (row) and the column.
    """
    rows, delim, _ = read_rows(path)

    def cell(path, text: str, line: int, column: str, comma_decimal: bool) -> float:
        value = parse_number(path, text, line, column, comma_decimal)
        if value is None:
            raise DataError(f"{path}: line {line}, column {column!r}: empty cell, expected a number")
        if not lo <= value <= hi:
            raise DataError(f"{path}: line {line}, column {column!r}: {text} is out of range; expected a "
                            f"number from {lo:g} to {hi:g}")
        return value

    labels, P = _labelled(path, rows, delim, cell)
    frame = pd.DataFrame(P, index=pd.Index(labels), columns=pd.Index(labels))
    frame.attrs["source"] = str(path)
    return frame


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
        if not c:
            raise DataError(f"{path}: line {hl}: column {k + 2} has no label")
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
    W = np.full((len(cols), len(cols)), np.nan)
    comma = delim != ","
    for ln, cells in body:
        i = seen[cells[0]]
        for j, text in enumerate(cells[1:]):
            v = cell(path, text, ln, cols[j], comma)
            if v is not None:
                W[i, j] = v
    return cols, W

"""Edge lists: a delimited file with a header naming the source and target columns, and
optionally weight and layer columns (common aliases recognised, see the ``*_NAMES``)."""

from __future__ import annotations

from .network import ClusterNetwork, DataError, build_network
from .text import is_missing, parse_weight, squash

# header names (compared lower-case with everything but letters, digits and & removed)
SOURCE_NAMES = ("source", "from", "ego", "asker", "i", "firm", "id1", "node1")
TARGET_NAMES = ("target", "to", "alter", "j", "id2", "node2")
WEIGHT_NAMES = ("weight", "value", "strength", "w", "frequency")
LAYER_NAMES = ("layer", "type", "relation", "kind_of_tie")
# further aliases accepted but not listed in error messages
_SOURCE = frozenset(map(squash, SOURCE_NAMES + ("src", "sender", "respondent")))
_TARGET = frozenset(map(squash, TARGET_NAMES + ("dst", "receiver", "nominee")))
_WEIGHT = frozenset(map(squash, WEIGHT_NAMES + ("weights", "freq")))
_LAYER = frozenset(map(squash, LAYER_NAMES + ("tie_type", "relationship")))


def names_source_and_target(header: list[str]) -> bool:
    """Whether a header names a source and a target column."""
    names = [squash(c) for c in header]
    return any(n in _SOURCE for n in names) and any(n in _TARGET for n in names)


def header_error(path, hl: int, header: list[str]) -> DataError:
    """The error for a header that is neither an edge list's nor a matrix's."""
    names = [squash(c) for c in header]
    missing = [what for what, pool in (("source", _SOURCE), ("target", _TARGET))
               if not any(n in pool for n in names)]
    shown = ", ".join(repr(c) for c in header[:6]) + (", ..." if len(header) > 6 else "")
    return DataError(
        f"{path}: line {hl}: no {' and no '.join(missing)} column in the header ({shown}); an edge list "
        f"needs a header naming the source ({', '.join(SOURCE_NAMES)}) and the target "
        f"({', '.join(TARGET_NAMES)}) columns, optionally weight ({', '.join(WEIGHT_NAMES)}) and layer "
        f"({', '.join(LAYER_NAMES)}); a matrix needs the same labels in its first row and first column")


def read_edgelist(path, rows, delim: str, directed: bool, notes: dict) -> ClusterNetwork:
    """The network of an edge list's rows (from `text.read_rows`). Actors are the ids in
    order of first appearance; blank weights weigh 1."""
    hl, header = rows[0]
    names = [squash(c) for c in header]

    def find(pool):
        return next((k for k, n in enumerate(names) if n in pool), None)

    si, ti, wi, li = find(_SOURCE), find(_TARGET), find(_WEIGHT), find(_LAYER)
    if si is None or ti is None:
        raise header_error(path, hl, header)
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
            if not value or is_missing(value):  # blank, NA or an Excel error cell (#N/A)
                raise DataError(f"{path}: line {ln}: missing {what} id (column {header[col]!r}"
                                + (f": {value!r}" if value else "") + ")")
        src.append(index.setdefault(s, len(index)))
        dst.append(index.setdefault(t, len(index)))
        value = 1.0 if wi is None else parse_weight(path, cells[wi], ln, header[wi], comma)
        w.append(1.0 if value is None else value)
        if li is not None:
            lay.append(cells[li])
    layer = lay if li is not None else None
    return build_network(path, list(index), src, dst, w, layer, directed, notes=notes)

"""Actor attributes: the vocabulary clusterlab knows (`KNOWN_ATTRIBUTES`, their aliases,
the synonyms of actor kinds) and `read_attributes`, which reads them from a delimited file
onto a network. Valid values and positions: `clusterlab.data.values`."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..state import KINDS
from .network import ClusterNetwork, DataError
from .text import is_missing, parse_number, read_rows, squash
from .values import RANGES, check_pairs, check_span, project, value_problem

# attribute columns clusterlab knows (after normalising names); others are kept as they are
KNOWN_ATTRIBUTES = ("kind", "stage", "size", "age", "rd", "external_ties", "export_share",
                    "ownership", "x", "y", "lat", "lon")
NUMERIC_ATTRIBUTES = tuple(RANGES)
# id column names, in order of preference
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
    "x": ("x",),
    "y": ("y",),
    "lat": ("lat", "latitude"),
    "lon": ("lon", "lng", "long", "longitude"),
}
# what surveys call the actor kinds of clusterlab.state.KINDS
KIND_SYNONYMS = {
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
_KIND_LOOKUP = {syn: kind for kind, syns in KIND_SYNONYMS.items() for syn in syns}
_ATTR_LOOKUP = {squash(alias): key for key, aliases in ATTRIBUTE_ALIASES.items() for alias in aliases}
ATTRIBUTE_KEY = _ATTR_LOOKUP  # a column name, squashed -> the known attribute it gives
# node attribute names of GraphML/GEXF taken as known attributes: their own names (any case)
_NODE_NAMES = frozenset(map(squash, KNOWN_ATTRIBUTES + ("latitude", "longitude")))


def normalise_kind(value: str) -> str | None:
    """A kind name or common synonym as one of clusterlab's kinds, or None when unknown."""
    key = re.sub(r"[\s_\-]+", " ", str(value).strip().lower())
    if key in _KIND_LOOKUP:
        return _KIND_LOOKUP[key]
    for plural, singular in (("ies", "y"), ("s", "")):  # universities, agencies, firms
        if key.endswith(plural) and key[: -len(plural)] + singular in _KIND_LOOKUP:
            return _KIND_LOOKUP[key[: -len(plural)] + singular]
    return None


# industry-code columns (squashed names), in order of preference: the first present gives
# the firms' codes (from_data, profiles.normalise_code); all are kept as text (01.10 is not 1.1)
INDUSTRY_NAMES = ("industry", "industrycode", "nace", "nacecode", "naics", "naicscode", "sic", "siccode",
                  "isic", "isiccode")
CODE_COLUMNS = frozenset(INDUSTRY_NAMES)


def industry_column(columns) -> str | None:
    """The column of industry codes among `columns` (any case, spaces and punctuation
    ignored: `Industry`, `NACE code`, `naics`, ...; the first of INDUSTRY_NAMES present), or None."""
    by = {}
    for c in columns:
        by.setdefault(squash(c), c)
    return next((by[k] for k in INDUSTRY_NAMES if k in by), None)


def _written_alike(label: str) -> str:
    """An id as a reader would take it: outer spaces and case ignored, a whole number without
    leading zeros or a trailing .0 (01, 1.0 and 1 alike: a spreadsheet's number formats)."""
    t = str(label).strip().casefold()
    try:
        v = float(t)
    except ValueError:
        return t
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else t


def read_attributes(path, net: ClusterNetwork, allow_new: bool = False,
                    ignore_unknown: bool = False) -> ClusterNetwork:
    """Read per-actor attributes from a delimited file and return a new network carrying them.

    The file (same encodings, delimiters and tolerance as the network readers, see
    :mod:`clusterlab.data.text`) needs an id column (``id``, ``firm``, ``name``, ``node`` or
    ``label``, in that order of preference).
    Known columns are renamed to ``KNOWN_ATTRIBUTES`` (``employees`` -> ``size``, ``R&D`` ->
    ``rd``, ``latitude`` -> ``lat``, ...); numeric ones must parse and lie in their range
    (`clusterlab.data.values.RANGES`); ``kind`` values are normalised (``firm`` -> ``sme``,
    ``research institute`` -> ``institute``, ...). ``lat``/``lon`` without ``x``/``y`` are
    projected to ``x``/``y`` in km (`clusterlab.data.values.project`). Other
    columns are kept under their own names (as numbers when every value is one, else text).
    Actors without a row get NaN; values from the file replace those already in
    ``net.attributes``. Ids not in the network are an error unless ``allow_new``, which adds
    them as isolated actors (after the existing ones), or ``ignore_unknown``, which leaves
    their rows out (one attributes file for several waves: an actor absent from this wave
    stays absent); their ids are listed in ``notes["attributes_ignored_ids"]``.
    """
    rows, delim, _ = read_rows(path)
    hl, header = rows[0]
    names = [squash(c) for c in header]
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
            cell = "" if is_missing(cells[k]) else cells[k]  # NA, #N/A, ...: not known, as a blank
            if key in NUMERIC_ATTRIBUTES:
                v = parse_number(path, cell, ln, header[k], comma)
                problem = None if v is None else value_problem(key, v)
                if problem:
                    raise DataError(f"{path}: line {ln}, column {header[k]!r}: {problem}")
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
        if squash(key) in CODE_COLUMNS:  # codes stay text: 01.10 is not 1.1
            continue
        try:
            nums = [parse_number(path, c, ln, key, comma) for ln, c in cells]
        except DataError:
            continue
        values[key] = [np.nan if v is None else v for v in nums]
    moved = check_positions(path, values, [f"line {line_of[i]}" for i in ids], given)
    have = {str(i): k for k, i in enumerate(net.ids)}
    new = [i for i in ids if i not in have]
    ignored: list[str] = []
    if new and ignore_unknown and not allow_new:
        ignored, new = new, []
    if new and not allow_new:
        shown = ", ".join(f"{i!r} (line {line_of[i]})" for i in new[:3])
        more = f" and {len(new) - 3} more" if len(new) > 3 else ""
        alike = {_written_alike(i): i for i in have}
        near = [(i, alike[_written_alike(i)]) for i in new if _written_alike(i) in alike]
        if near:
            pairs = ", ".join(f"{a!r} for {b!r}" for a, b in near[:3])
            raise DataError(f"{path}: {len(new)} id{'s' if len(new) > 1 else ''} not in the network: {shown}{more}; "
                            f"{len(near)} of them are network ids written another way ({pairs}): write the ids "
                            "as the network file does")
        raise DataError(f"{path}: {len(new)} id{'s' if len(new) > 1 else ''} not in the network: "
                        f"{shown}{more}; `clusterlab analyze --allow-new` (allow_new=True in Python) "
                        "adds them as isolated actors")
    all_ids = [str(i) for i in net.ids] + new
    base = net.attributes.copy() if net.attributes is not None else pd.DataFrame({"id": net.ids})
    base["id"] = [str(i) for i in net.ids]
    base = base.set_index("id").reindex(all_ids)
    incoming = pd.DataFrame(values, index=pd.Index(ids, name="id")).reindex(all_ids)  # ignored rows drop out
    for col in incoming.columns:
        if col in base.columns:
            base[col] = incoming[col].where(incoming[col].notna(), base[col])
        else:
            base[col] = incoming[col]
    known = [c for c in KNOWN_ATTRIBUTES if c in base.columns]
    order = known + [c for c in base.columns if c not in known]
    attributes = base[order].reset_index()
    return ClusterNetwork(ids=np.array(all_ids, dtype=object), src=net.src.copy(), dst=net.dst.copy(),
                          weight=net.weight.copy(), layer=None if net.layer is None else net.layer.copy(),
                          directed=net.directed, attributes=attributes, source=net.source,
                          missing=net.missing.copy(),
                          notes=dict(net.notes, attributes=str(path), attributes_added_actors=len(new),
                                    **({"attributes_ignored_ids": ignored} if ignored else {}), **moved))


def check_positions(path, values: dict, where: list[str], given: dict | None = None) -> dict:
    """Check the position columns of `values` (column -> list, aligned with `where`, which
    names each row; `given`: column -> name in the file) and add x/y in km projected from
    lat/lon when there are no x/y (`clusterlab.data.values`). Returns a note for
    ``net.notes`` (empty when nothing was projected)."""
    n = len(where)
    given = given or {}

    def col(key):
        return np.asarray(values[key], float) if key in values else np.full(n, np.nan)

    def name(key):
        return given.get(key, key)

    note = {}
    if "x" in values or "y" in values:
        check_pairs(((name("x"), col("x")), (name("y"), col("y"))), where, path)
    if "lat" in values or "lon" in values:
        lat, lon = col("lat"), col("lon")
        check_pairs(((name("lat"), lat), (name("lon"), lon)), where, path)
        if "x" not in values:
            check_span(lon, name("lon"), where, path, limit=180, unit="degrees")
            values["x"], values["y"] = (list(v) for v in project(lat, lon))
            given = dict(given, x=name("lon"), y=name("lat"))
            note = {"positions": "x, y in km projected from lat/lon (equirectangular about the mean latitude)"}
    for key in ("x", "y"):
        if key in values:
            check_span(col(key), name(key), where, path)
    return note


def check_node_attributes(path, table: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """The node attributes of a GraphML or GEXF file (column `id` first) with the known
    columns checked as an attributes file's are: a column whose name is a known attribute
    (any case; `latitude`/`longitude` too, other aliases are not) is renamed to it, numbers must lie in their range, kinds are normalised,
    lat/lon become x/y in km. Errors name the node. Returns the table and a note."""
    where = [f"node {i!r}" for i in table["id"]]
    rename, given = {}, {}
    for c in table.columns:
        key = _ATTR_LOOKUP.get(squash(c)) if squash(c) in _NODE_NAMES else None
        if c == "id" or key is None:
            continue
        if key in given:
            raise DataError(f"{path}: node attributes {given[key]!r} and {c!r} both give {key!r}")
        rename[c], given[key] = key, c
    table = table.rename(columns=rename)
    values = {}
    for key in given:
        column = []
        for w, v in zip(where, table[key].tolist()):
            if v is None or (isinstance(v, float) and np.isnan(v)) or v == "":
                column.append(np.nan)
            elif key == "kind":
                kind = normalise_kind(v)
                if kind is None:
                    raise DataError(f"{path}: {w}: attribute {given[key]!r}: unknown kind {v!r}; expected "
                                    f"one of {', '.join(KINDS)}")
                column.append(kind)
            elif key in NUMERIC_ATTRIBUTES:
                try:
                    num = float(v) if not isinstance(v, bool) else None
                except (TypeError, ValueError):
                    num = None
                problem = f"{v!r} is not a number" if num is None else value_problem(key, num)
                if problem:
                    raise DataError(f"{path}: {w}: attribute {given[key]!r}: {problem}")
                column.append(num)
            else:
                column.append(v)
        values[key] = column
    note = check_positions(path, values, where, given)
    for key, column in values.items():
        table[key] = column
    return table, note

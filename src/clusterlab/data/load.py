"""`load_network`: a network with its attributes, from a file or an `analyze` output folder,
without the actors absent from it.

Absent actors (structural zeros): a survey wave lists every firm of the cluster's frame,
including firms not yet founded or already closed; their rows and columns are all zero.
Counted as present isolates they would be wrong entries, exits and non-ties in a panel;
RSiena treats them likewise as not part of the network at that wave, not as actors without
ties (Ripley, Snijders et al., "Manual for RSiena", sections on structural zeros and changing
composition). So they are removed at load, by either rule:

- ``absent="zeros"``: an actor without any tie, in or out, in any layer (self-loops and
  zero weights do not count), is absent, unless its own row has an unobserved cell (``NA``:
  a firm that did not answer and that nobody named is unknown, not a zero);
- a presence column in the attributes (``present`` by default, or the name given; the
  name in any case; values 1/0, true/false, yes/no, any case; blank or no row means
  present): an actor marked 0/false/no is absent.

Removed actors are listed in ``net.notes["absent_actors"]`` and the rule for each in
``net.notes["absent_rules"]``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..outdir import read_manifest
from .attributes import read_attributes
from .network import ClusterNetwork, DataError
from .read import read_network
from .text import squash

ABSENT_RULES = ("zeros",)
PRESENCE_COLUMN = "present"
_YES = frozenset(("1", "1.0", "true", "yes", "y", "t"))
_NO = frozenset(("0", "0.0", "false", "no", "n", "f"))


def load_network(path: str | Path, attributes: str | Path | None = None, *, directed: bool | None = None,
                 fmt: str | None = None, allow_new: bool = False, ignore_unknown: bool = False,
                 absent: str | None = None, presence: str | None = None) -> ClusterNetwork:
    """Read a network file, or the ``network.graphml`` of a `clusterlab analyze` output
    folder, and, if given, its attributes file; then remove the absent actors (module
    docstring).

    ``directed`` and ``fmt`` as in :func:`clusterlab.data.read_network`; ``allow_new`` and
    ``ignore_unknown`` as in :func:`clusterlab.data.read_attributes` (attribute ids missing
    from the network are added as isolated actors, or ignored, instead of being an error).
    ``absent``: None, or ``"zeros"`` to remove actors without any tie. ``presence``: the
    attributes column saying who is present (None: ``present`` when the attributes have
    it; a name given must be a column of the attributes).
    """
    if absent is not None and absent not in ABSENT_RULES:
        raise DataError(f"{path}: absent={absent!r}: expected one of {', '.join(ABSENT_RULES)} (or none)")
    if presence is not None and not attributes:
        raise DataError(f"{path}: a presence column ({presence!r}) needs an attributes file")
    p = Path(path)
    if p.is_dir():
        manifest = read_manifest(p)
        if manifest is not None and not manifest.get("complete", True):
            raise DataError(f"{p}: its writing was stopped part way (the manifest says incomplete); "
                            f"run `clusterlab {manifest['command']}` into it again first")
        inner = p / "network.graphml"
        if not inner.exists():
            raise DataError(f"{p}: folder has no network.graphml "
                            "(expected the output of `clusterlab analyze`)")
        p = inner
    net = read_network(p, directed=directed, fmt=fmt)
    if attributes:
        net = read_attributes(attributes, net, allow_new=allow_new, ignore_unknown=ignore_unknown)
    rules: dict[str, str] = {}
    if absent == "zeros":
        tied = np.zeros(net.n, bool)
        tied[net.src] = True
        tied[net.dst] = True
        tied[net.missing[:, 0]] = True  # an NA in its own row (it did not answer): unknown, not a zero
        for i in np.flatnonzero(~tied):
            rules[str(net.ids[i])] = "no ties (absent='zeros')"
    if attributes:
        for ident in _marked_absent(net, attributes, presence):
            rules.setdefault(ident, f"marked absent in column {presence or PRESENCE_COLUMN!r}")
    return drop_actors(net, rules) if rules else net


def _marked_absent(net: ClusterNetwork, attributes, presence: str | None) -> list[str]:
    """The ids the presence column marks absent (DataError for a value that is not 1/0,
    true/false or yes/no, or a named column that is missing)."""
    wanted = squash(presence or PRESENCE_COLUMN)
    table = net.attributes
    column = next((c for c in table.columns if c != "id" and squash(c) == wanted), None)
    if column is None:
        if presence is None:
            return []
        shown = ", ".join(repr(c) for c in table.columns if c != "id")
        raise DataError(f"{attributes}: no presence column {presence!r}; the attributes have "
                        f"{shown or 'no columns'}")
    out = []
    for ident, value in zip(table["id"], table[column]):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            continue  # no row or a blank cell: present, as the network file says
        text = str(value).strip().lower()
        if text in _NO:
            out.append(str(ident))
        elif text not in _YES and text != "":
            raise DataError(f"{attributes}: column {column!r}, id {str(ident)!r}: {value!r} is not a presence; "
                            "expected 1/0, true/false or yes/no")
    return out


def drop_actors(net: ClusterNetwork, rules: dict[str, str]) -> ClusterNetwork:
    """The network without the actors named in ``rules`` (id -> why), their ties and their
    attribute rows; the removed ids and reasons are added to the notes."""
    keep = np.array([str(i) not in rules for i in net.ids])
    if not keep.any():
        raise DataError(f"{net.source}: every actor is absent ({next(iter(rules.values()))}); nothing to read")
    new_index = np.cumsum(keep) - 1
    tie = keep[net.src] & keep[net.dst]
    removed = [str(i) for i in net.ids[~keep]]
    notes = dict(net.notes, absent_actors=removed, absent_rules={i: rules[i] for i in removed},
                 absent_ties=int(np.count_nonzero(~tie)))  # ties the file has for them (a presence column's)
    miss = net.missing[keep[net.missing[:, 0]] & keep[net.missing[:, 1]]]
    if "missing_cells" in notes:
        notes["missing_cells"] = int(len(miss))  # those of the actors left
    return ClusterNetwork(ids=net.ids[keep], src=new_index[net.src[tie]], dst=new_index[net.dst[tie]],
                          weight=net.weight[tie], layer=None if net.layer is None else net.layer[tie],
                          directed=net.directed, attributes=net.attributes[keep].reset_index(drop=True),
                          source=net.source, notes=notes, missing=new_index[miss])


def absent_record(net: ClusterNetwork) -> dict[str, str]:
    """The actors removed from `net` as absent: id -> the rule that removed it (empty when
    none were), for the outputs' summaries."""
    return {str(k): str(v) for k, v in (net.notes.get("absent_rules") or {}).items()}


def absent_summary(notes: dict, limit: int = 5) -> str:
    """For a console line, from a network's notes: '2 absent actors removed (A, B)', '12
    unobserved cells (NA) read as no tie' and 'attributes of 1 actor not in the file ignored
    (C)', or '' when none happened."""
    def listed(ids: list[str]) -> str:
        return ", ".join(ids[:limit]) + (f" and {len(ids) - limit} more" if len(ids) > limit else "")

    parts = []
    gone = notes.get("absent_actors") or []
    if gone:
        ties = int(notes.get("absent_ties") or 0)
        parts.append(f"{len(gone)} absent actor{'s' if len(gone) > 1 else ''} removed ({listed(gone)})"
                     + (f" with the {ties} tie{'s' if ties > 1 else ''} the file gives them" if ties else ""))
    cells = int(notes.get("missing_cells") or 0)
    if cells:
        parts.append(f"{cells} unobserved cell{'s' if cells > 1 else ''} (NA) read as no tie")
    ignored = notes.get("attributes_ignored_ids") or []
    if ignored:
        parts.append(f"attributes of {len(ignored)} actor{'s' if len(ignored) > 1 else ''} not in the file "
                     f"ignored ({listed(ignored)})")
    return "; ".join(parts)

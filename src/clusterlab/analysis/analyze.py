"""`clusterlab analyze`: every measure of a real cluster network, written to a folder.

firms.csv / firms.parquet (one row per actor: attributes, measures, roles), summary.json
(cluster-level indicators), report.html (offline), network.graphml and network.gexf (for
Gephi, with the measures as node attributes). Writing is all-or-nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..data import KNOWN_ATTRIBUTES, ClusterNetwork, write_gexf, write_graphml
from ..data.attributes import ATTRIBUTE_KEY
from ..data.text import squash
from ..errors import ClusterlabError
from ..measures import analyze as measure_all
from ..outdir import json_safe, staged


def group_column(net: ClusterNetwork, group: str) -> str:
    """The attribute column `--group` names. Every column matches the same way: its name as
    written, or compared loosely (case, spaces and punctuation ignored, `clusterlab.data.text.squash`),
    or, for the attributes clusterlab knows, any of their aliases (``Employees`` -> ``size``)."""
    cols = [c for c in net.attributes.columns if c != "id"]
    if group in cols:
        return group
    key = squash(group)
    hits = [c for c in cols if squash(c) == key or (c in KNOWN_ATTRIBUTES and ATTRIBUTE_KEY.get(key) == c)]
    if len(hits) == 1:
        return hits[0]
    shown = ", ".join(repr(c) for c in cols) or "none"
    if hits:
        raise ClusterlabError(f"{net.source}: --group {group!r} matches several columns ({shown}); "
                              "give one as written")
    raise ClusterlabError(f"{net.source}: --group {group!r} is not an attribute column (columns: {shown})")


def analyze(net: ClusterNetwork, group: str | None = None, **thresholds) -> tuple[pd.DataFrame, dict]:
    """The firm table and the cluster summary of a network (see `clusterlab.measures`)."""
    if group is not None:
        group = group_column(net, group)
    firms, summary = measure_all(net, group=group, **thresholds)
    # one count each: what the reader dropped or merged plus what the measures did
    notes = net.notes
    summary["self_loops_dropped"] += int(notes.get("self_loops_dropped", 0))
    summary["parallel_ties_merged"] += int(notes.get("duplicates_merged", 0))
    summary = {"source": net.source, "actors": net.n, "edges": net.m, "directed": net.directed,
               "reader": {k: json_safe(v) for k, v in notes.items()}, **summary}
    return firms, summary


def write_analysis(out: str | Path, net: ClusterNetwork, firms: pd.DataFrame, summary: dict,
                   overwrite: bool = False) -> Path:
    """Write the files listed in the module docstring into folder `out` (rules:
    `clusterlab.outdir`; overwrite: also replace files clusterlab did not write). Returns
    the folder."""
    from .report import write_report  # matplotlib only when writing

    out = Path(out)
    with staged(out, "analyze", overwrite) as tmp:
        firms.to_csv(tmp / "firms.csv", index=False)
        firms.to_parquet(tmp / "firms.parquet", index=False)
        (tmp / "summary.json").write_text(json.dumps(json_safe(summary), indent=2) + "\n", encoding="utf-8")
        write_report(tmp / "report.html", net, firms, summary,
                     title=f"clusterlab analysis: {Path(net.source).name or 'network'}")
        write_graphml(net, tmp / "network.graphml", node_columns=firms)
        write_gexf(net, tmp / "network.gexf", node_columns=firms)
    return out

"""Self-contained offline HTML reports: one file, inline CSS, figures embedded as base64 PNG,
no scripts, fonts or links to anything outside the file.

    write_report("report.html", net, firms, summary)        # one network
    write_compare_report("compare.html", compare_result)     # two waves (analysis.compare)

Every text that comes from the data (labels, column names, values, titles, file names) is
HTML-escaped. Files are written all or nothing (`clusterlab.outdir.write_text`).
"""

from __future__ import annotations

import base64
import html
import io
import math
import random
from datetime import datetime
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from ..data import KNOWN_ATTRIBUTES, ClusterNetwork  # noqa: E402
from ..outdir import write_text  # noqa: E402
from ..plots import DPI, KIND_COLORS  # noqa: E402

__all__ = ["write_report", "write_compare_report", "network_figure", "flatten"]

MAX_NODES = 2000  # nodes drawn at most (the highest-degree ones beyond)
MAX_EDGES = 50_000  # ties drawn at most (evenly spaced deterministic subsample beyond)
MAX_TIE_ROWS = 2000  # rows of the tie-change table shown in the comparison report
LAYOUT_SEED = 12345
# measures shown as "top actors" when the firm table has them (largest first; constraint smallest)
TOP_MEASURES = ("degree", "in_degree", "out_degree", "betweenness", "eigenvector", "pagerank",
                "closeness", "focal_firm_score", "focal_score", "effective_size", "burt_effective_size",
                "brokerage", "constraint", "burt_constraint")
ASCENDING = ("constraint", "burt_constraint")
# Giuliani & Bell (2005) cognitive roles (clusterlab.measures.roles), in legend order
ROLE_COLORS = {
    "technological_gatekeeper": "#d62728", "active_mutual_exchanger": "#ff7f0e", "source": "#2ca02c",
    "absorber": "#1f77b4", "weakly_connected": "#9ecae1", "isolated": "#bbbbbb", "(unknown)": "#eeeeee",
}
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf"]

CSS = """
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0 auto;max-width:1200px;
padding:1em 2em;color:#222;line-height:1.4}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;border-bottom:1px solid #ccc;padding-bottom:.2em;
margin-top:1.8em}h3{font-size:1.05em;margin:.8em 0 .3em}
.meta{color:#555;font-size:.9em}.meta td{padding:0 1em 0 0}
table.data{border-collapse:collapse;font-size:.85em;margin:.4em 0 1em}
table.data th,table.data td{border:1px solid #ddd;padding:.2em .5em}
table.data th{background:#f0f3f7;text-align:left;position:sticky;top:0}
table.data th.sorted::after{content:" \\25BE";color:#888}
table.data td.num{text-align:right;font-variant-numeric:tabular-nums}
table.data tr:nth-child(even) td{background:#fafafa}
.scroll{max-height:600px;overflow:auto;border:1px solid #eee;display:inline-block;max-width:100%}
.tops{display:flex;flex-wrap:wrap;gap:1.5em}
.note{color:#666;font-size:.85em}.warn{color:#a33}
img{max-width:100%;height:auto;border:1px solid #eee}
"""


# ---------------------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------------------
def _e(v) -> str:
    return html.escape(str(v), quote=True)


def _fmt(v) -> str:
    """A cell value as text: ints as they are, floats rounded (4 decimals, or 3 significant
    digits in scientific notation when very large or small), missing as empty."""
    if v is None:
        return ""
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        v = float(v)
        if math.isnan(v):
            return ""
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        if v == 0:
            return "0"
        if 1e-3 <= abs(v) < 1e6:
            s = f"{v:.4f}".rstrip("0").rstrip(".")
            return s if s not in ("-0", "") else "0"
        return f"{v:.3e}"
    try:
        if pd.isna(v):
            return ""
    except (TypeError, ValueError):
        pass
    return str(v)


def _is_num(v) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


def flatten(d, prefix: str = "") -> list[tuple[str, object]]:
    """Nested dicts (and lists) as (dotted key, value) rows: {"a": {"b": 1}} -> [("a.b", 1)];
    a list of scalars is one row (values joined by ", "), a list of dicts one row per item
    and field (key[0].field); an empty list or dict is one row with an empty value."""
    rows: list[tuple[str, object]] = []
    if isinstance(d, dict):
        if not d and prefix:
            rows.append((prefix, ""))
        for k, v in d.items():
            rows += flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(d, (list, tuple)):
        if all(not isinstance(x, (dict, list, tuple)) for x in d):
            rows.append((prefix, ", ".join(_fmt(x) for x in d)))
        else:
            for i, x in enumerate(d):
                rows += flatten(x, f"{prefix}[{i}]")
    else:
        rows.append((prefix, d))
    return rows


def _table(df: pd.DataFrame, sorted_by: str | None = None, cls: str = "data") -> str:
    cols = list(df.columns)
    head = "".join(f'<th{" class=sorted" if c == sorted_by else ""}>{_e(c)}</th>' for c in cols)
    body = []
    for row in df.itertuples(index=False, name=None):
        cells = "".join(f'<td class="num">{_e(_fmt(v))}</td>' if _is_num(v) else f"<td>{_e(_fmt(v))}</td>"
                        for v in row)
        body.append(f"<tr>{cells}</tr>")
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _kv_table(rows: list[tuple[str, object]], head=("indicator", "value")) -> str:
    return _table(pd.DataFrame(rows, columns=list(head)) if rows else pd.DataFrame(columns=list(head)))


def _png(fig) -> str:
    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=DPI)
    finally:
        plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _img(b64: str, alt: str) -> str:
    return f'<img alt="{_e(alt)}" src="data:image/png;base64,{b64}">'


def _page(title: str, meta: list[tuple[str, object]], sections: list[str]) -> str:
    rows = "".join(f"<tr><td>{_e(k)}</td><td>{_e(_fmt(v))}</td></tr>" for k, v in meta)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{_e(title)}</title><style>{CSS}</style></head><body>"
            f"<h1>{_e(title)}</h1><table class=\"meta\">{rows}</table>"
            + "".join(sections) + "<p class=\"note\">Written by clusterlab; this file is self-contained "
            "and works offline.</p></body></html>\n")


def _mpl_text(s: str) -> str:
    """Text for matplotlib, with $ escaped (no mathtext from data)."""
    return str(s).replace("$", r"\$")


def _now() -> str:
    return datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z").strip()


# ---------------------------------------------------------------------------------------
# the network picture
# ---------------------------------------------------------------------------------------
def _aligned(firms: pd.DataFrame | None, net: ClusterNetwork, col: str) -> np.ndarray | None:
    """Column `col` of the firm table in the order of net.ids (matched on `id` when the
    table has it, else by position when the lengths agree)."""
    if firms is None or col not in firms.columns:
        return None
    if "id" in firms.columns:
        s = pd.Series(firms[col].to_numpy(), index=firms["id"].astype(str))
        s = s[~s.index.duplicated()]
        return s.reindex([str(i) for i in net.ids]).to_numpy(dtype=object)
    if len(firms) == net.n:
        return firms[col].to_numpy(dtype=object)
    return None


def _groups(net: ClusterNetwork, firms: pd.DataFrame | None) -> tuple[str, np.ndarray]:
    """The column nodes are coloured by (gb_role or cognitive_role, else kind, else none) and its values."""
    for col in ("gb_role", "cognitive_role", "kind"):
        for table in (firms, net.attributes):
            v = _aligned(table, net, col)
            if v is not None:
                return col, np.array(["(unknown)" if pd.isna(x) else str(x) for x in v], dtype=object)
    return "", np.full(net.n, "actor", dtype=object)


def _layout(net: ClusterNetwork, keep: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, str]:
    """Positions of the kept nodes: attributes x/y when all are numbers, else a deterministic
    Fruchterman-Reingold layout (igraph, fixed seed)."""
    att = net.attributes
    if att is not None and "x" in att.columns and "y" in att.columns:
        x = pd.to_numeric(att["x"], errors="coerce").to_numpy(float)[keep]
        y = pd.to_numeric(att["y"], errors="coerce").to_numpy(float)[keep]
        if len(x) and np.all(np.isfinite(x)) and np.all(np.isfinite(y)):
            return np.c_[x, y], "x, y (km) from the attributes"
    n = int(keep.sum())
    if n == 0:
        return np.zeros((0, 2)), "layout"
    import igraph as ig

    g = ig.Graph(n=n, edges=np.c_[a, b].tolist(), directed=False)
    g.simplify()
    init = np.random.default_rng(LAYOUT_SEED).uniform(-1, 1, (n, 2)).tolist()
    ig.set_random_number_generator(random.Random(LAYOUT_SEED))
    try:
        pos = np.array(g.layout_fruchterman_reingold(seed=init, niter=500 if n <= 500 else 150).coords)
    finally:
        ig.set_random_number_generator(random)
    return pos, "force-directed layout (fixed seed)"


def network_figure(net: ClusterNetwork, firms: pd.DataFrame | None = None, max_nodes: int = MAX_NODES):
    """A matplotlib figure of the network: nodes coloured by role (firm table or attribute
    column `gb_role` (Giuliani-Bell) or `cognitive_role`, else `kind`, else one colour), sized by total degree."""
    n = net.n
    keep_e = net.src != net.dst
    a0, b0 = net.src[keep_e], net.dst[keep_e]
    deg = np.bincount(a0, minlength=n) + np.bincount(b0, minlength=n)
    col, group = _groups(net, firms)
    title = f"{n:,} actors, {net.m:,} {'directed' if net.directed else 'undirected'} ties"
    keep = np.ones(n, bool)
    if n > max_nodes:  # deterministic: the highest-degree nodes, equal degree by position
        order = np.lexsort((np.arange(n), -deg))[:max_nodes]
        keep = np.zeros(n, bool)
        keep[order] = True
        title += f"\nshown: the {max_nodes:,} highest-degree actors and the ties among them"
    idx = np.flatnonzero(keep)
    remap = np.full(n, -1, np.int64)
    remap[idx] = np.arange(len(idx))
    m = keep[a0] & keep[b0]
    a, b = remap[a0[m]], remap[b0[m]]
    if len(a) > MAX_EDGES:
        sel = np.linspace(0, len(a) - 1, MAX_EDGES).astype(np.int64)
        title += f"; {MAX_EDGES:,} of {len(a):,} ties drawn"
        a, b = a[sel], b[sel]
    pos, how = _layout(net, keep, a, b)
    deg_k, group_k = deg[idx], group[idx]
    fig, ax = plt.subplots(figsize=(9, 7.5), layout="constrained")
    if len(a):
        seg = np.stack([pos[a], pos[b]], axis=1)
        alpha = float(np.clip(8 / np.sqrt(len(a)), 0.05, 0.6))
        ax.add_collection(LineCollection(seg, colors="0.45", linewidths=0.6, alpha=alpha, zorder=1))
    size = 8 + 80 * np.sqrt(deg_k / max(int(deg_k.max(initial=0)), 1))
    fixed = KIND_COLORS if col == "kind" else ROLE_COLORS if col in ("gb_role", "cognitive_role") else {}
    order = list(fixed)
    names = sorted(set(group_k), key=lambda g: (order.index(g) if g in fixed else len(order), g))
    others = [g for g in names if g not in fixed]
    handles = []
    for g in names:
        color = fixed.get(g) or PALETTE[others.index(g) % len(PALETTE)]
        if not col:
            color = "#6baed6"
        sel = group_k == g
        ax.scatter(pos[sel, 0], pos[sel, 1], s=size[sel], c=color, edgecolors="k", linewidths=0.3, zorder=2)
        handles.append(Line2D([], [], ls="", marker="o", mfc=color, mec="k", mew=0.3,
                              label=_mpl_text(f"{g[:40]} ({int(sel.sum())})")))
    ax.autoscale_view()
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title + f"\nnode size ~ total degree; positions: {how}", fontsize=10)
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False,
                  title=col.replace("_", " ") if col else None, title_fontsize=8)
    return fig


# ---------------------------------------------------------------------------------------
# one network
# ---------------------------------------------------------------------------------------
def _top_measures(firms: pd.DataFrame, limit: int = 4) -> list[str]:
    numeric = [c for c in firms.columns if pd.api.types.is_numeric_dtype(firms[c])
               and not pd.api.types.is_bool_dtype(firms[c])]
    chosen = [c for c in TOP_MEASURES if c in numeric][:limit]
    if not chosen:
        skip = set(KNOWN_ATTRIBUTES) | {"id", "index"}
        chosen = [c for c in numeric if c not in skip][:limit]
    return chosen


def _label_col(firms: pd.DataFrame) -> str | None:
    for c in ("id", "name", "label"):
        if c in firms.columns:
            return c
    return None


def _summary_notes(summary: dict) -> str:
    """How to read the counts and the lock-in flag of an `analyze` summary."""
    notes = []
    if "n_ties" in summary and "edges" in summary:
        notes.append("edges: the ties as read (self-loops and zero weights dropped, duplicates merged per "
                     "layer); n_ties: the ties measured (layers pooled into one tie per pair). "
                     "self_loops_dropped and parallel_ties_merged count everything dropped or merged, "
                     "by the reader (listed under reader) and by the measures.")
    cells = (summary.get("reader") or {}).get("missing_cells")
    if cells:
        notes.append(f"{cells} cells were not observed (NA in the matrix: a firm that did not answer, say) and are "
                     "read as no tie: every measure here counts only the ties reported, so the non-respondents' "
                     "degrees and the density are too low.")
    lock = summary.get("lock_in")
    if isinstance(lock, dict) and lock.get("rule"):
        verdict = {True: "at risk", False: "not at risk", None: "not assessed"}[lock.get("lock_in_risk")]
        notes.append(f"Lock-in: {verdict} ({lock.get('indicators_available')} of 3 indicators available). "
                     f"Rule: {lock['rule']}.")
    return "".join(f'<p class="note">{_e(n)}</p>' for n in notes)


def write_report(path, net: ClusterNetwork, firms: pd.DataFrame, summary: dict,
                 title: str = "clusterlab network report", *, top: int = 10,
                 max_nodes: int = MAX_NODES) -> Path:
    """Write one self-contained HTML report of a network: the source and date, the cluster
    indicators (`summary`, nested dicts flattened), a network picture, the top actors by a
    few measures of `firms` and the full firm table. Returns the path."""
    firms = pd.DataFrame() if firms is None else firms
    summary = {} if summary is None else summary
    meta = [("source", net.source or "(not given)"), ("written", _now()),
            ("actors", net.n), ("ties", net.m), ("directed", bool(net.directed))]
    sections = [f"<h2>Cluster indicators</h2>{_summary_notes(summary)}{_kv_table(flatten(summary))}"]
    b64 = _png(network_figure(net, firms, max_nodes=max_nodes))
    sections.append(f"<h2>Network</h2>{_img(b64, 'network picture')}")
    measures = _top_measures(firms)
    if measures:
        lab = _label_col(firms)
        parts = []
        for c in measures:
            asc = c in ASCENDING
            cols = ([lab] if lab else []) + [c]
            part = firms[cols].dropna(subset=[c]).sort_values(c, ascending=asc, kind="stable").head(top)
            if not lab:
                part = part.reset_index().rename(columns={"index": "row"})
            head = f"{'lowest' if asc else 'highest'} {c.replace('_', ' ')}"
            parts.append(f"<div><h3>{_e(head)}</h3>{_table(part, sorted_by=c)}</div>")
        sections.append(f"<h2>Top actors</h2><div class=\"tops\">{''.join(parts)}</div>")
    sections.append(f"<h2>Firm table</h2><p class=\"note\">{len(firms):,} rows, numbers rounded.</p>"
                    f"<div class=\"scroll\">{_table(firms)}</div>")
    return write_text(path, _page(title, meta, sections))


# ---------------------------------------------------------------------------------------
# two waves
# ---------------------------------------------------------------------------------------
def _stars(p) -> str:
    if p is None or not np.isfinite(p):
        return ""
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else "." if p < 0.1 else ""


def _coef_figure(coefs: pd.DataFrame):
    models = list(dict.fromkeys(coefs["model"]))
    fig, axes = plt.subplots(1, len(models), figsize=(5 * len(models), 0.45 * coefs.groupby("model").size().max() + 1.6),
                             layout="constrained", squeeze=False)
    for ax, model in zip(axes[0], models):
        t = coefs[(coefs["model"] == model) & (coefs["term"] != "const")]
        yy = np.arange(len(t))[::-1]
        se = t["se"].to_numpy(float)
        half = np.where(np.isfinite(se) & (se < 1e6), 1.96 * se, 0.0)
        ax.errorbar(t["coef"], yy, xerr=half, fmt="o", color="#08519c", capsize=3)
        ax.axvline(0, color="0.5", lw=0.8, ls="--")
        ax.set_yticks(yy, [str(v)[:30] for v in t["term"]])
        ax.set_title(f"{model}: coefficient ± 1.96 s.e. (log-odds)", fontsize=10)
    return fig


def write_compare_report(path, result, title: str = "clusterlab panel comparison") -> Path:
    """Write one self-contained HTML report of a `CompareResult` (`clusterlab.analysis.compare`):
    actor turnover, tie changes, the coefficient table and fit of both models, the implied
    network-evolution parameters and the lists of entries, exits and tie changes."""
    s = result.summary()
    meta = [("wave 1", s["wave1"] or "(not given)"), ("wave 2", s["wave2"] or "(not given)"),
            ("written", _now()), ("directed", s["directed"])]
    sections = [f"<h2>Actors</h2>{_kv_table(list(s['actors'].items()), ('actors', 'count'))}",
                f"<h2>Ties</h2>{_kv_table(list(s['ties'].items()), ('ties', 'value'))}"]
    coefs = result.coefficients
    cov = ["closure: " + ("log1p(common partners in wave 1)" if result.closure == "log1p"
                          else "common partners in wave 1")]
    if result.directed:
        cov.append("reciprocity: the reverse tie existed in wave 1")
    cov += [f"{p}: proximity matrix" for p in result.proximities]
    parts = [f"<p class=\"note\">Logit models over stayer pairs. Creation: pairs not tied in wave 1, "
             f"outcome tied in wave 2. Persistence: pairs tied in wave 1, outcome still tied. "
             f"Terms: {_e('; '.join(cov))}. Standard errors se, z, p are dyadic-robust (pairs sharing an "
             f"actor are dependent); se_ml, p_ml are the naive maximum-likelihood ones, se_twoway, p_twoway "
             f"two-way clustered, p_qap permutation (QAP) p-values when asked for. "
             f"Significance (of p): *** p&lt;0.001, ** p&lt;0.01, * p&lt;0.05, . p&lt;0.1.</p>"]
    if len(coefs):
        shown = coefs.assign(sig=[_stars(p) for p in coefs["p"]])
        parts.append(_table(shown))
        parts.append(_img(_png(_coef_figure(coefs)), "coefficient plot"))
    else:
        parts.append("<p>No model could be fitted.</p>")
    fit_rows = []
    for model, info in result.models.items():
        for k, v in info.items():
            if k in ("means", "means_events", "attributable", "proximity_ranges"):
                continue
            fit_rows.append((model, k, v if not isinstance(v, (list, dict)) else ", ".join(map(str, v))))
    parts.append("<h3>Fit and design</h3>" + _table(pd.DataFrame(fit_rows, columns=["model", "item", "value"])))
    warn = [f"{m}: {i.get('warning') or i.get('reason')}" for m, i in result.models.items()
            if i.get("warning") or i.get("reason")]
    if warn:
        parts.append("".join(f'<p class="warn">{_e(w)}</p>' for w in warn))
    sections.append("<h2>Creation and persistence of ties</h2>" + "".join(parts))
    ev = s["evolution_parameters"]
    ev_rows = [(k, v, ev["basis"].get(k.rsplit(".", 1)[-1], "")) for k, v in ev["overrides"].items()]
    sections.append(
        "<h2>Implied network-evolution parameters</h2>"
        f"<p class=\"note\">{_e(ev['caveat'])}</p>"
        + _table(pd.DataFrame(ev_rows, columns=["--set key", "value", "basis"]))
        + (("<h3>Yearly rates</h3>" + _table(pd.DataFrame(list(ev["rates"].items()), columns=["rate", "per year"])))
           if ev.get("rates") else "")
        + "<h3>Not informed</h3>"
        + _table(pd.DataFrame(list(ev["not_informed"].items()), columns=["parameter", "why"])))
    lists = []
    for name, labels in (("entries", result.entries), ("exits", result.exits)):
        text = ", ".join(labels) if labels else "none"
        lists.append(f"<h3>{_e(name)} ({len(labels):,})</h3><p>{_e(text)}</p>")
    ties = result.ties
    note = ""
    if len(ties) > MAX_TIE_ROWS:
        note = f" (first {MAX_TIE_ROWS:,} of {len(ties):,}; all in ties.csv)"
        ties = ties.head(MAX_TIE_ROWS)
    lists.append(f"<h3>Tie changes among stayers{_e(note)}</h3><div class=\"scroll\">{_table(ties)}</div>")
    sections.append("<h2>Lists</h2>" + "".join(lists))
    return write_text(path, _page(title, meta, sections))

"""Standard PNG figures of a clusterlab run: time series, SECI spiral and the network."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

DPI = 110
MAX_EDGES = 50_000  # ties drawn at most (evenly spaced deterministic subsample beyond)
KIND_COLORS = {
    "sme": "#9ecae1", "focal": "#08519c", "university": "#d62728", "institute": "#ff7f0e",
    "intermediary": "#2ca02c", "agency": "#8c564b", "cluster_org": "#e377c2", "external": "#555555",
}
LAYERS = [("horizontal", "#1f77b4", "solid"), ("vertical", "#ff7f0e", "solid"),
          ("multi_angle", "#2ca02c", "solid"), ("pipeline", "#9467bd", "dashed")]
FLOWS = ["flow_horizontal", "flow_vertical", "flow_multi_angle", "flow_pipeline", "flow_spillover",
         "flow_labour", "flow_projects"]
SECI = ["seci_socialization", "seci_externalization", "seci_combination", "seci_internalization"]
SECI_LABELS = ["S: socialization\n(tacit→tacit)", "E: externalization\n(tacit→explicit)",
               "C: combination\n(explicit→explicit)", "I: internalization\n(explicit→tacit)"]
SECI_COLORS = ["#e41a1c", "#377eb8", "#4daf4a", "#984ea3"]


def write_figures(timeseries: pd.DataFrame, network: dict, outdir: Path,
                  events: pd.DataFrame | None = None, steps_per_year: int = 12, *,
                  max_nodes: int = 3000) -> list[Path]:
    """Write the standard figures as PNG into outdir (created if missing); return their paths."""
    if "step" not in timeseries.columns:
        raise ValueError("timeseries has no 'step' column")
    if steps_per_year < 1 or max_nodes < 1:
        raise ValueError("steps_per_year and max_nodes must be >= 1")
    if events is not None and len(events) and "step" not in events.columns:
        raise ValueError("events has no 'step' column")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    ts = timeseries.sort_values("step").reset_index(drop=True)
    years = ts["step"].to_numpy(float) / steps_per_year
    ev = None
    if events is not None and len(events):
        acts = events["action"] if "action" in events.columns else pd.Series([""] * len(events))
        ev = list(zip(events["step"].to_numpy(float) / steps_per_year, acts.fillna("").astype(str)))
    w = steps_per_year
    jobs = [("knowledge.png", lambda: _knowledge(ts, years, ev)),
            ("innovations.png", lambda: _innovations(ts, years, ev, w)),
            ("flows.png", lambda: _flows(ts, years, ev, w)),
            ("seci.png", lambda: _seci(ts, years, ev, w)),
            ("dynamics.png", lambda: _dynamics(ts, years, ev, w)),
            ("network.png", lambda: _network(network, max_nodes))]
    for name, draw in jobs:
        fig = draw()
        try:
            fig.savefig(outdir / name, dpi=DPI)
        finally:
            plt.close(fig)
    return [outdir / name for name, _ in jobs]


def _col(ts: pd.DataFrame, name: str) -> np.ndarray | None:
    return ts[name].to_numpy(float) if name in ts.columns else None


def _roll(ts: pd.DataFrame, name: str, w: int, how: str) -> np.ndarray | None:
    if name not in ts.columns:
        return None
    r = ts[name].astype(float).rolling(w, min_periods=1)
    return (r.sum() if how == "sum" else r.mean()).to_numpy()


def _events(ax, ev, label: bool = True) -> None:
    for x, text in ev or []:
        ax.axvline(x, color="0.35", ls="--", lw=0.8, zorder=1)
        if label:
            ax.text(x, 0.98, f" {text[:40]}", transform=ax.get_xaxis_transform(), rotation=90,
                    va="top", ha="right", fontsize=7, color="0.25", zorder=4,
                    bbox=dict(fc="white", ec="none", alpha=0.7, pad=0.5))


def _no_data(ax, what: str) -> None:
    ax.text(0.5, 0.5, f"no {what} in timeseries", transform=ax.transAxes, ha="center", color="0.5")


def _knowledge(ts, years, ev):
    fig, ax = plt.subplots(figsize=(9, 5), layout="constrained")
    mean, sd, gap = _col(ts, "knowledge_mean"), _col(ts, "knowledge_sd"), _col(ts, "frontier_gap")
    handles = []
    if mean is not None:
        handles += ax.plot(years, mean, color="#08519c", lw=1.8, label="mean knowledge stock")
        if sd is not None:
            handles.append(ax.fill_between(years, mean - sd, mean + sd, color="#6baed6",
                                           alpha=0.3, lw=0, label="± 1 s.d. across firms"))
    elif gap is None:
        _no_data(ax, "knowledge columns")
    if gap is not None:
        ax2 = ax.twinx()
        handles += ax2.plot(years, gap, color="#d62728", lw=1.4, ls="-.",
                            label="frontier gap (right axis)")
        ax2.set_ylim(0, 1)
        ax2.set_ylabel("frontier gap (0 = at frontier, 1 = far behind)")
    _events(ax, ev)
    ax.set(title="Knowledge stock of cluster firms", xlabel="time (years)",
           ylabel="knowledge stock (model units)")
    if handles:
        ax.legend(handles=handles, loc="best", fontsize=8)
    return fig


def _innovations(ts, years, ev, w):
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(9, 6.5), sharex=True, layout="constrained",
                                  height_ratios=[3, 2])
    drawn = False
    for name, color, label in [("innovations_incremental", "#2ca02c", "incremental"),
                               ("innovations_radical", "#d62728", "radical")]:
        y = _roll(ts, name, w, "sum")
        if y is not None:
            ax.plot(years, y, color=color, lw=1.6, label=label)
            drawn = True
    if drawn:
        ax.legend(loc="best", fontsize=8)
    else:
        _no_data(ax, "innovation counts")
    share = _col(ts, "sme_innovating_share")
    if share is not None:
        ax2.plot(years, share, color="#ff7f0e", lw=1.4)
        ax2.set_ylim(0, max(1e-9, np.nanmax(share, initial=0) * 1.1))
    else:
        _no_data(ax2, "sme_innovating_share")
    _events(ax, ev)
    _events(ax2, ev, label=False)
    ax.set(title="Innovations", ylabel=f"innovations per year\n(rolling {w}-step sum)")
    ax2.set(xlabel="time (years)", ylabel="share of SMEs\ninnovating (0–1)")
    return fig


def _flows(ts, years, ev, w):
    fig, ax = plt.subplots(figsize=(9, 5), layout="constrained")
    cols = [c for c in FLOWS if c in ts.columns]
    if cols:
        ys = [np.nan_to_num(_roll(ts, c, w, "mean")) for c in cols]
        labels = [c.removeprefix("flow_").replace("_", "-") for c in cols]
        ax.stackplot(years, ys, labels=labels, alpha=0.85)
        ax.legend(loc="best", fontsize=8, title="learning channel", title_fontsize=8)
    else:
        _no_data(ax, "flow columns")
    _events(ax, ev)
    ax.set(title="Knowledge flows by learning channel", xlabel="time (years)",
           ylabel=f"knowledge flow per step\n(model units, rolling {w}-step mean)")
    return fig


DYNAMICS = [
    ("Firms and turnover", [("firms", "alive firms", None)],
     [("entries", "entries per year", "sum"), ("exits", "exits per year", "sum")]),
    ("Openness and internationalisation", [("openness_mean", "mean openness", None),
                                           ("external_share", "firms with pipelines", None),
                                           ("sme_international_share", "SMEs with pipelines", None)], []),
    ("Lock-in indicators", [("diversity", "knowledge variety", None),
                            ("mean_cognitive_proximity", "cognitive proximity of ties", None),
                            ("external_inflow_share", "pipeline share of inflow", "mean")], []),
    ("Gatekeeping and joint projects", [("gatekeeper_share", "SMEs' external knowledge via focal firms", None)],
     [("projects_started", "projects started per year", "sum"),
      ("projects_succeeded", "projects succeeded per year", "sum")]),
]


def _dynamics(ts, years, ev, w):
    """Cluster dynamics: turnover, openness, lock-in indicators, gatekeeping and projects."""
    fig, axes = plt.subplots(2, 2, figsize=(13, 8), sharex=True, layout="constrained")
    for ax, (title, left, right) in zip(axes.flat, DYNAMICS):
        handles = []
        for col, label, how in left:
            y = _roll(ts, col, w, how) if how else _col(ts, col)
            if y is not None:
                handles += ax.plot(years, y, lw=1.5, label=label)
        if right:
            ax2 = ax.twinx()
            for k, (col, label, how) in enumerate(right):
                y = _roll(ts, col, w, how)
                if y is not None:
                    handles += ax2.plot(years, y, lw=1.1, ls="--", color=f"C{4 + k}", label=f"{label} (right)")
        if not handles:
            _no_data(ax, title.lower())
        else:
            ax.legend(handles=handles, loc="best", fontsize=7)
        _events(ax, ev)
        ax.set_title(title, fontsize=10)
    for ax in axes[1]:
        ax.set_xlabel("time (years)")
    return fig


def _seci(ts, years, ev, w):
    fig = plt.figure(figsize=(13, 5.5), layout="constrained")
    ax = fig.add_subplot(1, 2, 1)
    pol = fig.add_subplot(1, 2, 2, projection="polar")
    present = [c in ts.columns for c in SECI]
    for c, lab, color, ok in zip(SECI, SECI_LABELS, SECI_COLORS, present):
        if ok:
            ax.plot(years, _roll(ts, c, w, "mean"), color=color, lw=1.5, label=lab.split("\n")[0])
    if any(present):
        ax.legend(loc="best", fontsize=8)
    else:
        _no_data(ax, "SECI columns")
    _events(ax, ev)
    ax.set(title="SECI knowledge conversion", xlabel="time (years)",
           ylabel=f"flow per step (model units,\nrolling {w}-step mean)")
    # spiral: cumulative flow per mode at the end of each year, S->E->C->I year after year
    year_idx = np.floor(years + 1e-9).astype(int)
    last = ~pd.Series(year_idx).duplicated(keep="last").to_numpy()
    cum = np.full((int(last.sum()), 4), np.nan)
    for j, (c, ok) in enumerate(zip(SECI, present)):
        if ok:
            cum[:, j] = np.nancumsum(ts[c].to_numpy(float))[last]
    theta = np.deg2rad([45, 135, 225, 315])
    th = np.tile(theta, len(cum))
    r = cum.ravel()
    rmax = np.nanmax(r, initial=0) * 1.08 or 1.0
    pol.bar(theta, rmax, width=np.pi / 2, color=SECI_COLORS, alpha=0.08, lw=0)
    if np.isfinite(r).any():
        yr = np.repeat(year_idx[last] + 1, 4)
        pol.plot(th, r, color="0.4", lw=1)
        sc = pol.scatter(th, r, c=yr, cmap="viridis", s=22, zorder=3)
        cb = fig.colorbar(sc, ax=pol, pad=0.1, shrink=0.6, aspect=25, label="year")
        cb.locator = MaxNLocator(integer=True)
        cb.update_ticks()
    pol.set_ylim(0, rmax)
    pol.set_thetagrids([45, 135, 225, 315], SECI_LABELS, fontsize=8)
    pol.tick_params(axis="y", labelsize=7)
    pol.tick_params(axis="x", pad=16)
    pol.set_rlabel_position(90)
    pol.set_title("SECI spiral: cumulative flow (radius, model units)\nat each year's end",
                  fontsize=10, pad=16)
    return fig


def live_network(net: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """x, y, kind of the live actors (`net["alive"]`, all when absent) and the ties between
    them (a, b renumbered to the live actors, layer); ties touching an exited actor are dropped."""
    x, y = np.asarray(net.get("x", []), float), np.asarray(net.get("y", []), float)
    kind = np.asarray(net.get("kind", np.full(len(x), "sme")))
    a, b = np.asarray(net.get("a", []), np.int64), np.asarray(net.get("b", []), np.int64)
    layer = np.asarray(net.get("layer", np.zeros(len(a))), np.int64)
    alive = np.asarray(net.get("alive", np.ones(len(x), bool)), bool)
    if not alive.all():
        keep = alive[a] & alive[b]
        remap = np.cumsum(alive) - 1
        a, b, layer = remap[a[keep]], remap[b[keep]], layer[keep]
        x, y, kind = x[alive], y[alive], kind[alive]
    return x, y, kind, a, b, layer


def _network(net: dict, max_nodes: int):
    """The final network of live actors; the title counts them and their ties, as summary.json
    (`actors`, `ties`) does."""
    x, y, kind, a, b, layer = live_network(net)
    n = len(x)
    deg = np.bincount(a, minlength=n) + np.bincount(b, minlength=n)
    title = f"Cluster network: {n:,} actors, {len(a):,} ties"
    if n > max_nodes:  # deterministic: the max_nodes highest-degree nodes, equal degree by index
        thr = np.partition(deg, n - max_nodes)[n - max_nodes]
        keep = deg > thr
        keep[np.flatnonzero(deg == thr)[: max_nodes - int(keep.sum())]] = True
        keep_idx = np.flatnonzero(keep)
        emask = keep[a]
        emask &= keep[b]
        a, b, layer = a[emask], b[emask], layer[emask]
        remap = np.full(n, -1, np.int64)
        remap[keep_idx] = np.arange(max_nodes)
        a, b = remap[a], remap[b]
        x, y, kind, deg = x[keep_idx], y[keep_idx], kind[keep_idx], deg[keep_idx]
        title += f"\nsubsample: {max_nodes:,} highest-degree actors and the {len(a):,} ties among them"
    if len(a) > MAX_EDGES:
        sel = np.linspace(0, len(a) - 1, MAX_EDGES).astype(np.int64)
        title += f"; {MAX_EDGES:,} of {len(a):,} ties drawn"
        a, b, layer = a[sel], b[sel], layer[sel]
    kind = kind.astype(str)
    px, py = x.copy(), y.copy()
    ext = kind == "external"
    fig, ax = plt.subplots(figsize=(9, 8.5), layout="constrained")
    x0 = x1 = y0 = y1 = 0.0
    if (~ext).any():
        x0, x1, y0, y1 = x[~ext].min(), x[~ext].max(), y[~ext].min(), y[~ext].max()
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    if ext.any():  # externals on a ring just outside the region, evenly spread, ordered by bearing
        ring = max(np.hypot(x1 - x0, y1 - y0) / 2 * 1.15, 1.0)
        order = np.argsort(np.arctan2(y[ext] - cy, x[ext] - cx), kind="stable")
        ang = np.empty(len(order))
        ang[order] = -np.pi + 2 * np.pi * (np.arange(len(order)) + 0.5) / len(order)
        px[ext], py[ext] = cx + ring * np.cos(ang), cy + ring * np.sin(ang)
        t = np.linspace(0, 2 * np.pi, 200)
        ax.plot(cx + ring * np.cos(t), cy + ring * np.sin(t), color="0.7", lw=0.8, ls=":")
        ax.text(cx, cy + ring * 1.04, "external actors (direction only, not to scale)",
                ha="center", va="bottom", fontsize=8, color="0.4")
    alpha = float(np.clip(8 / np.sqrt(max(len(a), 1)), 0.05, 0.6))
    handles = []
    for li, (name, color, ls) in enumerate(LAYERS):
        m = layer == li
        if m.any():
            seg = np.stack([np.c_[px[a[m]], py[a[m]]], np.c_[px[b[m]], py[b[m]]]], axis=1)
            ax.add_collection(LineCollection(seg, colors=color, linewidths=0.6,
                                             linestyles=ls, alpha=alpha, zorder=1))
            handles.append(Line2D([], [], color=color, ls=ls, label=f"{name} tie"))
    size = 6 + 60 * np.sqrt(deg / max(deg.max(initial=0), 1))
    rank = {k: i for i, k in enumerate(KIND_COLORS)}  # fixed order, unknown kinds last in grey
    for k in sorted(np.unique(kind), key=lambda k: (rank.get(k, len(rank)), k)):
        m, color = kind == k, KIND_COLORS.get(k, "#bbbbbb")
        ax.scatter(px[m], py[m], s=size[m], c=color, edgecolors="k", linewidths=0.3, zorder=2)
        handles.append(Line2D([], [], ls="", marker="o", mfc=color, mec="k", mew=0.3, label=k))
    ax.autoscale_view()
    ax.set_aspect("equal", adjustable="datalim")
    ax.set(title=title + "\n(node size ~ degree)", xlabel="x (km)", ylabel="y (km)")
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8,
                  frameon=False)
    return fig

"""Figures and a self-contained HTML report of an experiment's `Summary`.

Figures (PNG, matplotlib Agg, the house style of `clusterlab.plots`): outcomes over time per
arm with CI bands (one panel per time-series column), an effect forest plot (paired
difference with its CI per comparison, one panel per outcome, a zero line) and a
sensitivity bar chart (Sobol S1 and ST with CI error bars, or Morris mu* with CI and sigma).

`write_report` writes them to `folder/figures/` and `folder/report.html`: one file with the
figures embedded as base64 PNG and inline CSS, no script and no external address, so it can
be mailed or archived as is. Every label from the experiment is HTML-escaped.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..plots import DPI
from .summary import Summary, comparison_sentence, describe_run, fmt, fmt_p

__all__ = ["plot_bands", "plot_effects", "plot_sensitivity", "write_figures", "write_report"]


def _steps_per_year(exp: dict) -> int | None:
    for v in (exp.get("steps_per_year"), (exp.get("set") or {}).get("steps_per_year")
              if isinstance(exp.get("set"), dict) else None):
        if isinstance(v, (int, float)) and v >= 1:
            return int(v)
    return None


def plot_bands(s: Summary):
    """Outcomes over time: mean per arm with its CI band, one panel per column (None if no
    time series)."""
    b = s.bands
    if b is None or not len(b):
        return None
    cols = list(dict.fromkeys(b["column"]))
    arms = list(dict.fromkeys(b["arm"]))
    spy = _steps_per_year(s.experiment)
    ncol = min(2, len(cols))
    nrow = -(-len(cols) // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(5.2 * ncol, 3.2 * nrow), squeeze=False)
    for ax, col in zip(axes.ravel(), cols):
        for i, arm in enumerate(arms):
            g = b[(b["column"] == col) & (b["arm"] == arm)].sort_values("step")
            x = g["step"].to_numpy(float) / (spy or 1)
            ax.plot(x, g["mean"], color=f"C{i}", lw=1.6, label=arm)
            ax.fill_between(x, g["ci_low"], g["ci_high"], color=f"C{i}", alpha=0.2, lw=0)
        ax.set_title(col, fontsize=10)
        ax.set_xlabel("year" if spy else "step")
        ax.grid(alpha=0.3)
    for ax in axes.ravel()[len(cols):]:
        ax.set_visible(False)
    axes[0, 0].legend(fontsize=8, title=f"arm (mean, {100 * s.level:g}% CI)", title_fontsize=8)
    fig.tight_layout()
    return fig


def plot_effects(s: Summary):
    """Forest plot: each comparison's paired mean difference (arm - control) with its CI,
    one panel per outcome (their scales differ), a line at zero (None if no comparisons)."""
    c = s.comparisons
    if c is None or not len(c):
        return None
    outs = list(dict.fromkeys(c["outcome"]))
    heights = [max(1, (c["outcome"] == o).sum()) for o in outs]
    fig, axes = plt.subplots(len(outs), 1, figsize=(6.4, 0.9 + 0.45 * sum(heights) + 0.5 * len(outs)),
                             squeeze=False, gridspec_kw={"height_ratios": heights})
    for ax, o in zip(axes[:, 0], outs):
        g = c[c["outcome"] == o].reset_index(drop=True)
        y = np.arange(len(g))[::-1]
        lo = (g["mean_diff"] - g["ci_low"]).to_numpy(float)
        hi = (g["ci_high"] - g["mean_diff"]).to_numpy(float)
        ax.errorbar(g["mean_diff"], y, xerr=[lo, hi], fmt="o", color="#08519c", ecolor="#6baed6",
                    elinewidth=2, capsize=3)
        ax.axvline(0, color="0.35", ls="--", lw=0.8)
        ax.set_yticks(y, [f"{a} vs {k}" for a, k in zip(g["arm"], g["control"])], fontsize=8)
        ax.set_ylim(-0.7, len(g) - 0.3)
        ax.set_title(f"{o}: difference to control ({100 * s.level:g}% CI, paired)", fontsize=9,
                     loc="left")
        ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def plot_sensitivity(s: Summary):
    """Bar chart per outcome: Sobol S1 and ST with CI error bars, or Morris mu* with its CI
    and sigma (None if no indices)."""
    t = s.sensitivity
    if t is None or not len(t):
        return None
    groups = list(t.groupby(["outcome", "method"], sort=False))
    fig, axes = plt.subplots(len(groups), 1, figsize=(6.4, 2.8 * len(groups)), squeeze=False)
    for ax, ((o, method), g) in zip(axes[:, 0], groups):
        x = np.arange(len(g))
        if method == "sobol":
            bars = [("S1", "first order S1", "#6baed6"), ("ST", "total order ST", "#08519c")]
            ax.set_ylabel("Sobol index")
        else:
            bars = [("mu_star", "mu* (mean |effect|)", "#08519c"), ("sigma", "sigma", "#ff7f0e")]
            ax.set_ylabel("elementary effect")
        for k, (col, label, color) in enumerate(bars):
            err = g.get(f"{col}_conf")
            ax.bar(x + (k - 0.5) * 0.38, g[col], width=0.38, color=color, label=label,
                   yerr=None if err is None else err.to_numpy(float), capsize=3,
                   error_kw={"elinewidth": 1, "ecolor": "0.2"})
        ax.axhline(0, color="0.35", lw=0.8)
        ax.set_xticks(x, list(g["parameter"]), fontsize=8, rotation=20 if len(g) > 5 else 0)
        ax.set_title(f"{o} ({method})", fontsize=9, loc="left")
        ax.legend(fontsize=8)
        ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def write_figures(s: Summary, folder: str | Path) -> list[Path]:
    """Write the figures that apply (bands.png, effects.png, sensitivity.png) into `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, draw in (("bands.png", plot_bands), ("effects.png", plot_effects),
                       ("sensitivity.png", plot_sensitivity)):
        fig = draw(s)
        if fig is None:
            continue
        try:
            fig.savefig(folder / name, dpi=DPI)
        finally:
            plt.close(fig)
        paths.append(folder / name)
    return paths


CSS = """body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;
max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;
border-bottom:1px solid #ddd}table{border-collapse:collapse;font-size:.9rem;margin:.5rem 0}
th,td{padding:.25rem .6rem;border-bottom:1px solid #eee;text-align:right}
th{background:#f4f6f8}td.l,th.l{text-align:left}p.note{color:#555;font-size:.9rem}
li{margin:.3rem 0}img{max-width:100%;border:1px solid #eee}.warn{color:#8a4b00}"""

_E = html.escape


def _table(df: pd.DataFrame, cols: list[tuple[str, str]], text_cols=()) -> str:
    head = "".join(f'<th class="l">{_E(t)}</th>' if c in text_cols else f"<th>{_E(t)}</th>"
                   for c, t in cols)
    rows = []
    for _, r in df.iterrows():
        cells = []
        for c, _t in cols:
            v = r[c]
            if c in text_cols:
                cells.append(f'<td class="l">{_E(str(v))}</td>')
            elif c.startswith("p_"):
                cells.append(f"<td>{_E(fmt_p(v)[2:])}</td>")
            elif c in ("n", "n_missing", "n_unmatched", "N", "r"):
                cells.append(f"<td>{int(v)}</td>")
            else:
                cells.append(f"<td>{_E(fmt(float(v)))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _img(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<p><img alt="{_E(alt)}" src="data:image/png;base64,{data}"></p>'


def write_report(s: Summary, folder: str | Path, *, title: str | None = None) -> Path:
    """Write `folder/figures/*.png` and a self-contained `folder/report.html`; return the
    HTML path."""
    folder = Path(folder)
    figs = write_figures(s, folder / "figures")
    e = s.experiment
    pct = f"{100 * s.level:g}%"
    name = title or f"Experiment {e.get('name') or '(unnamed)'}"
    out = [(f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
           f"<title>{_E(name)}</title><style>{CSS}</style></head><body>"), f"<h1>{_E(name)}</h1>"]
    out.append("<h2>What was run</h2><ul>")
    out.append(f"<li>{_E(describe_run(s))}.</li>")
    arms = list(dict.fromkeys(s.arms["arm"])) if len(s.arms) else list(e.get("arms") or [])
    if arms and e.get("kind") != "design":
        ctrl = e.get("control") or (s.comparisons["control"].iloc[0] if len(s.comparisons) else None)
        out.append("<li>Arms: " + ", ".join(_E(str(a)) + (" (control)" if a == ctrl else "")
                                              for a in arms) + ".</li>")
        out.append("<li>Common random numbers: replication <i>r</i> of every arm runs with the "
                   "same seed, so each arm is compared with the control replication by "
                   "replication (paired); the noise the two runs share cancels out of the "
                   "difference.</li>")
    if e.get("kind") == "design":
        out.append(f"<li>Design: {_E(str(e.get('method') or ''))}, {len(s.points)} points"
                   + (f" over {_E(', '.join(map(str, (e.get('problem') or {}).get('names', []))))}"
                      if e.get("problem") else "") + "; per-point means over the replications "
                   "are in points.csv.</li>")
    out.append("</ul>")
    if len(s.arms):
        head = "Means over all design points" if e.get("kind") == "design" else "Means per arm"
        out.append(f"<h2>{head}</h2><p class=\"note\">Mean over runs with its "
                   f"{pct} confidence interval (t distribution); n runs with a value.</p>")
        out.append(_table(s.arms, [("outcome", "outcome"), ("arm", "arm"), ("n", "n"),
                                   ("mean", "mean"), ("sd", "sd"), ("ci_low", f"{pct} CI low"),
                                   ("ci_high", f"{pct} CI high")], text_cols=("outcome", "arm")))
    if len(s.comparisons):
        m = int(s.comparisons["p_t"].notna().sum())
        out.append("<h2>Comparisons with the control</h2><ul>")
        out += [f"<li>{_E(comparison_sentence(r, s.level))}</li>" for _, r in s.comparisons.iterrows()]
        out.append("</ul>")
        out.append(f"<p class=\"note\">Differences are arm minus control, paired by replication; "
                   f"d_z is the mean difference over the standard deviation of the differences "
                   f"(Cohen 1988). Multiple comparisons: with {m} comparisons some small p-values "
                   f"arise by chance alone; the Holm-adjusted p-values (Holm 1979) keep the "
                   f"chance of any false finding among all {m} at the nominal level. The "
                   f"Wilcoxon signed-rank test does not assume normal differences.</p>")
    for p in figs:
        label = {"bands.png": "Outcomes over time per arm", "effects.png": "Effects (forest plot)",
                 "sensitivity.png": "Sensitivity indices"}[p.name]
        out.append(f"<h2>{_E(label)}</h2>" + _img(p, label))
    if len(s.sensitivity):
        out.append("<h2>Sensitivity table</h2><p class=\"note\">Computed on the mean over the "
                   "replications at each design point. Sobol: S1 is the share of the outcome's "
                   "variance due to the parameter alone, ST including its interactions "
                   "(&plusmn; bootstrap CI half-width). Morris: mu* ranks the parameters' "
                   "influence, sigma shows non-linearity or interactions.</p>")
        for method, g in s.sensitivity.groupby("method", sort=False):
            cols = ([("S1", "S1"), ("S1_conf", "S1 &plusmn;"), ("ST", "ST"), ("ST_conf", "ST &plusmn;")]
                    if method == "sobol" else
                    [("mu_star", "mu*"), ("mu_star_conf", "mu* &plusmn;"), ("mu", "mu"), ("sigma", "sigma")])
            out.append(_table(g, [("outcome", "outcome"), ("parameter", "parameter")]
                              + [(c, html.unescape(t)) for c, t in cols],
                              text_cols=("outcome", "parameter")))
    if s.warnings:
        out.append("<h2>Warnings</h2><ul>" + "".join(f'<li class="warn">{_E(w)}</li>'
                                                     for w in s.warnings) + "</ul>")
    out.append("</body></html>")
    path = folder / "report.html"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path

"""The evidence report of the proposition suite: propositions.csv (one row per test),
propositions.json, figures/Pn.png and a self-contained report.html (figures embedded)."""

from __future__ import annotations

import base64
import html
import json
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from ..experiments.stats import describe  # noqa: E402
from ..outdir import json_safe  # noqa: E402

E = html.escape


def _fmt(v, digits=3) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, float) and v != 0 and abs(v) < 10 ** -digits:
        return f"{v:.1e}"
    return f"{v:.{digits}g}"


def _p(v) -> str:
    return "–" if v is None or math.isnan(v) else ("<0.001" if v < 0.001 else f"{v:.3g}")


def _figure(pid: str, tests: pd.DataFrame, frames: pd.DataFrame, path: Path) -> Path | None:
    """One panel per test: arm means with 95% CI (paired, interaction), the per-run values
    (correlation), the level means (inverted U)."""
    if not len(tests) or not len(frames):
        return None
    n = min(len(tests), 4)
    fig, axes = plt.subplots(1, n, figsize=(3.2 * n, 2.8), squeeze=False)
    for ax, (_, t) in zip(axes[0], tests.head(n).iterrows()):
        col = t["outcome"]
        if col not in frames.columns:
            ax.set_axis_off()
            continue
        if t["kind"] == "correlation":
            x = frames[col].dropna().to_numpy(float)
            ax.plot(np.zeros_like(x) + np.random.default_rng(0).uniform(-0.1, 0.1, x.size), x, "o", alpha=0.6)
            ax.axhline(0, color="grey", lw=0.8)
            ax.errorbar([0.3], [t["effect"]], yerr=[[t["effect"] - t["ci_low"]], [t["ci_high"] - t["effect"]]], fmt="s", color="k")
            ax.set_xticks([])
            ax.set_xlim(-0.5, 0.6)
        else:
            arms = [a for a in dict.fromkeys(frames["arm"]) if frames.loc[frames["arm"] == a, col].notna().any()]
            if t["kind"] == "paired":
                arms = [a for a in arms if a in str(t["comparison"]).split(" vs ")]
            d = [describe(frames.loc[frames["arm"] == a, col]) for a in arms]
            m = [x["mean"] for x in d]
            err = [[x["mean"] - x["ci_low"] for x in d], [x["ci_high"] - x["mean"] for x in d]]
            if t["kind"] == "inverted_u":
                ax.errorbar(range(len(arms)), m, yerr=err, fmt="o-")
            else:
                ax.bar(range(len(arms)), m, yerr=err, capsize=3, color="#8fb3d9")
            ax.set_xticks(range(len(arms)), arms, rotation=30, ha="right", fontsize=7)
        ax.set_title(f"{t['test']} {col}\n{'supported' if t['supported'] else 'not supported'}", fontsize=8)
        ax.tick_params(labelsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def write(out: Path, results: dict, meta: dict, frames) -> Path:
    """Write the report files into `out`; frames(pid) = the main runs' outcomes of a
    proposition (one row per run: arm, replication, outcome columns)."""
    out = Path(out)
    figs = out / "figures"
    figs.mkdir(parents=True, exist_ok=True)
    tests: pd.DataFrame = results["tests"]
    props = results["propositions"]
    table = tests.merge(pd.DataFrame([{k: p[k] for k in ("id", "title", "verdict", "robustness")} for p in props]),
                        on="id", how="outer")
    table.to_csv(out / "propositions.csv", index=False)
    doc = {"meta": meta, "propositions": [{**p, "tests": tests[tests["id"] == p["id"]].drop(columns="id").to_dict("records")}
                                          for p in props]}
    (out / "propositions.json").write_text(json.dumps(json_safe(doc), indent=1, allow_nan=False, default=str) + "\n")
    (out / "propositions.md").write_text(markdown(results, meta), encoding="utf-8")
    parts = [f"<h1>clusterlab propositions: evidence report</h1><p>{E(_summary_line(meta))}</p>",
             "<table><tr><th>P</th><th>proposition</th><th>verdict</th><th>robustness</th><th>why</th></tr>"]
    for p in props:
        t = tests[tests["id"] == p["id"]]
        why = p["reason"] or "; ".join(f"{r.outcome} ({r.comparison}): effect {_fmt(r.effect)}, rel {_fmt(r.relative)}, p {_p(r.p)}"
                                      for r in t.itertuples() if r.primary)
        parts.append(f"<tr><td>{p['id']}</td><td>{E(p['title'])}</td><td class='{p['verdict'].replace(' ', '_')}'>"
                     f"{E(p['verdict'])}</td><td>{E(p['robustness'])}</td><td>{E(why)}</td></tr>")
    parts.append("</table>")
    cols = ["test", "outcome", "comparison", "n", "mean_control", "mean_arm", "effect", "ci_low", "ci_high",
            "relative", "p", "p_holm", "supported", "primary", "note"]
    for p in props:
        parts.append(f"<h2>{p['id']} {E(p['title'])}: {E(p['verdict'])}</h2><p><b>Claim.</b> {E(p['claim'])}</p>"
                     f"<p><b>Design.</b> {E(p['design'])} (files: {E(', '.join(p['files']))})</p>")
        if p["reason"]:
            parts.append(f"<p><b>Not run:</b> {E(p['reason'])}</p>")
            continue
        t = tests[tests["id"] == p["id"]]
        parts.append("<table><tr>" + "".join(f"<th>{c}</th>" for c in cols) + "</tr>")
        for _, r in t.iterrows():
            parts.append("<tr>" + "".join(f"<td>{E(_p(r[c]) if c in ('p', 'p_holm') else _fmt(r[c]) if not isinstance(r[c], str) else r[c])}</td>"
                                          for c in cols) + "</tr>")
        parts.append("</table>")
        if p["robustness"]:
            parts.append(f"<p><b>Robustness</b> (each perturbation {meta['robustness_replications']} replications, "
                         f"p &lt; {meta['robustness_alpha']}): {E(p['robustness'])}.</p>")
        fig = _figure(p["id"], t, frames(p["id"]), figs / f"{p['id']}.png")
        if fig is not None:
            data = base64.b64encode(fig.read_bytes()).decode("ascii")
            parts.append(f'<p><img alt="{p["id"]}" src="data:image/png;base64,{data}"></p>')
    style = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto;font-size:14px}"
             "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 5px}"
             ".supported{background:#cfe8cf}.not_supported{background:#f3d0d0}.not_run{background:#eee}")
    page = f"<!doctype html><html><head><meta charset='utf-8'><title>clusterlab propositions</title><style>{style}</style></head><body>{''.join(parts)}</body></html>"
    target = out / "report.html"
    target.write_text(page, encoding="utf-8")
    return target


def _summary_line(meta: dict) -> str:
    return (f"{meta['replications']} replications per arm (common random numbers), alpha {meta['alpha']}; "
            f"robustness: {len(meta['perturbations'])} perturbations x {meta['robustness_replications']} replications; "
            f"{meta['runs']} distinct runs, {meta['seconds']} s" + ("; QUICK MODE: not evidence" if meta["quick"] else ""))


def text(results: dict) -> str:
    """The verdict table as text (the command prints it)."""
    lines = []
    tests = results["tests"]
    for p in results["propositions"]:
        lines.append(f"{p['id']:>4} {p['title']:<34} {p['verdict']:<14} {p['robustness']}")
        if p["reason"]:
            lines.append(f"       {p['reason'][:160]}")
        for r in tests[tests["id"] == p["id"]].itertuples():
            lines.append(f"       {'*' if r.primary else ' '} {r.outcome} {r.comparison}: effect {_fmt(r.effect)} "
                         f"[{_fmt(r.ci_low)}, {_fmt(r.ci_high)}], rel {_fmt(r.relative)}, p {_p(r.p)} "
                         f"{'ok' if r.supported else 'no'}")
    return "\n".join(lines)


def markdown(results: dict, meta: dict) -> str:
    """The verdict table in Markdown (for a README): proposition, verdict, robustness and the
    primary tests' effects (relative effect, p)."""
    tests = results["tests"]
    lines = [f"{_summary_line(meta)}", "", "| P | proposition | verdict | robustness | primary tests: effect [95% CI], relative, p |",
             "|---|---|---|---|---|"]
    for p in results["propositions"]:
        t = tests[(tests["id"] == p["id"]) & tests["primary"].astype(bool)]
        what = "; ".join(f"{r.outcome} {r.comparison}: {_fmt(r.effect)} [{_fmt(r.ci_low)}, {_fmt(r.ci_high)}], "
                         f"{_fmt(r.relative)}, p {_p(r.p)}" for r in t.itertuples()) or p["reason"]
        lines.append(f"| {p['id']} | {p['title']} | {p['verdict']} | {p['robustness'] or '–'} | {what.replace('|', '/')} |")
    return "\n".join(lines) + "\n"

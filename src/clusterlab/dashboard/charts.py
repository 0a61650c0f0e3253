"""Charts of the dashboard as inline SVG text: time series with CI bands and event markers,
and the network picture.

Built here rather than with a plotting library: the live charts' SVG is made in 3-40 ms
for all of them (README "The dashboard"), so they redraw several times a second without
blocking the page (Mesa's SolaraViz redraws matplotlib figures, its users' most frequent
complaint about speed), nothing is loaded from the network, and every label is escaped.
A long series is thinned to what its pixels can show (`thin`), so a redraw's cost stops
growing once a series has more points than the chart has pixels.
"""

from __future__ import annotations

import math
from html import escape

import numpy as np

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf")
KIND_COLOURS = {"focal": "#d62728", "sme": "#1f77b4", "university": "#2ca02c", "institute": "#17becf",
                "intermediary": "#ff7f0e", "agency": "#8c564b", "cluster_org": "#9467bd",
                "external": "#7f7f7f"}
ROLE_COLOURS = {"technological_gatekeeper": "#d62728", "active_mutual_exchanger": "#ff7f0e", "source": "#2ca02c",
                "absorber": "#1f77b4", "weakly_connected": "#9ecae1", "isolated": "#bbbbbb"}


def _nice(lo: float, hi: float, n: int = 4) -> list[float]:
    """About n round tick values covering [lo, hi]."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo] if math.isfinite(lo) else []
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=10 * mag)
    first = math.ceil(lo / step) * step
    return [round(first + i * step, 10) for i in range(int((hi - first) / step + 1e-9) + 1)]


def _fmt(v: float) -> str:
    return f"{v:.3g}" if abs(v) < 1e4 else f"{v:.2e}"


def thin(x: np.ndarray, y: np.ndarray, columns: int) -> np.ndarray:
    """Indices of the points of the line (x, y) to draw at `columns` pixels of width: per
    pixel column the first, last, lowest and highest finite point (M4 aggregation: the
    polyline through them covers the same pixels as the full one; Jugel et al. 2014, "M4: a
    visualization-oriented time series data aggregation", PVLDB 7(10)), and the first NaN
    of each gap so that lines still break there. All indices when there are at most
    4 per column. x must be ascending (steps)."""
    n = len(x)
    if n <= 4 * max(columns, 1):
        return np.arange(n)
    fin = np.isfinite(x) & np.isfinite(y)
    idx = np.flatnonzero(fin)
    gaps = np.flatnonzero(~fin & np.concatenate([[True], fin[:-1]]))
    if len(idx) == 0:
        return gaps
    x0, x1 = float(x[idx[0]]), float(x[idx[-1]])
    col = ((x[idx] - x0) / ((x1 - x0) or 1.0) * (columns - 1)).astype(np.int64)
    # idx and col ascend together: a column's first and last finite points bound its run
    starts = np.flatnonzero(np.concatenate([[True], col[1:] != col[:-1]]))
    ends = np.concatenate([starts[1:], [len(idx)]]) - 1
    order = np.lexsort((y[idx], col))  # by column, then by y within the column
    keep = [idx[starts], idx[ends], idx[order[starts]], idx[order[ends]], gaps]
    return np.unique(np.concatenate(keep))


def _points(X: np.ndarray, Y: np.ndarray) -> str:
    """SVG points "x,y x,y ..." at 0.1 pixel."""
    return " ".join(map("{:.1f},{:.1f}".format, X.tolist(), Y.tolist()))


def line_chart(x, series: dict[str, np.ndarray], *, title: str = "", bands: dict | None = None,
               events: list[tuple[float, str]] = (), width: int = 420, height: int = 220,
               xlabel: str = "step") -> str:
    """An SVG line chart: one line per series (name -> y values at x), optional CI bands
    (name -> (low, high)) and vertical event markers [(x, label)]. NaNs break the lines;
    long series are drawn through the points `thin` keeps (the same pixels)."""
    x = np.asarray(x, float)
    left, right, top, bottom = 48, 10, 22, 30
    w, h = width - left - right, height - top - bottom
    ys = [np.asarray(v, float) for v in series.values()]
    if bands:
        ys += [np.asarray(b, float) for pair in bands.values() for b in pair]
    finite = np.concatenate([y[np.isfinite(y)] for y in ys]) if ys else np.array([])
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" class="cl-chart">',
           f'<text x="{left}" y="14" font-size="12" font-weight="bold">{escape(title)}</text>']
    if len(x) == 0 or finite.size == 0:
        out.append(f'<text x="{left + 10}" y="{top + h / 2}" font-size="11" fill="#777">no data yet</text></svg>')
        return "".join(out)
    x0, x1 = float(np.nanmin(x)), float(np.nanmax(x))
    if x1 <= x0:
        x1 = x0 + 1
    y0, y1 = float(finite.min()), float(finite.max())
    if y1 <= y0:
        y0, y1 = y0 - 0.5 * (abs(y0) or 1), y1 + 0.5 * (abs(y1) or 1)
    pad = 0.05 * (y1 - y0)
    y0, y1 = y0 - pad, y1 + pad

    def px(v):
        return left + (v - x0) / (x1 - x0) * w

    def py(v):
        return top + h - (v - y0) / (y1 - y0) * h

    out.append(f'<rect x="{left}" y="{top}" width="{w}" height="{h}" fill="white" stroke="#ccc"/>')
    for t in _nice(y0, y1):
        out.append(f'<line x1="{left}" x2="{left + w}" y1="{py(t):.1f}" y2="{py(t):.1f}" stroke="#eee"/>'
                   f'<text x="{left - 4}" y="{py(t) + 4:.1f}" font-size="10" text-anchor="end">{_fmt(t)}</text>')
    for t in _nice(x0, x1, 5):
        out.append(f'<text x="{px(t):.1f}" y="{top + h + 13}" font-size="10" text-anchor="middle">{_fmt(t)}</text>')
    out.append(f'<text x="{left + w / 2}" y="{height - 3}" font-size="10" text-anchor="middle">{escape(xlabel)}</text>')
    for i, (name, (lo, hi)) in enumerate((bands or {}).items()):
        lo, hi = np.asarray(lo, float), np.asarray(hi, float)
        ok = np.isfinite(lo) & np.isfinite(hi) & np.isfinite(x)
        if ok.sum() >= 2:
            colour = PALETTE[list(series).index(name) % len(PALETTE)] if name in series else PALETTE[i % len(PALETTE)]
            xo, lo, hi = x[ok], lo[ok], hi[ok]
            up, down = thin(xo, hi, w), thin(xo, lo, w)[::-1]
            pts = _points(px(xo[up]), py(hi[up])) + " " + _points(px(xo[down]), py(lo[down]))
            out.append(f'<polygon points="{pts}" fill="{colour}" fill-opacity="0.18" stroke="none"/>')
    for ex, label in events:
        if x0 <= ex <= x1:
            out.append(f'<line x1="{px(ex):.1f}" x2="{px(ex):.1f}" y1="{top}" y2="{top + h}" stroke="#888" '
                       f'stroke-dasharray="4 3" class="cl-event"><title>{escape(label)}</title></line>')
    for i, (name, y) in enumerate(series.items()):
        y = np.asarray(y, float)
        colour = PALETTE[i % len(PALETTE)]
        k = thin(x, y, w)
        xs, ys = x[k], y[k]
        ok = np.isfinite(xs) & np.isfinite(ys)
        X, Y = px(np.where(ok, xs, x0)), py(np.where(ok, ys, y0))
        cut = np.flatnonzero(~ok)  # NaNs break the line into runs
        for a, b in zip(np.concatenate([[0], cut + 1]), np.concatenate([cut, [len(k)]])):
            if b - a == 1:
                out.append(f'<circle cx="{X[a]:.1f}" cy="{Y[a]:.1f}" r="2" fill="{colour}"/>')
            elif b - a > 1:
                out.append(f'<polyline points="{_points(X[a:b], Y[a:b])}" fill="none" stroke="{colour}" stroke-width="1.6"/>')
        out.append(f'<rect x="{left + 6}" y="{top + 5 + 13 * i}" width="10" height="3" fill="{colour}"/>'
                   f'<text x="{left + 20}" y="{top + 10 + 13 * i}" font-size="10">{escape(str(name))}</text>')
    out.append("</svg>")
    return "".join(out)


def timeline_svg(events: list[tuple[float, str]], steps: int, steps_per_year: int = 12,
                 width: int = 900, height: int = 64) -> str:
    """The run as a line from step 0 to `steps` (ticks in years) with each event marked
    and labelled."""
    left, right = 20, 20
    w = width - left - right
    steps = max(int(steps), 1)

    def px(v):
        return left + min(max(v, 0), steps) / steps * w

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="events timeline" class="cl-timeline">',
           f'<line x1="{left}" x2="{left + w}" y1="40" y2="40" stroke="#555" stroke-width="2"/>']
    years = steps / max(steps_per_year, 1)
    for t in _nice(0, years, 8):
        out.append(f'<line x1="{px(t * steps_per_year):.1f}" x2="{px(t * steps_per_year):.1f}" y1="37" y2="43" stroke="#555"/>'
                   f'<text x="{px(t * steps_per_year):.1f}" y="57" font-size="10" text-anchor="middle">year {_fmt(t)}</text>')
    for i, (step, label) in enumerate(sorted(events)):
        colour = "#d62728" if step <= steps else "#aaa"
        out.append(f'<circle cx="{px(step):.1f}" cy="40" r="5" fill="{colour}"><title>{escape(label)} (step {int(step)})</title></circle>'
                   f'<text x="{px(step):.1f}" y="{14 + 11 * (i % 2)}" font-size="10" text-anchor="middle">'
                   f'{escape(label)}{"" if step <= steps else " (after the end)"}</text>')
    out.append("</svg>")
    return "".join(out)


def network_svg(x, y, kinds, degree, a, b, *, labels=None, title: str = "", width: int = 520,
                height: int = 420, highlight=None, show_labels: int = 0) -> str:
    """An SVG picture of a network: nodes at (x, y) coloured by kind or cognitive role
    (`KIND_COLOURS`, `ROLE_COLOURS`, else the palette in order of appearance), sized by degree; ties (a[k], b[k]) as grey lines;
    `labels` (optional) become tooltips, and the `show_labels` highest-degree nodes get
    their label written beside them; `highlight` (bool per node) gets a black ring."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    n = len(x)
    kinds = [str(k) for k in kinds]
    degree = np.asarray(degree, float)
    pad = 14
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" class="cl-network">',
           f'<rect width="{width}" height="{height}" fill="white" stroke="#ccc"/>']
    if n == 0:
        return "".join(out) + '<text x="20" y="30" font-size="12">no actors</text></svg>'
    ok = np.isfinite(x) & np.isfinite(y)
    x0, x1 = (x[ok].min(), x[ok].max()) if ok.any() else (0.0, 1.0)
    y0, y1 = (y[ok].min(), y[ok].max()) if ok.any() else (0.0, 1.0)
    sx = (width - 2 * pad) / (x1 - x0 or 1)
    sy = (height - 2 * pad - 16) / (y1 - y0 or 1)
    X = pad + (np.where(ok, x, x0) - x0) * sx
    Y = pad + 16 + (np.where(ok, y, y0) - y0) * sy
    out.append(f'<text x="{pad}" y="14" font-size="12" font-weight="bold">{escape(title)}</text>')
    a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
    lines = [f"M{X[i]:.1f} {Y[i]:.1f}L{X[j]:.1f} {Y[j]:.1f}" for i, j in zip(a, b)]
    if lines:
        out.append(f'<path d="{"".join(lines)}" stroke="#999" stroke-opacity="0.35" stroke-width="0.6" fill="none"/>')
    colours = {**KIND_COLOURS, **ROLE_COLOURS}
    for k in kinds:
        if k not in colours:
            colours[k] = PALETTE[len(colours) % len(PALETTE)]
    dmax = max(float(degree.max()), 1.0) if len(degree) else 1.0
    r = 2.0 + 6.0 * np.sqrt(np.clip(degree, 0, None) / dmax)
    for i in np.argsort(r):
        tip = escape(str(labels[i])) if labels is not None else str(i)
        ring = ' stroke="black" stroke-width="1.5"' if highlight is not None and highlight[i] else ' stroke="white" stroke-width="0.5"'
        out.append(f'<circle cx="{X[i]:.1f}" cy="{Y[i]:.1f}" r="{r[i]:.1f}" fill="{colours[kinds[i]]}"{ring}>'
                   f'<title>{tip} ({escape(kinds[i])}, degree {int(degree[i])})</title></circle>')
    if labels is not None and show_labels:
        for i in np.argsort(-degree, kind="stable")[:show_labels]:
            out.append(f'<text x="{X[i] + r[i] + 2:.1f}" y="{Y[i] + 3:.1f}" font-size="9" '
                       f'class="cl-node-label">{escape(str(labels[i]))}</text>')
    present = [k for k in colours if k in set(kinds)]
    for i, k in enumerate(present):
        yy = height - 8 - 13 * (len(present) - 1 - i)
        out.append(f'<circle cx="{width - 150}" cy="{yy - 3}" r="4" fill="{colours[k]}"/>'
                   f'<text x="{width - 142}" y="{yy}" font-size="10">{escape(k.replace("_", " "))}</text>')
    out.append("</svg>")
    return "".join(out)


def spring_layout(n: int, a, b, seed: int = 0, iterations: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """Positions for a network without coordinates (an uploaded survey network):
    igraph's Fruchterman-Reingold layout, seeded."""
    import igraph as ig

    g = ig.Graph(n=n, edges=list(zip(np.asarray(a).tolist(), np.asarray(b).tolist())))
    rng = np.random.default_rng(seed)
    lay = g.layout_fruchterman_reingold(niter=iterations, seed=rng.random((n, 2)).tolist())
    xy = np.asarray(lay.coords, float) if n else np.zeros((0, 2))
    return xy[:, 0], xy[:, 1]

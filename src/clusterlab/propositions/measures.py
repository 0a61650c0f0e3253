"""Outcome functions of the proposition designs: each takes a run's `Results` and returns a
float or a dict of floats (the experiment layer's `function` outcomes, `outcomes.py`).

Firm = focal firm or SME alive at the last snapshot. The measures read the model's
per-firm columns (`learned`, `degree_centrality`, `betweenness`, `ego_size`, `constraint`,
`recorder.ACTOR_COLUMNS`) and series (`variety`, `recorder.CORE`) directly, and
`clusterlab.measures.recovery`. A measure is NaN only where it has no value in a run (too
few firms to correlate, no technology shift); the suite then reports the proposition as
not run, never as supported.

Sources: Spearman (1904) rank correlation; partial correlation of ranks controlling for
degree (Burt 1992 warns constraint and degree are confounded); Nooteboom et al. (2007)
for cognitive distance (the design sweeps a lever, see p06).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

FIRMS = ("focal", "sme")


def _firms(results, step: int | None = None, kind=FIRMS) -> pd.DataFrame:
    act = results.actors
    step = int(act["step"].max()) if step is None else step
    sel = act[(act["step"] == step) & act["kind"].isin(kind)]
    if "alive" in sel.columns and step == int(act["step"].max()):
        sel = sel[sel["alive"].astype(bool)]
    return sel


def learned(results) -> float:
    """Mean cumulative learning per firm (`learned`: knowledge gained since entry, all
    channels)."""
    return float(_firms(results)["learned"].astype(float).mean())


def transfer_flow(results) -> float:
    """Knowledge moved along ties and channels over the run (sum of the flow_<channel>
    columns; flow_tacit and flow_explicit split the same flows by form)."""
    ts = results.timeseries
    cols = [c for c in ts.columns if c.startswith("flow_") and c not in ("flow_tacit", "flow_explicit")]
    return float(ts[cols].to_numpy(float).sum()) if cols else math.nan


def innovations(results) -> float:
    """Innovations (incremental + radical) in the whole run."""
    ts = results.timeseries
    return float(ts["innovations_incremental"].sum() + ts["innovations_radical"].sum())


def sme_innovations(results) -> float:
    """Innovations since entry of the SMEs alive at the end, per SME."""
    f = _firms(results, kind=("sme",))
    return float((f["innovations_incremental"] + f["innovations_radical"]).astype(float).mean())


def sme_external_origin(results) -> float:
    """Mean share of SMEs' knowledge of external origin at the end."""
    return float(_firms(results, kind=("sme",))["external_origin"].astype(float).mean())


def _spearman(x: pd.Series, y: pd.Series) -> float:
    both = pd.concat([x, y], axis=1, join="inner").dropna()
    if len(both) < 5 or both.iloc[:, 0].nunique() < 2 or both.iloc[:, 1].nunique() < 2:
        return math.nan
    return float(stats.spearmanr(both.iloc[:, 0], both.iloc[:, 1]).statistic)


def _partial_spearman(x: pd.Series, y: pd.Series, z: pd.Series) -> float:
    """Spearman correlation of x and y controlling for z: Pearson correlation of the residuals
    of the ranks of x and of y regressed on the ranks of z."""
    d = pd.concat([x, y, z], axis=1, join="inner").dropna()
    if len(d) < 6:
        return math.nan
    r = d.rank().to_numpy(float)
    zc = np.column_stack([np.ones(len(r)), r[:, 2]])
    res = [r[:, i] - zc @ np.linalg.lstsq(zc, r[:, i], rcond=None)[0] for i in (0, 1)]
    if res[0].std() == 0 or res[1].std() == 0:
        return math.nan
    return float(np.corrcoef(res[0], res[1])[0, 1])


def structural(results) -> dict:
    """P2: Spearman correlation across firms, in one run, of cumulative learning (`learned`)
    with betweenness centrality (Freeman 1977), degree centrality, ego-network size (distinct
    local partners; in a simple graph it ranks firms as degree does) and openness."""
    f = _firms(results).set_index("id")
    learn = f["learned"].astype(float)
    return {name: _spearman(learn, f[col].astype(float))
            for name, col in (("betweenness", "betweenness"), ("degree", "degree_centrality"),
                              ("ego_size", "ego_size"), ("openness", "openness"))}


def _gain(results, column: str) -> pd.Series:
    end = _firms(results).set_index("id")[column].astype(float)
    act = results.actors
    start = act[(act["step"] == int(act["step"].min())) & act["kind"].isin(FIRMS)].set_index("id")[column].astype(float)
    if int(act["step"].min()) == int(act["step"].max()):
        return pd.Series(np.nan, index=end.index)
    return (end - start.reindex(end.index)).dropna()


def holes(results) -> dict:
    """P3: partial Spearman correlation across firms, controlling for degree, of Burt
    constraint with the gain in knowledge diversity since step 0 and with innovations
    since entry (degree = `degree_centrality`)."""
    f = _firms(results)
    c = f.set_index("id")["constraint"].astype(float)
    deg = f.set_index("id")["degree_centrality"].astype(float)
    inn = (f["innovations_incremental"] + f["innovations_radical"]).astype(float).set_axis(f["id"])
    return {"diversity_gain": _partial_spearman(c, _gain(results, "diversity"), deg),
            "innovations": _partial_spearman(c, inn, deg)}


def _shift_step(results) -> int | None:
    ev = results.events
    if ev is None or ev.empty or "action" not in ev.columns:
        return None
    s = ev.loc[ev["action"] == "technology_shift", "step"]
    return int(s.iloc[0]) if len(s) else None


def lock_in(results) -> dict:
    """P8: `variety` at the end and its fall from step 0; `recovery` of relevance-weighted
    knowledge after the first technology shift, as the mean gap per year between the path and
    its pre-shift trend (`clusterlab.measures.recovery`; NaN without a shift); and
    `late_log`, the log of mean relevance-weighted knowledge over the second half of the run
    (the presets shift at their midpoint), which the design compares with the same cluster
    run without the shift (common random numbers: the counterfactual path, not a trend)."""
    from ..measures import recovery

    ts = results.timeseries
    v = ts["variety"].dropna()
    k = ts["knowledge_mean"].dropna()
    half = k[ts.loc[k.index, "step"] >= int(ts["step"].max()) // 2]
    out = {"variety_end": float(v.iloc[-1]), "variety_loss": float(v.iloc[0] - v.iloc[-1]),
           "late_log": float(np.log(half.mean())) if len(half) else math.nan}
    shift = _shift_step(results)
    out["recovery"] = recovery(ts, shift, "knowledge_mean") if shift is not None else math.nan
    return out


__all__ = ["learned", "transfer_flow", "innovations", "sme_innovations", "sme_external_origin",
           "structural", "holes", "lock_in"]


def external_intake(results) -> float:
    """Knowledge the cluster took in through pipelines over the run (sum of flow_pipeline)."""
    return float(results.timeseries["flow_pipeline"].to_numpy(float).sum())


__all__ += ["external_intake"]


def cognitive_firm(results) -> dict:
    """P6 at the firm level: across firms in one run, a quadratic fit of cumulative learning
    (`learned`) on the mean cognitive distance to local partners at the start of the run
    (`partner_distance_start`, recorded by `propositions.probe.CognitiveProbe`; NaN in a run
    without the probe), both standardised: c2 = the quadratic term (an inverted U: < 0),
    peak_inside = 1 when the fitted peak lies within the firms' range of distances. Changed in
    issue 10 (round 2): the distance was the one at the end, after learning had closed most
    of it (reverse causality); Nooteboom et al. (2007) use the distance of the preceding years."""
    return cognitive_fit(_firms(results), "partner_distance_start")


def cognitive_fit(f, col: str) -> dict:
    """The quadratic fit of `cognitive_firm` on distance column `col` of firm rows `f`."""
    if col not in f.columns:
        return {"c2": math.nan, "peak_inside": math.nan}
    d = f[[col, "learned"]].astype(float).dropna()
    if len(d) < 10 or d[col].std() == 0 or d["learned"].std() == 0:
        return {"c2": math.nan, "peak_inside": math.nan}
    x = ((d[col] - d[col].mean()) / d[col].std()).to_numpy()
    y = ((d["learned"] - d["learned"].mean()) / d["learned"].std()).to_numpy()
    c2, c1, _ = np.polyfit(x, y, 2)
    peak = -c1 / (2 * c2) if c2 else math.nan
    return {"c2": float(c2), "peak_inside": float(c2 < 0 and x.min() < peak < x.max())}


__all__ += ["cognitive_firm"]

"""Results of a run and how they are written to a folder.

Writing goes through `clusterlab.outdir`: a failed write leaves the folder as it was, and
only files clusterlab wrote there before are replaced or removed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .outdir import staged
from .state import CHANNELS


GRAPHML_MAX_TIES = 50_000  # above this many final ties, `write` leaves network.graphml out (slow, large)


@dataclass(repr=False)
class Results:
    scenario: object  # Scenario
    timeseries: pd.DataFrame  # one row per step
    actors: pd.DataFrame  # per-actor snapshots (column `step`)
    network: dict = field(default_factory=dict)  # final x, y, kind, alive; live ties a, b, layer
    seconds: float = 0.0
    events: pd.DataFrame | None = None
    ties: pd.DataFrame | None = None  # live ties at the snapshot steps (recorder.TIE_COLUMNS)

    def __repr__(self) -> str:
        """A few lines: the run (scenario, seed, steps, actors and ties alive at the end, run
        time) and what the object holds; the tables themselves are in the attributes."""
        sc, ts, act = self.scenario, self.timeseries, self.actors
        steps = int(ts["step"].iat[-1]) if len(ts) else 0
        ties = int(ts["ties"].iat[-1]) if len(ts) and "ties" in ts.columns else 0
        alive = 0
        if len(act):
            last = act[act["step"] == act["step"].max()]
            alive = int(last["alive"].sum()) if "alive" in last.columns else len(last)
        n_events = 0 if self.events is None else len(self.events)
        return "\n".join([
            f"Results: scenario {getattr(sc, 'name', '?')!r}, seed {getattr(sc, 'seed', '?')}, {steps} steps",
            f"  at the end: {alive:,} actors, {ties:,} ties; run time {self.seconds:.2f} s",
            f"  .timeseries  {len(ts):,} rows x {ts.shape[1]} columns, one row per step",
            f"  .actors      {len(act):,} rows x {act.shape[1]} columns, per-actor snapshots",
            f"  .events      {n_events} applied events",
            "  .network     final network: x, y, kind, alive; live ties a, b, layer",
            f"  .ties        {0 if self.ties is None else len(self.ties):,} rows, live ties at the snapshot steps",
            "  .scenario    the scenario run",
            "  methods: summary(), final(), recovery(), network_at(step), to_graphml(path), write(out)",
        ])

    def final(self) -> pd.Series:
        """The last row of the time series."""
        return self.timeseries.iloc[-1]

    def recovery(self) -> list[dict]:
        """Recovery after each technology shift: `recovery_steps`, the steps until the
        frontier gap is back at or below its level just before the shift (None: not within
        the run, so censored), and `knowledge_vs_trend`, never censored: the mean gap per
        year between knowledge_mean and its linear trend over the 2 years before the shift,
        over the 5 years after it, cut at the end of the run
        (`clusterlab.measures.recovery`; None when fewer than two steps follow)."""
        from .measures import MeasureError
        from .measures.recovery import recovery as trend_recovery

        out = []
        if self.events is None or self.events.empty:
            return out
        ts = self.timeseries.set_index("step")["frontier_gap"]
        for step in self.events.loc[self.events["action"] == "technology_shift", "step"]:
            before = ts.get(step - 1, ts.iloc[0])
            after = ts[ts.index >= step]
            back = after[after <= before]
            try:
                area = trend_recovery(self.timeseries, int(step), "knowledge_mean", pre_years=2.0, post_years=5.0)
            except MeasureError:  # nothing recorded before the shift (a shift at step 0)
                area = float("nan")
            out.append({"step": int(step), "gap_before": float(before),
                        "gap_peak": float(after.max()) if len(after) else float(before),
                        "recovery_steps": int(back.index[0] - step) if len(back) else None,
                        "knowledge_vs_trend": None if np.isnan(area) else float(area)})
        return out

    def network_at(self, step: int | None = None):
        """The simulated network at a snapshot step (default: the last) as a
        `clusterlab.data.ClusterNetwork`: the actors alive then (ids = actor ids, as text;
        their snapshot columns as attributes, `ownership` = business group, `stage` left out
        for non-firms), undirected live ties with strength as weight and their layer. This is
        what `to_graphml` writes and `clusterlab analyze` reads back."""
        from .data import ClusterNetwork
        from .errors import ClusterlabError

        if self.ties is None or self.actors is None or not len(self.actors):
            raise ClusterlabError("these results hold no tie snapshots")
        step = int(self.actors["step"].max()) if step is None else int(step)
        act = self.actors[(self.actors["step"] == step) & self.actors["alive"]]
        if not len(act):
            raise ClusterlabError(f"no actor snapshot at step {step}; snapshots: "
                                  f"{sorted(self.actors['step'].unique().tolist())}")
        t = self.ties[self.ties["step"] == step]
        index = pd.Series(np.arange(len(act)), index=act["id"].to_numpy())
        keep = t["a"].isin(index.index) & t["b"].isin(index.index)
        t = t[keep]
        src = index.loc[t["a"].to_numpy()].to_numpy()
        dst = index.loc[t["b"].to_numpy()].to_numpy()
        attrs = act.drop(columns=["step", "id"]).reset_index(drop=True)
        attrs["kind"] = attrs["kind"].astype(str)
        attrs["stage"] = attrs["stage"].where(attrs["stage"] >= 0).astype("Int64")
        attrs["ownership"] = attrs["group"].astype(str)
        ids = np.array([str(i) for i in act["id"]], dtype=object)
        attrs.insert(0, "id", ids)
        lo, hi = np.minimum(src, dst), np.maximum(src, dst)
        return ClusterNetwork(ids=ids, src=lo, dst=hi, weight=t["w"].to_numpy(np.float64),
                              layer=t["layer"].astype(str).to_numpy(dtype=object), directed=False,
                              attributes=attrs, source=f"simulation step {step}")

    def to_graphml(self, path: str | Path, step: int | None = None) -> Path:
        """Write the network at a snapshot step (default: the last; `network_at`) as GraphML,
        or as GEXF when `path` ends in .gexf; returns the path. Both open in Gephi and are
        read by `clusterlab analyze`."""
        from .data import write_network

        return write_network(self.network_at(step), path)

    def summary(self) -> dict:
        ts = self.timeseries
        last = ts.iloc[-1]
        first = ts.iloc[0]
        sc = self.scenario
        final_actors = self.actors[(self.actors["step"] == self.actors["step"].max()) & self.actors["alive"]]
        return {
            "scenario": sc.name,
            "seed": sc.seed,
            "steps": int(last["step"]),
            "years": float(last["year"]),
            "actors": int(len(final_actors)),
            "firms": int(final_actors["kind"].isin(["focal", "sme"]).sum()),
            "ties": int(last["ties"]),
            "seconds": round(self.seconds, 3),
            "knowledge_mean": {"start": float(first["knowledge_mean"]), "end": float(last["knowledge_mean"])},
            "frontier_gap": {"start": float(first["frontier_gap"]), "end": float(last["frontier_gap"])},
            "knowledge_gini": {"start": float(first["knowledge_gini"]), "end": float(last["knowledge_gini"])},
            "diversity": {"start": float(first["diversity"]), "end": float(last["diversity"])},
            "trust_mean": {"start": float(first["trust_mean"]), "end": float(last["trust_mean"])},
            "innovations_incremental": int(ts["innovations_incremental"].sum()),
            "innovations_radical": int(ts["innovations_radical"].sum()),
            "flows": {c: float(ts[f"flow_{c}"].sum()) for c in CHANNELS},
            "seci": {c: float(ts[f"seci_{c}"].sum()) for c in
                     ("socialization", "externalization", "combination", "internalization")},
            "external_share": float(last["external_share"]),
            "lock_in": {
                "diversity": {"start": float(first["diversity"]), "end": float(last["diversity"])},
                "variety": {"start": float(first["variety"]), "end": float(last["variety"])},
                "mean_cognitive_proximity": {"start": float(first["mean_cognitive_proximity"]),
                                             "end": float(last["mean_cognitive_proximity"])},
                "external_inflow_share_last_year": float(ts["external_inflow_share"].tail(self.scenario.steps_per_year).mean()),
                "openness_mean": {"start": float(first["openness_mean"]), "end": float(last["openness_mean"])},
                "recovery_after_shifts": self.recovery(),
            },
            "gatekeeper_share": float(last["gatekeeper_share"]),
            "entries": int(ts["entries"].sum()),
            "exits": int(ts["exits"].sum()),
            "projects": {"started": int(ts["projects_started"].sum()), "succeeded": int(ts["projects_succeeded"].sum())},
            "events": [] if self.events is None else self.events.to_dict("records"),
            "constraint_mean": None if np.isnan(last["constraint_mean"]) else float(last["constraint_mean"]),
        }

    def write(self, out: str | Path, figures: bool | None = None, csv: bool | None = None,
              overwrite: bool = False) -> Path:
        """Write timeseries.parquet, actors.parquet, ties.parquet, network.graphml (the final
        network, when it has at most `GRAPHML_MAX_TIES` ties: networkx writes about 7,000
        ties a second), scenario.toml, summary.json and figures/ (rules:
        `clusterlab.outdir`; overwrite: also replace files clusterlab did not write)."""
        out = Path(out)
        opts = self.scenario.output
        figures = opts.figures if figures is None else figures
        csv = opts.csv if csv is None else csv
        with staged(out, "run", overwrite) as tmp:
            self.timeseries.to_parquet(tmp / "timeseries.parquet", index=False)
            self.actors.to_parquet(tmp / "actors.parquet", index=False)
            if self.ties is not None:
                self.ties.to_parquet(tmp / "ties.parquet", index=False)
                if (self.ties["step"] == self.ties["step"].max()).sum() <= GRAPHML_MAX_TIES:
                    self.to_graphml(tmp / "network.graphml")
            if self.events is not None:
                events = self.events.copy()
                recs = {r["step"]: r for r in self.recovery()}
                shift = [recs.get(s) if a == "technology_shift" else None
                         for s, a in zip(events["step"], events["action"])]
                events["recovery_steps"] = pd.array([r and r["recovery_steps"] for r in shift], dtype="Int64")
                events["knowledge_vs_trend"] = pd.array([r and r["knowledge_vs_trend"] for r in shift],
                                                        dtype="Float64")
                events.to_parquet(tmp / "events.parquet", index=False)
            if csv:
                self.timeseries.to_csv(tmp / "timeseries.csv", index=False)
                self.actors.to_csv(tmp / "actors.csv", index=False)
                if self.ties is not None:
                    self.ties.to_csv(tmp / "ties.csv", index=False)
            (tmp / "scenario.toml").write_text(self.scenario.to_toml(), encoding="utf-8")
            (tmp / "summary.json").write_text(json.dumps(self.summary(), indent=2) + "\n", encoding="utf-8")
            if figures:
                from .plots import write_figures

                marks = None
                if self.events is not None and len(self.events):
                    marks = self.events.assign(action=[n or a for n, a in zip(self.events["note"], self.events["action"])])
                write_figures(self.timeseries, self.network, tmp / "figures", events=marks,
                              steps_per_year=self.scenario.steps_per_year,
                              max_nodes=opts.network_figure_max_nodes)
        return out

"""Predict the next survey wave: simulate the interval from wave 1 and score the prediction
against wave 2, beside two null models (Snijders 2001, "The statistical evaluation of social
network dynamics", Sociological Methodology 31: a model of network change is judged by
simulating it over the observed interval; Snijders, van de Bunt & Steglich 2010, section 6).

    res = predict(wave1, wave2, years=3, replications=20, seed=0)
    res.scores      # model x measure: mean and the middle 95% of replications, observed value
    res.dyads       # tie-level scores: share of replications holding each pair
    res.summary()   # JSON-able
    res.write("prediction/")   # scores.csv, dyads.csv, summary.json, report.html

Models (`MODELS`), each a list of replications in the form of `simulate_interval`:

    simulation        clusterlab from wave 1 (`interval.simulate_interval`) under the scenario
    nothing_changes   wave 1 as the prediction (`nulls.nothing_changes`)
    random_rewiring   the observed persistence rate and wave-2 tie count, random ties
                      (`nulls.random_rewiring`; it is given these two observed numbers)

Everything is scored over the actors of wave 1, matched to wave 2 by id label
(`scores.match_waves`); wave-2 actors not in wave 1 (entries) and the simulation's new firms
are left out (neither can be matched). Directed data are scored twice: as their undirected
projection (a pair is tied if either direction is; the measures below) and as directed ties,
"i asks j" (`DIRECTED`: the simulation's ties carry who asks whom, `Ties.asks`: wave 1's
direction, the proposer's for new ties, mutual when reciprocated; the nulls keep wave 1's
directions, or rewire directed ties at random).

Measures (`MEASURES`; per replication unless said otherwise):

    ties                ties among the wave-1 actors still there (observed: among stayers)
    ties_ratio          ties / observed ties (target 1)
    exits               share of wave-1 actors gone
    persisted, created  wave-1 ties still held; ties held that wave 1 did not have (with ties,
                        they say why a Jaccard is low: the wrong number kept, or made)
    jaccard             Jaccard similarity of the predicted and observed tie sets
    degree_correlation  Pearson r of predicted and observed degree over the stayers
    transitivity        global clustering coefficient
    auc                 tie-level AUC over all pairs of stayers, each scored by the share of
                        replications holding the tie (pooled: one value per model)
    auc_persist         the same among pairs tied in wave 1: which ties persist?
    auc_create          the same among pairs not tied in wave 1: which ties are created?

Directed data only (`DIRECTED`), over ordered pairs of stayers: arcs (directed ties),
arcs_jaccard, indegree_correlation (how many ask a firm: its role as a knowledge source,
Giuliani & Bell 2005), outdegree_correlation, reciprocity (share of directed ties returned,
closest to the observed wins) and arcs_auc, arcs_auc_persist, arcs_auc_create.

Composition. By default (`composition="simulated"`) who leaves is predicted: the simulation's
firms exit by its market mechanism, and the null models keep every actor. With
`composition="observed"` who leaves is given by wave 2, to every model alike: the
simulation's market exits are off and the actors missing from wave 2 leave at a uniform
time in the interval (`interval.simulate_interval` leavers; composition change as exogenous,
as RSiena treats it, Huisman & Snijders 2003), "nothing changes" drops their ties, and
random rewiring keeps and makes ties among the stayers only. That scores the tie dynamics
alone: a model that exits the wrong firms loses all their ties, which otherwise dominates
Jaccard and the degree correlation when exits are hard to predict.

Unobserved cells (`NA` in a matrix: a non-respondent's row). A pair with an unobserved cell
in either direction, in either wave, is unknown (`scores.Observed.unknown`), even when the
other side reports a tie, and is left out of every score and observed count, as RSiena
leaves such dyads out of its statistics (Huisman & Steglich 2008, "Treatment of
non-response in longitudinal network studies", Social Networks 30(4)); a stayer with no
known pair is left out of the degree correlation. The simulation starts from wave 1 with
the ties as reported (the unobserved cells untied, as RSiena imputes a first wave), and
random rewiring keeps and makes ties among the known pairs only.

"Nothing changes" scores 0.5 on both AUC splits (it gives every pair of a split the same
score), however well it does on the pooled AUC.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..data import ClusterNetwork, in_id_order
from ..data.load import absent_record
from ..errors import ClusterlabError
from ..outdir import json_safe, staged
from ..scenario import default_scenario
from . import scores as S
from .interval import IntervalRun, as_scenario, check_composition, simulate_interval
from .nulls import nothing_changes, random_rewiring

__all__ = ["PredictResult", "predict", "score_runs", "MODELS", "MEASURES"]

MODELS = ("simulation", "nothing_changes", "random_rewiring")
LABELS = {"simulation": "simulation", "nothing_changes": "nothing changes", "random_rewiring": "random rewiring"}
# measure -> (what wins: "higher" or "observed" (closest to the observed value), meaning)
MEASURES = {
    "ties": ("observed", "ties among the wave-1 actors (observed: wave-2 ties among stayers)"),
    "ties_ratio": ("observed", "predicted / observed tie count (target 1)"),
    "exits": ("observed", "share of wave-1 actors gone by wave 2"),
    "persisted": ("observed", "wave-1 ties still held (observed: wave-1 ties among stayers kept in wave 2)"),
    "created": ("observed", "ties held that were not wave-1 ties (observed: new ties among stayers)"),
    "jaccard": ("higher", "Jaccard similarity of predicted and observed tie sets"),
    "degree_correlation": ("higher", "Pearson r of predicted and observed degree, over the stayers"),
    "transitivity": ("observed", "global clustering coefficient (3 x triangles / connected triples)"),
    "auc": ("higher", "tie-level AUC over all pairs of stayers (0.5 = chance)"),
    "auc_persist": ("higher", "tie-level AUC among pairs tied in wave 1: which ties persist"),
    "auc_create": ("higher", "tie-level AUC among pairs not tied in wave 1: which ties are created"),
    # directed data only: who asks whom (`DIRECTED`)
    "arcs": ("observed", "directed ties i asks j among the wave-1 actors (observed: wave-2 directed ties among stayers)"),
    "arcs_jaccard": ("higher", "Jaccard similarity of predicted and observed directed ties"),
    "indegree_correlation": ("higher", "Pearson r of predicted and observed in-degree (how many ask a firm), over the stayers"),
    "outdegree_correlation": ("higher", "Pearson r of predicted and observed out-degree (how many a firm asks), over the stayers"),
    "reciprocity": ("observed", "share of directed ties returned (among the stayers' directed ties)"),
    "arcs_auc": ("higher", "tie-level AUC over all ordered pairs of stayers, i asks j (0.5 = chance)"),
    "arcs_auc_persist": ("higher", "directed AUC among ordered pairs tied in wave 1: which directed ties persist"),
    "arcs_auc_create": ("higher", "directed AUC among ordered pairs not tied in wave 1: which directed ties are created"),
}
DIRECTED = ("arcs", "arcs_jaccard", "indegree_correlation", "outdegree_correlation", "reciprocity", "arcs_auc",
            "arcs_auc_persist", "arcs_auc_create")
PER_REPLICATION = ("ties", "ties_ratio", "exits", "persisted", "created", "jaccard", "degree_correlation",
                   "transitivity")
PROJECTION = ("directed ties scored twice: as their undirected projection (a pair is tied if either direction "
              "is; ties, jaccard, degree_correlation, transitivity, auc) and as directed ties, i asks j (arcs, "
              "arcs_jaccard, in- and outdegree_correlation, reciprocity, arcs_auc)")
NULL_SEED_TAG = 0x6E756C6C  # the random-rewiring stream: SeedSequence([seed, tag])


@dataclass
class _Dyads:
    """Replication counts of the pairs of stayers that any model or wave holds (pair codes)."""

    codes: np.ndarray               # sorted pair codes (wave-1 positions) among stayers
    counts: dict                    # model -> int count per code
    reps: dict                      # model -> replications
    total: int                      # all pairs of stayers


def _stayer_codes(codes: np.ndarray, stay: np.ndarray, n: int) -> np.ndarray:
    a, b = np.divmod(codes, n)
    return codes[stay[a] & stay[b]]


def _hist(k: np.ndarray, R: int, rest: int) -> np.ndarray:
    """Histogram over 0..R of replication counts k, plus `rest` pairs with count 0."""
    h = np.bincount(k, minlength=R + 1).astype(float)
    h[0] += rest
    return h


def _auc_split(obs: S.Observed, codes: np.ndarray, count: np.ndarray, R: int, universe: np.ndarray | None,
               size: int) -> tuple[float, np.ndarray, np.ndarray]:
    """AUC over a set of stayer pairs: `universe` (sorted codes; None = all `size` pairs of
    stayers). Positives: wave-2 ties. Returns the AUC and the score histograms."""
    pos_codes = obs.ties2 if universe is None else np.intersect1d(obs.ties2, universe, assume_unique=True)
    if universe is not None:
        inside = np.isin(codes, universe, assume_unique=True)
        codes, count = codes[inside], count[inside]
    is_pos = np.isin(codes, pos_codes, assume_unique=True)
    n_pos, n_neg = len(pos_codes), size - len(pos_codes)
    hp = _hist(count[is_pos], R, n_pos - int(is_pos.sum()))
    hn = _hist(count[~is_pos], R, n_neg - int((~is_pos).sum()))
    return S.auc_from_counts(hp, hn), hp, hn


def score_runs(obs: S.Observed, runs: list[IntervalRun]) -> dict:
    """Per-replication measures {measure: array, one value per replication} of one model's
    replications against the observed waves (see the module)."""
    n = obs.n
    stayers = obs.scored_stayers()
    o_ties = len(obs.ties2)
    per = {m: np.full(len(runs), np.nan) for m in PER_REPLICATION}
    for r, run in enumerate(runs):
        p = obs.known(run.pairs(n))
        per["ties"][r] = S.tie_count(p)
        per["ties_ratio"][r] = S.tie_count(p) / o_ties if o_ties else np.nan
        per["exits"][r] = S.exit_share(run.present)
        per["persisted"][r] = len(np.intersect1d(p, obs.ties1, assume_unique=True))
        per["created"][r] = len(p) - per["persisted"][r]
        per["jaccard"][r] = S.jaccard(p, obs.ties2)
        per["degree_correlation"][r] = S.degree_correlation(p, obs.ties2, n, over=stayers)
        per["transitivity"][r] = S.transitivity(p, n)
    return per


def score_arcs(dobs: S.Observed, runs: list[IntervalRun]) -> dict:
    """Per-replication directed measures {measure: array} of one model's replications
    (their `arcs`) against the directed view of the observed waves (`Observed.directed_view`)."""
    n, stayers = dobs.n, dobs.scored_stayers()
    per = {m: np.full(len(runs), np.nan) for m in ("arcs", "arcs_jaccard", "indegree_correlation",
                                                    "outdegree_correlation", "reciprocity")}
    for r, run in enumerate(runs):
        p = dobs.known(run.arcs)
        per["arcs"][r] = len(p)
        per["arcs_jaccard"][r] = S.jaccard(p, dobs.ties2)
        per["indegree_correlation"][r] = S.degree_correlation_directed(p, dobs.ties2, n, stayers, "in")
        per["outdegree_correlation"][r] = S.degree_correlation_directed(p, dobs.ties2, n, stayers, "out")
        per["reciprocity"][r] = S.arc_reciprocity(_stayer_codes(p, dobs.stay, n), n)
    return per


def _counts(obs: S.Observed, runs: list[IntervalRun]) -> tuple[np.ndarray, np.ndarray]:
    """Pair codes among stayers held by any replication, and in how many (directed codes,
    the runs' `arcs`, for the directed view)."""
    held = (lambda r: r.arcs) if obs.ordered else (lambda r: r.pairs(obs.n))  # noqa: E731
    allc = (np.concatenate([obs.known(_stayer_codes(held(r), obs.stay, obs.n)) for r in runs])
            if runs else np.zeros(0, np.int64))
    return np.unique(allc, return_counts=True)


def _aucs(obs: S.Observed, runs: list[IntervalRun]) -> dict:
    """Pooled tie-level AUCs of one model, and the ROC histograms of the pooled one (over
    ordered pairs for the directed view)."""
    codes, count = _counts(obs, runs)
    R = len(runs)
    size = obs.known_pairs()
    t1 = obs.ties1_among_stayers()
    auc, hp, hn = _auc_split(obs, codes, count, R, None, size)
    persist = _auc_split(obs, codes, count, R, t1, len(t1))[0]
    # created: pairs of stayers not tied in wave 1 (complement of t1)
    not1 = ~np.isin(codes, t1, assume_unique=True)
    o2_new = np.setdiff1d(obs.ties2, t1, assume_unique=True)
    c, k = codes[not1], count[not1]
    is_pos = np.isin(c, o2_new, assume_unique=True)
    n_pos, n_neg = len(o2_new), size - len(t1) - len(o2_new)
    create = S.auc_from_counts(_hist(k[is_pos], R, n_pos - int(is_pos.sum())),
                               _hist(k[~is_pos], R, n_neg - int((~is_pos).sum())))
    return {"auc": auc, "auc_persist": persist, "auc_create": create, "roc": (hp, hn),
            "codes": codes, "counts": count}


@dataclass
class PredictResult:
    """The prediction of wave 2 and its scores (see the module).

    scores:   DataFrame model, measure, mean, low, high, observed, replications, wins
              (low/high: the 2.5% and 97.5% quantiles over replications; empty for pooled
              measures and the single "nothing changes" replication)
    dyads:    DataFrame source, target, wave1, wave2 (0/1) and one column per model: the
              share of its replications holding the tie; the pairs of stayers tied in some
              wave or held by some replication (every other pair of stayers is untied in
              both waves and scores 0 under every model)
    observed: the matched waves (`scores.Observed`)
    roc:      model -> (false-positive rates, true-positive rates) of the pooled AUC
    info:     run details (sources, years, replications, seed, scenario, timings)
    """

    scores: pd.DataFrame
    dyads: pd.DataFrame
    observed: S.Observed
    roc: dict
    info: dict = field(default_factory=dict)

    def value(self, model: str, measure: str) -> float:
        row = self.scores[(self.scores["model"] == model) & (self.scores["measure"] == measure)]
        return float(row["mean"].iloc[0]) if len(row) else float("nan")

    def verdict(self) -> dict:
        """measure -> {"best": [models], "text": one sentence}: the model(s) with the highest
        mean, or the mean closest to the observed value, per measure; an AUC split without both
        outcomes has no winner."""
        out = {}
        o = self.observed
        t1 = o.ties1_among_stayers()
        kept = len(np.intersect1d(t1, o.ties2, assume_unique=True))
        why = {"auc": "wave 2 has no tie among stayers, or every pair of stayers is tied",
               "auc_persist": f"of the {len(t1)} wave-1 ties among stayers {kept} persisted and "
                              f"{len(t1) - kept} dissolved; both are needed",
               "auc_create": f"of the {o.known_pairs() - len(t1)} pairs of stayers untied in wave 1, "
                             f"{len(o.ties2) - kept} became tied; both outcomes are needed"}
        if o.directed:
            d = o.directed_view()
            a1 = d.ties1_among_stayers()
            akept = len(np.intersect1d(a1, d.ties2, assume_unique=True))
            why.update({"arcs_auc": "wave 2 has no directed tie among stayers, or every ordered pair is tied",
                        "arcs_auc_persist": f"of the {len(a1)} directed wave-1 ties among stayers {akept} "
                                            f"persisted and {len(a1) - akept} dissolved; both are needed",
                        "arcs_auc_create": f"of the {d.known_pairs() - len(a1)} ordered pairs of stayers untied "
                                           f"in wave 1, {len(d.ties2) - akept} became tied; both outcomes are needed"})
        for measure, (wins, meaning) in MEASURES.items():
            rows = self.scores[self.scores["measure"] == measure].dropna(subset=["mean"])
            if wins == "info":
                continue
            if rows.empty:
                if measure in why:
                    out[measure] = {"best": [], "text": f"{measure}: not defined on these data ({why[measure]})"}
                continue
            obs = rows["observed"].iloc[0]
            if wins == "higher":
                key = rows["mean"].to_numpy(float)
            else:
                if pd.isna(obs):
                    continue
                key = -np.abs(rows["mean"].to_numpy(float) - float(obs))
            best = list(rows["model"][key >= key.max() - 1e-12])
            vals = ", ".join(f"{LABELS[m]} {_num(v)}" for m, v in zip(rows["model"], rows["mean"]))
            target = "highest" if wins == "higher" else f"closest to the observed {_num(obs)}"
            who = " and ".join(LABELS[m] for m in best)
            out[measure] = {"best": best, "text": f"{measure}: {who} {'win' if len(best) > 1 else 'wins'} "
                                                  f"({target}; {vals})"}
        return out

    def summary(self) -> dict:
        """Everything but the dyads, JSON-ready (no NaN)."""
        o = self.observed
        t1 = o.ties1_among_stayers()
        persisted = len(np.intersect1d(t1, o.ties2, assume_unique=True))
        models = {}
        for m in MODELS:
            rows = self.scores[self.scores["model"] == m]
            models[m] = {r["measure"]: {"mean": r["mean"], "low": r["low"], "high": r["high"]}
                         for r in rows.to_dict("records")}
            models[m]["replications"] = int(rows["replications"].iloc[0]) if len(rows) else 0
        observed = {"ties": len(o.ties2), "wave1_ties": len(o.ties1), "wave1_ties_among_stayers": len(t1),
                    "persisted": persisted, "created": len(o.ties2) - persisted, "dissolved": len(t1) - persisted,
                    "persistence_rate": o.persistence_rate(), "exits": (o.n - len(o.stayers)) / o.n,
                    "transitivity": S.transitivity(o.ties2, o.n), "unknown_pairs": o.unknown_among_stayers()}
        if o.directed:
            d = o.directed_view()
            a1 = d.ties1_among_stayers()
            akept = len(np.intersect1d(a1, d.ties2, assume_unique=True))
            observed.update(reciprocity_wave1=o.reciprocity1, reciprocity_wave2=o.reciprocity2,
                            arcs=len(d.ties2), arcs_wave1_among_stayers=len(a1), arcs_persisted=akept,
                            arcs_created=len(d.ties2) - akept, arcs_persistence_rate=d.persistence_rate(),
                            reciprocity_among_stayers=S.arc_reciprocity(d.ties2, o.n))
        return json_safe({
            **{k: self.info.get(k) for k in ("wave1", "wave2", "years", "replications", "seed", "scenario",
                                         "scenario_file", "matrices", "sets", "composition", "absent")},
            "directed": o.directed,
            "scored_as": PROJECTION if o.directed else "undirected ties",
            "actors": {"wave1": o.n, "wave2": len(o.stayers) + o.entries, "stayers": len(o.stayers),
                       "exits": o.n - len(o.stayers), "entries": o.entries},
            "observed": observed,
            "models": models,
            "verdict": {k: v for k, v in self.verdict().items()},
            "seconds": self.info.get("seconds", {}),
        })

    def write(self, out, report: bool = True, overwrite: bool = False) -> Path:
        """Write into folder `out` (rules: `clusterlab.outdir`; overwrite: also replace files
        clusterlab did not write): scores.csv, dyads.csv, summary.json and (report=True)
        report.html."""
        out = Path(out)
        with staged(out, "predict", overwrite) as tmp:
            self.scores.to_csv(tmp / "scores.csv", index=False)
            self.dyads.to_csv(tmp / "dyads.csv", index=False)
            (tmp / "summary.json").write_text(json.dumps(self.summary(), indent=2) + "\n", encoding="utf-8")
            if report:
                write_predict_report(tmp / "report.html", self)
        return out


def _num(v) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "n/a"
    v = float(v)
    return f"{v:.0f}" if abs(v) >= 100 else f"{v:.3g}"


def _matrices(scenario, sets) -> dict:
    """The data matrices the simulated model acted on (data.geographic, data.cognitive)."""
    sc = scenario if scenario is not None else default_scenario()
    if sets:
        sc = sc.set(**sets)
    return {"geographic": sc.data.geographic or None, "cognitive": sc.data.cognitive or None}


def predict(wave1: ClusterNetwork, wave2: ClusterNetwork, years: float, scenario=None, *,
            sets: dict | None = None, replications: int = 20, seed: int = 0, executor: str = "serial",
            workers: int | None = None, composition: str = "simulated",
            scenario_file: str | None = None) -> PredictResult:
    """Simulate the interval of `years` from `wave1` `replications` times and score the
    prediction against `wave2`, beside the two null models (see the module).

    scenario, sets, executor, workers: as in `interval.simulate_interval` (sets: dotted keys of
    the scenario, e.g. calibrated parameters or data matrices). seed: replication r of the
    simulation uses SeedSequence([seed, r]); random rewiring SeedSequence([seed, NULL_SEED_TAG]).
    composition: "simulated" (who leaves is predicted) or "observed" (given by wave 2 to
    every model; see the module). scenario_file: where the scenario came from (recorded in
    the summary; the command line's --scenario). ClusterlabError on bad input (years not > 0, replications
    < 1, an unknown composition, waves of different directedness or without a common actor id)."""
    if not (isinstance(years, (int, float)) and years > 0):
        raise ClusterlabError(f"--years {years}: expected a positive number of years between the waves")
    if not (isinstance(replications, (int, np.integer)) and replications >= 1):
        raise ClusterlabError(f"--replications {replications}: expected a whole number >= 1")
    if seed < 0:
        raise ClusterlabError(f"--seed {seed}: expected a whole number >= 0")
    check_composition(composition)
    if isinstance(scenario, (str, Path)):  # a preset name or a TOML file, as --scenario takes
        scenario_file, scenario = scenario_file or str(scenario), as_scenario(scenario)
    t0 = time.perf_counter()
    wave1, wave2 = in_id_order(wave1), in_id_order(wave2)  # any file format or row order: the same draws
    obs = S.match_waves(wave1, wave2)
    given = obs.stay if composition == "observed" else None
    t1 = time.perf_counter()
    sim = simulate_interval(wave1, years, scenario, sets=sets, replications=int(replications), seed=seed,
                            executor=executor, workers=workers, leavers=None if given is None else ~given)
    t2 = time.perf_counter()
    rate = obs.persistence_rate()
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), NULL_SEED_TAG]))
    runs = {"simulation": sim, "nothing_changes": nothing_changes(wave1, given),
            "random_rewiring": random_rewiring(wave1, 0.0 if np.isnan(rate) else rate, len(obs.ties2),
                                               int(replications), rng=rng, present=given, unknown=obs.unknown)}
    dobs = obs.directed_view() if obs.directed else None
    arc_runs = {}
    if dobs is not None:  # who asks whom: random rewiring of the directed ties, its own stream
        drate = dobs.persistence_rate()
        drng = np.random.default_rng(np.random.SeedSequence([int(seed), NULL_SEED_TAG, 1]))
        arc_runs = {"simulation": sim, "nothing_changes": runs["nothing_changes"],
                    "random_rewiring": random_rewiring(wave1, 0.0 if np.isnan(drate) else drate, len(dobs.ties2),
                                                       int(replications), rng=drng, present=given,
                                                       unknown=dobs.unknown, directed=True)}
    rows, roc, dy = [], {}, {}
    t1_stay = obs.ties1_among_stayers()
    kept = len(np.intersect1d(t1_stay, obs.ties2, assume_unique=True))
    observed = {"ties": len(obs.ties2), "ties_ratio": 1.0, "exits": (obs.n - len(obs.stayers)) / obs.n,
                "persisted": kept, "created": len(obs.ties2) - kept,
                "jaccard": np.nan, "degree_correlation": np.nan, "transitivity": S.transitivity(obs.ties2, obs.n),
                "auc": np.nan, "auc_persist": np.nan, "auc_create": np.nan}
    if dobs is not None:
        observed.update(arcs=len(dobs.ties2), arcs_jaccard=np.nan, indegree_correlation=np.nan,
                        outdegree_correlation=np.nan, reciprocity=S.arc_reciprocity(dobs.ties2, obs.n),
                        arcs_auc=np.nan, arcs_auc_persist=np.nan, arcs_auc_create=np.nan)
    for model, rs in runs.items():
        per = score_runs(obs, rs)
        au = _aucs(obs, rs)
        roc[model] = S.roc_from_counts(*au["roc"])
        dy[model] = (au["codes"], au["counts"] / len(rs))
        if dobs is not None:
            per.update(score_arcs(dobs, arc_runs[model]))
            au.update({"arcs_" + k: v for k, v in _aucs(dobs, arc_runs[model]).items() if k.startswith("auc")})
        for measure in MEASURES:
            if measure in DIRECTED and dobs is None:
                continue
            lo = hi = np.nan
            if measure in per:
                v = per[measure]
                mean = float(np.nanmean(v)) if np.isfinite(v).any() else np.nan
                if len(rs) > 1 and np.isfinite(v).any():
                    lo, hi = (float(q) for q in np.nanquantile(v, [0.025, 0.975]))
            else:
                mean = au[measure]
            rows.append({"model": model, "measure": measure, "mean": mean, "low": lo, "high": hi,
                         "observed": observed[measure], "replications": len(rs), "wins": MEASURES[measure][0]})
    t3 = time.perf_counter()
    scores = pd.DataFrame(rows, columns=["model", "measure", "mean", "low", "high", "observed", "replications", "wins"])
    dyads = _dyad_table(obs, dy)
    sc_name = getattr(scenario, "name", None) if scenario is not None else "default"
    info = {"wave1": str(wave1.source or ""), "wave2": str(wave2.source or ""), "years": float(years),
            "replications": int(replications), "seed": int(seed), "scenario": sc_name,
            "scenario_file": scenario_file, "matrices": _matrices(scenario, sets), "sets": dict(sets or {}),
            "composition": composition,
            "absent": {"wave1": absent_record(wave1), "wave2": absent_record(wave2)},
            "seconds": {"simulation": t2 - t1, "scoring": t3 - t2, "total": t3 - t0}}
    return PredictResult(scores=scores, dyads=dyads, observed=obs, roc=roc, info=info)


def _dyad_table(obs: S.Observed, dy: dict) -> pd.DataFrame:
    n = obs.n
    t1 = obs.ties1_among_stayers()
    codes = np.unique(np.concatenate([t1, obs.ties2, *[c for c, _ in dy.values()]]))
    a, b = np.divmod(codes, n)
    df = pd.DataFrame({"source": obs.ids[a], "target": obs.ids[b],
                       "wave1": np.isin(codes, t1, assume_unique=True).astype(np.int8),
                       "wave2": np.isin(codes, obs.ties2, assume_unique=True).astype(np.int8)})
    for model, (c, share) in dy.items():
        v = np.zeros(len(codes))
        v[np.searchsorted(codes, c)] = share
        df[model] = v
    return df


# ---------------------------------------------------------------------------------------
# the report
# ---------------------------------------------------------------------------------------
def _roc_figure(roc: dict):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.6, 4.4))
    for model, (fpr, tpr) in roc.items():
        ax.plot(fpr, tpr, marker="." if len(fpr) < 40 else None, label=LABELS[model])
    ax.plot([0, 1], [0, 1], color="#bbb", lw=0.8, ls="--", label="chance")
    ax.set_xlabel("false-positive rate (untied pairs held)")
    ax.set_ylabel("true-positive rate (wave-2 ties held)")
    ax.set_title("tie-level ROC over the pairs of stayers", fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def write_predict_report(path, result: PredictResult, title: str = "clusterlab prediction of the next wave") -> Path:
    """Write one self-contained HTML report of a `PredictResult`: the verdict in words, the
    score table of the three models, the ROC curves of the tie-level AUC and the observed
    waves' counts."""
    from ..analysis.report import _e, _img, _kv_table, _now, _page, _png, _table, flatten
    from ..outdir import write_text

    s = result.summary()
    meta = [("wave 1", s["wave1"] or "(not given)"), ("wave 2", s["wave2"] or "(not given)"),
            ("written", _now()), ("years between the waves", s["years"]), ("replications", s["replications"]),
            ("seed", s["seed"]), ("scenario", s["scenario"]), ("ties scored as", s["scored_as"]),
            ("who leaves", "given by wave 2 (--composition observed)" if s.get("composition") == "observed"
             else "simulated (the model's exits)")]
    verdict = s["verdict"]
    lines = "".join(f"<li>{_e(v['text'])}</li>" for v in verdict.values())
    sections = [
        "<h2>Verdict</h2><p>Which model wins on each measure: the highest mean for similarity "
        "measures (AUC, Jaccard, degree correlation), the mean closest to the observed value for "
        "levels (ties, exits, transitivity). Random rewiring is given two observed wave-2 numbers "
        "(the persistence rate and the tie count), so its tie count is exact by construction.</p>"
        f"<ul>{lines}</ul>"]
    tab = result.scores.assign(model=[LABELS[m] for m in result.scores["model"]])
    sections.append("<h2>Scores</h2><p class=\"note\">mean over replications; low and high: the middle 95% "
                    "of replications (empty for the pooled AUCs and the single \"nothing changes\" "
                    "replication); observed: the value in wave 2.</p>" + _table(tab))
    scored = set(result.scores["measure"])
    meanings = pd.DataFrame([(k, v[1], v[0]) for k, v in MEASURES.items() if k in scored],
                            columns=["measure", "meaning", "wins"])
    sections.append("<h3>Measures</h3>" + _table(meanings))
    sections.append("<h2>Tie-level ROC</h2><p class=\"note\">Each pair of stayers scored by the share of a "
                    "model's replications holding the tie, against the observed wave-2 ties; the area under "
                    "a curve is the model's AUC.</p>" + _img(_png(_roc_figure(result.roc)), "ROC curves"))
    sections.append("<h2>Observed waves</h2>" + _kv_table(flatten({"actors": s["actors"], "observed": s["observed"]}),
                                                         ("quantity", "value")))
    return write_text(path, _page(title, meta, sections))

"""Calibrate network evolution to two survey waves by the method of simulated moments, the
way RSiena estimates stochastic actor-oriented models (Snijders 2001, "The statistical
evaluation of social network dynamics", Sociological Methodology 31): choose the parameters
so that simulations of the interval from wave 1 (`clusterlab.panel.interval`) reproduce the
observed statistics of wave 2 (`clusterlab.panel.moments`), one statistic per parameter.

    cal = calibrate(wave1, wave2, years=3, proximities={"geographic": km, "cognitive": cog})
    cal.table()              # estimates, standard errors, convergence t-ratios
    cal.converged, cal.verdict()
    cal.write("calibration/")  # calibrated.toml estimates.csv convergence.json report.html

The parameter table `LEVERS` is data: each row pairs a scenario key with the statistic that
informs it, its transform and bounds. A row whose key the scenario does not have is skipped
(listed). The default rows are those a 30-40 firm, 3-year panel can inform: proposals
(created ties), decay (dissolved ties), geo_weight (created ties' geographic proximity), the
exit lever mechanisms.market.exit_capital_years (exits) and persistence (persisted ties'
cognitive proximity); phase 1 still drops one whose statistic does not respond. The closure
and cognitive weights are in `EXTRA_LEVERS`: their statistics hardly respond at that size.
Under `acceptance = "choice"` the extra levers are `CHOICE_EXTRA_LEVERS` (`extra_levers`):
the choice's triad_weight (created ties' common partners per created tie) and
cognitive_weight; the command line's `--levers all` adds them to the default rows.

Composition: by default the model's own exits are simulated and the exit lever is estimated
against the observed exits. `composition="observed"` gives who leaves from wave 2 instead
(the actors of wave 1 missing from wave 2 leave at a uniform time in the interval, the market's
exits off; `interval.simulate_interval` leavers), as RSiena treats composition change
(Huisman & Snijders 2003): the tie parameters are then estimated among the right actors, and
the exit lever is not estimated.

Actors are matched by id (as text, as `clusterlab.analysis.compare`); actors in wave 2 only
(entries) are not matched, as in the simulation (`interval.IntervalRun`). The tie statistics
are of the undirected projection (a pair is tied if either direction is); directed waves add
the reciprocation hazard (`RECIPROCITY`), matched to wave 2's mutual pairs, and with firm
sizes who asks a new tie (`ASK_SIZE`), matched to `ask_up`: the simulation's ties carry who
asks whom (`Ties.asks`, docs/odd.md 7.12).

Proximities. The statistics use one fixed pair of matrices for the observed and every
simulated outcome (a statistic is a function of the outcome only, as RSiena's covariate
effects): the data's matrices when given, else the model's own (the mean over `start_draws`
starting states: positions from the x/y attributes are the same in every state, knowledge
profiles are drawn). Given matrices also go into the simulated model (`data.geographic`,
`data.geographic_kind`, `data.cognitive`; positions by MDS unless x/y are given, knowledge
profiles fitted to the cognitive matrix), so its proximity effects act on the proximities
the statistics measure. Both are standardised over the wave-1 pairs
(`moments.standardise`), so their level and unit do not matter. A geographic matrix may be
distances (km; turned into the model's proximity exp(-km / geo_km)) or proximities; declared
by `scales`, else detected: a matrix whose diagonal is below its off-diagonal mean is a
distance.
"""

from __future__ import annotations

import json
import time
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis.compare import actor_labels
from ..data.network import check_numbered
from ..data import ClusterNetwork, in_id_order
from ..data.load import absent_record
from ..data.matrix import proximity_role
from ..errors import ClusterlabError, ClusterlabWarning, ScenarioError
from ..geography import far_note
from ..scenario import Scenario
from ..state import SME
from .interval import advance, arcs_of, as_scenario, check_composition, given_composition, interval_steps
from .moments import STATISTICS, Wave1, geographic_proximity_km, standardise, statistics
from .msm import MSMResult, Parameter, Problem, Settings, estimate
from .scores import NOTHING_OBSERVED, alike_note, arc_codes, reciprocity, unknown_in_either, warn_alike

__all__ = ["Lever", "LEVERS", "EXTRA_LEVERS", "CHOICE_EXTRA_LEVERS", "LOG_ODDS", "extra_levers", "for_form", "EXIT_SELECTION",
           "RECIPROCITY", "ASK_SIZE", "Calibration", "calibrate", "CalibrationError"]

EVO = "mechanisms.network_evolution."


class CalibrationError(ClusterlabError):
    """The waves or proximities cannot be calibrated to; the message says why."""


@dataclass(frozen=True)
class Lever:
    key: str          # scenario key (dotted)
    statistic: str    # the statistic of `moments` that informs it
    transform: str    # "log" (positive) or "logit" (bounded)
    lower: float
    upper: float
    start: float | None = None  # where to start when the scenario leaves it at 0 (written with the estimates)
    scale: float = 1.0          # transforms "none" and "asinh" (msm.Parameter)


LEVERS = (
    Lever(EVO + "proposals", "created", "log", 0.0, 100.0),
    # dissolution: survey ties start at their layer's strength and dissolve once weak and
    # idle, so the yearly decay sets how many can dissolve in the interval; the hazard of a
    # weak tie (dissolve_rate) barely moves the count (15 -> 21 of 35 wave-1 ties at 8 vs
    # 1000 per year on a 35-firm logit panel, against 15 -> 47 for decay 0.3 -> 0.9).
    # Matched to the wave-1 ties persisted among the stayers, not to those dissolved: the
    # model's exits select small, weakly tied firms, so the same number dissolved among
    # stayers leaves more ties than observed when the data's exits took well-tied firms;
    # persisted + created is the wave-2 tie count, which is then matched
    Lever(EVO + "decay", "persisted", "logit", 0.0, 1.0),
    Lever(EVO + "geo_weight", "geo_created", "log", 0.0, 1000.0),
    # exits: a firm exits when its capital falls below this many years of fixed costs; the
    # range -100..0.5 is bounded on both sides, so a logit, which near the upper bound 0.5
    # acts as -log(0.5 - theta): a step of the estimator moves the threshold by a share of
    # its distance to 0.5 (0 -> -0.25 years moves exits from about 12% to 3.5% in three
    # years on a 30-firm cluster)
    Lever("mechanisms.market.exit_capital_years", "exits", "logit", -100.0, 0.5),
    Lever(EVO + "persistence", "cognitive_persisted", "logit", 0.0, 1.0),
)
# levers a 30-40 firm, 3-year panel does not inform (phase-1 derivatives of their statistics
# within about 2 standard errors of 0 on make_panel and make_logit_panel panels, README
# "Calibrate to two waves"), nor a 120-firm one: the acceptance cap flattens their statistics
# at these weights (benchmarks/identification.py, docs/odd.md 7.23); not estimated by
# default; pass levers=LEVERS + EXTRA_LEVERS to try
EXTRA_LEVERS = (
    Lever(EVO + "closure_weight", "closure_created", "log", 0.0, 1000.0),
    Lever(EVO + "cognitive_weight", "cognitive_created", "log", 0.0, 1000.0),
)
# under acceptance = "choice" the closure effect is the choice's transitive-triplets weight
# (docs/odd.md 7.12): closure_weight, a route's share, hardly moves closure_created since
# brokerage closes triads too; triad_weight acts only under the choice form. Matched per
# created tie (closure_per_created): the sum's spread is mostly the count's (moments)
# Under the choice form the weights are log-odds (docs/odd.md 7.12): any real value, estimated
# on a signed log scale (transform "asinh": eta = asinh(theta), bounds +-LOG_ODDS_BOUND; a
# step acts like the log scale's beyond 1 and stays about 0.5 log-odds near 0), so that data
# whose new ties are less local, less cognitively close or less closed than the routes offer
# give a negative weight instead of running to 0 (`for_form` turns the table's log-scale rows
# into these)
LOG_ODDS = tuple(EVO + k for k in ("geo_weight", "cognitive_weight", "triad_weight"))
LOG_ODDS_BOUND = 100.0
CHOICE_EXTRA_LEVERS = (
    Lever(EVO + "triad_weight", "closure_per_created", "asinh", -LOG_ODDS_BOUND, LOG_ODDS_BOUND, start=1.0),
    Lever(EVO + "cognitive_weight", "cognitive_created", "asinh", -LOG_ODDS_BOUND, LOG_ODDS_BOUND),
)


def extra_levers(scenario) -> tuple:
    """The closure and cognitive levers for the scenario's acceptance form."""
    return CHOICE_EXTRA_LEVERS if scenario.mechanisms.network_evolution.acceptance == "choice" else EXTRA_LEVERS


def for_form(lever: Lever, scenario) -> Lever:
    """The lever as the scenario's acceptance form needs it: under choice a log-scale row
    of a log-odds weight (LOG_ODDS) is estimated on the signed log scale (asinh, within
    +-LOG_ODDS_BOUND), negative values allowed; under capped such a row reaching below 0 is
    estimated on the log scale (the capped form refuses a negative weight); every other
    lever as it is."""
    if lever.key not in LOG_ODDS:
        return lever
    choice = scenario.mechanisms.network_evolution.acceptance == "choice"
    if choice and lever.transform == "log":
        return replace(lever, transform="asinh", lower=-LOG_ODDS_BOUND, upper=LOG_ODDS_BOUND)
    if not choice and lever.lower < 0:  # capped: a weight below 0 is refused; the log-scale row
        return replace(lever, transform="log", lower=0.0, upper=max(lever.upper, 1000.0), scale=1.0)
    return lever

# who asks whom (directed waves only, added to the levers then): a one-way tie becomes mutual
# at this hazard per year, matched to wave 2's mutual pairs; started at 0.3 when the scenario
# leaves it at 0 (log scale)
RECIPROCITY = Lever(EVO + "reciprocate", "mutual", "log", 0.0, 100.0, start=0.3)
# who asks a new tie (directed waves with sizes): a proposer larger than its partner is asked
# instead at this rate per log-size gap (negative: a smaller one, the larger firm asks),
# matched to ask_up, the created one-way ties' size gaps asked minus asker over their absolute
# sum; signed log scale (asinh) within -100..100, from the scenario's value (docs/odd.md 7.12)
ASK_SIZE = Lever(EVO + "ask_size", "ask_up", "asinh", -100.0, 100.0)
MIN_ASKED = 5  # created one-way ties in wave 2 below which ask_size is not estimated

# who exits (opt-in: `--who-exits`): the leavers' wave-1 ties inform the support partners give
# a firm short of capital (mechanisms.market); it starts at START_SUPPORT when the scenario
# leaves it at 0. Not estimated with the composition given, nor with fewer than MIN_LEAVERS
# leavers: on a logit panel with one leaver (an isolate) it ran to its upper bound and the
# exit threshold to its lower one, and the model predicted 5.7 exits against 1. Upper bound
# 5 years of fixed costs per log unit of ties: far beyond any support partners could give
EXIT_SELECTION = Lever("mechanisms.market.tie_support_years", "exit_ties", "log", 0.0, 5.0)
START_SUPPORT = 0.3
MIN_LEAVERS = 3
# estimation settings for a clusterlab panel (msm.Settings otherwise): the simulation's random
# streams part ways once a parameter changes a draw, so common random numbers help less than
# in a smooth model: a wider finite-difference step (0.5 on the log scale) and more phase-1
# draws; one draw per phase-2 iteration (as RSiena); 300 phase-3 draws, 40 with central
# derivatives (each 2p more simulations: with 5 parameters 440 of the 700 phase-3 draws).
SETTINGS = dict(n1=40, h=0.5, batch=1, n3=300, n3_deriv=40, runs=2)
MIN_START = 0.05  # a log-scale parameter starting at 0 starts here (log 0 is not a number)


def _get(sc: Scenario, key: str):
    obj = sc
    for part in key.split("."):
        if isinstance(obj, dict):
            if part not in obj:
                return None
            obj = obj[part]
        elif hasattr(obj, part):
            obj = getattr(obj, part)
        else:
            return None
    return obj


# ---------------------------------------------------------------------------------------
# the model: one replicated interval -> statistics
# ---------------------------------------------------------------------------------------
def _start_proximities(sim, n: int, geo_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Standardised geographic (exp(-km / geo_km)) and cognitive (cosine of knowledge
    profiles) proximity of the first n actors of a freshly initialised Sim."""
    from ..proximity import cognitive
    from ..sim import one_thread_if_small

    x, y = sim.actors.x[:n].astype(float), sim.actors.y[:n].astype(float)
    km = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    i, j = np.triu_indices(n, 1)
    cog = np.ones((n, n))
    with one_thread_if_small(len(i)):  # the serial kernel, as the simulation's steps call it
        cog[i, j] = cog[j, i] = cognitive(sim.actors, i, j)
    return standardise(geographic_proximity_km(km, geo_km)), standardise(cog)


class PanelModel:
    """simulate(theta, seed) -> the statistics of `levers` for one interval from wave 1 under
    the scenario with the levers' keys set to theta (picklable for the process pool). Mirrors
    `interval._one`. The statistics' proximities are the fixed matrices G, C (standardised;
    the observed statistics use the same ones, so a statistic is a function of the outcome
    only, as RSiena's covariate effects); None: the model's own at the start of each
    replication."""

    def __init__(self, wave1: ClusterNetwork, sc: Scenario, steps: int, keys: list[str], stats: list[str],
                 G: np.ndarray | None = None, C: np.ndarray | None = None, leavers: np.ndarray | None = None,
                 unknown: np.ndarray | None = None):
        self.wave1, self.sc, self.steps, self.keys, self.stats = wave1, sc, steps, keys, stats
        self.w1 = Wave1(wave1.n, *_pairs(wave1), unknown=unknown, size=_sizes(wave1))
        self.G, self.C = G, C
        self.leavers = leavers  # positions leaving during the interval (composition given), or None

    def start(self, seed: int):
        from ..sim import Sim

        sim = Sim(self.sc.set(seed=int(seed), steps=self.steps), keep=[], record=False)
        sim.init(network=self.wave1)
        return sim

    def run(self, theta, seed: int) -> dict[str, float]:
        from ..sim import Sim

        sc = self.sc.set(seed=int(seed), steps=self.steps, **{k: float(v) for k, v in zip(self.keys, theta)})
        sim = Sim(sc, keep=[], record=False)
        sim.init(network=self.wave1)
        n = self.wave1.n
        G, C = self.G, self.C
        if G is None or C is None:
            g, c = _start_proximities(sim, n, sc.mechanisms.network_evolution.geo_km)
            G, C = (g if G is None else G), (c if C is None else C)
        advance(sim, self.steps, self.leavers)
        present = sim.actors.alive[:n].copy()
        t = sim.ties
        ok = t.alive & (t.a < n) & (t.b < n)
        a, b = t.a[ok].astype(np.int64), t.b[ok].astype(np.int64)
        arcs = arcs_of(a, b, t.asks[ok], n) if self.wave1.directed else None
        out = statistics(self.w1, present, a, b, G, C, arcs2=arcs)
        if np.isnan(out["ask_up"]) and self.w1.size_score is not None and arcs is not None:
            out["ask_up"] = 0.0  # a draw without new one-way ties (or size gaps) leans neither way
        out["entries"] = float(np.count_nonzero(sim.actors.kind[n:] <= SME))
        return out

    def __call__(self, theta, seed: int) -> np.ndarray:
        s = self.run(theta, seed)
        return np.array([s[k] for k in self.stats])


def _sizes(net: ClusterNetwork) -> np.ndarray | None:
    """Employees per actor from the attributes (NaN where not given), or None without any."""
    att = net.attributes
    if att is None or "size" not in att.columns:
        return None
    s = pd.to_numeric(att["size"], errors="coerce").to_numpy(np.float64)
    return s if np.isfinite(s).any() else None


def _created_one_way(w1: ClusterNetwork, arcs2: np.ndarray, present: np.ndarray, unknown: np.ndarray) -> int:
    """Wave 2's one-way ties among stayers whose pair wave 1 did not tie, without the pairs
    unknown in either wave (`unknown`: pair codes lo * n + hi): the ties `ask_up` counts."""
    n = w1.n
    i, j = np.divmod(np.asarray(arcs2, np.int64), n)
    a1, b1 = _pairs(w1)
    pair = np.minimum(i, j) * n + np.maximum(i, j)
    tied1 = np.isin(pair, a1 * n + b1)
    known = ~np.isin(pair, unknown)
    return int(np.count_nonzero(~np.isin(j * n + i, arcs2) & ~tied1 & known & present[i] & present[j]))


def _one_way(net: ClusterNetwork) -> bool:
    """Whether a directed network has a tie whose reverse is observed and not a tie (a tie
    to a non-respondent, whose row is NA, cannot be known to be one-way)."""
    keep = (net.src != net.dst) & (np.asarray(net.weight) != 0)
    r = reciprocity(net.src[keep], net.dst[keep], net.missing)
    return bool(np.isfinite(r)) and r < 1.0


def _pairs(net: ClusterNetwork) -> tuple[np.ndarray, np.ndarray]:
    keep = (net.src != net.dst) & (np.asarray(net.weight) != 0)
    a, b = net.src[keep].astype(np.int64), net.dst[keep].astype(np.int64)
    code = np.unique(np.minimum(a, b) * net.n + np.maximum(a, b))
    return code // max(net.n, 1), code % max(net.n, 1)


# ---------------------------------------------------------------------------------------
# the data
# ---------------------------------------------------------------------------------------
def _match(wave1: ClusterNetwork, wave2: ClusterNetwork):
    """present (per wave-1 actor), wave 2's ties among stayers as wave-1 positions, the
    entries, and the pairs unknown in either wave (`scores.unknown_in_either`)."""
    l1, l2 = actor_labels(wave1, "wave 1", CalibrationError), actor_labels(wave2, "wave 2", CalibrationError)
    pos1 = pd.Index(l1)
    to1 = pos1.get_indexer(l2)  # wave-2 actor -> wave-1 position (-1: entry)
    present = np.zeros(wave1.n, bool)
    present[to1[to1 >= 0]] = True
    note = alike_note(l1, l2)
    if not present.any():
        raise CalibrationError("no actor of wave 1 is in wave 2 (ids are matched as text): nothing to calibrate"
                               + (f" ({note})" if note else ""))
    warn_alike(note)
    a2, b2 = _pairs(wave2)
    a, b = to1[a2], to1[b2]
    ok = (a >= 0) & (b >= 0)
    arcs = None
    if wave2.directed:  # wave 2's directed ties in wave-1 positions
        keep = (wave2.src != wave2.dst) & (np.asarray(wave2.weight) != 0)
        s, d = to1[wave2.src[keep]], to1[wave2.dst[keep]]
        inside = (s >= 0) & (d >= 0)
        arcs = arc_codes(s[inside], d[inside], wave1.n)
    return present, a[ok], b[ok], int(np.count_nonzero(to1 < 0)), unknown_in_either(wave1, wave2, to1), arcs


def _position_source(att: pd.DataFrame | None, n: int, k: int) -> str:
    """Where the geographic statistic's positions come from when no matrix is given: the x/y
    attributes where an actor has both, force-layout positions (mean of k starting states)
    for the others."""
    placed = 0
    if att is not None and {"x", "y"} <= set(att.columns):
        placed = int(att[["x", "y"]].apply(pd.to_numeric, errors="coerce").notna().all(axis=1).sum())
    if placed == n:
        return "the x/y attributes (km; exp(-km / geo_km); standardised)"
    if placed:
        return (f"the x/y attributes for {placed} of the {n} actors, force-layout positions for the others (mean "
                f"of {k} starting states; standardised): give x/y for every actor or a geographic matrix")
    return (f"the model's positions (force layout, mean of {k} starting states; standardised): give x/y or a "
            "geographic matrix")


def _matrix(P: pd.DataFrame, labels: list[str], name: str) -> np.ndarray:
    if not isinstance(P, pd.DataFrame):
        raise CalibrationError(f"proximity {name!r}: expected a labelled table (DataFrame), got {type(P).__name__}")
    rows = pd.Index([str(v) for v in P.index]).get_indexer(labels)
    cols = pd.Index([str(v) for v in P.columns]).get_indexer(labels)
    miss = [labels[k] for k in np.flatnonzero((rows < 0) | (cols < 0))]
    if miss:
        src = P.attrs.get("source", "")
        raise CalibrationError(f"{src + ': ' if src else ''}proximity {name!r}: no row or column for "
                               f"{len(miss)} wave-1 actor(s): {', '.join(miss[:5])}")
    M = P.to_numpy(np.float64)[np.ix_(rows, cols)]
    if not np.all(np.isfinite(M)):
        raise CalibrationError(f"proximity {name!r}: has cells that are not numbers")
    return M


def is_distance(M: np.ndarray) -> bool:
    """A matrix whose diagonal is below its off-diagonal mean is a distance (0 to oneself)."""
    n = len(M)
    if n < 2:
        return False
    off = M[~np.eye(n, dtype=bool)]
    return float(np.mean(np.diag(M))) < float(off.mean())


# ---------------------------------------------------------------------------------------
# the result
# ---------------------------------------------------------------------------------------
@dataclass
class Calibration:
    levers: list[Lever]
    msm: MSMResult
    years: float
    steps: int
    observed: dict                 # every statistic of moments, observed
    actors: dict                   # wave1, wave2, stayers, exits, entries
    proximity_sources: dict        # geographic/cognitive -> where the observed values come from
    not_estimated: dict            # key -> reason (levers skipped or dropped)
    kept: dict                     # other network-evolution keys: their scenario values
    sources: tuple = ("", "")
    seconds: float = 0.0
    settings: dict = field(default_factory=dict)
    sets: dict = field(default_factory=dict)   # the changes given to the scenario (kept in calibrated.toml)
    composition: str = "simulated"             # or "observed": who leaves is given by wave 2
    absent: dict = field(default_factory=dict)  # "wave1"/"wave2" -> {id: rule}: actors removed as absent
    unknown_pairs: int = 0  # pairs of stayers left out of the statistics: their tie is unknown in a wave
    # role -> (labelled matrix, scale) the model acted on that no file of `sets` or the
    # scenario names (matrices given from Python): written beside calibrated.toml by `write`
    model_matrices: dict = field(default_factory=dict)

    @property
    def converged(self) -> bool:
        return self.msm.converged

    def verdict(self) -> str:
        return self.msm.verdict()

    def hint(self) -> str:
        """What to try when geo_weight was not informed (dropped in phase 1 or fixed at a
        bound) under the capped acceptance, or when triad_weight came out at or below 0
        under the choice form (docs/odd.md 7.23); "" otherwise."""
        geo, triad = EVO + "geo_weight", EVO + "triad_weight"
        m = self.msm
        tw = m.fixed.get(triad)
        if tw is None and triad in getattr(m, "names", ()):
            k = m.names.index(triad)
            tw = float(m.theta[k]) if m.estimated[k] else None
        if tw is not None and tw <= 0:
            return ("hint: triad_weight came out at or below 0: the model's proposal routes alone close more of "
                    "the new ties than observed (closure_per_created "
                    f"{self.observed.get('closure_per_created', float('nan')):.3g}), and the choice has to avoid "
                    "closing candidates; a smaller route share (--set "
                    "mechanisms.network_evolution.closure_weight=..., or brokerage_weight) proposes fewer of them")
        if self.kept.get(EVO + "acceptance") != "capped" or not (geo in self.msm.dropped or geo in self.msm.fixed):
            return ""
        return ('hint: under acceptance = "capped" a larger geo_weight also makes more ties, so where ties form '
                "hardly tells it apart from proposals; --set mechanisms.network_evolution.acceptance=choice "
                "--set mechanisms.network_evolution.base_accept=1 estimates it from where ties form (every chosen "
                "candidate accepted, so proposals counts the ties made; docs/odd.md 7.23)")

    def note(self, k: int, key: str) -> str:
        """Why lever k was not estimated, or what its estimate lacks ("" if nothing)."""
        m = self.msm
        if key in self.not_estimated:
            return self.not_estimated[key]
        if m.estimated[k] and not np.isfinite(m.se[k]):
            return ("no standard error: its statistic did not vary over the phase-3 simulations (or the "
                    "derivatives were singular), so the data do not inform this value")
        return ""

    def estimates(self) -> dict[str, float]:
        """The estimated keys and values."""
        return {lv.key: float(v) for lv, v, e in zip(self.levers, self.msm.theta, self.msm.estimated) if e}

    def fixed(self) -> dict[str, float]:
        """The keys that ran to a bound of their range and were fixed there (`msm` module)."""
        return {lv.key: float(self.msm.fixed[lv.key]) for lv in self.levers if lv.key in self.msm.fixed}

    def table(self) -> pd.DataFrame:
        t = self.msm.table()
        t.insert(0, "key", [lv.key for lv in self.levers])
        t["note"] = [self.note(k, lv.key) for k, lv in enumerate(self.levers)]
        return t.drop(columns=["parameter"])

    def summary(self) -> dict:
        from ..outdir import json_safe

        m = self.msm
        return json_safe({
            "wave1": self.sources[0], "wave2": self.sources[1], "years": self.years, "steps": self.steps,
            "converged": m.converged, "verdict": m.verdict(), "max_convergence_ratio": m.max_ratio,
            "t_ratios": {s: float(t) for s, t in zip(m.statistics, m.t_ratios)},
            "thresholds": {"t_ratio": 0.1, "overall": 0.25, "source": "RSiena manual (Ripley, Snijders et al.)"},
            "estimates": {lv.key: {"estimate": float(v), "se": float(se), "estimated": bool(e), "statistic": lv.statistic,
                                   "fixed_at_bound": lv.key in m.fixed, "note": self.note(k, lv.key)}
                          for k, (lv, v, se, e) in enumerate(zip(self.levers, m.theta, m.se, m.estimated))},
            "covariance": m.cov.tolist(), "derivative": np.asarray(m.derivative).tolist(),
            "observed": self.observed, "simulated_mean": {s: float(v) for s, v in zip(m.statistics, m.mean)},
            "actors": self.actors, "absent": self.absent, "unknown_pairs": self.unknown_pairs,
            "composition": self.composition, "proximities": self.proximity_sources,
            "not_estimated": self.not_estimated, "kept_at_scenario_values": self.kept,
            "runs": m.runs, "simulations": m.draws, "seconds": self.seconds, "settings": self.settings,
            "warnings": m.warnings,
            "note": "the tie statistics are of the undirected projection (a pair is tied if either direction "
                    "is); directed waves add mutual (wave 2's mutual pairs of stayers) for reciprocate and, with "
                    "sizes, ask_up (whether wave 2's new one-way ties ask the larger firm) for ask_size",
        })

    def _write_matrices(self, folder: Path) -> dict:
        """The matrices of `model_matrices` as <role>.csv in `folder`; their data.* keys
        (relative: a scenario's data files are read relative to it)."""
        out = {}
        for role, (P, scale) in self.model_matrices.items():
            P.to_csv(folder / f"{role}.csv")
            out["data." + role] = f"{role}.csv"
            if role == "geographic":
                out["data.geographic_kind"] = scale
        return out

    def write(self, folder, overwrite: bool = False) -> Path:
        """calibrated.toml (a scenario fragment of the estimated keys: `clusterlab run
        calibrated.toml` or `--scenario`), estimates.csv, convergence.json, report.html; and
        geographic.csv / cognitive.csv when the model acted on matrices given from Python
        (no file named them), so that calibrated.toml simulates the calibrated model."""
        from ..outdir import staged
        from ..toml_io import toml_value

        out = Path(folder)
        with staged(out, "calibrate", overwrite) as tmp:
            tables: dict[str, dict] = {}
            top: dict = {"name": "calibrated"}  # what predict's and run's summaries call it (a --set name wins)
            # the scenario changes the model was calibrated under (e.g. data.geographic), then
            # the estimates: `predict --scenario calibrated.toml` simulates the calibrated model
            values = {**{k: v for k, v in self.sets.items() if k not in ("data.network", "data.attributes")},
                      **self._write_matrices(tmp),
                      **{k: float(f"{v:.6g}") for k, v in self.fixed().items()},
                      **{k: float(f"{v:.6g}") for k, v in self.estimates().items()}}
            for key, v in values.items():
                if "." not in key:
                    top[key] = v
                    continue
                table, name = key.rsplit(".", 1)
                tables.setdefault(table, {})[name] = v
            lines = [f"# calibrated by clusterlab calibrate ({self.verdict()})",
                     f"# waves: {self.sources[0]} -> {self.sources[1]}, {self.years:g} years"]
            for key, v in self.fixed().items():
                lines.append(f"# {key} ran to its bound and is fixed at {v:g} (not estimated)")
            if self.composition == "observed":
                lines.append("# composition given by the waves (--composition observed): exits were not "
                             "simulated, so predict with --composition observed")
            lines += [f"{k} = {toml_value(v)}" for k, v in top.items()]
            for table, kv in tables.items():
                lines.append(f"\n[{table}]")
                lines += [f"{k} = {toml_value(v)}" for k, v in kv.items()]
            (tmp / "calibrated.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
            self.table().to_csv(tmp / "estimates.csv", index=False)
            (tmp / "convergence.json").write_text(json.dumps(self.summary(), indent=2) + "\n", encoding="utf-8")
            _report(tmp / "report.html", self)
        return out


def _report(path: Path, cal: Calibration) -> None:
    from ..analysis.report import _e, _kv_table, _now, _page, _table
    from ..outdir import write_text

    m = cal.msm
    meta = [("wave 1", cal.sources[0] or "(not given)"), ("wave 2", cal.sources[1] or "(not given)"),
            ("years", cal.years), ("composition", cal.composition), ("written", _now()), ("time (s)", round(cal.seconds, 1)),
            ("simulations", m.draws)]
    cls = "note" if m.converged else "warn"
    sections = [
        "<h2>Estimates</h2>"
        f'<p class="{cls}">{_e(m.verdict())}</p>'
        '<p class="note">Method of simulated moments in RSiena\'s three phases (Snijders 2001): each '
        "parameter is matched to one statistic of wave 2 given wave 1; standard errors by the delta "
        "method D^-1 Sigma D^-T; t-ratio = (simulated mean - observed) / simulated sd.</p>"
        + _table(cal.table()),
        "<h2>Actors</h2>" + _kv_table(list(cal.actors.items()), ("actors", "count"))
        + (f'<p class="note">{cal.unknown_pairs} pairs of stayers have an unobserved cell (NA) in a wave and are '
           "left out of every statistic, observed and simulated.</p>" if cal.unknown_pairs else ""),
        "<h2>Observed statistics</h2>" + _kv_table(list(cal.observed.items()), ("statistic", "value")),
        "<h2>Proximities</h2>" + _kv_table(list(cal.proximity_sources.items()), ("proximity", "observed from")),
        "<h2>Not estimated</h2>" + _kv_table(list(cal.not_estimated.items()), ("key", "why")),
        "<h2>Kept at the scenario's values</h2>" + _kv_table(list(cal.kept.items()), ("key", "value")),
    ]
    if m.warnings:
        sections.append("".join(f'<p class="warn">{_e(w)}</p>' for w in m.warnings))
    write_text(path, _page("clusterlab calibration", meta, sections))


# ---------------------------------------------------------------------------------------
# calibrate
# ---------------------------------------------------------------------------------------
def calibrate(wave1: ClusterNetwork, wave2: ClusterNetwork, years: float,
              proximities: dict[str, pd.DataFrame] | None = None, scenario: Scenario | None = None,
              levers: tuple[Lever, ...] | None = None, *, scales: dict[str, str] | None = None,
              sets: dict | None = None, model_proximities: bool = True,
              settings: Settings | None = None, seed: int = 0, executor: str = "serial",
              workers: int | None = None, start_draws: int = 10, progress=None,
              composition: str = "simulated") -> Calibration:
    """Estimate `levers` from two waves (see the module). proximities: name -> labelled
    matrix; names starting geo/spatial are geographic, cog/tech cognitive (others: an error).
    levers: the parameters to estimate (default `LEVERS`). scales: name -> "distance" or "proximity" (else detected). sets: dotted changes applied
    to the scenario first (as `interval.simulate_interval`; e.g. data.geographic,
    data.cognitive files). model_proximities: the simulated model acts on the given matrices
    too (`data.geographic`, `data.geographic_kind`, `data.cognitive`, unless `sets` or the
    scenario already name files), so the model's proximity effects act on the proximities
    the statistics measure. settings: the estimation settings (`msm.Settings`; its seed is
    replaced by `seed`). composition: "simulated" (the model's exits; the exit lever is
    estimated) or "observed" (who leaves is given by wave 2, as RSiena treats composition
    change, `interval.simulate_interval` leavers; the exit lever is not estimated)."""
    import tempfile

    check_composition(composition)
    wave1, wave2 = in_id_order(wave1), in_id_order(wave2)  # any file format or row order: the same draws
    with tempfile.TemporaryDirectory(prefix="clusterlab-calibrate-") as tmp:
        return _calibrate(wave1, wave2, years, proximities, scenario, levers, scales, sets, model_proximities,
                          settings, seed, executor, workers, start_draws, progress, Path(tmp), composition)


def _model_sets(sc: Scenario, roles: dict, tmp: Path) -> dict:
    """data.* keys making the model act on the given matrices (role -> (frame, scale)),
    written to `tmp` as CSV; a role whose data key the scenario already sets is left alone."""
    out = {}
    for role, (P, scale) in roles.items():
        if getattr(sc.data, role):
            continue
        path = tmp / f"{role}.csv"
        P.to_csv(path)
        out["data." + role] = str(path)
        if role == "geographic":
            out["data.geographic_kind"] = scale
    return out


def _calibrate(wave1, wave2, years, proximities, scenario, levers, scales, sets, model_proximities, settings,
               seed, executor, workers, start_draws, progress, tmp: Path, composition: str) -> Calibration:
    t0 = time.perf_counter()
    sc = as_scenario(scenario)
    sc = sc.set(**{"data.network": "", "data.attributes": ""})
    if sets:
        sc = sc.set(**sets)
    given_sets = {k: v for k, v in (sets or {}).items()}
    levers = LEVERS if levers is None else levers
    steps = interval_steps(sc, years)
    if bool(wave1.directed) != bool(wave2.directed):
        raise CalibrationError("one wave is directed and the other is not; read both the same way")
    check_numbered((wave1, wave2), proximities, CalibrationError)
    present, a2, b2, entries, unknown, arcs2 = _match(wave1, wave2)
    mutual_only = False
    if wave1.directed and RECIPROCITY not in levers:  # who asks whom: the reciprocation hazard
        mutual_only = not (_one_way(wave1) or _one_way(wave2))
        if not mutual_only:
            levers = tuple(levers) + (RECIPROCITY,)
    s = int(present.sum())
    unknown_stayer_pairs = np.count_nonzero(present[unknown // wave1.n] & present[unknown % wave1.n])
    if len(unknown) and unknown_stayer_pairs == s * (s - 1) // 2:
        raise CalibrationError(NOTHING_OBSERVED.replace("to score", "to calibrate"))
    labels = list(actor_labels(wave1, "wave 1", CalibrationError))
    n = wave1.n
    not_est: dict[str, str] = {}
    use = []
    given = composition == "observed"
    if given:
        sc = given_composition(sc)
    for lv in (for_form(lv, sc) for lv in levers):
        if lv.statistic not in STATISTICS:
            raise CalibrationError(f"lever {lv.key}: unknown statistic {lv.statistic!r}")
        if given and lv.statistic in ("exits", "exit_ties"):
            not_est[lv.key] = "the composition is given by the waves (--composition observed): exits are not simulated"
            continue
        if _get(sc, lv.key) is None:
            not_est[lv.key] = "not a key of this scenario"
            continue
        now = _get(sc, lv.key)
        begin = lv.start if lv.start is not None and now == 0 else (
            max(float(now), MIN_START) if lv.transform == "log" else now)
        try:  # a value the scenario refuses (triad_weight under the capped form)
            sc.set(**{lv.key: begin})
        except ScenarioError as e:
            not_est[lv.key] = str(e).split(": ", 1)[-1]
            continue
        if lv.start is not None and now == 0:
            sc = sc.set(**{lv.key: lv.start})
            given_sets[lv.key] = lv.start
        if lv == EXIT_SELECTION and (n - present.sum()) < MIN_LEAVERS:
            not_est[lv.key] = (f"{int(n - present.sum())} wave-1 actor(s) left: too few to say which firms exit "
                               f"(at least {MIN_LEAVERS} needed)")
            continue
        if lv == EXIT_SELECTION and _get(sc, lv.key) == 0:
            # from 0 (0.05 on the log scale) the leavers hardly differ and phase 1 would find
            # it uninformed; the start is a value of the model, written with the estimates
            sc = sc.set(**{lv.key: START_SUPPORT})
            given_sets[lv.key] = START_SUPPORT
        use.append(lv)
    ask_reason = ""
    if wave1.directed and ASK_SIZE not in levers:  # who asks a new tie, by size
        sizes = _sizes(wave1)
        made = _created_one_way(wave1, arcs2, present, unknown)
        if mutual_only:
            ask_reason = "every tie of both waves is mutual: no one-way tie to say who asks a new tie"
        elif sizes is None:
            ask_reason = "no firm sizes (attribute size or employees) to say whether the smaller firm asks"
        elif len(np.unique(sizes[np.isfinite(sizes)])) < 2:
            ask_reason = "every firm with a size has the same size: nothing to say whether the smaller firm asks"
        elif made < MIN_ASKED:
            ask_reason = (f"{made} new one-way tie(s) in wave 2: too few to say who asks a new tie (at least "
                          f"{MIN_ASKED} needed)")
        elif _get(sc, ASK_SIZE.key) is not None:
            use.append(ASK_SIZE)
    if ask_reason:
        not_est[ASK_SIZE.key] = ask_reason
    if mutual_only:
        not_est[RECIPROCITY.key] = ("every tie of both waves is mutual (symmetric files read as directed): no one-way "
                                    "tie to inform reciprocation; read the waves with --undirected")
    if not sc.mechanisms.network_evolution.enabled:
        raise CalibrationError("mechanisms.network_evolution is switched off in the scenario: nothing to calibrate")
    if not use:
        raise CalibrationError("no parameter to estimate: " + "; ".join(f"{k}: {v}" for k, v in not_est.items()))

    # observed proximities: the data's, else the model's (mean over starting states)
    geo_km = sc.mechanisms.network_evolution.geo_km
    G_obs = C_obs = None
    sources = {}
    frames = {}
    for name, P in (proximities or {}).items():
        role = proximity_role(name)
        if role is None:
            raise CalibrationError(f"proximity {name!r}: name it geo... (geographic) or cog... (cognitive)")
        if (role == "geographic" and G_obs is not None) or (role == "cognitive" and C_obs is not None):
            raise CalibrationError(f"proximity {name!r}: a second {role} matrix")
        M = _matrix(P, labels, name)
        scale = (scales or {}).get(name) or ("distance" if is_distance(M) else "proximity")
        if scale not in ("distance", "proximity"):
            raise CalibrationError(f"proximity {name!r}: scale {scale!r}, expected distance or proximity")
        declared = bool((scales or {}).get(name))
        where = f"{P.attrs.get('source', name)} ({scale}" + ("" if declared or role != "geographic" else
                                                           ", detected from its diagonal; declare FILE:distance "
                                                           "or FILE:proximity if not")
        frames[role] = (P, scale)
        if role == "geographic":
            if scale == "distance" and (far := far_note(M, P.attrs.get("source", name))):
                warnings.warn(far, ClusterlabWarning, stacklevel=2)
            G_obs = standardise(geographic_proximity_km(M, geo_km) if scale == "distance" else M)
            where += f"; exp(-km / {geo_km:g})" if scale == "distance" else ""
        else:
            C_obs = standardise(-M if scale == "distance" else M)
        sources[role] = where + "; standardised)"
    model_matrices = {}
    if model_proximities and frames:
        extra = _model_sets(sc, frames, tmp)
        model_matrices = {role: frames[role] for role in frames if ("data." + role) in extra}
        sc = sc.set(**extra)
        for role in frames:
            if ("data." + role) in extra:
                sources[role] += "; the model acts on it (data." + role + ")"
            else:
                sources[role] += f"; the model acts on data.{role} = {getattr(sc.data, role)}"
    model = PanelModel(wave1, sc, steps, [lv.key for lv in use], [lv.statistic for lv in use],
                       leavers=np.flatnonzero(~present) if given else None, unknown=unknown)
    if G_obs is None or C_obs is None:
        k = max(1, int(start_draws))
        Gs, Cs = [], []
        for r in range(k):
            sim = model.start(np.random.SeedSequence([int(seed), 99, r]).generate_state(1)[0])
            g, c = _start_proximities(sim, n, geo_km)
            Gs.append(g)
            Cs.append(c)
        if G_obs is None:
            G_obs = standardise(np.mean(Gs, axis=0))
            sources["geographic"] = _position_source(wave1.attributes, n, k)
        if C_obs is None:
            C_obs = standardise(np.mean(Cs, axis=0))
            sources["cognitive"] = (f"the model's knowledge profiles (mean cosine over {k} starting states; "
                                    "standardised): give a cognitive matrix for the data's")
    # simulated statistics on the same (fixed) matrices as the observed ones
    model.G, model.C = G_obs, C_obs
    observed = statistics(model.w1, present, a2, b2, G_obs, C_obs, arcs2=arcs2)
    actors = {"wave1": int(n), "wave2": int(wave2.n), "stayers": int(present.sum()),
              "exits": int(n - present.sum()), "entries": int(entries)}

    pars = []
    for lv in use:
        v = float(_get(sc, lv.key))
        if lv.transform == "log":
            v = max(v, MIN_START)
        if lv.transform == "logit":
            eps = 0.001 * (lv.upper - lv.lower)
            v = min(max(v, lv.lower + eps), lv.upper - eps)
        pars.append(Parameter(lv.key, v, lv.lower, lv.upper, lv.transform, lv.scale))
    st = Settings(**{**(settings.__dict__ if settings else SETTINGS), "seed": int(seed)})
    problem = Problem(pars, [lv.statistic for lv in use], [observed[lv.statistic] for lv in use], model)
    res = estimate(problem, st, executor=executor, workers=workers, progress=progress)
    not_est.update(res.dropped)
    est_keys = {lv.key for lv, e in zip(use, res.estimated) if e}
    kept = {EVO + k: v for k, v in sc.model_dump()["mechanisms"]["network_evolution"].items()
            if EVO + k not in est_keys and EVO + k not in res.fixed and k != "enabled"}
    return Calibration(levers=use, msm=res, years=float(years), steps=steps, observed=observed, actors=actors,
                       proximity_sources=sources, not_estimated=not_est, kept=kept,
                       sources=(str(wave1.source or ""), str(wave2.source or "")),
                       seconds=time.perf_counter() - t0, settings=dict(st.__dict__), sets=given_sets,
                       composition=composition, model_matrices=model_matrices,
                       absent={"wave1": absent_record(wave1), "wave2": absent_record(wave2)},
                       unknown_pairs=int(unknown_stayer_pairs))

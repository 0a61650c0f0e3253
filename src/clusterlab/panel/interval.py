"""Simulate the interval between two survey waves, started from the first (Snijders 2001,
"The statistical evaluation of social network dynamics", Sociological Methodology 31: a panel
is judged by simulating the model over the interval between its observations; Juhasz &
Lengyel 2018 for the two-wave cluster panel this reproduces).

    runs = simulate_interval(wave1, years=3, replications=20, seed=1)
    runs[0].present, runs[0].a, runs[0].b     # who is still there; their ties at the end

Each replication is `clusterlab.Sim` started from wave 1 exactly as `clusterlab run
--from-network` starts it (`Sim.init(network=...)`, `clusterlab.from_data`), run for
round(years * steps_per_year) steps with every mechanism of the scenario. What is read at the
end, about the actors of wave 1 only (actors born during the interval are counted, not
matched: a survey cannot match them either):

- present: bool per wave-1 actor, alive at the end;
- a, b:    the ties among present wave-1 actors (any layer; positions in wave 1, a < b),
           undirected: the simulation's ties carry knowledge both ways (docs/odd.md, 5.3);
- arcs:    for directed data, who asks whom over those ties as directed pair codes i * n + j
           ("i asks j"; `Ties.asks`: the data's direction for wave-1 ties, the proposer's for
           ties `network_evolution` made, both ways for the others), else None;
- entries: firms born during the interval.

Composition (who leaves) is simulated by default: firms exit by the market mechanism. With
`leavers` (a bool mask over the wave-1 actors: gone by wave 2) the composition is *given*, as
RSiena treats composition change (Huisman & Snijders 2003, "Statistical analysis of
longitudinal network data with changing composition", Sociological Methods & Research 32(2)):
the market's own exits are switched off (`mechanisms.market.exits = false`) and each leaver
leaves at a step drawn uniformly over the interval (a two-wave survey does not date an exit;
the expected date is the middle), with its ties, from the replication's ``composition``
stream. Present then equals the observed composition in every replication.

Replication r uses seed SeedSequence([seed, r]) (the scenario's seed key), so results do not
depend on the executor or the worker count.
"""

from __future__ import annotations

import math

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..data import ClusterNetwork
from ..errors import ClusterlabError
from ..params import MAX_STEPS
from ..scenario import Scenario, default_scenario, load_scenario
from ..state import ASKS_A, ASKS_B, SME

__all__ = ["IntervalRun", "simulate_interval", "replication_seed", "interval_steps", "advance", "given_composition",
           "COMPOSITIONS", "check_composition", "arcs_of"]


@dataclass
class IntervalRun:
    """The end of one simulated interval, about the actors of wave 1 (see the module)."""

    present: np.ndarray  # bool, one per wave-1 actor
    a: np.ndarray        # int64 tie ends (positions in wave 1), a < b
    b: np.ndarray
    entries: int = 0
    seed: int = 0
    arcs: np.ndarray | None = None  # directed data: sorted codes i * n + j, "i asks j"

    def pairs(self, n: int) -> np.ndarray:
        """The ties as sorted pair codes a * n + b."""
        return np.sort(self.a * n + self.b)


def replication_seed(seed: int, r: int) -> int:
    """The scenario seed of replication r (independent streams per replication)."""
    return int(np.random.SeedSequence([int(seed), int(r)]).generate_state(1, np.uint64)[0] >> np.uint64(1))


def interval_steps(sc: Scenario, years: float) -> int:
    """The simulation steps of `years` (--years) at the scenario's steps per year."""
    if not (years > 0 and math.isfinite(years)):
        raise ClusterlabError(f"--years {years:g}: expected a positive number of years between the waves")
    steps = years * sc.steps_per_year
    if steps > MAX_STEPS:
        raise ClusterlabError(f"--years {years:g}: at most {MAX_STEPS / sc.steps_per_year:,.0f} years at "
                              f"{sc.steps_per_year} steps a year (a run has at most {MAX_STEPS:,} steps)")
    return max(1, int(round(steps)))


COMPOSITIONS = ("simulated", "observed")  # who leaves: the model's exits, or given by wave 2


def check_composition(value: str) -> str:
    """`value` if it is one of COMPOSITIONS, else ClusterlabError (for --composition)."""
    if value not in COMPOSITIONS:
        raise ClusterlabError(f"--composition {value!r}: expected simulated or observed")
    return value


def given_composition(sc: Scenario) -> Scenario:
    """The scenario with the market's own exits switched off (composition given by the data)."""
    return sc.set(**{"mechanisms.market.exits": False}) if "market" in type(sc.mechanisms).model_fields else sc


def advance(sim, steps: int, leavers: np.ndarray | None = None) -> None:
    """Step `sim` `steps` times. `leavers`: positions of actors that leave during the interval
    (the composition given by the data, see the module): each leaves, with its ties, after
    a step drawn uniformly from 0..steps-1 by the sim's ``composition`` stream."""
    leavers = np.asarray([] if leavers is None else leavers, np.int64)
    when = sim.rng("composition").integers(0, steps, len(leavers)) if len(leavers) else np.zeros(0, np.int64)
    for t in range(steps):
        sim.step()
        alive = sim.actors.alive  # a new array when actors were born this step
        go = leavers[(when == t) & alive[leavers]]
        if len(go):
            alive[go] = False
            sim.ties.remove_actor_ties(go)


def arcs_of(a: np.ndarray, b: np.ndarray, asks: np.ndarray, n: int) -> np.ndarray:
    """Sorted directed codes i * n + j ("i asks j") of ties a < b with who-asks bits
    (`Ties.asks`: ASKS_A, a asks b; ASKS_B, b asks a; both)."""
    return np.unique(np.r_[(a * n + b)[(asks & ASKS_A) > 0], (b * n + a)[(asks & ASKS_B) > 0]])


def _one(net: ClusterNetwork, sc: Scenario, steps: int, seed: int, leavers: np.ndarray | None = None) -> IntervalRun:
    from ..sim import Sim

    sim = Sim(sc.set(seed=seed, steps=steps), keep=[], record=False)
    sim.init(network=net)
    n0 = sim.actors.n
    advance(sim, steps, leavers)
    n = net.n
    alive = sim.actors.alive
    present = alive[:n].copy()
    t = sim.ties
    ok = t.alive & (t.a < n) & (t.b < n)
    a, b = t.a[ok].astype(np.int64), t.b[ok].astype(np.int64)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    keep = present[lo] & present[hi] & (lo != hi)
    code = np.unique(lo[keep] * n + hi[keep])
    arcs = None
    if net.directed:  # Ties keep a < b, so bit ASKS_A is lo asks hi
        asks, lo, hi = t.asks[ok][keep], lo[keep], hi[keep]
        arcs = arcs_of(lo, hi, asks, n)
    kind = sim.actors.kind
    entries = int(np.count_nonzero(kind[n0:] <= SME)) if sim.actors.n > n0 else 0
    return IntervalRun(present=present, a=code // n, b=code % n, entries=entries, seed=seed, arcs=arcs)


class _Job:
    """One replication, picklable for the process pool: item (r, seed) -> IntervalRun."""

    def __init__(self, net: ClusterNetwork, sc: Scenario, steps: int, leavers: np.ndarray | None = None):
        self.net, self.sc, self.steps, self.leavers = net, sc, steps, leavers

    def __call__(self, item):
        return _one(self.net, self.sc, self.steps, item[1], self.leavers)


def as_scenario(scenario) -> Scenario:
    """A Scenario from a Scenario, a preset name or TOML file path (`load_scenario`), or None
    (the built-in default); ClusterlabError for anything else."""
    if scenario is None:
        return default_scenario()
    if isinstance(scenario, (str, Path)):
        return load_scenario(scenario)
    if not isinstance(scenario, Scenario):
        raise ClusterlabError(f"scenario: expected a Scenario, a preset name or a TOML file, got "
                              f"{type(scenario).__name__}")
    return scenario


def simulate_interval(wave1: ClusterNetwork, years: float, scenario: Scenario | None = None, *,
                      sets: dict | None = None, replications: int = 1, seed: int = 0,
                      executor: str = "serial", workers: int | None = None,
                      leavers: np.ndarray | None = None) -> list[IntervalRun]:
    """Simulate `replications` intervals of `years` from `wave1` (see the module).

    scenario: the model, a Scenario or a preset name or TOML file (default: the built-in
    scenario; its `data` keys are ignored, wave 1 is the start); sets: dotted changes applied
    to it first (e.g. calibrated parameters).
    executor, workers: as in `clusterlab.experiments` ("serial", "pool" or "dask").
    leavers: None (the model's exits) or a bool mask over the wave-1 actors gone by wave 2
    (the composition given; see the module)."""
    sc = as_scenario(scenario)
    sc = sc.set(**{"data.network": "", "data.attributes": ""})
    if sets:
        sc = sc.set(**sets)
    if replications < 1:
        raise ClusterlabError(f"replications: expected a whole number >= 1, got {replications}")
    steps = interval_steps(sc, years)
    gone = None
    if leavers is not None:
        leavers = np.asarray(leavers, bool)
        if leavers.shape != (wave1.n,):
            raise ClusterlabError(f"leavers: expected one true/false per wave-1 actor ({wave1.n}), got shape {leavers.shape}")
        sc, gone = given_composition(sc), np.flatnonzero(leavers)
    items = [(r, replication_seed(seed, r)) for r in range(replications)]
    job = _Job(wave1, sc, steps, gone)
    if executor == "serial" or replications == 1:
        return [job(it) for it in items]
    from ..experiments.executors import make_executor

    out: dict[int, IntervalRun] = {}
    with make_executor(executor, workers) as ex:
        for item, ok, value in ex.map(job, items):
            if not ok:
                raise ClusterlabError(f"replication {item[0]} of the interval failed: {value}")
            out[item[0]] = value
    return [out[r] for r in range(replications)]

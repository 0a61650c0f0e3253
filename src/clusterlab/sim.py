"""The simulation: a scenario, its state arrays and a list of mechanisms.

    sim = Sim(scenario)                  # or Sim() for the built-in default
    results = sim.run()                  # Results with .timeseries and .actors DataFrames
    Sim(scenario, mechanisms=[*MECHANISMS, Mine])   # a mechanism of your own, or a subset

One step:
    t += 1; this step's statistics start at 0; bookkeeping.begin_step (inflows cleared);
    the events due apply (policies and shocks; a recession that is due ends); knowledge
    profiles are taken; each mechanism, in list order (`clusterlab.mechanisms`): `step` if
    enabled, else `off`; bookkeeping.end_step (frontier, smoothed inflow, knowledge-origin
    tracer); the recorder writes the step's row.
Every random draw comes from a stream named by its user (`Sim.rng`), seeded by the scenario
seed and the name only, so a run is reproducible on any machine and with any number of
threads (parallel sums are taken over a fixed number of chunks).
"""

from __future__ import annotations

import contextlib
import time
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import numba as nb
import numpy as np

from . import bookkeeping
from .checks import warn_idle
from .errors import ClusterlabError
from .events import Schedule
from .joint_projects import JointProjects
from .knowledge import mean_levels, unit_profiles
from .mechanism import Mechanism
from .network import connect, make_ties
from .population import disperse, make_actors
from .recorder import NoRecorder, Recorder, Stats, stat_columns
from .results import Results
from .scenario import Scenario, check_live, default_scenario
from .state import EXTERNAL, PIPELINE, Actors, Technology, Ties

# mechanisms that need co-located partners: off when population.setting = "isolated"
LOCAL_ONLY = ("spillover", "labour", "focal_firms", "projects", "cluster_org")
SMALL_MODEL = 50_000  # actors + ties below which a step runs on one thread


@contextlib.contextmanager
def one_thread_if_small(size: int):
    """Numba on one thread inside, when `size` (actors + ties) is below SMALL_MODEL: thread
    start-up costs more than it saves there, results do not depend on the thread count (sums
    over fixed chunks), and one thread calls the serial kernels, which compile several times
    faster (`kernels.parallel_njit`)."""
    threads = nb.get_num_threads()
    if size >= SMALL_MODEL or threads == 1:  # nothing to change (set_num_threads costs microseconds)
        yield
        return
    nb.set_num_threads(1)
    try:
        yield
    finally:
        nb.set_num_threads(threads)


def stream(seed: int, name: str) -> np.random.Generator:
    """The random stream `name` of a run seeded `seed`: a PCG64 generator whose seed sequence
    is keyed by the seed and a stable hash (CRC-32) of the name, so a stream depends on
    nothing but these two (adding or removing a mechanism never moves another's draws)."""
    key = zlib.crc32(name.encode("utf-8"))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(key,))))


class Sim:
    """A cluster simulation.

    `mechanisms` (default: the scenario's, i.e. the built-in loop) is a list of mechanism
    classes or instances, run in that order. A class missing from the scenario gets its
    default `[mechanisms.<name>]` table; an instance brings its own parameters. Either way
    the parameters in force are `sim.scenario.mechanisms.<name>` (the mechanism's `pars`),
    which `set` events change; `sim.given` is the scenario as given, as the results record it.

    `keep` (default None: every step in full) are the steps an experiment reads: the state
    indicators of the time series (`recorder.CORE` less `recorder.ALWAYS`: knowledge,
    diversity, gini, constraint, cognitive proximity, density, ...) are computed only there,
    at step 0, at the last step of each `run` and at the snapshot steps, and are NaN at the
    other steps; `recorder.ALWAYS` (step, counters, demand, ...) and the mechanisms'
    statistics (flows, SECI, innovations, ...) are recorded at every step. The simulation is
    unchanged and the rows of kept steps are bit for bit those of a full run.

    `record=False` records nothing (no time series or snapshots; `results` is an error):
    for callers that read only the final state, as `clusterlab.panel`'s replications. The
    simulation is unchanged.
    """

    def __init__(self, scenario: Scenario | None = None,
                 mechanisms: Iterable[Mechanism | type[Mechanism]] | None = None, *,
                 keep: Iterable[int] | None = None, record: bool = True):
        sc = scenario if scenario is not None else default_scenario()
        items = list(type(sc).mechanism_classes if mechanisms is None else mechanisms)
        classes = [m if isinstance(m, type) else type(m) for m in items]
        sc = sc.for_mechanisms(classes)
        own = {type(m).name: m.pars.model_dump() for m in items if not isinstance(m, type)}
        if own:  # an instance's parameters become the scenario's table
            sc = sc.set(**{f"mechanisms.{name}": pars for name, pars in own.items()})
        self.given = sc
        self.scenario = sc.model_copy(deep=True)  # parameters in force (set events change them)
        self.mechanisms: list[Mechanism] = []
        for m in items:
            m = m() if isinstance(m, type) else m
            m.pars = getattr(self.scenario.mechanisms, m.name)
            self.mechanisms.append(m)
        self.t = 0
        self.initialized = False
        self._stat_columns = stat_columns(self.mechanisms)
        self.stats = Stats(self._stat_columns)
        self._cache: dict[str, np.ndarray] = {}
        self._rngs: dict[str, np.random.Generator] = {}
        if keep is not None:
            keep = [keep] if isinstance(keep, (str, bytes)) else list(keep)
            bad = [k for k in keep if isinstance(k, bool) or not isinstance(k, (int, np.integer))]
            if bad:
                raise ClusterlabError(f"Sim(keep=...): steps must be integers, got {bad[0]!r}")
            keep = [int(k) for k in keep]
        self.recorder = Recorder(keep) if record else NoRecorder()
        self.labels: np.ndarray | None = None  # actor labels of a real cluster (from data)
        self.network_notes: dict = {}  # the reader's notes of that cluster (`ClusterNetwork.notes`)
        self.schedule = Schedule(self.scenario.events)
        self.seconds = 0.0
        self.timings: dict[str, float] = defaultdict(float)  # seconds per mechanism

    # -- what mechanisms use (clusterlab.mechanism.SimView) -----------------------------
    def rng(self, name: str) -> np.random.Generator:
        """The random stream `name` (any name; created on first use, see `stream`)."""
        if name not in self._rngs:
            self._rngs[name] = stream(self.scenario.seed, name)
        return self._rngs[name]

    def profiles(self) -> np.ndarray:
        """Unit-length knowledge profiles (T + E) of all actors, as at the start of the step."""
        if "profiles" not in self._cache:
            out = np.empty_like(self.actors.T)
            unit_profiles(self.actors.T, self.actors.E, out)
            self._cache["profiles"] = out
        return self._cache["profiles"]

    def knowledge_level(self) -> np.ndarray:
        """Each actor's mean knowledge per domain relative to the mean frontier."""
        if "level" not in self._cache:
            out = np.empty(self.actors.n, np.float32)
            mean_levels(self.actors.T, self.actors.E, out)
            out /= max(float(self.tech.frontier.mean()), 1e-12)
            self._cache["level"] = out
        return self._cache["level"]

    def connect(self, a, b, rng: np.random.Generator, w=None, trust=None, asks: bool = False) -> np.ndarray:
        """Tie the pairs a-b now (`network.connect`); return the new tie slots. Isolated
        firms form pipelines only: pairs without an external end are dropped. `asks`: each a
        asks its b (advice sought one way); default mutual."""
        if self.isolated:
            a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
            ext = (self.actors.kind[a] == EXTERNAL) | (self.actors.kind[b] == EXTERNAL)
            a, b = a[ext], b[ext]
            w = w if w is None or np.ndim(w) == 0 else np.asarray(w)[ext]
            trust = trust if trust is None or np.ndim(trust) == 0 else np.asarray(trust)[ext]
        return connect(self.actors, self.ties, self.scenario.network, self.t, a, b, rng, w, trust, asks)

    def get(self, key: str) -> Any:
        """The value in force of a dotted scenario key, or None if the scenario has no such key."""
        node: Any = self.scenario
        for part in key.split("."):
            if not hasattr(node, part):
                return None
            node = getattr(node, part)
        return node

    def set(self, key: str, value: Any) -> None:
        """Change a live parameter from now on: `mechanisms.<name>.<key>` or a shared key
        marked live. The one path by which events change parameters."""
        check_live(type(self.scenario), key, value)
        *path, last = key.split(".")
        node: Any = self.scenario
        for part in path:
            node = getattr(node, part)
        setattr(node, last, value)

    def mechanism(self, key: str | type[Mechanism]) -> Mechanism:
        """The running mechanism of this name (or class)."""
        for m in self.mechanisms:
            if m.name == key or (isinstance(key, type) and isinstance(m, key)):
                return m
        raise KeyError(key)

    # -- the loop ----------------------------------------------------------------------
    def init(self, actors: Actors | None = None, ties: Ties | None = None,
             tech: Technology | None = None, network=None) -> Sim:
        """Create the starting state from the scenario, or take the one given (e.g. a real
        cluster read from survey data, or a hand-built case in a test). `network`: a
        `clusterlab.data.ClusterNetwork` already read, started from as `data.network` would be."""
        sc = self.scenario
        own = ties is None  # the state is built here (generated or from data): the setting applies
        if actors is None and (network is not None or sc.data.network):
            from .data import load_network
            from .from_data import state_from_network

            net = network if network is not None else load_network(sc.data.network, sc.data.attributes or None,
                                                                   absent=sc.data.absent or None)
            self.network_notes = net.notes  # what the reader did, absent actors removed included
            self.data_fit = {}  # where positions and profiles came from, and their fit to the data
            actors, ties, tech = state_from_network(net, sc, self.rng("population"), self.data_fit)
            self.labels = np.array([str(i) for i in net.ids], dtype=object)
        elif actors is None:
            actors, tech0 = make_actors(sc.population, sc.knowledge, self.rng("population"),
                                        self.rng("population.levers"))
            tech = tech if tech is not None else tech0
        if tech is None:
            D = actors.domains
            tech = Technology(frontier=np.ones(D, np.float32), relevance=np.full(D, 1.0 / D, np.float32))
        self.actors, self.tech = actors, tech
        warn_idle(sc, [m.name for m in self.mechanisms], actors.kind)
        if ties is None:
            ties = make_ties(sc.network, sc.population.stages, sc.steps_per_year, actors, self.rng("network"))
        if own:
            self._apply_setting(actors, ties)
        self.ties = ties
        self.projects = JointProjects(actors.domains)
        for m in self.mechanisms:
            for s in m.states:
                actors.add_state(s.name, s.dtype, s.default, s.per_domain)
        with one_thread_if_small(actors.n + ties.m):
            for m in self.mechanisms:
                m.init(self)
            self.schedule.apply_due(self)  # events at step 0
            bookkeeping.update_frontier(self)
            self.recorder.init(self)
        self.initialized = True
        return self

    @property
    def isolated(self) -> bool:
        """population.setting = "isolated": no local ties, only pipelines (see `_apply_setting`)."""
        return self.scenario.population.setting == "isolated"

    def _apply_setting(self, actors: Actors, ties: Ties) -> None:
        """The counterfactual settings of the same generated firms (docs/odd.md, 5.4):
        isolated drops every local tie (pipelines stay), dispersed scatters the cluster
        actors over `population.dispersed_km` (the network as generated, tie lengths new)."""
        setting = self.scenario.population.setting
        if setting == "isolated":
            ties.remove(np.flatnonzero(ties.alive & (ties.layer != PIPELINE)))
        elif setting == "dispersed":
            disperse(actors, ties, self.scenario.population, self.rng("population.setting"))

    @property
    def multi_threaded(self) -> bool:
        """Whether steps run on numba's threads (a model of SMALL_MODEL actors + ties or more,
        more than one thread), calling the parallel kernels (`kernels.parallel_njit`)."""
        return self.initialized and self.actors.n + self.ties.m >= SMALL_MODEL and nb.get_num_threads() > 1

    def step(self) -> None:
        if not self.initialized:
            self.init()
        with one_thread_if_small(self.actors.n + self.ties.m):
            self._step()

    def _step(self) -> None:
        self.t += 1
        self.stats = Stats(self._stat_columns)
        self._cache.clear()
        bookkeeping.begin_step(self)
        self.schedule.apply_due(self)
        self.profiles()  # knowledge profiles as at the start of the step, for every mechanism
        clock = time.perf_counter
        isolated = self.isolated
        for m in self.mechanisms:
            t0 = clock()
            if m.pars.enabled and not (isolated and m.name in LOCAL_ONLY):
                m.step(self)
            else:
                m.off(self)
            self.timings[m.name] += clock() - t0
        t0 = clock()
        bookkeeping.end_step(self)
        self.recorder.record(self)
        self.timings["record"] += clock() - t0

    def run(self, steps: int | None = None, progress: Callable[[int], None] | None = None) -> Results:
        """Run `steps` steps (default: the scenario's) and return the results."""
        t0 = time.perf_counter()
        n = self.scenario.steps if steps is None else steps
        self.recorder.end = (self.t if self.initialized else 0) + n
        if not self.initialized:
            self.init()
        for _ in range(n):
            self.step()
            if progress is not None:
                progress(self.t)
        self.seconds += time.perf_counter() - t0
        return self.results()

    def results(self) -> Results:
        return self.recorder.results(self)


def run(scenario: Scenario | None = None, **changes) -> Results:
    """Run a scenario (default: the built-in one), with optional dotted changes:
    ``run(steps=60, mechanisms__trust__enabled=False)``."""
    sc = scenario if scenario is not None else default_scenario()
    if changes:
        sc = sc.set(**changes)
    return Sim(sc).run()


__all__ = ["Sim", "run", "stream"]

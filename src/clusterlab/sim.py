"""The simulation: a scenario, its state arrays and a list of mechanism modules.

    sim = Sim(scenario)        # or Sim() for the built-in default
    results = sim.run()        # Results with .timeseries and .actors DataFrames

One step (the order of mechanisms is defined in `clusterlab.mechanisms`):
    t += 1; clear this step's flows; apply the events due; take knowledge profiles; for each
    mechanism: step (or off); update the frontier, the inflow memory and the
    knowledge-origin tracer; record.
Every random draw comes from a named stream spawned from the scenario seed
(`numpy.random.SeedSequence(seed).spawn`), so a run is reproducible on any machine and
with any number of threads (parallel sums are taken over a fixed number of chunks).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable

import numba as nb
import numpy as np

from .mechanisms import MECHANISMS, Mechanism
from .knowledge import column_max, mean_levels, unit_profiles, update_origin
from .policies import Policies
from .network import make_ties
from .population import make_actors
from .recorder import Recorder
from .results import Results
from .scenario import Scenario, default_scenario
from .state import EXTERNAL, Actors, Technology, Ties

# Named random streams. Append new names at the end: existing streams keep their seeds.
STREAMS = ("population", "network", "interaction", "spillover", "innovation", "record",
           "evolution", "openness", "technology", "market", "labour", "projects",
           "cluster_org", "events", "focal")


SMALL_MODEL = 50_000  # actors + ties below which a step runs on one thread


class Sim:
    """A cluster simulation. Pass `mechanisms` to replace the default list (e.g. to add your
    own module); each module's parameters come from the scenario's ``[mechanisms.<name>]``."""

    def __init__(self, scenario: Scenario | None = None,
                 mechanisms: Iterable[Mechanism] | None = None):
        self.scenario = scenario if scenario is not None else default_scenario()
        if mechanisms is None:
            # each Sim owns a copy of the parameters: policies change them during a run
            mechanisms = [cls(getattr(self.scenario.mechanisms, cls.name).model_copy(deep=True))
                          for cls in MECHANISMS]
        self.mechanisms = list(mechanisms)
        self.t = 0
        self.initialized = False
        self.stats: dict[str, float] = defaultdict(float)
        self._cache: dict[str, np.ndarray] = {}
        children = np.random.SeedSequence(self.scenario.seed).spawn(len(STREAMS))
        self._rngs = {name: np.random.Generator(np.random.PCG64(ss)) for name, ss in zip(STREAMS, children)}
        self.recorder = Recorder()
        self.labels: np.ndarray | None = None  # actor labels of a real cluster (from data)
        self.policies = Policies(self.scenario.events)
        self.seconds = 0.0
        self.timings: dict[str, float] = defaultdict(float)  # seconds per mechanism

    # -- state access used by mechanisms ------------------------------------------------
    def rng(self, name: str) -> np.random.Generator:
        """The random stream `name` (one of STREAMS)."""
        return self._rngs[name]

    def mechanism(self, cls: type[Mechanism]) -> Mechanism:
        for m in self.mechanisms:
            if isinstance(m, cls):
                return m
        raise KeyError(cls.__name__)

    def mechanism_by_name(self, name: str) -> Mechanism:
        for m in self.mechanisms:
            if m.name == name:
                return m
        raise KeyError(name)

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

    # -- the loop ----------------------------------------------------------------------
    def init(self, actors: Actors | None = None, ties: Ties | None = None,
             tech: Technology | None = None) -> Sim:
        """Create the starting state from the scenario, or take the one given (e.g. a real
        cluster read from survey data, or a hand-built case in a test)."""
        sc = self.scenario
        if actors is None and sc.data.network:
            from .data import load_network
            from .from_data import state_from_network

            net = load_network(sc.data.network, sc.data.attributes or None)
            actors, ties, tech = state_from_network(net, sc, self.rng("population"))
            self.labels = np.array([str(i) for i in net.ids], dtype=object)
        elif actors is None:
            actors, tech0 = make_actors(sc, self.rng("population"))
            tech = tech if tech is not None else tech0
        if tech is None:
            D = actors.domains
            tech = Technology(frontier=np.ones(D, np.float32), relevance=np.full(D, 1.0 / D, np.float32))
        self.actors, self.tech = actors, tech
        self.ties = ties if ties is not None else make_ties(sc, self.actors, self.rng("network"))
        for m in self.mechanisms:
            m.init(self)
        self.policies.apply_due(self)  # events at step 0
        self._update_frontier()
        self.recorder.init(self)
        self.initialized = True
        return self

    def _update_frontier(self) -> None:
        # every actor counts, also one that exited this step after passing the frontier
        # (an exited actor's knowledge never changes again)
        column_max(self.actors.T, self.actors.E, self.tech.frontier)

    def step(self) -> None:
        if not self.initialized:
            self.init()
        # small models run on one thread: thread start-up costs more than it saves there,
        # and results do not depend on the thread count (sums over fixed chunks)
        small = self.actors.n + self.ties.m < SMALL_MODEL
        threads = nb.get_num_threads()
        if small:
            nb.set_num_threads(1)
        try:
            self._step()
        finally:
            nb.set_num_threads(threads)

    def _step(self) -> None:
        self.t += 1
        self.stats = defaultdict(float)
        self._cache.clear()
        a = self.actors
        a.inflow[:] = 0.0
        a.inflow_external[:] = 0.0
        a.inflow_via_focal[:] = 0.0
        self.policies.apply_due(self)
        self.profiles()  # knowledge profiles as at the start of the step, for every mechanism
        clock = time.perf_counter
        for m in self.mechanisms:
            t0 = clock()
            if m.pars.enabled:
                m.step(self)
            else:
                m.off(self)
            self.timings[m.name] += clock() - t0
        t0 = clock()
        self._update_frontier()
        memory = self.scenario.mechanisms.innovation.attribution_memory
        a.recent *= np.float32(memory)  # smoothed inflow by channel (attribution, openness)
        a.recent += a.inflow
        update_origin(a.T, a.E, a.inflow, a.inflow_external, a.inflow_via_focal, a.alive,
                      a.kind == EXTERNAL, a.external_origin, a.via_focal)
        self.recorder.record(self)
        self.timings["record"] += clock() - t0

    def run(self, steps: int | None = None, progress: Callable[[int], None] | None = None) -> Results:
        """Run `steps` steps (default: the scenario's) and return the results."""
        t0 = time.perf_counter()
        if not self.initialized:
            self.init()
        for _ in range(self.scenario.steps if steps is None else steps):
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

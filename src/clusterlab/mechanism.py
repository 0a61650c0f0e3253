"""The mechanism base: what a mechanism is, and what it may use of the simulation.

A mechanism is a switchable, parameterised module of the step loop:

    class Mentoring(cl.Mechanism):
        '''Focal firms mentor young SMEs (Author 2020).'''
        name = "mentoring"                      # its [mechanisms.mentoring] table and its stream
        class Params(cl.MechanismParams):
            rate: float = cl.Field(0.1, ge=0, le=1, description="...")
        records = {"mentored": "SMEs mentored this step"}        # its time-series columns
        states = (cl.State("mentor", np.int32, -1, "the SME's mentor"),)  # its per-actor arrays
        def step(self, sim: cl.SimView) -> None: ...

- `name`: the key of its parameter table (`[mechanisms.<name>]`), of its random stream
  (`sim.rng(name)`) and of its timings.
- `Params`: a `MechanismParams` model; every key validated (range, type) in TOML, `--set`,
  `Scenario.set` and `set` events. `self.pars` is the table in force (set events change it).
- `records`: the time-series columns it writes into `sim.stats` ({column: description}).
  `sim.stats` refuses a key nobody declared, so no statistic is ever dropped silently.
  Columns shared by every learning mechanism (`flow_<channel>`, `flow_tacit`,
  `flow_explicit`, `seci_*`) are declared once by the recorder.
- `states`: per-actor arrays it owns (`State`); created on `sim.actors` before `init` and
  grown with the actors when actors enter, with the declared default for entrants.
- `after`: where the mechanism goes when added to the built-in loop by name (e.g. on the
  command line): after the named mechanism; None puts it at the end.
- `init(sim)` once after the starting state exists; `step(sim)` each step while enabled;
  `off(sim)` each step while disabled (default: nothing).

`SimView` lists everything a mechanism may use of the simulation. Mechanisms never reach
into each other: shared knowledge kernels live in `clusterlab.knowledge`, shared
parameters in the scenario's own tables, shared state (ties, joint projects) on the Sim.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import numpy as np

from .joint_projects import JointProjects
from .params import Knowledge, MechanismParams, Network, Output, Population
from .state import Actors, Technology, Ties


@dataclass(frozen=True)
class State:
    """A per-actor array a mechanism owns: `sim.actors.<name>`, of shape (actors,) or, with
    `per_domain`, (actors, domains); entrants take `default`. `record`: written to the
    actor snapshots (actors.parquet; one-dimensional states only)."""

    name: str
    dtype: Any = np.float32
    default: float = 0.0
    description: str = ""
    per_domain: bool = False
    record: bool = True


class ScenarioView(Protocol):
    """The scenario tables a mechanism reads (the values in force: `set` events change them)."""

    seed: int
    steps: int
    steps_per_year: int
    population: Population
    knowledge: Knowledge
    network: Network
    output: Output
    mechanisms: Any


class SimView(Protocol):
    """What a mechanism may use of the simulation."""

    t: int  # the current step (1 in the first step; 0 at set-up)
    scenario: ScenarioView  # parameters in force
    actors: Actors  # per-actor arrays, declared states included
    ties: Ties  # the multiplex network (edge arrays and incidence index)
    tech: Technology  # frontier, market relevance, demand, competitiveness bar
    projects: JointProjects  # the running joint projects
    stats: MutableMapping[str, float]  # this step's statistics (declared columns only)

    def rng(self, name: str) -> np.random.Generator:
        """The random stream `name` (a mechanism uses its own name)."""

    def profiles(self) -> np.ndarray:
        """Unit knowledge profiles (T + E) of every actor at the start of the step."""

    def knowledge_level(self) -> np.ndarray:
        """Each actor's mean knowledge per domain relative to the mean frontier."""

    def connect(self, a, b, rng: np.random.Generator, w=None, trust=None, asks: bool = False) -> np.ndarray:
        """Tie the pairs a-b now (existing, repeated and dead pairs are dropped); the slots.
        `asks`: each a asks its b (advice sought one way); default mutual."""

    def get(self, key: str) -> Any:
        """The value in force of a dotted scenario key (None if there is no such key)."""

    def set(self, key: str, value: Any) -> None:
        """Change a live parameter from now on (what `set` events and policies do)."""


class Mechanism:
    """Base class of every mechanism (see the module docstring)."""

    name: ClassVar[str] = ""
    Params: ClassVar[type[MechanismParams]] = MechanismParams
    records: ClassVar[dict[str, str]] = {}
    states: ClassVar[tuple[State, ...]] = ()
    after: ClassVar[str | None] = None

    def __init__(self, pars: MechanismParams | None = None):
        self.pars = pars if pars is not None else self.Params()

    def init(self, sim: SimView) -> None:
        """Set up what the mechanism needs (once, after actors and ties exist)."""

    def step(self, sim: SimView) -> None:
        """One step of the mechanism."""

    def off(self, sim: SimView) -> None:
        """What happens in a step while the mechanism is switched off."""

    def __repr__(self) -> str:
        state = "on" if self.pars.enabled else "off"
        return f"{type(self).__name__}({state})"


__all__ = ["Mechanism", "MechanismParams", "SimView", "ScenarioView", "State"]

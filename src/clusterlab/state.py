"""Simulation state as structure of arrays: actors (length N) and ties (length E).

Actors are ids 0..N-1; cluster actors are ordered along a space-filling curve, so ids
follow space and ties are local in memory. Knowledge is two float32 N x D arrays, tacit
``T`` and explicit ``E``. Ties are undirected edge arrays (``a < b``) with a layer, strength,
trust, length, birth step and last use; an incidence index (start, count, capacity per
actor) lists each actor's ties, with slack so ties can be added without a rebuild.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numba as nb
import numpy as np

KINDS = ("focal", "sme", "university", "institute", "intermediary", "agency", "cluster_org", "external")
FOCAL, SME, UNIVERSITY, INSTITUTE, INTERMEDIARY, AGENCY, CLUSTER_ORG, EXTERNAL = range(8)
FIRM_KINDS = (FOCAL, SME)
INSTITUTION_KINDS = (UNIVERSITY, INSTITUTE, INTERMEDIARY, AGENCY, CLUSTER_ORG)

LAYERS = ("horizontal", "vertical", "multi_angle", "pipeline")
HORIZONTAL, VERTICAL, MULTI_ANGLE, PIPELINE = range(4)
# learning channels: the four layers plus spillover by observation
CHANNELS = LAYERS + ("spillover",)
SPILLOVER = 4


@dataclass
class Actors:
    kind: np.ndarray  # int8
    stage: np.ndarray  # int8, -1 for non-firms
    x: np.ndarray  # float32 km
    y: np.ndarray  # float32 km
    culture: np.ndarray  # int16
    group: np.ndarray  # int32 business group (organisational proximity)
    size: np.ndarray  # float32 employees
    rd: np.ndarray  # float32 R&D intensity
    openness: np.ndarray  # float32 propensity for extra-local ties
    sharing: np.ndarray  # float32 internal knowledge sharing (absorptive capacity)
    reciprocity: np.ndarray  # float32 willingness to give back (free riders low)
    T: np.ndarray  # float32 N x D tacit knowledge
    E: np.ndarray  # float32 N x D explicit knowledge
    absorptive: np.ndarray = field(default=None)  # float32
    alive: np.ndarray = field(default=None)  # bool
    innov_incremental: np.ndarray = field(default=None)  # int32 counts
    innov_radical: np.ndarray = field(default=None)  # int32 counts
    last_innovation: np.ndarray = field(default=None)  # int32 step, -10**6 if never
    inflow: np.ndarray = field(default=None)  # float32 N x channels, this step's inflow
    recent: np.ndarray = field(default=None)  # float32 N x channels, smoothed inflow

    def __post_init__(self) -> None:
        n = len(self.kind)
        if self.absorptive is None:
            self.absorptive = np.full(n, 0.5, np.float32)
        if self.alive is None:
            self.alive = np.ones(n, bool)
        for name in ("innov_incremental", "innov_radical"):
            if getattr(self, name) is None:
                setattr(self, name, np.zeros(n, np.int32))
        if self.last_innovation is None:
            self.last_innovation = np.full(n, -(10**6), np.int32)
        if self.inflow is None:
            self.inflow = np.zeros((n, len(CHANNELS)), np.float32)
        if self.recent is None:
            self.recent = np.zeros((n, len(CHANNELS)), np.float32)

    @property
    def n(self) -> int:
        return len(self.kind)

    @property
    def domains(self) -> int:
        return self.T.shape[1]

    @property
    def is_firm(self) -> np.ndarray:
        return (self.kind <= SME) & self.alive

    @property
    def is_local(self) -> np.ndarray:
        return self.kind != EXTERNAL


@dataclass
class Ties:
    a: np.ndarray  # int32, a < b
    b: np.ndarray  # int32
    layer: np.ndarray  # int8
    w: np.ndarray  # float32 strength in [0, 1]
    trust: np.ndarray  # float32 in [0, 1]
    dist: np.ndarray  # float32 km
    born: np.ndarray  # int32 step of creation (negative: before the run)
    last_use: np.ndarray  # int32 step
    alive: np.ndarray  # bool (dead slots are reused)
    active: np.ndarray  # bool, set by interaction each step
    moved: np.ndarray  # bool, knowledge moved over the tie this step (set by transfer)
    # incidence: actor i's ties are tid[start[i] : start[i] + count[i]], nbr the other end
    start: np.ndarray = field(default=None)  # int64 N
    count: np.ndarray = field(default=None)  # int32 N
    cap: np.ndarray = field(default=None)  # int32 N
    nbr: np.ndarray = field(default=None)  # int32
    tid: np.ndarray = field(default=None)  # int32
    version: int = 0  # bumped whenever ties are added or removed

    @property
    def m(self) -> int:
        """Number of tie slots (alive or not)."""
        return len(self.a)

    @property
    def n_alive(self) -> int:
        return int(self.alive.sum())

    @classmethod
    def from_edges(cls, n: int, a, b, layer, w, trust, dist, born, slack: float = 0.25) -> Ties:
        m = len(a)
        own = lambda v, dt: np.array(v, dtype=dt, copy=True, order="C")  # noqa: E731  never alias inputs
        ties = cls(
            a=own(a, np.int32), b=own(b, np.int32), layer=own(layer, np.int8), w=own(w, np.float32),
            trust=own(trust, np.float32), dist=own(dist, np.float32),
            born=own(born, np.int32), last_use=own(born, np.int32),
            alive=np.ones(m, bool), active=np.zeros(m, bool), moved=np.zeros(m, bool),
        )
        ties.build_index(n, slack)
        return ties

    def build_index(self, n: int, slack: float = 0.25) -> None:
        """(Re)build the incidence index in O(N + E), leaving `slack` spare room per actor."""
        live = np.flatnonzero(self.alive).astype(np.int32)
        deg = np.bincount(self.a[live], minlength=n) + np.bincount(self.b[live], minlength=n)
        cap = (deg + np.ceil(deg * slack) + 2).astype(np.int32)
        start = np.zeros(n, np.int64)
        np.cumsum(cap[:-1], out=start[1:])
        total = int(start[-1] + cap[-1]) if n else 0
        nbr = np.full(total, -1, np.int32)
        tid = np.full(total, -1, np.int32)
        count = np.zeros(n, np.int32)
        _fill_index(live, self.a, self.b, start, count, nbr, tid)
        self.start, self.count, self.cap, self.nbr, self.tid = start, count, cap, nbr, tid
        self.version += 1

    def degree(self, n: int, layer: int | None = None) -> np.ndarray:
        keep = self.alive if layer is None else self.alive & (self.layer == layer)
        return np.bincount(self.a[keep], minlength=n) + np.bincount(self.b[keep], minlength=n)


@nb.njit(cache=True)
def _fill_index(live, a, b, start, count, nbr, tid):
    for k in range(len(live)):
        t = live[k]
        i = a[t]
        j = b[t]
        p = start[i] + count[i]
        nbr[p] = j
        tid[p] = t
        count[i] += 1
        p = start[j] + count[j]
        nbr[p] = i
        tid[p] = t
        count[j] += 1


@dataclass
class Technology:
    """The technology regime: global frontier and market relevance per domain."""

    frontier: np.ndarray  # float32 D, knowledge level at the global frontier
    relevance: np.ndarray  # float32 D, market relevance, sums to 1

    def frontier_level(self) -> float:
        return float(np.dot(self.relevance, self.frontier))

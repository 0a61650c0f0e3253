"""Simulation state as structure of arrays: actors (length N) and ties (E slots).

Actors are ids 0..N-1; cluster actors are ordered along a space-filling curve, so ids
follow space and ties are local in memory. Knowledge is two float32 N x D arrays, tacit
``T`` and explicit ``E``. Entrants are appended (spare capacity makes that amortised O(1));
an exit only clears ``alive``, so ids are never reused.

Ties are undirected edge slots (``a < b``) with a layer, strength, trust, length, birth
step and last use; dead slots are reused. An incidence index lists each actor's ties
(``tid[start[i]:start[i] + count[i]]``, ``nbr`` the other end) with spare room per actor,
so adding or removing ties costs O(changed ties), never a rebuild. ``deg`` counts each
actor's live ties per layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numba as nb
import numpy as np

from .errors import MechanismError

KINDS = ("focal", "sme", "university", "institute", "intermediary", "agency", "cluster_org", "external")
FOCAL, SME, UNIVERSITY, INSTITUTE, INTERMEDIARY, AGENCY, CLUSTER_ORG, EXTERNAL = range(8)
FIRM_KINDS = (FOCAL, SME)
INSTITUTION_KINDS = (UNIVERSITY, INSTITUTE, INTERMEDIARY, AGENCY, CLUSTER_ORG)

LAYERS = ("horizontal", "vertical", "multi_angle", "pipeline")
HORIZONTAL, VERTICAL, MULTI_ANGLE, PIPELINE = range(4)
# learning channels: the four layers, spillover by observation, labour mobility, joint projects
CHANNELS = LAYERS + ("spillover", "labour", "projects")
SPILLOVER, LABOUR, PROJECTS = 4, 5, 6
# who asks whom over a tie a-b (a < b), bits: a asks b, b asks a, both (docs/odd.md 2.2, 7.12)
ASKS_A, ASKS_B, MUTUAL = 1, 2, 3


def capacity(n: int, cap: int | None = None) -> int:
    """Room to allocate for n items when the current capacity `cap` (default n) is too
    small: at least n, and 25% more than `cap` plus 64, so that growing one item at a time
    costs amortised O(1). One policy for every growing array."""
    return max(n, int((n if cap is None else cap) * 1.25) + 64)


def grown(buf: np.ndarray | None, n: int, dtype=np.float32, tail: tuple = ()) -> np.ndarray:
    """`buf` if it holds at least n rows, else a new zeroed buffer of `capacity(n)` rows
    (contents not kept: for scratch space)."""
    if buf is None or len(buf) < n:
        return np.zeros((capacity(n),) + tuple(tail), dtype)
    return buf


def _grow(buf: np.ndarray, n: int, cap: int) -> np.ndarray:
    """A copy of buf's first n rows in a zeroed buffer of cap rows."""
    out = np.zeros((cap,) + buf.shape[1:], buf.dtype)
    out[:n] = buf[:n]
    return out


@dataclass
class Actors:
    """Every actor's state, one array per field (length N, or N x D for knowledge).

    Mechanisms declare further per-actor arrays (`add_state`); all are grown together when
    actors are appended, entrants taking each field's default."""

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
    born: np.ndarray = field(default=None)  # int32 step of entry (0 for the initial actors)
    innov_incremental: np.ndarray = field(default=None)  # int32 counts
    innov_radical: np.ndarray = field(default=None)  # int32 counts
    last_innovation: np.ndarray = field(default=None)  # int32 step, -10**6 if never
    inflow: np.ndarray = field(default=None)  # float32 N x channels, this step's inflow
    recent: np.ndarray = field(default=None)  # float32 N x channels, smoothed inflow
    external_origin: np.ndarray = field(default=None)  # float32 share of knowledge of external origin
    via_focal: np.ndarray = field(default=None)  # float32 share of knowledge of external origin that came through a focal firm
    inflow_external: np.ndarray = field(default=None)  # float32 this step's inflow of external origin
    inflow_via_focal: np.ndarray = field(default=None)  # float32 this step's inflow of external origin via a focal firm

    DEFAULTS = {"absorptive": 0.5, "alive": True, "born": 0, "last_innovation": -(10**6),
                "kind": 1, "stage": -1}

    def __post_init__(self) -> None:
        n = len(self.kind)
        for f in fields(self):
            if getattr(self, f.name) is None:
                shape = (n, len(CHANNELS)) if f.name in ("inflow", "recent") else (n,)
                dtype = {"alive": bool, "born": np.int32, "last_innovation": np.int32,
                         "innov_incremental": np.int32, "innov_radical": np.int32}.get(f.name, np.float32)
                setattr(self, f.name, np.full(shape, self.DEFAULTS.get(f.name, 0), dtype))
        self._buf = {f.name: getattr(self, f.name) for f in fields(self)}
        self._default = {name: self.DEFAULTS.get(name, 0) for name in self._buf}
        self._cap = n
        self.declared: dict[str, tuple] = {}  # states added by mechanisms: name -> (dtype, default, per_domain)

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

    def add_state(self, name: str, dtype=np.float32, default: float = 0.0, per_domain: bool = False) -> np.ndarray:
        """Declare a per-actor array `name` (shape N, or N x D with `per_domain`) filled with
        `default`, kept as `actors.<name>` and grown with the actors; return it. Declaring
        the same state again returns it; a different declaration of a taken name is an error."""
        spec = (np.dtype(dtype), default, per_domain)
        if name in self.declared:
            if self.declared[name] != spec:
                raise MechanismError(f"actor state {name!r} is declared twice, differently: {self.declared[name]} and {spec}")
            return getattr(self, name)
        if name in self._buf or hasattr(type(self), name):
            raise MechanismError(f"actor state {name!r} clashes with a built-in actor field")
        tail = (self.domains,) if per_domain else ()
        self._buf[name] = np.full((self._cap,) + tail, default, spec[0])
        self._default[name] = default
        self.declared[name] = spec
        setattr(self, name, self._buf[name][:self.n])
        return getattr(self, name)

    def append(self, count: int, **values) -> np.ndarray:
        """Add `count` actors with the given attribute arrays (others take defaults); return
        their ids. Arrays keep spare capacity, so appending is amortised O(count)."""
        n = self.n
        new_n = n + count
        if new_n > self._cap:
            self._cap = capacity(new_n, self._cap)
            self._buf = {k: _grow(v, n, self._cap) for k, v in self._buf.items()}
        ids = np.arange(n, new_n)
        for name, buf in self._buf.items():
            view = buf[:new_n]
            view[n:] = self._default[name]
            if name in values:
                view[n:] = values[name]
            setattr(self, name, view)
        return ids


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
    asks: np.ndarray = field(default=None)  # int8 who asks whom: ASKS_A (a asks b), ASKS_B, MUTUAL
    # incidence: actor i's ties are tid[start[i] : start[i] + count[i]], nbr the other end
    start: np.ndarray = field(default=None)  # int64 N
    count: np.ndarray = field(default=None)  # int32 N
    cap: np.ndarray = field(default=None)  # int32 N
    nbr: np.ndarray = field(default=None)  # int32 pool
    tid: np.ndarray = field(default=None)  # int32 pool
    deg: np.ndarray = field(default=None)  # int32 N x 4 live ties per layer
    pool_end: int = 0  # used part of the nbr/tid pool
    free: np.ndarray = field(default=None)  # int32 stack of dead slots
    n_free: int = 0
    version: int = 0  # bumped whenever ties are added or removed
    n_added: int = 0  # ties added during the run (cumulative)
    n_removed: int = 0  # ties removed during the run (cumulative)

    EDGE_FIELDS = ("a", "b", "layer", "w", "trust", "dist", "born", "last_use", "alive", "active", "moved", "asks")

    @property
    def m(self) -> int:
        """Number of tie slots (alive or not)."""
        return len(self.a)

    @property
    def n_alive(self) -> int:
        return self.m - self.n_free

    @classmethod
    def from_edges(cls, n: int, a, b, layer, w, trust, dist, born, slack: float = 0.25, asks=None) -> Ties:
        """Ties a-b (a < b), built in O(N + E); `asks`: who asks whom per tie (`ASKS_A`,
        `ASKS_B`, `MUTUAL`; default mutual)."""
        m = len(a)
        own = lambda v, dt: np.array(v, dtype=dt, copy=True, order="C")  # noqa: E731  never alias inputs
        ties = cls(
            a=own(a, np.int32), b=own(b, np.int32), layer=own(layer, np.int8), w=own(w, np.float32),
            trust=own(trust, np.float32), dist=own(dist, np.float32),
            born=own(born, np.int32), last_use=np.maximum(own(born, np.int32), 0),  # unused since the start
            alive=np.ones(m, bool), active=np.zeros(m, bool), moved=np.zeros(m, bool),
            asks=np.full(m, MUTUAL, np.int8) if asks is None else own(asks, np.int8),
            free=np.zeros(0, np.int32),
        )
        ties.build_index(n, slack)
        return ties

    def build_index(self, n: int, slack: float = 0.25) -> None:
        """Build the incidence index in O(N + E), leaving `slack` spare room per actor."""
        live = np.flatnonzero(self.alive).astype(np.int32)
        total = np.bincount(self.a[live], minlength=n) + np.bincount(self.b[live], minlength=n)
        cap = (total + np.ceil(total * slack) + 2).astype(np.int32)
        start = np.zeros(n, np.int64)
        np.cumsum(cap[:-1], out=start[1:])
        self.pool_end = int(start[-1] + cap[-1]) if n else 0
        self.nbr = np.full(self.pool_end, -1, np.int32)
        self.tid = np.full(self.pool_end, -1, np.int32)
        self.count = np.zeros(n, np.int32)
        deg = np.zeros((n, 4), np.int32)
        _insert(live, self.a[live], self.b[live], self.layer, start, self.count, self.nbr, self.tid, deg)
        self.start, self.cap, self.deg = start, cap, deg
        self._start_buf, self._count_buf, self._cap_buf, self._deg_buf = start, self.count, cap, deg
        dead = np.flatnonzero(~self.alive).astype(np.int32)[::-1]
        self.free = np.concatenate([dead, np.zeros(max(16, len(dead)), np.int32)])
        self.n_free = len(dead)
        self.version += 1

    def degree(self, n: int | None = None, layer: int | None = None) -> np.ndarray:
        """Live ties per actor (of one layer, or all)."""
        return self.deg.sum(axis=1) if layer is None else self.deg[:, layer].copy()

    # -- changes in O(changed ties) ------------------------------------------------------
    def grow_actors(self, n: int) -> None:
        """Make room in the index for actors up to id n - 1 (after Actors.append); the
        per-actor arrays keep spare capacity, so this is amortised O(new actors)."""
        old = len(self.count)
        if n <= old:
            return
        if n > len(self._start_buf):
            cap = capacity(n, len(self._start_buf))
            self._start_buf = _grow(self._start_buf, old, cap)
            self._count_buf = _grow(self._count_buf, old, cap)
            self._cap_buf = _grow(self._cap_buf, old, cap)
            self._deg_buf = _grow(self._deg_buf, old, cap)
        self._start_buf[old:n] = self.pool_end
        self._count_buf[old:n] = 0
        self._cap_buf[old:n] = 0
        self._deg_buf[old:n] = 0
        self.start, self.count = self._start_buf[:n], self._count_buf[:n]
        self.cap, self.deg = self._cap_buf[:n], self._deg_buf[:n]

    def add(self, a, b, layer, w, trust, dist, born, asker=None) -> np.ndarray:
        """Add ties (pairs must be new and distinct); return their slot ids. `asker`: per tie,
        the end that asks the other (advice sought one way); default None, mutual."""
        a, b = np.asarray(a, np.int32), np.asarray(b, np.int32)
        k = len(a)
        if k == 0:
            return np.zeros(0, np.int32)
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        # slots: reuse dead ones (last freed first), then grow the edge arrays
        reuse = min(k, self.n_free)
        slots = self.free[self.n_free - reuse:self.n_free][::-1].copy()
        self.n_free -= reuse
        if k > reuse:
            m = self.m
            need = k - reuse
            cap = capacity(m + need, m)
            for name in self.EDGE_FIELDS:
                setattr(self, name, _grow(getattr(self, name), m, cap))
            spare = np.arange(cap - 1, m + need - 1, -1, dtype=np.int32)  # stack: lowest on top
            self._push_free(spare)
            slots = np.concatenate([slots, np.arange(m, m + need, dtype=np.int32)])
        def each(v):  # a value or one per tie, as an array of k
            if type(v) is np.ndarray and v.shape == (k,):
                return v
            return np.full(k, v) if np.ndim(v) == 0 else np.broadcast_to(np.asarray(v), (k,))
        # fill the slots; insert into the incidence lists unless some overflow
        over, adds = _place(slots, lo, hi, each(layer), each(w), each(trust), each(dist), each(born),
                            self.a, self.b, self.layer, self.w, self.trust, self.dist, self.born,
                            self.last_use, self.alive, self.active, self.moved,
                            self._scratch(len(self.count)), self.start, self.count, self.cap,
                            self.nbr, self.tid, self.deg)
        self.asks[slots] = MUTUAL if asker is None else np.where(np.asarray(asker) == lo, ASKS_A, ASKS_B)
        if len(over):  # make room for actors whose lists overflow, then insert
            new_cap = np.maximum(4, 2 * (self.count[over] + adds)).astype(np.int32)
            need = int(new_cap.sum())
            if self.pool_end + need > len(self.nbr):
                size = capacity(self.pool_end + need, len(self.nbr))
                self.nbr = _grow(self.nbr, self.pool_end, size)
                self.tid = _grow(self.tid, self.pool_end, size)
            self.pool_end = _relocate(over, new_cap, self.start, self.count, self.cap,
                                      self.nbr, self.tid, self.pool_end)
            _insert(slots, lo, hi, self.layer, self.start, self.count, self.nbr, self.tid, self.deg)
        self.version += 1
        self.n_added += k
        return slots

    def remove(self, slots) -> None:
        """Remove live ties by slot id (repeats and dead slots are ignored): each affected
        actor's list is compacted once, so the cost is the ties changed plus their lists."""
        slots = np.asarray(slots, np.int64)
        if len(slots) == 0:
            return
        gone = _kill_compact(slots, self.alive, self.active, self.moved, self.a, self.b, self.layer,
                             self.deg, self._scratch(len(self.count)), self.start, self.count,
                             self.tid, self.nbr)
        if len(gone) == 0:
            return
        self._push_free(gone)
        self.version += 1
        self.n_removed += len(gone)

    def _scratch(self, n: int) -> np.ndarray:
        """A zeroed int32 array of length >= n for tallies (returned to zeros after use)."""
        if getattr(self, "_tally_buf", None) is None or len(self._tally_buf) < n:
            self._tally_buf = np.zeros(capacity(n), np.int32)
        return self._tally_buf

    def remove_actor_ties(self, ids) -> int:
        """Remove every tie of the given actors (exits); return how many."""
        ids = np.asarray(ids, np.int64)
        if len(ids) == 0:
            return 0
        slots = _gather(ids, self.start, self.count, self.tid)
        before = self.n_removed
        self.remove(slots)
        return self.n_removed - before

    def _push_free(self, slots: np.ndarray) -> None:
        if self.n_free + len(slots) > len(self.free):
            self.free = _grow(self.free, self.n_free, max(self.n_free + len(slots), 2 * len(self.free)))
        self.free[self.n_free:self.n_free + len(slots)] = slots
        self.n_free += len(slots)

    def has(self, a, b) -> np.ndarray:
        """Whether each pair a[k]-b[k] is tied (bool array)."""
        return _has_tie(self.start, self.count, self.nbr, self.tid,
                        np.asarray(a, np.int64), np.asarray(b, np.int64))

    def neighbours(self, ids) -> np.ndarray:
        """The partners of the given actors over live ties, concatenated (with repeats)."""
        return _gather(np.asarray(ids, np.int64), self.start, self.count, self.nbr)

    def csr(self, rows=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The live network as a symmetric CSR adjacency (indptr, indices sorted within each
        row, strength weights): every actor's row, or only the rows of `rows` (the others left
        empty), which is all an ego measure of those actors and their partners reads."""
        n = len(self.count)
        rows = np.arange(n, dtype=np.int64) if rows is None else np.unique(np.asarray(rows, np.int64))
        return _csr_rows(rows, n, self.start, self.count, self.nbr, self.tid, self.w)

    def ties_of(self, i: int) -> np.ndarray:
        """Slot ids of actor i's live ties."""
        return self.tid[self.start[i]:self.start[i] + self.count[i]].copy()


@nb.njit(cache=True)
def _relocate(over, new_cap, start, count, cap, nbr, tid, pool_end):
    for k in range(len(over)):
        i = over[k]
        s = start[i]
        for p in range(count[i]):
            nbr[pool_end + p] = nbr[s + p]
            tid[pool_end + p] = tid[s + p]
        start[i] = pool_end
        cap[i] = new_cap[k]
        pool_end += new_cap[k]
    return pool_end


@nb.njit(cache=True)
def _insert(slots, lo, hi, layer, start, count, nbr, tid, deg):
    for k in range(len(slots)):
        t = slots[k]
        i = lo[k]
        j = hi[k]
        p = start[i] + count[i]
        nbr[p] = j
        tid[p] = t
        count[i] += 1
        p = start[j] + count[j]
        nbr[p] = i
        tid[p] = t
        count[j] += 1
        deg[i, layer[t]] += 1
        deg[j, layer[t]] += 1


@nb.njit(cache=True)
def _tally(ids, scratch):
    """Distinct ids in first-seen order and how often each occurs; scratch is left zeroed."""
    uniq = np.empty(len(ids), np.int64)
    m = 0
    for i in ids:
        if scratch[i] == 0:
            uniq[m] = i
            m += 1
        scratch[i] += 1
    counts = np.empty(m, np.int64)
    for k in range(m):
        counts[k] = scratch[uniq[k]]
        scratch[uniq[k]] = 0
    return uniq[:m], counts


@nb.njit(cache=True)
def _fill(slots, lo, hi, layer, w, trust, dist, born, A, B, L, W, TR, DI, BO, LU, AL, AC, MO):
    """Write new ties into their slots (values cast to the fields' types as numpy would)."""
    for k in range(len(slots)):
        t = slots[k]
        A[t] = lo[k]
        B[t] = hi[k]
        L[t] = layer[k]
        W[t] = w[k]
        TR[t] = trust[k]
        DI[t] = dist[k]
        BO[t] = born[k]
        LU[t] = born[k]
        AL[t] = True
        AC[t] = False
        MO[t] = False


@nb.njit(cache=True)
def _place(slots, lo, hi, layer, w, trust, dist, born, A, B, L, W, TR, DI, BO, LU, AL, AC, MO,
           scratch, start, count, cap, nbr, tid, deg):
    """`_fill`, then `_overflow`; when no incidence list overflows, `_insert` too (returning
    no actors), else the overflowing actors and their new ends (the caller makes room and
    inserts). One call for the usual case."""
    _fill(slots, lo, hi, layer, w, trust, dist, born, A, B, L, W, TR, DI, BO, LU, AL, AC, MO)
    over, adds = _overflow(lo, hi, scratch, count, cap)
    if len(over) == 0:
        _insert(slots, lo, hi, L, start, count, nbr, tid, deg)
    return over, adds


@nb.njit(cache=True)
def _overflow(lo, hi, scratch, count, cap):
    """The actors of lo then hi (distinct, first-seen order) whose incidence lists overflow
    with the new ends, and how many ends each gets (`_tally` then the capacity test, fused)."""
    ids = np.concatenate((lo, hi))
    ends, adds = _tally(ids, scratch)
    keep = np.empty(len(ends), np.bool_)
    for k in range(len(ends)):
        keep[k] = count[ends[k]] + adds[k] > cap[ends[k]]
    return ends[keep], adds[keep]


@nb.njit(cache=True)
def new_pairs(lo, hi, alive, n, start, count, nbr, tid):
    """Positions of the pairs lo[k]-hi[k] (lo <= hi) to tie: not a self-pair, both ends
    alive, the first occurrence of the pair, not tied yet; ascending (the callers' order).
    What `np.unique(lo * n + hi, return_index=True)` after the alive filter and `has`
    would keep, in one pass."""
    m = len(lo)
    ok = np.empty(m, np.bool_)
    for k in range(m):
        ok[k] = lo[k] != hi[k] and alive[lo[k]] and alive[hi[k]]
    key = lo * n + hi
    order = np.argsort(key, kind="mergesort")  # stable: the first occurrence leads each run
    prev_key = -1
    have = False
    for r in range(m):
        k = order[r]
        if not ok[k]:
            continue
        if have and key[k] == prev_key:
            ok[k] = False
        else:
            prev_key = key[k]
            have = True
    out = np.empty(m, np.int64)
    c = 0
    for k in range(m):
        if ok[k] and tie_slot(start, count, nbr, tid, lo[k], hi[k]) < 0:
            out[c] = k
            c += 1
    return out[:c]


@nb.njit(cache=True)
def _kill_compact(slots, alive, active, moved, a, b, layer, deg, scratch, start, count, tid, nbr):
    """`_kill`, then each affected actor's list compacted once (`_tally` of the ends, a
    then b, and `_compact`); returns the slots killed (int32)."""
    gone = _kill(slots, alive, active, moved, a, b, layer, deg)
    if len(gone) == 0:
        return gone.astype(np.int32)
    ends = np.empty(2 * len(gone), np.int64)
    for k in range(len(gone)):
        ends[k] = a[gone[k]]
        ends[len(gone) + k] = b[gone[k]]
    uniq, _ = _tally(ends, scratch)
    _compact(uniq, start, count, tid, nbr, alive)
    return gone.astype(np.int32)


@nb.njit(cache=True)
def _kill(slots, alive, active, moved, a, b, layer, deg):
    """Mark live slots dead (each once) and update degrees; return the slots killed."""
    out = np.empty(len(slots), np.int64)
    m = 0
    for t in slots:
        if alive[t]:
            alive[t] = False
            active[t] = False
            moved[t] = False
            deg[a[t], layer[t]] -= 1
            deg[b[t], layer[t]] -= 1
            out[m] = t
            m += 1
    return out[:m]


@nb.njit(cache=True)
def tie_slot(start, count, nbr, tid, i, j):
    """Slot of the live tie i-j in the incidence index, or -1 (scans the shorter list)."""
    if count[j] < count[i]:
        i, j = j, i
    for p in range(start[i], start[i] + count[i]):
        if nbr[p] == j:
            return tid[p]
    return -1


@nb.njit(cache=True)
def _has_tie(start, count, nbr, tid, a, b):
    """Whether each pair a[k]-b[k] is tied."""
    out = np.zeros(len(a), np.bool_)
    for k in range(len(a)):
        out[k] = tie_slot(start, count, nbr, tid, a[k], b[k]) >= 0
    return out


@nb.njit(cache=True)
def _csr_rows(rows, n, start, count, nbr, tid, w):
    indptr = np.zeros(n + 1, np.int64)
    for i in rows:
        indptr[i + 1] = count[i]
    for i in range(n):
        indptr[i + 1] += indptr[i]
    indices = np.empty(indptr[n], np.int32)
    weights = np.empty(indptr[n], np.float32)
    for i in rows:
        s = start[i]
        order = np.argsort(nbr[s:s + count[i]])
        for k in range(count[i]):
            indices[indptr[i] + k] = nbr[s + order[k]]
            weights[indptr[i] + k] = w[tid[s + order[k]]]
    return indptr, indices, weights


@nb.njit(cache=True)
def _gather(ids, start, count, pool):
    """The incidence entries (`tid` or `nbr`) of the given actors, concatenated."""
    n = 0
    for i in ids:
        n += count[i]
    out = np.empty(n, np.int32)
    n = 0
    for i in ids:
        for p in range(start[i], start[i] + count[i]):
            out[n] = pool[p]
            n += 1
    return out


@nb.njit(cache=True)
def _compact(actors, start, count, tid, nbr, alive):
    """Drop dead ties from the given actors' incidence lists, keeping the order of the rest."""
    for i in actors:
        s = start[i]
        keep = 0
        for p in range(s, s + count[i]):
            t = tid[p]
            if alive[t]:
                tid[s + keep] = t
                nbr[s + keep] = nbr[p]
                keep += 1
        for p in range(s + keep, s + count[i]):
            tid[p] = -1
            nbr[p] = -1
        count[i] = keep


@dataclass
class Technology:
    """The technology regime: global frontier, market relevance per domain, and the market
    conditions that shocks change (demand level, competitiveness bar)."""

    frontier: np.ndarray  # float32 D, knowledge level at the global frontier
    relevance: np.ndarray  # float32 D, market relevance, sums to 1
    demand: float = 1.0  # market demand level (recession < 1)
    bar: float = 0.0  # extra competitiveness required by global competition
    recession_until: int = -1  # step at which the running recession ends (-1: none)

    def frontier_level(self) -> float:
        return float(np.dot(self.relevance, self.frontier))

    def shift(self, held: np.ndarray, k: int, share: float, jump: float) -> list[int]:
        """A trajectory shift: move `share` of market relevance to the k domains with the
        least knowledge `held` (per domain), which the frontier there rises by `jump`;
        return those domains."""
        k = min(k, len(held))
        new = np.argsort(held, kind="stable")[:k]
        target = np.zeros_like(self.relevance)
        target[new] = 1.0 / k
        self.relevance[:] = ((1 - share) * self.relevance + share * target).astype(np.float32)
        self.frontier[new] *= np.float32(1.0 + jump)
        return [int(d) for d in new]

    def start_recession(self, demand: float, until: int) -> None:
        self.demand = demand
        self.recession_until = until

    def end_recession(self, now: int) -> None:
        """End the running recession if it is due."""
        if self.recession_until >= 0 and now >= self.recession_until:
            self.demand = 1.0
            self.recession_until = -1

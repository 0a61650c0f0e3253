"""A uniform grid over the region: O(N) to build, O(1) to find actors near a point.

Actors are bucketed by (class, cell), where the class is whatever the caller needs to
search by (value-chain stage, institution, ...). Nothing here is N x N.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from .fast import clip


LARGE = 100_000  # actors; above this, spatial indexes are rebuilt by turnover, not yearly
TURNOVER = 0.05  # share of entrants that makes a rebuild due in a large model
MAX_CELLS = 1 << 22  # buckets of a grid (classes x cells): bounds its memory for any scale


def rebuild_due(sim, built_t: int, built_n: int) -> bool:
    """Whether an index built at step `built_t` over `built_n` actors should be rebuilt: only
    entrants make it stale (exited actors are skipped). In small models once a year; in
    large ones once entrants reach TURNOVER of the actors, so the O(N) rebuild is amortised
    over O(N) changes."""
    entrants = sim.actors.n - built_n
    if entrants <= 0:
        return False
    if built_n > LARGE:
        return entrants >= TURNOVER * built_n
    return sim.t - built_t >= sim.scenario.steps_per_year


def morton_order(x: np.ndarray, y: np.ndarray, bits: int = 12) -> np.ndarray:
    """Permutation that orders points along a Z-order curve (ids then follow space)."""
    if len(x) == 0:
        return np.zeros(0, np.int64)
    side = (1 << bits) - 1
    span = max(float(np.ptp(x)), float(np.ptp(y)), 1e-9)
    ix = ((x - x.min()) / span * side).astype(np.uint64)
    iy = ((y - y.min()) / span * side).astype(np.uint64)
    return np.argsort(_interleave(ix) | (_interleave(iy) << np.uint64(1)), kind="stable")


def _interleave(v: np.ndarray) -> np.ndarray:
    v = v & np.uint64(0xFFFF)
    v = (v | (v << np.uint64(8))) & np.uint64(0x00FF00FF)
    v = (v | (v << np.uint64(4))) & np.uint64(0x0F0F0F0F)
    v = (v | (v << np.uint64(2))) & np.uint64(0x33333333)
    v = (v | (v << np.uint64(1))) & np.uint64(0x55555555)
    return v


class Grid:
    """Actors bucketed by class and square cell of side `cell_km`.

    `cls` is an int array (negative = not indexed). Members of (c, cell) are
    ``members[offsets[c * ncells + cell] : offsets[c * ncells + cell + 1]]``.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, cls: np.ndarray, cell_km: float):
        keep = np.flatnonzero(cls >= 0)
        nclasses = int(cls.max()) + 1 if len(keep) else 1
        if len(keep):
            self.x0 = float(x[keep].min())
            self.y0 = float(y[keep].min())
            w, h = float(x[keep].max()) - self.x0, float(y[keep].max()) - self.y0
            # at most MAX_CELLS buckets: a small scale over a wide region coarsens the cells
            cell_km = max(float(cell_km), np.sqrt(w * h * nclasses / MAX_CELLS),
                          (w + h) * nclasses / MAX_CELLS)
            self.nx = int(w // cell_km) + 1
            self.ny = int(h // cell_km) + 1
        else:
            self.x0 = self.y0 = 0.0
            self.nx = self.ny = 1
        self.cell_km = float(cell_km)
        self.ncells = self.nx * self.ny
        self.nclasses = nclasses
        cell = self.cell_of(x[keep], y[keep])
        key = cls[keep].astype(np.int64) * self.ncells + cell
        order = np.argsort(key, kind="stable")
        self.members = keep[order].astype(np.int32)
        counts = np.bincount(key, minlength=self.nclasses * self.ncells)
        self.offsets = np.zeros(len(counts) + 1, np.int64)
        np.cumsum(counts, out=self.offsets[1:])
        # all members of a class, for fallbacks
        class_counts = np.bincount(cls[keep], minlength=self.nclasses)
        self.class_offsets = np.zeros(self.nclasses + 1, np.int64)
        np.cumsum(class_counts, out=self.class_offsets[1:])

    def cell_of(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        cx = clip(((x - self.x0) // self.cell_km).astype(np.int64), 0, self.nx - 1)
        cy = clip(((y - self.y0) // self.cell_km).astype(np.int64), 0, self.ny - 1)
        return cy * self.nx + cx

    def pick_near(self, rng: np.random.Generator, x: np.ndarray, y: np.ndarray, cls: np.ndarray,
                  scale_km: float, tries: int = 4) -> np.ndarray:
        """For each query point, a random member of class `cls` near it (-1 if the class is empty).

        A target point is drawn at an exponential distance (mean `scale_km`) in a random
        direction and a random member of its cell is taken; empty cells are retried, and
        after `tries` a random member of the class anywhere is taken.
        """
        n = len(x)
        out = np.full(n, -1, np.int64)
        todo = np.flatnonzero((cls >= 0) & (cls < self.nclasses))  # other classes have no members
        for _ in range(tries):
            if len(todo) == 0:
                break
            r = rng.exponential(scale_km, len(todo))
            ang = rng.uniform(0, 2 * np.pi, len(todo))
            u = rng.random(len(todo))
            todo = _pick_cells(todo, x, y, r * np.cos(ang), r * np.sin(ang), cls, u, self.x0, self.y0,
                               self.cell_km, self.nx, self.ny, self.ncells, self.offsets, self.members, out)
        if len(todo):
            out[todo] = self.pick_any(rng, cls[todo])
        return out

    def pick_any(self, rng: np.random.Generator, cls: np.ndarray) -> np.ndarray:
        """For each entry of `cls`, a uniformly drawn member of that class anywhere (-1 if
        the class is empty or out of range)."""
        cls = np.asarray(cls, np.int64)
        out = np.full(len(cls), -1, np.int64)
        u = rng.random(len(cls))
        ok = (cls >= 0) & (cls < self.nclasses)
        c = cls[ok]
        lo, hi = self.class_offsets[c], self.class_offsets[c + 1]
        pos = lo + (u[ok] * (hi - lo)).astype(np.int64)
        out[np.flatnonzero(ok)[hi > lo]] = self.members[pos[hi > lo]]
        return out

    def within(self, x: np.ndarray, y: np.ndarray, cls: np.ndarray, radius_km: float,
               max_per: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """For each actor i (cls >= 0): up to `max_per` other actors of its class within
        `radius_km`, as a CSR (indptr, indices); a random subset when there are more."""
        reach = int(np.ceil(radius_km / self.cell_km))
        seeds = rng.integers(0, 2**63 - 1, size=len(x), dtype=np.int64)
        return _within(x.astype(np.float64), y.astype(np.float64), cls.astype(np.int64),
                       self.members, self.offsets, self.x0, self.y0, self.cell_km, self.nx,
                       self.ny, self.ncells, reach, float(radius_km), int(max_per), seeds)


@nb.njit(cache=True)
def _pick_cells(todo, x, y, dx, dy, cls, u, x0, y0, cell_km, nx, ny, ncells, offsets, members, out):
    """One try of `Grid.pick_near` after its draws: for each query todo[k], the cell of the
    point (x + dx, y + dy) (as `cell_of`), and a member of its class there, taken by u[k]
    (written to out); returns the queries whose cell was empty, in order."""
    left = np.empty(len(todo), todo.dtype)
    m = 0
    for k in range(len(todo)):
        q = todo[k]
        cx = min(max(np.int64((x[q] + dx[k] - x0) // cell_km), 0), nx - 1)
        cy = min(max(np.int64((y[q] + dy[k] - y0) // cell_km), 0), ny - 1)
        key = np.int64(cls[q]) * ncells + cy * nx + cx
        lo, hi = offsets[key], offsets[key + 1]
        if hi > lo:
            out[q] = members[lo + np.int64(u[k] * (hi - lo))]
        else:
            left[m] = q
            m += 1
    return left[:m]


@nb.njit(cache=True)
def _within(x, y, cls, members, offsets, x0, y0, cell_km, nx, ny, ncells, reach, radius, max_per, seeds):
    n = len(x)
    counts = np.zeros(n, np.int64)
    buf = np.empty((n, max_per), np.int32)
    r2 = radius * radius
    for i in range(n):
        c = cls[i]
        if c < 0:
            continue
        cx = min(max(int((x[i] - x0) // cell_km), 0), nx - 1)
        cy = min(max(int((y[i] - y0) // cell_km), 0), ny - 1)
        seen = 0
        state = np.uint64(seeds[i]) | np.uint64(1)
        for gy in range(max(cy - reach, 0), min(cy + reach + 1, ny)):
            for gx in range(max(cx - reach, 0), min(cx + reach + 1, nx)):
                key = c * ncells + gy * nx + gx
                for p in range(offsets[key], offsets[key + 1]):
                    j = members[p]
                    if j == i:
                        continue
                    dx = x[j] - x[i]
                    dy = y[j] - y[i]
                    if dx * dx + dy * dy > r2:
                        continue
                    # reservoir sampling with a per-actor xorshift stream
                    if seen < max_per:
                        buf[i, seen] = j
                    else:
                        state ^= state << np.uint64(13)
                        state ^= state >> np.uint64(7)
                        state ^= state << np.uint64(17)
                        k = int(state % np.uint64(seen + 1))
                        if k < max_per:
                            buf[i, k] = j
                    seen += 1
        counts[i] = min(seen, max_per)
    indptr = np.zeros(n + 1, np.int64)
    for i in range(n):
        indptr[i + 1] = indptr[i] + counts[i]
    indices = np.empty(indptr[n], np.int32)
    for i in range(n):
        for k in range(counts[i]):
            indices[indptr[i] + k] = buf[i, k]
    return indptr, indices

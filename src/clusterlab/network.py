"""The multiplex network: the starting ties, and new ties during a run (docs/odd.md, 5.2;
Wang 2013).

Four layers: horizontal (same stage, competitors), vertical (adjacent stages, supplier and
customer), multi-angle (firms and institutions) and pipeline (cluster actors and externals,
Bathelt et al. 2004). Local partners are found through a spatial grid at an exponential
distance (mean ``network.tie_km``), so generation is O(N + E): no distance matrix.
`connect` ties pairs during a run (mechanisms call it as `sim.connect`) and
`pick_externals` finds pipeline partners in a chosen field. Parent-subsidiary ties draw
their attributes after all other ties, so population.subsidiary_share moves no other draw
(common random numbers for paired comparisons).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from .fast import clip
from .params import Network
from .spatial import Grid
from .state import (CLUSTER_ORG, EXTERNAL, FOCAL, HORIZONTAL, INSTITUTE, MULTI_ANGLE,
                    PIPELINE, SME, UNIVERSITY, VERTICAL, Actors, Ties, new_pairs)


def layer_of(kind: np.ndarray, stage: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The layer a tie between a and b belongs to, from the kinds and stages of its ends."""
    return _layers(kind, stage, np.asarray(a, np.int64), np.asarray(b, np.int64))


@nb.njit(cache=True)
def _layers(kind, stage, a, b):
    out = np.empty(len(a), np.int8)
    for k in range(len(a)):
        ka, kb = kind[a[k]], kind[b[k]]
        if ka == EXTERNAL or kb == EXTERNAL:
            out[k] = PIPELINE
        elif ka > SME or kb > SME:
            out[k] = MULTI_ANGLE
        elif stage[a[k]] == stage[b[k]]:
            out[k] = HORIZONTAL
        else:
            out[k] = VERTICAL
    return out


def _stubs(rng, ids: np.ndarray, mean: np.ndarray | float) -> np.ndarray:
    """Repeat each id a Poisson(mean) number of times (the tie ends it starts)."""
    counts = rng.poisson(np.broadcast_to(mean, ids.shape))
    return np.repeat(ids, counts)


def make_ties(net: Network, stages: int, steps_per_year: int, actors: Actors,
              rng: np.random.Generator) -> Ties:
    """The starting network of a generated cluster (see the module docstring)."""
    n = actors.n
    kind, stage = actors.kind, actors.stage
    x, y = actors.x.astype(np.float64), actors.y.astype(np.float64)
    firm = np.flatnonzero(kind <= SME)
    pairs_a, pairs_b = [], []

    def add(src, dst):
        ok = dst >= 0
        pairs_a.append(src[ok])
        pairs_b.append(dst[ok])

    # horizontal and vertical: partners of a given stage near the firm
    by_stage = Grid(x, y, np.where(kind <= SME, stage, -1).astype(np.int64), net.tie_km)
    src = _stubs(rng, firm, net.horizontal_degree / 2)
    add(src, by_stage.pick_near(rng, x[src], y[src], stage[src].astype(np.int64), net.tie_km))
    if stages > 1:
        boost = np.where(kind[firm] == FOCAL, net.focal_vertical_boost, 1.0)
        src = _stubs(rng, firm, boost * net.vertical_degree / 2)
        up = rng.random(len(src)) < 0.5
        target = stage[src].astype(np.int64) + np.where(up, 1, -1)
        target = np.where(target < 0, 1, np.where(target >= stages, stages - 2, target))
        add(src, by_stage.pick_near(rng, x[src], y[src], target, net.tie_km))

    # multi-angle: firms and institutions (cluster organisations by membership below)
    inst = (kind > SME) & (kind != EXTERNAL) & (kind != CLUSTER_ORG)
    if inst.any():
        grid = Grid(x, y, np.where(inst, 0, -1).astype(np.int64), 3 * net.tie_km)
        src = _stubs(rng, firm, net.multi_angle_degree)
        add(src, grid.pick_near(rng, x[src], y[src], np.zeros(len(src), np.int64), 3 * net.tie_km))
    for co in np.flatnonzero(kind == CLUSTER_ORG):
        members = firm[rng.random(len(firm)) < net.cluster_org_members]
        add(members, np.full(len(members), co))

    # pipelines: firms by openness, universities and institutes, to externals in their field
    if (kind == EXTERNAL).any():
        rate = np.where(kind[firm] == FOCAL, net.focal_pipelines, net.sme_pipelines) * actors.openness[firm]
        src = _stubs(rng, firm, rate)
        research = np.flatnonzero((kind == UNIVERSITY) | (kind == INSTITUTE))
        src = np.concatenate([src, _stubs(rng, research, net.institution_pipelines)])
        add(src, pick_externals(actors, src, rng))

    a = np.concatenate(pairs_a).astype(np.int64) if pairs_a else np.zeros(0, np.int64)
    b = np.concatenate(pairs_b).astype(np.int64) if pairs_b else np.zeros(0, np.int64)
    key = _keys(a, b, n)
    # business groups: every subsidiary is tied to its parent (organisational proximity).
    # These ties come last and draw their attributes after the others, so the rest of the
    # network does not move with population.subsidiary_share (common random numbers).
    sub = np.flatnonzero(actors.group != np.arange(n))
    extra = np.setdiff1d(_keys(sub, actors.group[sub].astype(np.int64), n), key)
    parts = []
    for k in (key, extra):
        ka, kb = (k // n).astype(np.int32), (k % n).astype(np.int32)
        layer, w, trust, dist = tie_attributes(net, actors, ka, kb, rng)
        layer[(actors.group[ka] == actors.group[kb]) & (layer != PIPELINE)] = VERTICAL
        born = -rng.integers(0, int(net.max_age_years * steps_per_year) + 1, len(ka))
        parts.append((ka, kb, layer, w, trust, dist, born))
    return Ties.from_edges(n, *(np.concatenate(col) for col in zip(*parts)))


def _keys(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """The distinct pairs a-b (no self-pairs) as sorted keys lo * n + hi."""
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    return np.unique(lo[lo != hi] * n + hi[lo != hi])


def pick_externals(actors: Actors, ids: np.ndarray, rng: np.random.Generator,
                   relevance: np.ndarray | None = None, explore: float = 0.0) -> np.ndarray:
    """For each actor, an alive external partner in a chosen field: one whose strongest
    domain is one of the actor's two strongest (firms seek partners they can learn from;
    Nooteboom 2000) or, with probability `explore`, a domain drawn by market `relevance`
    (firms search where the market goes; Bathelt et al. 2004); a random external where no
    external specialises in the field."""
    ext, by_field, offsets = _externals_by_field(actors.kind, actors.alive, actors.T, actors.E)
    out = np.full(len(ids), -1, np.int64)
    if len(ext) == 0 or len(ids) == 0:
        return out
    D = actors.domains
    K = actors.T[ids] + actors.E[ids]
    best2 = np.argpartition(-K, min(1, D - 1), axis=1)[:, : min(2, D)] if D > 1 else np.zeros((len(ids), 1), np.int64)
    field = best2[np.arange(len(ids)), rng.integers(0, best2.shape[1], len(ids))]
    if relevance is not None and explore > 0:
        search = rng.random(len(ids)) < explore
        cdf = np.cumsum(relevance, dtype=np.float64)
        drawn = np.searchsorted(cdf / cdf[-1], rng.random(int(search.sum())), side="right")
        field[search] = np.minimum(drawn, D - 1)
    u = rng.random(len(ids))
    rest = _pick_in_field(field, u, offsets, by_field, out)
    out[rest] = ext[rng.integers(0, len(ext), len(rest))]
    return out


@nb.njit(cache=True)
def _externals_by_field(kind, alive, T, E):
    """The alive externals (ascending), the same grouped by field (strongest domain of
    T + E, the first on ties, as np.argmax) in a stable order, and each field's offsets in that list."""
    n, D = T.shape
    ext = np.empty(n, np.int64)
    top = np.empty(n, np.int64)
    m = 0
    for i in range(n):
        if kind[i] == EXTERNAL and alive[i]:
            d_best = 0
            v_best = T[i, 0] + E[i, 0]
            for d in range(1, D):
                if np.isnan(v_best):  # np.argmax takes the first NaN
                    break
                v = T[i, d] + E[i, d]
                if v > v_best or np.isnan(v):
                    v_best = v
                    d_best = d
            ext[m] = i
            top[m] = d_best
            m += 1
    offsets = np.zeros(D + 1, np.int64)
    for r in range(m):
        offsets[top[r] + 1] += 1
    for d in range(D):
        offsets[d + 1] += offsets[d]
    fill = offsets[:D].copy()
    by_field = np.empty(m, np.int64)
    for r in range(m):
        by_field[fill[top[r]]] = ext[r]
        fill[top[r]] += 1
    return ext[:m], by_field, offsets


@nb.njit(cache=True)
def _pick_in_field(field, u, offsets, by_field, out):
    """out[k] = the external of field[k] taken by u[k]; returns the positions whose field
    has no external (in order)."""
    rest = np.empty(len(field), np.int64)
    m = 0
    for k in range(len(field)):
        lo, hi = offsets[field[k]], offsets[field[k] + 1]
        if hi > lo:
            out[k] = by_field[lo + np.int64(u[k] * (hi - lo))]
        else:
            rest[m] = k
            m += 1
    return rest[:m]


@nb.njit(cache=True)
def pipeline_cost_share(size, cost_size):
    """Share of `network.pipeline_cost` a firm of `size` employees pays per pipeline:
    min(1, size / cost_size), all of it when cost_size is 0 (docs/odd.md, 7.15)."""
    return min(1.0, size / cost_size) if cost_size > 0.0 else 1.0


def pipeline_cost_shares(size: np.ndarray, cost_size: float) -> np.ndarray:
    """`pipeline_cost_share` of many firms (float64)."""
    size = np.asarray(size, np.float64)
    return np.minimum(1.0, size / cost_size) if cost_size > 0 else np.ones_like(size)


STRENGTH_CONCENTRATION = 6.0  # a new tie's strength is Beta(6 mean, 6 (1 - mean)), mean by layer


def tie_attributes(net: Network, actors: Actors, a: np.ndarray, b: np.ndarray, rng: np.random.Generator):
    """Layer (from the ends), initial strength, trust and length of new ties a-b."""
    a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
    strength = np.array([net.strength_horizontal, net.strength_vertical,
                         net.strength_multi_angle, net.strength_pipeline])
    layer, alpha, beta, trust0, dx, dy = _attributes(
        actors.kind, actors.stage, actors.culture, actors.x, actors.y, a, b, strength,
        float(net.trust_pipeline), float(net.trust_local), float(net.trust_culture_bonus), STRENGTH_CONCENTRATION)
    w = rng.beta(alpha, beta)
    trust = clip(trust0 + rng.normal(0, 0.1, len(a)), 0, 1)
    dist = np.hypot(dx, dy)
    return layer, w, trust, dist


@nb.njit(cache=True)
def _attributes(kind, stage, culture, x, y, a, b, strength, trust_pipeline, trust_local, bonus, conc):
    """The deterministic part of `tie_attributes` in one pass: layer, the beta parameters of
    the strength (conc * mean, conc * (1 - mean)), trust before noise and the ends' offsets
    (in the coordinates' dtype, as numpy computes them; the caller takes np.hypot)."""
    m = len(a)
    layer = _layers(kind, stage, a, b)
    alpha = np.empty(m, np.float64)
    beta = np.empty(m, np.float64)
    trust0 = np.empty(m, np.float64)
    dx = np.empty(m, x.dtype)
    dy = np.empty(m, y.dtype)
    for k in range(m):
        mean = strength[layer[k]]
        alpha[k] = conc * mean
        beta[k] = conc * (1.0 - mean)
        t = trust_pipeline if layer[k] == PIPELINE else trust_local
        same = 1.0 if culture[a[k]] == culture[b[k]] else 0.0
        trust0[k] = t + bonus * same
        dx[k] = x[a[k]] - x[b[k]]
        dy[k] = y[a[k]] - y[b[k]]
    return layer, alpha, beta, trust0, dx, dy


def connect(actors: Actors, ties: Ties, net: Network, now: int, a, b, rng: np.random.Generator,
            w=None, trust=None, asks: bool = False) -> np.ndarray:
    """Add ties a-b during a run (born `now`); self-pairs, repeated pairs, pairs that are
    already tied and pairs with a dead end are dropped. Returns the new tie slots. `asks`:
    each a asks its b (advice sought one way, `Ties.asks`); default mutual."""
    # distinct live pairs not tied yet, in the callers' order (deterministic and meaningful)
    lo, hi, first = _new_ties(np.asarray(a, np.int64), np.asarray(b, np.int64), actors.alive, actors.n,
                              ties.start, ties.count, ties.nbr, ties.tid)
    if len(lo) == 0:
        return np.zeros(0, np.int32)
    layer, w0, trust0, dist = tie_attributes(net, actors, lo, hi, rng)
    w = w0 if w is None else np.broadcast_to(w, lo.shape)
    trust = trust0 if trust is None else np.broadcast_to(trust, lo.shape)
    return ties.add(lo, hi, layer, w, trust, dist, now, asker=np.where(first, lo, hi) if asks else None)


@nb.njit(cache=True)
def _new_ties(a, b, alive, n, start, count, nbr, tid):
    """The pairs of `connect` as (lo, hi), with `new_pairs` applied, and whether a was lo."""
    lo = np.minimum(a, b)
    hi = np.maximum(a, b)
    new = new_pairs(lo, hi, alive, n, start, count, nbr, tid)
    return lo[new], hi[new], (a <= b)[new]

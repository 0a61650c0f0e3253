"""Openness strategy: pipelines cost, local imitation is free (Wang 2013, "The lock-in of
localized innovation network": "knowledge flows through external linkage are not automatic
and participation is not free. So, most clustering enterprises might select an 'inward
looking' innovation strategy"; Bathelt, Malmberg & Maskell 2004; Schmitz 1999 on free
riding; Boschma 2005 and Levitt & March on the competency trap).

Each firm has an openness o in [0, 1]. Every year a share `review_per_year` of firms reviews
it (a random draw per firm and step):

- a firm with pipelines weighs what they brought against what they cost,
      value = value_per_knowledge * recent pipeline inflow   (smoothed, `actors.recent`)
      cost  = pipelines * network.pipeline_cost * (1 - network.pipeline_subsidy)
              * min(1, size / network.pipeline_cost_size)   (the share the market charges)
      o += adapt * (value - cost) / (value + cost)
- a firm without pipelines cannot see what they would bring; it imitates the openness of
  its most knowledgeable local partner (o += imitation * (o_best - o)): conformism, which
  can spread an inward-looking strategy (Boschma 2005).
Then the firm moves its pipelines one step toward its target, round(rate * o), with rate the
network's `focal_pipelines` or `sme_pipelines`: it drops its weakest pipeline or opens one
to an external partner in its own field or, with probability `explore`, in a field drawn
by market relevance (`network.pick_externals`). The `market` charges the same pipeline cost;
the subsidy is the share paid by policy (events `subsidise_pipelines`, `cut_support`).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from ..network import pick_externals, pipeline_cost_share
from ..params import Field, MechanismParams
from ..state import FOCAL, PIPELINE, SME
from ..mechanism import Mechanism
from ..kernels import parallel_njit


@parallel_njit(cache=True)
def _best_partner_openness(ids, start, count, nbr, tid, layer, kind, alive, level, openness):
    """Openness of each firm's most knowledgeable local firm partner (-1 if none)."""
    out = np.full(len(ids), -1.0)
    for k in nb.prange(len(ids)):
        i = ids[k]
        best = -1.0
        for e in range(start[i], start[i] + count[i]):
            j = nbr[e]
            if layer[tid[e]] == PIPELINE or kind[j] > SME or not alive[j]:
                continue
            if level[j] > best:
                best = level[j]
                out[k] = openness[j]
    return out


@nb.njit(cache=True)
def _review(ids, deg, recent, openness, kind, best, value_per_knowledge, pipeline_cost, unpaid,
            adapt, imitation, focal_rate, sme_rate, size, pipe_size):
    """The reviews of firms `ids` (see the module docstring), in float64 as numpy did them:
    openness updated in place (stored as float32); returns the firms above their target
    number of pipelines (to drop one) and those below it (to open one), in order."""
    m = len(ids)
    drop = np.empty(m, ids.dtype)
    add = np.empty(m, ids.dtype)
    n_drop = 0
    n_add = 0
    for k in range(m):
        i = ids[k]
        pipes = np.float64(deg[i, PIPELINE])
        o = np.float64(openness[i])
        if pipes > 0:
            value = value_per_knowledge * np.float64(recent[i, PIPELINE])
            cost = pipes * pipeline_cost * unpaid * pipeline_cost_share(np.float64(size[i]), pipe_size)
            denom = value + cost if value + cost > 0 else 1.0
            o += adapt * ((value - cost) / denom)
        elif best[k] >= 0:
            o += imitation * (best[k] - o)
        o32 = np.float32(min(max(o, 0.0), 1.0))
        openness[i] = o32
        rate = focal_rate if kind[i] == FOCAL else sme_rate
        target = _round_half_even(rate * np.float64(o32))
        if pipes > target:
            drop[n_drop] = i
            n_drop += 1
        elif pipes < target:
            add[n_add] = i
            n_add += 1
    return drop[:n_drop], add[:n_add]


@nb.njit(cache=True)
def _round_half_even(x):
    """np.round(x) (half to even) of a float64, exactly."""
    r = np.floor(x)
    d = x - r
    if d > 0.5 or (d == 0.5 and r % 2.0 != 0.0):
        r += 1.0
    return r


@nb.njit(cache=True)
def _weakest_pipeline(ids, start, count, tid, layer, w):
    out = np.full(len(ids), -1, np.int64)
    for k in range(len(ids)):
        i = ids[k]
        lo = 2.0
        for e in range(start[i], start[i] + count[i]):
            t = tid[e]
            if layer[t] == PIPELINE and w[t] < lo:
                lo = w[t]
                out[k] = t
    return out


class Openness(Mechanism):
    name = "openness"
    records = {"pipelines_opened": "pipelines opened by openness reviews this step",
               "pipelines_dropped": "pipelines dropped by openness reviews this step"}

    class Params(MechanismParams):
        value_per_knowledge: float = Field(6.0, ge=0, le=10_000, description="what a firm reckons a unit of pipeline inflow is worth (revenue units)")
        review_per_year: float = Field(1.0, ge=0, le=365, description="openness reviews per firm per year")
        adapt: float = Field(0.1, ge=0, le=1, description="largest change of openness in one review")
        imitation: float = Field(0.3, ge=0, le=1, description="pull toward the best partner's openness for firms without pipelines")
        explore: float = Field(0.5, ge=0, le=1, description="share of new pipelines sought in market-relevant fields rather than the firm's own")

    def step(self, sim) -> None:
        a, ties, p = sim.actors, sim.ties, self.pars
        rng = sim.rng("openness")
        firms = np.flatnonzero(a.is_firm)
        chance = min(1.0, p.review_per_year / sim.scenario.steps_per_year)
        ids = firms[rng.random(len(firms)) < chance]
        if len(ids) == 0:
            return
        net = sim.scenario.network
        best = _best_partner_openness(ids, ties.start, ties.count, ties.nbr, ties.tid, ties.layer,
                                      a.kind, a.alive, sim.knowledge_level(), a.openness)
        drop, add = _review(ids, ties.deg, a.recent, a.openness, a.kind, best, p.value_per_knowledge,
                            net.pipeline_cost, 1.0 - net.pipeline_subsidy, p.adapt, p.imitation,
                            net.focal_pipelines, net.sme_pipelines, a.size, float(net.pipeline_cost_size))
        weakest = _weakest_pipeline(drop, ties.start, ties.count, ties.tid, ties.layer, ties.w)
        weakest = weakest[weakest >= 0]
        ties.remove(weakest)
        partner = pick_externals(a, add, rng, sim.tech.relevance, p.explore)
        made = sim.connect(add[partner >= 0], partner[partner >= 0], rng)
        sim.stats["pipelines_dropped"] += float(len(weakest))
        sim.stats["pipelines_opened"] += float(len(made))

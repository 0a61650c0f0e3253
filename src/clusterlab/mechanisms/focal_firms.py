"""Focal firms train their suppliers and customers (Wang 2013, "The role of focal firms";
Lorenzoni & Baden-Fuller 1995; Lazerson & Lorenzoni 1999; Nijdam & De Langen 2003 on
investments with positive externalities; Malipiero, Munari & Sobrero 2005 and Giuliani &
Bell 2005 on technological gatekeepers).

Focal firms lead joint projects (`projects`), hold many pipelines (`network`, `openness`)
and invest in their vertical partners: each step, every vertical tie from a focal firm to an
SME is a training occasion with probability `training_per_year / steps_per_year`, in which
the SME learns tacit knowledge (training is hands-on) from the focal firm:

    dT_j[d] = training_rate * A_j * max(0, T_focal[d] - T_j[d])

independent of the tie's activation and of trust (it is the focal firm's investment). The
knowledge flows as vertical learning and carries the focal firm's external knowledge into
the cluster: the origin tracer marks it as gatekept (column `gatekeeper_share`).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from ..knowledge import origin_parts
from ..params import Field, MechanismParams
from ..state import EXTERNAL, FOCAL, SME, VERTICAL
from ..mechanism import Mechanism
from ..kernels import parallel_njit


@parallel_njit(cache=True)
def _pairs(focal, start, count, nbr, tid, layer, kind, alive):
    """(focal firm, SME partner) over live vertical ties, in focal order."""
    m = len(focal)
    n = np.zeros(m + 1, np.int64)
    for k in nb.prange(m):
        f = focal[k]
        c = 0
        for e in range(start[f], start[f] + count[f]):
            j = nbr[e]
            if layer[tid[e]] == VERTICAL and kind[j] == SME and alive[j]:
                c += 1
        n[k + 1] = c
    off = np.cumsum(n)
    src = np.empty(off[m], np.int64)
    dst = np.empty(off[m], np.int64)
    for k in nb.prange(m):
        f = focal[k]
        p = off[k]
        for e in range(start[f], start[f] + count[f]):
            j = nbr[e]
            if layer[tid[e]] == VERTICAL and kind[j] == SME and alive[j]:
                src[p] = f
                dst[p] = j
                p += 1
    return src, dst


@nb.njit(cache=True)
def _train(src, dst, T, A, kind, ext, via, rate, inflow, inflow_ext, inflow_via):
    total = 0.0
    for k in range(len(src)):
        f = src[k]
        j = dst[k]
        got = 0.0
        for d in range(T.shape[1]):
            g = T[f, d] - T[j, d]
            if g > 0.0:
                x = rate * A[j] * g
                T[j, d] += x
                got += x
        fe, fv = origin_parts(kind[f], ext[f], via[f], FOCAL, EXTERNAL)
        inflow[j, VERTICAL] += got
        inflow_ext[j] += got * fe
        inflow_via[j] += got * fv
        total += got
    return total


class FocalFirms(Mechanism):
    name = "focal_firms"
    records = {"trainings": "training occasions of focal firms with their SME partners this step"}

    class Params(MechanismParams):
        training_per_year: float = Field(1.0, ge=0, le=365, description="training occasions per vertical SME partner per year")
        training_rate: float = Field(0.05, ge=0, le=1, description="share of the tacit gap an SME closes in one training")

    def step(self, sim) -> None:
        a, ties, p = sim.actors, sim.ties, self.pars
        focal = np.flatnonzero((a.kind == FOCAL) & a.alive)
        if len(focal) == 0 or p.training_per_year == 0:
            return
        src, dst = _pairs(focal, ties.start, ties.count, ties.nbr, ties.tid, ties.layer, a.kind, a.alive)
        chance = min(1.0, p.training_per_year / sim.scenario.steps_per_year)
        pick = sim.rng("focal").random(len(src)) < chance
        total = _train(src[pick], dst[pick], a.T, a.absorptive, a.kind, a.external_origin,
                       a.via_focal, p.training_rate, a.inflow, a.inflow_external, a.inflow_via_focal)
        sim.stats["trainings"] += float(pick.sum())
        for key in ("flow_vertical", "flow_tacit", "seci_socialization"):
            sim.stats[key] += total

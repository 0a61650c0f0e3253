"""Interaction and local buzz (Storper & Venables 2004; Bathelt et al. 2004; Wang 2013).

Each tie is active in a step with probability

    p = clip(base + strength_weight * w + buzz_weight * exp(-distance / buzz_km), 0, 1)

rising with its strength w and, for face-to-face contact ("buzz"), with geographic
proximity. Only active ties carry knowledge this step. Switched off, every tie is active
every step (no selection of contacts).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from ..params import Field, MechanismParams, MIN_KM, MAX_KM
from ..mechanism import Mechanism
from ..kernels import parallel_njit


@parallel_njit(cache=True)
def _activate(alive, w, dist, u, base, sw, bw, inv_km, now, active, last_use):
    base = np.float32(base)
    sw = np.float32(sw)
    bw = np.float32(bw)
    inv_km = np.float32(inv_km)
    for t in nb.prange(len(alive)):
        on = False
        if alive[t]:
            p = base + sw * w[t] + bw * np.exp(-dist[t] * inv_km)  # float32 throughout
            on = u[t] < p
        active[t] = on
        if on:
            last_use[t] = now


class Interaction(Mechanism):
    name = "interaction"
    records = {"active_ties": "ties active this step"}

    class Params(MechanismParams):
        base: float = Field(0.05, ge=0, le=1, description="activation probability of any tie")
        strength_weight: float = Field(0.4, ge=0, le=1, description="added probability per unit of tie strength")
        buzz_weight: float = Field(0.3, ge=0, le=1, description="added probability of face-to-face contact at zero distance")
        buzz_km: float = Field(5.0, ge=MIN_KM, le=MAX_KM, description="distance scale of face-to-face contact (km)")

    def step(self, sim) -> None:
        p, ties = self.pars, sim.ties
        u = sim.rng("interaction").random(ties.m, dtype=np.float32)
        _activate(ties.alive, ties.w, ties.dist, u, p.base, p.strength_weight, p.buzz_weight,
                  1.0 / p.buzz_km, sim.t, ties.active, ties.last_use)
        sim.stats["active_ties"] = float(ties.active.sum())

    def off(self, sim) -> None:
        ties = sim.ties
        ties.active[:] = ties.alive
        ties.last_use[ties.alive] = sim.t
        sim.stats["active_ties"] = float(ties.active.sum())

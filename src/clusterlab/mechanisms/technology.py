"""The technology regime and its shocks (MODEL.md 3, "technology regime and shocks";
seed 002 on lock-in when "the technology development trajectory and global economic
conditions change"; seed 004's succession of shocks).

- The global frontier grows by `frontier_growth` a year in every domain.
- Market relevance of domains may drift (`relevance_drift`, a multiplicative random walk).
- External partners are the global knowledge pool: each step they close `external_catchup`
  of the gap between their knowledge and the frontier in the domains they specialise in.
- A trajectory shift (event `technology_shift`) moves a share of market relevance to the
  domains the cluster's firms know least, and the frontier leaps there.
- A recession (event `recession`) lowers market demand until it ends; global competition
  (event `global_competition`) raises the competitiveness bar. Both act through `market`.
Switched off, frontier, relevance and external partners stay as they are (shocks still apply).
"""

from __future__ import annotations

import numpy as np

from ..params import Field, MechanismParams
from ..state import EXTERNAL
from .base import Mechanism


class TechnologyRegime(Mechanism):
    name = "technology"

    class Params(MechanismParams):
        frontier_growth: float = Field(0.02, ge=0, le=1, description="yearly growth of the global frontier")
        relevance_drift: float = Field(0.0, ge=0, le=1, description="yearly volatility of market relevance per domain")
        external_catchup: float = Field(0.02, ge=0, le=1, description="share of their gap to the frontier externals close per step")

    def init(self, sim) -> None:
        a = sim.actors
        self.externals = np.flatnonzero(a.kind == EXTERNAL)
        K = a.T[self.externals] + a.E[self.externals]
        top = K.max(axis=1, keepdims=True)
        self.profile = np.where(top > 0, K / np.where(top > 0, top, 1), 0).astype(np.float32)
        tot = K.sum(axis=1, keepdims=True)
        self.tacit = np.where(tot > 0, a.T[self.externals].sum(axis=1, keepdims=True) / np.where(tot > 0, tot, 1), 0.5)
        self.recession_until = -1

    def step(self, sim) -> None:
        p, tech, a = self.pars, sim.tech, sim.actors
        spy = sim.scenario.steps_per_year
        tech.frontier *= np.float32((1.0 + p.frontier_growth) ** (1.0 / spy))
        if p.relevance_drift > 0:
            noise = sim.rng("technology").normal(0, p.relevance_drift / np.sqrt(spy), len(tech.relevance))
            rho = tech.relevance * np.exp(noise)
            tech.relevance[:] = (rho / rho.sum()).astype(np.float32)
        if len(self.externals) and p.external_catchup > 0:
            ext = self.externals
            K = a.T[ext] + a.E[ext]
            gap = np.maximum(0.0, tech.frontier * self.profile - K) * p.external_catchup
            a.T[ext] += (gap * self.tacit).astype(np.float32)
            a.E[ext] += (gap * (1 - self.tacit)).astype(np.float32)
        self._end_recession(sim)

    def off(self, sim) -> None:
        self._end_recession(sim)

    def _end_recession(self, sim) -> None:
        if self.recession_until >= 0 and sim.t >= self.recession_until:
            sim.tech.demand = 1.0
            self.recession_until = -1

    # -- shocks, called by events ------------------------------------------------------
    def shift(self, sim, k: int, share: float, jump: float) -> list[int]:
        """Move `share` of relevance to the k domains the firms know least; the frontier
        there rises by `jump`; externals specialised there follow it."""
        a, tech = sim.actors, sim.tech
        firm = a.is_firm
        held = (a.T[firm] + a.E[firm]).sum(axis=0, dtype=np.float64)
        k = min(k, len(held))
        new = np.argsort(held, kind="stable")[:k]
        target = np.zeros_like(tech.relevance)
        target[new] = 1.0 / k
        tech.relevance[:] = ((1 - share) * tech.relevance + share * target).astype(np.float32)
        tech.frontier[new] *= np.float32(1.0 + jump)
        return [int(d) for d in new]

    def recession(self, sim, demand: float, until: int) -> None:
        sim.tech.demand = demand
        self.recession_until = until

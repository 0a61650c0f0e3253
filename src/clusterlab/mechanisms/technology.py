"""The technology regime (Wang 2013 on lock-in when "the technology development trajectory
and global economic conditions change"; Oxborrow 2012 on a succession of shocks).

- The global frontier grows by `frontier_growth` a year in every domain.
- Market relevance of domains may drift (`relevance_drift`, a multiplicative random walk).
- External partners are the global knowledge pool: each step they close `external_catchup`
  of the gap between their knowledge and the frontier in the domains they specialise in.
Shocks are events (`clusterlab.events`) that change the regime's state
(`state.Technology`): a trajectory shift moves market relevance and lifts the frontier, a
recession lowers demand for a while, global competition raises the competitiveness bar.
Switched off, frontier, relevance and external partners stay as they are (shocks still apply).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from ..params import Field, MechanismParams
from ..state import EXTERNAL
from ..mechanism import Mechanism


@nb.njit(cache=True)
def _catch_up(T, E, ext, frontier, profile, tacit, explicit, rate):
    """Externals close `rate` of their gap to the frontier (times their profile), split into
    tacit and explicit by their shares; in the arrays' types, as numpy did it."""
    for r in range(len(ext)):
        i = ext[r]
        for d in range(T.shape[1]):
            g = frontier[d] * profile[r, d] - (T[i, d] + E[i, d])
            if g < 0:  # np.maximum(0, g), NaN kept
                g = np.float32(0.0)
            g = g * rate
            T[i, d] = T[i, d] + np.float32(g * tacit[r, 0])
            E[i, d] = E[i, d] + np.float32(g * explicit[r, 0])


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

    def step(self, sim) -> None:
        p, tech, a = self.pars, sim.tech, sim.actors
        spy = sim.scenario.steps_per_year
        tech.frontier *= np.float32((1.0 + p.frontier_growth) ** (1.0 / spy))
        if p.relevance_drift > 0:
            noise = sim.rng("technology").normal(0, p.relevance_drift / np.sqrt(spy), len(tech.relevance))
            rho = tech.relevance * np.exp(noise)
            tech.relevance[:] = (rho / rho.sum()).astype(np.float32)
        if len(self.externals) and p.external_catchup > 0:
            _catch_up(a.T, a.E, self.externals, tech.frontier, self.profile, self.tacit,
                      1 - self.tacit, np.float32(p.external_catchup))

"""A measuring probe for P6 (optimal cognitive distance, Nooteboom et al. 2007): each firm's
mean cognitive distance to its local partners, recorded in the actor snapshots.

It changes nothing and draws no random number, so a run with the probe follows the same
path as one without it; the P6 design adds it with `mechanisms = [...]`. Cognitive distance
= 1 - cosine similarity of the two ends' knowledge profiles (`proximity.cognitive`), over
the alive local ties (horizontal, vertical, multi-angle), averaged per actor; NaN for an
actor without local ties. `partner_distance_start` keeps each actor's distance at the
start of the run (set up once; NaN for entrants): Nooteboom et al. (2007) explain
innovation by the cognitive distance of the preceding years, since learning itself closes
distance (in this model distances fall by 55-75 % over 120 steps, so the distance at the end
is largely an outcome of the learning it is meant to explain). Added in issue 10 (round 2).
"""

from __future__ import annotations

import numpy as np

from ..mechanism import Mechanism, State
from ..proximity import cognitive
from ..state import PIPELINE


class CognitiveProbe(Mechanism):
    """Records each actor's mean cognitive distance to its local partners (Nooteboom et al. 2007)."""

    name = "cognitive_probe"

    states = (State("partner_distance", np.float32, np.nan,
                    "mean cognitive distance (1 - cosine of knowledge profiles) to local partners"),
              State("partner_distance_start", np.float32, np.nan,
                    "mean cognitive distance to local partners at the start of the run (NaN for entrants)"))

    def init(self, sim) -> None:
        self.step(sim)
        sim.actors.partner_distance_start[:] = sim.actors.partner_distance

    def step(self, sim) -> None:
        a, t = sim.actors, sim.ties
        idx = np.flatnonzero(t.alive[:t.m] & (t.layer[:t.m] != PIPELINE))
        n = len(a.partner_distance)
        if not len(idx):
            a.partner_distance[:] = np.nan
            return
        ea, eb = t.a[idx].astype(np.int64), t.b[idx].astype(np.int64)
        d = 1.0 - cognitive(a, ea, eb).astype(np.float64)
        s = np.bincount(ea, d, n) + np.bincount(eb, d, n)
        c = np.bincount(ea, None, n) + np.bincount(eb, None, n)
        with np.errstate(invalid="ignore", divide="ignore"):
            a.partner_distance[:] = np.where(c > 0, s / np.maximum(c, 1), np.nan)

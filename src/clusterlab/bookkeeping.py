"""The model's bookkeeping around the mechanisms of a step (docs/odd.md, section 3).

Not a mechanism: it cannot be switched off and owns no parameters of its own.

- `begin_step`: this step's inflows (per learning channel, of external origin, via a focal
  firm) start at zero; mechanisms add to them as knowledge moves. The start-of-step
  knowledge snapshot `K_start = T + E` (float32, actors x domains; a state declared by
  `innovation`, which reads what each firm newly received as `max(0, K - K_start)`) is
  taken when the state exists.
- `update_frontier`: the global frontier in each domain is at least the best knowledge any
  actor holds there (an actor that exited this step after passing it counts too).
- `end_step`: the frontier; each actor's smoothed inflow per channel,
  ``recent = knowledge.inflow_memory * recent + inflow`` (read by innovation's attribution
  and by openness); and the knowledge-origin tracer folds this step's traced inflow into
  each actor's shares of external origin and of it gatekept by focal firms
  (`knowledge.update_origin`; Giuliani & Bell 2005); and each actor's cumulative
  learning per channel, ``learned_<channel> += inflow`` (`declare_learning`; recorded in the
  actor snapshots as `learned` and `learned_<channel>`, knowledge gained since entry).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from .knowledge import column_max, update_origin
from .mechanism import SimView
from .state import CHANNELS, EXTERNAL

LEARNED = tuple(f"learned_{c}" for c in CHANNELS)  # cumulative inflow per channel (float64)


@nb.njit(cache=True)
def _accumulate(inflow, cums):
    """cums[c][i] += inflow[i, c]: one pass instead of a NumPy call per channel."""
    for c in range(len(cums)):
        cum = cums[c]
        for i in range(inflow.shape[0]):
            cum[i] += inflow[i, c]


def declare_learning(actors) -> list[np.ndarray]:
    """The actors' cumulative learning per channel (one float64 array per channel in
    `CHANNELS`, declared once, grown with the actors, entrants at 0); returns them."""
    return [actors.add_state(name, np.float64, 0.0) for name in LEARNED]


def begin_step(sim: SimView) -> None:
    a = sim.actors
    a.inflow[:] = 0.0
    a.inflow_external[:] = 0.0
    a.inflow_via_focal[:] = 0.0
    K_start = getattr(a, "K_start", None)
    if K_start is not None:
        np.add(a.T, a.E, out=K_start)


def update_frontier(sim: SimView) -> None:
    column_max(sim.actors.T, sim.actors.E, sim.tech.frontier)


def end_step(sim: SimView) -> None:
    a = sim.actors
    update_frontier(sim)
    a.recent *= np.float32(sim.scenario.knowledge.inflow_memory)
    a.recent += a.inflow
    try:
        cums = [getattr(a, name) for name in LEARNED]
    except AttributeError:  # a state built without the recorder (which declares them)
        cums = declare_learning(a)
    _accumulate(a.inflow, tuple(cums))
    update_origin(a.T, a.E, a.inflow, a.inflow_external, a.inflow_via_focal, a.alive,
                  a.kind == EXTERNAL, a.external_origin, a.via_focal)

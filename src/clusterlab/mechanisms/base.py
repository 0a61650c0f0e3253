"""What every mechanism is: a switchable, parameterised module of the step loop.

A mechanism has a `name` (its key under ``[mechanisms]`` in a scenario), a `Params` model,
`init(sim)` once before the first step, `step(sim)` every step when enabled, and `off(sim)`
every step when disabled (default: nothing happens). Modules keep no per-actor Python
objects: they read and write the arrays in ``sim.actors`` and ``sim.ties``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from ..params import MechanismParams

if TYPE_CHECKING:
    from ..sim import Sim


class Mechanism:
    name: ClassVar[str] = ""
    Params: ClassVar[type[MechanismParams]] = MechanismParams

    def __init__(self, pars: MechanismParams | None = None):
        self.pars = pars if pars is not None else self.Params()

    def init(self, sim: Sim) -> None:
        """Allocate what the mechanism needs (called once, after actors and ties exist)."""

    def step(self, sim: Sim) -> None:
        """One step of the mechanism."""

    def off(self, sim: Sim) -> None:
        """What happens in a step while the mechanism is switched off."""

    def __repr__(self) -> str:
        state = "on" if self.pars.enabled else "off"
        return f"{type(self).__name__}({state})"

"""PLACEHOLDER being written: projects."""

from ..params import MechanismParams
from .base import Mechanism


class Projects(Mechanism):
    name = "projects"

    class Params(MechanismParams):
        pass

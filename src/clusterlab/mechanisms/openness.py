"""PLACEHOLDER being written: openness."""

from ..params import MechanismParams
from .base import Mechanism


class Openness(Mechanism):
    name = "openness"

    class Params(MechanismParams):
        pass

"""PLACEHOLDER being written: labour."""

from ..params import MechanismParams
from .base import Mechanism


class Labour(Mechanism):
    name = "labour"

    class Params(MechanismParams):
        pass

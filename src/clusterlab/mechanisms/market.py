"""PLACEHOLDER being written: market."""

from ..params import MechanismParams
from .base import Mechanism


class Market(Mechanism):
    name = "market"

    class Params(MechanismParams):
        pass

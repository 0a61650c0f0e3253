"""PLACEHOLDER being written: network_evolution."""

from ..params import MechanismParams
from .base import Mechanism


class NetworkEvolution(Mechanism):
    name = "network_evolution"

    class Params(MechanismParams):
        pass

"""PLACEHOLDER being written: focal_firms."""

from ..params import MechanismParams
from .base import Mechanism


class FocalFirms(Mechanism):
    name = "focal_firms"

    class Params(MechanismParams):
        pass

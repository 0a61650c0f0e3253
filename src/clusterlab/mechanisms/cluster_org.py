"""PLACEHOLDER being written: cluster_org."""

from ..params import MechanismParams
from .base import Mechanism


class ClusterOrganisation(Mechanism):
    name = "cluster_org"

    class Params(MechanismParams):
        pass

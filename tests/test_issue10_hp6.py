"""Issue 10 (round 2), helper hp6: P6's firm-level distance is the one at the start of the run.

Learning closes cognitive distance (transfer, labour and projects homogenise knowledge), so a
firm's distance to its partners at the end is largely an outcome of its learning; Nooteboom et
al. (2007) explain innovation by the distance of the preceding years. The probe keeps each
firm's distance at the start (`partner_distance_start`) and `cognitive_firm` fits on it.
"""

from __future__ import annotations

import numpy as np
import pytest

from clusterlab.mechanisms import with_mechanisms
from clusterlab.propositions.measures import _firms, cognitive_firm, cognitive_fit
from clusterlab.propositions.probe import CognitiveProbe
from clusterlab.scenario import default_scenario, validate
from clusterlab.sim import Sim

SEEDS = (1, 2, 3)


@pytest.fixture(scope="module")
def runs():
    out = []
    for seed in SEEDS:
        d = default_scenario().model_dump(mode="json")
        d.update(steps=120, seed=seed)
        d["population"].update(firms=100, externals=10)
        d["knowledge"].update(heterogeneity=0.5)
        out.append(Sim(validate(d, mechanisms=with_mechanisms(CognitiveProbe))).run())
    return out


def test_learning_closes_distance_so_the_start_distance_is_the_regressor(runs):
    for r in runs:
        f = _firms(r)
        both = f[["partner_distance_start", "partner_distance"]].astype(float).dropna()
        assert len(both) > 50
        # homogenisation: the end distance is well below the start distance
        assert both["partner_distance"].mean() < 0.8 * both["partner_distance_start"].mean()


def test_firm_level_fit_uses_the_start_distance(runs):
    start = np.array([cognitive_firm(r)["c2"] for r in runs])
    same = np.array([cognitive_fit(_firms(r), "partner_distance_start")["c2"] for r in runs])
    assert not np.isnan(start).any() and np.allclose(start, same)
    assert start.mean() < 0  # inverted U across firms in their initial distance to partners

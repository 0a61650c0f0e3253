"""Issue 10, round 2 (H-lock, P8): external partners span technology space (population.py).

Each external specialises in a field drawn over all domains, so some are specialists of the
other trajectories (`knowledge.external_domains`); firms that search pipelines where the
market goes (`openness.explore`) find them after a technology shift. Direction tests on a
small cluster over a few seeds (docs/odd.md 5.1 and 7.x, "Changed in issue 10 (round 2)")."""

from __future__ import annotations

import numpy as np
import pytest

import clusterlab as cl
from clusterlab.population import external_domain_ids
from clusterlab.state import EXTERNAL, PIPELINE

SEEDS = (1, 2, 3)
SHIFT = {"step": 12, "action": "technology_shift", "domains": 2, "share": 0.6, "jump": 0.5}


def _sc(**kw) -> cl.Scenario:
    base = {"steps": 36, "population.firms": 80, "population.externals": 40, "output.figures": False,
            "population.sme_openness": 0.5, "population.focal_openness": 0.9}
    base.update(kw)
    return cl.default_scenario().set(**base)


def _foreign_field_pipelines(sim) -> float:
    """Share of the alive pipelines whose external end specialises in another trajectory."""
    a, t = sim.actors, sim.ties
    foreign = set(external_domain_ids(sim.scenario.knowledge).tolist())
    alive = np.flatnonzero(t.alive & (t.layer == PIPELINE))
    ext = np.where(a.kind[t.a[alive]] == EXTERNAL, t.a[alive], t.b[alive])
    field = (a.T[ext] + a.E[ext]).argmax(axis=1)
    return float(np.isin(field, list(foreign)).mean()) if len(ext) else 0.0


@pytest.fixture(scope="module")
def runs():
    out = {}
    for seed in SEEDS:
        for shift in (True, False):
            sim = cl.Sim(_sc(seed=seed, events=[SHIFT] if shift else []))
            sim.run()
            out[seed, shift] = _foreign_field_pipelines(sim)
    return out


def test_externals_specialise_across_technology_space():
    sim = cl.Sim(_sc(seed=1)).init()
    a = sim.actors
    ext = a.kind == EXTERNAL
    K = a.T[ext] + a.E[ext]
    foreign = external_domain_ids(sim.scenario.knowledge)
    in_other = np.isin(K.argmax(axis=1), foreign)
    assert 0.05 < in_other.mean() < 0.6  # about floor(0.25 x 8) / 8 of them
    # each holds a secondary competence in the other group: the cluster's specialists in
    # another trajectory's domain, the other trajectories' specialists in a cluster domain
    own = np.setdiff1d(np.arange(a.domains), foreign)
    assert (K[~in_other][:, foreign].max(axis=1) > 0.2 * K[~in_other].max(axis=1)).all()
    assert (K[in_other][:, own].max(axis=1) > 0.2 * K[in_other].max(axis=1)).all()


def test_after_a_shift_firms_find_pipelines_to_the_new_trajectory(runs):
    shifted = np.array([runs[s, True] for s in SEEDS])
    kept = np.array([runs[s, False] for s in SEEDS])
    assert (shifted > kept).all(), (shifted, kept)

"""The technology regime: frontier growth, externals following it, trajectory shifts."""

import numpy as np
import pytest

import clusterlab as cl
from clusterlab.state import EXTERNAL


def test_frontier_grows_and_externals_follow(small):
    sc = small(steps=120, **{"mechanisms.technology.frontier_growth": 0.05})
    sim = cl.Sim(sc)
    sim.init()
    f0 = sim.tech.frontier.copy()
    ext = sim.actors.kind == EXTERNAL
    k0 = (sim.actors.T[ext] + sim.actors.E[ext]).sum()
    sim.run()
    assert np.all(sim.tech.frontier >= f0 * 1.05**9.9)
    ext = np.flatnonzero(ext)  # ids of the initial externals (entrants are appended after them)
    assert (sim.actors.T[ext] + sim.actors.E[ext]).sum() > k0


def test_technology_shift_moves_relevance_to_unknown_domains(small):
    sc = small(steps=30, events=[{"step": 10, "action": "technology_shift", "domains": 1, "share": 0.6, "jump": 0.5}])
    sim = cl.Sim(sc)
    sim.run(9)
    firm = sim.actors.is_firm
    weakest = int(np.argmin((sim.actors.T[firm] + sim.actors.E[firm]).sum(axis=0)))
    rho0 = sim.tech.relevance.copy()
    sim.run(1)
    assert sim.tech.relevance[weakest] == pytest.approx(0.4 * rho0[weakest] + 0.6)  # share 0.6 moved there
    assert sim.tech.relevance.sum() == pytest.approx(1.0)
    ts = sim.results().timeseries
    assert ts["frontier_gap"].iloc[10] > ts["frontier_gap"].iloc[9] + 0.02


def test_shift_hurts_a_closed_cluster_more_than_an_open_one(small):
    shift = [{"step": 24, "action": "technology_shift", "domains": 2, "share": 0.6, "jump": 0.5}]
    # pipelines free in both arms: this is about what they bring, not what they cost
    common = {"steps": 96, "events": shift, "mechanisms.openness.enabled": False,
              "network.pipeline_cost": 0.0}
    def gap(**kw):  # mean over replications: a single seed is noise-prone
        return np.mean([cl.run(small(seed=s, **common, **kw)).final()["frontier_gap"] for s in range(4)])
    closed = gap(**{"mechanisms.transfer.pipeline": False})
    opened = gap(**{"network.sme_pipelines": 8.0, "network.focal_pipelines": 15.0})
    assert closed > opened

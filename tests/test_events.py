"""Scheduled events change state, or parameters through the keys of a set event."""

import numpy as np
import pytest

import clusterlab as cl


def test_policy_events_change_state_and_parameters(small):
    sc = small(steps=30, events=[
        {"step": 2, "action": "close_cluster_org"},
        {"step": 4, "action": "start_cluster_org", "members": 0.5},
        {"step": 6, "action": "fund_university", "ties": 10},
        {"step": 8, "action": "set", "key": "mechanisms.trust.gain", "value": 0.2},
        {"step": 9, "action": "cut_support", "share": 0.5},
    ])
    sim = cl.Sim(sc)
    sim.run(3)
    from clusterlab.state import CLUSTER_ORG, UNIVERSITY
    a = sim.actors
    assert not a.alive[a.kind == CLUSTER_ORG].any()
    assert sim.ties.deg[a.kind == CLUSTER_ORG].sum() == 0
    sim.run(6)
    co = np.flatnonzero((a.kind == CLUSTER_ORG) & a.alive)
    assert len(co) == 1 and sim.ties.deg[co[0]].sum() > 10
    uni = np.flatnonzero(a.kind == UNIVERSITY)[-1]
    assert a.born[uni] == 6 and sim.ties.deg[uni].sum() == 10
    assert sim.mechanism("trust").pars.gain == 0.2
    assert sc.mechanisms.trust.gain != 0.2  # the scenario itself is untouched
    budget = sim.mechanism("cluster_org").pars.budget
    assert budget == pytest.approx(0.5 * sc.mechanisms.cluster_org.budget)
    assert list(sim.schedule.table()["step"]) == [2, 4, 6, 8, 9]

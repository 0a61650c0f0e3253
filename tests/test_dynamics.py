"""Direction tests for focal firms, openness strategy, the technology regime and events."""

import numpy as np
import pytest
from builders import actors, only, sim_with, small, ties

import clusterlab as cl
from clusterlab.state import EXTERNAL, FOCAL, PIPELINE, SME, VERTICAL


# --- focal firms ------------------------------------------------------------------------

def test_focal_firms_train_their_vertical_smes():
    T = [[1.0, 1.0, 0, 0], [0.1, 0.1, 0, 0], [0.1, 0.1, 0, 0]]
    act = actors(3, T=T, E=np.zeros((3, 4)), kind=[FOCAL, SME, SME], stage=[2, 1, 2])
    t = ties(3, [0, 0], [1, 2], layer=[VERTICAL, 0])  # SME 1 is a supplier, SME 2 a competitor
    sim = sim_with(only("focal_firms", focal_firms__training_per_year=12.0), act, t)
    sim.step()
    assert sim.actors.T[1].sum() > 0.2 and sim.actors.T[2].sum() == pytest.approx(0.2)
    off = sim_with(only(), actors(3, T=T, E=np.zeros((3, 4)), kind=[FOCAL, SME, SME]), ties(3, [0], [1]))
    off.step()
    assert off.actors.T[1].sum() == pytest.approx(0.2)


def test_gatekeeping_is_traced_through_focal_firms():
    # external 3 -> focal 0 (pipeline); focal 0 -> SME 1 (vertical); SME 1 also learns from SME 2
    E = [[0.1] * 4, [0.05] * 4, [0.3] * 4, [1.0] * 4]
    act = actors(4, T=np.zeros((4, 4)), E=E, kind=[FOCAL, SME, SME, EXTERNAL], stage=[2, 1, 1, -1])
    act.external_origin[3] = 1.0
    t = ties(4, [0, 0, 1], [3, 1, 2], layer=[PIPELINE, VERTICAL, 0], dist=[1.0, 1.0, 1.0])
    sim = sim_with(only("transfer", "focal_firms", interaction__enabled=False,
                        absorptive_capacity__enabled=False), act, t)
    for _ in range(24):
        sim.step()
    a = sim.actors
    assert a.external_origin[0] > 0.2  # the focal firm absorbed external knowledge
    assert 0 < a.via_focal[1] <= a.external_origin[1]  # and passed it on to its supplier
    assert np.all(a.via_focal <= a.external_origin + 1e-6) and a.via_focal[0] == 0  # focal firms gatekeep, not receive
    ts = sim.results().timeseries
    assert ts["gatekeeper_share"].iloc[-1] > 0.5  # SMEs' external knowledge came via the focal firm


def test_removing_focal_firms_cuts_external_knowledge_of_smes():
    base = cl.run(small(steps=36))
    nofocal = cl.run(small(steps=36, **{"population.focal_share": 0.0}))
    def sme_external(r):
        a = r.actors[(r.actors["kind"] == "sme") & r.actors["alive"]]
        return float((a["external_origin"] * (a["tacit"] + a["explicit"])).sum())
    assert sme_external(base) > sme_external(nofocal)
    assert base.final()["gatekeeper_share"] > 0 and nofocal.final()["gatekeeper_share"] == 0


# --- openness ---------------------------------------------------------------------------

def openness_after(**changes):
    r = cl.run(small(steps=60, **changes))
    return r.timeseries["openness_mean"].iloc[-1], r.timeseries["external_share"].iloc[-1]


def test_costly_pipelines_turn_the_cluster_inward():
    cheap = openness_after(**{"network.pipeline_cost": 0.0})
    dear = openness_after(**{"network.pipeline_cost": 0.2})
    assert dear[0] < cheap[0] and dear[1] < cheap[1]


def test_subsidy_keeps_pipelines_open():
    dear = {"network.pipeline_cost": 0.2}
    none = openness_after(**dear)
    paid = openness_after(**dear, events=[{"step": 1, "action": "subsidise_pipelines", "share": 1.0}])
    assert paid[0] > none[0] and paid[1] > none[1]


def test_openness_off_keeps_pipelines_fixed():
    r = cl.run(small(steps=24, **{"mechanisms.openness.enabled": False, "mechanisms.market.enabled": False,
                                  "mechanisms.network_evolution.enabled": False,
                                  "mechanisms.cluster_org.enabled": False}))
    assert r.timeseries["external_share"].nunique() == 1


# --- technology regime ------------------------------------------------------------------

def test_frontier_grows_and_externals_follow():
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


def test_technology_shift_moves_relevance_to_unknown_domains():
    sc = small(steps=30, events=[{"step": 10, "action": "technology_shift", "domains": 1, "share": 0.6, "jump": 0.5}])
    sim = cl.Sim(sc)
    sim.run(9)
    firm = sim.actors.is_firm
    weakest = int(np.argmin((sim.actors.T[firm] + sim.actors.E[firm]).sum(axis=0)))
    rho0 = sim.tech.relevance.copy()
    sim.run(1)
    assert sim.tech.relevance[weakest] > rho0[weakest] + 0.4
    assert sim.tech.relevance.sum() == pytest.approx(1.0)
    ts = sim.results().timeseries
    assert ts["frontier_gap"].iloc[10] > ts["frontier_gap"].iloc[9] + 0.02


def test_shift_hurts_a_closed_cluster_more_than_an_open_one():
    shift = [{"step": 24, "action": "technology_shift", "domains": 2, "share": 0.6, "jump": 0.5}]
    # pipelines free in both arms: this is about what they bring, not what they cost
    common = {"steps": 96, "events": shift, "mechanisms.openness.enabled": False,
              "network.pipeline_cost": 0.0}
    def gap(**kw):  # mean over replications: a single seed is noise-prone
        return np.mean([cl.run(small(seed=s, **common, **kw)).final()["frontier_gap"] for s in range(4)])
    closed = gap(**{"mechanisms.transfer.pipeline": False})
    opened = gap(**{"network.sme_pipelines": 8.0, "network.focal_pipelines": 15.0})
    assert closed > opened


# --- events -----------------------------------------------------------------------------

def test_policy_events_change_state_and_parameters():
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

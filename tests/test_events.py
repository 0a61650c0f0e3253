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


def _idle(sc, loop=None, externals=None, orgs=None):
    from clusterlab.checks import idle_parts

    loop = [m.name for m in type(sc).mechanism_classes] if loop is None else loop
    return idle_parts(sc, loop, sc.population.externals if externals is None else externals,
                      sc.population.cluster_orgs if orgs is None else orgs)


def test_technology_shift_with_more_domains_than_the_scenario_is_refused():
    with pytest.raises(cl.ScenarioError, match=r"key 'events.1.domains': .*5 domains, but knowledge.domains is 4"):
        cl.validate({"knowledge": {"domains": 4}, "events": [
            {"step": 1, "action": "recession"}, {"step": 2, "action": "technology_shift", "domains": 5}]})
    sc = cl.validate({"knowledge": {"domains": 4}, "events": [{"step": 2, "action": "technology_shift", "domains": 4}]})
    assert sc.events[0].domains == 4


def test_an_event_after_the_last_step_is_warned_of_not_refused(small):
    sc = small(steps=3, events=[{"step": 10, "action": "recession"}])
    assert sc.events[0].step == 10
    with pytest.warns(cl.ClusterlabWarning, match=r"events.0: step 10 is after the last step \(3\)"):
        res = cl.Sim(sc).run()
    assert len(res.events) == 0


def test_a_snapshot_after_the_last_step_is_warned_of_not_refused(small):
    sc = small(steps=3, **{"output.snapshots": [2, 10]})
    with pytest.warns(cl.ClusterlabWarning, match=r"output.snapshots: steps \[10\] are after the last step \(3\)"):
        res = cl.Sim(sc).run()
    assert sorted(res.actors["step"].unique()) == [2, 3]


@pytest.mark.parametrize("changes, words", [
    ({"population.externals": 0, "network.pipeline_subsidy": 0.5}, ["network.pipeline_subsidy", "no external partners"]),
    ({"population.externals": 0, "events": [{"step": 1, "action": "subsidise_pipelines"}]},
     ["events.0 (subsidise_pipelines)", "no external partners"]),
    ({"population.externals": 0, "events": [{"step": 1, "action": "set", "key": "network.pipeline_subsidy", "value": 0.4}]},
     ["events.0 (set network.pipeline_subsidy)", "no external partners"]),
    ({"mechanisms.market.enabled": False, "mechanisms.openness.enabled": False, "network.pipeline_subsidy": 0.5},
     ["network.pipeline_subsidy", "market and openness are off"]),
    ({"population.cluster_orgs": 0, "events": [{"step": 1, "action": "close_cluster_org"}]},
     ["events.0 (close_cluster_org)", "no cluster organisation to close"]),
    ({"population.cluster_orgs": 0, "mechanisms.cluster_org.budget": 100.0}, ["mechanisms.cluster_org", "cannot act"]),
    ({"population.cluster_orgs": 0, "events": [{"step": 1, "action": "set", "key": "mechanisms.cluster_org.budget", "value": 9.0}]},
     ["events.0 (set mechanisms.cluster_org.budget)", "no cluster organisation"]),
    ({"events": [{"step": 1, "action": "start_cluster_org", "members": 0.0}]}, ["events.0 (start_cluster_org)", "no member"]),
    ({"events": [{"step": 1, "action": "fund_university", "ties": 0}]}, ["events.0 (fund_university)", "no firm"]),
    ({"events": [{"step": 1, "action": "technology_shift", "share": 0.0, "jump": 0.0}]}, ["nothing shifts"]),
    ({"mechanisms.market.enabled": False, "mechanisms.projects.enabled": False,
      "events": [{"step": 1, "action": "recession"}, {"step": 2, "action": "global_competition"}]},
     ["events.0 (recession)", "events.1 (global_competition)"]),
    ({"mechanisms.trust.enabled": False, "events": [{"step": 1, "action": "set", "key": "mechanisms.trust.gain", "value": 0.2}]},
     ["events.0 (set mechanisms.trust.gain)", "mechanisms.trust is off"]),
])
def test_a_policy_that_cannot_act_warns(small, changes, words):
    sc = small(steps=2, **changes)
    found = " | ".join(_idle(sc))
    for w in words:
        assert w in found, found
    with pytest.warns(cl.ClusterlabWarning) as caught:
        cl.Sim(sc).run()
    assert all(w in " | ".join(str(c.message) for c in caught) for w in words)


@pytest.mark.parametrize("changes", [
    {"network.pipeline_subsidy": 0.5},  # externals exist
    {"population.cluster_orgs": 0, "mechanisms.cluster_org.budget": 100.0,
     "events": [{"step": 1, "action": "start_cluster_org"}, {"step": 2, "action": "close_cluster_org"}]},
    {"mechanisms.trust.enabled": False, "events": [
        {"step": 1, "action": "set", "key": "mechanisms.trust.enabled", "value": True},
        {"step": 2, "action": "set", "key": "mechanisms.trust.gain", "value": 0.2}]},
    {"mechanisms.market.enabled": False, "events": [{"step": 1, "action": "recession"}]},  # projects feel it
])
def test_a_policy_that_can_act_does_not_warn(small, changes):
    assert _idle(small(steps=2, **changes)) == []


def test_the_default_and_preset_scenarios_do_not_warn():
    from clusterlab import presets

    assert _idle(cl.default_scenario()) == []
    assert len(presets.names()) == 4
    for name in presets.names():
        assert _idle(cl.load_scenario(name)) == [], name


def test_an_institution_started_after_every_firm_left_sits_at_the_region_centre():
    import numpy as np

    import clusterlab as cl

    sc = cl.default_scenario().set(steps=4, **{"population.firms": 30, "events": [
        {"action": "remove_actors", "step": 1, "kind": "firm", "share": 1.0},
        {"action": "start_cluster_org", "step": 2}]})
    sim = cl.Sim(sc)
    sim.run()
    assert np.isfinite(sim.actors.x).all()
    assert (sim.actors.x[-1], sim.actors.y[-1]) == (sc.population.region_km / 2, sc.population.region_km / 2)

"""The cluster organisation (Andreeva n.d.): each budgeted activity on hand-built members, and
in a run the start, closing, budget and switch of the organisation (proposition P10)."""

import numpy as np
import pytest

import clusterlab as cl
from clusterlab.mechanisms.cluster_org import ClusterOrganisation
from clusterlab.state import CLUSTER_ORG, EXTERNAL, MULTI_ANGLE, PIPELINE, SME

OFF = {f"cluster_org__share_{a}": 0.0 for a in ("international", "networking", "market_info", "infrastructure", "rnd")}


def spend(activity, per_step, **changes):
    """Scenario parameters giving `per_step` units a step, all to one activity."""
    pars = dict(OFF, cluster_org__budget=12.0 * per_step, **{f"cluster_org__share_{activity}": 1.0})
    pars.update(changes)
    return pars


@pytest.fixture(scope="session")
def org_with_members(actors):
    def org_with_members(members, others=0, externals=0, E=None):
        """Cluster organisation 0, member SMEs 1..members (multi-angle ties), then `others`
        SMEs that are not members, then `externals` external partners."""
        n = 1 + members + others + externals
        kind = [CLUSTER_ORG] + [SME] * (members + others) + [EXTERNAL] * externals
        E = np.full((n, 4), 0.2) if E is None else np.asarray(E, float)
        act = actors(n, kind=kind, E=E, T=np.zeros((n, 4)))
        return act, n

    return org_with_members


def pipelines(sim, ids):
    return sim.ties.deg[ids, PIPELINE]


def test_international_contacts_go_to_smes_without_pipelines_and_fit_them(only, org_with_members, sim_with, ties):
    # SMEs 1..10 specialise in domain (i % 4); externals 11..14 in domains 0..3
    E = np.full((15, 4), 0.05)
    for i in range(1, 11):
        E[i, i % 4] = 0.6
    for d in range(4):
        E[11 + d, d] = 0.9
    act, n = org_with_members(10, externals=4, E=E)
    a = [0] * 10 + [1, 2, 3, 4, 5]
    b = list(range(1, 11)) + [11, 11, 11, 11, 11]  # SMEs 1..5 already have a pipeline
    layer = [MULTI_ANGLE] * 10 + [PIPELINE] * 5
    sc = only("cluster_org", **spend("international", 3, cluster_org__pipeline_candidates=200))
    sim = sim_with(sc, act, ties(n, a, b, layer=layer))
    open0 = sim.actors.openness.copy()
    sim.step()
    assert sim.stats["cluster_org_pipelines"] == 3 and sim.stats["cluster_org_actions"] == 3
    got = np.flatnonzero(pipelines(sim, np.arange(1, 11)) > np.array([1] * 5 + [0] * 5)) + 1
    assert len(got) == 3 and np.all(got > 5)  # SMEs without pipelines first
    for i in got:  # each to the external of its own field
        slots = sim.ties.ties_of(i)
        ext = np.where(sim.ties.a[slots] == i, sim.ties.b[slots], sim.ties.a[slots])
        assert 11 + i % 4 in ext
    assert np.all(sim.actors.openness[got] > open0[got] + 0.1)  # activated
    sim.step()
    sim.step()
    assert np.all(pipelines(sim, np.arange(1, 11)) >= 1)  # then every member SME is international
    assert sim.ties.deg[11:, PIPELINE].sum() == 5 + 9 and sim.stats["cluster_org_pipelines"] == 3


def test_networking_introduces_members_only(only, org_with_members, sim_with, ties):
    act, n = org_with_members(10, others=5)
    sc = only("cluster_org", **spend("networking", 2))
    sim = sim_with(sc, act, ties(n, [0] * 10, list(range(1, 11)), layer=MULTI_ANGLE))
    for _ in range(5):
        sim.step()
        assert sim.stats["cluster_org_introductions"] == 2
    new = np.flatnonzero(sim.ties.alive)[10:]
    assert len(new) == 10
    ends = np.concatenate([sim.ties.a[new], sim.ties.b[new]])
    assert np.all((ends >= 1) & (ends <= 10))
    assert np.all(sim.ties.deg[11:16].sum(axis=1) == 0)


def test_market_information_raises_knowledge_in_the_most_relevant_domains(only, org_with_members, sim_with, ties):
    E = np.full((6, 4), 0.2)
    E[1] = 0.8  # the best-informed member
    act, n = org_with_members(5, E=E)
    sc = only("cluster_org", **spend("market_info", 5, cluster_org__info_domains=1))
    sim = sim_with(sc, act, ties(n, [0] * 5, list(range(1, 6)), layer=MULTI_ANGLE))
    sim.tech.relevance[:] = [0.1, 0.1, 0.7, 0.1]
    E0 = sim.actors.E.copy()
    sim.step()
    p = sim.mechanism("cluster_org").pars
    gain = sim.actors.E - E0
    assert np.allclose(gain[2:6, 2], p.info_rate * 0.5 * (0.8 - 0.2), rtol=1e-4)  # A = 0.5 (fixed)
    assert gain[1, 2] == 0
    assert np.allclose(np.delete(gain, 2, axis=1), 0) and np.allclose(gain[0], 0)
    assert sim.stats["cluster_org_informed"] == 5


def test_infrastructure_raises_members_absorptive_capacity(only, org_with_members, sim_with, ties):
    act, n = org_with_members(5, others=4)
    sc = only("cluster_org", "absorptive_capacity", **spend("infrastructure", 5))
    sim = sim_with(sc, act, ties(n, [0] * 5, list(range(1, 6)), layer=MULTI_ANGLE))
    sim.actors.alive[5] = False  # a member that exited is not served
    for _ in range(3):
        sim.step()
    a = sim.actors
    assert np.all(a.sharing[1:5] > 0.7) and np.allclose(a.sharing[5:10], 0.5)
    assert np.all(a.absorptive[1:5] > a.absorptive[6:10].max())
    assert sim.stats["cluster_org_infrastructure"] == 4


def test_collaborative_rnd_starts_projects_with_members(only, org_with_members, sim_with, ties):
    act, n = org_with_members(6, others=3)
    t = ties(n, [0] * 6, list(range(1, 7)), layer=MULTI_ANGLE)
    sim = sim_with(only("cluster_org", "projects", **spend("rnd", 1)), act, t)
    sim.step()
    proj = sim.projects
    assert sim.stats["cluster_org_projects"] == 1 and sim.results().timeseries["projects_started"].iloc[-1] == 1
    assert proj.running == 1 and proj.leader[0] == 0 and proj.by_org[0]
    m = proj.members(0)
    size = sim.mechanism("projects").pars.size
    assert 2 <= len(m) <= size and np.all((m >= 1) & (m <= 6))  # members only, not the organisation
    # without the projects module the organisation cannot start any
    act, n = org_with_members(6, others=3)
    off = sim_with(only("cluster_org", **spend("rnd", 1)), act, ties(n, [0] * 6, list(range(1, 7)), layer=MULTI_ANGLE))
    off.step()
    assert off.stats["cluster_org_projects"] == 0 and off.projects.running == 0


def test_fractional_units_are_carried_over(only, org_with_members, sim_with, ties):
    act, n = org_with_members(10)
    sim = sim_with(only("cluster_org", **spend("networking", 0.5)), act,
                   ties(n, [0] * 10, list(range(1, 11)), layer=MULTI_ANGLE))
    done = []
    for _ in range(6):
        sim.step()
        done.append(sim.stats["cluster_org_actions"])
    assert done == [0, 1, 0, 1, 0, 1]


def test_shares_are_scaled_only_when_they_exceed_the_budget():
    assert ClusterOrganisation(ClusterOrganisation.Params(**{f"share_{a}": 1.0 for a in (
        "international", "networking", "market_info", "infrastructure", "rnd")})).shares() == pytest.approx([0.2] * 5)
    pars = {k.split("__")[1]: v for k, v in OFF.items()} | {"share_networking": 0.5}
    half = ClusterOrganisation(ClusterOrganisation.Params(**pars)).shares()
    assert half == pytest.approx([0, 0.5, 0, 0, 0])


def collect(sc, keys=("cluster_org_actions",)):
    """Per-step values (steps 1..) of time-series columns, and the Sim."""
    sim = cl.Sim(sc)
    ts = sim.run().timeseries
    return {k: ts[k].to_numpy()[1:] for k in keys}, sim


def test_starting_a_cluster_org_raises_sme_internationalisation_and_knowledge(small):
    event = [{"step": 60, "action": "start_cluster_org"}]
    intl, know = [], []
    for seed in range(3):
        base = dict(seed=seed, steps=120, population__cluster_orgs=0)
        without = cl.run(small(**base)).timeseries
        with_ = cl.run(small(**base, events=event)).timeseries
        cols = ["sme_international_share", "knowledge_mean", "projects_started"]
        assert with_[cols].iloc[:60].equals(without[cols].iloc[:60])  # same run until the event
        intl.append(with_["sme_international_share"].iloc[-24:].mean() - without["sme_international_share"].iloc[-24:].mean())
        know.append(with_["knowledge_mean"].iloc[-1] / without["knowledge_mean"].iloc[-1])
    assert np.mean(intl) > 0.05
    assert np.mean(know) > 1.02


def test_a_cluster_org_with_no_budget_does_nothing(small):
    zero = cl.run(small(steps=36, mechanisms__cluster_org__budget=0.0)).timeseries
    off = cl.run(small(steps=36, mechanisms__cluster_org__enabled=False)).timeseries
    on = cl.run(small(steps=36)).timeseries
    assert zero.equals(off)
    assert not on["sme_international_share"].equals(off["sme_international_share"])
    stats, _ = collect(small(steps=12, mechanisms__cluster_org__budget=0.0))
    assert stats["cluster_org_actions"].sum() == 0


def test_a_closed_organisation_does_not_act(only, org_with_members, sim_with, ties):
    act, n = org_with_members(10)
    sim = sim_with(only("cluster_org", **spend("networking", 1)), act,
                   ties(n, [0] * 10, list(range(1, 11)), layer=MULTI_ANGLE))
    sim.step()
    assert sim.stats["cluster_org_actions"] == 1
    sim.actors.alive[0] = False  # closed, ties not (yet) removed
    sim.step()
    assert sim.stats["cluster_org_actions"] == 0


def test_closing_the_cluster_org_stops_its_actions(small):
    keys = ("cluster_org_actions", "projects_running")
    stats, sim = collect(small(steps=36, events=[{"step": 24, "action": "close_cluster_org"}]), keys)
    acts = stats["cluster_org_actions"]
    assert acts[:23].sum() > 50 and acts[23:].sum() == 0  # step 24 is index 23
    # its running projects go on without it
    proj = sim.projects
    assert proj.by_org.any() and not sim.actors.alive[proj.leader[proj.by_org]].any()


def test_cutting_support_cuts_the_budget(small):
    stats, _ = collect(small(steps=48, events=[{"step": 25, "action": "cut_support", "share": 0.5}]))
    acts = stats["cluster_org_actions"]
    assert acts[24:].sum() == pytest.approx(0.5 * acts[:24].sum(), rel=0.15)


def test_switching_the_cluster_org_off_zeroes_its_counters(small):
    keys = ("cluster_org_actions", "cluster_org_pipelines", "cluster_org_projects")
    on, _ = collect(small(steps=24), keys)
    off, _ = collect(small(steps=24, mechanisms__cluster_org__enabled=False), keys)
    assert all(on[k].sum() > 0 for k in keys)
    assert all(off[k].sum() == 0 for k in keys)

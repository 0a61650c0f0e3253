"""Joint projects (collective innovation): who joins, what makes them succeed, what success
does, and the module's switch and defaults."""

import numpy as np
import pytest

import clusterlab as cl
from clusterlab.state import EXTERNAL, FOCAL, PROJECTS, SME, UNIVERSITY

ALWAYS = 1e6  # lead_rate that makes every focal firm start a project every step

ALIKE = [[0.5, 0.5, 0.5, 0.5]] * 4  # identical profiles: cognitive distance 0

SPREAD = [[0.8, 0.2, 0.2, 0.2], [0.2, 0.8, 0.2, 0.2], [0.2, 0.2, 0.8, 0.2], [0.2, 0.2, 0.2, 0.8]]


@pytest.fixture(scope="session")
def stars(actors, ties):
    def stars(groups, E_members, trust):
        """`groups` copies of a focal firm (first row of E_members) tied to its partners (the
        other rows), partners not tied to each other; all ties with the given trust."""
        k = len(E_members)
        E = np.tile(np.asarray(E_members, float), (groups, 1))
        kind = np.tile([FOCAL] + [SME] * (k - 1), groups)
        lead = np.repeat(np.arange(groups) * k, k - 1)
        part = (np.arange(groups)[:, None] * k + np.arange(1, k)[None, :]).ravel()
        act = actors(groups * k, T=np.zeros_like(E), E=E, kind=kind)
        return act, ties(groups * k, lead, part, trust=trust)

    return stars


@pytest.fixture(scope="session")
def first_round_success(only, sim_with, stars):
    def first_round_success(E_members, trust, groups=400, **pars):
        """Share of the first round of projects (started at step 1, ended at step 2) that succeed."""
        sc = only("projects", projects__lead_rate=ALWAYS, projects__duration=1, **pars)
        sim = sim_with(sc, *stars(groups, E_members, trust))
        sim.step()
        assert sim.recorder.rows[-1]["projects_started"] == groups
        sim.step()
        done = sim.stats["projects_succeeded"] + sim.stats["projects_failed"]
        assert done == groups
        return sim.stats["projects_succeeded"] / done

    return first_round_success


def test_diverse_projects_succeed_more_often(first_round_success):
    alike = first_round_success(ALIKE, trust=0.5)
    spread = first_round_success(SPREAD, trust=0.5)
    assert spread > alike + 0.15


def test_trusting_projects_succeed_more_often(first_round_success):
    low = first_round_success(ALIKE, trust=0.1)
    high = first_round_success(ALIKE, trust=0.9)
    assert high > low + 0.2


def test_success_rate_follows_the_logistic_rule(first_round_success):
    p = cl.default_scenario().mechanisms.projects
    P = np.asarray(SPREAD) / np.linalg.norm(SPREAD, axis=1, keepdims=True)
    div = (1 - P @ P.T)[np.triu_indices(4, 1)].mean()
    for E, trust, d in ((ALIKE, 0.3, 0.0), (SPREAD, 0.7, div)):
        expected = 1 / (1 + np.exp(-(p.a0 + p.a_div * d + p.a_trust * trust)))
        assert first_round_success(E, trust, groups=600) == pytest.approx(expected, abs=0.07)
    # the rule's coefficients are what matter: without them success is the intercept's
    flat = first_round_success(SPREAD, 0.9, projects__a_div=0.0, projects__a_trust=0.0)
    assert flat == pytest.approx(1 / (1 + np.exp(-p.a0)), abs=0.07)


@pytest.fixture(scope="session")
def triangle(actors, only, sim_with, ties):
    def triangle(a0):
        """Focal firm 0 tied to SME 1 and university 2 (1 and 2 not tied), one project of
        duration 3 started at step 1 and ended at step 4 with success log-odds a0."""
        E = [[0.6, 0.2, 0.1, 0.0], [0.1, 0.5, 0.0, 0.1], [0.2, 0.1, 0.4, 0.3]]
        act = actors(3, T=np.full((3, 4), 0.05), E=E, kind=[FOCAL, SME, UNIVERSITY])
        sc = only("projects", projects__lead_rate=ALWAYS, projects__duration=3, projects__a0=a0,
                  projects__a_div=0.0, projects__a_trust=0.0)
        sim = sim_with(sc, act, ties(3, [0, 0], [1, 2], trust=0.5))
        sim.step()
        sim.mechanism("projects").pars.lead_rate = 0.0  # only the one project
        assert sim.recorder.rows[-1]["projects_started"] == 1
        K0 = sim.actors.T + sim.actors.E
        trust0 = sim.ties.trust[:2].copy()
        for _ in range(3):
            sim.step()
        return sim, K0, trust0

    return triangle


def test_success_raises_every_members_knowledge_and_ties_them(triangle):
    sim, K0, trust0 = triangle(a0=30.0)
    a, p = sim.actors, sim.mechanism("projects").pars
    assert sim.stats["projects_succeeded"] == 1
    K1 = a.T + a.E
    gain = K1 - K0
    assert np.all(gain.sum(axis=1) > 0)
    # the rule: learning x A x gap to the best member B, plus creation x B in the 2 focus
    # domains (largest mean share of the members' knowledge, relevance being even)
    B = K0.max(axis=0)
    made = gain - p.learning * 0.5 * np.maximum(0, B[None, :] - K0)  # absorptive_capacity off: A = 0.5
    focus = np.argsort(-(K0 / K0.sum(axis=1, keepdims=True)).mean(axis=0))[:2]
    expected = np.zeros(4)
    expected[focus] = p.creation * B[focus]
    assert np.allclose(made, expected[None, :], atol=1e-6)
    assert np.allclose(a.T, 0.05)  # explicit knowledge only
    assert np.allclose(a.inflow[:3, PROJECTS], gain.sum(axis=1), rtol=1e-4)
    assert sim.stats["flow_projects"] == pytest.approx(gain.sum(), rel=1e-4)
    assert sim.stats["seci_combination"] == pytest.approx(gain.sum(), rel=1e-4)
    # collaboration creates the missing tie and raises trust on the existing ones
    assert sim.ties.has([1], [2])[0]
    assert np.all(sim.ties.trust[:2] > trust0)
    assert sim.projects.running == 0


def test_failure_leaves_knowledge_and_lowers_trust(triangle):
    sim, K0, trust0 = triangle(a0=-30.0)
    assert sim.stats["projects_failed"] == 1 and sim.stats["projects_succeeded"] == 0
    assert np.allclose(sim.actors.T + sim.actors.E, K0)
    assert sim.stats["flow_projects"] == 0
    assert not sim.ties.has([1], [2])[0]
    assert np.all(sim.ties.trust[:2] < trust0)


def test_members_that_exit_drop_out(actors, only, sim_with, ties):
    E = [[0.6, 0.2, 0.1, 0.0], [0.1, 0.5, 0.0, 0.1], [0.2, 0.1, 0.4, 0.3]]
    act = actors(3, T=np.zeros((3, 4)), E=E, kind=[FOCAL, SME, SME])
    sc = only("projects", projects__lead_rate=ALWAYS, projects__duration=2, projects__a0=30.0)
    sim = sim_with(sc, act, ties(3, [0, 0], [1, 2]))
    sim.step()
    sim.mechanism("projects").pars.lead_rate = 0.0
    sim.actors.alive[1] = False  # exits during the project
    E1 = sim.actors.E[1].copy()
    K0 = sim.actors.E.sum(axis=1)
    sim.step()
    sim.step()
    assert sim.stats["projects_succeeded"] == 1
    assert np.array_equal(sim.actors.E[1], E1)
    assert np.all(sim.actors.E[[0, 2]].sum(axis=1) > K0[[0, 2]])


def test_partners_are_local_and_known(actors, only, sim_with, ties):
    # the focal firm 0 knows SMEs 1-6 and external 7; SME 8 is a stranger
    n = 9
    kind = [FOCAL] + [SME] * 6 + [EXTERNAL, SME]
    act = actors(n, E=np.full((n, 4), 0.3), T=np.zeros((n, 4)), kind=kind)
    sc = only("projects", projects__lead_rate=ALWAYS, projects__size=3)
    sim = sim_with(sc, act, ties(n, [0] * 7, list(range(1, 8)), trust=[0.9, 0.9, 0.9, 0.0, 0.0, 0.0, 0.9]))
    proj = sim.projects
    seen = set()
    for _ in range(30):
        sim.step()
    for k in range(proj.running):
        m = proj.members(k)
        assert m[0] == 0 and len(m) == 4
        seen.update(m[1:].tolist())
    assert seen == {1, 2, 3}  # distrusted partners (weight 0), externals and strangers never join
    assert proj.moff[-1] == len(proj.mem) and len(proj.moff) == proj.running + 1


def collect(sc, keys):
    """Totals over the run of time-series columns, and the Sim."""
    sim = cl.Sim(sc)
    ts = sim.run().timeseries
    return {k: float(ts[k].sum()) for k in keys}, sim


def test_default_cluster_runs_a_few_projects_a_year_with_moderate_success():
    keys = ("projects_started", "projects_succeeded", "projects_failed")
    started = succeeded = failed = 0.0
    for seed in (1, 2):
        tot, sim = collect(cl.default_scenario().set(seed=seed, **{"output.figures": False}), keys)
        started += tot["projects_started"]
        succeeded += tot["projects_succeeded"]
        failed += tot["projects_failed"]
    years = 2 * 240 / 12
    assert 2 <= started / years <= 15
    assert 0.4 <= succeeded / (succeeded + failed) <= 0.75


def test_switching_projects_off_zeroes_their_counters(small):
    on = cl.run(small(steps=36, mechanisms__projects__duration=6))
    off = cl.run(small(steps=36, mechanisms__projects__duration=6, mechanisms__projects__enabled=False))
    cols = ["projects_started", "projects_succeeded", "flow_projects"]
    assert all(on.timeseries[c].sum() > 0 for c in cols)
    assert all(off.timeseries[c].sum() == 0 for c in cols)


def test_projects_are_deterministic(small):
    sc = small(steps=36, mechanisms__projects__duration=6)
    a, b = cl.run(sc).timeseries, cl.run(sc).timeseries
    cols = ["projects_started", "projects_succeeded", "flow_projects", "knowledge_mean"]
    assert a[cols].equals(b[cols])


def test_research_organisations_are_preferred_partners(actors, only, sim_with, ties):
    # 300 focal firms, each tied to 4 SMEs and one university; one partner per project
    groups, k = 300, 6
    kind = np.tile([FOCAL, SME, SME, SME, SME, UNIVERSITY], groups)
    lead = np.repeat(np.arange(groups) * k, k - 1)
    part = (np.arange(groups)[:, None] * k + np.arange(1, k)[None, :]).ravel()

    def share_university(weight):
        act = actors(groups * k, E=np.full((groups * k, 4), 0.3), T=np.zeros((groups * k, 4)), kind=kind)
        sc = only("projects", projects__lead_rate=ALWAYS, projects__size=1, projects__institution_weight=weight)
        sim = sim_with(sc, act, ties(groups * k, lead, part))
        sim.step()
        proj = sim.projects
        partners = proj.mem[proj.moff[:-1] + 1]
        return float((sim.actors.kind[partners] == UNIVERSITY).mean())

    even, favoured = share_university(1.0), share_university(4.0)
    assert even == pytest.approx(1 / 5, abs=0.07)  # weight w x trust, equal here
    assert favoured == pytest.approx(4 / 8, abs=0.08)


def test_shocks_stimulate_collaboration(small):
    """P11 (Oxborrow 2012): under market pressure SMEs start joint projects."""

    import clusterlab as cl

    shock = [{"step": 12, "action": "global_competition", "bar": 0.3},
             {"step": 12, "action": "recession", "demand": 0.6, "years": 3.0}]
    calm = cl.run(small(steps=48, seed=2)).timeseries
    hit = cl.run(small(steps=48, seed=2, events=shock)).timeseries
    assert hit["projects_started"].iloc[12:].sum() > calm["projects_started"].iloc[12:].sum() + 3
    off = cl.run(small(steps=48, seed=2, events=shock, **{"mechanisms.projects.pressure_rate": 0.0})).timeseries
    assert off["projects_started"].iloc[12:].sum() < hit["projects_started"].iloc[12:].sum()

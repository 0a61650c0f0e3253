"""Issue 10 (round 2), H-policy: a successful joint project that creates knowledge is a
collective innovation of each member firm (Wang & Wang 2012; counted at every co-operating
enterprise as in the Community Innovation Survey). Direction tests on a small cluster."""

import pytest

import clusterlab as cl

SEEDS = (1, 2, 3)
BASE = {"population.firms": 60, "steps": 72}


def _run(seed, events=(), **changes):
    sc = cl.default_scenario().set(seed=seed, **BASE, **changes)
    if events:
        d = sc.model_dump()
        d["events"] = list(events)
        sc = cl.Scenario.model_validate(d)
    return cl.run(sc)


RECESSION = {"step": 12, "action": "recession", "demand": 0.7, "years": 2.0}


@pytest.fixture(scope="module")
def runs():
    out = {arm: [_run(s, ev) for s in SEEDS] for arm, ev in (("none", ()), ("recession", (RECESSION,)))}
    out["recession_no_response"] = [_run(s, (RECESSION,), **{"mechanisms.projects.pressure_rate": 0.0}) for s in SEEDS]
    return out


def _innov(res):
    ts = res.timeseries
    return float(ts["innovations_incremental"].sum() + ts["innovations_radical"].sum())


def test_successful_projects_count_as_innovations_of_member_firms(runs):
    for res in runs["none"]:
        ts = res.timeseries
        assert ts["projects_innovations"].sum() > 0
        # every success with created knowledge counts once per member firm (>= 1 firm, <= size + 1)
        assert ts["projects_innovations"].sum() >= ts["projects_succeeded"].sum()
        assert ts["projects_innovations"].sum() <= 5 * ts["projects_succeeded"].sum()


def test_firm_counts_add_up_to_the_series(runs):
    """The actors' innovation counts (all firms that ever lived) include the collective ones,
    as the step series does."""
    for res in runs["none"]:
        act = res.actors
        last = act[act["step"] == act["step"].max()]
        firms = last[last["kind"].isin(("focal", "sme"))]
        total = float((firms["innovations_incremental"] + firms["innovations_radical"]).sum())
        assert total == pytest.approx(_innov(res))


def test_a_recession_raises_collective_innovations(runs):
    """Market pressure makes SMEs start joint projects (Oxborrow 2012): more collective
    innovations than without the recession; and the firms' response (projects under
    pressure) adds innovations over a recession without it."""
    coll = {arm: sum(r.timeseries["projects_innovations"].sum() for r in rs) for arm, rs in runs.items()}
    tot = {arm: sum(_innov(r) for r in rs) for arm, rs in runs.items()}
    assert coll["recession"] > 1.15 * coll["none"]
    assert coll["recession"] > 1.2 * coll["recession_no_response"]
    assert tot["recession"] > tot["recession_no_response"]


def test_no_created_knowledge_no_collective_innovation():
    res = _run(1, **{"mechanisms.projects.creation": 0.0})
    ts = res.timeseries
    assert ts["projects_succeeded"].sum() > 0
    assert ts["projects_innovations"].sum() == 0

"""The seams a modeller extends: a mechanism of one's own gets a stream, a parameter table,
columns, per-actor state and a place in the loop, with no edit to clusterlab."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import clusterlab as cl
from clusterlab.mechanisms import MECHANISMS, Interaction, Transfer
from clusterlab.recorder import columns


def small(**changes) -> cl.Scenario:
    base = {"steps": 24, "population.firms": 60, "population.externals": 10, "knowledge.domains": 4,
            "output.figures": False}
    return cl.default_scenario().set(**{**base, **changes})


class Noise(cl.Mechanism):
    """Draws from its own stream and changes nothing."""

    name = "noise"

    class Params(cl.MechanismParams):
        draws: int = cl.Field(1000, ge=0, description="numbers drawn per step")

    records = {"noise_mean": "mean of this step's draws"}

    def step(self, sim) -> None:
        sim.stats["noise_mean"] = float(sim.rng(self.name).random(self.pars.draws).mean())


class Mentoring(cl.Mechanism):
    """Each step a share of SMEs is mentored: their explicit knowledge rises a little."""

    name = "mentoring"
    after = "transfer"

    class Params(cl.MechanismParams):
        share: float = cl.Field(0.2, ge=0, le=1, description="share of SMEs mentored per step")
        gain: float = cl.Field(0.01, ge=0, le=1, description="explicit knowledge added per domain")

    records = {"mentored": "SMEs mentored this step"}
    states = (cl.State("times_mentored", np.int32, 0, "steps the actor was mentored"),
              cl.State("mentor_scratch", np.float32, 7.0, "a scratch array", record=False))

    def step(self, sim) -> None:
        a, p = sim.actors, self.pars
        smes = np.flatnonzero(a.is_firm & (a.kind == 1))
        who = smes[sim.rng(self.name).random(len(smes)) < p.share]
        a.E[who] += np.float32(p.gain)
        a.times_mentored[who] += 1
        sim.stats["mentored"] = len(who)
        sim.stats["flow_explicit"] += p.gain * a.domains * len(who)


# -- random streams ------------------------------------------------------------------------

def test_a_stream_depends_on_the_seed_and_its_name_only():
    one, two = cl.Sim(small()), cl.Sim(small())
    first = one.rng("mine").random(5)
    two.rng("other").random(100)  # another stream used first changes nothing
    assert np.array_equal(first, two.rng("mine").random(5))
    assert not np.array_equal(first, cl.Sim(small()).rng("yours").random(5))
    assert not np.array_equal(first, cl.Sim(small(seed=1)).rng("mine").random(5))


def test_adding_a_mechanism_never_changes_the_draws_of_the_others():
    plain = cl.Sim(small()).run().timeseries
    noisy = cl.Sim(small(), mechanisms=[*MECHANISMS, Noise]).run().timeseries
    assert noisy["noise_mean"].iloc[1:].between(0.4, 0.6).all()
    pd.testing.assert_frame_equal(plain, noisy.drop(columns="noise_mean"))


# -- parameters -------------------------------------------------------------------------

def test_a_user_mechanism_is_configured_like_a_built_in_one(tmp_path):
    loop = cl.with_mechanisms(Mentoring)
    f = tmp_path / "s.toml"
    f.write_text('steps = 3\n[mechanisms.mentoring]\nshare = 0.5\n', encoding="utf-8")
    sc = cl.load_scenario(f, {"mechanisms.mentoring.gain": 0.02}, mechanisms=loop)  # TOML and --set
    assert sc.mechanisms.mentoring.share == 0.5 and sc.mechanisms.mentoring.gain == 0.02
    assert sc.set(mechanisms__mentoring__share=0.1).mechanisms.mentoring.share == 0.1  # Scenario.set
    assert "[mechanisms.mentoring]" in sc.to_toml()
    assert cl.validate(__import__("tomllib").loads(sc.to_toml()), mechanisms=loop) == sc
    with pytest.raises(cl.ScenarioError, match=r"mechanisms.mentoring.share': input should be less than or equal to 1"):
        sc.set(mechanisms__mentoring__share=2.0)
    with pytest.raises(cl.ScenarioError, match="unknown key 'mechanisms.mentoring.speed'"):
        sc.set(mechanisms__mentoring__speed=2.0)
    with pytest.raises(cl.ScenarioError, match="no mechanism of that name"):
        cl.load_scenario(f)  # the built-in loop knows no mentoring table


def test_a_set_event_changes_a_user_mechanism_parameter_during_the_run():
    sc = cl.default_scenario(cl.with_mechanisms(Mentoring)).set(**{
        "steps": 6, "population.firms": 40, "output.figures": False,
        "events": [{"step": 3, "action": "set", "key": "mechanisms.mentoring.share", "value": 0.0}]})
    sim = cl.Sim(sc)
    ts = sim.run().timeseries
    assert ts["mentored"].iloc[1:3].sum() > 0 and ts["mentored"].iloc[3:].sum() == 0
    assert sim.mechanism("mentoring").pars.share == 0.0  # the parameters in force
    assert sc.mechanisms.mentoring.share == 0.2 and sim.given.mechanisms.mentoring.share == 0.2
    bad = [{"step": 1, "action": "set", "key": "mechanisms.mentoring.share", "value": 3}]
    with pytest.raises(cl.ScenarioError, match="events.0.value"):
        sc.set(events=bad)


def test_a_set_event_on_the_inflow_memory_takes_effect():
    """The smoothed inflow reads the memory in force, not the scenario as loaded."""
    ev = [{"step": 4, "action": "set", "key": "knowledge.inflow_memory", "value": 0.0}]
    sim = cl.Sim(small(steps=6, events=ev))
    sim.run()
    assert np.array_equal(sim.actors.recent, sim.actors.inflow)  # memory 0: only this step's inflow
    kept = cl.Sim(small(steps=6))
    kept.run()
    assert not np.array_equal(kept.actors.recent, kept.actors.inflow)


def test_set_events_refuse_keys_that_cannot_change_during_a_run():
    for key in ("population.firms", "mechanisms.transfer.speed", "network.tie_kms"):
        with pytest.raises(cl.ScenarioError, match="events.0.key"):
            small(events=[{"step": 1, "action": "set", "key": key, "value": 1}])
    ok = small(events=[{"step": 1, "action": "set", "key": "network.pipeline_cost", "value": 0.1}])
    assert ok.events[0].key == "network.pipeline_cost"


# -- columns ----------------------------------------------------------------------------

def test_declared_columns_are_written_and_undeclared_ones_refused():
    ts = cl.Sim(small(), mechanisms=cl.with_mechanisms(Mentoring)).run().timeseries
    assert ts["mentored"].iloc[1:].gt(0).all() and ts["mentored"].iloc[0] == 0

    class Sloppy(Mentoring):
        name = "sloppy"
        records = {}  # writes "mentored" without declaring it

    with pytest.raises(KeyError, match="statistic 'mentored' is not a declared column"):
        cl.Sim(small(), mechanisms=[*MECHANISMS, Sloppy]).run()


def test_every_statistic_the_built_in_mechanisms_compute_is_a_column():
    """Each declared column is in the time series, and a run with every mechanism and
    event writes only declared statistics (Stats refuses others)."""
    sc = small(steps=30, events=[{"step": 2, "action": "recession", "demand": 0.6, "years": 1},
                                 {"step": 3, "action": "start_cluster_org"}])
    sim = cl.Sim(sc)
    ts = sim.run().timeseries
    assert list(ts.columns) == columns(MECHANISMS)
    for col in ("knowledge_lost", "payout", "profit", "revenue", "projects_running", "exits_focal",
                "projects_created", "cluster_org_pipelines", "cluster_org_introductions",
                "cluster_org_informed", "cluster_org_infrastructure", "cluster_org_projects",
                "cluster_org_knowledge"):
        assert col in ts.columns
    assert ts["knowledge_lost"].iloc[1:].gt(0).all() and ts["revenue"].iloc[1:].gt(0).all()
    assert ts["projects_running"].max() > 0 and ts["cluster_org_pipelines"].sum() > 0


def test_two_mechanisms_cannot_declare_the_same_column():
    class Twin(Noise):
        name = "twin"

    with pytest.raises(ValueError, match="already declared"):
        cl.Sim(small(), mechanisms=[*MECHANISMS, Noise, Twin])


# -- per-actor state ----------------------------------------------------------------------

def test_declared_states_grow_with_the_actors_and_are_recorded():
    sc = small(steps=36, **{"mechanisms.market.spinoff_rate": 6.0})
    sim = cl.Sim(sc, mechanisms=cl.with_mechanisms(Mentoring))
    sim.init()
    n0 = sim.actors.n
    assert np.all(sim.actors.mentor_scratch == 7.0)
    res = sim.run()
    a = sim.actors
    assert a.n > n0  # spin-offs entered
    assert len(a.times_mentored) == a.n and np.all(a.mentor_scratch == 7.0)  # entrants take the default
    assert a.times_mentored[n0:].sum() > 0  # and mechanisms use the new rows
    snap = res.actors[res.actors["step"] == res.actors["step"].max()]
    assert (snap["times_mentored"].to_numpy() == a.times_mentored).all()
    assert "mentor_scratch" not in res.actors.columns


def test_a_state_declared_twice_differently_is_an_error():
    sim = cl.Sim(small()).init()
    sim.actors.add_state("extra", np.int32, 0)
    assert sim.actors.add_state("extra", np.int32, 0) is sim.actors.extra
    with pytest.raises(ValueError, match="declared twice"):
        sim.actors.add_state("extra", np.float32, 0)
    with pytest.raises(ValueError, match="built-in"):
        sim.actors.add_state("size")


# -- the mechanism list ---------------------------------------------------------------------

def test_sim_takes_classes_or_instances():
    by_class = cl.Sim(small(), mechanisms=list(MECHANISMS)).run().timeseries
    instances = [cls() for cls in MECHANISMS]
    by_instance = cl.Sim(small(), mechanisms=instances).run().timeseries
    pd.testing.assert_frame_equal(by_class, by_instance)
    slow = Transfer(Transfer.Params(beta_vertical=0.01))  # an instance brings its parameters
    sim = cl.Sim(small(), mechanisms=[slow, *MECHANISMS[4:]])
    assert sim.mechanism("transfer") is slow and sim.scenario.mechanisms.transfer.beta_vertical == 0.01
    assert sim.given.mechanisms.transfer.beta_vertical == 0.01  # and the results record them


def test_a_user_mechanism_goes_where_it_says():
    loop = cl.with_mechanisms(Mentoring, Noise)
    names = [m.name for m in loop]
    assert names.index("mentoring") == names.index("transfer") + 1 and names[-1] == "noise"

    class Lost(Noise):
        name = "lost"
        after = "nowhere"

    with pytest.raises(ValueError, match="goes after 'nowhere'"):
        cl.with_mechanisms(Lost)


def test_a_subset_of_mechanisms_runs_without_the_others_columns():
    sim = cl.Sim(small(), mechanisms=[MECHANISMS[0], Interaction, Transfer])  # transfer uses active ties
    ts = sim.run().timeseries
    assert "innovations_incremental" not in ts.columns and ts["flow_vertical"].iloc[1:].gt(0).any()


def test_mechanisms_do_not_reach_into_each_other():
    """No built-in mechanism module imports another or looks another up on the Sim."""
    import ast
    from pathlib import Path

    folder = Path(cl.__file__).parent / "mechanisms"
    names = {p.stem for p in folder.glob("*.py")} - {"__init__"}
    for path in folder.glob("*.py"):
        if path.stem == "__init__":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                assert node.module not in names, f"{path.name} imports mechanism {node.module}"
            if isinstance(node, ast.Attribute) and node.attr in ("mechanism", "mechanism_by_name"):
                raise AssertionError(f"{path.name} looks up another mechanism")

"""Experiment files: validation (one line naming file and key), arms and designs, CRN seeds,
run keys that change only where the scenario changes, and the to_dict round trip."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

import clusterlab as cl
from clusterlab import ClusterlabError, ClusterlabWarning, ScenarioError
from clusterlab.experiments import Experiment, Outcomes, Task, load_experiment, run_key, run_task

ARMS = """
base = "cluster_org"
replications = 3
seed = 5
[set]
steps = 12
"population.firms" = 30

[[arms]]
name = "none"
drop_events = true

[[arms]]
name = "org"
control = false
drop_events = true
events = [ { step = 6, action = "start_cluster_org", members = 0.4 } ]

[[arms]]
name = "big"
set = { "population.cluster_orgs" = 1, "network.cluster_org_members" = 0.6 }
drop_events = true

[outcomes]
timeseries = ["sme_international_share"]
steps = [0, 6, 12]
[outcomes.values]
sme_intl = { column = "sme_international_share" }
gap = { column = "frontier_gap", window = [6, 12], stat = "mean" }
"""


def write(tmp_path: Path, text: str, name: str = "exp.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.fixture
def arms_file(tmp_path):
    return write(tmp_path, ARMS)


def test_arms_tasks_use_common_random_numbers(arms_file):
    exp = load_experiment(arms_file)
    assert (exp.name, exp.kind, exp.method, exp.replications, exp.seed) == ("exp", "arms", None, 3, 5)
    assert exp.arms == ["none", "org", "big"] and exp.control == "none"
    tasks = exp.tasks()
    assert len(tasks) == 9
    assert [(t.meta["arm"], t.meta["replication"]) for t in tasks[:4]] == [
        ("none", 0), ("none", 1), ("none", 2), ("org", 0)]
    for t in tasks:
        assert set(t.meta) == {"arm", "point", "replication", "seed"}
        assert t.meta["seed"] == 5 + t.meta["replication"] == t.scenario["seed"]
        assert t.meta["point"] == exp.arms.index(t.meta["arm"])
        assert t.key == run_key(t.scenario, t.meta["seed"])
        assert t.scenario["steps"] == 12 and t.scenario["population"]["firms"] == 30
    assert len({t.key for t in tasks}) == 9
    org = tasks[3].scenario
    assert [e["step"] for e in org["events"]] == [6] and tasks[0].scenario["events"] == []
    assert tasks[6].scenario["network"]["cluster_org_members"] == 0.6
    # default comparisons: every arm against the control, every scalar outcome
    assert exp.comparisons == [{"outcome": o, "arm": a, "control": "none"}
                               for a in ("org", "big") for o in ("sme_intl", "gap")]


def test_to_dict_round_trip_gives_the_same_tasks(arms_file):
    exp = load_experiment(arms_file)
    doc = json.loads(json.dumps(exp.to_dict()))
    again = Experiment.from_dict(doc)
    assert [t.key for t in again.tasks()] == [t.key for t in exp.tasks()]
    assert [t.meta for t in again.tasks()] == [t.meta for t in exp.tasks()]
    assert again.outcomes == exp.outcomes and again.comparisons == exp.comparisons


def test_changing_one_arm_changes_only_its_keys(tmp_path, arms_file):
    before = {(t.meta["arm"], t.meta["replication"]): t.key for t in load_experiment(arms_file).tasks()}
    changed = write(tmp_path, ARMS.replace("members = 0.4", "members = 0.5"), "changed.toml")
    after = {(t.meta["arm"], t.meta["replication"]): t.key for t in load_experiment(changed).tasks()}
    differ = {k for k in before if before[k] != after[k]}
    assert differ == {("org", r) for r in range(3)}
    more = write(tmp_path, ARMS.replace("replications = 3", "replications = 4"), "more.toml")
    keys = {t.key for t in load_experiment(more).tasks()}
    assert set(before.values()) < keys and len(keys) == 12  # one more replication: only new runs


def test_no_arms_and_no_design_is_one_arm_base(tmp_path):
    exp = load_experiment(write(tmp_path, "replications = 2\n[set]\nsteps = 12\n"))
    assert exp.arms == ["base"] and exp.control == "base" and exp.comparisons == []
    assert [t.meta["seed"] for t in exp.tasks()] == [1, 2]
    assert exp.tasks()[0].scenario["name"] == "default"


def test_base_is_a_preset_or_a_file_beside_the_experiment(tmp_path):
    (tmp_path / "sub").mkdir()
    write(tmp_path, 'name = "mine"\nsteps = 12\n[population]\nfirms = 40\n', "sub/base.toml")
    exp = load_experiment(write(tmp_path, 'base = "sub/base.toml"\n', "sub_exp.toml"))
    sc = exp.tasks()[0].scenario
    assert (sc["name"], sc["steps"], sc["population"]["firms"]) == ("mine", 12, 40)
    exp = load_experiment(write(tmp_path, 'base = "lock_in"\n[set]\nsteps = 12\n', "preset.toml"))
    assert exp.tasks()[0].scenario["name"] == "lock_in"


def test_overrides_change_experiment_keys(arms_file):
    exp = load_experiment(arms_file, {"replications": 2, "set.steps": 18, "name": "short"})
    assert exp.name == "short" and len(exp.tasks()) == 6 and exp.tasks()[0].scenario["steps"] == 18


def test_design_grid_meta_and_round_trip(tmp_path):
    text = """
replications = 2
[set]
steps = 12
"population.firms" = 30
[design]
method = "grid"
[design.keys]
"network.tie_km" = [2.0, 8.0]
"mechanisms.trust.enabled" = [true, false]
"""
    exp = load_experiment(write(tmp_path, text))
    assert exp.kind == "design" and exp.method == "grid" and exp.control is None
    assert len(exp.points) == 4 and exp.arms == ["p0", "p1", "p2", "p3"]
    tasks = exp.tasks()
    assert len(tasks) == 8
    t = tasks[5]  # point 2, replication 1
    assert t.meta == {"arm": "p2", "point": 2, "replication": 1, "seed": 2,
                      "network.tie_km": 8.0, "mechanisms.trust.enabled": True}
    assert t.scenario["network"]["tie_km"] == 8.0 and t.scenario["mechanisms"]["trust"]["enabled"] is True
    again = Experiment.from_dict(json.loads(json.dumps(exp.to_dict())))
    assert [t.key for t in again.tasks()] == [t.key for t in tasks]


def test_design_sobol_morris_lhs_sizes_ranges_and_round_trip(tmp_path):
    base = '[set]\nsteps = 12\n"population.firms" = 30\n'
    keys = '[design.keys]\n"network.tie_km" = [1, 20]\n"population.focal_share" = {}\n"population.cluster_orgs" = [0, 3]\n'
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ClusterlabWarning)
        sob = load_experiment(write(tmp_path, base + '[design]\nmethod = "sobol"\nsamples = 8\n' + keys, "s.toml"))
        mor = load_experiment(write(tmp_path, base + '[design]\nmethod = "morris"\nsamples = 3\nlevels = 4\n' + keys, "m.toml"))
        lhs = load_experiment(write(tmp_path, base + '[design]\nmethod = "lhs"\nsamples = 5\n' + keys, "l.toml"))
        assert len(sob.points) == 8 * (3 + 2) and len(mor.points) == 3 * (3 + 1) and len(lhs.points) == 5
        assert sob.problem["names"] == ["network.tie_km", "population.focal_share", "population.cluster_orgs"]
        assert sob.problem["bounds"] == [[1.0, 20.0], [0.0, 1.0], [0.0, 3.0]]
        for exp in (sob, mor, lhs):
            meta = [t.meta for t in exp.tasks()]
            assert all(isinstance(m["population.cluster_orgs"], int) for m in meta)
            assert all(0 <= m["population.cluster_orgs"] <= 3 for m in meta)
            again = Experiment.from_dict(json.loads(json.dumps(exp.to_dict())))
            assert [t.key for t in again.tasks()] == [t.key for t in exp.tasks()]
            assert again.problem == exp.problem


BAD = [
    ("replication = 3\n", r"exp.toml: key 'replication': unknown key \(did you mean 'replications'\?\)"),
    ("replications = 0\n", r"exp.toml: key 'replications': expected a whole number from 1 to 100,000, got 0"),
    ('base = "lock_inn"\n', r"exp.toml: key 'base': no such file or preset: 'lock_inn' \(did you mean 'lock_in'\?\)"),
    ('base = "nope.toml"\n', r"exp.toml: key 'base': .*nope.toml: no such file"),
    ("[set]\nseed = 3\n", r"exp.toml: key 'set.seed': the seed is set per replication"),
    ('[set]\n"population.firmz" = 3\n', r"exp.toml: key 'set.population.firmz': unknown key \(did you mean 'population.firms'\?\)"),
    ('[[arms]]\nname = "a"\n[[arms]]\nname = "b"\nset = { "population.firmz" = 30 }\n',
     r"exp.toml: key 'arms.1.set.population.firmz': unknown key \(did you mean 'population.firms'\?\)"),
    ('[[arms]]\nname = "a"\n[[arms]]\nname = "org"\nevents = [ { step = -1, action = "start_cluster_org" } ]\n',
     r"exp.toml: arm 'org': key 'events.0.step': input should be greater than or equal to 0"),
    ('[[arms]]\nname = "a"\n[[arms]]\nname = "b"\nset = { "population.firms" = 0 }\n',
     r"exp.toml: arm 'b': key 'population.firms': input should be greater than or equal to 1"),
    ('[[arms]]\nname = "a"\ncontrl = true\n', r"exp.toml: key 'arms.0.contrl': unknown key \(did you mean 'arms.0.control'\?\)"),
    ('[[arms]]\nname = "a"\ncontrol = true\n[[arms]]\nname = "b"\ncontrol = true\n', r"arms 'a' and 'b' are both the control"),
    ('[[arms]]\nname = "a"\n[[arms]]\nname = "a"\n', r"key 'arms.1.name': the arm name 'a' is used twice"),
    ('[[arms]]\nset = {}\n', r"key 'arms.0.name': every arm needs a name"),
    ('[[arms]]\nname = "a"\n[design]\nmethod = "grid"\n', r"give \[\[arms\]\] or \[design\], not both"),
    ('[design]\nmethod = "sobl"\n', r"key 'design.method': expected one of .* \(did you mean 'sobol'\?\)"),
    ('[design]\nmethod = "lhs"\n[design.keys]\n"network.tie_km" = [1, 20]\n', r"key 'design.samples' is required for method 'lhs'"),
    ('[design]\nmethod = "lhs"\nsamples = 4\n[design.keys]\n"network.tie_km" = [0, 20]\n',
     r"exp.toml: key 'design.keys.network.tie_km': range \[0, 20\] is outside the key's declared range"),
    ('[design]\nmethod = "lhs"\nsamples = 4\n[design.keys]\n"network.tie_kmm" = [1, 20]\n',
     r"exp.toml: key 'design.keys.network.tie_kmm': unknown key \(did you mean 'network.tie_km'\?\)"),
    ('[design]\nmethod = "lhs"\nsamples = 4\n[design.keys]\n"mechanisms.trust.enabled" = {}\n',
     r"key 'design.keys.mechanisms.trust.enabled': a sampled design needs a number"),
    ('[design]\nmethod = "grid"\n[design.keys]\n"population.firms" = [30, 0]\n',
     r"exp.toml: design point 1: key 'population.firms': input should be greater than or equal to 1"),
    ('[design]\nmethod = "grid"\n[design.keys]\n"network.tie_km" = [2]\n[[comparisons]]\noutcome = "x"\narm = "p0"\n',
     r"comparisons are between arms"),
    ('[[arms]]\nname = "a"\n[[arms]]\nname = "b"\n[[comparisons]]\noutcome = "trust_men"\narm = "b"\n',
     r"key 'comparisons.0.outcome': no outcome 'trust_men' \(did you mean 'trust_mean'\?\)"),
    ('[[arms]]\nname = "a"\n[[arms]]\nname = "b"\n[[comparisons]]\noutcome = "trust_mean"\narm = "c"\n',
     r"key 'comparisons.0.arm': no arm 'c'"),
    ('[outcomes.values]\nx = { column = "tiez" }\n', r"exp.toml: key 'outcomes.values.x.column': no time-series column 'tiez'"),
    ('[set]\nsteps = 12\n[outcomes]\nsteps = [0, 24]\n', r"key 'outcomes.steps': step 24 is beyond the run's last step 12"),
    ('mechanisms = ["no_such_module_q:Mech"]\n', r"exp.toml: key 'mechanisms': mechanism 'no_such_module_q:Mech': cannot import"),
    ("seed = [1\n", r"exp.toml: malformed TOML"),
]


@pytest.mark.parametrize("text, message", BAD)
def test_bad_experiment_files_are_one_line_naming_file_and_key(tmp_path, text, message):
    p = write(tmp_path, text)
    with pytest.raises(ScenarioError, match=message.replace("exp.toml", ".*exp.toml")) as info:
        load_experiment(p)
    assert "\n" not in str(info.value) and str(info.value).startswith(str(p))


def test_missing_file(tmp_path):
    with pytest.raises(ClusterlabError, match="no such file"):
        load_experiment(tmp_path / "none.toml")


def last_sme_share(results) -> float:
    return float(results.final()["sme_international_share"])


def test_callables_run_from_code_and_are_refused_for_storage_only_when_anonymous():
    outcomes = Outcomes(values={"share": last_sme_share, "anon": lambda r: 1.0})
    exp = Experiment.from_dict({"set": {"steps": 6, "population.firms": 30}, "outcomes": outcomes})
    got = run_task(exp.tasks()[0])
    assert got["outcomes"]["anon"].iat[0] == 1.0
    with pytest.raises(ClusterlabError, match="cannot be stored"):
        exp.to_dict()


def test_run_task_gives_one_outcome_row_and_the_kept_steps(arms_file):
    exp = load_experiment(arms_file, {"replications": 1})
    task = exp.tasks()[1]
    assert isinstance(task, Task)
    got = run_task(task)
    assert list(got["outcomes"].columns) == ["sme_intl", "gap"] and len(got["outcomes"]) == 1
    assert got["timeseries"]["step"].tolist() == [0, 6, 12]
    sc = cl.validate(task.scenario)
    ts = cl.Sim(sc).run().timeseries.set_index("step")
    assert got["outcomes"]["sme_intl"].iat[0] == ts["sme_international_share"].iat[-1]
    assert got["outcomes"]["gap"].iat[0] == ts.loc[6:12, "frontier_gap"].mean()


def test_tasks_pickle_and_a_scenario_object_is_a_base():
    import pickle

    sc = cl.default_scenario().set(steps=6, **{"population.firms": 30})
    exp = Experiment.from_dict({"base": sc, "replications": 2})
    tasks = exp.tasks()
    assert tasks[0].scenario["steps"] == 6
    back = pickle.loads(pickle.dumps(tasks))
    assert back == tasks


def test_an_outcome_may_not_take_a_design_key_name(tmp_path):
    text = '[design]\nmethod = "grid"\n[design.keys]\nsteps = [6, 12]\n[outcomes.values]\nsteps = { column = "ties" }\n'
    with pytest.raises(ScenarioError, match="key 'outcomes.values.steps': the name is taken by the design key"):
        load_experiment(write(tmp_path, text))


USER_MECHANISM = '''
import clusterlab as cl


class NudgeParams(cl.MechanismParams):
    rate: float = cl.Field(0.5, ge=0, le=1, description="a made-up rate")


class Nudge(cl.Mechanism):
    name = "nudge"
    Params = NudgeParams
    records = {"nudge_rate": "the rate in force"}

    def step(self, sim):
        sim.stats["nudge_rate"] = self.pars.rate
'''


def test_a_mechanism_of_ones_own_is_configured_and_run_by_name(tmp_path, monkeypatch):
    (tmp_path / "user_mech_q7.py").write_text(USER_MECHANISM)
    monkeypatch.syspath_prepend(str(tmp_path))
    text = ('mechanisms = ["user_mech_q7:Nudge"]\n[set]\nsteps = 6\n"population.firms" = 30\n'
            '[[arms]]\nname = "low"\nset = { "mechanisms.nudge.rate" = 0.1 }\n'
            '[[arms]]\nname = "high"\nset = { "mechanisms.nudge.rate" = 0.9 }\n'
            '[outcomes.values]\nrate = { column = "nudge_rate" }\n')
    exp = load_experiment(write(tmp_path, text))
    tasks = exp.tasks()
    assert tasks[0].mechanisms == ("user_mech_q7:Nudge",)
    assert [run_task(t)["outcomes"]["rate"].iat[0] for t in tasks] == pytest.approx([0.1, 0.9])
    bad = text.replace('"mechanisms.nudge.rate" = 0.9', '"mechanisms.nudge.rat" = 0.9')
    with pytest.raises(ScenarioError, match=r"key 'arms.1.set.mechanisms.nudge.rat': unknown key \(did you mean 'mechanisms.nudge.rate'\?\)"):
        load_experiment(write(tmp_path, bad, "bad.toml"))

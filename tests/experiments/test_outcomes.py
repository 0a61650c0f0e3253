"""Outcomes: every kind of scalar outcome read from a real run, the kept steps, the checks."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import clusterlab as cl
from clusterlab import ClusterlabError, ScenarioError
from clusterlab.experiments import Outcomes


USER_MODULE = '''
def gap_and_ties(results):
    """An outcome function of a user: two values."""
    return {"gap": float(results.final()["frontier_gap"]), "ties": float(results.final()["ties"])}
'''


@pytest.fixture
def user_module(tmp_path, monkeypatch):
    (tmp_path / "user_outcomes_x1.py").write_text(USER_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    return "user_outcomes_x1"


def last_trust(results) -> float:
    return float(results.final()["trust_mean"])


@pytest.fixture(scope="module")
def small():
    sc = cl.default_scenario().set(steps=24, steps_per_year=6, **{"population.firms": 30})
    return sc, cl.Sim(sc).run()


def test_each_kind_of_outcome_reads_the_run(small, user_module):
    sc, res = small
    ts = res.timeseries.set_index("step")
    o = Outcomes(timeseries=["knowledge_mean", "ties"], values={
        "last": {"column": "sme_international_share"},
        "at": {"column": "trust_mean", "step": 7},
        "win": {"column": "frontier_gap", "window": [10, 20], "stat": "max"},
        "tot": {"column": "ties_created", "window": [1, 24], "stat": "sum"},
        "innov": {"summary": "innovations_radical"},
        "div_end": {"summary": "lock_in.diversity.end"},
        "ac": {"firms": "absorptive", "kind": "sme"},
        "n_sme": {"firms": "size", "stat": "count", "kind": "sme"},
        "mine": {"function": f"{user_module}:gap_and_ties"},
        "trust": last_trust,
    })
    o.check(sc)
    got = o.extract(res)
    row = got["outcomes"].iloc[0]
    assert row["last"] == ts["sme_international_share"].iat[-1]
    assert row["at"] == ts.loc[7, "trust_mean"]
    assert row["win"] == ts.loc[10:20, "frontier_gap"].max()
    assert row["tot"] == ts.loc[1:24, "ties_created"].sum()
    assert row["innov"] == ts["innovations_radical"].sum()
    assert row["div_end"] == ts["diversity"].iat[-1]
    act = res.actors
    final = act[(act["step"] == 24) & act["alive"] & (act["kind"] == "sme")]
    assert row["ac"] == pytest.approx(final["absorptive"].astype(float).mean())
    assert row["n_sme"] == len(final)
    assert row["mine.gap"] == ts["frontier_gap"].iat[-1] and row["mine.ties"] == ts["ties"].iat[-1]
    assert row["trust"] == ts["trust_mean"].iat[-1]
    assert got["outcomes"].shape[0] == 1 and (got["outcomes"].dtypes == float).all()
    # the kept time series: yearly (6 steps a year) and the last step
    series = got["timeseries"]
    assert list(series.columns) == ["step", "knowledge_mean", "ties"]
    assert series["step"].tolist() == [0, 6, 12, 18, 24]
    assert np.array_equal(series["knowledge_mean"].to_numpy(), ts.loc[[0, 6, 12, 18, 24], "knowledge_mean"].to_numpy())


def test_record_steps_cover_what_the_outcomes_read():
    sc = cl.default_scenario().set(steps=25, steps_per_year=12)
    o = Outcomes(steps="yearly", values={"a": {"column": "ties", "step": 5},
                                         "b": {"column": "ties", "window": [20, 22]}})
    assert o.kept_steps(sc) == [0, 12, 24, 25]
    assert o.record_steps(sc) == [0, 5, 12, 20, 21, 22, 24, 25]
    assert Outcomes(steps=[3, 1]).record_steps(sc) == [0, 1, 3, 25]


def test_default_outcomes_are_the_standard_set(small):
    sc, res = small
    o = Outcomes()
    o.check(sc)
    got = o.extract(res)["outcomes"]
    assert {"knowledge_mean", "frontier_gap", "diversity", "sme_international_share", "external_share",
            "trust_mean", "innovations_incremental", "innovations_radical"} == set(got.columns)


@pytest.mark.parametrize("values, message", [
    ({"x": {"column": "frontier_gapp"}}, r"key 'outcomes.values.x.column': no time-series column 'frontier_gapp' \(did you mean 'frontier_gap'\?\)"),
    ({"x": {"colum": "ties"}}, r"key 'outcomes.values.x.colum': unknown key \(did you mean 'column'\?\)"),
    ({"x": {"column": "ties", "step": 99}}, r"key 'outcomes.values.x.step': step 99 is beyond the run's last step 24"),
    ({"x": {"column": "ties", "window": [20, 30]}}, r"key 'outcomes.values.x.window': step 30 is beyond"),
    ({"x": {"column": "ties", "window": [5, 9], "stat": "meen"}}, r"did you mean 'mean'"),
    ({"x": {"summary": "innovations_radicl"}}, r"no number 'innovations_radicl' in the run summary \(did you mean 'innovations_radical'\?\)"),
    ({"x": {"firms": "absorptve"}}, r"no actor column 'absorptve' \(did you mean 'absorptive'\?\)"),
    ({"x": {"firms": "size", "kind": "smes"}}, r"did you mean 'sme'"),
    ({"x": {"function": "no_such_module_xyz:f"}}, r"cannot import no_such_module_xyz"),
    ({"seed": {"column": "ties"}}, r"the name 'seed' is taken"),
    ({"bad-name": {"column": "ties"}}, r"must be an identifier"),
])
def test_bad_outcomes_are_one_line_naming_the_key(values, message):
    sc = cl.default_scenario().set(steps=24)
    with pytest.raises(ScenarioError, match=message):
        Outcomes(values=values, source="exp.toml").check(sc, "exp.toml")


def test_bad_timeseries_and_steps():
    sc = cl.default_scenario().set(steps=24)
    with pytest.raises(ScenarioError, match=r"key 'outcomes.timeseries.1': no time-series column 'tiez'"):
        Outcomes(timeseries=["ties", "tiez"]).check(sc)
    with pytest.raises(ScenarioError, match=r"key 'outcomes.steps': step 30 is beyond the run's last step 24"):
        Outcomes(steps=[0, 30]).check(sc)
    with pytest.raises(ScenarioError, match="yearly"):
        Outcomes(steps="monthly")


def test_outcomes_pickle_and_store_callables_by_name():
    o = Outcomes(values={"trust": last_trust})
    back = pickle.loads(pickle.dumps(o))
    assert back.values["trust"]["function"] is last_trust
    d = o.to_dict()
    assert d["values"]["trust"] == {"function": f"{last_trust.__module__}:last_trust"}
    assert Outcomes.from_dict(d).to_dict() == d
    with pytest.raises(ClusterlabError, match="cannot be stored"):
        Outcomes(values={"f": lambda r: 1.0}).to_dict()

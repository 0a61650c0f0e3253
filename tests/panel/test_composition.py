"""The composition given by the data (`--composition observed`): who leaves between the waves
is taken from wave 2, as RSiena treats composition change (Huisman & Snijders 2003), for the
simulation and the null models alike."""

from __future__ import annotations

import json

import numpy as np
import pytest

from clusterlab.panel.synthetic import make_logit_panel
from clusterlab.panel.interval import advance, given_composition, simulate_interval
from clusterlab.panel.nulls import nothing_changes, random_rewiring
from clusterlab.panel.predict import predict
from clusterlab.panel.scores import match_waves
from clusterlab.scenario import default_scenario
from clusterlab.sim import Sim


@pytest.fixture(scope="module")
def panel():
    p = make_logit_panel(30, 3, seed=2)
    return p, match_waves(p.wave1, p.wave2)


def test_leavers_leave_with_their_ties_and_nobody_else(panel):
    p, obs = panel
    assert (~obs.stay).sum() >= 2
    runs = simulate_interval(p.wave1, 3, replications=3, seed=4, leavers=~obs.stay)
    for r in runs:
        assert np.array_equal(r.present, obs.stay)  # the market's own exits are off
        assert r.present[r.a].all() and r.present[r.b].all()
    again = simulate_interval(p.wave1, 3, replications=3, seed=4, leavers=~obs.stay)
    assert all(np.array_equal(r.a, s.a) and np.array_equal(r.b, s.b) for r, s in zip(runs, again))
    with pytest.raises(Exception, match="one true/false per wave-1 actor"):
        simulate_interval(p.wave1, 3, leavers=np.ones(3, bool))


def test_leavers_leave_at_uniform_times_over_the_interval(panel):
    # 60 of 80 firms leave over 24 steps: about half of them are gone at the middle
    sc = given_composition(default_scenario().set(**{"population.firms": 80, "steps": 24, "seed": 3}))
    sim = Sim(sc, keep=[]).init()
    leavers = np.arange(60)
    gone_at = []
    step = sim.step

    def counting_step():
        step()
        gone_at.append(int((~sim.actors.alive[leavers]).sum()))

    sim.step = counting_step
    advance(sim, 24, leavers)
    assert not sim.actors.alive[leavers].any() and sim.actors.alive[60:80].all()
    # after step 12 of 24 (a leaver leaves after its step): Binomial(60, 12/24) counts
    assert 18 <= gone_at[12] <= 42
    assert gone_at[0] < gone_at[12] < 60


def test_null_models_keep_to_the_given_composition(panel):
    p, obs = panel
    n = p.wave1.n
    [nc] = nothing_changes(p.wave1, obs.stay)
    assert np.array_equal(nc.present, obs.stay)
    assert np.array_equal(nc.pairs(n), obs.ties1_among_stayers())
    runs = random_rewiring(p.wave1, 0.5, len(obs.ties2), 30, rng=np.random.default_rng(1), present=obs.stay)
    for r in runs:
        assert len(r.pairs(n)) == len(obs.ties2) and obs.stay[r.a].all() and obs.stay[r.b].all()
    # everyone present: the same draws as without a composition
    a = random_rewiring(p.wave1, 0.5, 40, 3, rng=np.random.default_rng(5))
    b = random_rewiring(p.wave1, 0.5, 40, 3, rng=np.random.default_rng(5), present=np.ones(n, bool))
    assert all(np.array_equal(x.pairs(n), y.pairs(n)) for x, y in zip(a, b))


def test_predict_with_the_composition_observed(panel, tmp_path):
    p, obs = panel
    res = predict(p.wave1, p.wave2, 3, replications=4, seed=1, composition="observed")
    exits = (obs.n - len(obs.stayers)) / obs.n
    for m in ("simulation", "nothing_changes", "random_rewiring"):
        assert res.value(m, "exits") == pytest.approx(exits)
        assert res.value(m, "persisted") + res.value(m, "created") == pytest.approx(res.value(m, "ties"))
    s = res.summary()
    assert s["composition"] == "observed"
    assert s["models"]["nothing_changes"]["persisted"]["mean"] == len(obs.ties1_among_stayers())
    assert s["models"]["nothing_changes"]["jaccard"]["mean"] == pytest.approx(
        s["observed"]["persisted"] / (len(obs.ties1_among_stayers()) + s["observed"]["ties"] - s["observed"]["persisted"]))
    from clusterlab.panel.predict import write_predict_report
    assert "given by wave 2" in write_predict_report(tmp_path / "r.html", res).read_text()
    with pytest.raises(Exception, match="--composition"):
        predict(p.wave1, p.wave2, 3, composition="given")


def test_exits_decided_by_the_model_cost_ties_of_stayers(panel):
    # why the composition matters for Jaccard: a simulation that exits firms the data keep
    # loses their ties; given the composition it keeps more of the ties that persisted
    p, obs = panel
    sets = {"mechanisms.market.exit_capital_years": 0.5}  # many exits
    own = predict(p.wave1, p.wave2, 3, sets=sets, replications=6, seed=2)
    given = predict(p.wave1, p.wave2, 3, sets=sets, replications=6, seed=2, composition="observed")
    assert own.value("simulation", "exits") > given.value("simulation", "exits")
    assert given.value("simulation", "jaccard") > own.value("simulation", "jaccard")


def test_calibrate_with_the_composition_observed_does_not_estimate_exits(panel, tmp_path):
    from clusterlab.panel.calibrate import LEVERS, calibrate
    from clusterlab.panel.msm import Settings

    p, obs = panel
    levers = tuple(lv for lv in LEVERS if lv.statistic in ("created", "exits"))
    st = Settings(n1=12, h=0.5, nsub=2, n2extra=10, batch=1, n3=20, n3_deriv=6, runs=1)
    cal = calibrate(p.wave1, p.wave2, 3, levers=levers, settings=st, seed=1, composition="observed")
    assert "composition is given" in cal.not_estimated["mechanisms.market.exit_capital_years"]
    assert [lv.statistic for lv in cal.levers] == ["created"]
    cal.write(tmp_path / "cal")
    assert "--composition observed" in (tmp_path / "cal" / "calibrated.toml").read_text()
    assert cal.summary()["composition"] == "observed"
    with pytest.raises(Exception, match="--composition"):
        calibrate(p.wave1, p.wave2, 3, levers=levers, settings=st, composition="given")


def test_cli_composition_is_checked_and_passed_on(panel, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from clusterlab.cli import app

    p, obs = panel
    paths = p.write(tmp_path / "panel")
    monkeypatch.chdir(tmp_path)
    args = ["predict", str(paths["wave1"]), str(paths["wave2"]), "--years", "3", "--replications", "2"]
    bad = CliRunner().invoke(app, [*args, "--composition", "given", "--out", "bad"])
    assert bad.exit_code == 2 and "--composition 'given': expected simulated or observed" in bad.output
    assert not (tmp_path / "bad").exists()
    ok = CliRunner().invoke(app, [*args, "--composition", "observed", "--out", "pred", "--quiet"])
    assert ok.exit_code == 0, ok.output
    s = json.loads((tmp_path / "pred" / "summary.json").read_text())
    assert s["composition"] == "observed"
    assert s["models"]["simulation"]["exits"]["mean"] == pytest.approx(s["observed"]["exits"])

"""Who exits: the leavers' wave-1 ties as a statistic (`moments.exit_ties`), a logit panel whose
leavers are the weakly tied (`make_logit_panel(truth={"exit_ties": b})`), and the market's
support by partners (`mechanisms.market.tie_support_years`) as the lever that matches it."""

from __future__ import annotations

import json
import shlex

import numpy as np
import pytest

from clusterlab.panel.calibrate import EXIT_SELECTION, PanelModel
from clusterlab.panel.interval import interval_steps
from clusterlab.panel.moments import Wave1, statistics
from clusterlab.panel.synthetic import make_logit_panel
from clusterlab.scenario import default_scenario


def leavers_ties(panel) -> tuple[float, float]:
    w1 = panel.wave1
    present = np.isin(list(w1.ids), list(panel.wave2.ids))
    s = statistics(Wave1(w1.n, w1.src, w1.dst), present, np.array([], int), np.array([], int))
    return s["exit_ties"], s["exits"]


def test_logit_panel_takes_the_weakly_tied_first_when_asked():
    uniform = np.array([leavers_ties(make_logit_panel(35, 3, seed=s)) for s in range(1, 31)])
    weak = np.array([leavers_ties(make_logit_panel(35, 3, {"exit_ties": -1.0, "exit_share": 0.05}, seed=s))
                     for s in range(1, 31)])
    per_exit = lambda r: r[:, 0].sum() / r[:, 1].sum()  # noqa: E731
    assert abs(per_exit(uniform)) < 0.2 < -per_exit(weak) - 0.6  # about 0.06 and -1.05
    # exit_ties 0 draws as before the option existed (wave 2 of seeds 1-10 compared with the
    # previous code when it was added); given explicitly it is the default
    a, b = make_logit_panel(35, 3, seed=4), make_logit_panel(35, 3, {"exit_ties": 0.0}, seed=4)
    assert list(a.wave2.ids) == list(b.wave2.ids) and np.array_equal(a.wave2.src, b.wave2.src)


def test_support_by_partners_makes_the_model_s_leavers_the_weakly_tied():
    p = make_logit_panel(35, 3, seed=1)
    sc = default_scenario()
    model = PanelModel(p.wave1, sc, interval_steps(sc, 3),
                       ["mechanisms.market.exit_capital_years", EXIT_SELECTION.key], ["exits", "exit_ties"])
    # at the default exit threshold: support 0.6 makes the leavers weakly tied, while their
    # number moves less (the support is centred on the firms' mean ties); 20 seeds: 2.5 and
    # 3.85 exits, -0.02 and -0.79 per exit
    runs = {s: np.array([model([0.0, s], seed) for seed in range(1, 21)]) for s in (0.0, 0.6)}
    exits = {s: r[:, 0].mean() for s, r in runs.items()}
    per_exit = {s: r[:, 1].sum() / r[:, 0].sum() for s, r in runs.items()}
    assert per_exit[0.6] < per_exit[0.0] - 0.4, per_exit
    assert 0.5 < exits[0.6] / exits[0.0] < 2, exits


def test_cli_who_exits_estimates_the_support_and_writes_it(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from clusterlab.cli import app
    from clusterlab.panel import calibrate as calmod
    from clusterlab.scenario import load_scenario

    p = make_logit_panel(30, 3, {"exit_ties": -1.0, "exit_share": 0.05}, seed=3)  # 3 leavers
    f = {k: str(v) for k, v in p.write(tmp_path / "panel").items()}
    # a short estimation (the options are under test here): proposals, exits and who exits
    monkeypatch.setattr(calmod, "SETTINGS", dict(n1=6, h=0.5, nsub=1, n2extra=2, batch=1, n3=8, n3_deriv=3, runs=1))
    monkeypatch.setattr(calmod, "LEVERS", tuple(lv for lv in calmod.LEVERS if lv.statistic in ("created", "exits")))
    base = [f["wave1"], f["wave2"], "--years", "3", "--attributes", f["attributes"]]
    r = CliRunner().invoke(app, ["calibrate", *base, "--who-exits", "--out", str(tmp_path / "c")])
    assert r.exit_code == 0, r.output
    conv = json.loads((tmp_path / "c" / "convergence.json").read_text())
    assert set(conv["estimates"]) == {"mechanisms.network_evolution.proposals", "mechanisms.market.exit_capital_years",
                                      EXIT_SELECTION.key}
    assert conv["observed"]["exit_ties"] < 0  # this panel's leavers were weakly tied
    sc = load_scenario(tmp_path / "c" / "calibrated.toml")
    # the support the model was calibrated with is in the fragment, estimated or at its start
    want = conv["estimates"][EXIT_SELECTION.key]["estimate"]
    assert sc.mechanisms.market.tie_support_years == pytest.approx(want, rel=1e-5) and want > 0
    # without the option it is not a lever; with the composition given it is not estimated
    r = CliRunner().invoke(app, ["calibrate", *base, "--out", str(tmp_path / "d")])
    assert EXIT_SELECTION.key not in json.loads((tmp_path / "d" / "convergence.json").read_text())["estimates"]
    r = CliRunner().invoke(app, ["calibrate", *base, "--who-exits", "--composition", "observed",
                                 "--out", str(tmp_path / "e")])
    assert r.exit_code == 0, r.output
    conv = json.loads((tmp_path / "e" / "convergence.json").read_text())
    assert "composition is given" in conv["not_estimated"][EXIT_SELECTION.key]
    # the predict command it suggests sees the same actors: the attributes and who leaves
    assert f"calibrated.toml --attributes {shlex.quote(f['attributes'])} --composition observed`" in r.output
    # one leaver (seed 2) cannot say which firms exit: not estimated, and said why
    one = make_logit_panel(30, 3, {"exit_ties": -1.0, "exit_share": 0.05}, seed=2)
    g = {k: str(v) for k, v in one.write(tmp_path / "one").items()}
    r = CliRunner().invoke(app, ["calibrate", g["wave1"], g["wave2"], "--years", "3", "--attributes", g["attributes"],
                                 "--who-exits", "--out", str(tmp_path / "g")])
    assert r.exit_code == 0, r.output
    conv = json.loads((tmp_path / "g" / "convergence.json").read_text())
    assert conv["not_estimated"][EXIT_SELECTION.key].startswith("1 wave-1 actor(s) left: too few")
    # nothing left to estimate: one line naming why, not an empty list
    monkeypatch.setattr(calmod, "LEVERS", tuple(lv for lv in calmod.LEVERS if lv.statistic == "exits"))
    r = CliRunner().invoke(app, ["calibrate", *base, "--who-exits", "--composition", "observed",
                                 "--out", str(tmp_path / "f")])
    assert r.exit_code == 2 and "no parameter to estimate: mechanisms.market.exit_capital_years: the composition" in r.output
    assert not (tmp_path / "f").exists()

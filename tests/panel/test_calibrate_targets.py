"""calibrate on panels clusterlab did not generate (make_logit_panel): the exit lever's
direction, calibrated.toml applied to predict, and the command's options shared with
predict (--geographic/--cognitive/--proximity, --absent, --presence)."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import clusterlab.panel.calibrate as calmod
from clusterlab.cli import app
from clusterlab.panel.calibrate import LEVERS, calibrate
from clusterlab.panel.msm import Settings
from clusterlab.panel.predict import predict
from clusterlab.panel.synthetic import make_logit_panel
from clusterlab.scenario import default_scenario, load_scenario

E = "mechanisms.network_evolution."
EXIT = "mechanisms.market.exit_capital_years"
SMALL = Settings(n1=12, h=0.5, nsub=2, n2extra=10, batch=1, n3=30, n3_deriv=8, runs=1)


def test_exit_lever_is_in_the_table_with_a_logit_over_its_range():
    lv = {x.key: x for x in LEVERS}[EXIT]
    assert lv.statistic == "exits" and lv.transform == "logit" and (lv.lower, lv.upper) == (-100.0, 0.5)


def test_more_observed_exits_give_a_larger_exit_threshold():
    """Two logit panels differing only in their exit share (3% vs 30% of 35 firms): the
    exit lever alone is estimated; more exits -> a higher capital threshold for exiting."""
    lever = tuple(x for x in LEVERS if x.key == EXIT)
    est = {}
    for share in (0.03, 0.30):
        p = make_logit_panel(35, 3, truth={"exit_share": share}, seed=5)
        # few phase-3 draws: the estimate is phase 2's, phase 3 only checks it
        cal = calibrate(p.wave1, p.wave2, 3, levers=lever, settings=Settings(**{**SMALL.__dict__, "n3": 10, "n3_deriv": 4}),
                        seed=1)
        assert cal.msm.estimated.all(), cal.not_estimated
        est[share] = (cal.actors["exits"], cal.estimates()[EXIT])
    (few, lo), (many, hi) = est[0.03], est[0.30]
    assert many > few
    assert hi > lo, est


def test_calibrated_toml_in_predict_gets_the_tie_count_closer_than_the_default(tmp_path):
    """proposals, decay and the exit lever calibrated on a 35-firm logit panel (seed 1: the
    built-in scenario keeps about 84 ties against 61 observed), written as calibrated.toml
    and loaded as predict's scenario: the simulated tie count is nearer the observed than
    the default's, and within 15% of it (measured: 62 against 61, a short estimation)."""
    p = make_logit_panel(35, 3, seed=1)
    levers = tuple(x for x in LEVERS if x.key in (E + "proposals", E + "decay", EXIT))
    st = Settings(n1=12, h=0.5, nsub=2, n2extra=10, batch=1, n3=40, n3_deriv=8, runs=1)
    cal = calibrate(p.wave1, p.wave2, 3, levers=levers, settings=st, seed=1)
    cal.write(tmp_path / "cal")
    sc = load_scenario(tmp_path / "cal" / "calibrated.toml")
    obs = None
    off = {}
    for name, scen in (("default", default_scenario()), ("calibrated", sc)):
        r = predict(p.wave1, p.wave2, 3, scen, replications=10, seed=3)
        obs = r.scores.query("measure == 'ties'")["observed"].iloc[0]
        off[name] = abs(r.value("simulation", "ties") / obs - 1)
    assert off["calibrated"] < off["default"], off
    assert off["calibrated"] < 0.15, off


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    p = make_logit_panel(30, 3, seed=2)
    return p, {k: str(v) for k, v in p.write(tmp_path_factory.mktemp("logit")).items()}


def _cli(monkeypatch, *args):
    # a short estimation (the CLI has no settings option): the options are under test here
    monkeypatch.setattr(calmod, "SETTINGS", dict(n1=6, h=0.5, nsub=1, n2extra=2, batch=1, n3=8, n3_deriv=3, runs=1))
    monkeypatch.setattr(calmod, "LEVERS", LEVERS[:1])
    return CliRunner().invoke(app, ["calibrate", *args])


def test_cli_matrices_go_into_the_model_and_calibrated_toml(files, tmp_path, monkeypatch):
    p, f = files
    out = tmp_path / "cal"
    r = _cli(monkeypatch, f["wave1"], f["wave2"], "--years", "3", "--attributes", f["attributes"],
             "--geographic", f["geo_km"] + ":distance", "--cognitive", f["cognitive"],
             "--set", E + "dissolve_rate=6", "--out", str(out))
    assert r.exit_code == 0, r.output
    # the console's se column: a number if estimated, else why not (at a bound, or at its start)
    for key, e in json.loads((out / "convergence.json").read_text())["estimates"].items():
        row = next(line for line in r.output.splitlines() if line.startswith(key + " "))
        want = "a bound" if e.get("fixed_at_bound") else ("start" if not e["estimated"] else None)
        assert (want in row) if want else ("fixed" not in row and "start" not in row), row
    sc = load_scenario(out / "calibrated.toml")
    assert sc.data.geographic.endswith("geo_km.csv") and sc.data.geographic_kind == "distance"
    assert sc.data.cognitive.endswith("cognitive.csv")
    assert sc.mechanisms.network_evolution.dissolve_rate == 6.0
    # the same model in predict: --scenario calibrated.toml runs
    r = CliRunner().invoke(app, ["predict", f["wave1"], f["wave2"], "--years", "3", "--attributes", f["attributes"],
                                 "--scenario", str(out / "calibrated.toml"), "-r", "2", "-q", "--out", str(tmp_path / "p")])
    assert r.exit_code == 0, r.output


def test_the_se_column_says_why_a_parameter_has_no_standard_error():
    from clusterlab.cli import _se_cell

    assert _se_cell(True, 0.25, False).strip() == "0.25"
    assert _se_cell(False, float("nan"), True).strip() == "a bound"
    assert _se_cell(False, float("nan"), False).strip() == "start"  # before: "fixed" for both


def test_cli_proximity_is_geographic_and_cognitive(files, tmp_path, monkeypatch):
    p, f = files
    out = tmp_path / "cal"
    r = _cli(monkeypatch, f["wave1"], f["wave2"], "--years", "3", "--proximity", "geo=" + f["geo_km"] + ":distance",
             "--proximity", "cog=" + f["cognitive"], "--out", str(out))
    assert r.exit_code == 0, r.output
    sc = load_scenario(out / "calibrated.toml")
    assert sc.data.geographic.endswith("geo_km.csv") and sc.data.cognitive.endswith("cognitive.csv")
    r = _cli(monkeypatch, f["wave1"], f["wave2"], "--years", "3", "--geographic", f["geo_km"],
             "--proximity", "geo=" + f["geo_km"], "--out", str(tmp_path / "c2"))
    assert r.exit_code == 2 and "second geographic" in r.output


def test_cli_absent_and_presence(files, tmp_path, monkeypatch):
    p, f = files
    r = _cli(monkeypatch, f["wave1"], f["wave2"], "--years", "3", "--absent", "all", "--out", str(tmp_path / "a"))
    assert r.exit_code == 2 and "--absent" in r.output
    r = _cli(monkeypatch, f["wave1"], f["wave2"], "--years", "3", "--presence", "p1,p2", "--out", str(tmp_path / "b"))
    assert r.exit_code == 2 and "--presence needs --attributes" in r.output
    # presence columns: wave 2's actors marked in attributes; the exits counted from them
    import json

    import pandas as pd

    attrs = pd.read_csv(f["attributes"])
    attrs["in1"] = 1
    attrs["in2"] = attrs["id"].isin(set(map(str, p.wave2.ids))).astype(int)
    attrs.loc[0, "in1"] = 0   # actor 0 absent from wave 1 by its presence column
    path = tmp_path / "attrs.csv"
    attrs.to_csv(path, index=False)
    r = _cli(monkeypatch, f["wave1"], f["wave2"], "--years", "3", "--attributes", str(path), "--presence", "in1,in2",
             "--out", str(tmp_path / "c"))
    assert r.exit_code == 0, r.output
    # the wave's note comes once the estimation starts, not after it
    assert "1 absent actor removed" in r.output and r.output.index("1 absent actor removed") < r.output.index("phase 1")
    conv = json.loads((tmp_path / "c" / "convergence.json").read_text())
    assert conv["actors"]["wave1"] == p.wave1.n - 1
    gone = p.wave1.n - p.wave2.n - (0 if str(p.wave1.ids[0]) in set(map(str, p.wave2.ids)) else 1)
    assert conv["actors"]["exits"] == gone
    np.testing.assert_equal(conv["actors"]["stayers"], p.wave1.n - 1 - gone)


def test_the_choice_form_is_suggested_when_geo_weight_is_not_informed_and_kept_when_given(files, tmp_path,
                                                                                          monkeypatch):
    from types import SimpleNamespace

    from clusterlab.panel.calibrate import Calibration

    def hint(acceptance, dropped=(), fixed=(), triad=None):
        names = [] if triad is None else [E + "triad_weight"]
        fake = SimpleNamespace(kept={E + "acceptance": acceptance}, observed={"closure_per_created": 0.45},
                               msm=SimpleNamespace(dropped=dict.fromkeys(dropped, "why"), fixed=dict.fromkeys(fixed, 0.0),
                                                   names=names, theta=np.array([triad] * len(names)),
                                                   estimated=np.ones(len(names), bool)))
        return Calibration.hint(fake)
    assert "acceptance=choice" in hint("capped", dropped=[E + "geo_weight"])
    # triad_weight at 0 or below: the routes close too many triads; a smaller route share is suggested
    assert "closure_weight" in hint("choice", fixed=[E + "triad_weight"]) and "0.45" in hint("choice", fixed=[E + "triad_weight"])
    assert "closure_weight" in hint("choice", triad=-0.8) and hint("choice", triad=1.2) == ""
    assert "acceptance=choice" in hint("capped", fixed=[E + "geo_weight"])
    assert hint("capped", dropped=[E + "proposals"]) == "" and hint("choice", dropped=[E + "geo_weight"]) == ""
    # given on the command line, the form goes into calibrated.toml (so predict simulates it)
    p, f = files
    r = _cli(monkeypatch, f["wave1"], f["wave2"], "--years", "3", "--set", E + "acceptance=choice",
             "--set", E + "base_accept=1", "--out", str(tmp_path / "c"))
    assert r.exit_code == 0, r.output
    assert load_scenario(tmp_path / "c" / "calibrated.toml").mechanisms.network_evolution.acceptance == "choice"


def test_choice_weights_are_estimated_on_a_signed_scale_and_capped_ones_on_the_log_scale():
    """Under choice the geographic, cognitive and closure weights are log-odds: estimated on
    the asinh scale within +-100 (a negative value possible); under capped on the log scale
    (>= 0), whichever table the lever came from; other levers untouched."""
    from clusterlab.panel.calibrate import CHOICE_EXTRA_LEVERS, EXTRA_LEVERS, LOG_ODDS, for_form

    choice = default_scenario().set(**{E + "acceptance": "choice"})
    capped = default_scenario()
    for lv in LEVERS + EXTRA_LEVERS + CHOICE_EXTRA_LEVERS:
        c, k = for_form(lv, choice), for_form(lv, capped)
        if lv.key in LOG_ODDS:
            assert (c.transform, c.lower, c.upper) == ("asinh", -100.0, 100.0), c
            assert k.transform == "log" and k.lower == 0.0, k
        else:
            assert c == lv == k
    assert for_form(CHOICE_EXTRA_LEVERS[0], choice).start == 1.0


def test_levers_all_estimates_the_choice_forms_triad_weight_from_its_start(files, tmp_path, monkeypatch):
    """--levers all adds the closure and cognitive levers of the scenario's form: under
    acceptance = choice triad_weight (matched to closure_per_created), started at 1 where the
    scenario leaves it at 0 (the start goes into calibrated.toml with the estimates), and
    under the capped form closure_weight; triad_weight is refused there with its reason."""
    from clusterlab.panel.calibrate import CHOICE_EXTRA_LEVERS, EXTRA_LEVERS, extra_levers

    choice = default_scenario().set(**{E + "acceptance": "choice"})
    assert extra_levers(choice) == CHOICE_EXTRA_LEVERS and extra_levers(default_scenario()) == EXTRA_LEVERS
    assert CHOICE_EXTRA_LEVERS[0].statistic == "closure_per_created"
    p, f = files
    r = _cli(monkeypatch, f["wave1"], f["wave2"], "--years", "3", "--levers", "all", "--set", E + "acceptance=choice",
             "--set", E + "base_accept=1", "--out", str(tmp_path / "c"))
    assert r.exit_code == 0, r.output
    assert E + "triad_weight" in r.output and E + "closure_weight " not in r.output
    ne = load_scenario(tmp_path / "c" / "calibrated.toml").mechanisms.network_evolution
    assert ne.acceptance == "choice" and ne.triad_weight > 0
    r = _cli(monkeypatch, f["wave1"], f["wave2"], "--years", "3", "--levers", "some", "--out", str(tmp_path / "e"))
    assert r.exit_code == 2 and "--levers 'some': expected default or all" in r.output, r.output
    cal = calibrate(p.wave1, p.wave2, 3, levers=LEVERS[:1] + CHOICE_EXTRA_LEVERS[:1], settings=SMALL, seed=1)
    assert "acts only under acceptance" in cal.not_estimated[E + "triad_weight"]


def test_sigterm_stops_a_calibration_like_ctrl_c(files, tmp_path):
    """A scheduler's time limit or `timeout` sends SIGTERM to the command alone: it stops as
    on Ctrl-C (exit status 143, one line), its workers and temporary folder gone, nothing
    written (a sweep found an empty temporary folder left behind)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    p, f = files
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "clusterlab", "calibrate", f["wave1"], f["wave2"], "--years", "3",
                             "--workers", "2", "--out", str(tmp_path / "cal")],
                            stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    lines = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        lines.append(proc.stderr.readline())
        if "phase 1" in lines[-1] or not lines[-1]:
            break
    assert "phase 1" in lines[-1], lines
    time.sleep(1.0)  # the pool's workers are simulating
    proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("still running 60 s after SIGTERM")
    assert proc.returncode == 143, err
    assert err.strip().splitlines()[-1] == "terminated" and "Traceback" not in err
    assert not (tmp_path / "cal").exists() and not list((tmp_path / "tmp").iterdir())

"""The proposition suite: design files load, the verdict logic gives known answers, and the
command runs a proposition end to end (quick mode: a small, short cluster)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from clusterlab.cli import app
from clusterlab.experiments import load_experiment
from clusterlab.propositions import DESIGNS, load_suite
from clusterlab.propositions import verdict as V
from clusterlab.propositions.suite import perturbations, select

SETTINGS, PROPS = load_suite()


@pytest.mark.parametrize("name", sorted(p.name for p in DESIGNS.glob("*.toml")))
def test_design_files_load_as_experiments(name):
    exp = load_experiment(DESIGNS / name)
    assert exp.replications >= 20
    assert len(exp.tasks()) == exp.replications * len(exp.arms)


def test_suite_names_every_proposition_and_existing_files():
    assert [p.pid for p in PROPS] == [f"P{i}" for i in range(1, 14)]
    files = {p.name for p in DESIGNS.glob("*.toml")}
    for p in PROPS:
        assert p.tests and set(p.files) <= files, p.pid
        for t in p.tests:
            assert t["kind"] in ("paired", "correlation", "inverted_u", "interaction")
    perts = perturbations(SETTINGS)
    assert len(perts) == len(SETTINGS["robustness"]["signs"])
    assert ("network.horizontal_degree", 0.8) in perts[0][1] and ("knowledge.cognitive_scale", 1.2) in perts[1][1]
    assert [p.pid for p in select(PROPS, ["p1", "13", "P9"])] == ["P1", "P13", "P9"]
    with pytest.raises(Exception, match="no proposition"):
        select(PROPS, ["P14"])


def _paired(effect, sd=1.0, n=20, base=10.0, seed=0):
    rng = np.random.default_rng(seed)
    a = base + rng.normal(0, 3, n)  # shared noise: common random numbers
    b = a + effect + rng.normal(0, sd, n)
    return pd.DataFrame({"arm": ["ctl"] * n + ["arm"] * n, "replication": list(range(n)) * 2, "y": np.r_[a, b]})


PAIRED = {"kind": "paired", "outcome": "y", "arm": "arm", "control": "ctl", "direction": 1, "min_relative": 0.1}


def test_a_synthetic_effect_is_supported_and_a_null_one_is_not():
    assert V.evaluate(PAIRED, _paired(3.0), 0.01)["supported"]
    null = V.evaluate(PAIRED, _paired(0.0), 0.01)
    assert not null["supported"] and null["p"] > 0.01
    assert not V.evaluate({**PAIRED, "direction": -1}, _paired(3.0), 0.01)["supported"]  # wrong sign
    small = V.evaluate(PAIRED, _paired(0.5, sd=0.1), 0.01)  # certain but only 5% relative
    assert small["p"] < 0.001 and not small["supported"]
    assert V.evaluate({**PAIRED, "min_relative": None}, _paired(0.5, sd=0.1), 0.01)["supported"]


def test_correlation_interaction_and_inverted_u_known_answers():
    rng = np.random.default_rng(1)
    corr = {"kind": "correlation", "outcome": "rho", "arm": "a", "direction": 1}
    pos = pd.DataFrame({"arm": "a", "replication": range(20), "rho": 0.3 + rng.normal(0, 0.1, 20)})
    zero = pos.assign(rho=rng.normal(0, 0.1, 20))
    assert V.evaluate(corr, pos, 0.01)["supported"] and not V.evaluate(corr, zero, 0.01)["supported"]
    levels = {f"p{i}": x for i, x in enumerate([0, 0.25, 0.5, 0.75, 1.0])}
    inv = {"kind": "inverted_u", "outcome": "y", "key": "h", "direction": -1, "min_relative": 0.1}

    def curve(f):
        return pd.DataFrame([{"arm": a, "replication": r, "y": f(x) + rng.normal(0, 0.05)}
                             for r in range(20) for a, x in levels.items()])
    assert V.evaluate(inv, curve(lambda x: 2 - 4 * (x - 0.5) ** 2), 0.01, levels)["supported"]
    monotone = V.evaluate(inv, curve(lambda x: 1 + x - 0.3 * x**2), 0.01, levels)  # concave, peak outside
    assert not monotone["supported"] and "no interior peak" in monotone["note"]
    assert not V.evaluate(inv, curve(lambda x: 1 + x), 0.01, levels)["supported"]
    inter = {"kind": "interaction", "outcome": "y", "a": "ch", "b": "ih", "c": "cl", "d": "il", "direction": 1,
             "min_relative": 0.1}
    rows = [{"arm": arm, "replication": r, "y": v + rng.normal(0, 0.1)} for r in range(20)
            for arm, v in (("cl", 2.0), ("il", 1.0), ("ch", 3.0), ("ih", 1.0))]
    assert V.evaluate(inter, pd.DataFrame(rows), 0.01)["supported"]
    flat = [dict(r, y=r["y"] - (1.0 if r["arm"] == "ch" else 0)) for r in rows]
    assert not V.evaluate(inter, pd.DataFrame(flat), 0.01)["supported"]
    assert V.verdict([{"primary": True, "supported": True}, {"primary": False, "supported": False}]) == "supported"
    assert V.verdict([{"primary": True, "supported": True}, {"primary": True, "supported": False}]) == "not supported"


def test_the_command_runs_a_proposition_and_writes_the_report(tmp_path):
    """P10 (cluster organisation) end to end in quick mode, serial, 2 replications, in this process."""
    out = tmp_path / "props"
    got = CliRunner().invoke(app, ["propositions", "P10", "--out", str(out), "--quick", "--replications", "2",
                                   "--no-robustness", "--executor", "serial"])
    assert got.exit_code == 0, got.output
    assert "P10 Cluster organisations" in got.output
    table = pd.read_csv(out / "propositions.csv")
    assert set(table["id"]) == {"P10"} and len(table) == 2
    assert {"effect", "ci_low", "ci_high", "p", "p_holm", "supported", "verdict"} <= set(table.columns)
    doc = json.loads((out / "propositions.json").read_text())
    assert doc["propositions"][0]["verdict"] in ("supported", "not supported")
    page = (out / "report.html").read_text()
    assert "Cluster organisations" in page and "data:image/png;base64," in page
    assert "| P10 | Cluster organisations |" in (out / "propositions.md").read_text()


def test_bad_names_and_a_users_file_in_the_way_are_one_line_before_any_run(tmp_path):
    """A wrong proposition name, or a file of the user's where the report goes: exit 2, one
    line, no run and the user's file unchanged (README "Output folders")."""
    from clusterlab.cli import main

    def cli(*args):
        import sys
        from contextlib import redirect_stderr
        from io import StringIO

        err, argv = StringIO(), sys.argv
        sys.argv = ["clusterlab", "propositions", *args]
        try:
            with redirect_stderr(err), pytest.raises(SystemExit) as ex:
                main()
        finally:
            sys.argv = argv
        return ex.value.code, err.getvalue()

    code, err = cli("P99", "--out", str(tmp_path / "a"))
    assert code == 2 and err.strip().splitlines() == ["error: no proposition 'P99': expected P1 ... P13 or all"]
    out = tmp_path / "b"
    out.mkdir()
    (out / "report.html").write_text("mine")
    code, err = cli("P4", "--out", str(out), "--quick", "--no-robustness", "--executor", "serial")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "report.html: not written by clusterlab" in err
    assert (out / "report.html").read_text() == "mine" and not (out / "store").exists()


def test_the_cognitive_probe_records_distances_and_changes_nothing():
    from clusterlab.mechanisms import with_mechanisms
    from clusterlab.propositions.measures import cognitive_firm
    from clusterlab.propositions.probe import CognitiveProbe
    from clusterlab.scenario import default_scenario, validate
    from clusterlab.sim import Sim

    d = default_scenario().model_dump(mode="json")
    d.update(steps=6)
    d["population"].update(firms=60, externals=10)
    probed = Sim(validate(d, mechanisms=with_mechanisms(CognitiveProbe))).run()
    plain = Sim(validate(d)).run()
    dist = probed.actors["partner_distance"].dropna()
    assert len(dist) > 30 and dist.between(0, 1).all()
    assert np.allclose(probed.timeseries["knowledge_mean"].to_numpy(float),
                       plain.timeseries["knowledge_mean"].to_numpy(float), equal_nan=True)
    got = cognitive_firm(probed)
    assert set(got) == {"c2", "peak_inside"}
    assert not np.isnan(got["c2"])

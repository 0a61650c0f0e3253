"""The experiment layer end to end, as a user runs it: `clusterlab experiment` and
`clusterlab results` on the command line, `run_experiment` / `open_results` from Python."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import clusterlab.experiments as ex
from clusterlab import ClusterlabError

ORG = """\
name = "org"
base = "cluster_org"
replications = 3
seed = 11

[set]
steps = 30
"population.firms" = 40

[[arms]]
name = "none"
control = true
drop_events = true

[[arms]]
name = "org"
drop_events = true
events = [{ step = 6, action = "start_cluster_org", members = 0.5 }]

[outcomes]
timeseries = ["sme_international_share"]
steps = [0, 3, 5, 12, 24, 30]
[outcomes.values]
sme_intl = { column = "sme_international_share" }
innovations = { summary = "innovations_radical" }
"""


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "clusterlab", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def small_store(tmp_path_factory) -> Path:
    """A store of the ORG experiment, run once for the tests that only read it."""
    folder = tmp_path_factory.mktemp("exp")
    (folder / "org.toml").write_text(ORG, encoding="utf-8")
    ex.run_experiment(folder / "org.toml", folder / "store", executor="serial")
    return folder / "store"


@pytest.fixture()
def org(tmp_path) -> Path:
    f = tmp_path / "org.toml"
    f.write_text(ORG, encoding="utf-8")
    return f


def test_experiment_runs_summarises_reports_and_resumes(org, tmp_path, cli_in_process):
    out = tmp_path / "store"
    first = cli("experiment", org, "--out", out, "--workers", "2")
    assert first.returncode == 0, first.stderr
    assert "6 runs done, 0 already in the store, 0 failed" in first.stdout
    assert "sme_intl: org vs none" in first.stdout and "paired by replication" in first.stdout
    html = (out / "report" / "report.html").read_text(encoding="utf-8")
    assert "sme_intl" in html and "http://" not in html and "https://" not in html
    assert {"arms.csv", "comparisons.csv", "bands.csv"} <= {p.name for p in (out / "report").iterdir()}
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    for table in ("arms", "comparisons", "bands"):  # the README's column lists are the real ones
        row = re.search(rf"^\| `{table}.csv` \| (.*) \|$", readme, re.M)[1]
        listed = [c.split(" (")[0].strip() for c in re.sub(r"\([^)]*\)", "", row).split(",")]
        assert listed == list(pd.read_csv(out / "report" / f"{table}.csv").columns), table
    # the first run above on the real command line (a subprocess, a pool of 2); the reruns in
    # process (conftest.cli_in_process, the same entry point): resuming is what they test
    again = cli_in_process("experiment", org, "--out", out, "--executor", "serial", "--no-report")
    assert again.returncode == 0 and "0 runs done, 6 already in the store" in again.stdout
    # one arm edited: only its runs run again; the summary reads the current runs only
    org.write_text(ORG.replace("members = 0.5", "members = 0.9"), encoding="utf-8")
    edited = cli_in_process("experiment", org, "--out", out, "--executor", "serial", "-q")
    assert edited.returncode == 0, edited.stderr
    res = ex.open_results(out)
    assert len(res.store.keys()) == 9 and len(res.outcomes) == 6
    assert sorted(res.outcomes["arm"]) == ["none"] * 3 + ["org"] * 3


def test_results_summarises_a_subset_and_writes_a_report(small_store, tmp_path, cli_in_process):
    # in process (conftest.cli_in_process); `results` keeps a subprocess case in the bad options
    out = small_store
    sub = cli_in_process("results", out, "--outcome", "sme_intl", "--where", "replication < 2", "--report", tmp_path / "rep")
    assert sub.returncode == 0, sub.stderr
    assert "2 pairs" in sub.stdout and "innovations" not in sub.stdout
    assert (tmp_path / "rep" / "report.html").is_file()
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "report.html").write_text("my own notes")
    refused = cli_in_process("results", out, "--report", tmp_path / "mine")
    assert refused.returncode == 2 and (tmp_path / "mine" / "report.html").read_text() == "my own notes"


@pytest.mark.parametrize("args, message", [
    (["experiment", "nope.toml"], "nope.toml: no such file"),
    (["experiment", "{org}", "--workers", "0"], "--workers 0: expected a whole number"),
    (["experiment", "{org}", "--executor", "threads"], "--executor 'threads': expected pool, serial or dask"),
    (["experiment", "{org}", "--address", "tcp://127.0.0.1:1"], "--address needs --executor dask"),
    (["experiment", "{org}", "--set", "replicatons=2"], "unknown key (did you mean 'replications'?)"),
    (["results", "{tmp}"], "not an experiment store"),
    (["results", "{store}", "--arm", "orgg"], "did you mean 'org'?"),
    (["results", "{store}", "--level", "1.5"], "--level 1.5: expected a number"),
    (["results", "{store}", "--where", "replication <<< 2"], "--where 'replication <<< 2': "),
    (["results", "{store}", "--where", "nosuch = 1"], "--where 'nosuch = 1': Binder Error"),
])
def test_bad_experiment_options_are_one_line_and_exit_2(org, tmp_path, args, message, small_store, cli_in_process):
    # one case of each command on the real command line (a subprocess), the others in
    # process (the same entry point, conftest.cli_in_process)
    real = message in ("nope.toml: no such file", "not an experiment store")
    args = [a.format(org=org, tmp=tmp_path, store=small_store) for a in args]
    proc = (cli if real else cli_in_process)(*args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_a_folder_of_the_users_is_not_taken_as_a_store(org, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    proc = cli("experiment", org, "--out", mine)
    assert proc.returncode == 2 and "not empty and not a clusterlab experiment store" in proc.stderr
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]


def gap(results) -> float:  # an outcome function of one's own, importable from this module
    return float(results.timeseries["frontier_gap"].iloc[-1])


def test_python_api_in_a_few_lines_with_outcome_functions(tmp_path):
    exp = ex.Experiment.from_dict({
        "name": "nb", "replications": 2, "set": {"steps": 12, "population.firms": 30},
        "arms": [{"name": "base"}, {"name": "open", "set": {"mechanisms.openness.enabled": False}}],
        "outcomes": {"values": {"gap": {"function": gap},
                                "ties": {"function": lambda r: float(r.timeseries["ties"].iloc[-1])}}},
    })
    for executor in ("serial", "pool"):  # a lambda (as in a notebook) reaches pool workers too
        res = ex.run_experiment(exp, tmp_path / executor, executor=executor, workers=2)
        assert res.run_report.done == 4 and res.run_report.failed == 0
        df = res.outcomes
        assert list(df["arm"]) == ["base", "base", "open", "open"] and df["gap"].notna().all()
    a, b = (ex.open_results(tmp_path / e).outcomes for e in ("serial", "pool"))
    pd.testing.assert_frame_equal(a, b)  # the same numbers whatever the executor
    s = res.summary()
    assert set(s.comparisons["outcome"]) == {"gap", "ties"}
    assert (tmp_path / "pool" / "experiment.json").is_file()
    assert "cannot be stored" in str(res.store.load_json("experiment").get("why"))


def test_a_bad_condition_from_python_is_one_clear_error(org, tmp_path):
    res = ex.run_experiment(org, tmp_path / "s", executor="serial")
    assert len(res.read("outcomes", ["arm", "sme_intl"], where="arm = 'org'")) == 3
    with pytest.raises(ClusterlabError, match="--where 'nosuch = 1': Binder Error"):
        res.read("outcomes", where="nosuch = 1")


def test_open_results_refuses_a_folder_that_is_not_a_store(tmp_path):
    with pytest.raises(ClusterlabError, match="not an experiment store"):
        ex.open_results(tmp_path)


def test_design_points_that_resolve_to_one_scenario_share_its_runs(tmp_path):
    from clusterlab import ClusterlabWarning

    with pytest.warns(ClusterlabWarning, match="resolve to the same scenario"):
        exp = ex.Experiment.from_dict({
            "name": "dup", "replications": 2, "set": {"steps": 6, "population.firms": 30},
            "design": {"method": "points", "points": [{"population.sme_openness": v} for v in (0.1, 0.1, 0.3)]},
            "outcomes": {"values": {"intl": {"column": "sme_international_share"}}},
        })
    res = ex.run_experiment(exp, tmp_path / "s", executor="serial")
    assert res.run_report.done == 4 and res.run_report.skipped == 2
    pts = res.summary().points
    assert list(pts["point"]) == [0, 1, 2] and list(pts["n"]) == [2, 2, 2]
    assert pts["intl"].iloc[0] == pts["intl"].iloc[1]


def test_common_random_numbers_arms_are_identical_until_the_policy_starts(org, tmp_path):
    """ODD 7.21: replication r of every arm has the same seed, so the arms' runs are the same
    run until the event at step 6; afterwards the organisation arm differs."""
    res = ex.run_experiment(org, tmp_path / "s", executor="serial")
    ts = res.timeseries
    none, orgs = (ts[ts["arm"] == a].set_index(["replication", "step"]) for a in ("none", "org"))
    cols = ["sme_international_share"]
    before = none.index.get_level_values("step") < 6
    assert before.sum() == 3 * 3  # steps 0, 3, 5 of 3 replications
    pd.testing.assert_frame_equal(none.loc[before, cols], orgs.loc[before, cols])
    after = none.index.get_level_values("step") >= 12
    assert (none.loc[after, cols] != orgs.loc[after, cols]).any().any()
    assert sorted(set(res.outcomes["seed"])) == [11, 12, 13]

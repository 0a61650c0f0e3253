"""The README's examples run: its scenario file validates, its scenarios exist and validate."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd

import clusterlab as cl

README = (Path(__file__).parents[1] / "README.md").read_text()
ROOT = Path(__file__).parents[1]


def test_readme_scenario_example_validates():
    blocks = re.findall(r"```toml\n(.*?)```", README, re.S)
    example = next(b for b in blocks if 'name = "weak-trust"' in b)
    sc = cl.validate(tomllib.loads(example), source="README")
    assert sc.population.firms == 400 and sc.mechanisms.transfer.pipeline is False
    assert sc.mechanisms.spillover.enabled is False and sc.output.snapshots == [60]


def test_readme_events_example_validates():
    blocks = re.findall(r"```toml\n(.*?)```", README, re.S)
    events = next(b for b in blocks if "[[events]]" in b)
    sc = cl.validate(tomllib.loads(events), source="README")
    assert [e.action for e in sc.events] == ["start_cluster_org", "technology_shift", "recession"]


def test_every_preset_is_in_the_readme_and_validates():
    from clusterlab import presets

    named = set(re.findall(r"^\| `(\w+)` \|", README.split("### Preset scenarios")[1].split("###")[0], re.M))
    assert named == set(presets.names()) == {"lock_in", "open_cluster", "cluster_org", "shocks"}
    for name in named:
        assert cl.load_scenario(name).name == name


def test_readme_python_example_runs():
    sc = cl.default_scenario().set(steps=3, **{"mechanisms.trust.enabled": False})
    res = cl.run(sc)
    assert len(res.timeseries) == 4 and not res.actors.empty
    assert cl.run(sc, mechanisms__spillover__enabled=False).timeseries["flow_spillover"].sum() == 0


def user_mechanism_example() -> str:
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    return next(b for b in blocks if "class TradeFair" in b)


def test_readme_user_mechanism_example_runs(capsys):
    space: dict = {}
    exec(compile(user_mechanism_example(), "README.md", "exec"), space)  # noqa: S102 - our own README
    ts, actors = space["res"].timeseries, space["res"].actors
    fairs = ts.loc[ts["fair_visitors"] > 0, "step"].tolist()
    assert fairs == [12, 24, 36]  # once a year
    assert ts["fair_learning"].iloc[12] > 0 and "fair_visitors" in capsys.readouterr().out
    last = actors[actors["step"] == 36]
    firms = last["kind"].isin(["focal", "sme"])
    assert last.loc[firms, "fairs_visited"].mean() > 1 and last.loc[~firms, "fairs_visited"].eq(0).all()
    assert [m.name for m in space["loop"]].index("trade_fair") == [m.name for m in space["loop"]].index("spillover") + 1


def test_readme_user_mechanism_runs_from_the_command_line(tmp_path):
    source = user_mechanism_example().split("\nloop = ")[0]
    (tmp_path / "trade_fair.py").write_text(source, encoding="utf-8")
    out = tmp_path / "fair"
    cmd = [sys.executable, "-m", "clusterlab", "run", "--mechanism", "trade_fair.py:TradeFair",
           "--set", "mechanisms.trade_fair.attend=0.5", "--steps", "12", "--no-figures", "-q", "--out", str(out)]
    proc = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert ts["fair_visitors"].iloc[12] > 0
    assert "[mechanisms.trade_fair]" in (out / "scenario.toml").read_text()
    bad = subprocess.run([*cmd[:5], "trade_fair.py:Nothing", "--out", str(tmp_path / "x")], cwd=tmp_path,
                         capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Nothing" in bad.stderr
    assert not (tmp_path / "x").exists()


def _experiment_blocks():
    blocks = re.findall(r"```toml\n(.*?)```", README, re.S)
    return [b for b in blocks if "replications" in b]


def test_readme_experiment_files_are_valid_experiments(tmp_path):
    import clusterlab.experiments as ex

    org, screen = _experiment_blocks()
    (tmp_path / "org.toml").write_text(org)
    e = ex.load_experiment(tmp_path / "org.toml")
    assert e.arms == ["none", "org"] and e.control == "none" and len(e.tasks()) == 40
    assert [t.meta["seed"] for t in e.tasks()[:2]] == [1, 2]
    (tmp_path / "screen.toml").write_text(screen)
    s = ex.load_experiment(tmp_path / "screen.toml")
    assert s.method == "morris" and len(s.arms) == 50 and s.replications == 2


def test_readme_experiment_python_and_duckdb_examples_run(tmp_path, monkeypatch):
    import clusterlab.experiments as ex

    org = _experiment_blocks()[0].replace("replications = 20", "replications = 2")
    org = org.replace("[[arms]]", '[set]\nsteps = 72\n"population.firms" = 30\n\n[[arms]]', 1)
    org = org.replace("step = 120", "step = 36")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "org_year5.toml").write_text(org)
    python = next(b for b in re.findall(r"```python\n(.*?)```", README, re.S) if "ex.run_experiment(\"org_year5" in b)
    exec(python.replace("workers=2)", "workers=2, executor='serial')"), {})
    query = next(b for b in re.findall(r"```python\n(.*?)```", README, re.S) if "import duckdb" in b)
    df = eval(query.split("import duckdb\n", 1)[1], {"duckdb": __import__("duckdb")})
    assert list(df["arm"]) == ["none", "org"] and list(df["runs"]) == [2, 2]
    slurm = next(b for b in re.findall(r"```python\n(.*?)```", README, re.S) if "SLURMCluster" in b)
    compile(slurm, "README", "exec")  # no SLURM here: the example is checked to be Python
    assert ex.open_results("runs/org").summary().comparisons["n"].tolist() == [2, 2, 2, 2]

"""The command line as a user runs it: outputs, overrides and clear errors."""

import json
import subprocess
import sys
import tomllib

import pandas as pd
import pytest

import clusterlab as cl

REQUIRED = ["step", "knowledge_mean", "knowledge_gini", "frontier_gap", "diversity",
            "innovations_incremental", "innovations_radical", "sme_innovating_share",
            "flow_horizontal", "flow_vertical", "flow_multi_angle", "flow_pipeline", "flow_spillover",
            "seci_socialization", "seci_externalization", "seci_combination", "seci_internalization",
            "trust_mean", "tie_strength_mean", "density", "external_share", "constraint_mean"]


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "clusterlab", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd)


# Tests whose subject is what a command reads, checks and writes run it in process
# (conftest.cli_in_process, the same entry point with argv, cwd, stdout and stderr); each
# command keeps tests on the real command line (a subprocess, `cli`).


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "results"
    proc = cli("run", "--out", out)
    assert proc.returncode == 0, proc.stderr
    return out, proc


def test_default_run_writes_everything(default_run):
    out, proc = default_run
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert list(ts["step"]) == list(range(241))  # the initial state and 240 monthly steps
    assert set(REQUIRED) <= set(ts.columns)
    assert not ts[REQUIRED].isna().any().any()
    assert ts["knowledge_mean"].iloc[-1] > ts["knowledge_mean"].iloc[0]
    actors = pd.read_parquet(out / "actors.parquet")
    assert set(actors["step"]) == {240}
    assert {"kind", "stage", "size", "rd", "openness", "absorptive", "tacit", "explicit", "knowledge",
            "degree_horizontal", "degree_vertical", "degree_multi_angle", "degree_pipeline",
            "innovations_incremental", "innovations_radical"} <= set(actors.columns)
    assert (actors["kind"] == "focal").sum() == 10 and (actors["kind"] == "external").sum() == 50
    again = cl.validate(tomllib.loads((out / "scenario.toml").read_text()))
    assert again == cl.default_scenario()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["steps"] == 240 and ts["firms"].iloc[0] == 200 and summary["firms"] == ts["firms"].iloc[-1]
    figs = sorted(p.name for p in (out / "figures").glob("*.png"))
    assert figs == ["dynamics.png", "flows.png", "innovations.png", "knowledge.png", "network.png", "seci.png"]
    assert "knowledge_mean" in proc.stdout  # the summary table


def test_scenario_file_with_overrides(tmp_path, cli_in_process):
    f = tmp_path / "my.toml"
    proc = cli("default-scenario")
    assert proc.returncode == 0
    f.write_text(proc.stdout)
    assert cli_in_process("validate", f).returncode == 0
    out = tmp_path / "o"
    proc = cli_in_process("run", f, "--seed", 7, "--steps", 6, "--out", out, "--no-figures", "--csv",
               "--set", "population.firms=40", "-q")
    assert proc.returncode == 0, proc.stderr
    ts = pd.read_csv(out / "timeseries.csv")
    assert list(ts["step"]) == list(range(7))
    sc = cl.validate(tomllib.loads((out / "scenario.toml").read_text()))
    assert (sc.seed, sc.steps, sc.population.firms) == (7, 6, 40)
    assert not (out / "figures").exists()


BAD = {
    "unknown_key": ("[population]\nfirmz = 3\n", ["unknown key 'population.firmz'"]),
    "wrong_type": ("[population]\nfirms = \"many\"\n", ["population.firms", "integer"]),
    "out_of_range": ("[mechanisms.trust]\nloss = -1\n", ["mechanisms.trust.loss", "greater than or equal to 0"]),
    "malformed": ("[population\nfirms = 3\n", ["malformed TOML", "line 1"]),
    # issue 8: non-finite and out-of-range values, checks across keys, did-you-mean
    "region_inf": ("[population]\nregion_km = inf\n", ["population.region_km"]),
    "degree_inf": ("[network]\nhorizontal_degree = inf\n", ["network.horizontal_degree"]),
    "age_inf": ("[network]\nmax_age_years = inf\n", ["network.max_age_years"]),
    "recession_inf": ("[[events]]\nstep = 3\naction = \"recession\"\nyears = inf\n", ["events.0.years"]),
    "sme_level_huge": ("[knowledge]\nsme_level = 1e308\n", ["knowledge.sme_level"]),
    "external_km_inf": ("[population]\nexternal_km = [500.0, inf]\n", ["population.external_km"]),
    "shift_domains": ("[[events]]\nstep = 3\naction = \"technology_shift\"\ndomains = 9\n", ["events.0.domains"]),
    "attributes_alone": ("[data]\nattributes = \"firms.csv\"\n", ["data.attributes"]),
    "typo_did_you_mean": ("[populaton]\nfirms = 30\n", ["did you mean 'population'?"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_file_is_one_clear_line(tmp_path, case, cli_in_process):
    text, words = BAD[case]
    f = tmp_path / f"{case}.toml"
    f.write_text(text)
    out = tmp_path / "never"
    # one case on the real command line (a subprocess), the others in process (the same
    # entry point, conftest.cli_in_process)
    run = cli if case == "unknown_key" else cli_in_process
    for proc in (run("run", f, "--out", out), run("validate", f)):
        assert proc.returncode == 2
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1, proc.stderr
        assert lines[0].startswith(f"error: {f}: ")
        for w in words:
            assert w in lines[0]
        assert "Traceback" not in proc.stderr
    assert not out.exists()
    assert not list(tmp_path.glob(".never*"))  # no temporary folder left behind


def test_missing_file_and_bad_override(tmp_path, cli_in_process):
    proc = cli_in_process("run", tmp_path / "nope.toml", "--out", tmp_path / "o")
    assert proc.returncode == 2 and "nope.toml: no such file" in proc.stderr and "Traceback" not in proc.stderr
    proc = cli_in_process("run", "--steps", -3, "--out", tmp_path / "o")
    assert proc.returncode == 2 and "--steps -3: expected a whole number from 0" in proc.stderr
    proc = cli_in_process("run", "--set", "mechanisms.trust.speed=2", "--out", tmp_path / "o")
    assert proc.returncode == 2 and "unknown key 'mechanisms.trust.speed'" in proc.stderr
    assert not (tmp_path / "o").exists()


def test_output_path_that_is_a_file(tmp_path, cli_in_process):
    f = tmp_path / "taken"
    f.write_text("x")
    proc = cli_in_process("run", "--steps", 2, "--out", f, "--no-figures")
    assert proc.returncode == 2 and "is not a folder" in proc.stderr
    assert f.read_text() == "x"


MENTOR = '''
import clusterlab as cl


class Mentor(cl.Mechanism):
    name = "mentor"
    after = "transfer"

    class Params(cl.MechanismParams):
        rate: float = cl.Field(0.1, ge=0, le=1, description="a rate")
'''


@pytest.mark.parametrize("spec, text, message", [
    ("missing.py:Mentor", None, "no such file missing.py"),
    ("broken.py:Mentor", "def oops(:\n", "cannot import broken.py: SyntaxError"),
    ("mentor.py:Mentour", MENTOR, "has no Mechanism class 'Mentour'"),
    ("mentor.py", MENTOR, "expected FILE.py:Class"),
    ("no_such_module:Thing", None, "cannot import no_such_module: ModuleNotFoundError"),
    ("mentor.py:Mentor", MENTOR + '    records = {"exits": "firms that left"}\n', "records column 'exits', which is already declared"),
    ("mentor.py:Mentor", MENTOR.replace('"transfer"', '"transferr"'), "goes after 'transferr', which is not in the loop"),
])
def test_a_mechanism_that_cannot_be_loaded_is_one_clear_error(tmp_path, spec, text, message):
    if text is not None:
        (tmp_path / spec.split(":")[0]).write_text(text, encoding="utf-8")
    proc = cli("run", "--mechanism", spec, "--out", tmp_path / "out", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and message in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "out").exists()


def test_a_user_mechanism_is_validated_and_printed_like_a_built_in_one(tmp_path):
    (tmp_path / "mentor.py").write_text(MENTOR, encoding="utf-8")
    ok = cli("validate", "--mechanism", "mentor.py:Mentor", "--set", "mechanisms.mentor.rate=0.5",
             "--set", "steps=3", tmp_path / "s.toml", cwd=tmp_path)
    assert ok.returncode == 2 and "no such file" in ok.stderr  # the scenario file is still required
    (tmp_path / "s.toml").write_text("steps = 3\n[mechanisms.mentor]\nrate = 0.4\n", encoding="utf-8")
    assert cli("validate", "--mechanism", "mentor.py:Mentor", "s.toml", cwd=tmp_path).returncode == 0
    bad = cli("validate", "--mechanism", "mentor.py:Mentor", "--set", "mechanisms.mentor.rate=5", "s.toml", cwd=tmp_path)
    assert bad.returncode == 2 and "mechanisms.mentor.rate" in bad.stderr
    plain = cli("validate", "s.toml", cwd=tmp_path)
    assert plain.returncode == 2 and "--mechanism FILE.py:Class" in plain.stderr
    toml = cli("default-scenario", "--mechanism", "mentor.py:Mentor", cwd=tmp_path).stdout
    assert "[mechanisms.mentor]" in toml
    assert toml.index("[mechanisms.mentor]") > toml.index("[mechanisms.transfer]")


# -- clusterlab --version --------------------------------------------------------------

def test_version_prints_the_package_version():
    from pathlib import Path

    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    proc = cli("--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"clusterlab {cl.__version__}\n"
    assert cl.__version__ == project["project"]["version"]


# -- issue 8: did-you-mean, warnings, validate from data -------------------------------

def test_set_override_typo_gets_a_did_you_mean(tmp_path, cli_in_process):
    proc = cli_in_process("run", "--set", "populaton.firms=30", "--out", tmp_path / "o")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "unknown key 'populaton.firms' (did you mean 'population.firms'?)" in proc.stderr
    assert not (tmp_path / "o").exists()


def test_a_policy_that_cannot_act_is_one_warning_line(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text("steps = 2\n[population]\nfirms = 30\nexternals = 0\n[network]\npipeline_subsidy = 0.5\n"
                 "[[events]]\nstep = 9\naction = \"recession\"\n")
    proc = cli("validate", f)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith("warning: ") for line in lines), proc.stderr
    assert "network.pipeline_subsidy" in proc.stderr and "events.0: step 9 is after the last step" in proc.stderr
    proc = cli("run", f, "--out", tmp_path / "o", "--no-figures", "-q")
    assert proc.returncode == 0 and "warning: network.pipeline_subsidy" in proc.stderr
    assert "Traceback" not in proc.stderr and "ClusterlabWarning" not in proc.stderr


def test_validate_counts_the_firms_of_the_scenarios_network(tmp_path, cli_in_process):
    (tmp_path / "net.csv").write_text("source,target\na,b\nb,c\nc,d\nd,e\ne,a\nf,a\n")
    (tmp_path / "s.toml").write_text('[data]\nnetwork = "net.csv"\n')
    proc = cli_in_process("validate", tmp_path / "s.toml")
    assert proc.returncode == 0, proc.stderr
    assert ", 6 firms (from " in proc.stdout and "200 firms" not in proc.stdout


def test_set_events_empty_removes_the_scenarios_events(tmp_path, cli_in_process):
    f = tmp_path / "s.toml"
    f.write_text("steps = 3\n[population]\nfirms = 30\n[[events]]\nstep = 1\naction = \"recession\"\n")
    out = tmp_path / "o"
    proc = cli_in_process("run", f, "--set", "events=[]", "--out", out, "--no-figures", "-q")
    assert proc.returncode == 0, proc.stderr
    assert len(pd.read_parquet(out / "events.parquet")) == 0
    assert cl.validate(tomllib.loads((out / "scenario.toml").read_text())).events == []
    proc = cli_in_process("run", f, "--out", tmp_path / "with", "--no-figures", "-q")
    assert list(pd.read_parquet(tmp_path / "with" / "events.parquet")["action"]) == ["recession"]


# --- first run: the status line says the kernels are compiling (issue 8) ---

import os  # noqa: E402
import select  # noqa: E402
import time  # noqa: E402

PROBE = "import clusterlab.sim, clusterlab.runtime as r; print(r.cold_cache())"


def in_terminal(args, env, until, timeout=180):
    """What `clusterlab ARGS` shows on a terminal (a pseudo-terminal), read until `until`
    appears or the program ends; the program is then stopped."""
    pty = pytest.importorskip("pty")
    main, side = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "clusterlab", *map(str, args)], stdin=subprocess.DEVNULL,
                            stdout=side, stderr=side, env={**os.environ, "COLUMNS": "200", **env})
    os.close(side)
    seen, end = "", time.monotonic() + timeout
    try:
        while until not in seen and time.monotonic() < end:
            if select.select([main], [], [], 0.5)[0]:
                try:
                    chunk = os.read(main, 4096)
                except OSError:  # the program ended and closed the terminal
                    break
                if not chunk:
                    break
                seen += chunk.decode(errors="replace")
            elif proc.poll() is not None:
                break
    finally:
        proc.kill()
        proc.wait()
        os.close(main)
    return seen


def test_a_run_with_a_cold_kernel_cache_says_it_is_compiling(tmp_path):
    cold = {"NUMBA_CACHE_DIR": str(tmp_path / "empty-cache")}  # numba looks here first: nothing cached
    shown = in_terminal(["run", "--steps", "1", "--out", tmp_path / "a"], cold, until="compiling kernels")
    assert "building the cluster, compiling kernels (first run only" in shown, shown[-500:]


def test_a_run_with_a_warm_kernel_cache_does_not_say_it_is_compiling(tmp_path, default_run):
    def cold(env):
        return subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                              env={**os.environ, **env}).stdout.strip()

    assert cold({}) == "False"  # the default run has filled the cache
    assert cold({"NUMBA_CACHE_DIR": str(tmp_path / "empty-cache")}) == "True"
    shown = in_terminal(["run", "--steps", "2", "--no-figures", "--out", tmp_path / "b"], {}, until="results written")
    assert "running" in shown and "results written" in shown, shown[-500:]
    assert "compiling" not in shown, shown[-500:]


# ---------------------------------------------------------------------------------------------
# issue 8, real data: bad data files and options are one line naming the file (or option),
# exit 2, no traceback, nothing written

GRAPHML = ('<?xml version="1.0"?>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n'
           '<graph edgedefault="directed"><node id="A"/><node id="B"/>\n{}\n</graph></graphml>\n')
EDGES = "source,target\nA,B\nB,C\n"
PROX = ",A,B,C\nA,1,{},0.2\nB,0.5,1,0.3\nC,0.2,0.3,1\n"
DATA_CASES = {
    # name: (files {name: text}, command line after the command, words the error line holds)
    "size negative": ({"e.csv": EDGES, "a.csv": "id,size\nA,-3\n"},
                      ["analyze", "e.csv", "--attributes", "a.csv"], ["a.csv: line 2, column 'size'", "-3"]),
    "export share 7": ({"e.csv": EDGES, "a.csv": "id,exports\nA,7\n"},
                       ["analyze", "e.csv", "--attributes", "a.csv"], ["a.csv: line 2, column 'exports'", "0 to 1"]),
    "R&D -1": ({"e.csv": EDGES, "a.csv": "id;R&D\nA;0,1\nB;-1\n"},
               ["analyze", "e.csv", "--attributes", "a.csv"], ["a.csv: line 3, column 'R&D'"]),
    "x 1e300 in run": ({"e.csv": EDGES, "a.csv": "id,x,y\nA,1e300,0\n"},
                       ["run", "--from-network", "e.csv", "--attributes", "a.csv", "--steps", "2"],
                       ["a.csv: line 2, column 'x'", "km"]),
    "latitude 95": ({"e.csv": EDGES, "a.csv": "id,lat,lon\nA,95,7\n"},
                    ["run", "--from-network", "e.csv", "--attributes", "a.csv", "--steps", "2"],
                    ["a.csv: line 2, column 'lat'", "-90 to 90"]),
    "kind unknown": ({"e.csv": EDGES, "a.csv": "id,kind\nA,bakery\n"},
                     ["analyze", "e.csv", "--attributes", "a.csv"], ["a.csv: line 2, column 'kind'", "'bakery'"]),
    "pajek huge count": ({"p.net": '*Vertices 999999999999\n1 "A"\n2 "B"\n*Arcs\n1 2\n'},
                         ["analyze", "p.net"], ["p.net: line 1", "*Vertices 999999999999"]),
    "graphml edge without source": ({"g.graphml": GRAPHML.format('<edge target="B"/>')},
                                    ["analyze", "g.graphml"], ["g.graphml: line 4: <edge> without a source"]),
    "graphml undeclared node": ({"g.graphml": GRAPHML.format('<edge source="A" target="Q"/>')},
                                ["run", "--from-network", "g.graphml", "--steps", "2"],
                                ["g.graphml: line 4: edge target 'Q' is not a declared node"]),
    "proximity NaN": ({"w1.csv": EDGES, "w2.csv": EDGES, "p.csv": PROX.format("NaN")},
                      ["compare", "w1.csv", "w2.csv", "--proximity", "cog=p.csv"], ["p.csv: line 2, column 'B'"]),
    "proximity empty": ({"w1.csv": EDGES, "w2.csv": EDGES, "p.csv": PROX.format("")},
                        ["compare", "w1.csv", "w2.csv", "--proximity", "cog=p.csv"], ["p.csv: line 2, column 'B'", "empty"]),
    "proximity huge": ({"w1.csv": EDGES, "w2.csv": EDGES, "p.csv": PROX.format("1e300")},
                       ["compare", "w1.csv", "w2.csv", "--proximity", "geo=p.csv"],
                       ["p.csv: line 2, column 'B'", "-1e+06 to 1e+06"]),
    "proximity labels": ({"w1.csv": EDGES, "w2.csv": EDGES, "p.csv": ",A,B\nA,1,0.5\nB,0.5,1\n"},
                         ["compare", "w1.csv", "w2.csv", "--proximity", "cog=p.csv"], ["p.csv: proximity 'cog'", "'C'"]),
    "group unknown": ({"e.csv": EDGES}, ["analyze", "e.csv", "--group", "colour"], ["e.csv: --group 'colour'"]),
    "format unknown": ({"e.csv": EDGES}, ["analyze", "e.csv", "--format", "xls"], ["--format 'xls'"]),
    "proximity twice": ({"w1.csv": EDGES, "w2.csv": EDGES, "p.csv": PROX.format("0.5")},
                        ["compare", "w1.csv", "w2.csv", "--proximity", "cog=p.csv", "--proximity", "cog=p.csv"],
                        ["--proximity 'cog=p.csv': the name 'cog' is given twice"]),
    "max pairs 0": ({"w1.csv": EDGES, "w2.csv": EDGES}, ["compare", "w1.csv", "w2.csv", "--max-pairs", "0"],
                    ["--max-pairs 0"]),
    "new ids": ({"e.csv": EDGES, "a.csv": "id,size\nZ,3\n"}, ["analyze", "e.csv", "--attributes", "a.csv"],
                ["a.csv: 1 id not in the network", "--allow-new"]),
}


# analyze, run and compare each keep one case on the real command line (a subprocess); the
# others run the same entry point in process (conftest.cli_in_process)
DATA_REAL = {"size negative", "x 1e300 in run", "proximity NaN"}


@pytest.mark.parametrize("case", sorted(DATA_CASES))
def test_bad_data_is_one_line_naming_the_file(tmp_path, case, cli_in_process):
    files, args, words = DATA_CASES[case]
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    proc = (cli if case in DATA_REAL else cli_in_process)(*args, "--out", "out", cwd=tmp_path)
    err = proc.stderr
    assert proc.returncode == 2 and err.count("\n") == 1 and err.startswith("error: "), err
    assert all(w in err for w in words) and "Traceback" not in err, err
    assert not (tmp_path / "out").exists() and not any(p.name.startswith(".") for p in tmp_path.iterdir())


def test_group_option_matches_columns_as_the_file_writes_them(tmp_path, cli_in_process):
    (tmp_path / "e.csv").write_text(EDGES)
    (tmp_path / "a.csv").write_text("id,Kind,Region\nA,firm,north\nB,university,south\nC,firm,south\n")
    # the first spelling on the real command line (a subprocess), the others in process (the
    # same entry point, conftest.cli_in_process): the matching is what is tested here
    for typed, column in (("Kind", "kind"), ("kind", "kind"), ("region", "Region"), ("REGION", "Region")):
        run = cli if typed == "Kind" else cli_in_process
        proc = run("analyze", "e.csv", "--attributes", "a.csv", "--group", typed, "--out", "o", cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert json.loads((tmp_path / "o" / "summary.json").read_text())["brokerage"]["group"] == column


# -- usage errors are one line too, naming the option as typed ---------------------------

@pytest.mark.parametrize("args, words", [
    (["run", "--steps", "abc"], ["'--steps'", "integer", "clusterlab run --help"]),
    (["run", "--bogus"], ["No such option: --bogus"]),
    (["analyze"], ["Missing argument 'network'", "clusterlab analyze --help"]),
    (["compare", "a.csv"], ["Missing argument 'wave2'"]),
    (["run", "--seed", "-1"], ["--seed -1", "from 0"]),
    (["run", "--steps", "-3"], ["--steps -3", "from 0 to 1,000,000"]),
    (["validate", "s.toml", "--steps", "5"], ["No such option: --steps"]),
    (["nosuchcommand"], ["No such command 'nosuchcommand'"]),
])
def test_usage_errors_are_one_line(tmp_path, args, words, cli_in_process):
    # a bad option value and an unknown command on the real command line (a subprocess), the
    # others in process (the same entry point, conftest.cli_in_process)
    run = cli if args in (["run", "--steps", "abc"], ["nosuchcommand"]) else cli_in_process
    proc = run(*args, cwd=tmp_path)  # in an empty folder: `run` would write results/ there
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    for w in words:
        assert w in lines[0]
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert list(tmp_path.iterdir()) == []  # nothing written (no results/ folder)


def test_no_arguments_still_shows_the_help():
    proc = cli()
    assert proc.returncode == 2 and "Usage: " in proc.stdout and "Simulate and analyse" in proc.stdout

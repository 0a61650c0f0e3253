"""Shared fixtures: hand-built states for direction tests and small scenarios.

The builders are session fixtures that return factories, so a test asks for what it uses:

    def test_x(only, sim_with, actors, ties):
        sim = sim_with(only("transfer"), actors(2, E=...), ties(2, [0], [1]))
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import clusterlab as cl
from clusterlab.state import SME, Actors, Technology, Ties


def _actors(n: int, D: int = 4, *, kind=SME, stage=0, T=None, E=None, x=None, rd=0.02,
           reciprocity=1.0, culture=0, group=None, sharing=0.5) -> Actors:
    full = lambda v, dt: np.broadcast_to(np.asarray(v, dt), (n,)).copy()  # noqa: E731
    return Actors(
        kind=full(kind, np.int8), stage=full(stage, np.int8),
        x=full(0.0 if x is None else x, np.float32), y=np.zeros(n, np.float32),
        culture=full(culture, np.int16),
        group=np.arange(n, dtype=np.int32) if group is None else full(group, np.int32),
        size=np.full(n, 20, np.float32), rd=full(rd, np.float32), openness=np.full(n, 0.3, np.float32),
        sharing=full(sharing, np.float32), reciprocity=full(reciprocity, np.float32),
        T=np.zeros((n, D), np.float32) if T is None else np.asarray(T, np.float32).copy(),
        E=np.zeros((n, D), np.float32) if E is None else np.asarray(E, np.float32).copy(),
    )


def _ties(n: int, a, b, *, layer=1, w=0.6, trust=0.5, dist=1.0, born=-1000) -> Ties:
    a = np.asarray(a, np.int32)
    full = lambda v, dt: np.broadcast_to(np.asarray(v, dt), a.shape).copy()  # noqa: E731
    return Ties.from_edges(n, a, np.asarray(b, np.int32), full(layer, np.int8), full(w, np.float32),
                           full(trust, np.float32), full(dist, np.float32), full(born, np.int32))


def _only(*names: str, **changes) -> cl.Scenario:
    """A scenario with only the named mechanisms enabled (others off); keyword changes are
    mechanism parameters, e.g. ``transfer__beta_vertical=0.1``."""
    from clusterlab.mechanisms import MECHANISMS

    sets = {f"mechanisms.{m.name}.enabled": m.name in names for m in MECHANISMS}
    sets.update({"mechanisms." + k.replace("__", "."): v for k, v in changes.items()})
    return cl.default_scenario().set(**sets)


def _sim_with(scenario: cl.Scenario, act: Actors, tie: Ties, frontier=None) -> cl.Sim:
    D = act.domains
    tech = Technology(frontier=np.ones(D, np.float32) if frontier is None else np.asarray(frontier, np.float32),
                      relevance=np.full(D, 1.0 / D, np.float32))
    return cl.Sim(scenario).init(act, tie, tech)


def _small(**changes) -> cl.Scenario:
    """A small, fast scenario: 80 firms, 6 institutions, 15 externals, 4 domains, 36 steps."""
    base = {"steps": 36, "population.firms": 80, "population.externals": 15,
            "population.universities": 1, "population.institutes": 1, "population.intermediaries": 1,
            "population.agencies": 2, "population.cluster_orgs": 1, "knowledge.domains": 4,
            "output.figures": False}
    base.update({k.replace("__", "."): v for k, v in changes.items()})
    return cl.default_scenario().set(**base)


FIXTURES = Path(__file__).parent / "fixtures"

# Compiles numba's kernels into its on-disk cache when that is cold (a clean clone), in two
# processes side by side, one per core: each runs a 2-step `run` with half of the mechanisms
# switched on (the other half off), and the first also an `analyze` (the measures' kernels).
# Together they compile the same kernels as one `run` of every mechanism and an `analyze`
# (checked: the same 89 cache entries), in about 55 s instead of 90 s (one `run` compiling
# every mechanism took 92 s beside a 15 s `analyze`: a core idled). Without it, on a clean
# clone each xdist worker, each command-line test and each pool worker started in the first
# minutes compiles the same kernels again (about a minute each). A script exits at once when
# the cache is warm. Only in xdist's controller: started before the workers, which start and
# collect meanwhile (collecting compiles nothing); no test is handed out before both scripts
# are done (pytest_xdist_node_collection_finished waits for them). Nothing is tested here
# (tests/test_cli.py checks the cold-cache message).
WARM_UP = """
import contextlib, json, sys
import clusterlab.sim, clusterlab.measures, clusterlab.runtime as runtime
if runtime.cold_cache():
    from clusterlab.cli import main
    for args in json.loads(sys.argv[1]):
        sys.argv = ["clusterlab", *args]
        with contextlib.suppress(SystemExit):  # the command line exits when done: go on to the next
            main()
"""
# the mechanisms of the first warm-up process (the others go to the second): about half of
# the compiling each, measured with numba's compile events
WARM_UP_FIRST = ("transfer", "labour", "spillover", "seci", "trust", "technology", "absorptive_capacity",
                 "interaction")
_warming: list = []  # [(processes, temporary folder)] while the warm-up runs
WARM_UP_LIMIT = 600.0  # seconds; a warm-up still running then is stopped (it takes about 1 minute)


def pytest_configure(config):
    if hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None):
        return
    import os
    import subprocess
    import sys
    import tempfile

    import json

    from clusterlab.mechanisms import MECHANISMS

    tmp = tempfile.mkdtemp(prefix="clusterlab-warm-up-")

    def run(name, on):
        off = [a for m in MECHANISMS if m.name not in on for a in ("--set", f"mechanisms.{m.name}.enabled=false")]
        return ["run", "--steps", "2", "--no-figures", "-q", "--out", f"{tmp}/{name}", *off]

    first = set(WARM_UP_FIRST)
    second = {m.name for m in MECHANISMS} - first
    commands = ([run("first", first),
                 ["analyze", str(FIXTURES / "matrix_excel.csv"), "--attributes", str(FIXTURES / "attributes.csv"),
                  "--group", "kind", "--out", f"{tmp}/analyze"]],
                [run("second", second)])
    procs = [subprocess.Popen([sys.executable, "-c", WARM_UP, json.dumps(c)], cwd=tmp, env=os.environ.copy(),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for c in commands]
    _warming.append((procs, tmp))


def _warmed_up() -> None:
    """Wait for the warm-up scripts (once) and remove their folder."""
    import shutil

    import subprocess
    import time

    while _warming:
        procs, tmp = _warming.pop()
        deadline = time.monotonic() + WARM_UP_LIMIT
        for proc in procs:
            try:
                proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:  # never block the suite: tests compile what is missing
                proc.kill()
                proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node, ids):
    _warmed_up()  # in the controller, before the first test is handed out


def pytest_unconfigure(config):
    _warmed_up()


@pytest.fixture(scope="session", autouse=True)
def _one_numba_thread():
    """Tests run numba on one thread, as every small model and experiment worker does: a
    kernel called directly (a mechanism's unit test) then takes the serial variant the
    warm-up compiled (`clusterlab.kernels`) instead of compiling its parallel one in each
    worker. The thread tests set two threads themselves (tests/test_properties.py,
    tests/test_kernels.py, tests/mechanisms/test_network_evolution.py)."""
    import numba

    before = numba.get_num_threads()
    numba.set_num_threads(1)
    yield
    numba.set_num_threads(before)


# The longest tests (tens of seconds each), started first: with xdist, a worker takes the
# next test as it finishes one, so a long test left to the end runs alone while the other
# worker idles. Longest first; the browser tests are one xdist group (one worker), which
# `--dist loadgroup` hands out before any single test. Only the order changes.
LONGEST_FIRST = (
    # on a clean clone, this one compiles every parallel kernel variant (about a minute of one
    # core): left in its place, near the end, it ran alone after every other test
    "test_properties.py::test_results_do_not_depend_on_thread_count",
    # one process each, so the browser group (which needs CPU for its charts) runs beside them
    "panel/test_calibrate.py::test_recovers_proposals_within_two_standard_errors",
    "panel/test_calibrate.py::test_same_seed_same_estimate",
    "panel/test_calibrate_targets.py::test_calibrated_toml_in_predict_gets_the_tie_count_closer_than_the_default",
    "panel/test_calibrate_targets.py::test_more_observed_exits_give_a_larger_exit_threshold",
    "panel/test_calibrate.py::test_calibrate_writes_a_loadable_scenario_fragment",
    "experiments/test_store.py::test_duckdb_over_2000_parts_sums_right",
    # pools and subprocesses
    "experiments/test_experiment_cli.py::test_experiment_runs_summarises_reports_and_resumes",
    "experiments/test_runner.py::test_same_store_whatever_the_executor",
    "panel/test_msm.py::test_same_seed_same_estimate_serial_and_on_a_pool",
    "experiments/test_runner.py::test_main_process_killed",
    "experiments/test_runner.py::test_pool_failure_and_worker_killed",
    "experiments/test_runner.py::test_dask_worker_killed",
    "experiments/test_runner.py::test_ctrl_c_on_the_process_group",
)


def pytest_collection_modifyitems(config, items):
    rank = {}
    for item in items:
        for i, name in enumerate(LONGEST_FIRST):
            if item.nodeid.split("@")[0].split("[")[0].endswith(name):
                rank[item.nodeid] = i
    items.sort(key=lambda item: rank.get(item.nodeid, len(LONGEST_FIRST)))  # stable: the rest keep their order


@pytest.fixture(scope="session")
def actors():
    """Factory: `actors(n, D=4, kind=SME, stage=0, T=None, E=None, ...)`, a hand-built Actors."""
    return _actors


@pytest.fixture(scope="session")
def ties():
    """Factory: `ties(n, a, b, layer=1, w=0.6, trust=0.5, dist=1.0, born=-1000)`, hand-built Ties."""
    return _ties


@pytest.fixture(scope="session")
def only():
    """Factory: the default scenario with only the named mechanisms enabled."""
    return _only


@pytest.fixture(scope="session")
def sim_with():
    """Factory: a Sim initialised with a hand-built state."""
    return _sim_with


@pytest.fixture(scope="session")
def small():
    """Factory: a small, fast scenario (80 firms, 4 domains, 36 steps), with changes."""
    return _small


@pytest.fixture(scope="session")
def fixtures() -> Path:
    """The folder of test data files (networks, attributes, bad inputs)."""
    return FIXTURES


@pytest.fixture(scope="session")
def pair(actors):
    def pair(T1=(1, 1, 0, 0), E1=(1, 1, 0, 0), **kw):
        """Two actors: 0 knows a little, 1 holds T1 and E1 (a dyad for learning tests)."""
        base = [0.1, 0.1, 0.0, 0.0]
        return actors(2, T=[base, T1], E=[base, E1], **kw)

    return pair


def _cli_in_process(*args, cwd=None):
    """`clusterlab ARGS` run in this process (the `clusterlab` command's own entry point,
    clusterlab.cli.main, with its argv, working folder, stdout and stderr), returned like
    `subprocess.run([... "clusterlab", ...], capture_output=True, text=True, cwd=cwd)`.

    For the many bad-input tests: the same exit status and the same stderr as the command
    line, without starting a Python that imports numpy, numba and the rest each time (1.5-4.5
    s a test). Warnings are shown as a fresh Python shows them (Python's default filters,
    written to stderr), not recorded by pytest, so a stray warning still breaks "one line".
    An exception that escapes main() is printed as Python prints it (a traceback on stderr,
    exit status 1), so "no traceback" stays a check. Each family of commands keeps a test that
    runs the real command line in a subprocess too."""
    import contextlib
    import io
    import os
    import subprocess
    import sys
    import traceback
    import warnings

    from clusterlab.cli import main

    argv = ["clusterlab", *map(str, args)]
    out, err = io.StringIO(), io.StringIO()
    old_argv, old_cwd = sys.argv, os.getcwd()
    code = 0

    def python_shows(message, category, filename, lineno, file=None, line=None):
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))

    try:
        sys.argv = argv
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), warnings.catch_warnings():
            warnings.resetwarnings()  # Python's default filters (python -W / PYTHONWARNINGS unset)
            warnings.simplefilter("default")
            for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
                warnings.simplefilter("ignore", category)
            warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")
            warnings.showwarning = python_shows
            try:
                main()
            except SystemExit as exc:
                if exc.code is None or isinstance(exc.code, int):
                    code = exc.code or 0
                else:  # sys.exit("message"): Python prints it and exits with 1
                    print(exc.code, file=sys.stderr)
                    code = 1
            except Exception:
                traceback.print_exc()
                code = 1
    finally:
        sys.argv = old_argv
        os.chdir(old_cwd)
    return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="session")
def cli_in_process():
    """Factory: `cli_in_process(*args, cwd=None)`, the `clusterlab` command run in this process,
    returned like subprocess.run's CompletedProcess (returncode, stdout, stderr)."""
    return _cli_in_process

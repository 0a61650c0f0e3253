"""Output folders never lose a user's file (README, "Output folders"): clusterlab replaces or
removes only the files its manifest lists, and a kill at any point of a write leaves whole
files, a manifest that accounts for them, and a staging folder the next write removes."""

import json
import os
import subprocess
import sys

import pytest

from clusterlab.errors import ClusterlabError
from clusterlab.outdir import MANIFEST, STAGING, clean_stale, staged, write_text

V1 = {"timeseries.csv": "v1 table\n" * 2000, "summary.json": "v1 summary",
      "figures/a.png": "v1 a", "figures/b.png": "v1 b"}
V2 = {"timeseries.parquet": "v2 table\n" * 2000, "summary.json": "v2 summary",
      "figures/a.png": "v2 a", "report/deep/x.txt": "v2 x"}
USER = {"notes.txt": "the user's notes", "figures/my_plot.png": "the user's plot"}


def write(out, files, command="run", **kw):
    with staged(out, command, **kw) as tmp:
        for name, text in files.items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp / name).write_text(text)
    return out


def contents(folder):
    """Every file under `folder` (hidden ones too) with its text, the manifest left out."""
    return {p.relative_to(folder).as_posix(): p.read_text() for p in folder.rglob("*")
            if p.is_file() and p.name != MANIFEST}


def manifest(folder):
    return json.loads((folder / MANIFEST).read_text())


def staging(parent):
    return sorted(p.name for p in parent.iterdir() if STAGING in p.name)


def add_user_files(out):
    for name, text in USER.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text)


# ---------------------------------------------------------------------------------------------
# the rule


def test_a_rewrite_replaces_its_files_removes_stale_ones_and_keeps_the_users(tmp_path):
    out = write(tmp_path / "out", V1)
    assert contents(out) == V1 and manifest(out)["files"] == sorted(V1)
    add_user_files(out)
    write(out, V2)
    assert contents(out) == {**V2, **USER}  # timeseries.csv and figures/b.png gone, user's kept
    m = manifest(out)
    assert m["files"] == sorted(V2) and m["complete"] is True and m["command"] == "run"
    write(out, {"summary.json": "v3"})
    assert contents(out) == {"summary.json": "v3", **USER}
    assert not (out / "report").exists()  # folders it emptied are removed; figures/ holds the user's
    assert staging(tmp_path) == []


def test_a_users_file_in_the_way_is_refused_unless_overwrite(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text("mine")
    (out / "figures").mkdir()
    (out / "figures" / "a.png").write_text("my a")
    with pytest.raises(ClusterlabError) as err:
        write(out, V2)
    msg = str(err.value)
    assert msg.startswith(f"{out / 'figures' / 'a.png'} (and 1 more): not written by clusterlab")
    assert "--overwrite" in msg
    assert "\n" not in msg
    assert contents(out) == {"summary.json": "mine", "figures/a.png": "my a"}
    assert not (out / MANIFEST).exists() and staging(tmp_path) == []
    write(out, V2, overwrite=True)
    assert contents(out) == V2 and manifest(out)["files"] == sorted(V2)
    write(out, V1)  # now they are clusterlab's: replaced without --overwrite
    assert contents(out) == V1


def test_a_folder_where_a_file_goes_is_refused_even_with_overwrite(tmp_path):
    out = write(tmp_path / "out", V1)
    os.remove(out / "summary.json")
    (out / "summary.json").mkdir()
    (out / "summary.json" / "keep.txt").write_text("mine")
    for overwrite in (False, True):
        with pytest.raises(ClusterlabError, match=r"summary\.json: is a folder where clusterlab writes a file"):
            write(out, V2, overwrite=overwrite)
    assert (out / "summary.json" / "keep.txt").read_text() == "mine"


def test_a_users_file_where_a_folder_goes(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "figures").write_text("a file of mine called figures")
    with pytest.raises(ClusterlabError, match=r"out/figures: not written by clusterlab"):
        write(out, V1)
    assert (out / "figures").read_text() == "a file of mine called figures"
    write(out, V1, overwrite=True)
    assert contents(out) == V1


def test_another_commands_output_is_refused_unless_overwrite(tmp_path):
    out = write(tmp_path / "out", V1, command="analyze")
    with pytest.raises(ClusterlabError, match=r"out: holds the output of `clusterlab analyze`; .*--overwrite"):
        write(out, V2, command="run")
    assert contents(out) == V1
    write(out, V2, command="run", overwrite=True)
    assert contents(out) == V2 and manifest(out)["command"] == "run"


@pytest.mark.parametrize("text, expect", [
    ("{not json", "not a readable clusterlab manifest"),
    ('{"command": "run", "files": "summary.json"}', "expected keys 'command'"),
    ('{"command": "run", "files": ["../victim.txt"]}', "'../victim.txt' is not a relative path inside"),
    ('{"command": "run", "files": ["/etc/passwd"]}', "'/etc/passwd' is not a relative path inside"),
])
def test_a_manifest_that_is_not_ours_is_refused_and_nothing_outside_is_touched(tmp_path, text, expect):
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "victim.txt").write_text("outside")
    (out / MANIFEST).write_text(text)
    with pytest.raises(ClusterlabError, match=expect) as err:
        write(out, V2, overwrite=True)
    assert str(err.value).startswith(str(out / MANIFEST)) and "delete it" in str(err.value)
    assert (tmp_path / "victim.txt").read_text() == "outside" and contents(out) == {}


def test_a_failed_write_leaves_the_folder_as_it_was(tmp_path):
    out = write(tmp_path / "out", V1)
    add_user_files(out)
    before = (contents(out), (out / MANIFEST).read_text())
    with pytest.raises(RuntimeError), staged(out, "run") as tmp:
        (tmp / "summary.json").write_text("half")
        raise RuntimeError("the figure failed")
    assert (contents(out), (out / MANIFEST).read_text()) == before and staging(tmp_path) == []


def test_a_disk_error_while_moving_in_is_one_line_and_the_next_write_puts_it_right(tmp_path, monkeypatch):
    out = write(tmp_path / "out", V1)
    add_user_files(out)
    calls = []
    real = os.replace

    def full_on_third(src, dst):
        calls.append(dst)
        if len(calls) == 3:  # the union manifest and one file are in
            raise OSError(28, "No space left on device")
        real(src, dst)

    monkeypatch.setattr("clusterlab.outdir.os.replace", full_on_third)
    with pytest.raises(ClusterlabError, match=r"out: cannot write \(No space left on device\)$"):
        write(out, V2)
    monkeypatch.undo()
    m = manifest(out)
    assert m["complete"] is False and set(contents(out)) - set(USER) <= set(m["files"])
    write(out, V2)
    assert contents(out) == {**V2, **USER} and staging(tmp_path) == []


def test_a_file_is_not_a_folder(tmp_path):
    (tmp_path / "out").write_text("x")
    with pytest.raises(ClusterlabError, match="out: exists and is not a folder"):
        write(tmp_path / "out", V1)


# ---------------------------------------------------------------------------------------------
# staging folders of killed processes


def dead_pid():
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(proc.stdout)


def test_stale_staging_of_a_dead_process_is_removed_and_nothing_else(tmp_path):
    stale = tmp_path / f".out{STAGING}{dead_pid()}-abc_123"
    (stale / "figures").mkdir(parents=True)
    (stale / "figures" / "a.png").write_text("half")
    alive = tmp_path / f".out{STAGING}{os.getppid()}-xyz"  # the process that started pytest
    alive.mkdir()
    keep = [tmp_path / f".other{STAGING}{dead_pid()}-abc", tmp_path / f".out{STAGING}notes",
            tmp_path / ".out.xyz12345"]
    for p in keep:
        p.mkdir()
    user_file = tmp_path / f".out{STAGING}{dead_pid()}-file"  # a file, not a folder
    user_file.write_text("mine")
    assert clean_stale(tmp_path / "out") == [stale]
    assert not stale.exists() and alive.exists() and user_file.exists() and all(p.exists() for p in keep)


def test_stale_staging_whose_lock_is_held_is_kept(tmp_path):
    fcntl = pytest.importorskip("fcntl")
    held = tmp_path / f".out{STAGING}{dead_pid()}-abc"
    held.mkdir()
    fd = os.open(held, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # a writer in another pid namespace holds it
        assert clean_stale(tmp_path / "out") == [] and held.exists()
    finally:
        os.close(fd)
    assert clean_stale(tmp_path / "out") == [held]


def test_writes_clean_the_staging_beside_them(tmp_path):
    for name in ("out", "report.html"):
        (tmp_path / f".{name}{STAGING}{dead_pid()}-abc").mkdir()
    write(tmp_path / "out", V1)
    write_text(tmp_path / "report.html", "<html></html>")
    assert staging(tmp_path) == [] and (tmp_path / "report.html").read_text() == "<html></html>"


# ---------------------------------------------------------------------------------------------
# kill -9 at every point of a write

KILLER = """
import json, os, signal, sys
import clusterlab.outdir as od

out, files, point, nth = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], int(sys.argv[4])
seen = {}

def checkpoint(name):
    seen[name] = seen.get(name, 0) + 1
    if name == point and seen[name] == nth:
        os.kill(os.getpid(), signal.SIGKILL)

od._checkpoint = checkpoint
with od.staged(out, "run") as tmp:
    for name, text in files.items():
        (tmp / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / name).write_text(text)
        checkpoint("writing")
"""


def write_in_subprocess(out, files, point="none", nth=1):
    return subprocess.run([sys.executable, "-c", KILLER, str(out), json.dumps(files), point, str(nth)],
                          capture_output=True, text=True, env=os.environ.copy(), check=False)


POINTS = [("writing", 2), ("staged", 1), ("manifest", 1), ("moved", 1), ("moved", 3), ("moved", 4),
          ("removed", 1), ("done", 1)]


@pytest.mark.parametrize("point, nth", POINTS)
def test_a_kill_anywhere_in_a_rewrite_loses_nothing_and_the_next_write_completes(tmp_path, point, nth):
    out = write(tmp_path / "out", V1)
    add_user_files(out)
    proc = write_in_subprocess(out, V2, point, nth)
    assert proc.returncode == -9, proc.stderr
    now = contents(out)
    for name, text in USER.items():
        assert now.pop(name) == text  # the user's files, whole
    for name, text in now.items():
        assert text in (V1.get(name), V2.get(name)), name  # every file whole, old or new
    m = manifest(out)
    assert set(now) <= set(m["files"])  # every file clusterlab placed is accounted for
    if m["complete"]:
        assert now in (V1, V2) and m["files"] == sorted(now)  # complete means complete
    else:
        assert point in ("manifest", "moved", "removed")
    assert len(staging(tmp_path)) == 1  # left behind by the killed process

    proc = write_in_subprocess(out, V2)
    assert proc.returncode == 0, proc.stderr
    assert contents(out) == {**V2, **USER} and manifest(out)["files"] == sorted(V2)
    assert manifest(out)["complete"] is True and staging(tmp_path) == []


@pytest.mark.parametrize("point", ["writing", "staged", "done"])
def test_a_kill_while_creating_a_folder(tmp_path, point):
    out = tmp_path / "new" / "out"
    proc = write_in_subprocess(out, V2, point)
    assert proc.returncode == -9, proc.stderr
    if out.exists():  # the staging folder became the folder whole, manifest included
        assert point == "done" and contents(out) == V2 and manifest(out)["complete"] is True
    else:
        assert len(staging(out.parent)) == 1
    assert write_in_subprocess(out, V2).returncode == 0
    assert contents(out) == V2 and staging(out.parent) == []


# ---------------------------------------------------------------------------------------------
# the command line

SMALL = ["--steps", "2", "--set", "population.firms=20"]


# The first `run` and the first `compare` without --out below are the real command line (a
# subprocess); the other calls run the same entry point in process (conftest.cli_in_process,
# with argv, folder, stdout and stderr): the output folder's rules are what is tested. The
# kill tests kill a subprocess.


def cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "clusterlab", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, env=os.environ.copy(), check=False)


def test_run_reruns_keep_the_users_files_and_leave_nothing_stale(tmp_path, cli_in_process):
    first = cli("run", *SMALL, "--csv", cwd=tmp_path)  # no --out: results/
    assert first.returncode == 0, first.stderr
    assert "no --out given: writing to results/" in first.stderr
    assert "results written to results" in first.stdout
    out = tmp_path / "results"
    assert (out / "timeseries.csv").is_file() and (out / "figures" / "network.png").is_file()
    (out / "figures" / "my_plot.png").write_bytes(b"mine")
    (out / "my_notes.txt").write_text("mine")

    again = cli_in_process("run", *SMALL, "--no-figures", "-q", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout == ""
    assert again.stderr.startswith("note: no --out given: replacing the `run` output in results/ written ")
    assert again.stderr.count("\n") == 1 and "give --out to keep it" in again.stderr
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert names == [MANIFEST, "actors.parquet", "events.parquet", "figures/my_plot.png", "my_notes.txt",
                     "network.graphml", "scenario.toml", "summary.json", "ties.parquet", "timeseries.parquet"]
    assert (out / "figures" / "my_plot.png").read_bytes() == b"mine"

    explicit = cli_in_process("run", *SMALL, "--no-figures", "-q", "--out", "results", cwd=tmp_path)
    assert explicit.returncode == 0 and explicit.stderr == "" and explicit.stdout == ""


def test_run_refuses_a_users_file_before_running(tmp_path, cli_in_process):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "summary.json").write_text("my summary")
    proc = cli_in_process("run", *SMALL, "--out", out, cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr == (f"error: {out / 'summary.json'}: not written by clusterlab, would be "
                           f"overwritten; move it, choose another output folder, or give --overwrite\n")
    assert "running" not in proc.stderr and sorted(p.name for p in out.iterdir()) == ["summary.json"]
    proc = cli_in_process("run", *SMALL, "--no-figures", "-q", "--out", out, "--overwrite", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads((out / "summary.json").read_text())["steps"] == 2


def test_analyze_and_compare_follow_the_same_rule(tmp_path, cli_in_process):
    edges = tmp_path / "e.csv"
    edges.write_text("source,target\na,b\nb,c\nc,a\nc,d\n")
    out = tmp_path / "an"
    out.mkdir()
    (out / "firms.csv").write_text("mine")
    proc = cli_in_process("analyze", edges, "--out", out, cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.startswith(f"error: {out / 'firms.csv'}: not written by clusterlab")
    (out / "firms.csv").rename(out / "my_firms.csv")
    assert cli_in_process("analyze", edges, "--out", out, cwd=tmp_path).returncode == 0
    assert set(manifest(out)["files"]) == {"firms.csv", "firms.parquet", "summary.json", "report.html",
                                           "network.graphml", "network.gexf"}
    assert (out / "my_firms.csv").read_text() == "mine"
    proc = cli_in_process("compare", edges, edges, "--out", out, cwd=tmp_path)
    assert proc.returncode == 2 and "holds the output of `clusterlab analyze`" in proc.stderr
    first = cli("compare", edges, edges, cwd=tmp_path)
    assert first.returncode == 0 and "no --out given: writing to comparison/" in first.stderr
    second = cli_in_process("compare", edges, edges, cwd=tmp_path)
    assert "replacing the `compare` output in comparison/" in second.stderr


def test_bad_input_without_out_is_one_line_even_over_a_previous_output(tmp_path, cli_in_process):
    for folder, command in (("results", "run"), ("analysis", "analyze"), ("comparison", "compare")):
        write(tmp_path / folder, {"summary.json": "{}"}, command=command)
    bad = tmp_path / "bad.csv"
    bad.write_text("source,target\na\n")
    for args in (("run", "--from-network", bad), ("analyze", bad), ("compare", bad, bad)):
        proc = cli_in_process(*args, cwd=tmp_path)
        assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
        assert proc.stderr.startswith("error: ") and "bad.csv: line 2" in proc.stderr
    for folder in ("results", "analysis", "comparison"):
        assert contents(tmp_path / folder) == {"summary.json": "{}"}


KILL_RUN = """
import os, signal, sys
import clusterlab.outdir as od
from clusterlab.cli import main

seen = []

def checkpoint(name):
    seen.append(name)
    if seen.count("moved") == 2:
        os.kill(os.getpid(), signal.SIGKILL)

od._checkpoint = checkpoint
sys.argv = ["clusterlab", *sys.argv[1:]]
main()
"""


def test_a_run_killed_while_moving_files_into_place(tmp_path, cli_in_process):
    out = tmp_path / "out"
    assert cli_in_process("run", *SMALL, "--csv", "--no-figures", "-q", "--out", out, cwd=tmp_path).returncode == 0
    (out / "mine.txt").write_text("mine")
    proc = subprocess.run([sys.executable, "-c", KILL_RUN, "run", *SMALL, "--steps", "3", "--no-figures",
                           "-q", "--out", str(out)], capture_output=True, text=True, env=os.environ.copy(), check=False)
    assert proc.returncode == -9, proc.stderr
    assert manifest(out)["complete"] is False and len(staging(tmp_path)) == 1
    assert {"timeseries.csv", "actors.csv"} <= set(manifest(out)["files"])
    proc = cli_in_process("run", *SMALL, "--steps", "3", "--no-figures", "-q", "--out", out, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert staging(tmp_path) == [] and manifest(out)["complete"] is True
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "actors.parquet", "events.parquet", "mine.txt",
                                                     "network.graphml", "scenario.toml", "summary.json",
                                                     "ties.parquet", "timeseries.parquet"]
    assert json.loads((out / "summary.json").read_text())["steps"] == 3

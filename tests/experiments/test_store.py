"""The resumable run store: stable keys, atomic parts, done-ness after kill -9, DuckDB reads."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import clusterlab
from clusterlab import ClusterlabError, default_scenario
from clusterlab.experiments import Store, run_key
from clusterlab.experiments.store import canonical

SRC = str(Path(clusterlab.__file__).parents[1])

# A worker writing runs 0..N-1 (two tables each) that it does not find done; it prints how many
# it wrote. KILL="point:n" kills it with SIGKILL at the n-th checkpoint of that name.
WORKER = r"""
import os, sys
import pandas as pd
from clusterlab.experiments import Store, run_key, store as mod
folder, n, kill = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if kill:
    point, count = kill.split(":"); count = int(count); seen = [0]
    def hook(p):
        if p == point:
            seen[0] += 1
            if seen[0] == count:
                os.kill(os.getpid(), 9)
    mod._checkpoint = hook
st = Store(folder, "kill-test")
wrote = 0
for i in range(n):
    key = run_key({"i": i}, i)
    if st.has(key):
        continue
    ts = pd.DataFrame({"step": range(i % 5 + 1), "v": [i * 10 + j for j in range(i % 5 + 1)]})
    st.write(key, {"ts": ts, "summary": pd.DataFrame({"total": [i]})}, {"arm": "a", "replication": i})
    wrote += 1
print(wrote)
"""


def worker(folder, n, kill="", wait=True):
    cmd = [sys.executable, "-c", WORKER, str(folder), str(n), kill]
    env = {**os.environ, "PYTHONPATH": SRC}
    if not wait:
        return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True)
    return subprocess.run(cmd, env=env, capture_output=True, text=True)


def check_whole(folder, n):
    """Every done run reads back whole and once; returns the done keys."""
    st = Store(folder)
    done = set(st.keys())
    want = {run_key({"i": i}, i): i for i in range(n)}
    assert done <= set(want)
    if not done:
        return done
    ts = st.read("ts")
    assert set(ts["run"]) == done
    for key, rows in ts.groupby("run"):
        i = want[key]
        assert sorted(rows["v"]) == [i * 10 + j for j in range(i % 5 + 1)]  # whole, no duplicates
        assert (rows["replication"] == i).all() and (rows["arm"] == "a").all()
    summary = st.read("summary")
    assert len(summary) == len(done) and set(summary["run"]) == done
    return done


# -- keys ---------------------------------------------------------------------------------------

def test_key_is_stable_across_processes_and_hash_seeds():
    sc = default_scenario().model_dump()
    code = ("import json,sys; from clusterlab import default_scenario; "
            "from clusterlab.experiments import run_key; "
            "print(run_key(default_scenario().model_dump(), 7))")
    keys = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONPATH": SRC, "PYTHONHASHSEED": h}).stdout.strip()
            for h in ("1", "12345")}
    assert keys == {run_key(sc, 7)} and len(run_key(sc, 7)) == 20


def test_key_changes_with_any_value_and_not_with_key_order():
    base = {"a": 1, "b": {"x": 0.1, "y": [1, 2]}, "c": "t", "d": True}
    k = run_key(base, 1)
    assert run_key({"d": True, "c": "t", "b": {"y": [1, 2], "x": 0.1}, "a": 1}, 1) == k
    changed = [{**base, "a": 2}, {**base, "a": 1.0}, {**base, "b": {"x": 0.1 + 1e-17 + 2e-17, "y": [1, 2]}},
               {**base, "b": {"x": 0.1, "y": [2, 1]}}, {**base, "c": "u"}, {**base, "d": False},
               {**base, "e": None}]
    keys = {run_key(c, 1) for c in changed} | {run_key(base, 2)}
    assert k not in keys and len(keys) == len(changed) + 1
    assert canonical({"x": 0.1, "a": [1]}, 3) == '{"scenario":{"a":[1],"x":0.1},"seed":3}'
    sc = default_scenario()
    assert run_key(sc.set(**{"mechanisms.trust.gain": 0.5}).model_dump(), 1) != run_key(sc.model_dump(), 1)


# -- writing and reading ------------------------------------------------------------------------

def test_key_refuses_what_json_cannot_hold_exactly():
    import numpy as np

    assert run_key({"a": np.float64(0.5), "b": (1, 2)}, 3) == run_key({"a": 0.5, "b": [1, 2]}, 3)
    for bad in (float("nan"), float("inf"), np.float32("-inf")):
        with pytest.raises(ValueError, match="non-finite"):
            run_key({"x": {"y": [bad]}}, 1)
    with pytest.raises(TypeError, match="cannot represent a set"):
        run_key({"x": {1, 2}}, 1)


def test_write_read_round_trip(tmp_path):
    st = Store(tmp_path / "exp", name="trial")
    ts = pd.DataFrame({"step": [0, 1, 2], "x": [0.5, 1.5, 2.5]})
    st.write("k1", {"ts": ts, "summary": pd.DataFrame({"y": [3.0]})}, {"arm": "control", "seed": 4})
    st.write("k2", {"ts": ts.assign(x=ts.x * 2)}, {"arm": "policy", "seed": 4})
    assert st.keys() == ["k1", "k2"] and st.has("k1") and not st.has("k3")
    back = st.read("ts", where="run = 'k1'")
    assert list(back.columns) == ["run", "step", "x", "arm", "seed"]
    pd.testing.assert_frame_equal(back[["step", "x"]], ts, check_dtype=False)
    assert st.read("ts", columns=["x"], where="arm = 'policy'")["x"].tolist() == [1.0, 3.0, 5.0]
    assert st.query("SELECT arm, sum(x) AS s FROM ts GROUP BY arm ORDER BY arm")["s"].tolist() == [4.5, 9.0]
    manifest = json.loads((tmp_path / "exp" / "manifest.json").read_text())
    assert manifest["name"] == "trial" and manifest["tables"] == ["summary", "ts"]
    assert manifest["clusterlab"] == clusterlab.__version__
    assert Store(tmp_path / "exp").keys() == ["k1", "k2"]  # reopened
    with pytest.raises(ClusterlabError, match="no table 'nope'"):
        st.read("nope")


def test_failed_runs_are_recorded_not_done_and_a_later_write_makes_them_done(tmp_path):
    st = Store(tmp_path / "exp")
    st.fail("k1", {"arm": "a", "seed": 1}, "ValueError: boom")
    assert not st.has("k1") and st.keys() == []
    f = st.failed()
    assert f.to_dict("records") == [{"run": "k1", "arm": "a", "seed": 1, "error": "ValueError: boom"}]
    st.write("k1", {"ts": pd.DataFrame({"v": [1]})}, {"arm": "a", "seed": 1})
    assert st.has("k1") and st.failed().empty


def test_orphan_parts_and_temp_files_are_not_read_and_clean_removes_only_temp_files(tmp_path):
    st = Store(tmp_path / "exp")
    st.write("k1", {"ts": pd.DataFrame({"v": [1]})}, {})
    parts = tmp_path / "exp" / "parts" / "ts"
    pd.DataFrame({"run": ["k2"], "v": [2]}).to_parquet(parts / "k2.parquet")  # no marker: orphan
    (parts / ".k3.parquet.tmp-999999999-0123abcd").write_bytes(b"half a file")  # dead writer
    (parts / ".k4.parquet.tmp-" f"{os.getpid()}-0123abcd").write_bytes(b"")  # a live writer's
    (parts / "notes.txt").write_text("mine")
    assert st.read("ts")["v"].tolist() == [1]
    assert [p.name for p in st.clean()] == [".k3.parquet.tmp-999999999-0123abcd"]
    assert (parts / "notes.txt").exists() and (parts / f".k4.parquet.tmp-{os.getpid()}-0123abcd").exists()


def test_a_foreign_non_empty_folder_is_refused(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.docx").write_text("x")
    with pytest.raises(ClusterlabError, match=r"not empty and not a clusterlab experiment store") as e:
        Store(tmp_path / "mine")
    assert "\n" not in str(e.value) and os.listdir(tmp_path / "mine") == ["thesis.docx"]
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "manifest.json").write_text('{"files": []}')
    with pytest.raises(ClusterlabError, match="not a clusterlab experiment store manifest"):
        Store(tmp_path / "other")
    (tmp_path / "empty").mkdir()
    Store(tmp_path / "empty")  # an empty folder becomes a store


# -- kill -9 ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kill", ["temp:1", "temp:8", "part:5", "part:6", "done:3", "done:12"])
def test_kill_at_a_checkpoint_loses_at_most_the_run_in_progress(tmp_path, kill):
    n = 20
    r = worker(tmp_path / "exp", n, kill)
    assert r.returncode == -signal.SIGKILL, r.stderr
    done = check_whole(tmp_path / "exp", n)
    point, count = kill.split(":")
    count = int(count)  # two tables a run: 'temp' and 'part' come twice a run, 'done' once
    expect = count if point == "done" else (count - 1) // 2
    assert len(done) == expect  # the runs before the kill, nothing of the run in progress
    r = worker(tmp_path / "exp", n)  # resume
    assert r.returncode == 0, r.stderr
    assert int(r.stdout) == n - len(done)  # writes only the missing runs
    assert len(check_whole(tmp_path / "exp", n)) == n


def test_kill_after_random_delays_then_resume(tmp_path):
    n = 60
    folder = tmp_path / "exp"
    for delay in (0.9, 1.1, 1.3, 1.6):  # the import takes most of a second; then runs are written
        p = worker(folder, n, wait=False)
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        check_whole(folder, n)
    before = len(check_whole(folder, n))
    r = worker(folder, n)
    assert r.returncode == 0 and int(r.stdout) == n - before
    assert len(check_whole(folder, n)) == n
    Store(folder).clean()
    assert not [p for p in folder.rglob(".*tmp-*")]


# -- many parts ---------------------------------------------------------------------------------

def test_duckdb_over_2000_parts_sums_right(tmp_path):
    st = Store(tmp_path / "exp", durable=False)  # fsyncs would take most of the test's time
    n = 2000
    for i in range(n):
        st.write(f"r{i:05d}", {"ts": pd.DataFrame({"step": [0, 1, 2], "v": [i, i, 2 * i]})},
                 {"arm": ["a", "b"][i % 2], "replication": i})
    t = time.perf_counter()
    got = st.query("SELECT arm, count(*) AS rows, sum(v) AS s FROM ts GROUP BY arm ORDER BY arm")
    took = time.perf_counter() - t
    print(f"\nduckdb query over {n} parts: {took:.3f} s")
    evens, odds = range(0, n, 2), range(1, n, 2)
    assert got["rows"].tolist() == [3 * n // 2] * 2
    assert got["s"].tolist() == [4 * sum(evens), 4 * sum(odds)]
    assert len(st.read("ts", where="replication < 10")) == 30


def test_save_json_keeps_a_document_and_refuses_bad_names(tmp_path):
    store = Store(tmp_path / "s")
    assert store.load_json("experiment") is None
    store.save_json("experiment", {"name": "x", "replications": 3})
    assert Store(tmp_path / "s").load_json("experiment") == {"name": "x", "replications": 3}
    for bad in ("manifest", "../x", "a b"):
        with pytest.raises(ValueError):
            store.save_json(bad, {})
    with pytest.raises(ValueError):
        store.save_json("doc", {"v": float("nan")})

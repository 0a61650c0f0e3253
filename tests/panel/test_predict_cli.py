"""`clusterlab predict` as a user runs it, on the files `Panel.write` makes; its outputs are
documented in the README and the ODD."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from clusterlab.cli import app
from clusterlab.panel import make_panel

ROOT = Path(__file__).parents[2]


def cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "clusterlab", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd)


@pytest.fixture(scope="module")
def panel_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("panel")
    make_panel(25, 2, seed=5).write(d)
    return d


@pytest.fixture(scope="module")
def predicted(panel_dir):
    proc = cli("predict", "wave1.csv", "wave2.csv", "--years", 2, "--attributes", "attributes.csv",
               "--undirected", "--replications", 3, "--seed", 1, "--set", "mechanisms.network_evolution.closure_weight=1.5",
               "--out", "pred", cwd=panel_dir)
    assert proc.returncode == 0, proc.stderr
    return panel_dir / "pred", proc


def test_predict_writes_its_outputs_and_prints_the_three_models(predicted):
    out, proc = predicted
    for model in ("simulation", "nothing changes", "random rewiring", "observed"):
        assert model in proc.stdout
    assert "tie AUC" in proc.stdout and "Jaccard" in proc.stdout
    s = json.loads((out / "summary.json").read_text())
    assert s["replications"] == 3 and s["seed"] == 1 and s["years"] == 2 and not s["directed"]
    assert set(s["models"]) == {"simulation", "nothing_changes", "random_rewiring"}
    assert s["wave1"].endswith("wave1.csv")
    assert s["sets"] == {"mechanisms.network_evolution.closure_weight": 1.5}
    assert s["scenario_file"] is None and s["matrices"] == {"geographic": None, "cognitive": None}
    assert len(pd.read_csv(out / "dyads.csv")) > 0


def section(path: Path, heading: str) -> str:
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.startswith("#") and heading in line:
            level = len(line) - len(line.lstrip("#"))
            end = next((j for j in range(i + 1, len(lines)) if lines[j].startswith("#")
                        and len(lines[j]) - len(lines[j].lstrip("#")) <= level), len(lines))
            return "\n".join(lines[i:end])
    raise AssertionError(f"{path.name} has no heading containing {heading!r}")


@pytest.mark.parametrize("document,heading", [(ROOT / "README.md", "### `clusterlab predict"),
                                              (ROOT / "docs" / "odd.md", "Outputs of `predict`")])
def test_every_output_is_documented(predicted, document, heading):
    out, _ = predicted
    text = section(document, heading)
    names = [p.name for p in out.iterdir() if not p.name.startswith(".")]
    for f in ("scores.csv", "dyads.csv"):
        names += list(pd.read_csv(out / f, nrows=0).columns)
    s = json.loads((out / "summary.json").read_text())
    # top-level keys and one level down; the keys of `sets` are the user's scenario keys
    names += list(s) + [k for key, v in s.items() if isinstance(v, dict) and key != "sets" for k in v]
    names += list(pd.read_csv(out / "scores.csv")["measure"].unique())
    missing = sorted({n for n in names if f"`{n}`" not in text})
    assert not missing, f"{document.name} ({heading}) does not name: {missing}"


@pytest.mark.parametrize("args,words", [
    (["--years", "-1"], "--years -1"),
    (["--years", "inf"], "--years inf"),   # was a traceback (OverflowError)
    (["--years", "1e6"], "--years 1e+06: at most 83,333 years"),
    (["--years", "3", "--set", "mechanisms.network_evolution.no_such_key=1"], "unknown key"),
    (["--years", "3", "--replications", "0"], "--replications 0"),
])
def test_bad_options_are_one_line_with_exit_2(panel_dir, args, words, monkeypatch):
    proc = in_process(panel_dir, monkeypatch, "predict", "wave1.csv", "wave2.csv", *args, "--out", "bad")
    assert proc.exit_code == 2 and words in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not (panel_dir / "bad").exists()


def test_a_broken_geographic_matrix_is_refused_even_with_x_y_attributes(panel_dir, monkeypatch):
    """With x/y attributes the model places the actors from them and never reads the
    geographic matrix; predict still reads it, as calibrate does, so a broken file is one
    line now and not a surprise in the next command (a robustness sweep found it accepted)."""
    geo = pd.read_csv(panel_dir / "geo_km.csv", index_col=0)
    geo.iloc[2, 3] = np.nan
    geo.to_csv(panel_dir / "geo_nan.csv")
    geo.drop(index=geo.index[0], columns=geo.columns[0]).fillna(1.0).to_csv(panel_dir / "geo_short.csv")
    for name, words in (("geo_nan.csv", "empty cell, expected a number"),
                        ("geo_short.csv", "actors has no row and column in the geographic matrix: 'A000'")):
        proc = in_process(panel_dir, monkeypatch, "predict", "wave1.csv", "wave2.csv", "--years", 2, "--attributes",
                          "attributes.csv", "--geographic", f"{name}:distance", "--out", "bad")
        assert proc.exit_code == 2 and words in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert not (panel_dir / "bad").exists()
    # a matrix in metres is read as km: one warning line says so, the run goes on
    (pd.read_csv(panel_dir / "geo_km.csv", index_col=0) * 1000).to_csv(panel_dir / "geo_m.csv")
    proc = in_process(panel_dir, monkeypatch, "predict", "wave1.csv", "wave2.csv", "--years", 2, "--attributes",
                      "attributes.csv", "--geographic", "geo_m.csv", "--replications", 2, "--out", "metres")
    assert proc.exit_code == 0, proc.stderr
    assert [line for line in proc.stderr.splitlines() if line.startswith("warning: geo_m.csv: distances up to")]


def test_far_note_flags_distances_beyond_a_cluster():
    from clusterlab.geography import far_note

    km = np.array([[0.0, 12.0], [12.0, 0.0]])
    assert far_note(km, "g.csv") == "" and far_note(km * 1000, "g.csv").startswith("g.csv: distances up to 12,000 km")


def in_process(cwd, monkeypatch, *args):
    """The command in this process (the error paths; the output path runs as a user runs it)."""
    monkeypatch.chdir(cwd)
    return CliRunner().invoke(app, [str(a) for a in args])


def test_bad_waves_are_one_line_with_exit_2(panel_dir, monkeypatch):
    w2 = pd.read_csv(panel_dir / "wave2.csv", index_col=0)
    w2.index = w2.columns = [f"X{i}" for i in range(len(w2))]
    w2.to_csv(panel_dir / "other.csv")
    proc = in_process(panel_dir, monkeypatch, "predict", "wave1.csv", "other.csv", "--years", 3, "--out", "bad")
    assert proc.exit_code == 2 and "no actor id in common" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    # an undirected GraphML against a matrix read as directed (the default for matrices)
    g = nx.Graph()
    w2 = pd.read_csv(panel_dir / "wave2.csv", index_col=0)
    g.add_nodes_from(w2.index)
    g.add_edges_from((a, b) for a in w2.index for b in w2.columns if w2.at[a, b] and a < b)
    nx.write_graphml(g, panel_dir / "wave2.graphml")
    proc = in_process(panel_dir, monkeypatch, "predict", "wave1.csv", "wave2.graphml", "--years", 3, "--out", "bad")
    assert proc.exit_code == 2 and "read both the same way" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_directed_waves_that_look_undirected_get_a_note():
    """Symmetric matrices read as directed count every tie twice (compare's counts were twice
    calibrate's); one symmetric wave beside an asymmetric one suggests files of two kinds."""
    from clusterlab.cli import _direction_note
    from clusterlab.data import ClusterNetwork

    def net(pairs, directed=True):
        e = np.array(pairs, np.int64).reshape(-1, 2)
        return ClusterNetwork(ids=np.array(list("abcd"), object), src=e[:, 0], dst=e[:, 1],
                              weight=np.ones(len(e)), directed=directed, source="w")

    mutual = net([(0, 1), (1, 0), (2, 3), (3, 2)])
    one_way = net([(0, 1), (2, 3), (1, 2)])
    half = net([(0, 1), (1, 0), (2, 3), (1, 2)])  # 2 of 4 returned
    assert "every tie of both waves is mutual" in _direction_note([mutual, mutual])
    assert "every tie of wave 1 is mutual but 0% of wave 2's are returned" in _direction_note([mutual, one_way])
    # a sweep's cases: an edge list with one row per pair (no tie returned), or a symmetric
    # matrix, beside a directed wave with half its ties returned
    assert "every tie of wave 2 is one-way (none returned) but 50% of wave 1's" in _direction_note([half, one_way])
    assert "every tie of wave 2 is mutual but 50% of wave 1's" in _direction_note([half, mutual])
    assert _direction_note([one_way, one_way]) == ""
    assert _direction_note([half, net([(0, 1), (1, 0), (2, 3), (3, 2), (1, 2), (0, 3)])]) == ""  # 0.5 vs 0.67
    assert _direction_note([net([(0, 1)], False), net([(0, 1)], False)]) == ""


def test_waves_of_several_relations_get_a_note_that_they_are_pooled(tmp_path):
    """A DL file with two relations (a sweep's case: advice plus a transposed second relation
    made every wave-1 tie mutual, and only the direction note spoke, blaming a symmetric matrix)."""
    from clusterlab.cli import _relation_notes
    from clusterlab.data import read_network

    two = tmp_path / "two.dl"
    two.write_text("DL N=3 NM=2\nFORMAT = FULLMATRIX\nMATRIX LABELS:\nadvice, friendship\n"
                   "LABELS:\nA B C\nDATA:\n0 1 0\n0 0 2\n0 0 0\n!\n0 0 0\n1 0 0\n0 0 0\n")
    one = tmp_path / "one.dl"
    one.write_text("DL N=3\nFORMAT = FULLMATRIX\nLABELS:\nA B C\nDATA:\n0 1 0\n0 0 1\n0 0 0\n")
    notes = _relation_notes([read_network(two), read_network(one)])
    assert len(notes) == 1 and "wave 1" in notes[0] and "2 relations (advice, friendship), pooled" in notes[0]
    assert _relation_notes([read_network(one), read_network(one)]) == []

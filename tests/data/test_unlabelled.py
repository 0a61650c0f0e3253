"""Matrices without labels (RSiena's and SIENA's .dat files): n rows of n numbers, read with
the actors numbered 1 to n; the files that only look like one are read as before."""

import numpy as np
import pandas as pd
import pytest

from clusterlab.data import DataError, read_network
from clusterlab.panel import predict
from clusterlab.panel.synthetic import make_logit_panel


def ties(net):
    return {(str(net.ids[a]), str(net.ids[b])) for a, b in zip(net.src, net.dst)}


@pytest.mark.parametrize("name, text", [
    ("w.dat", "0 1 0 0\n1 0 1 NA\n0 0 0 0\n0 1 0 0\n"),       # SIENA: spaces
    ("w.txt", "0  1 0 0\n 1 0 1 NA\n0 0 0 0\n0 1 0   0\n"),   # runs of spaces
    ("w.csv", "0,1,0,0\n1,0,1,NA\n0,0,0,0\n0,1,0,0\n"),
    ("w.tsv", "0\t1\t0\t0\n1\t0\t1\tNA\n0\t0\t0\t0\n0\t1\t0\t0\n"),
])
def test_a_square_matrix_of_numbers_is_numbered(tmp_path, name, text):
    (tmp_path / name).write_text(text)
    net = read_network(tmp_path / name)
    assert list(net.ids) == ["1", "2", "3", "4"] and net.notes["labels"] == "numbered 1 to 4: the file has none"
    assert ties(net) == {("1", "2"), ("2", "1"), ("2", "3"), ("4", "2")}
    assert [(str(net.ids[a]), str(net.ids[b])) for a, b in net.missing] == [("2", "4")]


def test_excel_sheet_without_labels(tmp_path):
    path = tmp_path / "w.xlsx"
    pd.DataFrame([[0, 1, 0], [1, 0, 0], [0, 1, 0]]).to_excel(path, header=False, index=False)
    assert ties(read_network(path)) == {("1", "2"), ("2", "1"), ("3", "2")}


@pytest.mark.parametrize("text", [
    ",1,2,3\n1,0,1,0\n2,1,0,0\n3,0,0,0\n",   # labels with the usual blank corner
    ",3,1,2\n1,0,0,1\n2,0,1,0\n3,0,0,0\n",   # ... columns in another order than the rows
    "0,1,2,3\n1,0,1,0\n2,1,0,0\n3,0,0,0\n",  # a numeric corner: the same distinct labels both ways
])
def test_numeric_labels_are_still_labels(tmp_path, text):
    (tmp_path / "w.csv").write_text(text)
    net = read_network(tmp_path / "w.csv")
    assert sorted(net.ids) == ["1", "2", "3"] and "labels" not in net.notes
    assert ties(net) == {("1", "2"), ("2", "1")}


def test_an_edge_list_without_header_is_not_a_matrix(tmp_path):
    (tmp_path / "e.csv").write_text("1,2,1\n2,3,1\n3,1,2\n")  # 3 x 3 numbers, but ids on the diagonal
    with pytest.raises(DataError, match=r"e\.csv: line 3: row label '3' is not a column label"):
        read_network(tmp_path / "e.csv")
    (tmp_path / "e.txt").write_text("a b\nb c\n")  # words split by spaces: not a SIENA matrix
    with pytest.raises(DataError, match=r"e\.txt: line 1"):
        read_network(tmp_path / "e.txt")


def test_two_unlabelled_waves_are_matched_by_position(tmp_path):
    panel = make_logit_panel(20, 2, seed=2)
    paths = panel.write(tmp_path)
    labelled = [pd.read_csv(paths[w], index_col=0) for w in ("wave1", "wave2")]
    w1 = labelled[0]
    w2 = labelled[1].reindex(index=w1.index, columns=w1.index, fill_value=0)  # leavers: all-zero rows
    for name, frame in (("w1.dat", w1), ("w2.dat", w2)):
        (tmp_path / name).write_text("\n".join(" ".join(str(v) for v in row) for row in frame.to_numpy()) + "\n")
    a = predict(read_network(tmp_path / "w1.dat", directed=False), read_network(tmp_path / "w2.dat", directed=False),
                2, replications=2, seed=1)
    assert a.summary()["observed"]["ties"] == int(np.triu(w2.to_numpy()).sum())


def test_a_proximity_matrix_without_labels_is_numbered(tmp_path):
    from clusterlab.data import read_proximity

    (tmp_path / "d.dat").write_text("0 3 5\n3 0 2\n5 2 0\n")  # symmetric: its first row and column agree
    (tmp_path / "l.csv").write_text("0,1,2,3\n1,0,3,5\n2,3,0,2\n3,5,2,0\n")  # numeric corner, labels 1 2 3
    for name in ("d.dat", "l.csv"):
        p = read_proximity(tmp_path / name)
        assert list(p.index) == list(p.columns) == ["1", "2", "3"], name
        assert p.to_numpy().tolist() == [[0, 3, 5], [3, 0, 2], [5, 2, 0]], name


def test_siena_codes_are_warned_of(tmp_path):
    from typer.testing import CliRunner

    from clusterlab.cli import app
    from clusterlab.errors import ClusterlabWarning

    (tmp_path / "s.dat").write_text("0 1 9\n1 0 0\n10 0 0\n")
    with pytest.warns(ClusterlabWarning, match=r"cells 9 \(missing\), 10 \(structural zero\): SIENA's codes"):
        read_network(tmp_path / "s.dat")
    (tmp_path / "w.dat").write_text("0 1 9\n1 0 0\n2 0 0\n")  # a weighted matrix: no warning
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", ClusterlabWarning)
        read_network(tmp_path / "w.dat")
    out = CliRunner().invoke(app, ["analyze", str(tmp_path / "s.dat"), "--out", str(tmp_path / "a")])
    assert out.exit_code == 0 and "warning: " in out.output and "ClusterlabWarning" not in out.output

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
    "1,1,2,3\n1,0,1,0\n2,1,0,0\n3,0,0,0\n",  # a numeric corner off the diagonal's value: only labels fit
])
def test_numeric_labels_are_still_labels(tmp_path, text):
    (tmp_path / "w.csv").write_text(text)
    net = read_network(tmp_path / "w.csv")
    assert sorted(net.ids) == ["1", "2", "3"] and "labels" not in net.notes
    assert ties(net) == {("1", "2"), ("2", "1")}


def test_an_edge_list_without_header_is_not_a_matrix(tmp_path):
    (tmp_path / "e.csv").write_text("1,2,1\n2,3,1\n3,1,2\n")  # 3 x 3 numbers, but ids on the diagonal
    with pytest.raises(DataError, match=r"e\.csv: 3 rows of 3 numbers, .* diagonal is not zero .* an edge list "
                                        r"needs a header"):
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

    (tmp_path / "d.dat").write_text("0 3.5 5\n3.5 0 2\n5 2 0\n")  # symmetric: its first row and column agree
    (tmp_path / "l.csv").write_text(",1,2,3\n1,0,3.5,5\n2,3.5,0,2\n3,5,2,0\n")  # labelled
    for name in ("d.dat", "l.csv"):
        p = read_proximity(tmp_path / name)
        assert list(p.index) == list(p.columns) == ["1", "2", "3"], name
        assert p.to_numpy().tolist() == [[0, 3.5, 5], [3.5, 0, 2], [5, 2, 0]], name
    assert read_proximity(tmp_path / "d.dat").attrs["numbered"] == 3
    (tmp_path / "line.dat").write_text("0 1 2 3\n1 0 1 2\n2 1 0 1\n3 2 1 0\n")  # firms on a line, 1 km apart
    with pytest.raises(DataError, match="cannot tell whether the first row and column are labels or values"):
        read_proximity(tmp_path / "line.dat")


@pytest.mark.parametrize("text", [
    "0 3 2\n3 0 1\n2 1 0\n",                   # symmetric whole weights: 3 actors, or labels 3 and 2?
    "0,1,2,3\n1,0,1,0\n2,1,0,0\n3,0,0,0\n",     # labels 1-3 with a 0 corner, or a weighted first row?
])
def test_a_matrix_both_readings_fit_is_an_error_not_a_guess(tmp_path, text):
    (tmp_path / "w.csv").write_text(text.replace(" ", ","))
    with pytest.raises(DataError, match="both readings fit; leave the first cell blank to mark them as labels"):
        read_network(tmp_path / "w.csv")


def test_self_ties_on_the_diagonal_are_an_error_not_a_smaller_matrix(tmp_path):
    (tmp_path / "w.dat").write_text("1 1 0\n1 1 1\n0 1 1\n")  # was read as a labelled 2 x 2
    with pytest.raises(DataError, match="diagonal is not zero"):
        read_network(tmp_path / "w.dat")


def test_decimal_weights_are_never_labels(tmp_path):
    rng = np.random.default_rng(1)
    W = np.round(rng.random((6, 6)), 3)
    W = np.triu(W, 1) + np.triu(W, 1).T  # symmetric, first row of distinct decimals
    (tmp_path / "w.dat").write_text("\n".join(" ".join(f"{v:g}" for v in row) for row in W) + "\n")
    net = read_network(tmp_path / "w.dat", directed=False)
    assert net.n == 6 and net.m == 15


def test_space_separated_files_say_what_is_wrong(tmp_path):
    cases = {"short.dat": ("0 1 0\n1 0\n0 1 0\n", r"line 2: 2 numbers, expected 3"),
             "text.dat": ("0 1 0\n1 0 x\n0 1 0\n", r"line 2, column 3: 'x' is not a number"),
             "words.dat": ("x A B\nA 0 1\nB 1 0\n", r"line 1: columns separated by spaces are read only in a "
                                                     r"matrix of numbers without labels")}
    for name, (text, message) in cases.items():
        (tmp_path / name).write_text(text)
        with pytest.raises(DataError, match=message):
            read_network(tmp_path / name)


def test_semicolons_with_decimal_commas(tmp_path):
    from clusterlab.data import read_proximity

    (tmp_path / "p.csv").write_text("1;0,5;0,2\n0,5;1;0,3\n0,2;0,3;1\n")  # commas split it as well as semicolons
    assert read_proximity(tmp_path / "p.csv").to_numpy().tolist() == [[1, 0.5, 0.2], [0.5, 1, 0.3], [0.2, 0.3, 1]]


def test_files_without_labels_of_different_sizes_do_not_match(tmp_path):
    from clusterlab.analysis import compare
    from clusterlab.errors import ClusterlabError

    (tmp_path / "w1.dat").write_text("0 1 0\n1 0 1\n0 1 0\n")
    (tmp_path / "w2.dat").write_text("0 1\n1 0\n")  # a leaver dropped: positions no longer name the firms
    a, b = read_network(tmp_path / "w1.dat"), read_network(tmp_path / "w2.dat")
    for run in (lambda: compare(a, b), lambda: predict(a, b, 1, replications=1)):
        with pytest.raises(ClusterlabError, match=r"their sizes differ \(.*w1\.dat 3, .*w2\.dat 2\)"):
            run()


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


def test_attribute_ids_written_another_way_are_named(tmp_path):
    from clusterlab.data import load_network

    (tmp_path / "w.dat").write_text("0 1 0\n1 0 1\n0 1 0\n")
    (tmp_path / "a.csv").write_text("id,size\n1.0,3\n02,4\n3,5\n")
    with pytest.raises(DataError, match=r"2 of them are network ids written another way \('1\.0' for '1', '02' for "
                                        r"'2'\): write the ids as the network file does"):
        load_network(tmp_path / "w.dat", tmp_path / "a.csv")


def test_a_run_refuses_a_proximity_matrix_without_labels_of_another_size(tmp_path):
    from typer.testing import CliRunner

    from clusterlab.cli import app

    (tmp_path / "w.dat").write_text("0 1 0\n1 0 1\n0 1 0\n")
    (tmp_path / "g.dat").write_text("0 2.5 3 4\n2.5 0 5 6\n3 5 0 7\n4 6 7 0\n")
    out = CliRunner().invoke(app, ["run", "--from-network", str(tmp_path / "w.dat"), "--geographic",
                                   f"{tmp_path / 'g.dat'}:distance", "--steps", "1", "--out", str(tmp_path / "r")])
    assert out.exit_code == 2 and "their sizes differ" in out.output and "Traceback" not in out.output

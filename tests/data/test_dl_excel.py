"""UCINET DL files and Excel sheets read like the other formats.

The same 6-actor cluster as tests/data/test_read.py is in tests/fixtures/cluster.dl
(fullmatrix, quoted labels) and cluster_edges.dl (edgelist1, labels one a line and
embedded), checked there with every other format. Here: the DL variants (several
relations, diagonal absent, labels embedded, nodelist1, row/column labels), their errors,
and .xlsx sheets (edge list, matrix, a chosen sheet, attributes, proximity).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clusterlab.data import DataError, load_network, read_attributes, read_network, read_proximity

DATA = Path(__file__).parents[1] / "fixtures"
BAD = DATA / "bad"


def ties(net) -> set:
    return {(net.ids[s], net.ids[d], float(w)) for s, d, w in zip(net.src, net.dst, net.weight)}


def layered(net) -> set:
    return {(net.ids[s], net.ids[d], str(l), float(w)) for s, d, l, w in zip(net.src, net.dst, net.layer, net.weight)}


def write(tmp_path, name, text):
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    return f


# ---------------------------------------------------------------------------------------------
# UCINET DL


def test_dl_several_relations_are_layers_with_their_matrix_labels(tmp_path):
    f = write(tmp_path, "two.dl", "DL N=3 NM=2\nFORMAT = FULLMATRIX\nMATRIX LABELS:\nadvice, friendship\n"
              "LABELS:\nA B C\nDATA:\n0 1 0\n0 0 2\n0 0 0\n!\n0 1 0\n1 0 0\n0 0 0\n")
    net = read_network(f)
    assert layered(net) == {("A", "B", "advice", 1.0), ("B", "C", "advice", 2.0),
                            ("A", "B", "friendship", 1.0), ("B", "A", "friendship", 1.0)}
    assert net.notes["format"] == "dl" and net.notes["dl_format"] == "fullmatrix"
    # without MATRIX LABELS the relations are numbered; the `!` between full matrices is optional
    g = write(tmp_path, "nolab.dl", "dl n=2 nm=2 data: 0 1 0 0 0 0 3 0")
    assert layered(read_network(g)) == {("1", "2", "1", 1.0), ("2", "1", "2", 3.0)}


def test_dl_edge_and_node_lists_with_several_relations(tmp_path):
    f = write(tmp_path, "el.dl", "dl n=3 nm=2\nformat = edgelist1\nmatrix labels: advice friendship\n"
              "labels: a b c\ndata:\n1 2\n2 3 4\n!\n3 1\n")
    assert layered(read_network(f)) == {("a", "b", "advice", 1.0), ("b", "c", "advice", 4.0),
                                        ("c", "a", "friendship", 1.0)}
    g = write(tmp_path, "nl.dl", "DL N=4\nFORMAT = NODELIST1\nLABELS EMBEDDED\nDATA:\nw x y\nz w\n")
    net = read_network(g)
    assert list(net.ids) == ["w", "x", "y", "z"] and net.layer is None
    assert ties(net) == {("w", "x", 1.0), ("w", "y", 1.0), ("z", "w", 1.0)}


def test_dl_full_matrix_with_embedded_labels_and_diagonal_absent(tmp_path):
    # rows in another order than the columns; each row leaves out its own (diagonal) cell
    f = write(tmp_path, "emb.dl", "dl n = 3\nlabels embedded\nformat = fullmatrix diagonal = absent\ndata:\n"
              "Bill Jan Jim\nJim 1 0\nBill 0 2\nJan 0 1\n")
    net = read_network(f)
    assert list(net.ids) == ["Bill", "Jan", "Jim"]
    assert ties(net) == {("Jim", "Bill", 1.0), ("Bill", "Jim", 2.0), ("Jan", "Jim", 1.0)}


def test_dl_row_and_column_labels_and_square_nr_nc(tmp_path):
    f = write(tmp_path, "rc.dl", "dl nr=2 nc=2\nrow labels:\np q\ncolumn labels:\np q\ndata:\n0 1\n0 0\n")
    assert ties(read_network(f)) == {("p", "q", 1.0)}
    g = write(tmp_path, "order.dl", "dl n=2\nrow labels:\np q\ncolumn labels:\nq p\ndata:\n0 1\n0 0\n")
    with pytest.raises(DataError, match=r"order\.dl: line 2: ROW LABELS and COLUMN LABELS list the actors in "
                                        r"different orders"):
        read_network(g)


def test_dl_undirected_symmetric_relation_counts_each_pair_once(tmp_path):
    f = write(tmp_path, "sym.dl", "dl n=3 data: 0 2 0 2 0 1 0 1 0")
    net = read_network(f, directed=False)
    assert ties(net) == {("1", "2", 2.0), ("2", "3", 1.0)} and net.notes["symmetric"] is True
    assert len(ties(read_network(f))) == 4


def test_dl_is_chosen_by_format_whatever_the_extension(tmp_path):
    f = write(tmp_path, "net.txt", "dl n=2 format=el1 data: 1 2 5")
    assert ties(read_network(f, fmt="dl")) == {("1", "2", 5.0)}
    assert ties(read_network(f, fmt="UCINET")) == {("1", "2", 5.0)}


BAD_DL = [
    ("dl_short_matrix.dl", ["line 8", "the data end early", "3 values in row 3 (N=3)"]),
    ("dl_bad_value.dl", ["line 4", "'x' is not a number"]),
    ("dl_actor_outside.dl", ["line 5", "actor 4 is outside 1..3 (N=3)"]),
    ("dl_label_count.dl", ["line 3", "LABELS: lists 3 labels, expected N=4"]),
    ("dl_rectangular.dl", ["line 1", "NR=2 and NC=3", "two-mode"]),
    ("dl_two_mode_format.dl", ["line 2", "FORMAT = edgelist2 is not read", "fullmatrix, edgelist1 or nodelist1"]),
    ("dl_no_data.dl", ["line 4", "no 'DATA:' line"]),
    ("dl_not_dl.dl", ["line 1", "expected the file to start with 'DL'", "'source'"]),
    ("dl_negative.dl", ["line 4", "negative weight -1"]),
    ("dl_missing_relation.dl", ["line 6", "the data hold 1 relation, expected NM=2", "'!'"]),
]


@pytest.mark.parametrize("name,expected", BAD_DL, ids=[b[0] for b in BAD_DL])
def test_bad_dl_files(name, expected):
    path = BAD / name
    with pytest.raises(DataError) as info:
        read_network(path)
    msg = str(info.value)
    assert msg.startswith(f"{path}: ") and "\n" not in msg
    for part in expected:
        assert part in msg, (part, msg)


def test_dl_more_errors(tmp_path):
    cases = [
        ("dl n=2 foo=3 data: 0 1 0 0", r"line 1: unknown statement 'foo'"),
        ("dl n=2 data: 0 1 0 0 7", r"line 1: '7' after the last value; expected 1 matrix of 2 x 2 values"),
        ('dl n=2 labels: "a b data: 0 1 0 0', r"line 1: a quoted label is never closed"),
        ("dl n=2 format=edgelist1 labels embedded data:\na b\nb c\n", r"line 3: 'c' is actor 3, but N=2"),
        ("dl n=3 format=edgelist1 labels embedded data:\na b\n", r"N=3, but the data and labels name 2 actors"),
        ("dl n=2 format=edgelist1 data:\n1 2 3 4\n", r"line 2: 4 items; expected two actors"),
        ("dl n=2 labels: a a data: 0 1 0 0", r"line 1: LABELS: label 'a' appears twice"),
        ("dl data: 0", r"no N= in the header"),
        ("dl n=2 nm=1 matrix labels: x y data: 0 1 0 0", r"MATRIX LABELS: lists 2 names, expected NM=1"),
        ("dl n=2 format=nodelist1 data:\n1\n", r"line 2: one item; expected an actor"),
        ("dl n=2 format=edgelist1 data:\n1 2 1e13\n", r"line 2: weight 1e13 is out of range"),
        ("dl n=2 nm=1 format=edgelist1 data:\n1 2\n!\n2 1\n", r"line 3: a '!' starts relation 2, but NM=1"),
    ]
    for k, (text, pattern) in enumerate(cases):
        f = write(tmp_path, f"e{k}.dl", text)
        with pytest.raises(DataError, match=pattern) as info:
            read_network(f)
        assert str(info.value).startswith(f"{f}: ") and "\n" not in str(info.value)


# ---------------------------------------------------------------------------------------------
# Excel sheets


def xlsx(path, sheets: dict) -> Path:
    with pd.ExcelWriter(path, engine="openpyxl") as w:
        for name, (frame, header, startrow, startcol) in sheets.items():
            frame.to_excel(w, sheet_name=name, header=header, index=False, startrow=startrow, startcol=startcol)
    return path


def test_excel_edge_list_on_the_first_sheet(tmp_path):
    edges = pd.DataFrame({"Source": ["A", "A", "B"], "Target": ["B", "C", "C"], "Weight": [2, 0.5, None]})
    f = xlsx(tmp_path / "survey.xlsx", {"ties": (edges, True, 0, 0),
                                        "other": (pd.DataFrame({"x": [1]}), True, 0, 0)})
    net = read_network(f)
    assert ties(net) == {("A", "B", 2.0), ("A", "C", 0.5), ("B", "C", 1.0)}  # blank weight: 1
    assert net.notes["format"] == "edgelist" and net.notes["sheet"] == "ties"
    assert "delimiter" not in net.notes


def test_excel_matrix_on_a_named_sheet_anywhere_on_it(tmp_path):
    labels = ["101", "102", "103"]  # numeric ids read as in a CSV: 101, not 101.0
    M = pd.DataFrame([[None, 101, 102, 103], [101, 0, 1, 0], [102, 0, 0, 3], [103, 1, 0, 0]])
    f = xlsx(tmp_path / "waves.xlsx", {"wave 1": (pd.DataFrame({"a": [1]}), True, 0, 0),
                                       "wave 2": (M, False, 2, 1)})
    net = read_network(f"{f}#wave 2")
    assert list(net.ids) == labels and net.notes["format"] == "matrix" and net.notes["sheet"] == "wave 2"
    assert ties(net) == {("101", "102", 1.0), ("102", "103", 3.0), ("103", "101", 1.0)}
    assert net.source == f"{f}#wave 2"


def test_excel_title_lines_above_the_table_are_skipped(tmp_path):
    """A survey sheet often has a title (and a note) above its table, in column A while the
    table starts further right: those rows are not the table's header (it was refused)."""
    M = pd.DataFrame([[None, "a", "b", "c"], ["a", 0, 1, 0], ["b", 0, 0, 2], ["c", 1, 0, 0]])
    path = tmp_path / "titled.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as w:
        pd.DataFrame([["Advice network, wave 1"], ["source: survey 2019"]]).to_excel(
            w, sheet_name="w1", header=False, index=False)
        M.to_excel(w, sheet_name="w1", header=False, index=False, startrow=3, startcol=2)
    net = read_network(f"{path}#w1")
    assert list(net.ids) == ["a", "b", "c"] and net.notes["format"] == "matrix"
    assert ties(net) == {("a", "b", 1.0), ("b", "c", 2.0), ("c", "a", 1.0)}
    # a one-column sheet (ids only) loses nothing
    one = xlsx(tmp_path / "ids.xlsx", {"S": (pd.DataFrame({"id": ["a", "b"]}), True, 0, 0)})
    from clusterlab.data.excel import read_sheet_rows

    assert [r for _, r in read_sheet_rows(one)[0]] == [["id"], ["a"], ["b"]]


def test_excel_errors_name_the_file_sheet_and_row(tmp_path):
    M = pd.DataFrame([[None, "A", "B"], ["A", 0, "x"], ["B", 1, 0]])
    f = xlsx(tmp_path / "m.xlsx", {"S1": (M, False, 3, 0)})
    with pytest.raises(DataError, match=r"m\.xlsx: line 5, column 'B': 'x' is not a number"):
        read_network(f)
    with pytest.raises(DataError, match=r"m\.xlsx#S2: no sheet 'S2' in the workbook; its sheets are 'S1'"):
        read_network(f"{f}#S2")
    with pytest.raises(DataError, match=r"nothere\.xlsx: no such file"):
        read_network(tmp_path / "nothere.xlsx")
    text = write(tmp_path, "fake.xlsx", "source,target\nA,B\n")
    with pytest.raises(DataError, match=r"fake\.xlsx: not a readable Excel workbook"):
        read_network(text)


def test_excel_attributes_and_proximity(tmp_path):
    net = read_network(xlsx(tmp_path / "n.xlsx", {"S": (pd.DataFrame({"from": ["A", "B"], "to": ["B", "C"]}),
                                                         True, 0, 0)}))
    att = pd.DataFrame({"firm": ["A", "B", "C"], "Employees": [12, 250, 3], "kind": ["firm", "University", "sme"]})
    f = xlsx(tmp_path / "a.xlsx", {"firms": (att, True, 0, 0)})
    out = read_attributes(f, net).attributes.set_index("id")
    assert out.loc["B", "size"] == 250 and out.loc["B", "kind"] == "university" and out.loc["A", "kind"] == "sme"
    P = pd.DataFrame([[None, "A", "B", "C"], ["A", 1, 0.25, 0], ["B", 0.25, 1, 0.5], ["C", 0, 0.5, 1]])
    prox = read_proximity(xlsx(tmp_path / "p.xlsx", {"cog": (P, False, 0, 0)}))
    assert prox.loc["B", "C"] == 0.5 and list(prox.columns) == ["A", "B", "C"]
    both = load_network(tmp_path / "n.xlsx", f)
    assert both.attributes.set_index("id").loc["C", "size"] == 3


def test_a_workbook_sheet_read_again_is_not_parsed_again(tmp_path, monkeypatch):
    """A calibration starts thousands of simulations from the same matrix: a sheet is parsed
    once (it was parsed every time: 43% of a calibration's time with its matrices on
    sheets), another sheet or changed bytes are read afresh."""
    from clusterlab.data import matrix

    calls = []
    real = matrix._read_proximity
    monkeypatch.setattr(matrix, "_read_proximity", lambda *a: calls.append(a[0]) or real(*a))
    P = pd.DataFrame([[None, "A", "B"], ["A", 1, 0.25], ["B", 0.25, 1]])
    Q = pd.DataFrame([[None, "A", "B"], ["A", 1, 0.75], ["B", 0.75, 1]])
    f = xlsx(tmp_path / "m.xlsx", {"cog": (P, False, 0, 0), "geo": (Q, False, 0, 0)})
    assert read_proximity(f"{f}#cog").loc["A", "B"] == 0.25
    assert read_proximity(f"{f}#cog").loc["A", "B"] == 0.25 and len(calls) == 1
    assert read_proximity(f"{f}#geo").loc["A", "B"] == 0.75 and len(calls) == 2
    xlsx(f, {"cog": (Q, False, 0, 0)})
    assert read_proximity(f"{f}#cog").loc["A", "B"] == 0.75 and len(calls) == 3


def test_excel_without_openpyxl_says_what_to_install(tmp_path, monkeypatch):
    import builtins

    f = xlsx(tmp_path / "n.xlsx", {"S": (pd.DataFrame({"from": ["A"], "to": ["B"]}), True, 0, 0)})
    real = builtins.__import__

    def no_openpyxl(name, *args, **kw):
        if name == "openpyxl":
            raise ImportError("no openpyxl")
        return real(name, *args, **kw)

    monkeypatch.setattr(builtins, "__import__", no_openpyxl)
    with pytest.raises(DataError, match=r"n\.xlsx: reading Excel files needs openpyxl"):
        read_network(f)


def test_excel_numbers_are_written_as_a_csv_would(tmp_path):
    from clusterlab.data.excel import _cell

    assert _cell(3.0) == "3" and _cell(0.5) == "0.5" and _cell(None) == ""
    assert _cell(float("nan")) == "#N/A"  # pandas' reading of an error cell (=NA()): not observed, not blank
    assert _cell(True) == "true" and _cell("  Alpha ") == "Alpha" and _cell(np.int64(7)) == "7"

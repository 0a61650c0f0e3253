"""Absent actors (structural zeros): an actor not yet founded or already closed is left out
of a wave's network, not read as a present isolate."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clusterlab.analysis import compare
from clusterlab.data import DataError, load_network, read_attributes, read_network
from clusterlab.data.load import absent_summary

DATA = Path(__file__).parents[1] / "fixtures"


def ties(net) -> set:
    return {(net.ids[s], net.ids[d], float(w)) for s, d, w in zip(net.src, net.dst, net.weight)}


def write(tmp_path, name, text):
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    return f


def test_zeros_drops_all_zero_rows_and_columns_of_a_matrix(tmp_path):
    # D's row and column are all zero (its diagonal cell too); C only receives a tie: present
    f = write(tmp_path, "w.csv", ",A,B,C,D\nA,0,1,0,0\nB,0,0,2,0\nC,0,0,0,0\nD,0,0,0,0\n")
    assert read_network(f).n == 4  # without the rule: D is an isolate
    net = load_network(f, absent="zeros")
    assert list(net.ids) == ["A", "B", "C"]
    assert ties(net) == {("A", "B", 1.0), ("B", "C", 2.0)}
    assert net.notes["absent_actors"] == ["D"] and "no ties" in net.notes["absent_rules"]["D"]
    assert list(net.attributes["id"]) == ["A", "B", "C"]


def test_zeros_keeps_ties_aligned_when_a_middle_actor_goes(tmp_path):
    f = write(tmp_path, "w.csv", ",A,B,C,D\nA,0,0,0,1\nB,0,0,0,0\nC,3,0,0,0\nD,0,0,1,0\n")
    net = load_network(f, absent="zeros")
    assert list(net.ids) == ["A", "C", "D"]
    assert ties(net) == {("A", "D", 1.0), ("C", "A", 3.0), ("D", "C", 1.0)}


def test_zeros_drops_listed_isolates_of_an_edge_list_and_of_a_dl_file(tmp_path):
    # an edge list names an actor without a tie only in a zero-weight row
    e = write(tmp_path, "e.csv", "source,target,weight\nA,B,1\nC,A,0\n")
    assert list(load_network(e).ids) == ["A", "B", "C"]
    assert list(load_network(e, absent="zeros").ids) == ["A", "B"]
    # the fixture's isolate Zeta & Sons is declared in every format: absent under the rule
    for name in ("cluster.dl", "matrix.csv", "cluster.graphml", "cluster.net"):
        net = load_network(DATA / name, absent="zeros")
        assert net.n == 5 and "Zeta & Sons" not in set(net.ids) and net.m == 7, name
        assert net.notes["absent_actors"] == ["Zeta & Sons"]


def test_a_present_column_drops_the_actors_it_marks_absent(tmp_path):
    f = write(tmp_path, "w.csv", ",A,B,C,D\nA,0,1,0,0\nB,0,0,0,0\nC,0,0,0,0\nD,0,1,0,0\n")
    att = write(tmp_path, "a.csv", "id,size,Present\nA,3,yes\nB,4,TRUE\nC,5,\nD,6,0\n")
    net = load_network(f, att)
    # D is marked absent; C has a blank cell: present (the file lists it); B present
    assert list(net.ids) == ["A", "B", "C"] and ties(net) == {("A", "B", 1.0)}
    assert net.notes["absent_rules"] == {"D": "marked absent in column 'present'"}
    assert list(net.attributes["size"]) == [3, 4, 5]
    both = load_network(f, att, absent="zeros")
    assert list(both.ids) == ["A", "B"] and set(both.notes["absent_actors"]) == {"C", "D"}


@pytest.mark.parametrize("values,absent", [(["1", "0"], ["B"]), (["true", "false"], ["B"]), (["Yes", "no"], ["B"]),
                                           (["0", "0"], ["A", "B"])])
def test_presence_values(tmp_path, values, absent):
    f = write(tmp_path, "w.csv", "source,target\nA,B\nB,C\n")
    att = write(tmp_path, "a.csv", f"id,wave1\nA,{values[0]}\nB,{values[1]}\n")
    net = load_network(f, att, presence="wave1")
    assert net.notes["absent_actors"] == absent
    assert set(net.ids) == {"A", "B", "C"} - set(absent)


def test_presence_errors(tmp_path):
    f = write(tmp_path, "w.csv", "source,target\nA,B\n")
    att = write(tmp_path, "a.csv", "id,present\nA,maybe\n")
    with pytest.raises(DataError, match=r"a\.csv: column 'present', id 'A': 'maybe' is not a presence; expected 1/0"):
        load_network(f, att)
    ok = write(tmp_path, "b.csv", "id,size\nA,3\n")
    with pytest.raises(DataError, match=r"b\.csv: no presence column 'in_wave'; the attributes have 'size'"):
        load_network(f, ok, presence="in_wave")
    with pytest.raises(DataError, match=r"w\.csv: a presence column \('present'\) needs an attributes file"):
        load_network(f, presence="present")
    with pytest.raises(DataError, match=r"w\.csv: absent='all': expected one of zeros"):
        load_network(f, absent="all")
    gone = write(tmp_path, "c.csv", "id,present\nA,0\nB,0\n")
    with pytest.raises(DataError, match=r"w\.csv: every actor is absent"):
        load_network(f, gone)


def test_ignore_unknown_leaves_attribute_ids_out_of_the_network(tmp_path):
    net = read_network(write(tmp_path, "w.csv", "source,target\nA,B\n"))
    att = write(tmp_path, "a.csv", "id,size\nA,3\nB,4\nX,9\n")
    out = read_attributes(att, net, ignore_unknown=True)
    assert list(out.ids) == ["A", "B"] and out.notes["attributes_ignored_ids"] == ["X"]
    assert list(out.attributes["size"]) == [3, 4]
    assert absent_summary(out.notes) == "attributes of 1 actor not in the file ignored (X)"
    with pytest.raises(DataError, match="1 id not in the network"):
        read_attributes(att, net)


def test_absent_summary_lists_at_most_five():
    notes = {"absent_actors": [f"f{i}" for i in range(7)]}
    assert absent_summary(notes) == "7 absent actors removed (f0, f1, f2, f3, f4 and 2 more)"
    assert absent_summary({}) == ""


def test_compare_counts_an_absent_actor_as_an_entry_not_a_stayer(tmp_path):
    # E is founded between the waves: an all-zero row and column in wave 1
    labels = ["A", "B", "C", "E"]
    W1 = np.array([[0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 0], [0, 0, 0, 0]])
    W2 = np.array([[0, 1, 0, 1], [0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0]])
    for name, W in (("w1.csv", W1), ("w2.csv", W2)):
        pd.DataFrame(W, index=labels, columns=labels).to_csv(tmp_path / name)
    naive = compare(load_network(tmp_path / "w1.csv"), load_network(tmp_path / "w2.csv"))
    assert naive.entries == [] and "E" in naive.stayers  # the miscount the rule prevents
    res = compare(load_network(tmp_path / "w1.csv", absent="zeros"), load_network(tmp_path / "w2.csv", absent="zeros"))
    assert res.entries == ["E"] and "E" not in res.stayers
    assert res.tie_counts["created"] == 0 and res.tie_counts["persisted"] == 3

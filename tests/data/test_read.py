"""Reading survey networks: the same cluster in every format, attributes, writers, clear errors.

tests/fixtures/ holds one small cluster (6 actors, 7 weighted directed ties, "Zeta & Sons" an
isolate) as edge lists, matrices, GraphML, GEXF, Pajek and UCINET DL. The edge lists carry Zeta's
self-loop (a firm that named itself), so Zeta appears there too and the loop is dropped.
tests/fixtures/bad/ holds one file per error a user can make.
"""

import math
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clusterlab.data import (
    KNOWN_ATTRIBUTES,
    ClusterNetwork,
    DataError,
    load_network,
    normalise_kind,
    read_attributes,
    read_network,
    write_gexf,
    write_graphml,
    write_network,
)
from clusterlab.data.attributes import KIND_SYNONYMS
from clusterlab.errors import ClusterlabError
from clusterlab.state import KINDS

DATA = Path(__file__).parents[1] / "fixtures"
BAD = DATA / "bad"

IDS = ["Alpha", "Beta", "Gamma", "Müller GmbH", "Epsilon, Ltd", "Zeta & Sons"]
EDGES = {("Alpha", "Beta", 2.0), ("Alpha", "Gamma", 1.0), ("Beta", "Alpha", 1.0), ("Beta", "Gamma", 1.0),
         ("Gamma", "Müller GmbH", 0.5), ("Müller GmbH", "Epsilon, Ltd", 3.0), ("Epsilon, Ltd", "Alpha", 1.5)}
FIXTURES = ["edges.csv", "edges.tsv", "edges_semicolon.csv", "matrix.csv", "matrix_semicolon.csv",
            "matrix.tsv", "matrix_excel.csv", "cluster.graphml", "cluster.gexf", "cluster.net", "cluster.dl",
            "cluster_edges.dl"]


def edge_set(net: ClusterNetwork) -> set:
    return {(net.ids[s], net.ids[d], float(w)) for s, d, w in zip(net.src, net.dst, net.weight)}


# ---------------------------------------------------------------------------------------------
# the same cluster in every format


@pytest.mark.parametrize("name", FIXTURES)
def test_every_format_gives_the_same_network(name):
    net = read_network(DATA / name)
    assert set(net.ids) == set(IDS) and net.n == 6
    assert edge_set(net) == EDGES
    assert net.directed is True
    assert net.layer is None
    assert net.src.dtype == np.int64 and net.weight.dtype == np.float64
    assert list(net.attributes["id"]) == list(net.ids)
    assert net.source == str(DATA / name)


@pytest.mark.parametrize("name", FIXTURES)
def test_every_format_read_undirected_gives_the_same_pairs(name):
    net = read_network(DATA / name, directed=False)
    assert net.directed is False
    assert (net.src < net.dst).all()
    names = {frozenset((net.ids[s], net.ids[d])): float(w) for s, d, w in zip(net.src, net.dst, net.weight)}
    assert net.m == len(names) == 6  # Alpha-Beta asked both ways: one pair
    assert names == {frozenset(("Alpha", "Beta")): 3.0, frozenset(("Alpha", "Gamma")): 1.0,
                     frozenset(("Beta", "Gamma")): 1.0, frozenset(("Gamma", "Müller GmbH")): 0.5,
                     frozenset(("Müller GmbH", "Epsilon, Ltd")): 3.0, frozenset(("Epsilon, Ltd", "Alpha")): 1.5}


def test_actor_order_follows_the_file():
    # matrix: column order even when rows come in another order; edge list: first appearance
    assert list(read_network(DATA / "matrix_semicolon.csv").ids) == IDS
    assert list(read_network(DATA / "edges.csv").ids) == IDS
    assert list(read_network(DATA / "cluster.net").ids) == IDS


def test_notes_record_what_the_reader_did():
    edges = read_network(DATA / "edges.csv").notes
    assert edges["format"] == "edgelist" and edges["delimiter"] == ","
    assert edges["self_loops_dropped"] == 1 and edges["duplicates_merged"] == 1  # Alpha->Beta twice
    semi = read_network(DATA / "matrix_semicolon.csv").notes
    assert semi["format"] == "matrix" and semi["delimiter"] == ";" and semi["encoding"] == "cp1252"
    assert read_network(DATA / "matrix_excel.csv").notes["encoding"] == "utf-8-sig"
    assert read_network(DATA / "edges.tsv").notes["delimiter"] == "\t"


def test_isolate_is_an_actor_of_the_matrix():
    net = read_network(DATA / "matrix.csv")
    zeta = IDS.index("Zeta & Sons")
    assert zeta not in set(net.src) | set(net.dst)
    assert net.to_networkx().degree("Zeta & Sons") == 0


def test_gexf_and_graphml_node_attributes_become_columns():
    for name in ("cluster.graphml", "cluster.gexf"):
        net = read_network(DATA / name)
        kinds = dict(zip(net.attributes["id"], net.attributes["kind"]))
        assert kinds["Alpha"] == "focal" and kinds["Zeta & Sons"] == "agency"
        assert "label" not in net.attributes.columns


# ---------------------------------------------------------------------------------------------
# direction, duplicates, layers and odd encodings (small files written here)


def test_symmetric_matrix_read_undirected_counts_each_pair_once(tmp_path):
    f = tmp_path / "sym.csv"
    f.write_text(",A,B,C\nA,0,2,0\nB,2,0,1\nC,0,1,0\n")
    net = read_network(f, directed=False)
    assert edge_set(net) == {("A", "B", 2.0), ("B", "C", 1.0)}
    directed = read_network(f)
    assert len(edge_set(directed)) == 4


def test_undirected_edge_list_sums_both_directions(tmp_path):
    f = tmp_path / "e.csv"
    f.write_text("i,j,w\nA,B,1\nB,A,2\nA,C,0\nC,B,1\n")
    net = read_network(f, directed=False)
    assert edge_set(net) == {("A", "B", 3.0), ("B", "C", 1.0)}
    assert list(net.ids) == ["A", "B", "C"]  # C appears (weight 0 row): an actor without that tie
    assert net.notes["zero_weights_dropped"] == 1


def test_pajek_edges_are_undirected_and_both_sections_make_it_directed(tmp_path):
    f = tmp_path / "u.net"
    f.write_text('*Vertices 3\n1 "A"\n2 "B"\n3 "C"\n*Edges\n1 2 2\n3 2\n')
    net = read_network(f)
    assert net.directed is False and edge_set(net) == {("A", "B", 2.0), ("B", "C", 1.0)}
    as_directed = read_network(f, directed=True)
    assert edge_set(as_directed) == {("A", "B", 2.0), ("B", "A", 2.0), ("B", "C", 1.0), ("C", "B", 1.0)}
    both = tmp_path / "both.net"
    both.write_text("*Vertices 3\n*Arcs\n1 2 1\n*Edges\n2 3 4\n*Arcslist\n3 1 2\n")
    net = read_network(both)
    assert net.directed is True
    assert list(net.ids) == ["1", "2", "3"]  # vertices without labels are named by number
    # Edges 2-3 both ways; Arcslist 3 -> 1 and 3 -> 2 (summed with the edge's 3 -> 2)
    assert edge_set(net) == {("1", "2", 1.0), ("2", "3", 4.0), ("3", "2", 5.0), ("3", "1", 1.0)}


def test_undirected_graphml_read_as_directed_goes_both_ways(tmp_path):
    f = tmp_path / "u.graphml"
    f.write_text('<?xml version="1.0"?><graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
                 '<key id="w" for="edge" attr.name="weight" attr.type="double"/>'
                 '<graph edgedefault="undirected"><node id="A"/><node id="B"/><node id="C"/>'
                 '<edge source="A" target="B"><data key="w">2.5</data></edge></graph></graphml>')
    assert read_network(f).directed is False
    net = read_network(f, directed=True)
    assert edge_set(net) == {("A", "B", 2.5), ("B", "A", 2.5)} and net.n == 3


def test_layers_are_kept_and_duplicates_summed_per_layer(tmp_path):
    f = tmp_path / "layers.csv"
    f.write_text("source,target,weight,relation\nA,B,1,technical\nA,B,2,market\nA,B,1,technical\nB,C,1,\n")
    net = read_network(f)
    got = {(net.ids[s], net.ids[d], str(l), float(w)) for s, d, l, w in zip(net.src, net.dst, net.layer, net.weight)}
    assert got == {("A", "B", "technical", 2.0), ("A", "B", "market", 2.0), ("B", "C", "", 1.0)}


def test_edge_list_without_weight_column_and_blank_weights_weigh_one(tmp_path):
    f = tmp_path / "plain.txt"
    f.write_text("from\tto\nA\tB\nB\tC\n")
    assert edge_set(read_network(f)) == {("A", "B", 1.0), ("B", "C", 1.0)}


def test_pandas_export_with_index_column_is_an_edge_list(tmp_path):
    f = tmp_path / "pandas.csv"
    f.write_text(",source,target,weight\n0,A,B,1.5\n1,B,A,1\n")
    assert edge_set(read_network(f)) == {("A", "B", 1.5), ("B", "A", 1.0)}


def test_encodings_utf16_and_latin1(tmp_path):
    f = tmp_path / "u16.txt"
    f.write_bytes("source\ttarget\nAß\tB\n".encode("utf-16"))
    assert edge_set(read_network(f)) == {("Aß", "B", 1.0)}
    g = tmp_path / "latin.csv"
    g.write_bytes(b"source;target\nA\x81;B\n")  # 0x81 is undefined in cp1252: latin-1
    net = read_network(g)
    assert list(net.ids) == ["A\x81", "B"] and net.notes["encoding"] == "latin-1"


def test_fmt_overrides_the_extension(tmp_path):
    f = tmp_path / "matrix.dat"
    f.write_text(",A,B\nA,0,1\nB,0,0\n")
    assert edge_set(read_network(f, fmt="matrix")) == {("A", "B", 1.0)}
    p = tmp_path / "net.txt"
    p.write_text('*Vertices 2\n1 "A"\n2 "B"\n*Arcs\n1 2\n')
    assert edge_set(read_network(p, fmt="pajek")) == {("A", "B", 1.0)}


def test_reader_errors_are_clusterlab_errors():
    assert issubclass(DataError, ClusterlabError)


# ---------------------------------------------------------------------------------------------
# attributes


def test_attributes_are_normalised_and_aligned():
    net = read_network(DATA / "edges.csv")
    out = read_attributes(DATA / "attributes.csv", net)
    a = out.attributes
    assert list(a["id"]) == list(out.ids) == list(net.ids)
    assert list(a.columns[:7]) == ["id", "kind", "size", "rd", "ownership", "x", "y"]
    assert "Note" in a.columns  # unknown columns kept as they are
    row = a.set_index("id")
    assert list(row.loc[IDS, "kind"]) == ["focal", "sme", "sme", "university", "institute", "agency"]
    assert row.loc["Alpha", "size"] == 850 and row.loc["Epsilon, Ltd", "x"] == 7.65 and row.loc["Beta", "y"] == 45.2
    assert math.isnan(row.loc["Gamma", "rd"]) and row.loc["Müller GmbH", "rd"] == 0.3
    assert row.loc["Alpha", "Note"] == "family-owned, 3rd generation"
    assert edge_set(out) == edge_set(net) and out is not net
    assert set(a.columns) - {"id", "Note"} <= set(KNOWN_ATTRIBUTES)


def test_actors_without_a_row_get_nan_and_new_ids_need_allow_new(tmp_path):
    net = read_network(DATA / "matrix.csv")
    f = tmp_path / "few.csv"
    f.write_text("name;employees;exports;pipelines\nBeta;12;0,4;3\nNewCo;5;;1\n")
    with pytest.raises(DataError, match=r"1 id not in the network: 'NewCo' \(line 3\)"):
        read_attributes(f, net)
    out = read_attributes(f, net, allow_new=True)
    assert list(out.ids) == IDS + ["NewCo"] and out.n == 7
    row = out.attributes.set_index("id")
    assert row.loc["Beta", "size"] == 12 and row.loc["Beta", "export_share"] == 0.4
    assert row.loc["NewCo", "external_ties"] == 1 and math.isnan(row.loc["NewCo", "export_share"])
    assert math.isnan(row.loc["Alpha", "size"])
    assert edge_set(out) == EDGES  # the new actor is an isolate


def test_attribute_file_values_win_over_those_from_the_network_file(tmp_path):
    net = read_network(DATA / "cluster.graphml")
    f = tmp_path / "k.csv"
    f.write_text("id,kind\nBeta,lead firm\n")
    kinds = read_attributes(f, net).attributes.set_index("id")["kind"]
    assert kinds["Beta"] == "focal" and kinds["Alpha"] == "focal" and kinds["Gamma"] == "sme"


def test_kinds_and_synonyms():
    assert set(KIND_SYNONYMS) == set(KINDS)  # a synonym list for each of the model's kinds
    assert all(normalise_kind(k) == k for k in KINDS)
    assert normalise_kind(" Firm ") == "sme" and normalise_kind("Research Institute") == "institute"
    assert normalise_kind("GOVERNMENT") == "agency" and normalise_kind("cluster-organisation") == "cluster_org"
    assert normalise_kind("universities") == "university" and normalise_kind("bakery") is None


# ---------------------------------------------------------------------------------------------
# the loader: network and attributes together


def test_load_network_reads_a_file_with_its_attributes():
    net = load_network(DATA / "edges.csv", DATA / "attributes.csv")
    assert list(net.ids) == IDS and edge_set(net) == EDGES
    row = net.attributes.set_index("id")
    assert row.loc["Alpha", "kind"] == "focal" and row.loc["Alpha", "size"] == 850
    assert net.notes["format"] == "edgelist" and net.notes["attributes"] == str(DATA / "attributes.csv")
    assert load_network(DATA / "matrix.csv").attributes.columns.tolist() == ["id"]


def test_load_network_passes_direction_format_and_new_actors_on(tmp_path):
    f = tmp_path / "edges.dat"
    f.write_text("source,target\nAlpha,Beta\nBeta,Alpha\n")
    net = load_network(f, BAD / "attr_unknown_ids.csv", directed=False, fmt="edgelist", allow_new=True)
    assert not net.directed and net.m == 1
    assert net.n == 7 and net.notes["attributes_added_actors"] == 5
    with pytest.raises(DataError, match="not in the network"):
        load_network(f, BAD / "attr_unknown_ids.csv", fmt="edgelist")


def test_load_network_reads_an_analyze_output_folder(tmp_path):
    net = load_network(DATA / "matrix.csv", DATA / "attributes.csv")
    out = tmp_path / "analysis"
    out.mkdir()
    write_graphml(net, out / "network.graphml")  # what `clusterlab analyze` writes there
    back = load_network(out)
    assert list(back.ids) == IDS and edge_set(back) == EDGES and back.directed
    assert back.attributes.set_index("id").loc["Beta", "kind"] == "sme"
    assert back.source == str(out / "network.graphml")
    with pytest.raises(DataError, match="no network.graphml"):
        load_network(tmp_path)


# ---------------------------------------------------------------------------------------------
# writers


@pytest.mark.parametrize("writer,ext", [(write_graphml, "graphml"), (write_gexf, "gexf")])
def test_written_files_read_back(tmp_path, writer, ext):
    net = read_attributes(DATA / "attributes.csv", read_network(DATA / "matrix.csv"))
    measures = pd.DataFrame({"id": list(reversed(IDS)), "degree": np.arange(6, dtype=np.int64),
                             "betweenness": [0.5, np.nan, 0.25, 0.0, np.float32(1.5), 2.0],
                             "core": [True, False, True, False, False, True]})
    path = writer(net, tmp_path / f"out.{ext}", node_columns=measures)
    back = read_network(path)
    assert back.directed and list(back.ids) == IDS and edge_set(back) == EDGES
    row = back.attributes.set_index("id")
    assert row.loc["Zeta & Sons", "degree"] == 0 and row.loc["Alpha", "degree"] == 5  # aligned by id
    assert math.isnan(row.loc["Epsilon, Ltd", "betweenness"]) and row.loc["Zeta & Sons", "betweenness"] == 0.5
    assert row.loc["Beta", "kind"] == "sme" and row.loc["Alpha", "size"] == 850 and row.loc["Alpha", "x"] == 7.6
    assert math.isnan(float(row.loc["Gamma", "rd"]))  # NaN left out, read back missing
    assert row.loc["Alpha", "Note"] == "family-owned, 3rd generation"
    if ext == "gexf":
        assert ET.parse(path).getroot().tag == "{http://www.gexf.net/1.2draft}gexf"


def test_undirected_layered_network_round_trips(tmp_path):
    net = ClusterNetwork(ids=["a", "b", "c"], src=[0, 0, 1], dst=[1, 1, 2], weight=[1.0, 2.0, 0.5],
                         layer=np.array(["technical", "market", "technical"], dtype=object), directed=False)
    for ext in ("graphml", "gexf"):
        back = read_network(write_network(net, tmp_path / f"l.{ext}"))
        assert back.directed is False
        got = {(back.ids[s], back.ids[d], str(l), float(w))
               for s, d, l, w in zip(back.src, back.dst, back.layer, back.weight)}
        assert got == {("a", "b", "technical", 1.0), ("a", "b", "market", 2.0), ("b", "c", "technical", 0.5)}


def test_write_errors_are_data_errors(tmp_path):
    net = read_network(DATA / "matrix.csv")
    with pytest.raises(DataError, match=r"out\.csv.*expected \.graphml or \.gexf"):
        write_network(net, tmp_path / "out.csv")
    with pytest.raises(DataError, match=r"nowhere.*cannot write"):
        write_graphml(net, tmp_path / "nowhere" / "out.graphml")


# ---------------------------------------------------------------------------------------------
# bad files: one line, the file first, the line and what is wrong

BAD_NETWORKS = [
    ("does_not_exist.csv", ["no such file"]),
    ("empty.csv", ["file is empty"]),
    ("header_only.csv", ["only a header", "line 1", "no data rows"]),
    ("network.xlsx", ["not a readable Excel workbook", "not a zip file"]),
    ("network.ods", ["unknown format", "'.ods'", ".graphml", ".dl (UCINET)", "save the sheet as .xlsx or CSV"]),
    ("ragged_matrix.csv", ["line 4: 5 cells, expected 7"]),
    ("nonsquare_matrix.csv", ["not square", "5 rows but 6 columns"]),
    ("label_mismatch_matrix.csv", ["line 5", "row label 'X'", "first mismatch", "'D'"]),
    ("nonnumeric_matrix.csv", ["line 3, column 'A': 'x' is not a number"]),
    ("negative_matrix.tsv", ["line 3, column 'C'", "negative weight -0,5"]),
    ("negative_weight.csv", ["line 4, column 'weight'", "negative weight -2"]),
    ("nonnumeric_weight.csv", ["line 3, column 'strength': 'often' is not a number"]),
    ("no_header.csv", ["line 1", "no source and no target column", "source, from, ego", "target, to, alter"]),
    ("missing_id.csv", ["line 3: missing target id", "'alter'"]),
    ("unclosed_quote.csv", ["line 3", "quoted field is never closed"]),
    ("malformed.graphml", ["line 7", "malformed GraphML", "mismatched tag"]),
    ("malformed.gexf", ["line 6", "malformed GEXF", "not well-formed"]),
    ("bad_vertices.net", ["line 1", "*Vertices needs a vertex count", "'six'"]),
    ("undeclared_vertex.net", ["line 11", "vertex 9 is not declared (*Vertices 6)"]),
]


@pytest.mark.parametrize("name,expected", BAD_NETWORKS, ids=[b[0] for b in BAD_NETWORKS])
def test_bad_network_files(name, expected):
    path = BAD / name
    with pytest.raises(DataError) as info:
        read_network(path)
    msg = str(info.value)
    assert msg.startswith(f"{path}: ") and "\n" not in msg
    for part in expected:
        assert part in msg, (part, msg)


BAD_ATTRIBUTES = [
    ("attr_duplicate_ids.csv", ["lines 3 and 6", "id 'Beta' appears twice"]),
    ("attr_unknown_ids.csv", ["5 ids not in the network", "'Omega' (line 3)", "'Sigma' (line 5)", "and 2 more"]),
    ("attr_no_id.csv", ["line 1", "no id column", "id, firm, name, node, label", "'company'"]),
    ("attr_bad_kind.csv", ["line 3, column 'kind'", "unknown kind 'bakery'", "focal, sme, university"]),
    ("attr_nonnumeric.csv", ["line 3, column 'employees': 'many' is not a number"]),
]


@pytest.mark.parametrize("name,expected", BAD_ATTRIBUTES, ids=[b[0] for b in BAD_ATTRIBUTES])
def test_bad_attribute_files(name, expected):
    net = read_network(DATA / "matrix.csv")
    path = BAD / name
    with pytest.raises(DataError) as info:
        read_attributes(path, net)
    msg = str(info.value)
    assert msg.startswith(f"{path}: ") and "\n" not in msg
    for part in expected:
        assert part in msg, (part, msg)


def test_other_user_errors(tmp_path):
    with pytest.raises(DataError, match="is a folder"):
        read_network(BAD)
    with pytest.raises(DataError, match=r"unknown format 'xls'; expected one of edgelist, matrix"):
        read_network(DATA / "matrix.csv", fmt="xls")
    with pytest.raises(DataError, match=r"line 1: no source and no target column"):
        read_network(DATA / "matrix.csv", fmt="edgelist")
    dup = tmp_path / "dup.csv"
    dup.write_text(",A,B,A\nA,0,1,0\nB,0,0,0\nA,0,0,0\n")
    with pytest.raises(DataError, match=r"dup\.csv: line 1: column label 'A' appears twice"):
        read_network(dup)
    empty_xml = tmp_path / "e.graphml"
    empty_xml.write_text("  \n")
    with pytest.raises(DataError, match=r"e\.graphml: file is empty"):
        read_network(empty_xml)
    not_graphml = tmp_path / "n.graphml"
    not_graphml.write_text('<?xml version="1.0"?><foo/>')
    with pytest.raises(DataError, match=r"n\.graphml: malformed GraphML"):
        read_network(not_graphml)
    bad_weight = tmp_path / "w.graphml"
    bad_weight.write_text('<?xml version="1.0"?><graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
                          '<key id="w" for="edge" attr.name="weight" attr.type="string"/>'
                          '<graph edgedefault="directed"><node id="A"/><node id="B"/>'
                          '<edge source="A" target="B"><data key="w">lots</data></edge></graph></graphml>')
    with pytest.raises(DataError, match=r"w\.graphml: edge 'A' -> 'B': weight 'lots' is not a number"):
        read_network(bad_weight)


def test_delimiter_is_the_one_that_splits_rows_consistently(tmp_path):
    # the header has more commas than semicolons, but only semicolons split every row alike
    f = tmp_path / "firms.csv"
    f.write_text(';"Smith, Jones, Brown";"Lee, Park, Kim"\n"Smith, Jones, Brown";0;0,5\n"Lee, Park, Kim";1;0\n')
    net = read_network(f)
    assert net.notes["delimiter"] == ";"
    assert edge_set(net) == {("Smith, Jones, Brown", "Lee, Park, Kim", 0.5),
                             ("Lee, Park, Kim", "Smith, Jones, Brown", 1.0)}

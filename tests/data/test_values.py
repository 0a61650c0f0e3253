"""Attribute values in range, lat/lon projected to km, and one rule on undeclared nodes in
every format that declares nodes; sizes declared in a file capped before anything is
allocated."""

import math

import pytest

from clusterlab.data import DataError, read_attributes, read_network
from clusterlab.data import matrix as matrix_module
from clusterlab.data.network import MAX_ACTORS
from clusterlab.data.values import EARTH_KM, RANGES

# the other column of a position pair (x/y, lat/lon must come together)
PARTNER = {"x": "y", "y": "x", "lat": "lon", "lon": "lat"}


def two_firms(tmp_path):
    f = tmp_path / "e.csv"
    f.write_text("source,target\nA,B\n")
    return read_network(f)


def attribute_file(tmp_path, key, value_a, value_b):
    """An attributes file with column `key` (and its position partner at 0)."""
    cols = [key] + ([PARTNER[key]] if key in PARTNER else [])

    def row(name, value):
        partner = ("," + ("0" if value != "" else "")) if key in PARTNER else ""
        return f"{name},{value}{partner}"

    rows = [row("A", value_a), row("B", value_b)]
    f = tmp_path / "attr.csv"
    f.write_text("id," + ",".join(cols) + "\n" + "\n".join(rows) + "\n")
    return f


def bad_values(rule):
    width = max(1.0, rule.hi - rule.lo)
    out = [rule.lo - width, rule.hi + width, 1e300, -1e300]
    if rule.integer:
        out.append(rule.lo + 0.5)
    return out


@pytest.mark.parametrize("key", sorted(RANGES))
def test_every_numeric_attribute_is_range_checked(tmp_path, key):
    rule = RANGES[key]
    net = two_firms(tmp_path)
    for bad in bad_values(rule):
        f = attribute_file(tmp_path, key, rule.lo, repr(bad))
        with pytest.raises(DataError) as err:
            read_attributes(f, net)
        msg = str(err.value)
        assert msg.startswith(f"{f}: line 3, column {key!r}: ") and rule.expected in msg, msg
    for good in (rule.lo, rule.hi):  # the bounds are valid (one row each: positions are close)
        f = attribute_file(tmp_path, key, good, "")
        got = read_attributes(f, net).attributes.set_index("id")
        assert got.loc["A", key] == good


@pytest.mark.parametrize("key", sorted(RANGES))
def test_graphml_node_attributes_are_range_checked_too(tmp_path, key):
    rule = RANGES[key]
    extra = '<data key="p">0</data>' if key in PARTNER else ""
    keys = f'<key id="v" for="node" attr.name="{key}" attr.type="double"/>'
    if key in PARTNER:
        keys += f'<key id="p" for="node" attr.name="{PARTNER[key]}" attr.type="double"/>'
    f = tmp_path / "n.graphml"
    f.write_text('<?xml version="1.0"?><graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
                 f'{keys}<graph edgedefault="directed">'
                 f'<node id="A"><data key="v">{rule.lo}</data>{extra}</node>'
                 f'<node id="B"><data key="v">{rule.hi + max(1.0, rule.hi - rule.lo)}</data>{extra}</node>'
                 '<edge source="A" target="B"/></graph></graphml>')
    with pytest.raises(DataError) as err:
        read_network(f)
    msg = str(err.value)
    assert msg.startswith(f"{f}: node 'B': attribute {key!r}: ") and rule.expected in msg, msg


def test_kinds_are_checked_in_node_attributes(tmp_path):
    f = tmp_path / "k.gexf"
    f.write_text('<?xml version="1.0"?><gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">'
                 '<graph defaultedgetype="directed"><attributes class="node">'
                 '<attribute id="0" title="kind" type="string"/></attributes><nodes>'
                 '<node id="A"><attvalues><attvalue for="0" value="Lead firm"/></attvalues></node>'
                 '<node id="B"><attvalues><attvalue for="0" value="bakery"/></attvalues></node></nodes>'
                 '<edges><edge id="0" source="A" target="B"/></edges></graph></gexf>')
    with pytest.raises(DataError, match=r"k\.gexf: node 'B': attribute 'kind': unknown kind 'bakery'"):
        read_network(f)
    f.write_text(f.read_text().replace("bakery", "university"))
    kinds = read_network(f).attributes.set_index("id")["kind"]
    assert kinds["A"] == "focal" and kinds["B"] == "university"


# ---------------------------------------------------------------------------------------------
# positions


def lat_lon_file(tmp_path, rows, header="id,lat,lon"):
    f = tmp_path / "geo.csv"
    f.write_text(header + "\n" + "\n".join(rows) + "\n")
    return f


@pytest.mark.parametrize("lat0", [0.0, 45.0, 60.0])
def test_lat_lon_become_km(tmp_path, lat0):
    net = two_firms(tmp_path)
    dlat = 30 / (EARTH_KM * math.pi / 180)  # 30 km north
    f = lat_lon_file(tmp_path, [f"A,{lat0},10", f"B,{lat0 + dlat},10"])
    a = read_attributes(f, net).attributes.set_index("id")
    assert math.hypot(a.loc["A", "x"] - a.loc["B", "x"], a.loc["A", "y"] - a.loc["B", "y"]) == pytest.approx(30, rel=1e-9)
    dlon = 30 / (EARTH_KM * math.pi / 180 * math.cos(math.radians(lat0)))  # 30 km east
    f = lat_lon_file(tmp_path, [f"A,{lat0},10", f"B,{lat0},{10 + dlon}"], header="firm,Latitude,Longitude")
    out = read_attributes(f, net)
    a = out.attributes.set_index("id")
    assert math.hypot(a.loc["A", "x"] - a.loc["B", "x"], a.loc["A", "y"] - a.loc["B", "y"]) == pytest.approx(30, rel=1e-9)
    assert a.loc["A", "lat"] == lat0 and "projected" in out.notes["positions"]


def test_x_y_win_over_lat_lon_and_pairs_must_be_complete(tmp_path):
    net = two_firms(tmp_path)
    f = lat_lon_file(tmp_path, ["A,45,7,1,2", "B,45.3,7,3,4"], header="id,lat,lon,x,y")
    out = read_attributes(f, net)
    a = out.attributes.set_index("id")
    assert a.loc["B", "x"] == 3 and a.loc["B", "y"] == 4 and "positions" not in out.notes
    for header, rows, words in (("id,x,y", ["A,1,2", "B,3,"], "line 3: 'x' is given but 'y' is not"),
                                ("id,x", ["A,1", "B,3"], "line 2: 'x' is given but 'y' is not"),
                                ("id,Lat,Lon", ["A,,7", "B,45,7"], "line 2: 'Lon' is given but 'Lat' is not")):
        with pytest.raises(DataError, match=words):
            read_attributes(lat_lon_file(tmp_path, rows, header), net)


def test_positions_spread_over_more_than_a_continent_are_refused(tmp_path):
    net = two_firms(tmp_path)
    with pytest.raises(DataError, match=r"geo\.csv: 'lon' spreads 19,93\d km \(line 2 to line 3\)"):
        read_attributes(lat_lon_file(tmp_path, ["A,0,-90", "B,0,89.3"]), net)
    with pytest.raises(DataError, match=r"'lon' spreads 358 degrees \(line 3 to line 2\).*180th meridian"):
        read_attributes(lat_lon_file(tmp_path, ["A,89.9,179", "B,89.9,-179"]), net)
    with pytest.raises(DataError, match=r"'y' spreads 12,000 km \(line 3 to line 2\)"):
        read_attributes(lat_lon_file(tmp_path, ["A,0,6000", "B,0,-6000"], header="id,x,y"), net)


# ---------------------------------------------------------------------------------------------
# nodes must be declared: GraphML, GEXF and Pajek alike


def graphml(nodes, edges):
    body = "".join(f'<node id="{n}"/>' for n in nodes) + "".join(edges)
    return ('<?xml version="1.0"?>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n'
            f'<graph edgedefault="directed">\n{body}\n</graph></graphml>')


def gexf(nodes, edges):
    body = "<nodes>" + "".join(f'<node id="{n}" label="{n}"/>' for n in nodes) + "</nodes><edges>" + "".join(edges) + "</edges>"
    return ('<?xml version="1.0"?>\n<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">\n'
            f'<graph defaultedgetype="directed">\n{body}\n</graph></gexf>')


XML_CASES = [
    (["A", "B"], ['<edge target="B"/>'], "line 4: <edge> without a source"),
    (["A", "B"], ['<edge source="A"/>'], "line 4: <edge> without a target"),
    (["A", "B"], ['<edge source="A" target=""/>'], "line 4: <edge> without a target"),
    (["A", "B"], ['<edge source="A" target="C"/>'], "line 4: edge target 'C' is not a declared node"),
    (["A", "B"], ['<edge source="Z" target="B"/>'], "line 4: edge source 'Z' is not a declared node"),
    (["A", "A"], ['<edge source="A" target="A"/>'], "line 4: node id 'A' is declared twice (also line 4)"),
    (["A", ""], [], "line 4: <node> without an id"),
    (["A", "  "], [], "line 4: <node> without an id"),
    (["A", "B"], ['<edge source=" " target="B"/>'], "line 4: <edge> without a source"),
]


@pytest.mark.parametrize("nodes,edges,words", XML_CASES)
@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_xml_edges_name_declared_nodes(tmp_path, fmt, nodes, edges, words):
    f = tmp_path / f"n.{fmt}"
    f.write_text((graphml if fmt == "graphml" else gexf)(nodes, edges))
    with pytest.raises(DataError) as err:
        read_network(f)
    assert str(err.value).startswith(f"{f}: {words}"), str(err.value)


def test_pajek_refuses_undeclared_vertices_alike(tmp_path):
    f = tmp_path / "p.net"
    f.write_text('*Vertices 2\n1 "A"\n2 "B"\n*Arcs\n1 3\n')
    with pytest.raises(DataError, match=r"p\.net: line 5: vertex 3 is not declared"):
        read_network(f)


@pytest.mark.parametrize("fmt", ["csv", "graphml", "gexf", "net"])
def test_self_loops_dropped_duplicates_merged_in_every_format(tmp_path, fmt):
    f = tmp_path / f"n.{fmt}"
    if fmt == "csv":
        f.write_text("source,target,weight\nA,A,1\nA,B,1\nA,B,2\n")
    elif fmt == "graphml":
        f.write_text(graphml(["A", "B"], ['<edge source="A" target="A"/>', '<edge source="A" target="B"/>',
                                          '<edge source="A" target="B"/>']).replace(
            "<graph ", '<key id="w" for="edge" attr.name="weight" attr.type="double"/><graph '))
    elif fmt == "gexf":
        f.write_text(gexf(["A", "B"], ['<edge id="0" source="A" target="A"/>',
                                       '<edge id="1" source="A" target="B" weight="1"/>']))
    else:
        f.write_text('*Vertices 2\n1 "A"\n2 "B"\n*Arcs\n1 1\n1 2 1\n1 2 2\n')
    net = read_network(f)
    assert list(net.ids) == ["A", "B"] and net.m == 1 and net.notes["self_loops_dropped"] == 1


@pytest.mark.parametrize("weight", ["-1", "nan", "inf", "-inf", "1e308", "2e12"])
@pytest.mark.parametrize("fmt", ["csv", "graphml", "gexf", "net"])
def test_weights_must_be_finite_and_not_negative_in_every_format(tmp_path, fmt, weight):
    f = tmp_path / f"w.{fmt}"
    if fmt == "csv":
        f.write_text(f"source,target,weight\nA,B,{weight}\n")
    elif fmt == "graphml":
        f.write_text(graphml(["A", "B"], [f'<edge source="A" target="B"><data key="w">{weight}</data></edge>'])
                     .replace("<graph ", '<key id="w" for="edge" attr.name="weight" attr.type="double"/><graph '))
    elif fmt == "gexf":
        f.write_text(gexf(["A", "B"], [f'<edge id="0" source="A" target="B" weight="{weight}"/>']))
    else:
        f.write_text(f'*Vertices 2\n1 "A"\n2 "B"\n*Arcs\n1 2 {weight}\n')
    with pytest.raises(DataError) as err:
        read_network(f)
    assert str(err.value).startswith(str(f)) and "weight" in str(err.value)


# ---------------------------------------------------------------------------------------------
# sizes a file declares


def test_pajek_vertex_count_is_capped_before_allocating(tmp_path):
    f = tmp_path / "big.net"
    f.write_text('*Vertices 999999999999\n1 "A"\n2 "B"\n*Arcs\n1 2\n')
    with pytest.raises(DataError, match=rf"big\.net: line 1: \*Vertices 999999999999: more than {MAX_ACTORS:,}"):
        read_network(f)
    f.write_text(f'*Vertices {MAX_ACTORS}\n1 "A"\n2 "B"\n*Arcs\n1 2\n')
    with pytest.raises(DataError, match="lists 2 vertices and vertex 3 is neither listed nor in a tie"):
        read_network(f)


def test_pajek_vertices_in_ties_or_without_any_list_are_kept(tmp_path):
    f = tmp_path / "ok.net"
    f.write_text('*Vertices 4\n1 "A"\n2 "B"\n*Arcs\n1 2\n2 3\n4 1\n')
    assert list(read_network(f).ids) == ["A", "B", "3", "4"]
    f.write_text("*Vertices 4\n*Edges\n1 2\n")  # as igraph writes it: unlisted vertices are isolates
    assert read_network(f).n == 4


def test_matrix_size_is_capped(tmp_path, monkeypatch):
    monkeypatch.setattr(matrix_module, "MAX_MATRIX", 3)
    f = tmp_path / "m.csv"
    f.write_text(",a,b,c,d\n" + "".join(f"{r},0,1,0,0\n" for r in "abcd"))
    with pytest.raises(DataError, match=r"m\.csv: line 1: 4 column labels; a matrix may have at most 3"):
        read_network(f)
    f.write_text(",a,b,c\n" + "".join(f"{r},0,1,0\n" for r in "abc"))
    assert read_network(f).n == 3


def test_proximity_cells_in_range_and_file_named(tmp_path):
    f = tmp_path / "cog.csv"
    f.write_text(",a,b\na,1,1.5\nb,0.5,1\n")
    with pytest.raises(DataError, match=r"cog\.csv: line 2, column 'b': 1\.5 is out of range; expected a number from 0 to 1"):
        matrix_module.read_proximity(f, 0.0, 1.0)
    P = matrix_module.read_proximity(f)
    assert P.loc["a", "b"] == 1.5 and P.attrs["source"] == str(f)
    f.write_text(",a,b\na,1,1e300\nb,0.5,1\n")
    with pytest.raises(DataError, match="out of range"):
        matrix_module.read_proximity(f)


def test_weights_up_to_the_limit_sum_to_finite_ties(tmp_path):
    f = tmp_path / "w.csv"
    f.write_text("source,target,weight\nA,B,1e12\nA,B,1e12\nB,A,1e12\n")
    net = read_network(f, directed=False)
    assert net.m == 1 and net.weight[0] == 3e12

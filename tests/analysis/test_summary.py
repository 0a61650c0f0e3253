"""`analyze`: --group matches every column alike; the summary's counts and lock-in flag agree
with each other and the report explains them; positions in the report come in km."""

import math

import numpy as np
import pandas as pd
import pytest

from clusterlab.analysis import analyze
from clusterlab.analysis.analyze import group_column
from clusterlab.analysis.report import _layout, write_report
from clusterlab.data import ClusterNetwork, read_attributes, read_network
from clusterlab.errors import ClusterlabError
from clusterlab.measures import lock_in_indicators
from clusterlab.measures.lockin import LOCK_IN_RULE


def cluster(tmp_path, header="id,Kind,Employees,Region,Stage", rows=None):
    e = tmp_path / "e.csv"
    e.write_text("source,target,weight\nA,B,1\nB,C,1\nC,A,1\nA,A,1\nA,B,2\nC,D,1\n")
    a = tmp_path / "a.csv"
    rows = rows or ["A,firm,10,north,0", "B,focal firm,400,north,1", "C,university,50,south,", "D,firm,5,south,2"]
    a.write_text(header + "\n" + "\n".join(rows) + "\n")
    return read_attributes(a, read_network(e))


@pytest.mark.parametrize("typed,column", [
    ("kind", "kind"), ("Kind", "kind"), (" KIND ", "kind"), ("Employees", "size"), ("size", "size"),
    ("Region", "Region"), ("region", "Region"), ("REGION", "Region"), ("stage", "stage"), ("Stage", "stage"),
])
def test_group_matches_builtin_and_extra_columns_alike(tmp_path, typed, column):
    net = cluster(tmp_path)
    assert group_column(net, typed) == column
    _, summary = analyze(net, group=typed)
    assert summary["brokerage"]["group"] == column


def test_group_errors_name_the_option_and_the_columns(tmp_path):
    net = cluster(tmp_path)
    with pytest.raises(ClusterlabError, match=r"e\.csv: --group 'colour' is not an attribute column \(columns: 'kind'"):
        group_column(net, "colour")
    twice = cluster(tmp_path, "id,Region,region_", ["A,n,1", "B,n,2", "C,s,3", "D,s,4"])
    with pytest.raises(ClusterlabError, match="--group 'REGION' matches several columns"):
        group_column(twice, "REGION")
    assert group_column(twice, "Region") == "Region"  # as written: no ambiguity


def test_summary_counts_agree_with_the_reader(tmp_path):
    net = cluster(tmp_path)
    _, s = analyze(net)
    assert s["reader"]["self_loops_dropped"] == 1 and s["self_loops_dropped"] == 1
    assert s["reader"]["duplicates_merged"] == 1 and s["parallel_ties_merged"] == 1
    # a network built in Python keeps its loops until the measures drop them: counted once too
    raw = ClusterNetwork(ids=["a", "b"], src=[0, 0, 1], dst=[0, 1, 0], weight=[1, 1, 1])
    _, s = analyze(raw)
    assert s["self_loops_dropped"] == 1 and s["n_ties"] == 2 and s["edges"] == 3


def test_lock_in_score_and_risk_never_contradict_each_other():
    tri = ClusterNetwork(ids=["a", "b", "c"], src=[0, 1, 2], dst=[1, 2, 0], weight=[1, 1, 1], directed=False)
    one = lock_in_indicators(tri)  # closure only
    assert one["risk_closure"] is True and one["indicators_available"] == 1
    assert one["lock_in_score"] is None and one["lock_in_risk"] is None and one["rule"] == LOCK_IN_RULE
    P = np.full((3, 3), 0.9)
    for ext in ([0, 0, 0], [1, 1, 1], [0, 0, 1]):
        for prox in (None, P, P * 0.1):
            tri.attributes = pd.DataFrame({"id": tri.ids, "external_ties": ext})
            li = lock_in_indicators(tri, prox)
            flags = [li[k] for k in ("risk_closure", "risk_homogeneity", "risk_openness") if li[k] is not None]
            assert li["indicators_available"] == len(flags) >= 2
            assert li["lock_in_score"] == pytest.approx(sum(flags) / len(flags))
            assert li["lock_in_risk"] == (li["lock_in_score"] > 0.5) == (sum(flags) >= 2)


def test_report_explains_the_counts_and_the_lock_in_rule(tmp_path):
    net = cluster(tmp_path)
    firms, s = analyze(net)
    html = write_report(tmp_path / "r.html", net, firms, s).read_text()
    assert "Lock-in: not assessed (1 of 3 indicators available)" in html
    assert "lock_in_risk = score above 0.5" in html and "self_loops_dropped and parallel_ties_merged" in html


def test_report_picture_places_lat_lon_in_km(tmp_path):
    e = tmp_path / "e.csv"
    e.write_text("source,target\nA,B\n")
    a = tmp_path / "a.csv"
    dlat = 30 / (6371.0088 * math.pi / 180)
    a.write_text(f"id,lat,lon\nA,50,8\nB,{50 + dlat},8\n")
    net = read_attributes(a, read_network(e))
    pos, how = _layout(net, np.ones(2, bool), np.array([0]), np.array([1]))
    assert how.startswith("x, y") and math.dist(pos[0], pos[1]) == pytest.approx(30)

"""Tests of clusterlab.analysis.report: self-contained offline HTML reports of a network and of a
comparison of two waves."""

import base64
import re
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from clusterlab.analysis.compare import compare
from clusterlab.analysis.report import (
    flatten,
    network_figure,
    write_compare_report,
    write_report,
)
from clusterlab.data import ClusterNetwork
from clusterlab.errors import ClusterlabError
from clusterlab.outdir import write_text

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EVIL = "<script>alert('x')</script>"
RESOURCE = re.compile(r"(?:src|href)\s*=\s*[\"']?\s*(?!data:)[a-z]+:|url\(|@import|<link|<script|https?://", re.I)


def make_net(n=40, directed=True, xy=False, seed=0, kind=True):
    rng = np.random.default_rng(seed)
    ids = np.array([EVIL] + [f"firm {i}" for i in range(1, n)], dtype=object)
    src, dst = rng.integers(0, n, 3 * n), rng.integers(0, n, 3 * n)
    att = pd.DataFrame({"id": ids})
    if kind:
        att["kind"] = np.where(np.arange(n) % 7 == 0, "university", "sme")
    if xy:
        att["x"], att["y"] = rng.uniform(0, 10, n), rng.uniform(0, 10, n)
    return ClusterNetwork(ids, src, dst, np.ones(len(src)), directed=directed, attributes=att,
                          source="data/<wave>&1.csv")


def make_firms(net, role=True):
    deg = np.bincount(net.src, minlength=net.n) + np.bincount(net.dst, minlength=net.n)
    firms = pd.DataFrame({"id": net.ids, "degree": deg,
                          "betweenness": np.linspace(0, 1, net.n) ** 2 / 3,
                          "constraint": np.linspace(1, 0.1, net.n)})
    if role:
        firms["cognitive_role"] = np.where(deg > np.median(deg), "gatekeeper", "isolate")
        firms.loc[0, "cognitive_role"] = "<b>mutual</b> exchanger"
    return firms


SUMMARY = {"density": 0.0123456789, "actors": 40, "lock_in": {"diversity": {"start": 0.5, "end": 0.25}},
           "components": [3, 1], "top<key>": "a & b", "events": [{"step": 3, "action": "shift"}]}


def pngs(text):
    return [base64.b64decode(m) for m in re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)]


def check_offline_and_escaped(text, label=True):
    assert not RESOURCE.search(text), RESOURCE.search(text).group(0)
    assert "http://" not in text and "https://" not in text
    assert "<script" not in text.lower()
    if label:
        assert html_escaped(EVIL) in text


def html_escaped(s):
    import html

    return html.escape(s, quote=True)


def test_write_report_is_offline_escaped_and_has_the_indicators(tmp_path):
    net = make_net()
    firms = make_firms(net)
    t = time.perf_counter()
    out = write_report(tmp_path / "sub" / "report.html", net, firms, SUMMARY, title="Cluster <A> & B")
    assert time.perf_counter() - t < 10
    assert out.exists() and out.stat().st_size > 1000
    text = out.read_text(encoding="utf-8")
    check_offline_and_escaped(text)
    images = pngs(text)
    assert len(images) == 1 and images[0].startswith(PNG_SIGNATURE)
    # header: title, source, date; all escaped
    assert "<title>Cluster &lt;A&gt; &amp; B</title>" in text
    assert "data/&lt;wave&gt;&amp;1.csv" in text
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", text)
    # indicators, flattened and rounded
    for key, value in [("density", "0.0123"), ("actors", "40"), ("lock_in.diversity.start", "0.5"),
                       ("lock_in.diversity.end", "0.25"), ("components", "3, 1"),
                       ("top&lt;key&gt;", "a &amp; b"), ("events[0].action", "shift")]:
        assert re.search(rf"<td>{re.escape(key)}</td><td[^>]*>{re.escape(value)}</td>", text), key
    # top actors and the full firm table (rounded numbers, escaped role)
    assert "highest degree" in text and "highest betweenness" in text and "lowest constraint" in text
    assert "&lt;b&gt;mutual&lt;/b&gt; exchanger" in text
    assert "0.3333" in text and "0.333333" not in text
    assert text.count(html_escaped("firm 39")) >= 1
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_report_without_roles_kinds_or_firms_still_renders(tmp_path):
    net = make_net(kind=False, xy=True)
    out = write_report(tmp_path / "r.html", net, pd.DataFrame(), {})
    text = out.read_text(encoding="utf-8")
    check_offline_and_escaped(text, label=False)  # no firm table: labels appear nowhere
    assert len(pngs(text)) == 1
    assert "0 rows" in text


def test_network_colours_follow_role_then_kind_then_one_colour():
    net = make_net()

    def legend(fig):
        labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
        title = fig.axes[0].get_legend().get_title().get_text()
        plt.close(fig)
        return title, labels

    title, labels = legend(network_figure(net, make_firms(net)))
    assert title == "cognitive role" and any(lab.startswith("gatekeeper") for lab in labels)
    title, labels = legend(network_figure(net, make_firms(net, role=False)))
    assert title == "kind" and {lab.split(" (")[0] for lab in labels} == {"sme", "university"}
    title, labels = legend(network_figure(make_net(kind=False), None))
    assert labels == ["actor (40)"]


def test_layout_is_deterministic_and_large_networks_are_subsampled(tmp_path):
    net = make_net(n=120, directed=False)
    a = pngs(write_report(tmp_path / "a.html", net, make_firms(net), SUMMARY).read_text())
    b = pngs(write_report(tmp_path / "b.html", net, make_firms(net), SUMMARY).read_text())
    assert a == b
    fig = network_figure(net, max_nodes=30)
    assert "30 highest-degree" in fig.axes[0].get_title()
    plt.close(fig)


def test_positions_come_from_x_y_attributes():
    net = make_net(xy=True)
    fig = network_figure(net)
    ax = fig.axes[0]
    pts = np.vstack([c.get_offsets() for c in ax.collections if hasattr(c, "get_offsets") and len(c.get_offsets())
                     and c.get_offsets().shape[1] == 2 and not c.__class__.__name__ == "LineCollection"])
    got = {tuple(np.round(p, 6)) for p in pts}
    want = {tuple(np.round(p, 6)) for p in net.attributes[["x", "y"]].to_numpy()}
    assert got == want
    assert "x, y (km) from the attributes" in ax.get_title()
    plt.close(fig)


def test_flatten():
    assert flatten({"a": {"b": 1, "c": {"d": 2}}, "e": [1, 2], "f": [], "g": {}}) == [
        ("a.b", 1), ("a.c.d", 2), ("e", "1, 2"), ("f", ""), ("g", "")]
    assert flatten({"l": [{"x": 1}, {"x": 2}]}) == [("l[0].x", 1), ("l[1].x", 2)]


def test_write_compare_report(tmp_path):
    ids = [EVIL, "b", "c", "d", "e"]
    w1 = ClusterNetwork(np.array(ids, dtype=object), [0, 1, 2, 3, 0], [1, 2, 3, 0, 2], np.ones(5))
    w2 = ClusterNetwork(np.array(ids[:4] + ["new & co"], dtype=object), [0, 1, 2, 4, 3], [1, 3, 1, 0, 2], np.ones(5))
    P = pd.DataFrame(np.random.default_rng(0).random((5, 5)), index=ids, columns=ids)
    res = compare(w1, w2, {"cognitive": P})
    t = time.perf_counter()
    out = write_compare_report(tmp_path / "cmp.html", res, title="Waves <1> & <2>")
    assert time.perf_counter() - t < 10
    text = out.read_text(encoding="utf-8")
    check_offline_and_escaped(text)
    assert "Waves &lt;1&gt; &amp; &lt;2&gt;" in text
    assert "new &amp; co" in text  # entry, escaped
    for word in ("Actors", "Ties", "created", "persisted", "dissolved", "Fit and design", "Not informed"):
        assert word in text


def test_write_compare_report_with_fitted_models_has_coefficients_and_plot(tmp_path):
    rng = np.random.default_rng(3)
    n = 60
    ids = np.array([f"f{i}" for i in range(n)], dtype=object)
    A1 = rng.random((n, n)) < 0.08
    A2 = np.where(A1, rng.random((n, n)) < 0.6, rng.random((n, n)) < 0.05)
    np.fill_diagonal(A1, False)
    np.fill_diagonal(A2, False)
    w1 = ClusterNetwork(ids, *np.nonzero(A1), np.ones(int(A1.sum())))
    w2 = ClusterNetwork(ids, *np.nonzero(A2), np.ones(int(A2.sum())))
    P = pd.DataFrame(rng.random((n, n)), index=list(ids), columns=list(ids))
    res = compare(w1, w2, {"cognitive": P})
    text = write_compare_report(tmp_path / "c.html", res).read_text(encoding="utf-8")
    check_offline_and_escaped(text, label=False)
    images = pngs(text)
    assert len(images) == 1 and images[0].startswith(PNG_SIGNATURE)
    for term in ("const", "reciprocity", "closure", "cognitive"):
        assert f"<td>{term}</td>" in text
    assert "mechanisms.network_evolution.persistence" in text


# ---------------------------------------------------------------------------------------------
# all or nothing: the reports and the folders around them are written through clusterlab.outdir


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_a_report_that_fails_to_land_leaves_the_old_one(tmp_path, monkeypatch):
    net = make_net(n=12)
    path = tmp_path / "report.html"
    path.write_text("old report", encoding="utf-8")

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("clusterlab.outdir.os.replace", refuse)
    with pytest.raises(ClusterlabError, match=r"report\.html: cannot write \(No space left on device\)"):
        write_report(path, net, make_firms(net), SUMMARY)
    assert path.read_text(encoding="utf-8") == "old report" and leftovers(tmp_path) == []
    with pytest.raises(ClusterlabError, match="is a folder"):
        write_report(tmp_path, net, make_firms(net), SUMMARY)


def test_write_text_replaces_a_file_whole(tmp_path):
    path = tmp_path / "new" / "notes.txt"
    assert write_text(path, "first ü") == path and path.read_text(encoding="utf-8") == "first ü"
    write_text(path, "second")
    assert path.read_text(encoding="utf-8") == "second" and leftovers(path.parent) == []


def half_then_fail(path, *args, **kwargs):
    Path(path).write_text("<html>half a report", encoding="utf-8")
    raise RuntimeError("the figure failed")


def test_a_failed_comparison_report_leaves_the_output_folder_as_it_was(tmp_path, monkeypatch):
    ids = ["a", "b", "c", "d"]
    w1 = ClusterNetwork(np.array(ids, dtype=object), [0, 1, 2], [1, 2, 3], np.ones(3))
    w2 = ClusterNetwork(np.array(ids, dtype=object), [0, 1, 3], [1, 3, 0], np.ones(3))
    res = compare(w1, w2)
    out = res.write(tmp_path / "cmp")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    monkeypatch.setattr("clusterlab.analysis.report.write_compare_report", half_then_fail)
    with pytest.raises(RuntimeError, match="the figure failed"):
        compare(w1, w1).write(out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before and leftovers(tmp_path) == []


def test_a_failed_analysis_report_writes_no_output_folder(tmp_path, monkeypatch):
    from clusterlab.analysis.analyze import analyze, write_analysis

    net = make_net(n=12)
    firms, summary = analyze(net)
    monkeypatch.setattr("clusterlab.analysis.report.write_report", half_then_fail)
    with pytest.raises(RuntimeError, match="the figure failed"):
        write_analysis(tmp_path / "an", net, firms, summary)
    assert list(tmp_path.iterdir()) == []

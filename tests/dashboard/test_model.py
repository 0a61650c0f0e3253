"""The dashboard's logic without a browser: controls from metadata, validation with the
command line's messages, live runs (run, step, reset), comparisons and uploads."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("solara")

import clusterlab as cl  # noqa: E402
from clusterlab.dashboard import charts  # noqa: E402
from clusterlab.dashboard import model as m  # noqa: E402
from clusterlab.errors import ClusterlabError, ScenarioError  # noqa: E402

SMALL = {"population.firms": 40, "population.externals": 10, "steps": 12}


def small():
    return cl.default_scenario().set(**SMALL)


def test_controls_come_from_the_parameters_metadata():
    cs = {c.key: c for c in m.controls(cl.default_scenario())}
    firms = cs["population.firms"]
    assert (firms.kind, firms.low, firms.high, firms.default) == ("int", 1, 50_000_000, 200)
    assert firms.help == "cluster firms, focal firms included" and firms.main
    assert cs["population.setting"].kind == "choice"
    assert set(cs["population.setting"].choices) == {"cluster", "isolated", "dispersed"}
    assert cs["mechanisms.trust.enabled"].kind == "bool"
    # every mechanism has its switch
    assert {k for k in cs if k.endswith(".enabled")} == {f"mechanisms.{c.name}.enabled" for c in cl.MECHANISMS}


def test_bad_values_get_the_command_line_message():
    sc = cl.default_scenario()
    msg = m.check_value(sc, "population.firms", -3)
    assert "key 'population.firms': input should be greater than or equal to 1, got -3" in msg
    assert m.check_value(sc, "population.firms", 60) is None
    with pytest.raises(ScenarioError, match="population.firms"):
        m.resolve(sc, {"population.firms": -3})


def test_resolve_applies_values_and_events():
    sc = m.resolve(cl.default_scenario(), {"population.firms": 60},
                   [{"action": "start_cluster_org", "step": 5, "members": 0.5}])
    assert sc.population.firms == 60 and len(sc.events) == 1 and sc.events[0].members == 0.5
    with pytest.raises(ScenarioError, match="events"):
        m.resolve(cl.default_scenario(), {}, [{"action": "start_cluster_org", "step": -1}])
    text = m.scenario_toml(sc)
    assert cl.load_scenario  # the TOML reads back to the same scenario
    back = m.load_upload(text.encode(), "x.toml")
    assert back == sc


def test_upload_errors_name_the_file():
    with pytest.raises(ScenarioError, match="bad.toml: not valid TOML"):
        m.load_upload(b"population = [", "bad.toml")
    with pytest.raises(ScenarioError, match="bad.toml"):
        m.load_upload(b"[population]\nfirms = -1\n", "bad.toml")
    with pytest.raises(ScenarioError, match="larger than"):
        m.load_upload(b"#" * (m.MAX_UPLOAD_BYTES + 1), "big.toml")


def test_live_run_steps_resets_and_matches_a_batch_run():
    sc = small()
    lr = m.LiveRun(sc)
    assert lr.advance(5) == 5 and lr.t == 5
    early = lr.frame()  # read part-way, as a redraw does: the frame then grows by new rows
    assert lr.advance(100) == 7 and lr.done and lr.advance(1) == 0
    frame = lr.frame()
    batch = cl.run(sc).timeseries
    assert len(early) < len(frame) == len(batch)
    pd.testing.assert_frame_equal(frame, batch)
    pd.testing.assert_frame_equal(early, batch.iloc[:len(early)])
    lr.reset(sc.set(**{"population.firms": 30}))
    assert lr.t == 0 and lr.scenario.population.firms == 30 and len(lr.frame()) <= 1
    net = lr.network()
    assert len(net["x"]) == len(net["kind"]) == len(net["degree"]) and "external" not in net["kind"]


def test_comparison_uses_common_random_numbers(tmp_path):
    sc = small()
    arms = [m.Arm("none", events=[]), m.Arm("org", events=[{"action": "start_cluster_org", "step": 2, "members": 0.5}])]
    spec = m.comparison_experiment(sc, arms, replications=3)
    assert spec["arms"][0]["control"] and not spec["arms"][1]["control"]
    s = m.compare(sc, arms, tmp_path / "c", replications=3, workers=1, executor="serial")
    comp = s.comparisons
    assert set(comp["arm"]) == {"org"} and set(comp["control"]) == {"none"}
    assert (comp["n"] == 3).all()
    lines = m.difference_sentences(s)
    assert any("SME internationalisation: org vs none" in t and "95% CI" in t for t in lines)
    assert {"arm", "column", "step", "mean", "ci_low", "ci_high"} <= set(s.bands.columns)
    with pytest.raises(ClusterlabError, match="two arms"):
        m.comparison_experiment(sc, arms[:1], 3)


def test_upload_is_analysed_like_the_command_line(tmp_path):
    p = m.save_upload(tmp_path / "up", "../../evil/net.csv", b"source,target\nA,B\nB,C\nC,A\nC,D\n")
    assert p.parent == tmp_path / "up" and p.name == "net.csv"  # no path from the browser is used
    a = m.analyse_upload(p)
    assert a["summary"]["actors"] == 4 and a["summary"]["edges"] == 4
    assert any("Cognitive roles" in t for t in a["narrative"])
    bad = m.save_upload(tmp_path / "up", "bad.csv", b"\x00\x01garbage")
    with pytest.raises(ClusterlabError):
        m.analyse_upload(bad)
    with pytest.raises(ClusterlabError, match="larger than"):
        m.save_upload(tmp_path / "up", "big.csv", b"x" * (m.MAX_UPLOAD_BYTES + 1))


def test_upload_with_absent_actors_left_out(tmp_path):
    # E has an all-zero row and column: absent from this wave (as `analyze --absent zeros`)
    p = m.save_upload(tmp_path, "w.csv", b",A,B,C,E\nA,0,1,0,0\nB,1,0,1,0\nC,0,1,0,0\nE,0,0,0,0\n")
    assert m.analyse_upload(p)["summary"]["actors"] == 4
    a = m.analyse_upload(p, absent="zeros")
    assert a["summary"]["actors"] == 3 and any("1 absent actor removed (E)" in t for t in a["narrative"])
    sc = m.data_scenario(small(), p, None, [], absent="zeros")
    assert sc.data.absent == "zeros" and m.LiveRun(sc).frame()["firms"].iloc[0] == 3


def test_simulating_an_uploaded_cluster(tmp_path):
    p = m.save_upload(tmp_path, "net.csv", b"source,target\n" + b"".join(f"f{i},f{(i * 7 + 3) % 30}\n".encode() for i in range(30)))
    sc = m.data_scenario(small(), p, None, [])
    lr = m.LiveRun(sc)
    lr.advance(3)
    assert lr.t == 3 and lr.frame()["firms"].iloc[0] == 30


def test_charts_escape_labels_and_draw_bands():
    svg = charts.line_chart([0, 1, 2], {"<b>": [1, 2, np.nan]}, title="a & b", bands={"<b>": ([0, 1, 2], [2, 3, 4])},
                            events=[(1, "<script>")])
    assert "<b>" not in svg.replace("<b>", "", 0) or "&lt;b&gt;" in svg
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "a &amp; b" in svg
    assert "<polygon" in svg and "<polyline" in svg
    net = charts.network_svg([0, 1], [0, 1], ["sme", "<x>"], [1, 1], [0], [1], labels=["<l>", "m"], show_labels=2)
    assert "<l>" not in net and "&lt;l&gt;" in net and "&lt;x&gt;" in net
    assert "no data yet" in charts.line_chart([], {}, title="t")


def test_thin_keeps_every_pixel_columns_extremes_and_the_gaps():
    rng = np.random.default_rng(3)
    x = np.arange(5000.0)
    y = np.cumsum(rng.normal(size=5000))
    y[[1200, 3000, 3001]] = np.nan
    y[4000] = 80.0  # a spike one step wide
    k = charts.thin(x, y, 100)
    assert len(k) <= 4 * 100 + 3
    assert 4000 in k and {1200, 3000} <= set(k)  # the spike, and a NaN at each gap
    fin = np.isfinite(y)
    col = (x / 4999 * 99).astype(int)
    for c in range(100):  # every column's lowest and highest finite point is kept
        ids = np.flatnonzero((col == c) & fin)
        assert ids[np.argmin(y[ids])] in k and ids[np.argmax(y[ids])] in k
    assert np.array_equal(charts.thin(x[:400], y[:400], 100), np.arange(400))  # short: all


def test_long_series_chart_stays_small_and_breaks_at_gaps():
    x = np.arange(20000.0)
    y = np.sin(x / 500)
    y[10000] = np.nan
    svg = charts.line_chart(x, {"s": y}, bands={"s": (y - 0.1, y + 0.1)})
    full = charts.line_chart(x[:1500], {"s": y[:1500]})
    assert svg.count("<polyline") == 2  # the NaN still breaks the line
    assert len(svg) < 3 * len(full)  # bounded by the pixels, not the 20,000 steps


def test_propositions_report_is_read(tmp_path):
    from clusterlab.propositions import run_suite

    assert m.propositions_table(tmp_path / "none") is None
    run_suite(["P4"], tmp_path / "p", quick=True, robustness=False, executor="serial")
    tests = m.propositions_table(tmp_path / "p")
    over = m.propositions_overview(tests)
    assert over["id"].tolist() == ["P4"] and over["title"].iloc[0] == "Trust"
    detail = m.proposition_tests(tests, "P4")
    assert detail["test"].tolist() == ["P4.1", "P4.2"] and "[" in detail["effect [95% CI]"].iloc[0]


def test_timeline_marks_events_and_those_after_the_end():
    svg = charts.timeline_svg([(60, "cluster <org>"), (300, "late")], steps=240)
    assert svg.count("<circle") == 2 and "cluster &lt;org&gt;" in svg and "late (after the end)" in svg


def test_live_network_roles_follow_giuliani_and_bell():
    lr = m.LiveRun(cl.default_scenario().set(**{"population.firms": 80, "steps": 24}))
    lr.advance(24)
    net = lr.network()
    role = np.array(net["role"])
    assert len(role) == len(net["kind"])
    assert set(role) <= {"technological_gatekeeper", "active_mutual_exchanger", "weakly_connected", "isolated"}
    deg = np.asarray(net["degree"], float)
    gk, ame = role == "technological_gatekeeper", role == "active_mutual_exchanger"
    assert gk.any() and (~gk).any()
    assert deg[gk].min() > deg.mean()  # high-degree actors only
    # gatekeepers are the open ones: more ties to external actors than mutual exchangers
    sim = lr.sim
    ext = np.zeros(sim.actors.n)
    t = sim.ties
    is_ext = sim.actors.kind == cl.state.KINDS.index("external")
    ok = t.alive
    np.add.at(ext, t.a[ok & is_ext[t.b]], 1)
    np.add.at(ext, t.b[ok & is_ext[t.a]], 1)
    idx = np.array([int(s.split()[-1]) for s in net["labels"]])
    if ame.any():
        assert ext[idx][gk].mean() > ext[idx][ame].mean()


def test_a_comparison_is_cancelled(tmp_path):
    import threading

    stop = threading.Event()
    seen = []

    def progress(done, failed, total):
        seen.append(done)
        if done >= 1:
            stop.set()  # the user presses Cancel during the second run

    sc = small()
    arms = [m.Arm("none", events=[]), m.Arm("org", events=[{"action": "start_cluster_org", "step": 2}])]
    with pytest.raises(m.Cancelled, match="cancelled after 2 of 10 runs"):
        m.compare(sc, arms, tmp_path / "c", replications=5, executor="serial", progress=progress, stop=stop)
    assert seen == [0, 1]
    with pytest.raises(m.Cancelled, match="cancelled after 0 of"):
        m.run_proposition("P4", tmp_path / "p", 2, executor="serial", stop=stop)

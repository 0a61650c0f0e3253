"""Results: its repr is a short summary of the run, not the tables."""

import clusterlab as cl


def test_repr_is_a_short_summary_of_the_run(small):
    sc = small(steps=6, seed=11, name="tiny-repr")
    res = cl.run(sc)
    text = repr(res)
    s = res.summary()
    assert len(text) < 1000 and len(text.splitlines()) <= 10
    assert text.startswith("Results: scenario 'tiny-repr', seed 11, 6 steps")
    assert f"{s['actors']:,} actors, {s['ties']:,} ties" in text
    assert f"run time {res.seconds:.2f} s" in text
    for name in (".timeseries", ".actors", ".events", ".network", ".scenario",
                 "summary()", "final()", "recovery()", "write(out)"):
        assert name in text, name
    assert f"{len(res.timeseries)} rows x {res.timeseries.shape[1]} columns" in text
    assert "DataFrame" not in text and "knowledge_mean" not in text  # no table is printed
    assert str(res) == text


def test_summary_flows_total_every_learning_channel(small):
    from clusterlab.state import CHANNELS

    res = cl.run(small(steps=6, seed=3))
    flows = res.summary()["flows"]
    assert tuple(flows) == CHANNELS
    for c in CHANNELS:
        assert flows[c] == float(res.timeseries[f"flow_{c}"].sum())
    assert sum(flows.values()) > 0


def test_network_export_round_trips_through_analyze(tmp_path, small):
    """A run folder's network.graphml (and Results.to_graphml as GEXF) reads back with the
    final snapshot's actors and ties, and `clusterlab analyze` analyses it."""
    import subprocess
    import sys

    import numpy as np
    import pandas as pd

    from clusterlab.data import load_network

    res = cl.run(small(steps=6, seed=5))
    out = res.write(tmp_path / "run", figures=False)
    assert {"ties.parquet", "network.graphml"} <= {p.name for p in out.iterdir()}
    pd.testing.assert_frame_equal(pd.read_parquet(out / "ties.parquet"), res.ties)
    final = res.actors[(res.actors["step"] == 6) & res.actors["alive"]]
    ties = res.ties[res.ties["step"] == 6]
    for path in (out / "network.graphml", res.to_graphml(tmp_path / "net.gexf")):
        net = load_network(path)
        assert sorted(net.ids, key=int) == [str(i) for i in sorted(final["id"])]
        got = sorted((min(int(net.ids[s]), int(net.ids[d])), max(int(net.ids[s]), int(net.ids[d])), lay)
                     for s, d, lay in zip(net.src, net.dst, net.layer))
        assert got == sorted(zip(ties["a"], ties["b"], ties["layer"].astype(str)))
        assert np.isclose(net.weight.sum(), ties["w"].astype(float).sum(), rtol=1e-6)
        kinds = net.attributes.set_index("id")["kind"]
        assert (kinds.loc[[str(i) for i in final["id"]]].to_numpy() == final["kind"].astype(str).to_numpy()).all()
    proc = subprocess.run([sys.executable, "-m", "clusterlab", "analyze", str(out / "network.graphml"),
                           "--out", str(tmp_path / "analyze")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    firms = pd.read_csv(tmp_path / "analyze" / "firms.csv")
    assert len(firms) == len(final)
    assert "external_ties" in firms.columns

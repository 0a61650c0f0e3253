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

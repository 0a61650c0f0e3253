"""Tests of clusterlab.plots: the standard figures are written, valid and data-dependent."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clusterlab.plots import write_figures

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NAMES = ["knowledge.png", "innovations.png", "flows.png", "seci.png", "dynamics.png", "network.png"]
KINDS = ["focal", "sme", "university", "institute", "intermediary", "agency", "cluster_org"]


def make_timeseries(steps: int = 60, scale: float = 1.0) -> pd.DataFrame:
    t = np.arange(steps, dtype=float)
    return pd.DataFrame({
        "step": np.arange(steps),
        "knowledge_mean": scale * (1 + 0.05 * t),
        "knowledge_sd": 0.1 + 0.01 * t,
        "frontier_gap": 0.8 * np.exp(-t / 40),
        "innovations_incremental": (t % 5 == 0).astype(float) * 3 * scale,
        "innovations_radical": (t % 17 == 0).astype(float),
        "sme_innovating_share": 0.2 + 0.1 * np.sin(t / 6),
        "flow_horizontal": scale * (2 + np.sin(t / 5)),
        "flow_vertical": 1.5 + np.cos(t / 7),
        "flow_multi_angle": 0.5 + 0.01 * t,
        "flow_pipeline": 0.3 + 0.2 * (t > 30),
        "flow_spillover": 0.4 * np.ones(steps),
        "seci_socialization": scale * (1 + 0.02 * t),
        "seci_externalization": 0.8 + 0.015 * t,
        "seci_combination": 0.6 + 0.03 * t,
        "seci_internalization": 0.7 + 0.01 * t,
        "firms": scale * (200 - 0.2 * t),
        "entries": (t % 7 == 0).astype(float),
        "exits": (t % 5 == 0).astype(float),
        "openness_mean": 0.3 - 0.001 * t * scale,
        "external_share": 0.4 - 0.002 * t,
        "sme_international_share": 0.35 - 0.002 * t,
        "diversity": 0.3 * np.exp(-t / 50),
        "mean_cognitive_proximity": 0.7 + 0.002 * t,
        "external_inflow_share": 0.05 + 0.01 * np.sin(t / 4),
        "gatekeeper_share": 0.1 + 0.005 * t,
        "projects_started": (t % 6 == 0).astype(float),
        "projects_succeeded": (t % 12 == 0).astype(float),
    })


def make_network(n: int = 40, n_ext: int = 6, e: int = 100, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(0, 30, n), rng.uniform(0, 20, n)
    ang = rng.uniform(-np.pi, np.pi, n_ext)
    x[-n_ext:], y[-n_ext:] = 15 + 800 * np.cos(ang), 10 + 800 * np.sin(ang)
    kind = np.array([KINDS[i % len(KINDS)] for i in range(n - n_ext)] + ["external"] * n_ext)
    a = rng.integers(0, n, e)
    b = (a + rng.integers(1, n, e)) % n
    return {"x": x, "y": y, "kind": kind, "a": a, "b": b, "layer": rng.integers(0, 4, e)}


def assert_pngs(paths: list[Path], outdir: Path) -> None:
    assert [p.name for p in paths] == NAMES
    for p in paths:
        assert p.parent == outdir and p.is_file()
        data = p.read_bytes()
        assert data[:8] == PNG_SIGNATURE, p.name
        assert len(data) > 5_000, p.name


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> tuple[list[Path], Path]:
    """Figures of the default data, written once (into a directory that does not exist yet)."""
    outdir = tmp_path_factory.mktemp("base") / "new" / "figs"
    return write_figures(make_timeseries(), make_network(), outdir), outdir


def test_writes_five_valid_pngs(baseline):
    paths, outdir = baseline
    assert_pngs(paths, outdir)
    assert sorted(p.name for p in outdir.iterdir()) == sorted(NAMES)


def test_same_data_same_pngs(baseline, tmp_path):
    again = write_figures(make_timeseries(), make_network(), tmp_path)
    for f1, f2 in zip(baseline[0], again):
        assert f1.read_bytes() == f2.read_bytes(), f1.name


def test_figures_depend_on_data(baseline, tmp_path):
    other = write_figures(make_timeseries(scale=2.0), make_network(seed=1), tmp_path)
    for f1, f2 in zip(baseline[0], other):
        assert f1.read_bytes() != f2.read_bytes(), f1.name


def test_events_are_drawn(baseline, tmp_path):
    ts, net = make_timeseries(), make_network()
    events = pd.DataFrame({"step": [12, 40], "action": ["subsidy for R&D", "new university"]})
    plain = baseline[0]
    with_ev = write_figures(ts, net, tmp_path / "ev", events=events)
    assert_pngs(with_ev, tmp_path / "ev")
    for f1, f2 in zip(plain[:5], with_ev[:5]):  # time-series figures change
        assert f1.read_bytes() != f2.read_bytes(), f1.name
    assert plain[5].read_bytes() == with_ev[5].read_bytes()  # network has no time axis
    empty = write_figures(ts, net, tmp_path / "empty", events=events.iloc[:0])
    assert empty[0].read_bytes() == plain[0].read_bytes()


def test_missing_step_raises(tmp_path):
    with pytest.raises(ValueError, match="timeseries has no 'step' column"):
        write_figures(make_timeseries().drop(columns="step"), make_network(), tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_missing_optional_columns_are_skipped(tmp_path):
    ts = make_timeseries()[["step", "knowledge_mean", "flow_vertical", "seci_combination"]]
    paths = write_figures(ts, make_network(), tmp_path)
    assert [p.name for p in paths] == NAMES
    assert all(p.read_bytes()[:8] == PNG_SIGNATURE for p in paths)


def test_subsample_small_max_nodes(baseline, tmp_path):
    net = make_network()
    full = baseline[0]
    sub = write_figures(make_timeseries(), net, tmp_path / "sub", max_nodes=10)
    assert_pngs(sub, tmp_path / "sub")
    assert full[-1].read_bytes() != sub[-1].read_bytes()
    # max_nodes equal to N draws the whole network, identical to the default
    same = write_figures(make_timeseries(), net, tmp_path / "same", max_nodes=40)
    assert same[-1].read_bytes() == full[-1].read_bytes()


# -- network.png: live actors only, counts as in summary.json ---------------------------

def drawn(fig) -> tuple[str, int]:
    """The title of the network figure and the number of actor markers drawn on it."""
    from matplotlib.collections import PathCollection

    ax = fig.axes[0]
    points = sum(len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection))
    return ax.get_title(), points


def test_network_figure_leaves_out_exited_actors():
    import matplotlib.pyplot as plt

    from clusterlab.plots import _network

    net = make_network(n=10, n_ext=2, e=0)
    net["a"], net["b"], net["layer"] = np.array([0, 1, 2]), np.array([1, 5, 3]), np.array([0, 1, 3])
    net["alive"] = np.ones(10, bool)
    net["alive"][[5, 7]] = False  # 5 exited with a tie still listed: that tie is not drawn
    fig = _network(net, max_nodes=3000)
    try:
        title, points = drawn(fig)
    finally:
        plt.close(fig)
    assert title.startswith("Cluster network: 8 actors, 2 ties")
    assert points == 8


def test_network_figure_of_a_run_agrees_with_its_summary(small):
    import matplotlib.pyplot as plt

    import clusterlab as cl
    from clusterlab.plots import _network

    sc = small(steps=4, **{"population.firms": 30, "population.externals": 5})
    sc = cl.validate({**sc.model_dump(), "events": [{"step": 2, "action": "close_cluster_org"}]})
    res = cl.run(sc)
    s = res.summary()
    assert int((~res.network["alive"]).sum()) >= 1  # the closed cluster organisation
    fig = _network(res.network, max_nodes=3000)
    try:
        title, points = drawn(fig)
    finally:
        plt.close(fig)
    assert title.splitlines()[0] == f"Cluster network: {s['actors']:,} actors, {s['ties']:,} ties"
    assert points == s["actors"]

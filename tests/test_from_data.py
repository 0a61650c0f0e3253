"""Simulations started from a real cluster: the survey's actors and ties become the state."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import clusterlab as cl
from clusterlab.data import ClusterNetwork, read_attributes, read_network
from clusterlab.from_data import state_from_network, survey_strengths
from clusterlab.state import CLUSTER_ORG, EXTERNAL, FOCAL, PIPELINE, SME, UNIVERSITY

DATA = str(Path(__file__).parent / "fixtures")


def short(**changes):
    return cl.default_scenario().set(**{"steps": 6, "output.figures": False, **changes})


def test_every_format_starts_the_same_cluster():
    sizes = set()
    for f in ("edges.csv", "matrix.csv", "cluster.graphml", "cluster.gexf", "cluster.net"):
        sim = cl.Sim(short(**{"data.network": f"{DATA}/{f}"})).init()
        net = read_network(f"{DATA}/{f}")
        a, b, _ = net.undirected_edges()
        assert sim.actors.n == net.n and sim.ties.n_alive == len(a)
        sizes.add((sim.actors.n, sim.ties.n_alive))
    assert len(sizes) == 1


def test_attributes_are_used_and_missing_ones_take_defaults():
    net = read_attributes(f"{DATA}/attributes.csv", read_network(f"{DATA}/edges.csv"))
    actors, ties, _ = state_from_network(net, short(), np.random.default_rng(0))
    labels = list(net.ids)
    alpha, muller = labels.index("Alpha"), labels.index("Müller GmbH")
    assert actors.kind[alpha] == FOCAL and actors.kind[muller] == UNIVERSITY
    assert actors.size[alpha] == 850 and actors.rd[alpha] == pytest.approx(0.08)
    gamma = labels.index("Gamma")
    assert np.isfinite(actors.rd[gamma]) and actors.rd[gamma] > 0  # missing R&D: drawn default
    assert (actors.stage[actors.kind > SME] == -1).all()


def test_without_kinds_the_best_connected_become_focal_firms():
    rng = np.random.default_rng(1)
    n = 60
    src = np.r_[np.zeros(30, int), rng.integers(1, n, 40)]
    dst = np.r_[np.arange(1, 31), rng.integers(1, n, 40)]
    keep = src != dst
    net = ClusterNetwork(ids=[f"f{i}" for i in range(n)], src=src[keep], dst=dst[keep],
                         weight=np.ones(keep.sum()), source="hand")
    actors, _, _ = state_from_network(net, short(**{"population.focal_share": 0.05}), rng)
    assert actors.kind[0] == FOCAL and (actors.kind == FOCAL).sum() == 3


def test_external_ties_become_pipelines_and_weights_strengths():
    net = read_network(f"{DATA}/edges.csv")
    attrs = pd.DataFrame({"id": net.ids, "external_ties": [3, 0, 1, 0, 0, 0]})
    net.attributes = attrs
    sc = short(**{"population.externals": 10})
    actors, ties, _ = state_from_network(net, sc, np.random.default_rng(2))
    assert (actors.kind == EXTERNAL).sum() == 10
    pipes = ties.deg[:, PIPELINE]
    assert pipes[0] >= 2 and pipes[1] == 0 and pipes[2] == 1  # repeats of one partner merge
    local = np.flatnonzero(ties.alive & (ties.layer != PIPELINE))
    a, b, w = net.undirected_edges()
    assert len(local) == len(w) and (ties.a[local] == a).all() and (ties.b[local] == b).all()
    order = np.argsort(w, kind="stable")
    assert (np.diff(ties.w[local][order]) >= 0).all()  # strengths follow the weights' order
    assert ties.w[local][np.argmax(w)] < 1 and ties.w[local][np.argmin(w)] > 0
    assert actors.openness[0] == pytest.approx(0.75) and actors.openness[1] == 0


def test_policies_run_on_the_real_cluster_and_runs_repeat():
    sc = short(steps=24, **{"data.network": f"{DATA}/edges.csv"},
               events=[{"step": 3, "action": "start_cluster_org", "members": 1.0}])
    sim = cl.Sim(sc)
    res = sim.run()
    a = sim.actors
    assert ((a.kind == CLUSTER_ORG) & a.alive).sum() == 1
    again = cl.run(sc)
    pd.testing.assert_frame_equal(res.timeseries, again.timeseries)
    assert list(res.actors["label"].iloc[:3]) == list(read_network(f"{DATA}/edges.csv").ids[:3])


def test_scenario_data_paths_are_relative_to_the_scenario(tmp_path):
    (tmp_path / "net").mkdir()
    (tmp_path / "net" / "e.csv").write_text("source,target\na,b\nb,c\n")
    f = tmp_path / "s.toml"
    f.write_text('steps = 3\n[data]\nnetwork = "net/e.csv"\n[output]\nfigures = false\n')
    sc = cl.load_scenario(f)
    assert sc.data.network == str(tmp_path / "net" / "e.csv")
    assert cl.Sim(sc).init().actors.n == 3


def cli(*args):
    return subprocess.run([sys.executable, "-m", "clusterlab", *map(str, args)], capture_output=True, text=True)


def test_cli_from_network_and_bad_files(tmp_path, cli_in_process):
    out = tmp_path / "o"
    proc = cli("run", "--from-network", f"{DATA}/matrix.csv", "--attributes", f"{DATA}/attributes.csv",
               "--steps", 6, "--out", out, "-q", "--no-figures")
    assert proc.returncode == 0, proc.stderr
    assert len(pd.read_parquet(out / "timeseries.parquet")) == 7
    # the bad inputs in process (conftest.cli_in_process, the same entry point and stderr)
    proc = cli_in_process("run", "--from-network", f"{DATA}/bad/ragged_matrix.csv", "--out", tmp_path / "x")
    assert proc.returncode == 2 and "ragged_matrix.csv" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and not (tmp_path / "x").exists()
    proc = cli_in_process("run", "--attributes", f"{DATA}/attributes.csv", "--out", tmp_path / "y")
    assert proc.returncode == 2 and "--from-network" in proc.stderr


# ---------------------------------------------------------------------------------------------
# positions and attribute values from the data (issue 8)


def test_firms_30_km_apart_in_lat_lon_start_30_km_apart(tmp_path):
    e = tmp_path / "e.csv"
    e.write_text("source,target\nA,B\nB,C\n")
    a = tmp_path / "a.csv"
    deg = 6371.0088 * np.pi / 180  # km per degree of latitude
    dlon = 30 / (deg * np.cos(np.radians(45.0)))
    a.write_text(f"id,latitude,longitude\nA,45,7\nB,{45 + 30 / deg},7\nC,45,{7 + dlon}\n")
    sim = cl.Sim(short(**{"data.network": str(e), "data.attributes": str(a)})).init()
    x, y = sim.actors.x.astype(float), sim.actors.y.astype(float)
    assert np.hypot(x[0] - x[1], y[0] - y[1]) == pytest.approx(30, rel=1e-3)
    assert np.hypot(x[0] - x[2], y[0] - y[2]) == pytest.approx(30, rel=1e-2)  # equirectangular: < 1% off


def test_a_stage_beyond_the_scenario_is_an_error_naming_the_file(tmp_path):
    e = tmp_path / "e.csv"
    e.write_text("source,target\nA,B\n")
    a = tmp_path / "a.csv"
    a.write_text("id,stage\nA,0\nB,7\n")
    net = read_attributes(a, read_network(e))
    with pytest.raises(cl.errors.ClusterlabError, match=r"a\.csv: actor 'B': stage 7 is outside 0\.\.3 \(population\.stages = 4\)"):
        state_from_network(net, short(), np.random.default_rng(0))
    actors, _, _ = state_from_network(net, short(**{"population.stages": 8}), np.random.default_rng(0))
    assert list(actors.stage[:2]) == [0, 7]


def test_unweighted_survey_ties_start_as_generated_ties_of_their_layer():
    """An unweighted survey says nothing about strength: each tie keeps the strength the
    generator draws for its layer (docs/odd.md, 5.3), so they differ and their mean is the
    layer's, not 0.9 for all."""
    rng = np.random.default_rng(4)
    n = 200
    src, dst = rng.integers(0, n, 1500), rng.integers(0, n, 1500)
    keep = src != dst
    net = ClusterNetwork(ids=[f"f{i}" for i in range(n)], src=src[keep], dst=dst[keep],
                         weight=np.ones(keep.sum()), source="hand")
    sc = short(**{"population.stages": 2})
    actors, ties, _ = state_from_network(net, sc, rng)
    local = ties.alive & (ties.layer != PIPELINE)
    w, layer = ties.w[local], ties.layer[local]
    assert w.std() > 0.1 and w.max() < 1 and w.min() > 0
    for code, mean in ((0, sc.network.strength_horizontal), (1, sc.network.strength_vertical)):
        assert w[layer == code].mean() == pytest.approx(mean, abs=0.03)
    assert (w < sc.mechanisms.network_evolution.dissolve_below).mean() > 0.1  # some start weak


def test_survey_weights_hand_out_the_drawn_strengths_by_rank():
    drawn = np.array([0.5, 0.2, 0.8, 0.4, 0.6])
    weight = np.array([3.0, 1.0, 2.0, 1.0, 5.0])
    out = survey_strengths(weight, drawn)
    assert sorted(out) == sorted(drawn)  # the generator's distribution
    assert list(np.argsort(out)) == [1, 3, 2, 0, 4]  # the data's order (equal weights by their draws)
    assert out[1] < out[3]  # weights 1 and 1: ordered by their own draws
    same = survey_strengths(np.ones(5), drawn)
    assert (same == drawn).all()  # no information in the weights: each tie keeps its draw
    assert len(survey_strengths(np.zeros(0), np.zeros(0))) == 0

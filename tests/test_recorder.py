"""Indicators computed by the recorder agree with their reference definitions."""

import networkx as nx
import numpy as np
import pytest

import clusterlab as cl
from clusterlab.measures import constraint, csr_from_edges
from clusterlab.recorder import gini


def test_constraint_from_the_partial_csr_of_the_ties_matches_networkx(ties):
    G = nx.gnm_random_graph(80, 300, seed=5)
    G.add_edges_from((0, k) for k in range(1, 60))  # a hub
    rng = np.random.default_rng(1)
    a, b = np.array(G.edges()).T
    w = rng.uniform(0.1, 1.0, len(a))
    for (u, v), x in zip(G.edges(), w):
        G[u][v]["weight"] = x
    t = ties(80, a, b, w=w)
    t.remove([0, 5, 17])  # removed ties must drop out too
    for s in (0, 5, 17):
        G.remove_edge(int(t.a[s]), int(t.b[s]))
    nodes = np.array([0, 3, 7, 40, 79])
    # the rows the recorder builds: the sample's and its partners', the others empty
    indptr, indices, weights = t.csr(np.concatenate([nodes, t.neighbours(nodes)]))
    got = constraint(indptr, indices, weights, nodes)
    ref = nx.constraint(G, weight="weight")
    assert np.allclose(got, [ref[i] for i in nodes], atol=1e-5)
    indptr, indices, weights = csr_from_edges(80, t.a[t.alive], t.b[t.alive], t.w[t.alive])
    full = t.csr()  # every row: the same CSR as built from the edge list
    assert np.array_equal(full[0], indptr) and np.array_equal(full[1], indices)
    assert np.allclose(full[2], weights)


def test_gini():
    assert gini(np.ones(10)) == pytest.approx(0.0)
    assert gini(np.r_[np.zeros(9), 1.0]) == pytest.approx(0.9)


def test_events_table_and_new_columns_are_written(tmp_path, small):
    sc = small(steps=24, events=[{"step": 6, "action": "recession", "demand": 0.5, "years": 1.0},
                                 {"step": 12, "action": "global_competition", "bar": 0.2}])
    res = cl.run(sc)
    ev = res.events
    assert list(ev["step"]) == [6, 12] and list(ev["action"]) == ["recession", "global_competition"]
    ts = res.timeseries.set_index("step")
    assert ts.loc[5, "demand"] == 1.0 and ts.loc[6, "demand"] == 0.5 and ts.loc[18, "demand"] == 1.0
    assert ts.loc[11, "competitiveness_bar"] == 0.0 and ts.loc[12, "competitiveness_bar"] == pytest.approx(0.2)
    res.write(tmp_path / "out", figures=False)
    import pandas as pd
    assert len(pd.read_parquet(tmp_path / "out" / "events.parquet")) == 2


def _kept_rows_match(sc, keep, monkeypatch=None):
    """A run with `keep` has the full run's rows at the kept steps (bit for bit, NaN-aware),
    NaN state indicators elsewhere, the `ALWAYS` columns and statistics at every step, and
    the same actor snapshots."""
    import pandas as pd

    from clusterlab.recorder import ALWAYS, CORE

    full = cl.Sim(sc).run()
    part = cl.Sim(sc, keep=keep).run()
    kept = sorted({0, sc.steps, *sc.output.snapshots, *(k for k in keep if 0 <= k <= sc.steps)})
    f, p = full.timeseries.set_index("step"), part.timeseries.set_index("step")
    pd.testing.assert_frame_equal(p.loc[kept], f.loc[kept], check_exact=True)
    skipped = p.index.difference(kept)
    costly = [c for c in CORE if c not in ALWAYS]
    assert p.loc[skipped, costly].isna().all().all()
    rest = [c for c in p.columns if c not in costly]
    pd.testing.assert_frame_equal(p[rest], f[rest], check_exact=True)
    pd.testing.assert_frame_equal(part.actors, full.actors, check_exact=True)
    return f, p


@pytest.mark.parametrize("keep", [[], [12], [1, 2, 3, 30, 35], list(range(0, 37, 12)), [5, 500, -1]])
def test_keep_gives_the_full_runs_rows_at_kept_steps(small, keep):
    _kept_rows_match(small(seed=3, **{"output.snapshots": [7]}), keep)


def test_keep_with_events_and_sampled_indicators(small, monkeypatch):
    """The shocks preset, shortened, with the recorder's sampling paths forced on: the
    cognitive-proximity sample (random draws each step), the constraint sample and the
    at-most-once-a-year constraint of big networks; a skipped step must move neither the
    `record` stream nor the constraint's cached state."""
    from clusterlab import presets, recorder

    monkeypatch.setattr(recorder, "COGNITIVE_SAMPLE", 50)
    monkeypatch.setattr(recorder, "BIG_NETWORK", 100)
    sc = cl.load_scenario(presets.path("shocks")).set(**{
        "steps": 96, "output.figures": False, "output.constraint_sample": 20})
    f, _ = _kept_rows_match(sc, [12, 36, 37, 61, 85, 90])
    assert f["constraint_mean"].nunique() > 3


def test_keep_when_ties_change_rarely(small):
    """Without network evolution and openness, tie versions change only now and then while
    strengths keep moving: constraint at a kept step is the value of the last change, from
    that step's strengths, as in a full run."""
    sc = small(seed=5, steps=48, **{"mechanisms.network_evolution.enabled": False,
                                   "mechanisms.openness.enabled": False})
    f, _ = _kept_rows_match(sc, [10, 20, 30, 40, 47])
    assert f["constraint_mean"].nunique() > 1


def test_keep_refuses_steps_that_are_not_integers(small):
    with pytest.raises(cl.ClusterlabError, match="steps must be integers, got 'yearly'"):
        cl.Sim(small(), keep="yearly")
    with pytest.raises(cl.ClusterlabError, match="got 1.5"):
        cl.Sim(small(), keep=[0, 1.5])
    assert cl.Sim(small(), keep=np.arange(0, 37, 12)).recorder.keep == {0, 12, 24, 36}


# -- issue 10: firm-level learning and network columns, ties table, variety ----------------

@pytest.fixture(scope="module")
def snap_run():
    """A small run with a snapshot mid-way; the Sim is kept to check against its state."""
    from clusterlab.scenario import default_scenario

    sc = default_scenario().set(**{"seed": 4, "steps": 24, "population.firms": 80, "population.externals": 15,
                                   "knowledge.domains": 4, "output.figures": False, "output.snapshots": [12]})
    sim = cl.Sim(sc)
    return sim, sim.run()


def test_learned_adds_up_the_flows_of_each_channel(snap_run):
    """Over all actors, cumulative learning per channel is the sum of that channel's flow
    column; `learned` is the sum over channels, 0 at entry."""
    from clusterlab.state import CHANNELS

    _, res = snap_run
    last = res.actors[res.actors["step"] == 24]
    for c in CHANNELS:
        assert last[f"learned_{c}"].sum() == pytest.approx(res.timeseries[f"flow_{c}"].sum(), rel=1e-4, abs=1e-9)
    total = last[[f"learned_{c}" for c in CHANNELS]].sum(axis=1)
    assert np.allclose(last["learned"], total) and last["learned"].sum() > 0
    mid = res.actors[res.actors["step"] == 12].set_index("id")["learned"]
    assert (last.set_index("id")["learned"].loc[mid.index] >= mid - 1e-12).all()  # cumulative
    entrants = last[last["born"] == 24]
    assert (entrants["learned"] == 0).all()


def test_snapshot_network_columns_match_networkx(snap_run):
    """degree_centrality, betweenness, constraint and ego_size over the local network
    (alive non-external actors, pipelines left out) as networkx computes them."""
    from clusterlab.state import EXTERNAL, PIPELINE

    sim, res = snap_run
    a, ties = sim.actors, sim.ties
    local = [int(i) for i in np.flatnonzero(a.alive & (a.kind != EXTERNAL))]
    G = nx.Graph()
    G.add_nodes_from(local)
    for t in np.flatnonzero(ties.alive & (ties.layer != PIPELINE)):
        i, j = int(ties.a[t]), int(ties.b[t])
        if i in G and j in G:
            w = float(ties.w[t]) + (G[i][j]["weight"] if G.has_edge(i, j) else 0.0)
            G.add_edge(i, j, weight=w)
    last = res.actors[res.actors["step"] == 24].set_index("id")
    dc, bc, cons = nx.degree_centrality(G), nx.betweenness_centrality(G), nx.constraint(G, weight="weight")
    for i in local:
        assert last.at[i, "degree_centrality"] == pytest.approx(dc[i])
        assert last.at[i, "betweenness"] == pytest.approx(bc[i], abs=1e-12)
        assert last.at[i, "ego_size"] == G.degree(i)
        if G.degree(i):
            assert last.at[i, "constraint"] == pytest.approx(cons[i], rel=1e-6)
        else:
            assert np.isnan(last.at[i, "constraint"])
    ext = last[last["kind"] == "external"]
    assert ext["betweenness"].isna().all() and (ext["ego_size"] == 0).all()
    assert (last["external_ties"] == last["degree_pipeline"]).all()
    assert last["betweenness"].max() > 0 and last["external_ties"].sum() > 0


def test_ties_table_at_snapshot_steps(snap_run):
    sim, res = snap_run
    from clusterlab.recorder import TIE_COLUMNS

    t = res.ties
    assert list(t.columns) == list(TIE_COLUMNS) and sorted(t["step"].unique()) == [12, 24]
    ts = res.timeseries.set_index("step")
    for step in (12, 24):
        assert (t["step"] == step).sum() == ts.at[step, "ties"]
    last = t[t["step"] == 24]
    live = np.flatnonzero(sim.ties.alive)
    assert sorted(zip(last["a"], last["b"])) == sorted(zip(sim.ties.a[live], sim.ties.b[live]))
    assert (last["a"] < last["b"]).all() and last["w"].between(0, 1).all() and last["trust"].between(0, 1).all()
    assert (t["age_years"] >= 0).all() and set(t["layer"].astype(str)) <= {"horizontal", "vertical", "multi_angle", "pipeline"}
    born = sim.ties.born[live]
    assert np.allclose(np.sort(last["age_years"]), np.sort((24 - born) / 12), atol=1e-5)


def test_variety_is_one_minus_the_mean_pairwise_cosine(snap_run):
    sim, res = snap_run
    a = sim.actors
    P = (a.T + a.E)[a.is_firm].astype(np.float64)
    U = P / np.linalg.norm(P, axis=1, keepdims=True)
    C = U @ U.T
    n = len(U)
    expect = 1.0 - (C.sum() - n) / (n * (n - 1))
    assert res.timeseries["variety"].iat[-1] == pytest.approx(expect, rel=1e-5)
    assert 0 < res.timeseries["variety"].iat[0] < 1


def test_keep_runs_give_the_same_ties_table(small):
    sc = small(seed=3, steps=24, **{"output.snapshots": [7]})
    full, part = cl.Sim(sc).run(), cl.Sim(sc, keep=[12]).run()
    import pandas as pd

    pd.testing.assert_frame_equal(part.ties, full.ties, check_exact=True)
    assert part.timeseries["variety"].isna().sum() > 0 and part.timeseries["variety"].iat[-1] == full.timeseries["variety"].iat[-1]

"""Directed waves: who asks whom is predicted, scored and calibrated (docs/odd.md 7.12,
7.22, 7.23)."""

import numpy as np
import pytest

from clusterlab.data import ClusterNetwork
from clusterlab.panel import scores as S
from clusterlab.panel.calibrate import RECIPROCITY, PanelModel, calibrate
from clusterlab.panel.interval import interval_steps, simulate_interval
from clusterlab.panel.msm import Settings
from clusterlab.panel.nulls import random_pairs, random_rewiring
from clusterlab.panel.synthetic import make_panel
from clusterlab.scenario import default_scenario

REC = "mechanisms.network_evolution.reciprocate"


def net(ids, arcs, directed=True):
    src, dst = (np.array(x, np.int64) for x in zip(*arcs)) if arcs else (np.zeros(0, np.int64),) * 2
    return ClusterNetwork(ids=np.array(ids, dtype=object), src=src, dst=dst, weight=np.ones(len(src)),
                          directed=directed)


@pytest.fixture(scope="module")
def panel():
    return make_panel(30, 3, {REC: 1.0}, seed=11, directed=True)


def test_directed_measures_by_hand():
    n = 4
    p = S.arc_codes([0, 1, 2], [1, 0, 3], n)  # 0<->1, 2->3
    o = S.arc_codes([1, 3, 3], [0, 2, 0], n)  # 1->0, 3->2, 3->0
    assert S.arc_reciprocity(p, n) == pytest.approx(2 / 3) and S.arc_reciprocity(o, n) == 0.0
    # in-degrees: p 1 1 0 1, o 2 0 1 0; out-degrees: p 1 1 1 0, o 0 1 0 2
    assert S.degree_correlation_directed(p, o, n, which="in") == pytest.approx(np.corrcoef([1, 1, 0, 1], [2, 0, 1, 0])[0, 1])
    assert S.degree_correlation_directed(p, o, n, which="out") == pytest.approx(np.corrcoef([1, 1, 1, 0], [0, 1, 0, 2])[0, 1])
    with pytest.raises(Exception, match="'in' or 'out'"):
        S.degree_correlation_directed(p, o, n, which="both")


def test_directed_view_counts_ordered_pairs_and_leaves_unknown_ones_out():
    w1 = net(list("abcd"), [(0, 1), (1, 2)])
    w2 = net(list("abcd"), [(1, 0), (2, 3)])
    obs = S.match_waves(w1, w2)
    d = obs.directed_view()
    assert d.known_pairs() == 12 and obs.known_pairs() == 6
    assert list(d.ties1) == [0 * 4 + 1, 1 * 4 + 2] and list(d.ties2) == [1 * 4 + 0, 2 * 4 + 3]
    assert d.persistence_rate() == 0.0 and obs.persistence_rate() == 0.5  # a->b became b->a
    with pytest.raises(S.PredictError, match="undirected"):
        S.match_waves(net(list("ab"), [(0, 1)], False), net(list("ab"), [(0, 1)], False)).directed_view()


def test_directed_random_rewiring_keeps_the_directed_count_and_draws_both_orders():
    w1 = net([f"a{i}" for i in range(6)], [(0, 1), (1, 0), (2, 3), (4, 5)])
    runs = random_rewiring(w1, 0.5, 5, 200, rng=np.random.default_rng(1), directed=True,
                           unknown=np.array([3 * 6 + 2]))
    assert all(len(r.arcs) == 5 for r in runs)
    allarcs = np.concatenate([r.arcs for r in runs])
    assert 3 * 6 + 2 not in allarcs  # an unknown ordered pair is never drawn
    i, j = np.divmod(allarcs, 6)
    assert (i > j).any() and (i < j).any()
    for r in runs:  # a, b: the undirected projection of the arcs
        assert np.array_equal(r.pairs(6), S.pair_codes(*np.divmod(r.arcs, 6), 6))
    got = random_pairs(np.random.default_rng(0), 3, 6, np.zeros(0, np.int64), directed=True)
    assert sorted(got) == [1, 2, 3, 5, 6, 7]  # all ordered pairs of 3 actors
    with pytest.raises(Exception, match="wave 1 is undirected"):
        random_rewiring(net(list("ab"), [(0, 1)], False), 0.5, 1, rng=np.random.default_rng(0), directed=True)


def test_simulated_runs_carry_who_asks_whom(panel):
    run = simulate_interval(panel.wave1, 3, replications=1, seed=2)[0]
    n = panel.wave1.n
    assert np.array_equal(run.pairs(n), S.pair_codes(*np.divmod(run.arcs, n), n))
    # the undirected data give no arcs
    und = ClusterNetwork(ids=panel.wave1.ids, src=panel.wave1.src, dst=panel.wave1.dst, weight=panel.wave1.weight,
                         directed=False)
    assert simulate_interval(und, 1, replications=1, seed=2)[0].arcs is None


def test_mutual_pairs_rise_with_the_reciprocation_hazard(panel):
    sc = default_scenario()
    model = PanelModel(panel.wave1, sc, interval_steps(sc, 3), [REC], ["mutual", "created"])
    low = np.array([model([0.0], s) for s in range(1, 6)])
    high = np.array([model([2.0], s) for s in range(1, 6)])
    assert high[:, 0].mean() > low[:, 0].mean() + 10, (low[:, 0], high[:, 0])


def test_calibrate_adds_the_reciprocation_lever_for_directed_waves_only(panel):
    st = Settings(n1=6, h=0.5, nsub=1, n2extra=2, batch=1, n3=6, n3_deriv=3, runs=1)
    from clusterlab.panel.calibrate import LEVERS

    cal = calibrate(panel.wave1, panel.wave2, 3, levers=LEVERS[:1], settings=st, seed=1)
    assert [lv.key for lv in cal.levers] == [LEVERS[0].key, REC]
    assert cal.observed["mutual"] > 0
    # symmetric files read as directed: every tie mutual, nothing to inform it
    sym = lambda w: net(w.ids, list(zip(np.r_[w.src, w.dst], np.r_[w.dst, w.src])))  # noqa: E731
    cal = calibrate(sym(panel.wave1), sym(panel.wave2), 3, levers=LEVERS[:1], settings=st, seed=1)
    assert [lv.key for lv in cal.levers] == [LEVERS[0].key] and "mutual" in cal.not_estimated[RECIPROCITY.key]


def test_predict_command_prints_and_writes_who_asks_whom(tmp_path):
    import json

    from typer.testing import CliRunner

    from clusterlab.cli import app

    f = {k: str(v) for k, v in make_panel(20, 2, {REC: 0.5}, seed=5, directed=True).write(tmp_path / "p").items()}
    r = CliRunner().invoke(app, ["predict", f["wave1"], f["wave2"], "--years", "2", "--attributes", f["attributes"],
                                 "--replications", "3", "--set", f"{REC}=0.5", "--out", str(tmp_path / "pred")])
    assert r.exit_code == 0, r.output
    assert "who asks whom" in r.output and "in-deg r" in r.output and "recip." in r.output
    s = json.loads((tmp_path / "pred" / "summary.json").read_text())
    assert s["directed"] and 0 < s["observed"]["reciprocity_among_stayers"] < 1
    for model in ("simulation", "nothing_changes", "random_rewiring"):
        assert {"arcs", "arcs_jaccard", "indegree_correlation", "reciprocity", "arcs_auc"} <= set(s["models"][model])
    assert "arcs_auc" in s["verdict"] and "reciprocity" in s["verdict"]


ASK = "mechanisms.network_evolution.ask_size"


def test_ask_up_by_hand():
    """ask_up: over wave 2's new one-way ties i -> j (among stayers, pair untied in wave 1),
    sum (z_j - z_i) / sum |z_j - z_i|, z = log(1 + employees) standardised over the wave-1
    actors."""
    from clusterlab.panel.moments import Wave1, size_scores, statistics

    size = np.array([0.0, 9.0, 99.0, np.nan, 4.0])
    z = size_scores(size)
    s = np.log1p(size[[0, 1, 2, 4]])
    assert z[3] == 0 and np.allclose(z[[0, 1, 2, 4]], (s - s.mean()) / s.std())
    w1 = Wave1(5, np.array([0]), np.array([1]), size=size)  # 0 - 1 tied in wave 1
    present = np.array([True, True, True, True, False])
    # wave 2: 0 -> 1 (persisted, not counted), 0 -> 2 (new, one way), 3 -> 2 and 2 -> 3 (new, mutual),
    # 1 -> 2 (new, one way), 2 -> 4 (4 left)
    arcs = np.array([0 * 5 + 1, 0 * 5 + 2, 3 * 5 + 2, 2 * 5 + 3, 1 * 5 + 2, 2 * 5 + 4])
    a, b = np.divmod(arcs, 5)
    got = statistics(w1, present, a, b, arcs2=arcs)["ask_up"]
    assert got == pytest.approx(1.0)  # both new one-way ties ask the larger firm 2
    arcs = np.array([0 * 5 + 1, 2 * 5 + 0, 3 * 5 + 2, 2 * 5 + 3, 1 * 5 + 2, 2 * 5 + 4])  # now 2 asks 0
    a, b = np.divmod(arcs, 5)
    got = statistics(w1, present, a, b, arcs2=arcs)["ask_up"]
    assert got == pytest.approx(((z[0] - z[2]) + (z[2] - z[1])) / (abs(z[0] - z[2]) + abs(z[2] - z[1])))
    assert np.isnan(statistics(Wave1(5, np.array([0]), np.array([1])), present, a, b, arcs2=arcs)["ask_up"])


@pytest.fixture(scope="module")
def logit_panel():
    from clusterlab.panel.synthetic import make_logit_panel

    return make_logit_panel(35, 3, seed=1, directed=True)  # a one-way tie asked by the smaller firm more often


def test_ask_up_rises_with_ask_size(logit_panel):
    sc = default_scenario()
    model = PanelModel(logit_panel.wave1, sc, interval_steps(sc, 3), [ASK], ["ask_up", "created"])
    low = np.array([model([0.0], s) for s in range(1, 6)])
    high = np.array([model([2.0], s) for s in range(1, 6)])
    neg = np.array([model([-2.0], s) for s in range(1, 6)])
    assert high[:, 0].mean() > low[:, 0].mean() + 0.5, (low[:, 0], high[:, 0])  # about -0.07 and 0.86 measured
    assert neg[:, 0].mean() < low[:, 0].mean() - 0.5, (low[:, 0], neg[:, 0])  # about -0.92: the larger firms ask
    assert (high[:, 1] == low[:, 1]).all()  # who asks changes no pair


def test_calibrate_adds_the_ask_size_lever_when_sizes_and_new_one_way_ties_inform_it(logit_panel, panel):
    from clusterlab.panel.calibrate import ASK_SIZE, LEVERS

    st = Settings(n1=6, h=0.5, nsub=1, n2extra=2, batch=1, n3=6, n3_deriv=3, runs=1)
    cal = calibrate(logit_panel.wave1, logit_panel.wave2, 3, levers=LEVERS[:1], settings=st, seed=1)
    assert [lv.key for lv in cal.levers] == [LEVERS[0].key, REC, ASK]
    assert cal.observed["ask_up"] > 0.3  # the logit panel's smaller firms ask
    assert ASK not in cal.sets and ASK_SIZE.transform == "asinh"  # signed: started at the scenario's 0
    cal = calibrate(panel.wave1, panel.wave2, 3, levers=LEVERS[:1], settings=st, seed=1)  # reciprocate 1
    assert "too few" in cal.not_estimated[ASK]
    w1, w2 = logit_panel.wave1, logit_panel.wave2
    nosize = [ClusterNetwork(ids=w.ids, src=w.src, dst=w.dst, weight=w.weight, directed=True,
                             attributes=w.attributes.drop(columns="size")) for w in (w1, w2)]
    cal = calibrate(*nosize, 3, levers=LEVERS[:1], settings=st, seed=1)
    assert "no firm sizes" in cal.not_estimated[ASK]


def test_non_respondents_neither_make_ties_one_way_nor_count_as_new_one_way_ties():
    """A sweep's cases: a non-respondent's NA row read as no tie made every tie others report
    to it look one-way, so symmetric waves got the reciprocation lever and the count behind
    MIN_ASKED counted ties ask_up leaves out."""
    from clusterlab.panel.calibrate import _created_one_way, _one_way

    ids = np.array(list("abcd"), dtype=object)
    sym = [(0, 1), (1, 0), (2, 3), (3, 2), (1, 3), (3, 1)]
    nr = ClusterNetwork(ids=ids, src=np.array([s for s, d in sym if s != 3] + [3]), dst=np.array(
        [d for s, d in sym if s != 3] + [3]), weight=np.r_[np.ones(4), 0.0], directed=True,
        missing=np.array([[3, 0], [3, 1], [3, 2]]))  # d did not answer: its row unobserved
    assert not _one_way(nr)
    assert _one_way(net(ids, [(0, 1), (1, 0), (2, 3)]))
    w1 = net(ids, [(0, 1), (1, 0)])
    arcs2 = S.arc_codes(np.array([0, 1, 2, 0]), np.array([1, 0, 3, 2]), 4)  # 2 -> 3 and 0 -> 2 new, one way
    present = np.ones(4, bool)
    assert _created_one_way(w1, arcs2, present, np.zeros(0, np.int64)) == 2
    assert _created_one_way(w1, arcs2, present, np.array([2 * 4 + 3])) == 1  # the pair c-d unknown


def test_ask_size_reasons_for_symmetric_waves_and_equal_sizes(logit_panel):
    from clusterlab.panel.calibrate import LEVERS

    st = Settings(n1=6, h=0.5, nsub=1, n2extra=2, batch=1, n3=6, n3_deriv=3, runs=1)
    w1, w2 = logit_panel.wave1, logit_panel.wave2
    sym = [ClusterNetwork(ids=w.ids, src=np.r_[w.src, w.dst], dst=np.r_[w.dst, w.src], weight=np.ones(2 * len(w.src)),
                          directed=True, attributes=w.attributes) for w in (w1, w2)]
    st20 = Settings(n1=20, h=0.5, nsub=1, n2extra=2, batch=1, n3=6, n3_deriv=3, runs=1)  # proposals informed
    cal = calibrate(*sym, 3, levers=LEVERS[:1], settings=st20, seed=1)
    assert "every tie of both waves is mutual" in cal.not_estimated[ASK]
    same = [ClusterNetwork(ids=w.ids, src=w.src, dst=w.dst, weight=w.weight, directed=True,
                           attributes=w.attributes.assign(size=20)) for w in (w1, w2)]
    cal = calibrate(*same, 3, levers=LEVERS[:1], settings=st, seed=1)
    assert "same size" in cal.not_estimated[ASK] and np.isnan(cal.observed["ask_up"])

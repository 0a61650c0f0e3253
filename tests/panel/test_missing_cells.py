"""Unobserved cells (`NA` in a matrix: a non-respondent's row): read as no tie, listed in
`ClusterNetwork.missing`, and their pairs left out of every panel score, statistic and logit
(Huisman & Steglich 2008), so that what an NA cell hides cannot move a result."""

from __future__ import annotations

import json
import warnings
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from clusterlab.analysis import compare
from clusterlab.cli import app
from clusterlab.data import ClusterNetwork, DataError, in_id_order, load_network, read_network, read_proximity
from clusterlab.panel import predict
from clusterlab.panel.calibrate import LEVERS, calibrate
from clusterlab.panel.moments import Wave1, statistics
from clusterlab.panel.msm import Settings
from clusterlab.panel.synthetic import make_logit_panel


def write(path, labels, cells):
    pd.DataFrame(cells, index=labels, columns=labels).to_csv(path)
    return path


def test_na_cells_are_unobserved_not_ties(tmp_path):
    labels = ["A", "B", "C", "D"]
    cells = [["NA", 1, "n/a", ""],
             [1, 0, "#N/A", 0],
             ["NaN", 0, 0, "."],
             [0, 2, 0, 0]]
    net = read_network(write(tmp_path / "w.csv", labels, cells))
    got = {(net.ids[a], net.ids[b]) for a, b in net.missing}
    assert got == {("A", "C"), ("B", "C"), ("C", "A"), ("C", "D")}  # the diagonal NA is no cell
    assert net.notes["missing_cells"] == 4
    assert {(net.ids[a], net.ids[b]) for a, b in zip(net.src, net.dst)} == {("A", "B"), ("B", "A"), ("D", "B")}
    # pairs: A-C, B-C, C-D have an NA cell; none is tied, so all three are unknown to a score
    n = net.n
    assert sorted((net.ids[c // n], net.ids[c % n]) for c in net.unknown_pairs()) == [("A", "C"), ("B", "C"),
                                                                                      ("C", "D")]
    # a proximity matrix still needs every cell
    with pytest.raises(DataError, match="'NA' is not a number"):
        read_proximity(write(tmp_path / "p.csv", labels, [[1, "NA", 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]))


def test_a_reported_tie_starts_the_simulation_but_its_pair_is_not_scored(tmp_path):
    # B did not answer; A names B: the tie is read (a simulation starts with it), the pair is unknown
    net = read_network(write(tmp_path / "w.csv", ["A", "B", "C"], [[0, 1, 0], ["NA", 0, "NA"], [0, 0, 0]]),
                       directed=False)
    assert net.m == 1 and len(net.missing) == 2
    assert list(net.unknown_pairs()) == [0 * 3 + 1, 1 * 3 + 2]


def test_excel_na_cells(tmp_path):
    path = tmp_path / "w.xlsx"
    frame = pd.DataFrame([[0, 1, "NA"], [1, 0, 0], ["#N/A", 0, 0]], index=["x", "y", "z"], columns=["x", "y", "z"])
    with pd.ExcelWriter(path, engine="openpyxl") as w:
        frame.to_excel(w, sheet_name="wave 1")
    net = read_network(path)
    assert {(net.ids[a], net.ids[b]) for a, b in net.missing} == {("x", "z"), ("z", "x")}


def test_order_and_absent_actors_carry_the_cells(tmp_path):
    labels = ["F10", "F2", "F1", "F3"]
    # F3 did not answer and nobody named it: present (NA is not a zero); F1 has no tie and no NA: absent
    cells = [[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0], ["NA", "NA", "NA", 0]]
    path = write(tmp_path / "w.csv", labels, cells)
    net = read_network(path)
    ordered = in_id_order(net)
    assert list(ordered.ids) == ["F1", "F2", "F3", "F10"]
    pairs = lambda g: {(g.ids[a], g.ids[b]) for a, b in g.missing}  # noqa: E731
    assert pairs(ordered) == pairs(net) == {("F3", "F10"), ("F3", "F2"), ("F3", "F1")}
    kept = load_network(path, absent="zeros")
    assert list(kept.ids) == ["F10", "F2", "F3"]  # F1 removed, F3 kept
    assert pairs(kept) == {("F3", "F10"), ("F3", "F2")}


def non_respondents(net: ClusterNetwork, who: list[str]) -> ClusterNetwork:
    """The wave as a survey with these firms not answering: their rows are NA (undirected
    panel: each tie of theirs is still reported by the partner)."""
    pos = {str(i): k for k, i in enumerate(net.ids)}
    cells = np.array([(pos[w], j) for w in who for j in range(net.n) if j != pos[w]])
    return ClusterNetwork(ids=net.ids, src=net.src, dst=net.dst, weight=net.weight, directed=net.directed,
                          attributes=net.attributes, source=net.source, missing=cells)


def hidden_changed(net: ClusterNetwork, who: list[str], seed: int) -> ClusterNetwork:
    """The same survey, but the ties of the non-respondents (which their NA rows hide from a
    score) redrawn at random: a result that leaves them out cannot change."""
    rng = np.random.default_rng(seed)
    pos = {str(i): k for k, i in enumerate(net.ids)}
    hid = np.zeros(net.n, bool)
    hid[[pos[w] for w in who]] = True
    keep = ~(hid[net.src] | hid[net.dst])
    src, dst = list(net.src[keep]), list(net.dst[keep])
    for w in who:
        for j in rng.choice(net.n, 6, replace=False):
            if j != pos[w]:
                src.append(min(pos[w], j))
                dst.append(max(pos[w], j))
    code = np.unique(np.array(src) * net.n + np.array(dst))
    out = ClusterNetwork(ids=net.ids, src=code // net.n, dst=code % net.n, weight=np.ones(len(code)),
                         directed=net.directed, attributes=net.attributes, source=net.source)
    return non_respondents(out, who)


@pytest.fixture(scope="module")
def panel():
    return make_logit_panel(30, 3, seed=4)


@pytest.fixture(scope="module")
def who(panel):
    return [str(i) for i in panel.wave2.ids[[1, 5, 9, 14]]]


def known_truth(panel, who):
    """Wave-2 ties and wave-1 ties among stayers, over the pairs without a non-respondent."""
    ids2 = {str(i) for i in panel.wave2.ids}
    def ties(net):  # noqa: E306
        return {frozenset((str(net.ids[a]), str(net.ids[b]))) for a, b in zip(net.src, net.dst)}
    ok = lambda t: not (t & set(who)) and t <= ids2  # noqa: E731
    return {t for t in ties(panel.wave2) if ok(t)}, {t for t in ties(panel.wave1) if ok(t)}


def test_predict_leaves_the_unknown_pairs_out(panel, who):
    w2 = non_respondents(panel.wave2, who)
    res = predict(panel.wave1, w2, 3, replications=3, seed=1)
    s = res.summary()
    t2, t1 = known_truth(panel, who)
    stay = panel.wave2.n
    assert s["observed"]["unknown_pairs"] == sum(stay - 1 - k for k in range(len(who)))  # pairs with one of them
    assert s["observed"]["ties"] == len(t2)
    assert s["observed"]["persisted"] == len(t1 & t2) and s["observed"]["wave1_ties_among_stayers"] == len(t1)
    # random rewiring's count is exact among the known pairs
    rr = res.scores.query("model == 'random_rewiring' and measure == 'ties'")
    assert rr["mean"].iloc[0] == rr["observed"].iloc[0] == len(t2)
    # no dyad with a non-respondent is listed, and what their NA rows hide does not move any number
    assert not (set(res.dyads["source"]) | set(res.dyads["target"])) & set(who)
    again = predict(panel.wave1, hidden_changed(panel.wave2, who, 7), 3, replications=3, seed=1)
    pd.testing.assert_frame_equal(res.scores, again.scores, check_exact=True)
    # control: without the NA rows the changed ties do move the scores
    full = predict(panel.wave1, panel.wave2, 3, replications=3, seed=1)
    changed = predict(panel.wave1, replace(hidden_changed(panel.wave2, who, 7), missing=None), 3, replications=3,
                      seed=1)
    assert not full.scores.equals(changed.scores)


def test_statistics_leave_the_unknown_pairs_out():
    n = 5
    w1 = Wave1(n, np.array([0, 1]), np.array([1, 2]))
    present = np.ones(n, bool)
    a2, b2 = np.array([0, 3, 1]), np.array([1, 4, 2])  # 0-1, 1-2 persisted; 3-4 created
    G = np.zeros((n, n))
    base = statistics(w1, present, a2, b2, G, G)
    assert (base["created"], base["persisted"], base["dissolved"]) == (1, 2, 0)
    w1u = Wave1(n, np.array([0, 1]), np.array([1, 2]), unknown=np.array([3 * n + 4, 1 * n + 2]))
    got = statistics(w1u, present, a2, b2, G, G)
    assert (got["created"], got["persisted"], got["dissolved"]) == (0, 1, 0)
    # what an unknown pair holds in wave 2 does not matter
    assert pd.Series(statistics(w1u, present, np.array([0]), np.array([1]), G, G)).equals(pd.Series(got))


def test_calibrate_and_compare_leave_the_unknown_pairs_out(panel, who):
    st = Settings(n1=6, h=0.5, nsub=1, n2extra=4, batch=1, n3=6, n3_deriv=3, runs=1)
    prox = {"geo": panel.geographic, "cog": panel.cognitive}
    one = calibrate(panel.wave1, non_respondents(panel.wave2, who), 3, prox, levers=LEVERS[:1], settings=st, seed=2)
    two = calibrate(panel.wave1, hidden_changed(panel.wave2, who, 3), 3, prox, levers=LEVERS[:1], settings=st, seed=2)
    t2, t1 = known_truth(panel, who)
    assert one.observed["created"] == len(t2 - t1) and one.observed["persisted"] == len(t1 & t2)
    assert one.unknown_pairs == two.unknown_pairs == sum(panel.wave2.n - 1 - k for k in range(len(who)))
    assert np.array_equal(one.msm.theta, two.msm.theta)
    assert json.loads(json.dumps(one.summary()))["unknown_pairs"] == one.unknown_pairs
    a = compare(panel.wave1, non_respondents(panel.wave2, who), proximities=prox)
    b = compare(panel.wave1, hidden_changed(panel.wave2, who, 3), proximities=prox)
    assert a.tie_counts["unknown_pairs"] == one.unknown_pairs
    assert a.tie_counts["created"] == len(t2 - t1) and a.tie_counts["persisted"] == len(t1 & t2)
    assert a.models["creation"]["pairs"] == a.tie_counts["candidate_pairs"]
    pd.testing.assert_frame_equal(a.coefficients, b.coefficients, check_exact=True)


def test_the_commands_say_what_was_left_out(panel, who, tmp_path):
    paths = panel.write(tmp_path)
    w2 = pd.read_csv(paths["wave2"], index_col=0).astype(object)
    for w in who:
        w2.loc[w, [c for c in w2.columns if c != w]] = "NA"
    w2.to_csv(tmp_path / "wave2_na.csv")
    runner = CliRunner()
    out = runner.invoke(app, ["analyze", str(tmp_path / "wave2_na.csv"), "--out", str(tmp_path / "a")])
    assert out.exit_code == 0, out.output
    assert f"{len(who) * (panel.wave2.n - 1)} unobserved cells (NA) read as no tie" in out.output
    out = runner.invoke(app, ["predict", str(paths["wave1"]), str(tmp_path / "wave2_na.csv"), "--years", "3",
                              "--undirected", "-r", "2", "--out", str(tmp_path / "p")])
    assert out.exit_code == 0, out.output
    k = sum(panel.wave2.n - 1 - j for j in range(len(who)))
    said = " ".join(out.output.split())  # rich wraps long lines
    assert f"{k} pairs of stayers with an unobserved cell (NA) in a wave left out of every score" in said
    assert json.loads((tmp_path / "p" / "summary.json").read_text())["observed"]["unknown_pairs"] == k


def test_reciprocity_counts_only_ties_whose_reverse_was_observed(tmp_path):
    from clusterlab.measures.cohesion import reciprocity as net_reciprocity
    from clusterlab.panel.scores import reciprocity

    # symmetric ties, C did not answer: A->C and B->C have an unobserved reverse, so they are not "unreturned"
    path = write(tmp_path / "w.csv", list("ABCD"), [[0, 1, 1, 0], [1, 0, 1, 0], ["NA", "NA", 0, "NA"], [0, 0, 0, 0]])
    net = read_network(path)
    assert reciprocity(net.src, net.dst, net.missing) == net_reciprocity(net) == 1.0
    assert reciprocity(net.src, net.dst) == 0.5  # the same ties with the NA cells read as zeros


def test_a_stayer_without_a_known_pair_has_no_degree_to_score(panel, who):
    from clusterlab.panel.scores import degree_correlation, match_waves

    w2 = non_respondents(panel.wave2, who)
    w1 = non_respondents(panel.wave1, who)  # also silent in wave 1: nothing of theirs is known
    obs = match_waves(w1, w2)
    pos = {str(i): k for k, i in enumerate(obs.ids)}
    assert set(obs.scored_stayers()) == set(obs.stayers) - {pos[w] for w in who}
    res = predict(w1, w2, 3, replications=1, seed=1)
    r = res.scores.query("model == 'nothing_changes' and measure == 'degree_correlation'")["mean"].iloc[0]
    assert r == pytest.approx(degree_correlation(obs.ties1, obs.ties2, obs.n, over=obs.scored_stayers()))
    assert r != pytest.approx(degree_correlation(obs.ties1, obs.ties2, obs.n, over=obs.stayers))


def test_absent_zeros_keeps_a_firm_that_did_not_answer(tmp_path):
    # C did not answer (its row NA but for a 0 in D's column); D is absent (all zeros, nobody names it)
    path = write(tmp_path / "w.csv", list("ABCD"), [[0, 1, 0, 0], [1, 0, 0, 0], ["NA", "NA", 0, 0], [0, 0, 0, 0]])
    net = load_network(path, absent="zeros")
    assert list(net.ids) == ["A", "B", "C"] and net.notes["missing_cells"] == len(net.missing) == 2


def test_an_unobserved_id_is_a_missing_id(tmp_path):
    (tmp_path / "e.csv").write_text("source,target\nA,B\n#N/A,C\n")
    with pytest.raises(DataError, match=r"line 3: missing source id \(column 'source': '#N/A'\)"):
        read_network(tmp_path / "e.csv")
    with pytest.raises(DataError, match=r"line 1: column 3 has no label \('NA'\)"):
        read_network(write(tmp_path / "m.csv", ["A", "NA"], [[0, 1], [1, 0]]))
    with pytest.raises(DataError, match="'n.a.' is not a number; a cell holds a tie weight .* or NA for a cell"):
        read_network(write(tmp_path / "b.csv", ["A", "B"], [[0, "n.a."], [1, 0]]))
    assert len(read_network(write(tmp_path / "x.csv", ["A", "B"], [[0, "#DIV/0!"], [1, 0]])).missing) == 1


def test_nothing_observed_is_one_clear_error(tmp_path):
    from clusterlab.errors import ClusterlabError

    w1 = write(tmp_path / "w1.csv", list("ABC"), [[0, 1, 0], [1, 0, 1], [0, 1, 0]])
    w2 = write(tmp_path / "w2.csv", list("ABC"), [["NA"] * 3] * 3)
    a, b = read_network(w1), read_network(w2)
    for run in (lambda: predict(a, b, 1, replications=1), lambda: compare(a, b),
                lambda: calibrate(a, b, 1, levers=LEVERS[:1])):
        with pytest.raises(ClusterlabError, match="no pair of stayers is observed in both waves"):
            run()


def test_predict_takes_a_preset_name(panel):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the preset's events lie past a 3-year interval: warned of
        res = predict(panel.wave1, panel.wave2, 3, "open_cluster", replications=1, seed=1)
    assert res.info["scenario_file"] == "open_cluster" and res.info["scenario"] == "open_cluster"
    with pytest.raises(Exception, match="expected a Scenario, a preset name or a TOML file, got int"):
        predict(panel.wave1, panel.wave2, 3, 5, replications=1)


def test_directed_compare_leaves_out_both_ordered_pairs(panel, who):
    und = compare(panel.wave1, non_respondents(panel.wave2, who))
    w1d, w2d = (replace(w, directed=True) for w in (panel.wave1, non_respondents(panel.wave2, who)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # every tie mutual: reciprocity separates (warned of)
        d = compare(w1d, w2d)
    assert d.tie_counts["unknown_pairs"] == 2 * und.tie_counts["unknown_pairs"]

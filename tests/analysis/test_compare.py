"""Tests of clusterlab.analysis.compare: actor and tie changes between two waves, the logit, the
creation and persistence models and the mapping to network-evolution parameters."""

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import approx_fprime, minimize
from scipy.special import expit

from clusterlab.analysis.calibrate import evolution_parameters
from clusterlab.analysis.compare import CompareError, compare, geographic_proximity
from clusterlab.analysis.dyadic import dyadic_cov
from clusterlab.analysis.logit import logit
from clusterlab.data import ClusterNetwork, DataError, read_proximity
from clusterlab.errors import ClusterlabError, ClusterlabWarning


def edges_net(ids, edges, directed=True, weight=None, layer=None, source=""):
    """A ClusterNetwork from labels and (source label, target label) pairs."""
    pos = {v: i for i, v in enumerate(ids)}
    src = [pos[a] for a, _ in edges]
    dst = [pos[b] for _, b in edges]
    w = np.ones(len(edges)) if weight is None else weight
    return ClusterNetwork(np.array(ids, dtype=object), src, dst, w, layer=layer, directed=directed, source=source)


def matrix_net(A, ids, directed):
    if not directed:
        A = np.triu(A, 1)
    s, t = np.nonzero(A)
    return ClusterNetwork(ids, s, t, np.ones(len(s)), directed=directed)


def simulated_panel(n=200, directed=True, seed=0, b_closure=1.0, b_geo=2.5, b_cog=0.0, b_persist_cog=2.0):
    """Wave 1: ties more likely between nearby actors. Wave 2: every new tie forms with
    logit -6 + b_closure log1p(common partners) + b_geo G + b_cog C; wave-1 ties persist with
    logit -0.5 + b_persist_cog C. Returns the waves, the proximity tables and the matrices."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 30, (n, 2))
    d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    G = np.exp(-d / 10)
    prof = rng.dirichlet(np.full(4, 0.5), n)
    prof /= np.linalg.norm(prof, axis=1, keepdims=True)
    C = prof @ prof.T
    A1 = rng.random((n, n)) < expit(-4.0 + 3.0 * G)
    if not directed:
        A1 = np.triu(A1, 1)
        A1 |= A1.T
    np.fill_diagonal(A1, False)
    U = (A1 | A1.T).astype(int)
    cp = U @ U
    new = rng.random((n, n)) < expit(-6.0 + b_closure * np.log1p(cp) + b_geo * G + b_cog * C)
    keep = rng.random((n, n)) < expit(-0.5 + b_persist_cog * C)
    if not directed:
        new, keep = np.triu(new, 1), np.triu(keep, 1)
        new |= new.T
        keep |= keep.T
    A2 = np.where(A1, keep, new)
    np.fill_diagonal(A2, False)
    ids = np.array([f"f{i:03d}" for i in range(n)], dtype=object)
    lab = list(ids)
    prox = {"geographic": pd.DataFrame(G, lab, lab), "cognitive": pd.DataFrame(C, lab, lab)}
    return matrix_net(A1, ids, directed), matrix_net(A2, ids, directed), prox, (A1, A2, G, C, cp)


# ---------------------------------------------------------------------------------------
# logit
# ---------------------------------------------------------------------------------------
def test_logit_two_by_two_table_by_hand():
    # x = 0: 3 of 10 successes; x = 1: 7 of 12. MLE: const = logit(3/10), slope = log odds
    # ratio; SEs: Woolf's formula sqrt(sum 1/cell).
    x = np.r_[np.zeros(10), np.ones(12)]
    y = np.r_[np.ones(3), np.zeros(7), np.ones(7), np.zeros(5)]
    r = logit(np.c_[np.ones(22), x], y, names=["const", "x"])
    assert r.converged and not r.separation and not r.singular and r.warning == ""
    assert r.coef[0] == pytest.approx(math.log(3 / 7), abs=1e-10)
    assert r.coef[1] == pytest.approx(math.log(7 / 5) - math.log(3 / 7), abs=1e-10)
    assert r.se[0] == pytest.approx(math.sqrt(1 / 3 + 1 / 7), abs=1e-10)
    assert r.se[1] == pytest.approx(math.sqrt(1 / 3 + 1 / 7 + 1 / 7 + 1 / 5), abs=1e-10)
    assert r.z[1] == pytest.approx(r.coef[1] / r.se[1])
    assert r.p[1] == pytest.approx(2 * (1 - 0.5 * (1 + math.erf(abs(r.z[1]) / math.sqrt(2)))), abs=1e-12)
    ll = 3 * math.log(0.3) + 7 * math.log(0.7) + 7 * math.log(7 / 12) + 5 * math.log(5 / 12)
    assert r.loglik == pytest.approx(ll, abs=1e-10)
    ll0 = 10 * math.log(10 / 22) + 12 * math.log(12 / 22)
    assert r.loglik_null == pytest.approx(ll0, abs=1e-10)
    assert r.n == 22 and r.n_events == 10
    assert list(r.table()["term"]) == ["const", "x"]


def test_logit_intercept_only_by_hand():
    y = np.r_[np.ones(4), np.zeros(16)]
    r = logit(np.ones((20, 1)), y)
    assert r.coef[0] == pytest.approx(math.log(0.25), abs=1e-12)
    assert r.se[0] == pytest.approx(1 / math.sqrt(20 * 0.2 * 0.8), abs=1e-12)
    assert r.pseudo_r2 == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_logit_matches_scipy_optimize(seed):
    rng = np.random.default_rng(seed)
    n, k = 400, 4
    X = np.c_[np.ones(n), rng.normal(size=(n, k - 1))]
    y = (rng.random(n) < expit(X @ np.array([-0.3, 0.8, -0.5, 0.2]))).astype(float)

    def nll(b):
        eta = X @ b
        return float(np.sum(np.logaddexp(0, eta) - y * eta))

    def grad(b):
        return X.T @ (expit(X @ b) - y)

    def hess(b):
        p = expit(X @ b)
        return (X * (p * (1 - p))[:, None]).T @ X

    opt = minimize(nll, np.zeros(k), jac=grad, hess=hess, method="trust-exact", options={"gtol": 1e-10})
    assert np.max(np.abs(grad(opt.x))) < 1e-5  # at the optimum (coef error ~ grad / 80)
    # SEs from a finite-difference Hessian of the gradient, independent of logit's own
    H = np.array([approx_fprime(opt.x, lambda b, j=j: grad(b)[j], 1e-6) for j in range(k)])
    se = np.sqrt(np.diag(np.linalg.inv(0.5 * (H + H.T))))
    r = logit(X, y)
    assert r.converged
    np.testing.assert_allclose(r.coef, opt.x, atol=1e-5)
    np.testing.assert_allclose(r.se, se, atol=1e-5)
    assert r.loglik == pytest.approx(-opt.fun, abs=1e-8)


def test_logit_frequency_weights_equal_replicated_rows():
    rng = np.random.default_rng(5)
    n = 120
    X = np.c_[np.ones(n), rng.normal(size=n)]
    y = (rng.random(n) < expit(0.5 * X[:, 1])).astype(float)
    w = rng.integers(1, 4, n)
    rw = logit(X, y, weights=w)
    rr = logit(np.repeat(X, w, axis=0), np.repeat(y, w))
    np.testing.assert_allclose(rw.coef, rr.coef, atol=1e-9)
    np.testing.assert_allclose(rw.se, rr.se, atol=1e-9)
    assert rw.loglik == pytest.approx(rr.loglik)


@pytest.mark.parametrize("case", ["complete", "quasi", "all_ones"])
def test_logit_separation_stops_with_flag_and_finite_output(case):
    x = np.r_[np.zeros(10), np.ones(10)]
    X = np.c_[np.ones(20), x]
    if case == "complete":
        y = x.copy()
    elif case == "quasi":
        y = x.copy()
        y[:3] = 1  # x = 1 always 1, x = 0 mixed: the slope runs away
    else:
        X, y = np.ones((20, 1)), np.ones(20)
    r = logit(X, y)
    assert r.separation and not r.converged
    assert "separation" in r.warning
    for arr in (r.coef, r.se, r.z, r.p):
        assert np.all(np.isfinite(arr))
    assert np.isfinite(r.loglik)


def test_logit_collinear_columns_are_flagged_not_crashing():
    rng = np.random.default_rng(0)
    x = rng.normal(size=50)
    X = np.c_[np.ones(50), x, 2 * x]
    y = (rng.random(50) < expit(x)).astype(float)
    r = logit(X, y)
    assert r.singular and "singular" in r.warning
    assert np.all(np.isfinite(r.coef)) and np.all(np.isfinite(r.se))


def test_logit_rejects_bad_input():
    with pytest.raises(ValueError):
        logit(np.ones((3, 1)), np.array([0, 1, 2]))
    with pytest.raises(ValueError):
        logit(np.ones((3, 1)), np.array([0, 1]))
    with pytest.raises(ValueError):
        logit(np.ones((3, 1)), np.array([0, 1, 1]), weights=[1, -1, 1])


# ---------------------------------------------------------------------------------------
# actors and ties
# ---------------------------------------------------------------------------------------
def hand_waves(directed=True):
    w1 = edges_net(list("abcde"), [("a", "b"), ("b", "c"), ("c", "d"), ("d", "b"), ("b", "e")],
                   directed=directed, source="w1.csv")
    w2 = edges_net(list("gbcdef"), [("b", "c"), ("d", "e"), ("e", "b"), ("f", "b"), ("c", "b"),
                                    ("c", "c"), ("g", "d"), ("e", "d")],
                   weight=np.array([1, 1, 1, 1, 1, 1, 1, 0.0]), directed=directed, source="w2.csv")
    return w1, w2


def test_entries_exits_and_tie_changes_directed_by_hand():
    w1, w2 = hand_waves(directed=True)
    r = compare(w1, w2)
    assert r.directed
    assert r.exits == ["a"]
    assert r.entries == ["g", "f"]
    assert r.stayers == ["b", "c", "d", "e"]
    assert dict(zip(r.actors["id"], r.actors["status"])) == {
        "a": "exit", "b": "stayer", "c": "stayer", "d": "stayer", "e": "stayer", "f": "entry", "g": "entry"}
    got = {(s, t): st for s, t, st in r.ties.itertuples(index=False)}
    # e -> d has weight 0 (not a tie), c -> c is a self-loop (dropped)
    assert got == {("b", "c"): "persisted", ("c", "d"): "dissolved", ("d", "b"): "dissolved",
                   ("b", "e"): "dissolved", ("d", "e"): "created", ("e", "b"): "created",
                   ("c", "b"): "created"}
    tc = r.tie_counts
    assert (tc["created"], tc["persisted"], tc["dissolved"]) == (3, 1, 3)
    assert (tc["wave1"], tc["wave2"]) == (5, 6)
    assert (tc["wave1_with_exits"], tc["wave2_with_entries"]) == (1, 2)
    assert tc["persistence_rate"] == pytest.approx(0.25)
    assert tc["candidate_pairs"] == 4 * 3 - 4
    s = r.summary()
    assert s["actors"] == {"wave1": 5, "wave2": 6, "stayers": 4, "entries": 2, "exits": 1}
    assert s["wave1"] == "w1.csv" and s["wave2"] == "w2.csv"
    json.dumps(s)  # JSON-ready


def test_tie_changes_undirected_by_hand():
    w1, w2 = hand_waves(directed=False)
    r = compare(w1, w2)
    got = {frozenset((s, t)): st for s, t, st in r.ties.itertuples(index=False)}
    # wave 1 among stayers: b-c c-d b-d b-e; wave 2: b-c (twice) d-e b-e
    assert got == {frozenset("bc"): "persisted", frozenset("be"): "persisted",
                   frozenset("cd"): "dissolved", frozenset("bd"): "dissolved", frozenset("de"): "created"}
    assert (r.tie_counts["created"], r.tie_counts["persisted"], r.tie_counts["dissolved"]) == (1, 2, 2)
    assert r.tie_counts["wave2"] == 5  # b-c c-b pooled: b-c d-e b-e b-f d-g
    assert "reciprocity" not in set(r.coefficients["term"])


def test_layers_are_pooled():
    ids = list("abc")
    w1 = edges_net(ids, [("a", "b"), ("a", "b"), ("b", "c")], layer=np.array(["x", "y", "x"], dtype=object))
    w2 = edges_net(ids, [("a", "b")])
    r = compare(w1, w2)
    assert r.tie_counts["wave1"] == 2
    assert (r.tie_counts["persisted"], r.tie_counts["dissolved"]) == (1, 1)


def test_mixed_directedness_is_an_error():
    w1, _ = hand_waves(directed=True)
    _, w2 = hand_waves(directed=False)
    with pytest.raises(CompareError, match="directed"):
        compare(w1, w2)


def test_duplicate_ids_and_bad_names_are_errors():
    w1, w2 = hand_waves()
    dup = edges_net(list("abca"), [("a", "b")])
    with pytest.raises(CompareError, match="duplicate actor ids: 'a'"):
        compare(dup, w2)
    P = pd.DataFrame(np.ones((4, 4)), list("bcde"), list("bcde"))
    with pytest.raises(CompareError, match="reserved"):
        compare(w1, w2, {"closure": P})
    with pytest.raises(CompareError, match="name"):
        compare(w1, w2, {"two words": P})
    assert issubclass(CompareError, ClusterlabError)


def test_no_stayers_gives_no_models_and_no_crash():
    w1 = edges_net(list("ab"), [("a", "b")])
    w2 = edges_net(list("cd"), [("c", "d")])
    r = compare(w1, w2)
    assert r.stayers == [] and len(r.ties) == 0 and len(r.coefficients) == 0
    assert r.models["creation"]["fitted"] is False and r.models["persistence"]["fitted"] is False
    json.dumps(r.summary())


# ---------------------------------------------------------------------------------------
# proximity matrices
# ---------------------------------------------------------------------------------------
def test_proximity_missing_labels_are_named():
    w1, w2 = hand_waves()
    P = pd.DataFrame(np.ones((3, 4)), index=list("bcd"), columns=list("ebcd"))
    with pytest.raises(CompareError, match=r"proximity 'geo': no row for 1 actor\(s\): 'e'"):
        compare(w1, w2, {"geo": P})


def test_proximity_nan_and_text_values_are_errors():
    w1, w2 = hand_waves()
    P = pd.DataFrame(np.ones((4, 4)), list("bcde"), list("bcde"))
    P.loc["c", "d"] = np.nan
    with pytest.raises(CompareError, match="no value"):
        compare(w1, w2, {"geo": P})
    Q = pd.DataFrame([["x"] * 4] * 4, list("bcde"), list("bcde"))
    with pytest.raises(CompareError, match="not numbers"):
        compare(w1, w2, {"geo": Q})


def test_proximity_is_aligned_by_labels_not_order():
    w1, w2, prox, _ = simulated_panel(n=60, seed=3)
    shuffled = {k: v.sample(frac=1, random_state=1).T.sample(frac=1, random_state=2).T for k, v in prox.items()}
    extra = {k: pd.concat([v, pd.DataFrame(0.5, index=["zz"], columns=v.columns)]) for k, v in shuffled.items()}
    a = compare(w1, w2, prox).coefficients
    b = compare(w1, w2, extra).coefficients
    pd.testing.assert_frame_equal(a, b)


def test_models_equal_a_logit_on_an_independent_dense_design():
    for directed in (True, False):
        w1, w2, prox, (A1, A2, G, C, cp) = simulated_panel(n=80, directed=directed, seed=7)
        r = compare(w1, w2, prox)
        n = len(A1)
        i, j = np.nonzero(~np.eye(n, dtype=bool) if directed else np.triu(np.ones((n, n), bool), 1))
        for model, mask in (("creation", ~A1[i, j]), ("persistence", A1[i, j])):
            a, b = i[mask], j[mask]
            cols = [np.ones(len(a))] + ([A1[b, a].astype(float)] if directed else [])
            cols += [np.log1p(cp[a, b]), G[a, b], C[a, b]]
            ref = logit(np.column_stack(cols), A2[a, b].astype(float))
            got = r.coefficients[r.coefficients["model"] == model]
            np.testing.assert_allclose(got["coef"], ref.coef, atol=1e-8)
            np.testing.assert_allclose(got["se_ml"], ref.se, atol=1e-8)
            # the reported se is dyadic-robust, computed on the same design; a separating
            # term keeps the ML se (the sandwich is degenerate there)
            V, _ = dyadic_cov(np.column_stack(cols), A2[a, b].astype(float), ref.coef, a, b)
            robust = np.sqrt(np.diag(V))
            sep = np.isin(got["term"], r.models[model]["separating_terms"])
            np.testing.assert_allclose(got["se"][~sep], robust[~sep], rtol=1e-6)
            np.testing.assert_allclose(got["se"][sep], ref.se[sep], rtol=1e-8)
            assert not np.allclose(got["se"], got["se_ml"], rtol=1e-3)
            terms = ["const"] + (["reciprocity"] if directed else []) + ["closure", "geographic", "cognitive"]
            assert list(got["term"]) == terms


def test_a_network_is_accepted_as_proximity_and_constant_terms_are_dropped():
    w1, w2 = hand_waves()
    same = edges_net(list("abcdef"), [])  # all zeros: no variation
    r = compare(w1, w2, {"samefirm": same})
    assert "samefirm" in r.models["persistence"]["dropped_terms"]
    assert "samefirm" not in set(r.coefficients["term"])


def test_read_proximity_and_geographic_proximity(tmp_path):
    f = tmp_path / "cog.csv"
    f.write_text(",a,b\na,1,0.25\nb,0.25,1\n", encoding="utf-8")
    P = read_proximity(f)
    assert list(P.index) == ["a", "b"] and P.loc["a", "b"] == 0.25
    f2 = tmp_path / "cog.tsv"
    f2.write_text("\ta\tb\na\t1\tx\nb\t0.5\t1\n", encoding="utf-8")
    with pytest.raises(DataError, match="not a number"):
        read_proximity(f2)
    with pytest.raises(DataError, match="no such file"):
        read_proximity(tmp_path / "missing.csv")
    net = ClusterNetwork(np.array(["a", "b"], dtype=object), [0], [1], [1.0],
                         attributes=pd.DataFrame({"id": ["a", "b"], "x": [0.0, 3.0], "y": [0.0, 4.0]}))
    Gp = geographic_proximity(net, km=10)
    assert Gp.loc["a", "b"] == pytest.approx(math.exp(-0.5))
    assert Gp.loc["a", "a"] == 1.0


def test_read_proximity_reads_like_the_network_matrices(tmp_path):
    # semicolons, decimal commas, a BOM, rows in another order than the columns
    f = tmp_path / "cog.csv"
    f.write_bytes("\ufeff;a;b;c\nc;0,1;0,2;1\na;1;0,5;0,1\nb;0,5;1;0,2\n".encode("utf-8"))
    P = read_proximity(f)
    assert list(P.index) == list(P.columns) == ["a", "b", "c"]
    assert P.dtypes.eq(float).all() and P.loc["a", "b"] == 0.5 and P.loc["c", "a"] == 0.1


@pytest.mark.parametrize("cell,words", [("x", ["'x' is not a number"]), ("NaN", ["'NaN' is not a number"]),
                                        ("inf", ["'inf' is not a number"]), ("", ["empty cell"])])
def test_read_proximity_refuses_a_cell_that_is_not_a_finite_number(tmp_path, cell, words):
    f = tmp_path / "geo.csv"
    f.write_text(f",a,b\na,1,0.5\nb,{cell},1\n")
    with pytest.raises(DataError) as err:
        read_proximity(f)
    msg = str(err.value)
    assert msg.startswith(f"{f}: line 3, column 'a': ") and all(w in msg for w in words), msg


def test_read_proximity_needs_a_square_labelled_matrix(tmp_path):
    f = tmp_path / "p.csv"
    f.write_text(",a,b\na,1,0.5\n")
    with pytest.raises(DataError, match="not square"):
        read_proximity(f)
    f.write_text(",a,b\na,1,0.5\nc,0.5,1\n")
    with pytest.raises(DataError, match="row label 'c' is not a column label"):
        read_proximity(f)


# ---------------------------------------------------------------------------------------
# the models recover what the panel was made of
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("directed", [True, False])
def test_simulated_panel_recovers_closure_and_proximity(directed):
    w1, w2, prox, _ = simulated_panel(n=200, directed=directed, seed=11)
    r = compare(w1, w2, prox)
    c = r.coefficients.set_index(["model", "term"])
    for term, truth in (("closure", 1.0), ("geographic", 2.5)):
        row = c.loc[("creation", term)]
        assert row["coef"] > 0 and row["p"] < 0.01, (term, row.to_dict())
        assert abs(row["coef"] - truth) < 3 * row["se"]
    assert abs(c.loc[("creation", "cognitive"), "coef"]) < 3 * c.loc[("creation", "cognitive"), "se"]
    pc = c.loc[("persistence", "cognitive")]
    assert pc["coef"] > 0 and pc["p"] < 0.01 and abs(pc["coef"] - 2.0) < 3 * pc["se"]
    for m in ("creation", "persistence"):
        assert r.models[m]["fitted"] and r.models[m]["converged"] and not r.models[m]["separation"]


def test_case_control_sample_keeps_slopes_and_corrects_the_intercept():
    w1, w2, prox, _ = simulated_panel(n=200, directed=True, seed=11)
    full = compare(w1, w2, prox).coefficients.set_index(["model", "term"])
    r = compare(w1, w2, prox, max_pairs=6000, seed=1)
    info = r.models["creation"]
    assert info["design"] == "case-control"
    assert info["cases"] == r.tie_counts["created"] and info["n"] == 6000
    assert info["controls_sampled"] == 6000 - info["cases"]
    assert info["intercept_correction"] == pytest.approx(-math.log(info["controls_population"] / info["controls_sampled"]))
    samp = r.coefficients.set_index(["model", "term"])
    for term in ("const", "reciprocity", "closure", "geographic", "cognitive"):
        a, b = full.loc[("creation", term)], samp.loc[("creation", term)]
        assert abs(a["coef"] - b["coef"]) < 2.5 * b["se"], term
    assert samp.loc[("creation", "closure"), "p"] < 0.01
    # the same seed gives the same sample
    pd.testing.assert_frame_equal(r.coefficients, compare(w1, w2, prox, max_pairs=6000, seed=1).coefficients)
    # persistence is never sampled
    assert r.models["persistence"]["design"] == "full"


# ---------------------------------------------------------------------------------------
# evolution parameters and writing
# ---------------------------------------------------------------------------------------
def test_evolution_parameters_map_the_estimates():
    w1, w2, prox, _ = simulated_panel(n=200, directed=False, seed=11, b_cog=1.0)
    r = compare(w1, w2, prox)
    ev = evolution_parameters(r)
    o = ev["overrides"]
    key = "mechanisms.network_evolution."
    assert set(o) == {key + k for k in ("persistence", "cognitive_weight", "geo_weight",
                                        "closure_weight", "proximity_weight")}
    assert 0 < o[key + "persistence"] <= 1
    c = r.coefficients.set_index(["model", "term"])["coef"]
    assert o[key + "cognitive_weight"] == pytest.approx(math.expm1(c[("creation", "cognitive")]), abs=1e-4)
    assert o[key + "geo_weight"] == pytest.approx(math.expm1(c[("creation", "geographic")]), abs=1e-4)
    assert o[key + "closure_weight"] > 0 and o[key + "proximity_weight"] == 1.0
    assert set(ev["basis"]) == {"persistence", "cognitive_weight", "geo_weight", "closure_weight"}
    assert "dissolve_rate" in " ".join(ev["not_informed"]) and ev["caveat"]
    # without proximities little is informed
    bare = evolution_parameters(compare(w1, w2))
    assert bare["overrides"] == {}
    assert "persistence" in bare["not_informed"] and "cognitive_weight" in bare["not_informed"]


def test_persistence_mapping_is_the_constant_hazard_ratio():
    w1, w2, prox, _ = simulated_panel(n=120, directed=False, seed=2)
    r = compare(w1, w2, {"cognitive": prox["cognitive"]})
    c = r.coefficients.set_index(["model", "term"])["coef"]
    eta0 = c[("persistence", "const")] + c[("persistence", "closure")] * r.models["persistence"]["means"]["closure"]
    b = c[("persistence", "cognitive")]
    expect = 1 - math.log(expit(eta0 + b)) / math.log(expit(eta0))
    got = evolution_parameters(r)["overrides"]["mechanisms.network_evolution.persistence"]
    assert got == pytest.approx(max(0.0, min(1.0, expect)), abs=1e-4)


def test_write_creates_tables_summary_and_report(tmp_path):
    w1, w2, prox, _ = simulated_panel(n=60, seed=4)
    r = compare(w1, w2, prox)
    out = r.write(tmp_path / "cmp")
    names = {p.name for p in out.iterdir()}
    assert names == {"actors.csv", "ties.csv", "coefficients.csv", "summary.json", "report.html",
                     ".clusterlab-manifest.json"}
    s = json.loads((out / "summary.json").read_text())
    assert s["ties"]["created"] == r.tie_counts["created"]
    assert s["evolution_parameters"]["overrides"]
    coefs = pd.read_csv(out / "coefficients.csv")
    assert list(coefs.columns) == ["model", "term", "coef", "se", "z", "p", "se_ml", "z_ml", "p_ml",
                                   "se_twoway", "p_twoway", "p_qap"]
    ties = pd.read_csv(out / "ties.csv")
    assert set(ties["status"]) <= {"created", "persisted", "dissolved"} and len(ties) == len(r.ties)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folder left
    r.write(out, report=False)  # writing again replaces, and removes the report it no longer writes
    assert {p.name for p in out.iterdir()} == names - {"report.html"}
    with pytest.raises(ClusterlabError, match="not a folder"):
        r.write(out / "summary.json")


def test_separated_models_inform_no_parameters():
    # every wave-1 tie with cognitive proximity above 0.5 persists, all others dissolve
    w1, w2, prox, (A1, A2, G, C, cp) = simulated_panel(n=60, directed=False, seed=5)
    A2 = np.where(A1, C > 0.5, A2)
    np.fill_diagonal(A2, False)
    w2 = matrix_net(A2, w1.ids, False)
    with pytest.warns(ClusterlabWarning, match=r"persistence model: perfect or quasi-perfect separation by 'cognitive'"):
        r = compare(w1, w2, prox)
    info = r.models["persistence"]
    assert info["separating_terms"] == ["cognitive"]
    assert info["fitted"] and info["separation"] and "separation" in info["warning"]
    assert np.all(np.isfinite(r.coefficients[["coef", "se", "z", "p"]].to_numpy()))
    ev = evolution_parameters(r)
    assert "mechanisms.network_evolution.persistence" not in ev["overrides"]
    assert "(all from the persistence model)" in ev["not_informed"]
    json.dumps(r.summary())


def test_proximity_errors_name_the_file_they_come_from(tmp_path):
    w1, w2 = hand_waves()
    f = tmp_path / "geo.csv"
    f.write_text(",b,c,d\nb,1,0.5,0.2\nc,0.5,1,0.3\nd,0.2,0.3,1\n")
    with pytest.raises(CompareError) as err:
        compare(w1, w2, {"geo": read_proximity(f)})
    assert str(err.value).startswith(f"{f}: proximity 'geo': no row for 1 actor(s): 'e'"), str(err.value)

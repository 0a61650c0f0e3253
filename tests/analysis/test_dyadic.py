"""Tests of clusterlab.analysis.dyadic: cluster-robust, two-way and dyadic-robust standard
errors of a logit (checked against statsmodels, a test-only dependency) and QAP p-values."""

import time

import numpy as np
import pytest
from scipy.special import expit

from clusterlab.analysis.compare import compare
from clusterlab.analysis.dyadic import cluster_cov, dyadic_cov, qap_pvalues, twoway_cov
from clusterlab.analysis.logit import logit

sm = pytest.importorskip("statsmodels.api")


def dyads(n, seed, directed=False, sd_actor=1.0):
    """Dyadic data with actor random effects: x_ij = v_i + v_j + noise, y_ij from a logit
    with actor effects u_i + u_j (so both x and the errors are correlated within actors)."""
    rng = np.random.default_rng(seed)
    i, j = np.nonzero(~np.eye(n, dtype=bool)) if directed else np.triu_indices(n, 1)
    u, v = rng.normal(0, sd_actor, n), rng.normal(0, 1, n)
    x = v[i] + v[j] + rng.normal(0, 1, len(i))
    X = np.c_[np.ones(len(i)), x, rng.normal(size=len(i))]
    y = (rng.random(len(i)) < expit(-0.5 + 0.5 * x + u[i] + u[j])).astype(float)
    return X, y, i, j


@pytest.mark.parametrize("correction", [True, False])
@pytest.mark.parametrize("seed", [0, 1])
def test_one_way_cluster_equals_statsmodels(seed, correction):
    X, y, i, j = dyads(30, seed)
    r = logit(X, y)
    ref = sm.Logit(y, X).fit(disp=0, cov_type="cluster", cov_kwds={"groups": i, "use_correction": correction})
    np.testing.assert_allclose(r.coef, ref.params, rtol=1e-8)
    np.testing.assert_allclose(cluster_cov(X, y, r.coef, i, correction=correction), ref.cov_params(),
                               rtol=1e-8, atol=1e-14)
    # and it is not the naive covariance
    assert not np.allclose(np.sqrt(np.diag(ref.cov_params())), r.se, rtol=0.02)


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("correction", [True, False])
def test_two_way_cluster_equals_statsmodels(directed, correction):
    X, y, i, j = dyads(25, 3, directed=directed)
    r = logit(X, y)
    ref = sm.Logit(y, X).fit(disp=0, cov_type="cluster",
                             cov_kwds={"groups": np.c_[i, j], "use_correction": correction})
    mine = twoway_cov(X, y, r.coef, i, j, correction=correction)
    np.testing.assert_allclose(mine, ref.cov_params(), rtol=1e-8, atol=1e-14)
    # the same from three one-way statsmodels fits, V_a + V_b - V_ab (the intersection is the dyad)
    one = [sm.Logit(y, X).fit(disp=0, cov_type="cluster", cov_kwds={"groups": g, "use_correction": correction})
           .cov_params() for g in (i, j, i * 1000 + j)]
    np.testing.assert_allclose(mine, one[0] + one[1] - one[2], rtol=1e-8, atol=1e-14)


def test_dyadic_equals_two_way_when_no_actor_is_in_both_positions():
    # bipartite dyads: first actors 0..19, second actors 100..119, so no actor appears in
    # both positions and no two dyads share both actors: uncorrected dyadic = two-way
    rng = np.random.default_rng(5)
    i, j = np.meshgrid(np.arange(20), np.arange(100, 120), indexing="ij")
    i, j = i.ravel(), j.ravel()
    u = rng.normal(size=120)
    x = rng.normal(size=len(i)) + u[i]
    X = np.c_[np.ones(len(i)), x]
    y = (rng.random(len(i)) < expit(0.3 * x + u[i] + u[j])).astype(float)
    r = logit(X, y)
    ref = sm.Logit(y, X).fit(disp=0, cov_type="cluster", cov_kwds={"groups": np.c_[i, j], "use_correction": False})
    V, clipped = dyadic_cov(X, y, r.coef, i, j, correction=False)
    assert not clipped
    np.testing.assert_allclose(V, ref.cov_params(), rtol=1e-8, atol=1e-14)


@pytest.mark.parametrize("directed", [False, True])
def test_dyadic_meat_is_the_sum_over_dyad_pairs_sharing_an_actor(directed):
    X, y, i, j = dyads(12, 8, directed=directed)
    r = logit(X, y)
    p = expit(X @ r.coef)
    s = X * (y - p)[:, None]
    share = ((i[:, None] == i[None, :]) | (i[:, None] == j[None, :]) | (j[:, None] == i[None, :])
             | (j[:, None] == j[None, :]))
    M = s.T @ share.astype(float) @ s
    B = np.linalg.inv((X * (p * (1 - p))[:, None]).T @ X)
    n, k = X.shape
    A = 12
    expect = B @ M @ B * A / (A - 1) * (n - 1) / (n - k)
    V, clipped = dyadic_cov(X, y, r.coef, i, j)
    assert not clipped
    np.testing.assert_allclose(V, expect, rtol=1e-9)
    # it covers what two-way clustering misses (first actor of one = second of another)
    assert not np.allclose(V, twoway_cov(X, y, r.coef, i, j), rtol=1e-3)


def test_dyadic_se_tracks_the_monte_carlo_sd_and_naive_se_is_too_small():
    t0 = time.perf_counter()
    reps, n = 300, 50
    est, naive, robust, twoway = [], [], [], []
    for rep in range(reps):
        X, y, i, j = dyads(n, 1000 + rep, sd_actor=1.0)
        r = logit(X, y)
        est.append(r.coef[1])
        naive.append(r.se[1])
        robust.append(np.sqrt(dyadic_cov(X, y, r.coef, i, j)[0][1, 1]))
        twoway.append(np.sqrt(twoway_cov(X, y, r.coef, i, j)[1, 1]))
    sd = float(np.std(est, ddof=1))
    ratio_naive = float(np.mean(naive)) / sd
    ratio_robust = float(np.mean(robust)) / sd
    ratio_twoway = float(np.mean(twoway)) / sd
    print(f"MC sd {sd:.4f}; mean se / MC sd: naive {ratio_naive:.3f}, dyadic {ratio_robust:.3f}, "
          f"two-way {ratio_twoway:.3f}")
    assert ratio_naive < 0.6  # the naive SE understates the variability
    assert abs(ratio_robust - 1) < 0.15  # the dyadic-robust one is near it (slightly low: 50 actors)
    assert abs(ratio_robust - 1) < abs(ratio_naive - 1)
    assert ratio_twoway < ratio_robust  # two-way clustering misses part of the dependence
    # coverage of 95% intervals
    est, robust, naive = map(np.asarray, (est, robust, naive))
    truth = 0.5
    cover_naive = np.mean(np.abs(est - truth) < 1.96 * naive)
    cover_robust = np.mean(np.abs(est - truth) < 1.96 * robust)
    assert cover_robust > cover_naive
    assert time.perf_counter() - t0 < 10


def test_qap_p_values_are_uniformish_under_the_null_and_small_for_a_real_effect():
    rng = np.random.default_rng(0)
    n = 25
    i, j = np.triu_indices(n, 1)
    P = rng.random((n, n))
    P = (P + P.T) / 2
    Q = rng.random((n, n))
    Q = (Q + Q.T) / 2
    y = (rng.random(len(i)) < expit(-1 + 3.0 * P[i, j])).astype(float)  # Q has no effect

    def design(a, b):
        return np.c_[np.ones(len(a)), P[a, b], Q[a, b]]

    X = design(i, j)
    pv = qap_pvalues(X, y, ["const", "P", "Q"], lambda perm: design(perm[i], perm[j]), n, 199,
                     np.random.default_rng(1))
    assert set(pv) == {"P", "Q"}
    assert pv["P"] == pytest.approx(1 / 200)  # no permutation reaches the real effect
    assert pv["Q"] > 0.05
    # reproducible with the same seed, different with another
    again = qap_pvalues(X, y, ["const", "P", "Q"], lambda perm: design(perm[i], perm[j]), n, 199,
                        np.random.default_rng(1))
    assert again == pv


def test_compare_reports_dyadic_se_by_default_and_qap_on_request():
    rng = np.random.default_rng(3)
    n = 30
    from clusterlab.data import ClusterNetwork
    import pandas as pd

    xy = rng.uniform(0, 10, (n, 2))
    G = np.exp(-np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)) / 3)
    A1 = np.triu(rng.random((n, n)) < expit(-2 + 2 * G), 1)
    A2 = np.triu(np.where(A1, rng.random((n, n)) < 0.6, rng.random((n, n)) < expit(-3 + 3 * G)), 1)
    ids = np.array([f"a{k}" for k in range(n)], dtype=object)
    w1 = ClusterNetwork(ids, *np.nonzero(A1), np.ones(A1.sum()), directed=False)
    w2 = ClusterNetwork(ids, *np.nonzero(A2), np.ones(A2.sum()), directed=False)
    lab = list(ids)
    prox = {"geographic": pd.DataFrame(G, lab, lab)}
    r = compare(w1, w2, prox, permutations=99, seed=4)
    c = r.coefficients.set_index(["model", "term"])
    assert "dyadic-robust" in r.models["creation"]["se_type"]
    assert r.models["creation"]["qap"]["permutations"] == 99
    q = c["p_qap"].drop("const", level="term")
    assert q.between(0.01, 1).all() and q.notna().all()
    assert c.loc[("creation", "geographic"), "p_qap"] < 0.05
    assert c.loc[[("creation", "const"), ("persistence", "const")], "p_qap"].isna().all()
    assert not np.allclose(c["se"], c["se_ml"])
    np.testing.assert_allclose(c["z"], c["coef"] / c["se"])
    # without permutations no QAP column values
    assert compare(w1, w2, prox).coefficients["p_qap"].isna().all()

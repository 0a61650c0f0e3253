"""Inference for logits over dyads (pairs of actors), which are not independent: two pairs
that share an actor share that actor's unobserved propensities (Kenny, Kashy & Cook 2006,
*Dyadic Data Analysis*). The naive maximum-likelihood standard errors then understate the
sampling variability of the coefficients. This module gives three remedies, all for a logit
already fitted (coefficients ``beta`` at the MLE):

Sandwich estimators, V = B M B with the bread B = (X' W X)^-1 (the inverse Hessian, W =
diag(p (1 - p))) and a "meat" M built from the per-dyad scores s_d = x_d (y_d - p_d):

- `cluster_cov(X, y, beta, groups)`: one-way cluster-robust (CRV1), M = sum_g S_g S_g'
  with S_g the sum of the scores of cluster g, times the small-sample factor
  G/(G-1) * (n-1)/(n-k) (Stata's and statsmodels' ``use_correction=True``).
- `twoway_cov(X, y, beta, a, b)`: two-way (multiway) clustering by the first actor a and the
  second actor b of each dyad (Cameron, Gelbach & Miller 2011, "Robust inference with
  multiway clustering", J. Bus. Econ. Stat. 29(2)): V = V_a + V_b - V_ab, each one-way
  term with its own small-sample factor, V_ab clustered by the intersection (a, b), which
  is the dyad itself. Equal to statsmodels' ``cov_type="cluster"`` with a two-column
  ``groups``. It counts two dyads as dependent when they share their FIRST actors or their
  SECOND actors, but not when the first actor of one is the second of the other: for
  undirected pairs stored as (i < j), (1, 2) and (2, 3) both involve actor 2 and are
  treated as independent, so it misses part of the dependence.
- `dyadic_cov(X, y, beta, a, b)`: dyadic-robust (Fafchamps & Gubert 2007, "The formation of
  risk sharing networks", J. Dev. Econ. 83(2); Aronow, Samii & Assenova 2015,
  "Cluster-robust variance estimation for dyadic data", Political Analysis 23(4)): the meat
  sums s_d s_d'' over every two dyads d, d' that share at least one actor, in either
  position. With S_i the sum of the scores of the dyads involving actor i and Q_{ij} the
  sum over the dyads of the unordered pair {i, j} (the dyad itself, or both directions),

      M = sum_i S_i S_i' - sum_{i<j} Q_ij Q_ij'

  (a dyad pair sharing both actors is counted twice in the first sum). Small-sample factor
  A/(A-1) * (n-1)/(n-k), A the number of actors, by analogy with CRV1. This is the
  estimator `clusterlab compare` reports as ``se`` by default, because it is the one that
  covers all the dependence the actor-sharing structure implies, whatever the order in
  which a pair's actors are stored. When every dyad's first actor comes from one set and
  its second from another (a bipartite design), no actor appears in both positions and the
  uncorrected dyadic and two-way estimators coincide (a test checks this).

A multiway or dyadic meat need not be positive semi-definite; as Cameron, Gelbach & Miller
(2011, section 2.3) suggest, negative eigenvalues of V are then set to 0 (``clipped``).

Permutation (QAP) p-values, `qap_pvalues`: node-label permutation tests (Krackhardt 1988,
"Predicting with networks: nonparametric multiple regression analysis of dyadic data",
Social Networks 10(4)), in the double semi-partialling form of Dekker, Krackhardt & Snijders
(2007, "Sensitivity of MRQAP tests to collinearity and autocorrelation conditions",
Psychometrika 72(4)): for each term k, regress (OLS, over the model's dyads) X_k on the
other columns Z, giving the residual matrix E_k = X_k - Z g (defined for every ordered pair
of actors, as the covariates are); permute the actor labels of E_k (the same permutation for
rows and columns); refit the logit of y on Z and the permuted E_k over the model's dyads;
the p-value is (1 + #{|z_perm| >= |z_obs|}) / (1 + N), z the Wald statistic of the
permuted term (the statistic is pivotal, as Dekker et al. recommend). The observed fit on
[Z, E_k] is a reparametrisation of the fit on X, so z_obs is the term's ordinary z. The
permutations come from a seeded NumPy Generator.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import numpy as np
from scipy.special import expit

from .logit import _inverse, logit

__all__ = ["cluster_cov", "twoway_cov", "dyadic_cov", "qap_pvalues", "bread_scores"]


def bread_scores(X, y, beta) -> tuple[np.ndarray, np.ndarray]:
    """The inverse Hessian (X' W X)^-1 of the logit at beta and the per-row scores x (y - p)."""
    X = np.asarray(X, np.float64)
    p = expit(X @ np.asarray(beta, np.float64))
    H = (X * (p * (1.0 - p))[:, None]).T @ X
    B, _ = _inverse(H)
    return B, X * (np.asarray(y, np.float64) - p)[:, None]


def _codes(groups) -> tuple[np.ndarray, int]:
    _, inv = np.unique(np.asarray(groups), return_inverse=True)
    inv = inv.ravel()
    return inv, int(inv.max()) + 1 if len(inv) else 0


def _meat_oneway(scores: np.ndarray, groups) -> tuple[np.ndarray, int]:
    g, G = _codes(groups)
    S = np.zeros((G, scores.shape[1]))
    np.add.at(S, g, scores)
    return S.T @ S, G


def _psd(V: np.ndarray) -> tuple[np.ndarray, bool]:
    V = 0.5 * (V + V.T)
    w, Q = np.linalg.eigh(V)
    if w.min(initial=0.0) >= -1e-12 * max(1.0, abs(w).max(initial=0.0)):
        return V, False
    return (Q * np.clip(w, 0.0, None)) @ Q.T, True


def _factor(G: int, n: int, k: int, correction: bool) -> float:
    if not correction:
        return 1.0
    if G < 2 or n <= k:
        return math.nan
    return G / (G - 1.0) * (n - 1.0) / (n - k)


def cluster_cov(X, y, beta, groups, *, correction: bool = True) -> np.ndarray:
    """One-way cluster-robust covariance (CRV1) of a logit's coefficients (see the module
    docstring); correction: the factor G/(G-1) * (n-1)/(n-k), as statsmodels'
    ``use_correction=True``."""
    B, s = bread_scores(X, y, beta)
    M, G = _meat_oneway(s, groups)
    return B @ M @ B * _factor(G, *s.shape, correction)


def twoway_cov(X, y, beta, a, b, *, correction: bool = True, psd: bool = False) -> np.ndarray:
    """Two-way cluster-robust covariance V_a + V_b - V_ab (Cameron, Gelbach & Miller 2011),
    clustered by the dyads' first actors `a` and second actors `b`, each term with its own
    small-sample factor (statsmodels' ``cov_cluster_2groups``). psd: clip negative
    eigenvalues to 0."""
    B, s = bread_scores(X, y, beta)
    n, k = s.shape
    a, b = np.asarray(a), np.asarray(b)
    _, ab = np.unique(np.c_[a, b], axis=0, return_inverse=True)
    V = np.zeros((k, k))
    for groups, sign in ((a, 1.0), (b, 1.0), (ab.ravel(), -1.0)):
        M, G = _meat_oneway(s, groups)
        V += sign * (B @ M @ B) * _factor(G, n, k, correction)
    return _psd(V)[0] if psd else V


def dyadic_cov(X, y, beta, a, b, *, correction: bool = True) -> tuple[np.ndarray, bool]:
    """Dyadic-robust covariance (Fafchamps & Gubert 2007; Aronow, Samii & Assenova 2015):
    the meat sums the score products of every two dyads sharing an actor in any position
    (see the module docstring). `a`, `b`: the dyads' two actors (integer codes or labels;
    directed dyads (i, j) and (j, i) count as sharing both actors). Returns (V, clipped),
    clipped = negative eigenvalues were set to 0."""
    B, s = bread_scores(X, y, beta)
    n, k = s.shape
    a, b = np.asarray(a), np.asarray(b)
    actors, inv = np.unique(np.r_[a, b], return_inverse=True)
    inv = inv.ravel()
    ia, ib = inv[:n], inv[n:]
    A = len(actors)
    S = np.zeros((A, k))
    np.add.at(S, ia, s)
    np.add.at(S, ib, s)
    lo, hi = np.minimum(ia, ib), np.maximum(ia, ib)
    Mq, _ = _meat_oneway(s, lo * max(A, 1) + hi)
    M = S.T @ S - Mq
    return _psd(B @ M @ B * _factor(A, n, k, correction))


def qap_pvalues(X, y, names: list[str], pair_design: Callable[[np.ndarray], np.ndarray], n_actors: int,
                permutations: int, rng: np.random.Generator, *, skip=("const",)) -> dict[str, float]:
    """Double-semi-partialling QAP p-values (Dekker, Krackhardt & Snijders 2007) of each
    column of X not in `skip` (see the module docstring).

    pair_design(perm): the design matrix (same columns as X) of the model's dyads with both
    actors relabelled by `perm` (an array mapping actor code -> actor code), i.e. the
    covariates of the pairs (perm[a], perm[b]).
    """
    X = np.asarray(X, np.float64)
    y = np.asarray(y, np.float64)
    k = X.shape[1]
    terms = [c for c in range(k) if names[c] not in skip]
    if permutations < 1 or not terms:
        return {}
    gammas, zobs = {}, {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        full = logit(X, y, names=names)
        for c in terms:
            others = [j for j in range(k) if j != c]
            Z = X[:, others]
            gammas[c] = (others, np.linalg.lstsq(Z, X[:, c], rcond=None)[0])
            zobs[c] = abs(float(full.z[c]))
        exceed = dict.fromkeys(terms, 0)
        for _ in range(int(permutations)):
            perm = rng.permutation(n_actors)
            Xp = pair_design(perm)
            for c in terms:
                others, g = gammas[c]
                E = Xp[:, c] - Xp[:, others] @ g
                # a constant permuted column explains nothing: z = 0
                zp = abs(float(logit(np.c_[X[:, others], E], y).z[-1])) if np.ptp(E) > 0 else 0.0
                if zp >= zobs[c] - 1e-12 * max(1.0, zobs[c]):
                    exceed[c] += 1
    return {names[c]: (1.0 + exceed[c]) / (1.0 + permutations) for c in terms}

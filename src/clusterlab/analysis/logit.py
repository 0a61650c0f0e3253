"""Logistic regression by maximum likelihood: Newton-Raphson (= iteratively reweighted least
squares) with step halving, frequency weights, and finite output under separation.

With eta = X b and p = 1 / (1 + exp(-eta)), the weighted log-likelihood and its Newton step:

    l(b) = sum_i w_i (y_i eta_i - ln(1 + exp(eta_i)))
    b   <- b + t (X' V X)^-1 X' w (y - p),     V = diag(w p (1 - p)),  t halved until l rises

Standard errors are the square roots of the diagonal of (X' V X)^-1 at the estimate.
References: McCullagh, P. & Nelder, J.A. (1989) *Generalized Linear Models*, 2nd ed.,
Chapman & Hall, ch. 4; Albert, A. & Anderson, J.A. (1984) On the existence of maximum
likelihood estimates in logistic regression models, *Biometrika* 71(1) (separation);
McFadden, D. (1974) Conditional logit analysis of qualitative choice behavior (pseudo R^2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit
from scipy.stats import norm

__all__ = ["LogitResult", "logit"]


@dataclass
class LogitResult:
    """A fitted logit. All arrays have one entry per column of X, in its order.

    coef, se, z, p:  estimates, standard errors (square roots of the diagonal of the inverse
                     of the (weighted) Hessian of the log-likelihood at the estimate), Wald z
                     and two-sided normal p-values
    loglik:          log-likelihood at the estimate; loglik_null: of the intercept-only model
                     (the weighted share of ones as the probability)
    n:               rows used; n_events: rows with y = 1 (weighted sums when weights given)
    converged:       the Newton steps became negligible
    separation:      perfect or quasi-perfect separation: some fitted probabilities reached
                     0 or 1 and the estimates were running away; they are where iteration
                     stopped (finite, but the separating terms' true MLE is infinite)
    singular:        the Hessian was (near) singular (collinear columns, or separation); a
                     tiny ridge was added to invert it, so the SEs are finite but very large
    """

    names: list[str]
    coef: np.ndarray
    se: np.ndarray
    z: np.ndarray
    p: np.ndarray
    loglik: float
    loglik_null: float
    n: int
    n_events: float
    converged: bool
    separation: bool
    singular: bool
    iterations: int
    warning: str = ""

    def table(self) -> pd.DataFrame:
        return pd.DataFrame({"term": self.names, "coef": self.coef, "se": self.se, "z": self.z, "p": self.p})

    @property
    def pseudo_r2(self) -> float:
        """McFadden's pseudo R^2, 1 - loglik / loglik_null (0 when the null is perfect)."""
        return float(1.0 - self.loglik / self.loglik_null) if self.loglik_null < 0 else 0.0


def _loglik(X, y, w, beta) -> float:
    eta = X @ beta
    return float(np.sum(w * (y * eta - np.logaddexp(0.0, eta))))


def _inverse(H: np.ndarray) -> tuple[np.ndarray, bool]:
    """Inverse of a symmetric positive semi-definite matrix; a tiny ridge (relative to the
    scaled matrix) when it is singular or badly conditioned."""
    k = len(H)
    d = np.sqrt(np.clip(np.diag(H), 1e-300, None))
    Hs = H / d[:, None] / d[None, :]
    singular = not np.all(np.isfinite(Hs)) or np.linalg.cond(Hs) > 1e12
    if singular:
        Hs = np.nan_to_num(Hs) + 1e-8 * np.eye(k)
    try:
        inv = np.linalg.inv(Hs)
    except np.linalg.LinAlgError:
        inv, singular = np.linalg.pinv(Hs + 1e-6 * np.eye(k)), True
    return inv / d[:, None] / d[None, :], singular


def logit(X, y, weights=None, *, names: list[str] | None = None, max_iter: int = 100,
          tol: float = 1e-10) -> LogitResult:
    """Maximum-likelihood logit of y (0/1) on the columns of X (include a constant column
    yourself) by Newton-Raphson (= IRLS) with step halving.

    weights are frequency weights (a row with weight 2 counts as two rows). Perfect or
    quasi-perfect separation stops the iteration with ``separation=True`` and a warning text:
    the output stays finite (no NaN, no exception).
    """
    X = np.asarray(X, np.float64)
    y = np.asarray(y, np.float64)
    if X.ndim == 1:
        X = X[:, None]
    n, k = X.shape
    if y.shape != (n,):
        raise ValueError(f"y has shape {y.shape}, X has {n} rows")
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("y must be 0 or 1")
    if not np.all(np.isfinite(X)):
        raise ValueError("X has non-finite values")
    w = np.ones(n) if weights is None else np.asarray(weights, np.float64)
    if w.shape != (n,) or not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("weights must be finite, non-negative, one per row")
    names = [f"x{j}" for j in range(k)] if names is None else list(names)
    if len(names) != k:
        raise ValueError(f"{len(names)} names for {k} columns")
    beta = np.zeros(k)
    ll = _loglik(X, y, w, beta)
    converged = separation = singular = False
    it = 0
    prev_step = np.inf
    running = 0  # consecutive iterations with saturated fits and undiminished steps
    for it in range(1, max_iter + 1):
        eta = X @ beta
        p = expit(eta)
        grad = X.T @ (w * (y - p))
        H = (X * (w * p * (1.0 - p))[:, None]).T @ X
        Hinv, singular = _inverse(H)
        step = Hinv @ grad
        t = 1.0
        while True:
            new = beta + t * step
            ll_new = _loglik(X, y, w, new)
            if ll_new >= ll - 1e-12 * (1.0 + abs(ll)) or t < 1e-8:
                break
            t *= 0.5
        size = float(np.max(np.abs(t * step))) if k else 0.0
        gain = ll_new - ll
        beta, ll = new, max(ll_new, ll) if t < 1e-8 else ll_new
        if size <= tol * (1.0 + float(np.max(np.abs(beta), initial=0.0))) or (
                size < 1e-7 and abs(gain) <= 1e-13 * (1.0 + abs(ll))):  # rounding floor on big data
            converged = True
            break
        eta = X @ beta
        saturated = np.any((np.abs(eta) > 30) & ((eta > 0) == (y == 1)))
        running = running + 1 if saturated and size > 0.5 * prev_step and size > 1e-3 else 0
        prev_step = size
        if running >= 5 or (saturated and ll > -1e-10 * max(1.0, w.sum())):
            separation = True
            break
    eta = X @ beta
    p = expit(eta)
    H = (X * (w * p * (1.0 - p))[:, None]).T @ X
    cov, sing = _inverse(H)
    singular = singular or sing
    if not converged and not separation and np.any((np.abs(eta) > 30) & ((eta > 0) == (y == 1))):
        separation = True
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    se = np.where(np.isfinite(se), se, np.finfo(float).max)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, beta / se, 0.0)
    z = np.nan_to_num(z)
    pval = 2.0 * norm.sf(np.abs(z))
    ybar = float(np.sum(w * y) / w.sum()) if w.sum() > 0 else 0.0
    ll0 = 0.0
    if 0 < ybar < 1:
        ll0 = float(w.sum() * (ybar * math.log(ybar) + (1 - ybar) * math.log(1 - ybar)))
    msgs = []
    if separation:
        msgs.append("perfect or quasi-perfect separation: some fitted probabilities are 0 or 1; "
                    "estimates are where iteration stopped, the separating terms' MLE is infinite")
    elif not converged:
        msgs.append(f"did not converge in {max_iter} iterations")
    if singular and not separation:
        msgs.append("singular Hessian (collinear terms?): standard errors are unreliable")
    return LogitResult(names=names, coef=beta, se=se, z=z, p=pval, loglik=float(ll), loglik_null=ll0,
                       n=int(n), n_events=float(np.sum(w * y)), converged=converged,
                       separation=separation, singular=singular, iterations=it,
                       warning="; ".join(msgs))

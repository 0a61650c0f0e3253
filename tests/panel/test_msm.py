"""Known-answer tests of the method-of-simulated-moments engine (clusterlab.panel.msm) on toy
stochastic models whose estimator and standard error are known analytically."""

import math

import numpy as np
import pytest

from clusterlab.panel.msm import MSMError, Parameter, Problem, Settings, draw_seed, estimate

A = np.array([[2.0, 0.5], [-0.3, 1.5]])
SIGMA = np.array([[1.0, 0.3], [0.3, 0.5]])
L = np.linalg.cholesky(SIGMA)


class Linear:
    """s = A theta + e, e ~ N(0, SIGMA): the MSM estimate solves A theta = s_obs, with
    covariance A^-1 SIGMA A^-T."""

    def __call__(self, theta, seed):
        rng = np.random.default_rng(seed)
        return A @ np.asarray(theta) + L @ rng.standard_normal(2)


class PoissonMean:
    """s = the mean of m Poisson(lam) counts and the mean of m N(mu, 2^2) draws: estimates
    lam = s1, mu = s2, with SE sqrt(lam / m) and 2 / sqrt(m)."""

    def __init__(self, m):
        self.m = m

    def __call__(self, theta, seed):
        rng = np.random.default_rng(seed)
        lam, mu = theta
        return np.array([rng.poisson(lam, self.m).mean(), rng.normal(mu, 2.0, self.m).mean()])


class Bernoulli:
    """s = the share of successes in m Bernoulli(p) draws (logit transform)."""

    def __init__(self, m):
        self.m = m

    def __call__(self, theta, seed):
        rng = np.random.default_rng(seed)
        return np.array([(rng.random(self.m) < theta[0]).mean()])


def test_linear_model_solves_the_moment_equation_with_the_analytic_se():
    truth = np.array([1.0, -2.0])
    obs = Linear()(truth, 12345)
    prob = Problem([Parameter("a", 0.0), Parameter("b", 0.0)], ["s1", "s2"], obs, Linear())
    res = estimate(prob, Settings(seed=3, n3=1000, n3_deriv=200))
    exact = np.linalg.solve(A, obs)                       # the exact moment estimator
    se = np.sqrt(np.diag(np.linalg.inv(A) @ SIGMA @ np.linalg.inv(A).T))
    assert res.converged, res.verdict()
    assert np.all(np.abs(res.theta - exact) < 0.1 * se)   # it solves the equation
    assert np.all(np.abs(res.theta - truth) < 3 * se)     # and the truth is within its error
    assert np.allclose(res.se, se, rtol=0.1)              # SE = A^-1 Sigma A^-T, within MC error
    assert np.allclose(res.derivative, A, atol=1e-9)      # CRN: finite differences are exact here


def test_poisson_and_normal_means_with_log_transform():
    m = 50
    truth = np.array([4.0, 1.5])
    model = PoissonMean(m)
    obs = model(truth, 777)
    prob = Problem([Parameter("lam", 1.0, lower=0.0, transform="log"), Parameter("mu", 0.0)],
                   ["mean_count", "mean_normal"], obs, model)
    res = estimate(prob, Settings(seed=5, n3=1000, n3_deriv=200))
    se = np.array([math.sqrt(obs[0] / m), 2.0 / math.sqrt(m)])
    assert res.converged, res.verdict()
    assert np.all(np.abs(res.theta - obs) < 0.15 * se)    # the estimator is the observed mean
    assert np.all(np.abs(res.theta - truth) < 3 * se)
    assert np.allclose(res.se, se, rtol=0.12)


def test_bernoulli_share_with_logit_transform():
    m = 200
    model = Bernoulli(m)
    obs = model([0.3], 99)
    prob = Problem([Parameter("p", 0.5, lower=0.0, upper=1.0, transform="logit")], ["share"], obs, model)
    res = estimate(prob, Settings(seed=2, n3=1000, n3_deriv=200))
    se = math.sqrt(obs[0] * (1 - obs[0]) / m)
    assert res.converged, res.verdict()
    assert abs(res.theta[0] - obs[0]) < 0.15 * se
    assert abs(res.theta[0] - 0.3) < 3 * se
    assert res.se[0] == pytest.approx(se, rel=0.15)


def test_a_parameter_its_statistic_ignores_is_dropped_and_kept_at_start():
    def model(theta, seed):
        rng = np.random.default_rng(seed)
        return np.array([theta[0] + rng.standard_normal(), rng.standard_normal()])  # s2 ignores theta[1]

    prob = Problem([Parameter("a", 0.0), Parameter("b", 7.0)], ["s1", "s2"], [1.0, 0.0], model)
    res = estimate(prob, Settings(seed=1, n3=300))
    assert list(res.estimated) == [True, False]
    assert res.theta[1] == 7.0 and math.isnan(res.se[1])
    assert "b" in res.dropped
    assert abs(res.theta[0] - 1.0) < 0.15


def test_same_seed_same_estimate_serial_and_on_a_pool():
    obs = Linear()(np.array([0.5, 0.5]), 1)
    prob = Problem([Parameter("a", 0.0), Parameter("b", 0.0)], ["s1", "s2"], obs, Linear())
    st = Settings(seed=9, n1=10, nsub=2, n2extra=10, n3=40, n3_deriv=10)
    serial = estimate(prob, st)
    pooled = estimate(prob, st, executor="pool", workers=2)
    assert np.array_equal(serial.theta, pooled.theta)
    assert np.array_equal(serial.se, pooled.se)
    assert serial.draws == pooled.draws


def test_signed_log_transform_and_scale():
    """"asinh" covers both signs, acts like the log scale beyond its scale and like "none"
    near 0; "none" with a scale steps by h * scale."""
    q = Parameter("w", 0.0, -100.0, 100.0, "asinh")
    for v in (-30.0, -1.0, 0.0, 0.3, 4.0, 99.0):
        assert math.isclose(q.to_theta(q.to_eta(v)), v, abs_tol=1e-12)
    e = q.to_eta(4.0)
    assert math.isclose(q.dtheta(e), math.hypot(4.0, 1.0))   # a step h moves 4 by about h * 4.1
    assert math.isclose(q.dtheta(q.to_eta(0.0)), 1.0)
    assert q.to_theta(50.0) == 100.0 and q.to_theta(-50.0) == -100.0   # clipped to the bounds
    lin = Parameter("v", 3.0, transform="none", scale=2.0)
    assert lin.to_eta(3.0) == 1.5 and lin.to_theta(1.5) == 3.0 and lin.dtheta(0.0) == 2.0
    with pytest.raises(MSMError, match="scale"):
        Parameter("v", 1.0, scale=0.0)


def test_malformed_problems_are_refused():
    with pytest.raises(MSMError, match="one statistic per parameter"):
        Problem([Parameter("a", 0.0)], ["s1", "s2"], [0.0, 1.0], Linear())
    with pytest.raises(MSMError, match="outside"):
        Parameter("a", -1.0, lower=0.0, transform="log")
    with pytest.raises(MSMError, match="finite bounds"):
        Parameter("a", 0.5, transform="logit")
    assert draw_seed(1, 2, 3, 4) == draw_seed(1, 2, 3, 4) != draw_seed(1, 2, 3, 5)


def test_a_parameter_that_runs_to_its_bound_is_fixed_there_and_the_others_reestimated():
    # s1 = a + noise with a >= 0 cannot reach the observed -1: a runs to 0 and is fixed there;
    # b (s2 = b + 0.5 a + noise) is then estimated alone and converges to 2
    def model(theta, seed):
        rng = np.random.default_rng(seed)
        a, b = theta
        return np.array([a + 0.3 * rng.standard_normal(), b + 0.5 * a + 0.3 * rng.standard_normal()])

    prob = Problem([Parameter("a", 1.0, 0.0, math.inf, "log"), Parameter("b", 0.0)], ["s1", "s2"], [-1.0, 2.0], model)
    res = estimate(prob, Settings(seed=2, n1=30, n3=300, n3_deriv=40, runs=2))
    assert res.fixed == {"a": 0.0} and "ran to its bound 0" in res.dropped["a"]
    assert list(res.estimated) == [False, True] and res.theta[0] == 0.0
    assert abs(res.theta[1] - 2.0) < 0.1 and res.se[1] == pytest.approx(0.3, rel=0.2)  # SE: the noise sd / 1
    assert res.converged
    assert any("fixed at 0" in w for w in res.warnings)


class Exits:
    """s1: exits among 30 firms, each leaving with probability 1 / (1 + exp(-a)); s2: one
    N(mu, 1) draw. Observed no exits: a runs down until (almost) nobody leaves, where exits
    no longer respond to it."""

    def __call__(self, theta, seed):
        rng = np.random.default_rng(seed)
        a, mu = theta
        return np.array([float((rng.random(30) < 1 / (1 + np.exp(-a))).sum()), rng.normal(mu, 1.0)])


def test_a_statistic_at_the_edge_gives_no_standard_error_and_spares_the_others():
    # before: the derivative matrix was singular and neither parameter had a standard error
    # (on a 30-firm panel without exits the exit threshold got a standard error of 0)
    prob = Problem([Parameter("a", -2.0), Parameter("mu", 0.0)], ["exits", "mean"], [0.0, 0.5], Exits())
    res = estimate(prob, Settings(seed=1))
    assert res.theta[0] < -5 and np.isnan(res.se[0])
    assert res.se[1] == pytest.approx(1.0, rel=0.2)      # one N(mu, 1) draw observed
    assert any(w.startswith("a: its statistic exits") for w in res.warnings), res.warnings


def test_a_statistic_that_does_not_vary_is_judged_by_its_t_ratio_alone():
    from clusterlab.panel.msm import _phase3

    rng = np.random.default_rng(0)
    S3 = np.column_stack([np.zeros(200), rng.normal(0.5, 1.0, 200)])   # no exits in any draw
    *_, t, ratio, _, converged = _phase3(S3, np.array([0.0, 0.5]), np.array([0, 1]))
    assert t[0] == 0 and np.isfinite(ratio) and ratio == pytest.approx(abs(t[1]), rel=1e-9)
    *_, t, ratio, _, converged = _phase3(S3, np.array([1.0, 0.5]), np.array([0, 1]))
    assert np.isinf(t[0]) and not converged   # it never reaches the observed 1


def test_a_log_scale_parameter_near_zero_is_at_its_bound():
    from clusterlab.panel.msm import Parameter, at_bound

    q = Parameter("geo_weight", 4.0, lower=0, transform="log")
    assert at_bound(q, 0.001007) == 0.0  # 3.7 log units below a start of 4: as good as 0
    assert at_bound(q, 0.01) is None
    logit = Parameter("decay", 0.5, lower=0.0, upper=1.0, transform="logit")
    assert at_bound(logit, 0.00005) == 0.0 and at_bound(logit, 0.001) is None  # bounded ranges as before


def test_a_bound_reached_the_wrong_way_is_told_from_one_the_data_ask_for():
    from clusterlab.panel.msm import wrong_way

    q = Parameter("proposals", 0.5, lower=0, transform="log")
    # at its lower bound 0: created 0 simulated, 26 observed, and created rises with proposals
    # (phase 1's derivative 8.2): moving back inside brings created toward 26, so 0 was reached
    # the wrong way
    assert wrong_way(q, 1e-7, 8.2, 0.0 - 26.0)
    # geo_weight at 0 with the simulated new ties still more local than observed (7.6 vs 3.4)
    # and locality rising with it: the data ask for the bound
    assert not wrong_way(Parameter("geo_weight", 4.0, lower=0, transform="log"), 1e-7, 3.1, 7.6 - 3.4)
    w = Parameter("ask_size", 0.0, -100.0, 100.0, "asinh")
    assert wrong_way(w, -100.0, 0.4, 0.0 - 0.68)       # upper side is inside: -100 the wrong way
    assert not wrong_way(w, 100.0, 0.4, 0.95 - 0.99)   # at 100 still below the observed: a bound asked for
    assert wrong_way(w, 100.0, 0.4, 0.99 - 0.5)        # at 100 above it: the wrong way
    assert not wrong_way(q, 0.3, 8.2, -26.0)           # not at a bound
    assert not wrong_way(q, 1e-7, 0.0, -26.0)          # no direction known


def test_a_parameter_that_moves_no_statistic_gets_no_standard_error_and_spares_the_others():
    # b is clipped at its upper bound 1 (s2 = a + 2 b + noise, observed what b = 1 gives): past
    # the bound a step changes nothing, so its column of the derivative matrix is 0; before,
    # the whole matrix was singular and a lost its standard error too
    def model(theta, seed):
        rng = np.random.default_rng(seed)
        a, b = theta
        return np.array([a + rng.standard_normal(), a + 2 * b + rng.standard_normal()])

    prob = Problem([Parameter("a", 0.0), Parameter("b", 0.5, 0.0, 1.0)], ["s1", "s2"], [0.5, 2.5], model)
    res = estimate(prob, Settings(seed=1, n1=20, runs=1))  # converged with b at 1 (seeds 2, 3: fixed there)
    assert res.theta[1] == 1.0 and np.isnan(res.se[1])
    assert np.isfinite(res.se[0]) and res.se[0] > 0.5
    assert any(w.startswith("b moves no statistic") for w in res.warnings), res.warnings


def test_the_verdict_names_a_parameter_left_at_its_start_whose_statistic_is_far_off():
    # s2 ignores b (dropped in phase 1, kept at its start) and sits 3 sds from its observed
    # value: "converged" covers the estimated parameters only, so the verdict says so
    def model(theta, seed):
        rng = np.random.default_rng(seed)
        return np.array([theta[0] + rng.standard_normal(), rng.standard_normal()])

    far = estimate(Problem([Parameter("a", 0.0), Parameter("b", 7.0)], ["s1", "s2"], [1.0, 3.0], model),
                   Settings(seed=1, n3=300))
    assert list(far.estimated) == [True, False] and abs(far.t_ratios[1]) > 2
    assert "not estimated, its statistic far from the observed: b (t-ratio" in far.verdict()
    near = estimate(Problem([Parameter("a", 0.0), Parameter("b", 7.0)], ["s1", "s2"], [1.0, 0.5], model),
                    Settings(seed=1, n3=300))
    assert "far from the observed" not in near.verdict()  # 0.5 sds off

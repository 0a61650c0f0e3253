"""A generic method-of-simulated-moments engine: problem in, arrays out.

Choose theta so that the expected statistics of the model equal the observed ones,
E_theta[s] = s_obs, when E_theta[s] can only be simulated (McFadden 1989, "A method of
simulated moments for estimation of discrete response models without numerical
integration", Econometrica 57(5); Pakes & Pollard 1989, "Simulation and the asymptotics of
optimization estimators", Econometrica 57(5)); solved by stochastic approximation (Robbins &
Monro 1951, "A stochastic approximation method", Ann. Math. Stat. 22(3)) in the three phases
Snijders (2001, "The statistical evaluation of social network dynamics", Sociological
Methodology 31) designed for network panels and RSiena implements (Ripley, Snijders, Boda,
Voros & Preciado, "Manual for RSiena", sections on estimation and convergence):

    problem = Problem(parameters=[Parameter("rate", 1.0, lower=0, transform="log")],
                      statistics=["count"], observed=[12.0], simulate=model)
    res = estimate(problem, Settings(seed=1))      # res.theta, res.se, res.t_ratios, res.converged

`simulate(theta, seed) -> statistics` takes the parameters on their natural scale (an array
in the order of `parameters`) and a seed, and returns one draw of the statistics (an array in
the order of `statistics`, the same length: the estimator is just identified). It must be
picklable to run on a process pool.

Estimation runs on a transformed scale eta (unbounded): "none" eta = theta / scale (scale 1
unless given: a step h then moves theta by h * scale), "log" eta = log(theta) (theta > 0),
"logit" eta = log((theta - lo) / (hi - theta)) (lo < theta < hi), "asinh" eta =
asinh(theta / scale) (any sign: like "none" near 0 and like a signed log beyond scale, so a
step h moves theta by about h * sqrt(theta^2 + scale^2)).

Phase 1 (derivatives). n1 draws at the start eta0; for each draw r and each parameter k one
more draw at eta0 + h e_k with the same seed (common random numbers, so the difference is
mostly the parameter's effect):  D_jk = mean_r (s_j(eta0 + h e_k; r) - s_j(eta0; r)) / h.
A parameter whose own statistic does not respond (|t| of D_kk below `min_t`, the mean
difference over its standard error) is not informed at the start: it is dropped with its
statistic and kept at its start value (reported in `dropped`).

Phase 2 (Robbins-Monro). Subphases k = 1..nsub with gain a_k = firstg * reduceg^(k-1):

    eta <- eta - a_k * D0^-1 (s - s_obs),     D0 = (1 - diagonalize) D + diagonalize diag(D)

s the mean of `batch` draws at the current eta. Phase 2 is sequential by nature and runs in
this process (an executor's pool is started per batch, too costly per iteration); phases 1
and 3 are large batches and run on the executor. The step is truncated to `truncation` in units of the statistics'
standard deviations (from phase 1). Subphase k runs at least n2min_k = (7 + p) 2^(4(k-1)/3)
iterations (p parameters; RSiena's lengths, with n2start = 7 + p), ends once every
statistic's deviations s - s_obs have a negative lag-1 product sum (they oscillate around the
target) or after n2min_k + n2extra; its estimate is the mean of eta over the subphase.

Phase 3 (check and standard errors). n3 draws at the estimate: the mean and covariance Sigma
of the statistics; the derivative D re-estimated there with common random numbers on the
first n3_deriv draws, by central differences (s(eta + h e_k) - s(eta - h e_k)) / 2h, whose
first-order bias vanishes (a forward difference of exp(eta) is off by (e^h - 1) / h, 10% at
h = 0.2). Convergence t-ratios t_j = (mean_j - s_obs_j) / sd_j; the overall
maximum convergence ratio sqrt(d' Sigma^-1 d), d = mean - s_obs (the largest t-ratio of any
linear combination of the statistics). Converged when every |t_j| < 0.1 and the overall
ratio < 0.25 (RSiena's thresholds). Covariance of eta-hat = D^-1 Sigma D^-T (delta method:
s_obs is one draw with covariance Sigma), mapped to theta with the transform's derivative.

Not converged after phase 3: phases 2 and 3 run again from the estimate with the phase-3
derivative, up to `runs` times (as RSiena users rerun with `prevAns`); the last run is reported,
converged or not. A parameter that ran to a bound of its range (within 1e-4 of the range, or
of max(1, |start|) on the log scale or an unbounded side; within 1e-3 of max(1, |start|) of
0 on the log scale, which never reaches 0) cannot move its statistic further: the model does
not reach the observed value inside the bounds. It is then fixed at that bound (reported in
`fixed` and `dropped`, as an RSiena user fixes a diverging effect) and the others are
estimated again in one more run (at most one extra run per fixed parameter), so their
convergence and standard errors can be judged without it.

Every draw's seed is SeedSequence([seed, phase, iteration, index]), so a seed gives the same
estimate serially and on any number of workers.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..errors import ClusterlabError

__all__ = ["Parameter", "Problem", "Settings", "MSMResult", "estimate", "draw_seed", "MSMError"]

TRANSFORMS = ("none", "log", "logit", "asinh")
T_LIMIT = 0.1       # |convergence t-ratio| per statistic (RSiena)
OVERALL_LIMIT = 0.25  # overall maximum convergence ratio (RSiena)
FAR_T = 2.0          # a statistic of a parameter not estimated this far off (in sds) is named in the verdict


class MSMError(ClusterlabError):
    """The estimation problem is malformed or cannot be solved; the message says why."""


@dataclass
class Parameter:
    name: str
    start: float
    lower: float = -math.inf
    upper: float = math.inf
    transform: str = "none"
    scale: float = 1.0   # "none": eta = theta / scale; "asinh": eta = asinh(theta / scale)

    def __post_init__(self):
        if self.transform not in TRANSFORMS:
            raise MSMError(f"parameter {self.name}: transform {self.transform!r}, expected one of {TRANSFORMS}")
        if not (math.isfinite(self.scale) and self.scale > 0):
            raise MSMError(f"parameter {self.name}: scale {self.scale}, expected a positive number")
        if self.transform == "log" and self.lower < 0:
            self.lower = 0.0
        if self.transform == "logit" and not (math.isfinite(self.lower) and math.isfinite(self.upper)):
            raise MSMError(f"parameter {self.name}: a logit transform needs finite bounds")
        if not self.lower <= self.start <= self.upper:
            raise MSMError(f"parameter {self.name}: start {self.start} outside [{self.lower}, {self.upper}]")

    # the transformed scale: eta = f(theta); theta = f^-1(eta); dtheta/deta
    def to_eta(self, theta: float) -> float:
        if self.transform == "log":
            return math.log(max(theta, 1e-12))
        if self.transform == "logit":
            lo, hi = self.lower, self.upper
            eps = 1e-9 * (hi - lo)
            t = min(max(theta, lo + eps), hi - eps)
            return math.log((t - lo) / (hi - t))
        if self.transform == "asinh":
            return math.asinh(float(theta) / self.scale)
        return float(theta) / self.scale

    def to_theta(self, eta: float) -> float:
        if self.transform == "log":
            v = math.exp(min(eta, 700.0))
        elif self.transform == "logit":
            v = self.lower + (self.upper - self.lower) / (1.0 + math.exp(-max(min(eta, 700.0), -700.0)))
        elif self.transform == "asinh":
            v = self.scale * math.sinh(max(min(eta, 700.0), -700.0))
        else:
            v = float(eta) * self.scale
        return min(max(v, self.lower), self.upper)

    def dtheta(self, eta: float) -> float:
        if self.transform == "log":
            return math.exp(min(eta, 700.0))
        if self.transform == "logit":
            s = 1.0 / (1.0 + math.exp(-max(min(eta, 700.0), -700.0)))
            return (self.upper - self.lower) * s * (1.0 - s)
        if self.transform == "asinh":
            return self.scale * math.cosh(max(min(eta, 700.0), -700.0))
        return self.scale


@dataclass
class Problem:
    parameters: list[Parameter]
    statistics: list[str]
    observed: np.ndarray
    simulate: Callable[[np.ndarray, int], np.ndarray]

    def __post_init__(self):
        self.observed = np.asarray(self.observed, np.float64)
        if len(self.parameters) != len(self.statistics) or len(self.observed) != len(self.statistics):
            raise MSMError(f"{len(self.parameters)} parameters, {len(self.statistics)} statistics and "
                           f"{len(self.observed)} observed values: the estimator needs one statistic per parameter")
        if not np.all(np.isfinite(self.observed)):
            bad = [s for s, v in zip(self.statistics, self.observed) if not np.isfinite(v)]
            raise MSMError(f"observed statistics are not finite: {', '.join(bad)}")


@dataclass
class Settings:
    seed: int = 0
    n1: int = 30             # phase-1 draws (each with p more for the derivatives)
    h: float = 0.2           # finite-difference step on the transformed scale
    min_t: float = 2.0       # phase 1: drop a parameter whose own derivative has |t| below this
    nsub: int = 4            # phase-2 subphases
    firstg: float = 0.2      # first gain (RSiena)
    reduceg: float = 0.5     # gain factor between subphases (RSiena)
    n2extra: int = 100       # a subphase ends at most this many iterations after its minimum
    batch: int = 2           # draws averaged per phase-2 iteration
    diagonalize: float = 0.2  # weight of diag(D) in the phase-2 update (RSiena's default)
    truncation: float = 5.0  # largest phase-2 step, in standard deviations of the statistics
    n3: int = 500            # phase-3 draws (RSiena: 1000)
    n3_deriv: int = 100      # of which used for the phase-3 derivative (each with p more)
    runs: int = 2            # not converged: phases 2-3 again from the estimate, up to this many runs


@dataclass
class MSMResult:
    names: list[str]
    statistics: list[str]
    theta: np.ndarray            # estimates (natural scale); start values for dropped parameters
    se: np.ndarray               # standard errors (NaN for dropped parameters)
    cov: np.ndarray              # covariance of the estimated parameters (natural scale)
    estimated: np.ndarray        # bool: estimated (False: dropped, kept at start)
    observed: np.ndarray
    mean: np.ndarray             # phase-3 mean of the statistics
    sd: np.ndarray               # phase-3 standard deviation of the statistics
    t_ratios: np.ndarray         # (mean - observed) / sd
    max_ratio: float             # overall maximum convergence ratio (estimated statistics)
    converged: bool
    derivative: np.ndarray       # phase-3 D (estimated statistics x estimated parameters, eta scale)
    dropped: dict = field(default_factory=dict)   # name -> reason
    start: np.ndarray = None
    history: list = field(default_factory=list)   # (subphase, iteration, eta) per phase-2 step
    draws: int = 0
    seconds: float = 0.0
    warnings: list = field(default_factory=list)
    runs: int = 1                # runs of phases 2-3 made (see Settings.runs)
    fixed: dict = field(default_factory=dict)     # name -> the bound it was fixed at (ran to it)

    def table(self):
        import pandas as pd

        return pd.DataFrame({"parameter": self.names, "statistic": self.statistics, "start": self.start,
                             "estimate": self.theta, "se": self.se, "estimated": self.estimated,
                             "observed": self.observed, "simulated_mean": self.mean, "simulated_sd": self.sd,
                             "t_ratio": self.t_ratios})

    def verdict(self) -> str:
        est = self.t_ratios[self.estimated]
        tmax = float(np.max(np.abs(est))) if len(est) else 0.0
        word = "converged" if self.converged else "NOT converged"
        text = (f"{word}: largest |t-ratio| {tmax:.3f} (< {T_LIMIT} needed), overall maximum convergence "
                f"ratio {self.max_ratio:.3f} (< {OVERALL_LIMIT} needed)")
        # RSiena's criteria cover the estimated parameters only; a parameter fixed at a bound
        # whose statistic the model does not reach is said, lest "converged" hide it
        missed = [f"{name.rsplit('.', 1)[-1]} (t-ratio {t:.2f})" for name, t in zip(self.names, self.t_ratios)
                  if name in self.fixed and not abs(t) < T_LIMIT]
        if missed:
            text += "; fixed at a bound, its statistic not reproduced: " + ", ".join(missed)
        # so is a parameter left at its start value (phase 1 found it uninformed) whose
        # statistic the model misses by more than FAR_T simulated sds
        far = [f"{name.rsplit('.', 1)[-1]} (t-ratio {t:.2f})"
               for name, t, e in zip(self.names, self.t_ratios, self.estimated)
               if not e and name not in self.fixed and not abs(t) < FAR_T]
        if far:
            text += "; not estimated, its statistic far from the observed: " + ", ".join(far)
        return text


def draw_seed(seed: int, phase: int, iteration: int, index: int) -> int:
    """The seed of one draw (independent streams; see the module)."""
    ss = np.random.SeedSequence([int(seed), int(phase), int(iteration), int(index)])
    return int(ss.generate_state(1, np.uint64)[0] >> np.uint64(1))


class _Call:
    """item (key, theta, seed) -> simulate(theta, seed); picklable for the process pool."""

    def __init__(self, simulate):
        self.simulate = simulate

    def __call__(self, item):
        return np.asarray(self.simulate(item[1], item[2]), np.float64)


class _Runner:
    """Runs batches of draws serially or on an executor, results in item order."""

    def __init__(self, simulate, executor, workers):
        self.call = _Call(simulate)
        self.executor, self.workers = executor, workers
        self.ex = None
        self.draws = 0

    def __enter__(self):
        if self.executor != "serial":
            from ..experiments.executors import make_executor

            self.ex = make_executor(self.executor, self.workers).__enter__()
        return self

    def __exit__(self, *exc):
        if self.ex is not None:
            self.ex.__exit__(*exc)

    def run(self, items: list, parallel: bool = True) -> np.ndarray:
        self.draws += len(items)
        if self.ex is None or len(items) == 1 or not parallel:
            return np.array([self.call(it) for it in items])
        out = {}
        for item, ok, value in self.ex.map(self.call, items):
            if not ok:
                raise MSMError(f"a simulation failed (seed {item[2]}): {value}")
            out[item[0]] = value
        return np.array([out[it[0]] for it in items])


def _derivative(runner, theta_of, eta, n, h, seed, phase, central=False, extra=0):
    """n draws at eta and the finite-difference derivative of all statistics with respect to
    eta, with common random numbers (forward, or central: (s(eta + h) - s(eta - h)) / 2h,
    which has no first-order bias); theta_of(eta) is the full natural-scale vector. `extra`
    more draws at eta go in the same batch (one executor start); all draws at eta returned."""
    p = len(eta)
    signs = (1.0, -1.0) if central else (1.0,)
    items = []
    for r in range(n):
        s = draw_seed(seed, phase, r, 0)
        items.append(((r, -1, 0), theta_of(eta), s))
        for k in range(p):
            for sg in signs:
                e = eta.copy()
                e[k] += sg * h
                items.append(((r, k, sg), theta_of(e), s))
    more = [((r, -1, 0), theta_of(eta), draw_seed(seed, phase, r, 0)) for r in range(n, n + extra)]
    R = runner.run(items + more)
    S = R[:len(items)].reshape(n, 1 + p * len(signs), -1)
    base = np.vstack([S[:, 0, :], R[len(items):]])
    if central:
        diffs = (S[:, 1::2, :] - S[:, 2::2, :]) / (2 * h)   # n x p(parameters) x q(statistics)
    else:
        diffs = (S[:, 1:, :] - base[:, None, :]) / h
    D = diffs.mean(axis=0).T                               # q x p
    D_se = diffs.std(axis=0, ddof=1).T / math.sqrt(n) if n > 1 else np.full_like(D, np.inf)
    return base, D, D_se


def _theta(pars, eta) -> np.ndarray:
    return np.array([p.to_theta(e) for p, e in zip(pars, eta)])


def estimate(problem: Problem, settings: Settings | None = None, *, executor: str = "serial",
             workers: int | None = None, progress: Callable[[str], None] | None = None) -> MSMResult:
    """Estimate `problem` in the three phases of the module; see `MSMResult`."""
    st = settings or Settings()
    t0 = time.perf_counter()
    say = progress or (lambda msg: None)
    allpars = problem.parameters
    P = len(allpars)
    eta_all = np.array([p.to_eta(p.start) for p in allpars])
    obs_all = problem.observed
    active = np.arange(P)
    dropped: dict[str, str] = {}
    warns: list[str] = []

    with _Runner(problem.simulate, executor, workers) as runner:
        # ---- phase 1 -------------------------------------------------------------------
        say("phase 1: derivatives at the start values")
        full = _FullEta(allpars, eta_all)
        base, D, D_se = _derivative(runner, lambda e: full.theta_with(active, e), eta_all, st.n1, st.h,
                                    st.seed, 1)
        sd1 = base.std(axis=0, ddof=1)
        for k in range(P):
            dkk, se = D[k, k], D_se[k, k]
            t = abs(dkk) / se if se > 0 else (math.inf if dkk != 0 else 0.0)
            if not t >= st.min_t:
                dropped[allpars[k].name] = (f"its statistic {problem.statistics[k]} does not respond to it at the "
                                            f"start value (derivative {dkk:.3g} +- {se:.3g}, |t| {t:.2f} < {st.min_t}); "
                                            "kept at the start value")
        keep = np.array([allpars[k].name not in dropped for k in range(P)])
        active = np.flatnonzero(keep)
        if len(active) == 0:
            raise MSMError("no parameter is informed by the statistics: " + "; ".join(
                f"{k}: {v}" for k, v in dropped.items()))
        D1_all = D  # phase 1's derivatives (all parameters): which way each statistic moves
        D = D[np.ix_(active, active)]
        sd = np.where(sd1[active] > 0, sd1[active], 1.0)
        obs = obs_all[active]
        pars = [allpars[k] for k in active]
        eta = eta_all[active].copy()
        p = len(active)

        def theta_of(eta_vec):
            return full.theta_with(active, eta_vec)

        history: list = []
        fixed: dict[str, float] = {}
        restarted: set[str] = set()
        run, budget = 0, max(1, st.runs)
        while True:
            eta = _phase2(runner, st, D, sd, obs, active, eta, theta_of, run, history, warns, say)
            say(f"phase 3: {st.n3} simulations at the estimate")
            nd = min(st.n3_deriv, st.n3)
            if nd > 1:
                S3, D3, _ = _derivative(runner, theta_of, eta, nd, st.h, st.seed, 30 + run, central=True,
                                        extra=st.n3 - nd)
            else:
                D3 = None
                S3 = runner.run([(("p3", r), theta_of(eta), draw_seed(st.seed, 30 + run, r, 0))
                                 for r in range(st.n3)])
            check = _phase3(S3, obs_all, active)
            if check[-1] or D3 is None:
                break
            theta_now = _theta(pars, eta)
            stuck = [c for c, (q, v) in enumerate(zip(pars, theta_now)) if at_bound(q, v) is not None]
            # a parameter at a bound from which moving back inside would bring its statistic
            # toward the observed (by phase 1's derivative, taken where the model responds) ran
            # there the wrong way, pulled by the others or by a derivative taken at a flat
            # point: it starts again from its start value, once, with phase 1's derivatives
            wrong = [c for c in stuck if wrong_way(pars[c], theta_now[c], D1_all[active[c], active[c]],
                                                   check[0][active[c]] - obs_all[active[c]])]
            again = [c for c in wrong if pars[c].name not in restarted]
            if again:
                for c in again:
                    q = pars[c]
                    restarted.add(q.name)
                    eta[c] = eta_all[active[c]]
                    warns.append(f"{q.name} ran to its bound {at_bound(q, theta_now[c]):g} although its statistic "
                                 f"{problem.statistics[active[c]]} lies the other way ({obs_all[active[c]]:.4g} "
                                 f"observed, {check[0][active[c]]:.4g} simulated there): started again from "
                                 f"{q.start:g}")
                    say(f"{q.name} ran the wrong way to its bound: phases 2 and 3 again from its start value")
                D = D1_all[np.ix_(active, active)]
                budget += 1
                run += 1
                continue
            for c in wrong:  # the wrong way again after a new start: kept at its start value
                q, k = pars[c], active[c]
                full.eta[k] = eta_all[k]
                dropped[q.name] = (f"ran to its bound {at_bound(q, theta_now[c]):g} twice although its statistic "
                                   f"{problem.statistics[k]} lies the other way ({obs_all[k]:.4g} observed, "
                                   f"{check[0][k]:.4g} simulated there); kept at its start value, the others "
                                   "estimated again")
            if not wrong and stuck and len(stuck) < len(active):
                # fix them at their bound, estimate the others again (one extra run)
                for c in stuck:
                    q, k = pars[c], active[c]
                    b = at_bound(q, theta_now[c])
                    fixed[q.name] = b
                    full.eta[k] = eta[c]
                    dropped[q.name] = (f"ran to its bound {b:g}: the model does not reach the observed "
                                       f"{problem.statistics[k]} ({obs_all[k]:.4g}; simulated {check[0][k]:.4g} at "
                                       "the bound) inside the bounds; fixed at the bound, the others estimated again")
                    say(f"{q.name} ran to its bound {b:g}: fixed there; phases 2 and 3 again for the others")
            out = wrong or (stuck if len(stuck) < len(active) else [])
            if out:  # leave them out, estimate the others again (one extra run)
                rest = [c for c in range(len(active)) if c not in out]
                if not rest:
                    break
                D = D3[active[rest], :][:, rest]
                active, eta = active[rest], eta[rest]
                pars = [allpars[k] for k in active]
                sd = np.where(sd1[active] > 0, sd1[active], 1.0)
                obs = obs_all[active]
                p = len(active)
                budget += 1
                run += 1
                continue
            if run + 1 >= budget:
                break
            # not converged: again from the estimate, with the derivative at the estimate
            # (as RSiena is rerun with prevAns)
            say(f"not converged ({check[3]:.3f} overall): phases 2 and 3 again from the estimate")
            D = D3[active, :]
            run += 1
        draws = runner.draws

    mean_all, sd_all, t_all, max_ratio, Sig, converged = check
    Dm = D3[active, :] if D3 is not None else D
    # a statistic that did not vary over the phase-3 draws, or that no parameter moved, gives
    # its parameter no standard error (an observed value at the edge of what the model makes,
    # such as no exits, bounds it on one side only); the others' come from the rest
    varied = sd_all[active] > 0
    flat = ~varied | np.all(Dm == 0, axis=1)
    for k in np.flatnonzero(flat):
        warns.append(f"{pars[k].name}: its statistic {problem.statistics[active[k]]} "
                     + ("did not respond to any parameter at the estimate" if varied[k] else
                        "did not vary over the phase-3 draws")
                     + ": no standard error (the observed value may lie at the edge of what the model makes, "
                       "e.g. no exits: the parameter is then bounded on one side only)")
    # a parameter that moves no statistic at the estimate (run to a bound on the log or logit
    # scale, where a step changes nothing) gets no standard error either, and spares the others
    inert = np.all(Dm == 0, axis=0) & ~flat
    for k in np.flatnonzero(inert):
        warns.append(f"{pars[k].name} moves no statistic at the estimate ({_theta(pars, eta)[k]:g}, at the edge of "
                     "its range): no standard error")
    ok = ~(flat | inert)
    cov_eta = np.full((p, p), np.nan)
    try:
        Dinv = np.linalg.inv(Dm[np.ix_(ok, ok)])
        cov_eta[np.ix_(ok, ok)] = Dinv @ Sig[np.ix_(ok, ok)] @ Dinv.T
    except np.linalg.LinAlgError:
        warns.append("phase-3 derivative matrix singular: no standard errors")
    jac = np.array([q.dtheta(e) for q, e in zip(pars, eta)])
    cov_act = cov_eta * np.outer(jac, jac)  # J cov J for diagonal J, NaN kept to its own rows
    theta_all = np.array([q.start for q in allpars], np.float64)
    for k, q in enumerate(allpars):
        if q.name in fixed:
            theta_all[k] = fixed[q.name]
    theta_all[active] = _theta(pars, eta)
    for q, v in zip(pars, theta_all[active]):
        if at_bound(q, v) is not None:
            warns.append(f"{q.name} ran to its bound ({v:g}): the model cannot reach the observed statistic "
                         "within the bounds (an extreme observation, or a model that does not fit it)")
    for name, b in fixed.items():
        warns.append(f"{name} ran to its bound and was fixed at {b:g}; the other parameters were estimated again")
    se_all = np.full(P, np.nan)
    se_all[active] = np.sqrt(np.clip(np.diag(cov_act), 0, None))
    cov = np.full((P, P), np.nan)
    cov[np.ix_(active, active)] = cov_act
    est = np.zeros(P, bool)
    est[active] = True
    return MSMResult(names=[q.name for q in allpars], statistics=list(problem.statistics), theta=theta_all,
                     se=se_all, cov=cov, estimated=est, observed=obs_all, mean=mean_all, sd=sd_all,
                     t_ratios=t_all, max_ratio=max_ratio, converged=converged, derivative=Dm, dropped=dropped,
                     start=np.array([q.start for q in allpars], np.float64), history=history, draws=draws,
                     seconds=time.perf_counter() - t0, warnings=warns, runs=run + 1, fixed=fixed)


BOUND_TOL = 1e-4
LOG_ZERO_TOL = 1e-3  # the log scale approaches 0 but never reaches it: this close is there


def wrong_way(q: Parameter, v: float, d: float, dev: float) -> bool:
    """Whether q, at a bound (`at_bound`), ran there the wrong way: moving back inside
    changes its statistic by d per unit of the transformed scale (phase 1's derivative), and
    that would bring the statistic (now dev = simulated - observed) toward the observed."""
    b = at_bound(q, v)
    if b is None or not d or not dev:
        return False
    inward = 1.0 if b == q.lower else -1.0
    return inward * d * dev < 0


def at_bound(q: Parameter, v: float) -> float | None:
    """The bound of `q` that the value v has run to (within BOUND_TOL of the range; of
    max(1, |start|) for a log-scale parameter or an unbounded side; within LOG_ZERO_TOL of
    max(1, |start|) of a log-scale parameter's lower bound 0), else None."""
    lo, hi = q.lower, q.upper
    bounded = math.isfinite(lo) and math.isfinite(hi) and q.transform != "log"
    width = (hi - lo) if bounded else max(1.0, abs(q.start))
    tol = LOG_ZERO_TOL if q.transform == "log" and lo == 0 else BOUND_TOL
    if math.isfinite(lo) and v - lo <= tol * width:
        return float(lo)
    if math.isfinite(hi) and hi - v <= BOUND_TOL * width:
        return float(hi)
    return None


def _phase2(runner, st, D, sd, obs, active, eta, theta_of, run, history, warns, say) -> np.ndarray:
    """Robbins-Monro subphases from eta (see the module); returns the estimate."""
    p = len(eta)
    D0 = (1.0 - st.diagonalize) * D + st.diagonalize * np.diag(np.diag(D))
    try:
        D0inv = np.linalg.inv(D0)
        if not np.all(np.isfinite(D0inv)):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        warns.append("derivative matrix singular: phase 2 uses its diagonal only")
        D0inv = np.diag(1.0 / np.where(np.diag(D) != 0, np.diag(D), 1.0))
    gain = st.firstg
    it = 0
    phase = 20 + run
    for sub in range(1, st.nsub + 1):
        n_min = int(round((7 + p) * 2 ** (4 * (sub - 1) / 3)))
        n_max = n_min + st.n2extra
        say(f"phase 2, subphase {sub}: gain {gain:.3g}, {n_min}-{n_max} iterations")
        etas, prev, prod = [], None, np.zeros(p)
        for i in range(n_max):
            items = [((it, b), theta_of(eta), draw_seed(st.seed, phase, it, b)) for b in range(st.batch)]
            s = runner.run(items, parallel=False)[:, active].mean(axis=0)
            dev = s - obs
            if prev is not None:
                prod += dev * prev
            prev = dev
            step = D0inv @ dev
            z = float(np.max(np.abs(dev / sd)))
            if z > st.truncation:  # RSiena's truncation of large steps
                step *= st.truncation / z
            eta = eta - gain * step
            etas.append(eta.copy())
            history.append((run, sub, i, theta_of(eta)))
            it += 1
            if i + 1 >= n_min and np.all(prod < 0):
                break
        eta = np.mean(etas, axis=0)
        gain *= st.reduceg
    return eta


def _phase3(S3, obs_all, active):
    """Mean, sd, t-ratios, overall maximum convergence ratio, covariance (active statistics)
    and the verdict, from the phase-3 draws."""
    mean_all, sd_all = S3.mean(axis=0), S3.std(axis=0, ddof=1)
    t_all = np.where(sd_all > 0, (mean_all - obs_all) / np.where(sd_all > 0, sd_all, 1.0),
                     np.where(mean_all == obs_all, 0.0, np.inf))
    Sig = np.atleast_2d(np.cov(S3[:, active], rowvar=False))
    d = mean_all[active] - obs_all[active]
    # a statistic that did not vary is judged by its t-ratio alone (0 when it equals the
    # observed value), not in the overall ratio, whose covariance it would make singular
    v = sd_all[active] > 0
    try:
        max_ratio = float(math.sqrt(max(d[v] @ np.linalg.solve(Sig[np.ix_(v, v)], d[v]), 0.0))) if v.any() else 0.0
    except np.linalg.LinAlgError:
        max_ratio = math.inf
    converged = bool(np.all(np.abs(t_all[active]) < T_LIMIT) and max_ratio < OVERALL_LIMIT)
    return mean_all, sd_all, t_all, max_ratio, Sig, converged


class _FullEta:
    """The full parameter vector with the active ones replaced (the others at their start)."""

    def __init__(self, pars, eta_start):
        self.pars = pars
        self.eta = np.asarray(eta_start, np.float64)

    def theta_with(self, active, eta_active) -> np.ndarray:
        e = self.eta.copy()
        e[active] = eta_active
        return _theta(self.pars, e)

"""Run time of `clusterlab calibrate` on a synthetic 3-year panel of 30 firms (`--firms N`: another size; the
issue's target: at most 5 minutes on 2 cores for 30), and how far the estimates fall from the truth.

    python benchmarks/calibrate.py                    # 1 panel, 2 workers
    python benchmarks/calibrate.py --panels 3 --workers 2 --seed 11
    python benchmarks/calibrate.py --levers default --composition observed
    python benchmarks/calibrate.py --firms 120        # a larger panel: what more firms inform

The panel is `clusterlab.panel.make_panel(30, 3, sets=TRUTH, seed)` under the built-in
scenario (survey ties start at their layer's strengths and can dissolve); calibration starts
from the scenario's values, is given the panel's geographic (km) and cognitive matrices
(which also go into the simulated model), and estimates `LEVERS + extra_levers(scenario)` (the
default levers and the closure and cognitive weights, to show which are informed; under
acceptance = choice the closure lever is triad_weight; `--levers default`: `LEVERS` only, the
closure and cognitive weights set to their true values).
`--composition observed` gives who leaves from wave 2 (the exit lever is then not estimated). Prints, per panel,
the time, the number of simulations, the convergence verdict and for each parameter the
truth, the estimate and its standard error (or why it was not estimated), and z, the
distance to the truth in standard errors on the estimator's (log or logit) scale. Also reports the
CPU time of this process and its children, since wall time on a shared machine depends on
its load.
"""

from __future__ import annotations

import argparse
import resource
import time

E = "mechanisms.network_evolution."
TRUTH = {E + "proposals": 1.0, E + "closure_weight": 3.0, E + "geo_weight": 8.0, E + "cognitive_weight": 2.0,
         E + "decay": 0.5, E + "persistence": 0.8, "mechanisms.market.exit_capital_years": -0.1}


def truth_from(pairs: list[str]) -> dict:
    """TRUTH with the `--truth KEY=VALUE` changes (also benchmarks/identification.py's)."""
    truth = dict(TRUTH)
    for kv in pairs:
        k, _, v = kv.partition("=")
        try:
            truth[k] = float(v)
        except ValueError:  # a word, e.g. mechanisms.network_evolution.acceptance=choice
            truth[k] = v
    return truth


def cpu() -> float:
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--panels", type=int, default=1)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--firms", type=int, default=30)
    ap.add_argument("--truth", nargs="*", default=[], metavar="KEY=VALUE",
                    help="change the panel's truth, e.g. mechanisms.network_evolution.base_accept=0.04 "
                         "(a key outside TRUTH is set in the panel's and the calibrated scenario alike)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--levers", choices=("all", "default"), default="all")
    ap.add_argument("--composition", choices=("simulated", "observed"), default="simulated")
    args = ap.parse_args()
    from clusterlab.panel import make_panel
    from clusterlab.panel.calibrate import LEVERS, _get, calibrate, extra_levers
    from clusterlab.scenario import default_scenario

    truth = truth_from(args.truth)
    # closure and cognitive weights of the truth's acceptance form (choice: triad_weight for closure)
    extra = extra_levers(default_scenario().set(**{E + "acceptance": truth.get(E + "acceptance", "capped")}))
    levers = LEVERS + extra if args.levers == "all" else LEVERS
    # the truth of what is not estimated (e.g. base_accept, or closure_weight under choice) is
    # given to the calibrated scenario; the estimated start from the scenario's values
    fixed = {k: v for k, v in truth.items() if k not in {lv.key for lv in levers}}
    base = default_scenario().set(**fixed)
    truth.update({lv.key: float(_get(base, lv.key)) for lv in levers if lv.key not in truth})
    print("truth: " + ", ".join(f"{k.rsplit('.', 1)[-1]} {v}" for k, v in truth.items()))
    for k in range(args.panels):
        seed = args.seed + k
        p = make_panel(args.firms, 3, sets=truth, seed=seed, scenario=base)
        t, c = time.perf_counter(), cpu()
        cal = calibrate(p.wave1, p.wave2, 3, {"geo": p.geographic, "cog": p.cognitive}, scenario=base, seed=seed,
                        levers=levers, executor="pool" if args.workers > 1 else "serial",
                        workers=args.workers, composition=args.composition)
        wall, used = time.perf_counter() - t, cpu() - c
        print(f"panel seed {seed}, {args.firms} firms: {wall:.0f} s wall, {used:.0f} s CPU, {cal.msm.draws} simulations, "
              f"{cal.msm.runs} run(s); {cal.verdict()}")
        for key, v, se, est in zip(cal.msm.names, cal.msm.theta, cal.msm.se, cal.msm.estimated):
            name = key.rsplit(".", 1)[-1]
            if est:
                z = _z(next(lv for lv in cal.levers if lv.key == key), v, se, truth[key])
                print(f"  {name:<18} true {truth[key]:>6g}  estimate {v:8.3f} +- {se:7.3f}  (z {z:+.2f})")
            else:
                print(f"  {name:<18} true {truth[key]:>6g}  not estimated ({v:g}): {cal.not_estimated.get(key, '')[:90]}")


def _z(lever, v: float, se: float, true: float) -> float:
    """(estimate - truth) / se on the scale the estimator works on (log, logit or asinh, where
    the delta-method standard error is symmetric): on the natural scale a log parameter near 0
    looks precise (0.12 +- 0.59 is +- 4.9 on the log scale). `lever` as calibrate used it
    (`calibrate.for_form`)."""
    from clusterlab.panel.msm import Parameter

    if not se > 0:
        return float("nan")
    q = Parameter(lever.key, min(max(v, lever.lower), lever.upper), lever.lower, lever.upper, lever.transform,
                  lever.scale)
    e = q.to_eta(v)
    return (e - q.to_eta(true)) / (se / q.dtheta(e))


if __name__ == "__main__":
    main()

"""What each creation parameter moves: response curves of the calibration's statistics.

On a synthetic panel (`make_panel(FIRMS, 3, sets=TRUTH, seed)`, as benchmarks/calibrate.py),
one parameter at a time is set to its true value times 1/4, 1/2, 1, 2 and 4, the others kept
at the truth, and the interval is simulated from wave 1 (the model acting on the panel's
geographic and cognitive matrices, as `calibrate` does) with R seeds per value. Prints the
mean and sd of each statistic (`clusterlab.panel.moments`) and, per parameter, the response
of its own statistic between 1/2 and 2 times the truth in simulated sds: what phase 1 of
the calibration sees (it drops a parameter below 2 at its start value).

    python benchmarks/identification.py [--firms 30] [--seed 11] [--replications 40] [--workers 2]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from calibrate import E, truth_from  # benchmarks/calibrate.py: the same panel truth

OWN = {E + "proposals": "created", E + "geo_weight": "geo_created", E + "cognitive_weight": "cognitive_created",
       E + "closure_weight": "closure_created", "network.tie_km": "geo_created",
       E + "proximity_weight": "closure_created", E + "triad_weight": "closure_created",
       E + "embed_weight": "closure_persisted"}
EXTRA = ("network.tie_km", E + "proximity_weight", E + "triad_weight", E + "embed_weight")  # varied only when asked (--keys)
SHOWN = ("created", "geo_created", "cognitive_created", "closure_created", "persisted", "closure_persisted")
PER = {"closure_persisted": "persisted"}  # per tie of this count (else per created tie)
FACTORS = (0.25, 0.5, 1.0, 2.0, 4.0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--firms", type=int, default=30)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--replications", type=int, default=40)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--logit", action="store_true",
                    help="a 35-actor make_logit_panel (not clusterlab's process) under the default scenario, "
                         "the factors applied to the default values")
    ap.add_argument("--truth", nargs="*", default=[], metavar="KEY=VALUE",
                    help="change the own-model panel's truth, e.g. mechanisms.network_evolution.base_accept=0.05")
    ap.add_argument("--keys", nargs="+", default=[k for k in OWN if k not in EXTRA], choices=list(OWN),
                    help="the parameters to vary (network.tie_km: the proximity route's distance scale, "
                         "true value the scenario's; proximity_weight: the share of the one route that does "
                         "not close a triad, against closure_created; triad_weight: acceptance = choice only)")
    a = ap.parse_args()
    from clusterlab.panel import make_panel
    from clusterlab.panel.calibrate import _get, _model_sets
    from clusterlab.panel.synthetic import make_logit_panel
    from clusterlab.scenario import default_scenario

    t0 = time.perf_counter()
    if a.logit:
        p = make_logit_panel(35, 3, seed=a.seed)
        sc = default_scenario()
    else:
        sets = truth_from(a.truth)
        p = make_panel(a.firms, 3, sets=sets, seed=a.seed)
        sc = default_scenario().set(**sets)
        print("truth: " + ", ".join(f"{k.rsplit('.', 1)[-1]} {v}" for k, v in sets.items()))
    truth = {k: float(_get(sc, k)) for k in OWN}
    with tempfile.TemporaryDirectory(prefix="identification-") as tmp:
        roles = {"geographic": (p.geographic, "distance"), "cognitive": (p.cognitive, "proximity")}
        sc = sc.set(**_model_sets(sc, roles, Path(tmp)))
        curves(a, p, sc, truth)
    print(f"\n{time.perf_counter() - t0:.0f} s")


def curves(a, p, sc, truth: dict) -> None:
    """Print the response curves of `a.keys` (the model reads the matrices written to a
    temporary folder, which must last as long as this runs)."""
    from clusterlab.experiments.executors import make_executor
    from clusterlab.panel.calibrate import PanelModel
    from clusterlab.panel.interval import interval_steps, replication_seed
    from clusterlab.panel.moments import geographic_proximity_km, standardise

    geo_km = sc.mechanisms.network_evolution.geo_km
    G = standardise(geographic_proximity_km(p.geographic.to_numpy(float), geo_km))
    C = standardise(p.cognitive.to_numpy(float))
    steps = interval_steps(sc, 3)
    kind = "logit panel, 35 actors" if a.logit else f"own-model panel, {a.firms} firms"
    print(f"{kind}, seed {a.seed}; {a.replications} replications per value")
    with make_executor("pool" if a.workers > 1 else "serial", a.workers) as ex:
        for key in a.keys:
            own, name = OWN[key], key.rsplit(".", 1)[-1]
            model = PanelModel(p.wave1, sc, steps, [key], list(SHOWN), G=G, C=C)
            print(f"\n{name} (true {truth[key]:g}); statistic means (sd)")
            print(f"  {'value':>8} " + " ".join(f"{s:>19}" for s in SHOWN))
            rows = {}
            for f in FACTORS:
                v = truth[key] * f
                items = [(v, replication_seed(a.seed, r)) for r in range(a.replications)]
                done = {}
                for it, ok, value in ex.map(lambda it, m=model: m(np.array([it[0]]), it[1]), items):
                    if not ok:
                        raise SystemExit(f"{key} = {v:g}, seed {it[1]}: the simulation failed: {value}")
                    done[it[1]] = value
                out = np.array([done[it[1]] for it in items])
                rows[f] = out
                print(f"  {v:8.3g} " + " ".join(f"{m:10.1f} ({s:5.1f})  " for m, s in zip(out.mean(0), out.std(0))))
            k = SHOWN.index(own)
            lo, hi = rows[0.5][:, k], rows[2.0][:, k]
            sd = np.sqrt((lo.var() + hi.var()) / 2)
            print(f"  {own} from 1/2 to 2 times the truth: {hi.mean() - lo.mean():+.1f}, "
                  f"{(hi.mean() - lo.mean()) / sd:+.2f} simulated sds")
            if own not in ("created", "persisted"):  # the same per tie: without the count's noise
                c = SHOWN.index(PER.get(own, "created"))
                lo, hi = rows[0.5][:, k] / np.maximum(rows[0.5][:, c], 1), rows[2.0][:, k] / np.maximum(rows[2.0][:, c], 1)
                sd = np.sqrt((lo.var() + hi.var()) / 2)
                print(f"  {own} per {PER.get(own, 'created')} tie: {lo.mean():.3f} -> {hi.mean():.3f}, "
                      f"{(hi.mean() - lo.mean()) / sd:+.2f} simulated sds")


if __name__ == "__main__":
    main()

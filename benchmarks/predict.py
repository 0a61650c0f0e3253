"""Scores and run time of `clusterlab predict` on synthetic two-wave panels.

    python benchmarks/predict.py                       # 30 firms, 3 years, 20 replications, panel seeds 1-3
    python benchmarks/predict.py --firms 60 --replications 50 --seeds 1 2 3 4 5
    python benchmarks/predict.py --logit               # also the dyadic-logit panel (a process clusterlab did not generate)

Each panel is `clusterlab.panel.make_panel(firms, years, seed=s)`: wave 1 a cluster generated
by clusterlab, wave 2 one simulated interval under the default scenario (the true
parameters). The prediction runs the same scenario from wave 1 with the wave-1 attributes
(x, y in km, kind, stage, size), so the simulation knows the generating process and should
beat random rewiring on the tie-level AUC. With --logit, `make_logit_panel` (Juhasz &
Lengyel's dyadic logits) is scored too: there the default simulation does not know the
process, as on a real panel. Kernels are warmed on a tiny panel first (not timed).
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from clusterlab.panel import make_panel, predict
from clusterlab.panel.predict import LABELS, MODELS
from clusterlab.panel.synthetic import make_logit_panel

SHOWN = ("auc", "auc_persist", "auc_create", "jaccard", "degree_correlation", "ties", "exits", "transitivity")


def table(res) -> pd.DataFrame:
    sc = res.scores
    rows = {LABELS[m]: {k: res.value(m, k) for k in SHOWN} for m in MODELS}
    obs = sc.drop_duplicates("measure").set_index("measure")["observed"]
    rows["observed"] = {k: obs.get(k) for k in SHOWN}
    return pd.DataFrame(rows).T


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--firms", type=int, default=30)
    ap.add_argument("--years", type=float, default=3.0)
    ap.add_argument("--replications", type=int, default=20)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--logit", action="store_true")
    a = ap.parse_args()
    pd.set_option("display.width", 160)
    pd.set_option("display.float_format", lambda v: f"{v:.3f}")
    executor = "pool" if a.workers > 1 else "serial"

    t = time.perf_counter()
    warm = make_panel(10, 0.5, seed=1)
    predict(warm.wave1, warm.wave2, 0.5, replications=1)
    print(f"warm-up (kernels compiled or loaded): {time.perf_counter() - t:.1f} s\n")

    panels = [(f"make_panel({a.firms}, {a.years:g}, seed={s})", make_panel(a.firms, a.years, seed=s)) for s in a.seeds]
    if a.logit:
        panels += [(f"make_logit_panel(40, seed={s})", make_logit_panel(40, a.years, seed=s)) for s in a.seeds]
    for name, p in panels:
        t = time.perf_counter()
        res = predict(p.wave1, p.wave2, a.years, sets=p.truth if "logit" not in name else None,
                      replications=a.replications, seed=0, executor=executor, workers=a.workers)
        wall = time.perf_counter() - t
        s = res.summary()
        print(f"{name}: {s['actors']['wave1']} actors, {s['observed']['wave1_ties']} -> {s['observed']['ties']} ties, "
              f"{s['observed']['created']} created, {s['observed']['dissolved']} dissolved; "
              f"{a.replications} replications in {wall:.2f} s (simulation {s['seconds']['simulation']:.2f} s, "
              f"scoring {s['seconds']['scoring']:.2f} s)")
        print(table(res).to_string())
        print("verdict: " + "; ".join(f"{k} {'/'.join(v['best'])}" for k, v in s["verdict"].items()) + "\n")


if __name__ == "__main__":
    main()

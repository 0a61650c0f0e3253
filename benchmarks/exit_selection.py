"""Does estimating who exits (`clusterlab calibrate --who-exits`) help predict a panel whose
leavers were the weakly tied?

    python benchmarks/exit_selection.py SEED [--exit-ties -1] [--exit-share 0.05] [--without]

A 35-actor logit panel (`make_logit_panel(35, 3, {"exit_ties": B, "exit_share": S}, seed)`:
the leavers drawn with logit B per sd of log(1 + wave-1 ties)) is calibrated with
`LEVERS + (EXIT_SELECTION,)` (or `LEVERS` with --without) on 2 pool workers, the panel's
matrices given (geographic as distances), and predicted with the calibrated scenario (50
replications). Prints the observed exit_ties, the estimates and the simulation's and random
rewiring's AUC, Jaccard, degree correlation, ties and exits. README "Who exits" has the
numbers of seeds 1, 2, 6 and 7.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("seed", type=int)
    ap.add_argument("--exit-ties", type=float, default=-1.0)
    ap.add_argument("--exit-share", type=float, default=0.05)
    ap.add_argument("--without", action="store_true", help="calibrate without the who-exits lever")
    a = ap.parse_args()
    from clusterlab.panel.calibrate import EXIT_SELECTION, LEVERS, calibrate
    from clusterlab.panel.predict import predict
    from clusterlab.panel.synthetic import make_logit_panel
    from clusterlab.scenario import load_scenario

    p = make_logit_panel(35, 3, {"exit_ties": a.exit_ties, "exit_share": a.exit_share}, seed=a.seed)
    levers = LEVERS if a.without else LEVERS + (EXIT_SELECTION,)
    t = time.perf_counter()
    cal = calibrate(p.wave1, p.wave2, 3, {"geographic": p.geographic, "cognitive": p.cognitive}, levers=levers,
                    scales={"geographic": "distance"}, seed=a.seed, executor="pool", workers=2)
    s = cal.summary()
    print(f"calibration {time.perf_counter() - t:.0f} s; observed exit_ties {cal.observed['exit_ties']:.2f}, "
          f"exits {cal.observed['exits']:.0f}; {s['verdict']}")
    for key, e in s["estimates"].items():
        est = "-" if e["estimate"] is None else f"{e['estimate']:.3g}"
        se = "-" if e["se"] is None else f"{e['se']:.3g}"
        print(f"  {key:<46} {est:>8} +- {se:<8} {'fixed at a bound' if e['fixed_at_bound'] else ''}")
    for key, why in s["not_estimated"].items():
        print(f"  {key}: not estimated ({why})")
    with tempfile.TemporaryDirectory() as tmp:
        cal.write(Path(tmp) / "cal")
        r = predict(p.wave1, p.wave2, 3, load_scenario(Path(tmp) / "cal" / "calibrated.toml"), replications=50,
                    seed=a.seed, executor="pool", workers=2)
    m = r.summary()["models"]
    n = p.wave1.n
    for q in ("auc", "jaccard", "degree_correlation", "ties", "exits"):
        scale = n if q == "exits" else 1
        print(f"  {q:<20} simulation {m['simulation'][q]['mean'] * scale:8.3f}   "
              f"random rewiring {m['random_rewiring'][q]['mean'] * scale:8.3f}")


if __name__ == "__main__":
    main()

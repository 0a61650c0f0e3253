"""How typical a synthetic panel's wave 2 is: its exits, created and persisted ties against
other draws of the same interval from the same wave 1 (`make_panel`'s process, other seeds).

A calibration matches the panel's own draw; when that draw is far from its expectation, the
estimate is far from the truth for a good reason. Measured this way: the 120-firm panels of
README "Closure in the choice" seeds 11 and 12 drew 0 and 1 exits against 6.5 +- 2.5 and
6.4 +- 1.8.

    python benchmarks/panel_draws.py --firms 120 --seeds 11 12 13 --draws 15 --truth KEY=VALUE ...
"""

from __future__ import annotations

import argparse

import numpy as np

from calibrate import truth_from  # benchmarks/calibrate.py: the same panel truth


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--firms", type=int, default=30)
    ap.add_argument("--seeds", type=int, nargs="+", default=[11])
    ap.add_argument("--draws", type=int, default=15)
    ap.add_argument("--truth", nargs="*", default=[], metavar="KEY=VALUE")
    a = ap.parse_args()
    from clusterlab.panel.interval import interval_steps, replication_seed
    from clusterlab.panel.synthetic import PANEL_DRAW, _one, _wave1
    from clusterlab.scenario import default_scenario

    sets = truth_from(a.truth)
    for seed in a.seeds:
        sc = default_scenario().set(**{"population.firms": a.firms, "seed": seed, **sets})
        w1 = _wave1(sc)
        steps = interval_steps(sc, 3)
        n1 = set(zip(w1.src.tolist(), w1.dst.tolist()))

        def counts(run):
            pairs = set(zip(run.a.tolist(), run.b.tolist()))
            return int((~run.present).sum()), len(pairs - n1), len(pairs & n1)

        own = counts(_one(w1, sc, steps, replication_seed(seed, PANEL_DRAW)))
        other = np.array([counts(_one(w1, sc, steps, replication_seed(seed, PANEL_DRAW + 10_000 + r)))
                          for r in range(a.draws)])
        print(f"panel seed {seed}: " + ", ".join(
            f"{name} {v} (other draws {m:.1f} +- {s:.1f})"
            for name, v, m, s in zip(("exits", "created", "persisted"), own, other.mean(0), other.std(0))), flush=True)


if __name__ == "__main__":
    main()

"""Non-response in a panel: what the observed persistence and creation rates become when some
firms do not answer wave 2 (their rows NA, each of their ties still reported by the partner).

    python benchmarks/non_response.py [--actors 35] [--silent 5] [--seeds 1 2 3]

Three readings of the same wave 2, per seed (docs/odd.md 7.22, "Unobserved cells"):
- full: the complete wave 2 (the truth);
- ties kept: a non-respondent's pairs scored where the partner reports a tie, left out
  otherwise (its ties are reported, its non-ties never: selection on the outcome);
- left out: every pair with an NA cell left out (clusterlab's rule; Huisman & Steglich 2008).
"""

from __future__ import annotations

import argparse

import numpy as np

from clusterlab.data import ClusterNetwork
from clusterlab.panel.scores import match_waves
from clusterlab.panel.synthetic import make_logit_panel


def rates(w1: ClusterNetwork, w2: ClusterNetwork) -> tuple[float, float, int]:
    o = match_waves(w1, w2)
    t1 = o.ties1_among_stayers()
    kept = len(np.intersect1d(t1, o.ties2, assume_unique=True))
    candidates = o.known_pairs() - len(t1)
    return kept / len(t1), (len(o.ties2) - kept) / candidates, len(t1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--actors", type=int, default=35)
    ap.add_argument("--silent", type=int, default=5, help="non-respondents in wave 2")
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    a = ap.parse_args()
    print(f"{'seed':>4} {'reading':<10} {'persistence':>11} {'creation':>9} {'wave-1 ties scored':>18}")
    for seed in a.seeds:
        p = make_logit_panel(a.actors, 3, seed=seed)
        w2 = p.wave2
        who = np.random.default_rng(seed).choice(w2.n, a.silent, replace=False)
        cells = np.array([(i, j) for i in who for j in range(w2.n) if j != i])
        tied = {(min(a, b), max(a, b)) for a, b in zip(w2.src, w2.dst)}
        untied = np.array([c for c in cells if (min(c), max(c)) not in tied])

        def marked(m):
            return ClusterNetwork(ids=w2.ids, src=w2.src, dst=w2.dst, weight=w2.weight, directed=w2.directed,
                                  attributes=w2.attributes, missing=m)

        for name, wave in (("full", w2), ("ties kept", marked(untied)), ("left out", marked(cells))):
            pr, cr, t1 = rates(p.wave1, wave)
            print(f"{seed:>4} {name:<10} {pr:>11.3f} {cr:>9.4f} {t1:>18}")


if __name__ == "__main__":
    main()

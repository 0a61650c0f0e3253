"""Seconds to summarise a store of many runs (issue 9: "summarising 10,000 runs takes seconds").

    python benchmarks/summary.py                    # 10,000 runs in a temp folder
    python benchmarks/summary.py --runs 2000 --keep /tmp/store

Writes `--runs` tiny runs with Store(durable=False) (not timed as the summary; the write time
is printed too): 4 arms x runs/4 CRN replications, an "outcomes" table of 3 scalar outcomes
and a "timeseries" table of 21 kept steps x 3 columns, as an arms experiment of 20 years
would. Then times `summarize` (arm means, 9 paired comparisons with Holm, bands per arm x
step x column) and `write_report`, each the median of `--rounds` (default 3).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from clusterlab.experiments import Store
from clusterlab.experiments.report import write_report
from clusterlab.experiments.summary import summarize

ARMS = ["none", "org", "uni", "both"]


def fill(folder: Path, runs: int) -> float:
    st = Store(folder, durable=False)
    reps = runs // len(ARMS)
    rng = np.random.default_rng(1)
    steps = np.arange(0, 241, 12)
    t0 = time.perf_counter()
    for p, arm in enumerate(ARMS):
        for r in range(reps):
            out = pd.DataFrame({"sme_intl": [rng.normal(0.3 + 0.05 * p, 0.05)],
                                "knowledge": [rng.normal(2, 0.2)], "gap": [rng.normal(1, 0.1)]})
            ts = pd.DataFrame({"step": steps, "knowledge_mean": rng.normal(1, 0.1, steps.size),
                               "sme_international_share": rng.normal(0.3, 0.05, steps.size),
                               "frontier_gap": rng.normal(1, 0.1, steps.size)})
            st.write(f"{arm}-{r:06d}", {"outcomes": out, "timeseries": ts},
                     {"arm": arm, "point": p, "replication": r, "seed": 1 + r})
    st.save_json("layout", {"name": "bench", "kind": "arms", "arms": ARMS, "control": "none",
                                "replications": reps, "seed": 1,
                                "outcomes": {"values": list(out.columns),
                                             "timeseries": list(ts.columns[1:])}})
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="store folder to (re)use instead of a temp one")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = a.keep or Path(tmp) / "store"
        if folder.exists() and (folder / "manifest.json").is_file():
            print(f"reusing {folder}: {len(Store(folder).keys())} runs")
        else:
            print(f"wrote {a.runs} runs in {fill(folder, a.runs):.1f} s")
        st = Store(folder)
        times, rep = [], []
        for _ in range(a.rounds):
            t0 = time.perf_counter()
            s = summarize(st)
            times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            write_report(s, Path(tmp) / "report")
            rep.append(time.perf_counter() - t0)
        print(f"summarize: {s.runs} runs, {len(s.comparisons)} comparisons, {len(s.bands)} band rows")
        print(f"summarize median {statistics.median(times):.2f} s (all: "
              + ", ".join(f"{t:.2f}" for t in times) + ")")
        print(f"write_report median {statistics.median(rep):.2f} s")


if __name__ == "__main__":
    main()

"""Cost of one replication of `panel.interval.simulate_interval` on a small cluster: what
`clusterlab calibrate` and `predict` repeat thousands of times (a 35-firm
`make_logit_panel`, 3 years = 36 steps, keep=[]).

    python benchmarks/interval.py [--firms 35] [--replications 20] [--repeats 5]
    python benchmarks/interval.py --against OTHER/src --rounds 3   # this checkout v. another

Two cases: "codes" starts from wave 1 with its industry codes (profiles fitted to them);
"matrices" also gives the panel's cognitive and geographic matrices as data.cognitive /
data.geographic files (as calibrate's model_proximities does). Prints ms per replication
(the minimum over repeats after a warm-up: Numba compilation excluded; wall and the main
thread's CPU time, less sensitive to other load) and a digest of the
replications' outcomes, which must be the same in both checkouts (same seeds, same results).
With --against, each case runs in both checkouts in alternating rounds in fresh processes,
and the ratio old / new (speed-up) is reported per round and as the median.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CASES = ("codes", "matrices")


def measure(case: str, firms: int, replications: int, repeats: int) -> dict:
    import numpy as np

    from clusterlab.panel.interval import simulate_interval
    from clusterlab.panel.synthetic import make_logit_panel

    p = make_logit_panel(firms, 3.0, seed=1)
    with tempfile.TemporaryDirectory(prefix="clusterlab-bench-") as tmp:
        sets = {}
        if case == "matrices":
            cog, geo = Path(tmp) / "cognitive.csv", Path(tmp) / "geo_km.csv"
            p.cognitive.to_csv(cog)
            p.geographic.to_csv(geo)
            sets = {"data.cognitive": str(cog), "data.geographic": str(geo), "data.geographic_kind": "distance"}
        simulate_interval(p.wave1, 3.0, sets=sets, replications=2, seed=0)  # warm-up (kernels)
        best, cpu, digest = float("inf"), float("inf"), hashlib.sha256()
        for r in range(repeats):
            t0, c0 = time.perf_counter(), time.thread_time()
            runs = simulate_interval(p.wave1, 3.0, sets=sets, replications=replications, seed=1)
            best = min(best, (time.perf_counter() - t0) / replications)
            cpu = min(cpu, (time.thread_time() - c0) / replications)
            if r == 0:
                for run in runs:
                    for arr in (run.present, run.a, run.b, np.array([run.entries, run.seed])):
                        digest.update(np.ascontiguousarray(arr).tobytes())
    return {"case": case, "ms": 1000 * best, "cpu_ms": 1000 * cpu, "digest": digest.hexdigest()[:16]}


def child(case: str, args, src: str | None = None) -> dict:
    """One case in a fresh process (with `src` first on the path: another checkout)."""
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = os.pathsep.join([str(Path(src).resolve()), env.get("PYTHONPATH", "")])
    out = subprocess.run([sys.executable, __file__, "--child", case, "--firms", str(args.firms),
                          "--replications", str(args.replications), "--repeats", str(args.repeats)],
                         capture_output=True, text=True, env=env)
    if out.returncode != 0:
        sys.exit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--firms", type=int, default=35)
    ap.add_argument("--replications", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--against", metavar="SRC", help="another checkout's src folder to compare with")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds per case with --against")
    ap.add_argument("--child", choices=CASES, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.firms, args.replications, args.repeats)))
        return
    for case in CASES:
        if not args.against:
            row = child(case, args)
            print(f"{case:<9} {row['ms']:7.2f} ms/replication (cpu {row['cpu_ms']:.2f})  digest {row['digest']}")
            continue
        ratios, cpu = [], []
        for r in range(args.rounds):
            old, new = child(case, args, args.against), child(case, args)
            ratios.append(old["ms"] / new["ms"])
            cpu.append(old["cpu_ms"] / new["cpu_ms"])
            same = "same" if old["digest"] == new["digest"] else "DIFFERENT"
            print(f"{case:<9} r{r}  old {old['ms']:7.2f}  new {new['ms']:7.2f} ms/replication  "
                  f"(cpu {old['cpu_ms']:.2f}, {new['cpu_ms']:.2f})  old/new {ratios[-1]:.2f} (cpu {cpu[-1]:.2f})  "
                  f"outcomes {same} ({new['digest']})")
        print(f"{case:<9} speed-up old/new median {statistics.median(ratios):.2f} (cpu {statistics.median(cpu):.2f})")


if __name__ == "__main__":
    main()

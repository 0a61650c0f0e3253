"""Seconds per step and peak memory of the simulator at a given size.

    python benchmarks/scale.py --actors 1000000 --domains 16 --steps 5
    python benchmarks/scale.py --actors 10000 100000 1000000     # linearity check
    python benchmarks/scale.py --core ...                         # mechanisms 1-8 only
    python benchmarks/scale.py --against OTHER/src --rounds 2     # this checkout v. another, as ratios
    python benchmarks/scale.py --actors 100000 --set mechanisms.network_evolution.acceptance=choice

The scenario goes through the same code path as `clusterlab run` (a validated Scenario,
`Sim.init`, `Sim.step`); only the sizes are scaled from the default: firms keep the
default's density per km2 and towns per firm, tie degrees give about 10 ties per actor
(20 tie ends), every mechanism is on (with --core only the core mechanisms 1-8). Each size runs in a fresh process so peak memory
(ru_maxrss) is that size's own. With `--against`, each size runs in both checkouts in
alternating rounds (old, new, old, new, ...) in one session, and the ratio new / old of the
mean time per step is reported per round and as the median over rounds, so machine noise
hits both sides alike.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path


DYNAMICS = ("technology", "labour", "focal_firms", "projects", "cluster_org", "network_evolution",
            "openness", "market")


def scenario_for(actors: int, domains: int, steps: int, core: bool = False, sets: list[str] | None = None):
    from clusterlab import default_scenario
    from clusterlab.scenario import parse_override

    externals = max(50, actors // 40)
    cluster_orgs = max(1, actors // 100_000)
    inst_each = max(2, actors // 400)
    firms = actors - externals - cluster_orgs - 4 * inst_each
    region = 40.0 * math.sqrt(firms / 200)
    return default_scenario().set(**{
        "name": f"scale-{actors}", "steps": steps,
        "population.firms": firms, "population.externals": externals,
        "population.universities": inst_each, "population.institutes": inst_each,
        "population.intermediaries": inst_each, "population.agencies": inst_each,
        "population.cluster_orgs": cluster_orgs, "population.region_km": region,
        "population.centres": max(3, firms // 70),
        "knowledge.domains": domains,
        "network.horizontal_degree": 9.0, "network.vertical_degree": 9.0,
        "network.multi_angle_degree": 2.5,
        "network.cluster_org_members": min(0.3, 20_000 / firms),
        "output.figures": False,
        **{f"mechanisms.{m}.enabled": not core for m in DYNAMICS},
    }).set(**dict(parse_override(kv) for kv in sets or []))


def one(actors: int, domains: int, steps: int, core: bool = False, sets: list[str] | None = None) -> dict:
    import resource

    from clusterlab import Sim

    sc = scenario_for(actors, domains, steps, core, sets)
    t0 = time.perf_counter()
    sim = Sim(sc)
    sim.init()
    build = time.perf_counter() - t0
    sim.step()  # warm-up: compile or load cached kernels
    sim.timings.clear()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        sim.step()
        times.append(time.perf_counter() - t0)
    per_step = sum(times) / steps
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # GiB (ru_maxrss in KiB)
    return {
        "actors": sim.actors.n, "ties": sim.ties.n_alive, "domains": domains,
        "build_s": round(build, 2), "step_s": round(per_step, 4), "max_step_s": round(max(times), 4),
        "per_mechanism_s": {k: round(v / steps, 4) for k, v in sim.timings.items()},
        "peak_gib": round(peak, 2),
    }


def child(n: int, args, src: str | None = None) -> dict:
    """Run one size in a fresh process (with `src` first on the path: another checkout)."""
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = os.pathsep.join([str(Path(src).resolve()), env.get("PYTHONPATH", "")])
    out = subprocess.run([sys.executable, __file__, "--child", "--actors", str(n),
                          "--domains", str(args.domains), "--steps", str(args.steps)]
                         + (["--core"] if args.core else []) + [x for kv in args.sets for x in ("--set", kv)],
                         capture_output=True, text=True, env=env)
    if out.returncode != 0:
        sys.exit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def show(row: dict, label: str = "") -> None:
    print(f"{label}{row['actors']:>10,} actors {row['ties']:>11,} ties  D={row['domains']}  "
          f"build {row['build_s']:7.2f} s  step {row['step_s']:.4f} s (max {row['max_step_s']:.3f})  "
          f"({row['step_s'] / row['actors'] * 1e6:.3f} us/actor)  peak {row['peak_gib']:.2f} GiB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--actors", type=int, nargs="+", default=[1_000_000])
    ap.add_argument("--domains", type=int, default=16)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--core", action="store_true", help="only the core mechanisms 1-8 (no cluster dynamics)")
    ap.add_argument("--against", metavar="SRC", help="another checkout's src folder to compare with")
    ap.add_argument("--rounds", type=int, default=2, help="alternating rounds per size with --against")
    ap.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                    help="a scenario change for every size, e.g. mechanisms.network_evolution.acceptance=choice")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(one(args.actors[0], args.domains, args.steps, args.core, args.sets)))
        return
    if args.against:
        child(min(args.actors), args, args.against)  # compile both sides' kernels before timing
        child(min(args.actors), args)
        for n in args.actors:
            ratios, builds = [], []
            for r in range(args.rounds):
                old = child(n, args, args.against)
                new = child(n, args)
                show(old, f"old r{r} ")
                show(new, f"new r{r} ")
                ratios.append(new["step_s"] / old["step_s"])
                builds.append(new["build_s"] / old["build_s"])
            print(f"  {n:,} actors: step time new/old per round {', '.join(f'{x:.3f}' for x in ratios)}; "
                  f"median {statistics.median(ratios):.3f}; build new/old median {statistics.median(builds):.3f}")
        return
    for n in args.actors:
        row = child(n, args)
        show(row)
        print("    " + "  ".join(f"{k} {v:.4f}" for k, v in row["per_mechanism_s"].items()))


if __name__ == "__main__":
    main()

"""The issue's targets for real two-wave clusters, measured on panels clusterlab did not
generate, through the command line a user would run.

    python benchmarks/real_clusters.py                          # 5 panels of 35 actors, 3 years
    python benchmarks/real_clusters.py --seeds 1 2 3 --actors 30 --workers 2 --replications 50
    python benchmarks/real_clusters.py --set mechanisms.network_evolution.acceptance=choice \
        --set mechanisms.network_evolution.base_accept=1       # the choice form (docs/odd.md 7.12)
    python benchmarks/real_clusters.py --levers all ...        # also the closure and cognitive weights

For each panel seed: `clusterlab.panel.synthetic.make_logit_panel(actors, 3, seed)` (the dyadic
logits of Juhasz & Lengyel 2018 run forward once: the stand-in for a real survey panel) is
written as files (wave1.csv, wave2.csv, attributes.csv with x/y and industry codes,
geo_km.csv, cognitive.csv), then

    clusterlab calibrate wave1.csv wave2.csv --years 3 --attributes attributes.csv \\
        --geographic geo_km.csv:distance --cognitive cognitive.csv --workers W --seed S -o cal
    clusterlab predict wave1.csv wave2.csv --years 3 --attributes attributes.csv \\
        --scenario cal/calibrated.toml --replications R --workers W --seed S -o pred

(calibrated.toml holds the data.geographic / data.cognitive keys given to calibrate, so
predict simulates the model that was calibrated). Prints per panel and over all panels a
pass/fail table of the targets with the numbers:

    AUC > random rewiring, AUC > nothing changes, Jaccard > random rewiring,
    degree r > random rewiring, |ties / observed - 1| <= 0.15, |exits / observed - 1| <= 0.15,
    calibration time <= 300 s (wall; the machine may be shared: CPU time is printed too)

Exits are compared as counts of wave-1 actors gone (simulated mean over the replications).
With --uncalibrated the same predict runs without the calibration (the built-in scenario and
the same matrices), for comparison. With --composition observed both commands get who leaves
from wave 2 (RSiena's treatment of composition change): the tie dynamics are then scored
alone, and the exits row says "given" (it is not a prediction). With --exit-ties B (and
--exit-share S) the panels' leavers are the weakly tied (make_logit_panel's exit_ties), and
--who-exits calibrates which firms exit as well (`clusterlab calibrate --who-exits`). With
--directed the panels are directed (who asks whom drawn on top of the same pairs,
`make_logit_panel(directed=True)`): calibrate also estimates the reciprocation hazard, and
the directed scores (AUC, Jaccard, in-degree r over ordered pairs, reciprocity, directed tie
count) are judged beside the undirected ones.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TOL = 0.15
TIME_LIMIT = 300.0


def cli(*args: str) -> None:
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    r = subprocess.run([sys.executable, "-m", "clusterlab", *args], env=env, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"clusterlab {' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")


def cpu_children() -> float:
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return c.ru_utime + c.ru_stime


def one(seed: int, actors: int, years: float, workers: int, reps: int, folder: Path, calibrated: bool,
        composition: str = "simulated", truth: dict | None = None, who_exits: bool = False,
        sets: list[str] | None = None, levers: str = "default", directed: bool = False) -> dict:
    from clusterlab.panel.synthetic import make_logit_panel

    panel = make_logit_panel(actors, years, truth, seed=seed, directed=directed)
    p = {k: str(v) for k, v in panel.write(folder / "panel").items()}
    common = [p["wave1"], p["wave2"], "--years", f"{years:g}", "--attributes", p["attributes"],
              "--composition", composition]
    mats = ["--geographic", p["geo_km"] + ":distance", "--cognitive", p["cognitive"]]
    row = {"seed": seed, "composition": composition}
    if calibrated:
        t, c = time.perf_counter(), cpu_children()
        cli("calibrate", *common, *mats, "--workers", str(workers), "--seed", str(seed), "-o", str(folder / "cal"),
            "--levers", levers, *(["--who-exits"] if who_exits else []),
            *[x for kv in sets or [] for x in ("--set", kv)])
        row["cal_seconds"], row["cal_cpu"] = time.perf_counter() - t, cpu_children() - c
        conv = json.loads((folder / "cal" / "convergence.json").read_text())
        row["converged"] = conv["converged"]
        row["estimates"] = {k.rsplit(".", 1)[-1]: round(v["estimate"], 3)
                            for k, v in conv["estimates"].items() if v["estimated"]}
        row["fixed"] = {k.rsplit(".", 1)[-1]: v["estimate"] for k, v in conv["estimates"].items()
                        if v.get("fixed_at_bound")}
        model = ["--scenario", str(folder / "cal" / "calibrated.toml")]
    else:
        model = mats + [x for kv in sets or [] for x in ("--set", kv)]
    cli("predict", *common, *model, "--replications", str(reps), "--workers", str(workers), "--seed", str(seed),
        "-o", str(folder / "pred"), "--quiet")
    s = json.loads((folder / "pred" / "summary.json").read_text())
    m = {k: {q: v.get("mean") for q, v in s["models"][k].items() if isinstance(v, dict)} for k in s["models"]}
    obs = s["observed"]
    n = panel.wave1.n
    row.update({
        "auc": m["simulation"]["auc"], "auc_rr": m["random_rewiring"]["auc"], "auc_nc": m["nothing_changes"]["auc"],
        "jac": m["simulation"]["jaccard"], "jac_rr": m["random_rewiring"]["jaccard"],
        "deg": m["simulation"]["degree_correlation"], "deg_rr": m["random_rewiring"]["degree_correlation"],
        "ties": m["simulation"]["ties"], "ties_obs": obs["ties"],
        "exits": m["simulation"]["exits"] * n, "exits_obs": obs["exits"] * n,
    })
    if directed:  # who asks whom
        row.update({k + sfx: m[model].get(measure) for k, measure in
                    (("dauc", "arcs_auc"), ("djac", "arcs_jaccard"), ("din", "indegree_correlation"),
                     ("drec", "reciprocity"), ("arcs", "arcs"))
                    for sfx, model in (("", "simulation"), ("_rr", "random_rewiring"), ("_nc", "nothing_changes"))})
        row["drec_obs"], row["arcs_obs"] = obs["reciprocity_among_stayers"], obs["arcs"]
        row["reciprocate"] = row.get("estimates", {}).get("reciprocate")
    return row


def verdicts(r: dict) -> dict[str, tuple[bool, str]]:
    def rel(a, b):
        return abs(a / b - 1) if b else (0.0 if a == 0 else float("inf"))

    out = {
        "AUC > random rewiring": (r["auc"] > r["auc_rr"], f"{r['auc']:.3f} vs {r['auc_rr']:.3f}"),
        "AUC > nothing changes": (r["auc"] > r["auc_nc"], f"{r['auc']:.3f} vs {r['auc_nc']:.3f}"),
        "Jaccard > random rewiring": (r["jac"] > r["jac_rr"], f"{r['jac']:.3f} vs {r['jac_rr']:.3f}"),
        "degree r > random rewiring": (r["deg"] > r["deg_rr"], f"{r['deg']:.3f} vs {r['deg_rr']:.3f}"),
        "ties within 15%": (rel(r["ties"], r["ties_obs"]) <= TOL, f"{r['ties']:.1f} vs {r['ties_obs']:.0f}"),
    }
    if r.get("composition", "simulated") == "simulated":
        out["exits within 15%"] = (rel(r["exits"], r["exits_obs"]) <= TOL, f"{r['exits']:.2f} vs {r['exits_obs']:.0f}")
    if "dauc" in r:
        out["directed AUC > random rewiring"] = (r["dauc"] > r["dauc_rr"], f"{r['dauc']:.3f} vs {r['dauc_rr']:.3f}")
        out["directed AUC > nothing changes"] = (r["dauc"] > r["dauc_nc"], f"{r['dauc']:.3f} vs {r['dauc_nc']:.3f}")
        out["directed Jaccard > rr"] = (r["djac"] > r["djac_rr"], f"{r['djac']:.3f} vs {r['djac_rr']:.3f}")
        out["in-degree r > rr"] = (r["din"] > r["din_rr"], f"{r['din']:.3f} vs {r['din_rr']:.3f}")
        out["reciprocity within 15%"] = (rel(r["drec"], r["drec_obs"]) <= TOL,
                                         f"{r['drec']:.3f} vs {r['drec_obs']:.3f} (nothing changes {r['drec_nc']:.3f})")
        out["directed ties within 15%"] = (rel(r["arcs"], r["arcs_obs"]) <= TOL, f"{r['arcs']:.1f} vs {r['arcs_obs']:.0f}")
    if "cal_seconds" in r:
        out["calibration <= 300 s"] = (r["cal_seconds"] <= TIME_LIMIT,
                                       f"{r['cal_seconds']:.0f} s wall, {r['cal_cpu']:.0f} s CPU")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    ap.add_argument("--actors", type=int, default=35)
    ap.add_argument("--years", type=float, default=3.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--replications", type=int, default=50)
    ap.add_argument("--uncalibrated", action="store_true", help="predict with the built-in scenario instead")
    ap.add_argument("--composition", choices=("simulated", "observed"), default="simulated",
                    help="who leaves: simulated (predicted) or observed (given from wave 2)")
    ap.add_argument("--keep", metavar="DIR", help="keep the panels, calibrations and predictions in DIR")
    ap.add_argument("--who-exits", action="store_true", help="calibrate with --who-exits (which firms exit)")
    ap.add_argument("--levers", choices=("default", "all"), default="default",
                    help="calibrate's --levers (all: also the closure and cognitive weights)")
    ap.add_argument("--exit-ties", type=float, default=0.0,
                    help="panels whose leavers are the weakly tied: make_logit_panel's exit_ties (e.g. -1)")
    ap.add_argument("--exit-share", type=float, default=None, help="make_logit_panel's exit_share (default 0.08)")
    ap.add_argument("--directed", action="store_true",
                    help="directed panels (make_logit_panel directed=True: who asks whom drawn on top)")
    ap.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                    help="a scenario change given to calibrate (and so kept in calibrated.toml) or, with "
                         "--uncalibrated, to predict; e.g. mechanisms.network_evolution.acceptance=choice")
    args = ap.parse_args()
    truth = {"exit_ties": args.exit_ties, **({"exit_share": args.exit_share} if args.exit_share is not None else {})}
    rows = []
    with tempfile.TemporaryDirectory(prefix="clusterlab-real-") as tmp:
        tmp = args.keep or tmp
        for seed in args.seeds:
            row = one(seed, args.actors, args.years, args.workers, args.replications, Path(tmp) / f"s{seed}",
                      not args.uncalibrated, args.composition, truth, args.who_exits, args.sets, args.levers,
                      args.directed)
            rows.append(row)
            v = verdicts(row)
            print(f"\npanel seed {seed}" + (f" (converged: {row['converged']}; estimates {row['estimates']}; "
                                            f"fixed at a bound {row['fixed']})"
                                            if "converged" in row else " (uncalibrated)"), flush=True)
            for name, (ok, text) in v.items():
                print(f"  {name:<28} {'PASS' if ok else 'FAIL'}  {text}", flush=True)
    print(f"\nall panels ({len(rows)}; {args.actors} actors, {args.years:g} years, {args.replications} replications, "
          f"composition {args.composition}, panel truth {truth}{', --who-exits' if args.who_exits else ''}"
          f"{''.join(' --set ' + kv for kv in args.sets)}, --levers {args.levers}"
          f"{', directed' if args.directed else ''}):")
    names = list(verdicts(rows[0]))
    for name in names:
        passed = sum(verdicts(r)[name][0] for r in rows)
        print(f"  {name:<28} passed on {passed} of {len(rows)}")


if __name__ == "__main__":
    main()

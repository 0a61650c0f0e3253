"""Started from a real cluster's survey, exits and tie dynamics act as in a generated
cluster (docs/odd.md, 5.3 and 7.15): firms exit at a few per cent a year, the weak ones
rather than the smallest, and survey ties dissolve at the rates network evolution implies."""

import numpy as np
import pandas as pd
import pytest

import clusterlab as cl
from clusterlab.data import ClusterNetwork
from clusterlab.proximity import cognitive
from clusterlab.state import PIPELINE, SME

YEARS = 3
REPS = 16


def survey_cluster(n=30, ties=70, seed=12) -> ClusterNetwork:
    """A survey-like cluster: 30 firms of 1 to 200 employees, most of them 1-10 (lognormal,
    median 5), half reporting 1-5 external ties; 70 unweighted ties, more among larger firms."""
    rng = np.random.default_rng(seed)
    size = np.round(np.exp(rng.normal(1.6, 1.3, n))).clip(1, 200)
    size[:3], size[3:5] = 1, (180, 120)
    ext = np.where(rng.random(n) < 0.5, rng.integers(1, 6, n), 0)
    p = np.log1p(size) / np.log1p(size).sum()
    pairs = set()
    while len(pairs) < ties:
        a, b = rng.choice(n, 2, replace=False, p=p)
        pairs.add((min(a, b), max(a, b)))
    src, dst = np.array(sorted(pairs)).T
    ids = [f"f{i:02d}" for i in range(n)]
    net = ClusterNetwork(ids=ids, src=src, dst=dst, weight=np.ones(len(src)), source="survey")
    net.attributes = pd.DataFrame({"id": ids, "size": size, "external_ties": ext})
    return net


def simulate(net, **sets):
    """REPS runs of YEARS years from the survey: per run the firms' exits, size and
    competitiveness at the start, and per survey tie (both ends surviving) whether it
    persisted and the ends' cognitive proximity at the start."""
    sc = cl.default_scenario().set(steps=YEARS * 12, **{"output.figures": False}, **sets)
    out = []
    for seed in range(REPS):
        sim = cl.Sim(sc.set(seed=seed), keep=[])
        sim.init(network=net)
        a, t, n = sim.actors, sim.ties, net.n
        firm = np.flatnonzero(a.kind[:n] <= SME)
        k = (a.T[firm] + a.E[firm]) @ sim.tech.relevance
        size = a.size[firm].copy()
        local = np.flatnonzero(t.alive & (t.layer != PIPELINE) & (t.a < n) & (t.b < n))
        lo, hi = t.a[local].astype(np.int64), t.b[local].astype(np.int64)
        close = cognitive(a, lo, hi)
        for _ in range(sc.steps):
            sim.step()
        t, alive = sim.ties, a.alive
        now = t.alive & (t.a < n) & (t.b < n)
        end = set((np.minimum(t.a[now], t.b[now]).astype(np.int64) * n + np.maximum(t.a[now], t.b[now])).tolist())
        both = alive[lo] & alive[hi]
        kept = np.array([c in end for c in (np.minimum(lo, hi) * n + np.maximum(lo, hi)).tolist()])
        out.append(dict(exit=~alive[firm], k=k, size=size, kept=kept[both], close=close[both]))
    return out


@pytest.fixture(scope="module")
def net():
    return survey_cluster()


@pytest.fixture(scope="module")
def default_runs(net):
    return simulate(net)


def pooled(runs, key):
    return np.concatenate([r[key] for r in runs])


def test_firms_exit_at_a_few_per_cent_a_year_the_weak_not_the_smallest(default_runs):
    exit, k, size = (pooled(default_runs, key) for key in ("exit", "k", "size"))
    hazard = 1 - (1 - exit.mean()) ** (1 / YEARS)
    assert 0.01 < hazard < 0.06  # SMEs in established clusters: a few % a year
    rank = np.concatenate([np.argsort(np.argsort(r["k"])) / len(r["k"]) for r in default_runs])
    weak, strong = exit[rank < 1 / 3].mean(), exit[rank >= 2 / 3].mean()
    assert weak > 4 * strong  # low competitiveness exits
    one = size <= 1
    assert exit[one].mean() < 1.5 * exit.mean()  # one-employee firms no more than others


def test_flat_pipeline_costs_were_the_cause_of_many_small_firm_exits(net, default_runs):
    flat = simulate(net, **{"network.pipeline_cost_size": 0.0})
    exit_flat, exit_now = pooled(flat, "exit"), pooled(default_runs, "exit")
    size = pooled(flat, "size")
    small = size <= 5
    assert exit_flat.mean() > 1.5 * exit_now.mean()
    assert exit_flat[small].mean() > 1.5 * exit_now[small].mean()


def test_survey_ties_dissolve_in_three_years_and_faster_with_a_higher_dissolve_rate(net, default_runs):
    kept = pooled(default_runs, "kept")
    assert 0.08 < 1 - kept.mean() < 0.5  # a substantial share of survey ties dissolves
    fast = pooled(simulate(net, **{"mechanisms.network_evolution.dissolve_rate": 32.0}), "kept")
    slow = pooled(simulate(net, **{"mechanisms.network_evolution.dissolve_rate": 2.0}), "kept")
    assert 1 - slow.mean() < 1 - kept.mean() < 1 - fast.mean()


def test_persistence_keeps_cognitively_close_survey_ties(net):
    """With persistence 1 cognitively close ties persist and distant ones dissolve; with
    persistence 0 closeness does not matter: the persisted ties are less close."""
    def closeness_kept(persistence):
        runs = simulate(net, **{"mechanisms.network_evolution.persistence": persistence})
        kept, close = pooled(runs, "kept"), pooled(runs, "close")
        return 1 - kept.mean(), close[kept].mean() - close[~kept].mean()

    lost_none, gap_none = closeness_kept(0.0)
    lost_full, gap_full = closeness_kept(1.0)
    assert lost_full < lost_none  # persistence keeps ties
    assert gap_full > gap_none + 0.05  # and the ones it keeps are the cognitively close

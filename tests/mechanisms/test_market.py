"""Market and survival move the model in the directions their sources say (small seeded cases)."""

import numpy as np
import pytest

import clusterlab as cl
from clusterlab.state import EXTERNAL, FOCAL, PIPELINE, SME, VERTICAL

QUIET = {"market__luck": 0.0}  # no idiosyncratic fortune: revenue follows knowledge alone


def levels(*k, D=4):
    """Knowledge rows with every domain at the given level (half tacit, half explicit)."""
    K = np.repeat(np.asarray(k, np.float32)[:, None], D, axis=1)
    return dict(T=0.5 * K, E=0.5 * K)


def test_higher_competitiveness_more_revenue_and_capital(actors, only, sim_with, ties):
    sim = sim_with(only("market", **QUIET), actors(3, **levels(0.2, 0.4, 0.8)), ties(3, [], []))
    cap0 = sim.actors.capital.copy()
    assert np.allclose(cap0, cap0[0]) and cap0[0] > 0  # same size: same starting capital
    for _ in range(6):
        sim.step()
    rev, cap = sim.actors.revenue[:3], sim.actors.capital
    assert rev[0] < rev[1] < rev[2]
    assert cap[0] < cap[1] <= cap[2]
    assert cap[0] < cap0[0]  # the weakest firm loses money


def test_downstream_stages_earn_more_per_employee(actors, only, sim_with, ties):
    act = actors(2, stage=[0, 3], **levels(0.4, 0.4))
    sim = sim_with(only("market", **QUIET), act, ties(2, [], []))
    sim.step()
    rev = sim.actors.revenue
    assert rev[1] > rev[0] > 0


def test_firms_with_negative_capital_exit_and_lose_their_ties(actors, only, sim_with, ties):
    act = actors(4, stage=[0, 1, 0, 1], **levels(0.4, 0.4, 0.4, 0.4))
    tie = ties(4, [0, 1, 1], [1, 2, 3], layer=VERTICAL)
    sim = sim_with(only("market", **QUIET), act, tie)
    sim.actors.capital[1] = -1e6
    sim.step()
    a = sim.actors
    assert not a.alive[1] and a.alive[[0, 2, 3]].all()
    assert sim.ties.deg[1].sum() == 0 and sim.ties.n_alive == 0
    assert sim.stats["exits"] == 1 and sim.results().timeseries["exits"].iloc[-1] == 1
    assert sim.results().timeseries["firms"].iloc[-1] == 3
    sim.step()
    assert sim.stats["exits"] == 0  # an exit happens once


@pytest.mark.parametrize("support", [0.0, 0.5])
def test_partners_carry_a_firm_short_of_capital(actors, only, sim_with, ties, support):
    # four like firms with 0.1 years of fixed costs left: firm 0 has no tie, 1 and 3 one, 2 two
    act = actors(4, **levels(0.4, 0.4, 0.4, 0.4))
    sim = sim_with(only("market", **QUIET, market__tie_support_years=support), act,
                   ties(4, [1, 2], [2, 3], layer=VERTICAL))
    sim.actors.capital[:4] = 0.1 * sim.actors.size[:4]
    sim.step()
    alive = sim.actors.alive[:4]
    if support == 0:  # above the threshold 0: nobody exits
        assert alive.all()
    else:  # mean log(1 + ties) 0.62: thresholds 0.31 (no tie), -0.03 (one), -0.24 (two) years
        assert not alive[0] and alive[1:].all()


def test_switched_off_nobody_exits_or_enters(actors, only, sim_with, ties):
    sim = sim_with(only(), actors(2, **levels(0.01, 0.9)), ties(2, [], []))
    sim.actors.capital[0] = -5.0
    for _ in range(3):
        sim.step()
    assert sim.actors.alive.all() and sim.actors.n == 2
    assert sim.actors.capital[0] == -5.0


def test_rd_falls_under_financial_stress_and_recovers(actors, only, sim_with, ties):
    sim = sim_with(only("market", **QUIET), actors(2, rd=0.05, **levels(0.4, 0.4)), ties(2, [], []))
    sim.actors.capital[0] = 1e-3  # alive but with no buffer
    for _ in range(12):
        sim.step()
    rd = sim.actors.rd
    assert sim.actors.alive.all()
    assert rd[0] < 0.8 * rd[1] and rd[1] == pytest.approx(0.05)
    low = float(rd[0])
    for _ in range(60):
        sim.step()
    assert rd[0] > low  # profits rebuild the buffer and R&D recovers toward the target


@pytest.fixture(scope="session")
def exits_by_strength(small):
    def exits_by_strength(events, seeds=(1, 2)):
        """Exits among the initially weakest and strongest half of the firms over 36 steps."""
        weak = strong = 0
        for seed in seeds:
            sc = small(seed=seed, events=events)
            sim = cl.Sim(sc).init()
            a = sim.actors
            firms = np.flatnonzero(a.kind <= SME)
            kw = (a.T[firms] + a.E[firms]) @ sim.tech.relevance
            low = firms[kw < np.median(kw)]
            high = firms[kw >= np.median(kw)]
            sim.run()
            weak += int((~sim.actors.alive[low]).sum())
            strong += int((~sim.actors.alive[high]).sum())
        return weak, strong

    return exits_by_strength


def test_a_recession_raises_exits(exits_by_strength):
    calm = exits_by_strength([])
    crisis = exits_by_strength([{"step": 3, "action": "recession", "demand": 0.6, "years": 2}])
    assert sum(crisis) > sum(calm) + 5


def test_global_competition_raises_exits_of_weak_firms(exits_by_strength):
    calm = exits_by_strength([])
    tough = exits_by_strength([{"step": 3, "action": "global_competition", "bar": 0.05}])
    assert tough[0] > calm[0] + 3  # weak firms exit
    assert tough[0] > 2 * tough[1]  # more of the weak than of the strong


def test_spinoffs_appear_near_their_parent_at_its_stage_tied_with_part_of_its_knowledge(actors, only, sim_with, ties):
    # firm 0 is far ahead of the others: successful, profitable, the only parent
    act = actors(4, stage=[2, 2, 1, 3], x=[10.0, 10.0, 12.0, 14.0], **levels(0.9, 0.1, 0.1, 0.1))
    act.external_origin[0] = 0.4
    tie = ties(4, [0, 0], [2, 3], layer=VERTICAL)
    sc = only("market", **QUIET, market__spinoff_rate=12.0, market__spinoff_ties=10)
    sim = sim_with(sc, act, tie)
    sim.step()
    a = sim.actors
    assert a.n == 5 and sim.stats["entries"] == 1
    new = 4
    assert a.kind[new] == SME and a.stage[new] == 2 and a.born[new] == 1 and a.alive[new]
    assert a.group[new] == new and a.culture[new] == a.culture[0]
    assert np.hypot(a.x[new] - 10.0, a.y[new]) < 4 * sc.mechanisms.market.spinoff_km
    p = sc.mechanisms.market.spinoff_inherit
    assert np.allclose(a.T[new], p * a.T[0]) and np.allclose(a.E[new], p * a.E[0])
    assert a.external_origin[new] == pytest.approx(0.4)
    assert a.capital[new] > 0 and a.size[new] < 20
    partners = set(sim.ties.nbr[sim.ties.start[new]:sim.ties.start[new] + sim.ties.count[new]].tolist())
    assert 0 in partners and partners <= {0, 2, 3} and len(partners) >= 2
    t = sim.ties.ties_of(new)
    to_parent = t[(sim.ties.a[t] == 0) | (sim.ties.b[t] == 0)]
    assert sim.ties.w[to_parent] == pytest.approx(sc.mechanisms.market.parent_tie_strength)


def test_spinoffs_grow_toward_a_normal_size(actors, only, sim_with, ties):
    act = actors(3, stage=[2, 2, 2], **levels(0.9, 0.1, 0.1))
    sc = only("market", **QUIET, market__spinoff_rate=12.0)
    sim = sim_with(sc, act, ties(3, [], []))
    sim.step()
    size0 = float(sim.actors.size[3])
    sc_rate = sim.mechanism("market").pars
    sc_rate.spinoff_rate = 0.0
    for _ in range(24):
        sim.step()
    assert sim.actors.size[3] > size0


def test_whole_model_with_entry_and_exit_keeps_its_books(small):
    sc = small(steps=36, **{"mechanisms.market.spinoff_rate": 1.0})
    sim = cl.Sim(sc)
    ts = sim.run().timeseries
    assert ts["entries"].sum() > 5 and ts["exits"].sum() >= 0
    step = ts["firms"].diff().iloc[1:]
    assert (step == (ts["entries"] - ts["exits"]).iloc[1:]).all()
    a = sim.actors
    assert np.isfinite(a.T).all() and (a.T >= 0).all() and (a.E >= 0).all()
    new = np.flatnonzero(a.born > 0)
    assert len(new) == ts["entries"].sum()
    assert (sim.ties.deg[new].sum(axis=1) > 0).any()  # entrants are tied in
    dead = np.flatnonzero(~a.alive & (a.kind <= SME))
    assert sim.ties.deg[dead].sum() == 0


@pytest.mark.parametrize("seed", [42])
def test_default_cluster_neither_collapses_nor_explodes(seed):
    ts = cl.run(cl.default_scenario().set(seed=seed, **{"output.figures": False})).timeseries
    years = (len(ts) - 1) / 12
    firms = ts["firms"]
    assert 0.8 * firms.iloc[0] < firms.min() and firms.max() < 1.6 * firms.iloc[0]
    exit_rate = ts["exits"].sum() / firms.mean() / years
    assert 0.005 < exit_rate < 0.08  # a few % a year
    assert 0.5 < ts["entries"].sum() / ts["exits"].sum() < 3.0
    assert (ts["exits"].iloc[1:] >= 0).all()


def test_focal_firms_rarely_exit(small):
    """Pooled over four seeds: a smaller share of focal firms than of SMEs exits."""
    exits = np.zeros((2, 2))  # [focal, sme] x [exited, all]
    for seed in range(3, 7):
        sim = cl.Sim(small(steps=60, seed=seed, events=[{"step": 3, "action": "recession", "demand": 0.6, "years": 2}]))
        sim.run()
        a = sim.actors
        for row, kind in enumerate((FOCAL, SME)):
            mine = a.kind == kind
            exits[row] += (int((~a.alive[mine]).sum()), int(mine.sum()))
    assert exits[1, 0] > 0
    assert exits[0, 0] / exits[0, 1] < 0.5 * exits[1, 0] / exits[1, 1]


def micro_firm_with_pipelines(actors, ties, pipes=3, size=1.0):
    """Firm 0 (`size` employees, `pipes` pipelines) and firm 1 (40 employees, `pipes`
    pipelines), both downstream and of the same competitiveness, and `pipes` externals."""
    n = 2 + pipes
    kind = np.r_[SME, SME, np.full(pipes, EXTERNAL)]
    act = actors(n, kind=kind, stage=np.r_[3, 3, np.full(pipes, -1)], **levels(*([0.4] * n)))
    act.size[:2] = [size, 40.0]
    ext = np.arange(2, n)
    tie = ties(n, np.r_[np.zeros(pipes, int), np.ones(pipes, int)], np.r_[ext, ext], layer=PIPELINE)
    return act, tie


def test_a_pipeline_costs_a_micro_firm_pro_rata_to_its_size(actors, only, sim_with, ties):
    """A pipeline is charged in full from network.pipeline_cost_size employees and pro rata
    below: a one-employee firm pays a tenth of what a 40-employee firm pays per pipeline."""
    sc = only("market", **QUIET).set(**{"network.pipeline_cost_size": 10.0})
    act, tie = micro_firm_with_pipelines(actors, ties)
    bare, none = micro_firm_with_pipelines(actors, ties, pipes=0)
    with_pipes, without = sim_with(sc, act, tie), sim_with(sc, bare, none)
    with_pipes.step(), without.step()
    cost = (without.actors.profit[:2] - with_pipes.actors.profit[:2])  # the pipelines' cost this step
    full = 3 * sc.network.pipeline_cost  # per step
    assert cost[1] == pytest.approx(full, rel=1e-4)
    assert cost[0] == pytest.approx(0.1 * full, rel=1e-4)


def test_flat_pipeline_costs_ruin_one_employee_firms_pro_rata_costs_do_not(actors, only, sim_with, ties):
    """Charged in full, three pipelines cost a one-employee firm 72% of its wage bill, far
    more than its value-added margin, and it fails within two years though it is as
    competitive as its rival; charged pro rata it stays in business."""
    survived = {}
    for cost_size in (0.0, 10.0):
        sc = only("market", **QUIET).set(**{"network.pipeline_cost_size": cost_size})
        act, tie = micro_firm_with_pipelines(actors, ties)
        sim = sim_with(sc, act, tie)
        for _ in range(36):
            sim.step()
        survived[cost_size] = bool(sim.actors.alive[0])
        assert sim.actors.alive[1]  # the 40-employee firm carries its pipelines either way
    assert survived == {0.0: False, 10.0: True}


def test_exit_capital_years_moves_exits_both_ways_and_keeps_them_among_the_weak(small):
    """The calibration lever: exiting at a capital above zero raises exits, borrowing
    (a negative threshold) lowers them; either way the weak firms exit first."""
    res = {}
    for years in (-0.25, 0.0, 0.15):
        weak = strong = 0
        for seed in (1, 2):
            sim = cl.Sim(small(seed=seed, **{"mechanisms.market.exit_capital_years": years})).init()
            a = sim.actors
            firms = np.flatnonzero(a.kind <= SME)
            kw = (a.T[firms] + a.E[firms]) @ sim.tech.relevance
            sim.run()
            gone = ~sim.actors.alive[firms]
            weak += int(gone[kw < np.median(kw)].sum())
            strong += int(gone[kw >= np.median(kw)].sum())
        res[years] = (weak, strong)
    total = {y: sum(v) for y, v in res.items()}
    assert total[-0.25] < total[0.0] < total[0.15]
    assert res[0.15][0] > 2 * res[0.15][1]


def test_exits_off_keeps_a_firm_without_capital(actors, only, sim_with, ties):
    # the composition given by the data (clusterlab predict --composition observed)
    act = actors(2, stage=[0, 1], **levels(0.4, 0.4))
    sim = sim_with(only("market", market__exits=False, **QUIET), act, ties(2, [], []))
    sim.actors.capital[1] = -1e6
    sim.step()
    assert sim.actors.alive.all() and sim.stats["exits"] == 0

"""Who asks whom (`Ties.asks`; docs/odd.md 7.12): the proposer of a tie asks, survey ties
keep their direction, other ties are mutual, and one-way ties become mutual at the
reciprocation hazard."""

import numpy as np
import pytest

import clusterlab as cl
from clusterlab.data import ClusterNetwork
from clusterlab.state import ASKS_A, ASKS_B, MUTUAL


def test_connect_with_asks_makes_the_first_end_ask(only, sim_with, actors, ties):
    sim = sim_with(only("transfer"), actors(8), ties(8, [0], [1]))
    rng = np.random.default_rng(0)
    one_way = sim.connect(np.array([5, 2]), np.array([1, 7]), rng, asks=True)
    mutual = sim.connect(np.array([3]), np.array([4]), rng)
    t = sim.ties
    assert [(t.a[s], t.b[s], t.asks[s]) for s in one_way] == [(1, 5, ASKS_B), (2, 7, ASKS_A)]
    assert t.asks[mutual[0]] == MUTUAL and t.asks[0] == MUTUAL  # the default, and the initial tie


def test_the_proposer_asks(small, monkeypatch):
    sc = small(steps=12).set(**{"mechanisms.network_evolution.proposals": 3.0})
    sim = cl.Sim(sc, keep=[], record=False).init()
    made = []
    connect = sim.connect

    def spy(a, b, rng, w=None, trust=None, asks=False):  # the new ties as made (slots are reused later)
        slots = connect(a, b, rng, w, trust, asks)
        t = sim.ties
        made.append((np.asarray(a), np.asarray(b), t.a[slots].copy(), t.b[slots].copy(), t.asks[slots].copy(), asks))
        return slots

    monkeypatch.setattr(sim, "connect", spy)
    for _ in range(12):
        sim.step()
    proposed = [m for m in made if m[5]]
    assert sum(len(m[2]) for m in proposed) > 20  # network_evolution made ties, each asked by its proposer
    for a, b, lo, hi, asks, _ in proposed:
        asker = {}
        for i, j in zip(a.tolist(), b.tolist()):  # a pair proposed twice: the first proposal is kept
            asker.setdefault((min(i, j), max(i, j)), i)
        want = [ASKS_A if asker[(x, y)] == x else ASKS_B for x, y in zip(lo.tolist(), hi.tolist())]
        assert asks.tolist() == want
    others = np.concatenate([m[4] for m in made if not m[5]])
    assert len(others) and (others == MUTUAL).all()  # projects, spin-offs, introductions: mutual


@pytest.mark.parametrize("rate", [0.0, 0.7])
def test_one_way_ties_become_mutual_at_the_reciprocation_hazard(only, sim_with, actors, ties, rate):
    n, m = 4000, 2000
    sc = only("network_evolution", network_evolution__proposals=0.0, network_evolution__dissolve_rate=0.0,
              network_evolution__reciprocate=rate)
    a = np.arange(0, 2 * m, 2)
    sim = sim_with(sc, actors(n, x=np.linspace(0, 10, n)), ties(n, a, a + 1))
    sim.ties.asks[:m] = np.where(np.arange(m) % 2, ASKS_A, ASKS_B)
    for _ in range(sc.steps_per_year):  # one year
        sim.step()
    t = sim.ties
    assert t.alive[:m].all()
    share = float(np.mean(t.asks[:m] == MUTUAL))
    want = -np.expm1(-rate)  # 1 - exp(-rate) within a year
    assert abs(share - want) < 3 * np.sqrt(want * (1 - want) / m) + 1e-12, (share, want)
    still = t.asks[:m][t.asks[:m] != MUTUAL]
    assert set(np.unique(still)) <= {ASKS_A, ASKS_B}  # a one-way tie keeps its direction until returned


def test_survey_direction_is_kept_and_other_ties_are_mutual():
    ids = np.array(list("abcd"), dtype=object)
    # a <-> b, b -> c, d -> c
    net = ClusterNetwork(ids=ids, src=np.array([0, 1, 1, 3]), dst=np.array([1, 0, 2, 2]), weight=np.ones(4),
                         directed=True)
    sc = cl.default_scenario().set(**{"population.externals": 0})
    sim = cl.Sim(sc, keep=[], record=False).init(network=net)
    t = sim.ties
    got = {(int(t.a[s]), int(t.b[s])): int(t.asks[s]) for s in np.flatnonzero(t.alive) if t.b[s] < 4}
    assert got == {(0, 1): MUTUAL, (1, 2): ASKS_A, (2, 3): ASKS_B}
    from clusterlab.recorder import tie_table

    table = tie_table(sim).set_index(["a", "b"])["asks"]  # ties.parquet's column
    assert (table[(0, 1)], table[(1, 2)], table[(2, 3)]) == ("mutual", "a_asks_b", "b_asks_a")
    und = ClusterNetwork(ids=ids, src=net.src, dst=net.dst, weight=net.weight, directed=False)
    t = cl.Sim(sc, keep=[], record=False).init(network=und).ties
    assert (t.asks[t.alive] == MUTUAL).all()


@pytest.mark.parametrize("rate", [0.0, 0.5, -0.5])
def test_a_larger_proposer_is_asked_instead_at_the_ask_size_rate(only, sim_with, actors, ties, rate):
    """ask_size > 0: a proposer g = 2 log-employees larger than its partner is asked by it
    with probability 1 - exp(-ask_size g), a smaller proposer asks; ask_size < 0 the other
    way round."""
    m = 2000
    n = 4 * m
    act = actors(n, x=np.linspace(0, 10, n))
    act.size[:] = np.where(np.arange(n) % 2 == 0, np.expm1(2.0), 0.0)  # even: large, odd: 0 employees
    sc = only("network_evolution", network_evolution__ask_size=rate)
    sim = sim_with(sc, act, ties(n, [0], [1]))
    mech = next(mm for mm in sim.mechanisms if mm.name == "network_evolution")
    k = m - 1  # pairs of each kind, all distinct
    large_lo, small_hi = np.arange(2, 2 * m, 2), np.arange(2 * m + 3, 4 * m, 2)
    small_lo, large_hi = np.arange(3, 2 * m + 1, 2), np.arange(2 * m + 2, 4 * m, 2)
    made_big = sim.connect(large_lo[:k], small_hi[:k], np.random.default_rng(0), asks=True)  # large proposers
    made_small = sim.connect(small_lo[:k], large_hi[:k], np.random.default_rng(1), asks=True)  # small ones
    assert len(made_big) == len(made_small) == k
    if rate:
        mech._ask_up(sim, made_big)
        mech._ask_up(sim, made_small)
    t = sim.ties
    asker = lambda s: np.where(t.asks[s] == ASKS_A, t.a[s], t.b[s])  # noqa: E731
    turned = {"big": float(np.mean(asker(made_big) % 2 == 1)),  # the small partner asks
              "small": float(np.mean(asker(made_small) % 2 == 0))}  # the large partner asks
    want = -np.expm1(-abs(rate) * 2.0)
    moved, kept = ("big", "small") if rate >= 0 else ("small", "big")
    assert abs(turned[moved] - want) < 3 * np.sqrt(want * (1 - want) / k) + 1e-12, (turned, want)
    assert turned[kept] == 0.0  # the other proposers ask


def test_with_ask_size_new_ties_are_asked_of_the_larger_firm(small):
    """Over a run, the smaller end asks most of network_evolution's new one-way ties with
    ask_size 3, and near half without (the proposer is drawn by the routes, not by size)."""
    shares = {}
    for rate in (0.0, 3.0):
        sc = small(steps=24).set(**{"mechanisms.network_evolution.proposals": 3.0,
                                    "mechanisms.network_evolution.ask_size": rate})
        sim = cl.Sim(sc, keep=[], record=False).init()
        for _ in range(sc.steps):
            sim.step()
        t, size = sim.ties, sim.actors.size
        new = np.flatnonzero(t.alive & (t.born > 0) & (t.asks != MUTUAL))
        new = new[size[t.a[new]] != size[t.b[new]]]
        asker = np.where(t.asks[new] == ASKS_A, t.a[new], t.b[new])
        asked = np.where(t.asks[new] == ASKS_A, t.b[new], t.a[new])
        assert len(new) > 50
        shares[rate] = float(np.mean(size[asker] < size[asked]))
    assert shares[0.0] < 0.7, shares  # 0.59 measured: the closure route asks well-tied firms, often larger
    assert shares[3.0] > max(0.8, shares[0.0] + 0.2), shares  # 0.96 measured

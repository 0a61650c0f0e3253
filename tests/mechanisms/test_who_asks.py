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

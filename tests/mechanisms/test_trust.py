"""Trust follows reciprocity; relational capital shields it (Kale et al. 2000; Uzzi 1997)."""

import pytest

import clusterlab as cl

ALL_ACTIVE = {"interaction__enabled": False, "absorptive_capacity__enabled": False}


@pytest.fixture(scope="session")
def trust_after(only, sim_with, ties, pair):
    def trust_after(recip, born=0, trust0=0.5, steps=30):
        sc = only("transfer", "trust", **ALL_ACTIVE)
        sim = sim_with(sc, pair(reciprocity=recip), ties(2, [0], [1], trust=trust0, born=born))
        for _ in range(steps):
            sim.step()
        return float(sim.ties.trust[0])

    return trust_after


def test_reciprocal_exchange_builds_trust_and_free_riding_erodes_it(trust_after):
    assert trust_after([1.0, 1.0]) > 0.5
    assert trust_after([0.05, 1.0]) < 0.5
    assert 0.0 <= trust_after([0.05, 1.0], steps=200) <= trust_after([0.05, 1.0], steps=30)


def test_relational_capital_shields_against_opportunism(trust_after):
    old = trust_after([0.05, 1.0], born=-1000, trust0=0.9, steps=10)
    new = trust_after([0.05, 1.0], born=0, trust0=0.9, steps=10)
    assert old > new


def test_trust_unchanged_without_exchange(only, sim_with, ties, pair):
    sc = only("trust", **ALL_ACTIVE)
    sim = sim_with(sc, pair(reciprocity=[0.05, 1.0]), ties(2, [0], [1], trust=0.5))
    sim.step()
    assert sim.ties.trust[0] == pytest.approx(0.5)


def test_trust_raises_transfer_in_the_whole_cluster(small):
    flows = lambda r: r.timeseries[["flow_horizontal", "flow_vertical", "flow_multi_angle", "flow_pipeline"]].sum().sum()  # noqa: E731
    low = cl.run(small(steps=24, network__trust_local=0.1, network__trust_pipeline=0.1, network__trust_culture_bonus=0.0))
    high = cl.run(small(steps=24, network__trust_local=0.9, network__trust_pipeline=0.9))
    assert flows(high) > 1.2 * flows(low)


def test_free_riders_erode_trust_in_the_cluster(small):
    honest = cl.run(small(steps=36, population__free_rider_share=0.0))
    riders = cl.run(small(steps=36, population__free_rider_share=0.5))
    assert honest.final()["trust_mean"] > riders.final()["trust_mean"]

"""Openness: pipelines cost, imitation is free, subsidies keep pipelines open (Wang 2013)."""

import pytest

import clusterlab as cl


@pytest.fixture(scope="session")
def openness_after(small):
    def openness_after(**changes):
        r = cl.run(small(steps=60, **changes))
        return r.timeseries["openness_mean"].iloc[-1], r.timeseries["external_share"].iloc[-1]

    return openness_after


def test_costly_pipelines_turn_the_cluster_inward(openness_after):
    cheap = openness_after(**{"network.pipeline_cost": 0.0})
    dear = openness_after(**{"network.pipeline_cost": 0.2})
    assert dear[0] < cheap[0] and dear[1] < cheap[1]


def test_subsidy_keeps_pipelines_open(openness_after):
    dear = {"network.pipeline_cost": 0.2}
    none = openness_after(**dear)
    paid = openness_after(**dear, events=[{"step": 1, "action": "subsidise_pipelines", "share": 1.0}])
    assert paid[0] > none[0] and paid[1] > none[1]


def test_openness_off_keeps_pipelines_fixed(small):
    r = cl.run(small(steps=24, **{"mechanisms.openness.enabled": False, "mechanisms.market.enabled": False,
                                  "mechanisms.network_evolution.enabled": False,
                                  "mechanisms.cluster_org.enabled": False}))
    assert r.timeseries["external_share"].nunique() == 1

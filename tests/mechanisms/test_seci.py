"""SECI conversion inside each actor (Nonaka & Takeuchi 1995): it moves knowledge between
the tacit and explicit forms toward a codifiability target and never creates any."""

import numpy as np
import pytest

import clusterlab as cl
from clusterlab.mechanisms import MECHANISMS
from clusterlab.state import EXTERNAL


def test_seci_codifies_and_internalises(actors, only, sim_with, ties):
    T = [[1.0, 0.0, 0, 0]]
    E = [[0.0, 1.0, 0, 0]]
    sim = sim_with(only("seci"), actors(1, T=T, E=E), ties(1, [], []))
    sim.step()
    assert sim.actors.E[0, 0] > 0 and sim.actors.T[0, 0] < 1.0  # externalisation moves T to E
    assert sim.actors.T[0, 1] > 0 and sim.actors.E[0, 1] < 1.0  # internalisation moves E to T
    assert (sim.actors.T + sim.actors.E).sum() == pytest.approx(2.0)
    ts = sim.results().timeseries
    assert ts["seci_externalization"].iloc[-1] > 0 and ts["seci_internalization"].iloc[-1] > 0
    sim = sim_with(only(), actors(1, T=T, E=E), ties(1, [], []))
    sim.step()
    assert sim.actors.E[0, 0] == 0 and sim.actors.T[0, 1] == 0


def test_seci_relaxes_each_domain_toward_the_codifiability_target(actors, only, sim_with, ties):
    # the actor starts with a tacit share of 0.25 overall: its target
    T = [[0.5, 0.0, 0, 0]]
    E = [[0.5, 1.0, 0, 0]]
    sim = sim_with(only("seci", seci__externalization=0.1, seci__internalization=0.1),
                   actors(1, T=T, E=E), ties(1, [], []))
    for _ in range(120):
        sim.step()
    a = sim.actors
    share = a.T[0, :2] / (a.T[0, :2] + a.E[0, :2])
    assert share == pytest.approx([0.25, 0.25], abs=1e-3)
    assert a.T[0, :2] + a.E[0, :2] == pytest.approx([1.0, 1.0], rel=1e-5)  # conserved per domain


@pytest.fixture(scope="module")
def seci_alone(small):
    def run(tacit_share, loss=0.0, steps=120):
        sets = {f"mechanisms.{m.name}.enabled": m.name == "seci" for m in MECHANISMS}
        sc = small(steps=steps, knowledge__tacit_share=tacit_share, mechanisms__seci__conversion_loss=loss,
                   **sets)
        sim = cl.Sim(sc).init()
        local = sim.actors.kind != EXTERNAL
        totals = [float((sim.actors.T[local] + sim.actors.E[local]).sum())]
        for _ in range(steps):
            sim.step()
            totals.append(float((sim.actors.T[local] + sim.actors.E[local]).sum()))
        return np.array(totals), sim

    return run


@pytest.mark.parametrize("tacit_share", [0.0, 0.5, 1.0])
def test_seci_alone_never_grows_knowledge(seci_alone, tacit_share):
    totals, _ = seci_alone(tacit_share)
    assert np.all(np.diff(totals) <= 1e-6 * totals[0])
    assert totals[-1] == pytest.approx(totals[0], rel=1e-4)
    lossy, _ = seci_alone(tacit_share, loss=0.2)
    assert lossy[-1] <= totals[-1] + 1e-6


def test_tacit_share_stays_the_lever(small):
    # with every mechanism on, the cluster's tacit share follows knowledge.tacit_share
    def tacit(share):
        sim = cl.Sim(small(steps=72, knowledge__tacit_share=share)).init()
        sim.run(72)
        a = sim.actors
        f = a.is_firm
        return float(a.T[f].sum() / (a.T[f] + a.E[f]).sum())

    low, mid, high = tacit(0.2), tacit(0.5), tacit(0.8)
    assert low < mid < high
    assert abs(high - 0.8) < 0.15 and abs(low - 0.2) < 0.15


def test_seci_flows_all_recorded_in_a_run(small):
    ts = cl.run(small(steps=24)).timeseries
    for mode in ("socialization", "externalization", "combination", "internalization"):
        assert ts[f"seci_{mode}"].iloc[1:].sum() > 0


def test_full_internalisation_never_leaves_explicit_knowledge_below_zero(small):
    # hypothesis found it (tests/test_properties.py): a target of all tacit, internalisation 1,
    # T + E summed in float32 took x past e, and the firms' explicit mean went to -6.4e-9 at step 1
    changes = {'events': [],
               'knowledge.cognitive_scale': 1.0,
               'knowledge.domains': 1,
               'knowledge.specialisation': 0.0,
               'knowledge.tacit_share': 1.0,
               'mechanisms.absorptive_capacity.enabled': False,
               'mechanisms.cluster_org.enabled': False,
               'mechanisms.depreciation.enabled': False,
               'mechanisms.depreciation.tacit_rate': 0.0,
               'mechanisms.focal_firms.enabled': False,
               'mechanisms.innovation.enabled': False,
               'mechanisms.innovation.incremental_rd': 0.0,
               'mechanisms.innovation.radical_size': 0.0,
               'mechanisms.interaction.enabled': False,
               'mechanisms.labour.enabled': False,
               'mechanisms.market.enabled': False,
               'mechanisms.network_evolution.enabled': False,
               'mechanisms.openness.enabled': False,
               'mechanisms.projects.enabled': False,
               'mechanisms.seci.enabled': True,
               'mechanisms.seci.externalization': 0.0,
               'mechanisms.seci.internalization': 1.0,
               'mechanisms.spillover.enabled': False,
               'mechanisms.spillover.rate': 0.0,
               'mechanisms.technology.enabled': False,
               'mechanisms.transfer.beta_horizontal': 0.0,
               'mechanisms.transfer.beta_vertical': 0.0,
               'mechanisms.transfer.enabled': True,
               'mechanisms.trust.enabled': False,
               'mechanisms.trust.gain': 0.0,
               'mechanisms.trust.loss': 0.0,
               'network.horizontal_degree': 0.0,
               'network.trust_local': 0.0,
               'network.vertical_degree': 0.0,
               'population.cluster_orgs': 0,
               'population.externals': 0,
               'population.firms': 1,
               'population.focal_share': 0.0,
               'population.free_rider_share': 0.0,
               'population.region_km': 2.0,
               'population.stages': 1,
               'population.universities': 1,
               'seed': 0,
               'steps': 2}
    sim = cl.Sim(small(**changes))
    res = sim.run()
    assert (res.timeseries["explicit_mean"] >= 0).all() and (sim.actors.E >= 0).all()

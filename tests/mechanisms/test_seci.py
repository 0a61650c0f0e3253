"""SECI conversion inside each actor (Nonaka & Takeuchi 1995)."""

import clusterlab as cl


def test_seci_codifies_and_internalises(actors, only, sim_with, ties):
    T = [[1.0, 0.0, 0, 0]]
    E = [[0.0, 1.0, 0, 0]]
    sim = sim_with(only("seci"), actors(1, T=T, E=E), ties(1, [], []))
    sim.step()
    assert sim.actors.E[0, 0] > 0  # externalisation
    assert sim.actors.T[0, 1] > 0  # internalisation
    ts = sim.results().timeseries
    assert ts["seci_externalization"].iloc[-1] > 0 and ts["seci_internalization"].iloc[-1] > 0
    sim = sim_with(only(), actors(1, T=T, E=E), ties(1, [], []))
    sim.step()
    assert sim.actors.E[0, 0] == 0 and sim.actors.T[0, 1] == 0


def test_seci_flows_all_recorded_in_a_run(small):
    ts = cl.run(small(steps=24)).timeseries
    for mode in ("socialization", "externalization", "combination", "internalization"):
        assert ts[f"seci_{mode}"].iloc[1:].sum() > 0

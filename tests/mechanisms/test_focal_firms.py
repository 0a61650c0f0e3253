"""Focal firms train their suppliers and act as gatekeepers (Giuliani & Bell 2005)."""

import numpy as np
import pytest

import clusterlab as cl
from clusterlab.state import EXTERNAL, FOCAL, PIPELINE, SME, VERTICAL


def test_focal_firms_train_their_vertical_smes(actors, only, sim_with, ties):
    T = [[1.0, 1.0, 0, 0], [0.1, 0.1, 0, 0], [0.1, 0.1, 0, 0]]
    act = actors(3, T=T, E=np.zeros((3, 4)), kind=[FOCAL, SME, SME], stage=[2, 1, 2])
    t = ties(3, [0, 0], [1, 2], layer=[VERTICAL, 0])  # SME 1 is a supplier, SME 2 a competitor
    sim = sim_with(only("focal_firms", focal_firms__training_per_year=12.0), act, t)
    sim.step()
    assert sim.actors.T[1].sum() > 0.2 and sim.actors.T[2].sum() == pytest.approx(0.2)
    off = sim_with(only(), actors(3, T=T, E=np.zeros((3, 4)), kind=[FOCAL, SME, SME]), ties(3, [0], [1]))
    off.step()
    assert off.actors.T[1].sum() == pytest.approx(0.2)


def test_gatekeeping_is_traced_through_focal_firms(actors, only, sim_with, ties):
    # external 3 -> focal 0 (pipeline); focal 0 -> SME 1 (vertical); SME 1 also learns from SME 2
    E = [[0.1] * 4, [0.05] * 4, [0.3] * 4, [1.0] * 4]
    act = actors(4, T=np.zeros((4, 4)), E=E, kind=[FOCAL, SME, SME, EXTERNAL], stage=[2, 1, 1, -1])
    act.external_origin[3] = 1.0
    t = ties(4, [0, 0, 1], [3, 1, 2], layer=[PIPELINE, VERTICAL, 0], dist=[1.0, 1.0, 1.0])
    sim = sim_with(only("transfer", "focal_firms", interaction__enabled=False,
                        absorptive_capacity__enabled=False), act, t)
    for _ in range(24):
        sim.step()
    a = sim.actors
    assert a.external_origin[0] > 0.2  # the focal firm absorbed external knowledge
    assert 0 < a.via_focal[1] <= a.external_origin[1]  # and passed it on to its supplier
    assert np.all(a.via_focal <= a.external_origin + 1e-6) and a.via_focal[0] == 0  # focal firms gatekeep, not receive
    ts = sim.results().timeseries
    assert ts["gatekeeper_share"].iloc[-1] > 0.5  # SMEs' external knowledge came via the focal firm


def test_removing_focal_firms_cuts_external_knowledge_of_smes(small):
    # the same firms with and without their focal firms (event remove_actors at set-up)
    def sme_external(r):
        a = r.actors[(r.actors["kind"] == "sme") & r.actors["alive"]]
        return float((a["external_origin"] * (a["tacit"] + a["explicit"])).sum())
    for seed in (42, 1, 2):
        base = cl.run(small(steps=36, seed=seed))
        nofocal = cl.run(small(steps=36, seed=seed, events=[{"step": 0, "action": "remove_actors", "kind": "focal"}]))
        assert sme_external(base) > sme_external(nofocal), seed
        assert base.final()["gatekeeper_share"] > 0 and nofocal.final()["gatekeeper_share"] == 0

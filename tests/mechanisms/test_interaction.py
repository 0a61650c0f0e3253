"""Interaction: ties are active with strength and proximity (Storper & Venables 2004)."""

import numpy as np

import clusterlab as cl


def test_interaction_rises_with_strength_and_proximity(actors, only, sim_with, ties):
    n = 2001
    a = np.zeros(n - 1)
    b = np.arange(1, n)
    def share_active(w, dist):
        sim = sim_with(only("interaction"), actors(n), ties(n, a, b, w=w, dist=dist))
        total = 0
        for _ in range(5):
            sim.step()
            total += sim.ties.active.sum()
        return total / (5 * (n - 1))
    weak_far, strong_far, strong_near = share_active(0.1, 100.0), share_active(0.9, 100.0), share_active(0.9, 0.5)
    assert weak_far < strong_far < strong_near
    p = cl.default_scenario().mechanisms.interaction
    assert abs(weak_far - (p.base + 0.1 * p.strength_weight)) < 0.02  # matches the rule
    sim = sim_with(only(), actors(n), ties(n, a, b, w=0.1, dist=100.0))
    sim.step()
    assert sim.ties.active.all()  # switched off: every tie is active

"""The generated starting network."""

import numpy as np

import clusterlab as cl
from clusterlab.state import (
    CLUSTER_ORG,
    FOCAL,
    HORIZONTAL,
    PIPELINE,
    SME,
    VERTICAL,
)


def test_generated_cluster_has_every_kind_and_layer():
    sim = cl.Sim(cl.default_scenario()).init()
    kinds = np.bincount(sim.actors.kind, minlength=8)
    assert kinds[FOCAL] == 10 and kinds[SME] == 190 and kinds[CLUSTER_ORG] == 1
    layers = np.bincount(sim.ties.layer, minlength=4)
    assert np.all(layers > 0)
    # layers follow the ends: horizontal ties join firms of one stage, vertical adjacent stages
    a, b, L = sim.ties.a, sim.ties.b, sim.ties.layer
    st = sim.actors.stage
    g = sim.actors.group
    other = g[a] != g[b]  # a parent-subsidiary tie is vertical whatever the stages (docs/odd.md 5.2)
    assert np.all(st[a[(L == HORIZONTAL) & other]] == st[b[(L == HORIZONTAL) & other]])
    assert np.all(np.abs(st[a[(L == VERTICAL) & other]].astype(int) - st[b[(L == VERTICAL) & other]]) == 1)
    assert (L[~other] == VERTICAL).all() and (~other).sum() > 0
    # focal firms hold more pipelines than SMEs
    pipes = sim.ties.degree(sim.actors.n, PIPELINE)
    assert pipes[sim.actors.kind == FOCAL].mean() > 2 * pipes[sim.actors.kind == SME].mean()

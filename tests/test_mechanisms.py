"""Each mechanism moves the model in the direction its source says, on small seeded cases."""

import numpy as np
import pytest
from builders import actors, only, sim_with, small, ties

import clusterlab as cl
from clusterlab.state import CLUSTER_ORG, FOCAL, HORIZONTAL, PIPELINE, SME, UNIVERSITY, VERTICAL

ALL_ACTIVE = {"interaction__enabled": False, "absorptive_capacity__enabled": False}


def gain_of_receiver(scenario, act, tie, steps=1):
    """Knowledge the receiver (actor 0) gains, as (tacit, explicit)."""
    sim = sim_with(scenario, act, tie)
    T0, E0 = sim.actors.T[0].sum(), sim.actors.E[0].sum()
    for _ in range(steps):
        sim.step()
    return sim.actors.T[0].sum() - T0, sim.actors.E[0].sum() - E0


def pair(T1=(1, 1, 0, 0), E1=(1, 1, 0, 0), **kw):
    """Actor 0 knows nothing... a little; actor 1 holds T1/E1."""
    base = [0.1, 0.1, 0.0, 0.0]
    return actors(2, T=[base, T1], E=[base, E1], **kw)


# --- transfer ---------------------------------------------------------------------------

def test_more_trust_more_transfer():
    sc = only("transfer", **ALL_ACTIVE)
    low = gain_of_receiver(sc, pair(), ties(2, [0], [1], trust=0.1))
    high = gain_of_receiver(sc, pair(), ties(2, [0], [1], trust=0.9))
    assert high[0] > low[0] > 0 and high[1] > low[1] > 0


def test_tacit_does_not_cross_a_weak_distant_tie():
    sc = only("transfer", **ALL_ACTIVE)
    weak_far = gain_of_receiver(sc, pair(), ties(2, [0], [1], w=0.2, dist=800.0, layer=PIPELINE))
    strong_near = gain_of_receiver(sc, pair(), ties(2, [0], [1], w=0.8, dist=2.0))
    assert weak_far[0] == 0.0 and weak_far[1] > 0  # explicit still crosses
    assert strong_near[0] > 0
    # a strong but distant tie and a near but weak tie carry no tacit knowledge either
    assert gain_of_receiver(sc, pair(), ties(2, [0], [1], w=0.9, dist=800.0))[0] == 0.0
    assert gain_of_receiver(sc, pair(), ties(2, [0], [1], w=0.2, dist=1.0))[0] == 0.0


def dyad_gain(angle, absorptive=0.5):
    """Explicit gain of a receiver from a holder of equal knowledge at a given angle."""
    sc = only("transfer", **ALL_ACTIVE, absorptive_capacity__fixed=absorptive)
    E = [[1.0, 0.0, 0, 0], [np.cos(angle), np.sin(angle), 0, 0]]
    act = actors(2, E=E, T=np.zeros((2, 4)))
    return gain_of_receiver(sc, act, ties(2, [0], [1], w=0.3))[1], 1 - np.cos(angle)


def test_learning_is_an_inverted_u_in_cognitive_distance():
    angles = np.linspace(0.02, np.pi / 2, 25)
    gains, dist = zip(*(dyad_gain(a) for a in angles))
    gains = np.array(gains)
    top = int(np.argmax(gains))
    assert 0 < top < len(angles) - 1  # rises, then falls
    assert gains[top] > 1.5 * gains[0] and gains[top] > 1.5 * gains[-1]
    assert np.all(np.diff(gains[: top + 1]) > 0) and np.all(np.diff(gains[top:]) < 0)
    # absorptive capacity widens the range: the peak moves to a larger distance
    wide = np.array([dyad_gain(a, absorptive=1.0)[0] for a in angles])
    assert dist[int(np.argmax(wide))] > dist[top]


def test_competitors_share_less_than_partners():
    sc = only("transfer", **ALL_ACTIVE, transfer__beta_horizontal=0.05, transfer__beta_vertical=0.05)
    horiz = gain_of_receiver(sc, pair(), ties(2, [0], [1], layer=HORIZONTAL))
    vert = gain_of_receiver(sc, pair(), ties(2, [0], [1], layer=VERTICAL))
    assert vert[1] > horiz[1] > 0


def test_distances_lower_absorption():
    sc = only("transfer", **ALL_ACTIVE)
    base = dict(w=0.3)  # weak: explicit only, so the geographic penalty is isolated
    near = gain_of_receiver(sc, pair(), ties(2, [0], [1], dist=1.0, **base))[1]
    far = gain_of_receiver(sc, pair(), ties(2, [0], [1], dist=300.0, **base))[1]
    assert near > far > 0
    same_culture = gain_of_receiver(sc, pair(culture=0), ties(2, [0], [1], **base))[1]
    other_culture = gain_of_receiver(sc, pair(culture=[0, 1]), ties(2, [0], [1], **base))[1]
    assert same_culture > other_culture > 0
    same_group = gain_of_receiver(sc, pair(group=[0, 0]), ties(2, [0], [1], layer=HORIZONTAL, **base))[1]
    other_group = gain_of_receiver(sc, pair(), ties(2, [0], [1], layer=HORIZONTAL, **base))[1]
    assert same_group > other_group > 0
    # a long subcontracting relation removes the organisational distance
    old = gain_of_receiver(sc, pair(), ties(2, [0], [1], born=-1000, layer=VERTICAL, **base))[1]
    new = gain_of_receiver(sc, pair(), ties(2, [0], [1], born=0, layer=VERTICAL, **base))[1]
    assert old > new > 0


def test_free_rider_holder_gives_little():
    sc = only("transfer", **ALL_ACTIVE)
    fair = gain_of_receiver(sc, pair(reciprocity=[1.0, 1.0]), ties(2, [0], [1]))[1]
    rider = gain_of_receiver(sc, pair(reciprocity=[1.0, 0.05]), ties(2, [0], [1]))[1]
    assert fair > 10 * rider > 0


def test_gain_never_overshoots_the_best_partner():
    # a receiver tied to many identical holders cannot pass them
    n = 200
    T = np.zeros((n, 4))
    E = np.zeros((n, 4))
    E[1:, 0] = 1.0
    sc = only("transfer", **ALL_ACTIVE, transfer__beta_vertical=1.0, absorptive_capacity__fixed=1.0)
    sim = sim_with(sc, actors(n, T=T, E=E), ties(n, np.zeros(n - 1), np.arange(1, n), w=0.99, trust=1.0))
    sim.step()
    assert 0.9 < sim.actors.E[0, 0] <= 1.0 + 1e-6


@pytest.mark.parametrize("channel", ["horizontal", "vertical", "multi_angle", "pipeline"])
def test_switching_a_channel_off_zeroes_its_flow(channel):
    # focal firms' training is vertical learning too, with its own switch
    on = cl.run(small(steps=12, mechanisms__focal_firms__enabled=False))
    off = cl.run(small(steps=12, mechanisms__focal_firms__enabled=False,
                       **{f"mechanisms.transfer.{channel}": False}))
    assert on.timeseries[f"flow_{channel}"].sum() > 0
    assert off.timeseries[f"flow_{channel}"].sum() == 0
    others = [c for c in ("horizontal", "vertical", "multi_angle", "pipeline") if c != channel]
    assert all(off.timeseries[f"flow_{c}"].sum() > 0 for c in others)
    attributed = off.timeseries[f"innov_from_{channel}"].sum()
    assert attributed == 0


def test_switching_transfer_or_spillover_off():
    r = cl.run(small(steps=12, mechanisms__spillover__enabled=False))
    assert r.timeseries["flow_spillover"].sum() == 0 and r.timeseries["flow_vertical"].sum() > 0
    # training by focal firms and labour mobility also move tacit knowledge: switch them off too
    r = cl.run(small(steps=12, mechanisms__transfer__enabled=False, mechanisms__focal_firms__enabled=False,
                     mechanisms__labour__enabled=False))
    assert r.timeseries[[f"flow_{c}" for c in ("horizontal", "vertical", "multi_angle", "pipeline")]].sum().sum() == 0
    assert r.timeseries["seci_socialization"].sum() == 0


# --- interaction ------------------------------------------------------------------------

def test_interaction_rises_with_strength_and_proximity():
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


# --- spillover --------------------------------------------------------------------------

def test_spillover_imitates_visible_knowledge_of_nearby_competitors():
    E = [[0.1, 0, 0, 0], [1.0, 0.5, 0, 0], [1.0, 0.5, 0, 0]]
    T = [[0.1, 0, 0, 0], [1.0, 0.5, 0, 0], [1.0, 0.5, 0, 0]]
    # actor 1 is a same-stage neighbour 1 km away; actor 2 is 50 km away
    act = actors(3, T=T, E=E, x=[0.0, 1.0, 50.0])
    sim = sim_with(only("spillover"), act, ties(3, [], []))
    for _ in range(10):
        sim.step()
    assert sim.actors.E[0, :2].sum() > 0.1 + 1e-3
    assert sim.actors.T[0].sum() == pytest.approx(0.1)  # tacit knowledge is not observable
    assert sim.results().timeseries["flow_spillover"].sum() > 0
    other_stage = actors(3, T=T, E=E, x=[0.0, 1.0, 50.0], stage=[0, 1, 1])
    sim = sim_with(only("spillover"), other_stage, ties(3, [], []))
    sim.step()
    assert sim.actors.E[0].sum() == pytest.approx(0.1)  # only competitors are observed


# --- SECI -------------------------------------------------------------------------------

def test_seci_codifies_and_internalises():
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


def test_seci_flows_all_recorded_in_a_run():
    ts = cl.run(small(steps=24)).timeseries
    for mode in ("socialization", "externalization", "combination", "internalization"):
        assert ts[f"seci_{mode}"].iloc[1:].sum() > 0


# --- trust ------------------------------------------------------------------------------

def trust_after(recip, born=0, trust0=0.5, steps=30):
    sc = only("transfer", "trust", **ALL_ACTIVE)
    sim = sim_with(sc, pair(reciprocity=recip), ties(2, [0], [1], trust=trust0, born=born))
    for _ in range(steps):
        sim.step()
    return float(sim.ties.trust[0])


def test_reciprocal_exchange_builds_trust_and_free_riding_erodes_it():
    assert trust_after([1.0, 1.0]) > 0.5
    assert trust_after([0.05, 1.0]) < 0.5
    assert 0.0 <= trust_after([0.05, 1.0], steps=200) <= trust_after([0.05, 1.0], steps=30)


def test_relational_capital_shields_against_opportunism():
    old = trust_after([0.05, 1.0], born=-1000, trust0=0.9, steps=10)
    new = trust_after([0.05, 1.0], born=0, trust0=0.9, steps=10)
    assert old > new


def test_trust_unchanged_without_exchange():
    sc = only("trust", **ALL_ACTIVE)
    sim = sim_with(sc, pair(reciprocity=[0.05, 1.0]), ties(2, [0], [1], trust=0.5))
    sim.step()
    assert sim.ties.trust[0] == pytest.approx(0.5)


# --- innovation -------------------------------------------------------------------------

def innovations(rd, E_rows, steps=120, n=400, seed=1):
    E = np.tile(np.asarray(E_rows, np.float32), (n, 1))
    sc = only("innovation").set(seed=seed)
    sim = sim_with(sc, actors(n, rd=rd, E=E, T=E), ties(n, [], []))
    for _ in range(steps):
        sim.step()
    return sim.actors.innov_incremental.sum(), sim.actors.innov_radical.sum(), sim


def test_more_rd_more_innovation():
    diverse = [0.3, 0.3, 0.3, 0.3]
    low = innovations(0.0, diverse)
    high = innovations(0.2, diverse)
    assert high[0] > 1.5 * low[0] > 0 and high[1] > low[1]


def test_radical_innovation_needs_diverse_knowledge():
    inc, rad, _ = innovations(0.1, [0.5, 0, 0, 0], steps=60)
    assert inc > 0 and rad == 0  # one domain: no diversity, no radical innovation
    inc, rad, _ = innovations(0.1, [0.3, 0.3, 0.3, 0.3], steps=60)
    assert rad > 0


def test_innovation_raises_knowledge_and_moves_the_frontier():
    _, _, sim = innovations(0.3, [0.9, 0.9, 0.9, 0.9], steps=120)
    assert sim.actors.E.max() > 1.0  # radical leaps pass the initial frontier (1.0)
    assert np.all(sim.tech.frontier >= sim.actors.E.max(axis=0) - 1e-6)


def test_innovations_are_attributed_to_channels():
    ts = cl.run(small(steps=36)).timeseries
    total = ts["innovations_incremental"] + ts["innovations_radical"]
    attributed = ts[[c for c in ts.columns if c.startswith("innov_from_")]].sum(axis=1)
    assert np.allclose(total, attributed)
    assert ts["innov_from_vertical"].sum() > 0 and ts["innov_from_internal"].sum() > 0


def test_universities_do_research():
    E = [[0.5, 0.2, 0, 0]]
    sim = sim_with(only("innovation"), actors(1, kind=UNIVERSITY, stage=-1, E=E), ties(1, [], []))
    sim.step()
    assert sim.actors.E[0, 0] > 0.5 and sim.actors.E[0, 2] == 0  # only domains it holds


# --- depreciation -----------------------------------------------------------------------

def test_unused_knowledge_decays_and_peripheral_knowledge_first():
    K = [[1.0, 1.0, 1.0, 0.05]]
    sim = sim_with(only("depreciation"), actors(1, T=K, E=K), ties(1, [], []))
    for _ in range(12):
        sim.step()
    left = sim.actors.T[0] / np.asarray(K[0])
    assert np.all(left < 1.0)
    assert left[3] < left[0]  # the peripheral domain loses a larger share
    sim = sim_with(only(), actors(1, T=K, E=K), ties(1, [], []))
    sim.step()
    assert np.allclose(sim.actors.T[0], K[0])


# --- absorptive capacity ----------------------------------------------------------------

def test_absorptive_capacity_rises_with_rd_knowledge_and_sharing():
    E = np.array([[0.2] * 4, [0.2] * 4, [0.8] * 4, [0.2] * 4])
    act = actors(4, E=E, rd=[0.0, 0.2, 0.0, 0.0], sharing=[0.2, 0.2, 0.2, 0.9])
    sim = sim_with(only("absorptive_capacity"), act, ties(4, [], []))
    sim.step()
    A = sim.actors.absorptive
    assert A[1] > A[0] and A[2] > A[0] and A[3] > A[0]
    sim = sim_with(only(absorptive_capacity__fixed=0.3), actors(4, E=E), ties(4, [], []))
    sim.step()
    assert np.allclose(sim.actors.absorptive, 0.3)


# --- whole-model directions -------------------------------------------------------------

def test_trust_raises_transfer_in_the_whole_cluster():
    flows = lambda r: r.timeseries[["flow_horizontal", "flow_vertical", "flow_multi_angle", "flow_pipeline"]].sum().sum()  # noqa: E731
    low = cl.run(small(steps=24, network__trust_local=0.1, network__trust_pipeline=0.1, network__trust_culture_bonus=0.0))
    high = cl.run(small(steps=24, network__trust_local=0.9, network__trust_pipeline=0.9))
    assert flows(high) > 1.2 * flows(low)


def test_free_riders_erode_trust_in_the_cluster():
    honest = cl.run(small(steps=36, population__free_rider_share=0.0))
    riders = cl.run(small(steps=36, population__free_rider_share=0.5))
    assert honest.final()["trust_mean"] > riders.final()["trust_mean"]


def test_generated_cluster_has_every_kind_and_layer():
    sim = cl.Sim(cl.default_scenario()).init()
    kinds = np.bincount(sim.actors.kind, minlength=8)
    assert kinds[FOCAL] == 10 and kinds[SME] == 190 and kinds[CLUSTER_ORG] == 1
    layers = np.bincount(sim.ties.layer, minlength=4)
    assert np.all(layers > 0)
    # layers follow the ends: horizontal ties join firms of one stage, vertical adjacent stages
    a, b, L = sim.ties.a, sim.ties.b, sim.ties.layer
    st = sim.actors.stage
    assert np.all(st[a[L == HORIZONTAL]] == st[b[L == HORIZONTAL]])
    assert np.all(np.abs(st[a[L == VERTICAL]].astype(int) - st[b[L == VERTICAL]]) == 1)
    # focal firms hold more pipelines than SMEs
    pipes = sim.ties.degree(sim.actors.n, PIPELINE)
    assert pipes[sim.actors.kind == FOCAL].mean() > 2 * pipes[sim.actors.kind == SME].mean()

"""Ties added and removed in O(changed) keep the index equal to a rebuild; actors append."""

import numpy as np

from clusterlab.state import Ties


def edge_set(t: Ties):
    live = np.flatnonzero(t.alive)
    return set(zip(t.a[live].tolist(), t.b[live].tolist()))


def index_set(t: Ties, n: int):
    out = set()
    for i in range(n):
        for k in range(t.start[i], t.start[i] + t.count[i]):
            s = t.tid[k]
            assert t.alive[s] and {t.a[s], t.b[s]} == {i, t.nbr[k]}
            out.add((min(i, t.nbr[k]), max(i, t.nbr[k])))
    return out


def test_random_adds_and_removes_match_a_rebuild(ties):
    rng = np.random.default_rng(0)
    n = 300
    a0, b0 = np.unique(np.stack([rng.integers(0, 150, 400), rng.integers(150, 300, 400)]), axis=1)
    t = ties(n, a0, b0, layer=rng.integers(0, 4, len(a0)))
    for _ in range(30):
        live = np.flatnonzero(t.alive)
        t.remove(rng.choice(live, 25, replace=False))
        pairs = edge_set(t)
        new = []
        while len(new) < 40:
            i, j = sorted(rng.integers(0, n, 2))
            if i != j and (i, j) not in pairs:
                pairs.add((i, j))
                new.append((i, j))
        a, b = np.array(new).T
        L = rng.integers(0, 4, len(a))
        t.add(a, b, L, 0.5, 0.5, 1.0, 0)
        assert index_set(t, n) == edge_set(t)
        deg = np.zeros((n, 4), int)
        live = np.flatnonzero(t.alive)
        np.add.at(deg, (t.a[live], t.layer[live]), 1)
        np.add.at(deg, (t.b[live], t.layer[live]), 1)
        assert np.array_equal(deg, t.deg)
    assert t.n_alive == len(edge_set(t))


def test_removing_an_actors_ties(ties):
    t = ties(5, [0, 0, 1, 2], [1, 2, 3, 4])
    assert t.remove_actor_ties([0]) == 2
    assert edge_set(t) == {(1, 3), (2, 4)} and t.deg[0].sum() == 0


def test_actors_append_keeps_old_rows_and_fills_defaults(actors):
    act = actors(3, E=np.ones((3, 4)))
    ids = act.append(2, kind=0, stage=1, E=np.full((2, 4), 0.5), x=[5.0, 6.0])
    assert list(ids) == [3, 4] and act.n == 5
    assert np.allclose(act.E[:3], 1) and np.allclose(act.E[3:], 0.5)
    assert act.alive.all() and (act.innov_incremental == 0).all() and act.x[4] == 6.0
    for _ in range(20):  # growth beyond the spare capacity
        act.append(50)
    assert act.n == 1005 and act.T.shape == (1005, 4) and np.allclose(act.E[:3], 1)

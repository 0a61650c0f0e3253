"""Innovation is recombination (Weitzman 1998; Fleming 2001): it rises with R&D, diversity
and, above all, with newly received and novel knowledge."""

import numpy as np
import pytest

import clusterlab as cl
from clusterlab.mechanism import Mechanism
from clusterlab.mechanisms import Innovation
from clusterlab.params import Field, MechanismParams
from clusterlab.state import UNIVERSITY


@pytest.fixture(scope="session")
def innovations(actors, only, sim_with, ties):
    def innovations(rd, E_rows, steps=120, n=400, seed=1):
        E = np.tile(np.asarray(E_rows, np.float32), (n, 1))
        sc = only("innovation").set(seed=seed)
        sim = sim_with(sc, actors(n, rd=rd, E=E, T=E), ties(n, [], []))
        for _ in range(steps):
            sim.step()
        return sim.actors.innov_incremental.sum(), sim.actors.innov_radical.sum(), sim

    return innovations


def test_more_rd_more_innovation(innovations):
    diverse = [0.3, 0.3, 0.3, 0.3]
    low = innovations(0.0, diverse)
    high = innovations(0.2, diverse)
    assert high[0] > 1.5 * low[0] > 0 and high[1] > low[1]


def test_radical_innovation_needs_diverse_knowledge(innovations):
    inc, rad, _ = innovations(0.1, [0.5, 0, 0, 0], steps=60)
    assert inc > 0 and rad == 0  # one domain, nothing new received: no radical innovation
    inc, rad, _ = innovations(0.1, [0.3, 0.3, 0.3, 0.3], steps=60)
    assert rad > 0


def test_innovation_raises_knowledge_and_moves_the_frontier(innovations):
    _, _, sim = innovations(0.3, [0.9, 0.9, 0.9, 0.9], steps=120)
    assert sim.actors.E.max() > 1.0  # radical leaps pass the initial frontier (1.0)
    assert np.all(sim.tech.frontier >= sim.actors.E.max(axis=0) - 1e-6)


class Gift(Mechanism):
    """Test stand-in for learning: every firm receives `amount` of explicit knowledge in
    domain `domain` each step (runs before innovation)."""

    name = "gift"

    class Params(MechanismParams):
        amount: float = Field(0.0, ge=0, le=10)
        domain: int = Field(0, ge=0, le=255)

    def step(self, sim) -> None:
        sim.actors.E[:, self.pars.domain] += self.pars.amount


@pytest.fixture(scope="module")
def gifted(actors, only, ties):
    def gifted(amount, domain, steps=120, n=400, seed=1):
        # specialised firms: strong in domain 0, weak in domains 1-3
        E = np.tile(np.asarray([0.6, 0.1, 0.1, 0.05], np.float32), (n, 1))
        sc = only("innovation", "gift").set(seed=seed)
        sim = cl.Sim(sc, mechanisms=[Gift(Gift.Params(amount=amount, domain=domain)), Innovation])
        tech_frontier = np.ones(4, np.float32)
        from clusterlab.state import Technology
        sim.init(actors(n, rd=0.02, E=E, T=E), ties(n, [], []),
                 Technology(frontier=tech_frontier, relevance=np.full(4, 0.25, np.float32)))
        for _ in range(steps):
            sim.step()
        return int(sim.actors.innov_incremental.sum()), int(sim.actors.innov_radical.sum())

    return gifted


def test_new_knowledge_raises_innovation(gifted):
    none = gifted(0.0, 0)
    some = gifted(0.003, 0)
    assert some[0] > 1.1 * none[0] > 0


def test_novel_inputs_raise_radical_innovation(gifted):
    # the same amount received in the firms' strongest domain or in a weak one
    core = gifted(0.003, 0)
    weak = gifted(0.003, 2)
    assert weak[1] > 1.5 * core[1] and weak[0] > core[0]


@pytest.fixture(scope="module")
def learning_arms(small):
    def arms(seeds=(1, 2, 3, 4)):
        out = {}
        for name, sets in {"on": {}, "off": {"mechanisms__transfer__enabled": False}}.items():
            # the innovation mechanism's own (recombination) innovations: collective
            # innovations of joint projects (`projects_innovations`) left out
            ts = [cl.run(small(steps=96, seed=s, **sets)).timeseries for s in seeds]
            out[name] = np.array([t["innovations_incremental"].sum() + t["innovations_radical"].sum()
                                  - t["projects_innovations"].sum() for t in ts])
        return out

    return arms


def test_learning_drives_innovation(learning_arms):
    # the same firms with transfer switched off innovate clearly less (P13's knock-outs)
    r = learning_arms()
    assert r["on"].sum() > 1.1 * r["off"].sum()
    assert np.mean(r["on"] > r["off"]) >= 0.75


def test_universities_do_research(actors, only, sim_with, ties):
    E = [[0.5, 0.2, 0, 0]]
    sim = sim_with(only("innovation"), actors(1, kind=UNIVERSITY, stage=-1, E=E), ties(1, [], []))
    sim.step()
    assert sim.actors.E[0, 0] > 0.5 and sim.actors.E[0, 2] == 0  # only domains it holds

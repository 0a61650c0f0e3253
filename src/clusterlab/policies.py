"""What scheduled events do (MODEL.md section 3, "policies"; seeds 003 and 004).

Each action is a plain function `(sim, event) -> str` that changes the state or a
mechanism's parameters and returns a one-line description for `events.parquet`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .network import connect
from .population import draw_knowledge, draw_traits
from .state import CLUSTER_ORG, UNIVERSITY


def _centre(sim) -> tuple[float, float]:
    a = sim.actors
    firm = a.is_firm
    return float(a.x[firm].mean()), float(a.y[firm].mean())


def _new_institution(sim, kind: int, rng, level: float | None = None) -> int:
    """Append one institution at the cluster's centre, drawn as the population draws its
    kind (`level`: its knowledge per domain instead of the scenario's institution level)."""
    a = sim.actors
    x, y = _centre(sim)
    know = sim.scenario.knowledge
    if level is not None:
        know = know.model_copy(update={"institution_level": level})
    kinds = np.array([kind], np.int8)
    T, E = draw_knowledge(kinds, np.array([-1], np.int8), sim.scenario.population.stages, know, rng)
    (i,) = a.append(1, kind=kind, stage=-1, x=x, y=y, culture=0, group=a.n, T=T, E=E, born=sim.t,
                    **draw_traits(kinds, sim.scenario.population, rng))
    a.group[i] = i
    sim.ties.grow_actors(a.n)
    return int(i)


def start_cluster_org(sim, ev) -> str:
    rng = sim.rng("events")
    i = _new_institution(sim, CLUSTER_ORG, rng)
    firms = np.flatnonzero(sim.actors.is_firm)
    members = firms[rng.random(len(firms)) < ev.members]
    made = connect(sim, members, np.full(len(members), i), rng)
    return f"cluster organisation {i} starts with {len(made)} member firms"


def close_cluster_org(sim, ev) -> str:
    a = sim.actors
    orgs = np.flatnonzero((a.kind == CLUSTER_ORG) & a.alive)
    removed = sim.ties.remove_actor_ties(orgs)
    a.alive[orgs] = False
    return f"{len(orgs)} cluster organisation(s) closed, {removed} ties ended"


def fund_university(sim, ev) -> str:
    rng = sim.rng("events")
    i = _new_institution(sim, UNIVERSITY, rng, level=ev.level)
    a = sim.actors
    firms = np.flatnonzero(a.is_firm)
    near = firms[np.argsort(np.hypot(a.x[firms] - a.x[i], a.y[firms] - a.y[i]), kind="stable")]
    made = connect(sim, near[:ev.ties], np.full(min(ev.ties, len(near)), i), rng)
    return f"university {i} founded, working with {len(made)} firms"


def subsidise_pipelines(sim, ev) -> str:
    sim.mechanism_by_name("openness").pars.subsidy = ev.share
    return f"policy pays {ev.share:.0%} of pipeline costs"


def cut_support(sim, ev) -> str:
    keep = 1.0 - ev.share
    co = sim.mechanism_by_name("cluster_org").pars
    co.budget = co.budget * keep
    op = sim.mechanism_by_name("openness").pars
    op.subsidy = op.subsidy * keep
    inn = sim.mechanism_by_name("innovation").pars
    inn.research_rate = inn.research_rate * keep
    return f"support cut by {ev.share:.0%}: cluster-organisation budget, pipeline subsidy, university research"


def technology_shift(sim, ev) -> str:
    domains = sim.mechanism_by_name("technology").shift(sim, ev.domains, ev.share, ev.jump)
    return f"technology shift: relevance moves to domains {domains}"


def recession(sim, ev) -> str:
    until = sim.t + int(round(ev.years * sim.scenario.steps_per_year))
    sim.mechanism_by_name("technology").recession(sim, ev.demand, until)
    return f"recession: demand {ev.demand:.0%} until step {until}"


def global_competition(sim, ev) -> str:
    sim.tech.bar += ev.bar
    return f"global competition: competitiveness bar raised to {sim.tech.bar:.2f}"


def set_parameter(sim, ev) -> str:
    _, mech, key = ev.key.split(".")
    setattr(sim.mechanism_by_name(mech).pars, key, ev.value)
    return f"{ev.key} = {ev.value!r}"


ACTIONS = {
    "start_cluster_org": start_cluster_org, "close_cluster_org": close_cluster_org,
    "fund_university": fund_university, "subsidise_pipelines": subsidise_pipelines,
    "cut_support": cut_support, "technology_shift": technology_shift, "recession": recession,
    "global_competition": global_competition, "set": set_parameter,
}


class Policies:
    """Applies a scenario's events at their steps and keeps the log."""

    def __init__(self, events):
        self.events = sorted(events, key=lambda e: e.step)  # stable: file order within a step
        self.log: list[dict] = []

    def apply_due(self, sim) -> None:
        for ev in self.events:
            if ev.step == sim.t:
                detail = ACTIONS[ev.action](sim, ev)
                self.log.append({"step": sim.t, "year": sim.t / sim.scenario.steps_per_year,
                                 "action": ev.action, "note": ev.note, "detail": detail})

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(self.log, columns=["step", "year", "action", "note", "detail"])

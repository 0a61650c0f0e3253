"""Scheduled events of a scenario: policies and shocks (`[[events]]` tables), and what they do.

Each event has a `step` (it applies at the start of that step, before the mechanisms; step
0 at set-up) and an `action` with its own keys. Unknown actions, unknown keys and bad values
are validation errors naming `events.<i>.<key>`. Each event class carries what it does
(`apply(sim) -> str`, a one-line description for `events.parquet`): events change the
state, or parameters only through `sim.set(key, value)`, the path of a `set` event (Wang
2013 and Andreeva n.d. for the policies; Oxborrow 2012 for the shocks).
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal, Union, get_args

import numpy as np
import pandas as pd
from pydantic import Field

from .mechanism import SimView
from .params import MAX_STEPS, MAX_YEARS, Params
from .population import draw_knowledge, draw_traits
from .state import (AGENCY, CLUSTER_ORG, EXTERNAL, FOCAL, INSTITUTE, INTERMEDIARY, PIPELINE, SME,
                    UNIVERSITY)

_KINDS = {"focal": (FOCAL,), "sme": (SME,), "firm": (FOCAL, SME), "university": (UNIVERSITY,),
          "institute": (INSTITUTE,), "intermediary": (INTERMEDIARY,), "agency": (AGENCY,),
          "cluster_org": (CLUSTER_ORG,), "external": (EXTERNAL,)}
ActorKind = Literal["focal", "sme", "firm", "university", "institute", "intermediary", "agency",
                    "cluster_org", "external"]


def _draw_share(ids: np.ndarray, share: float, rng: np.random.Generator) -> np.ndarray:
    """round(share x len(ids)) of `ids`, drawn without replacement, ascending."""
    k = int(round(share * len(ids)))
    return np.sort(rng.choice(ids, k, replace=False)) if k < len(ids) else ids


class _Event(Params):
    step: int = Field(ge=0, le=MAX_STEPS, description="step at whose start the event applies (0 = at set-up)")
    note: str = Field("", description="free text shown in events.parquet and on figures")


class StartClusterOrg(_Event):
    """Start a cluster organisation (Andreeva n.d.) with the given share of firms as members."""

    action: Literal["start_cluster_org"]
    members: float = Field(0.3, ge=0, le=1, description="share of firms that join")

    def apply(self, sim: SimView) -> str:
        rng = sim.rng("events")
        i = _new_institution(sim, CLUSTER_ORG, rng)
        firms = np.flatnonzero(sim.actors.is_firm)
        members = firms[rng.random(len(firms)) < self.members]
        made = sim.connect(members, np.full(len(members), i), rng)
        return f"cluster organisation {i} starts with {len(made)} member firms"


class CloseClusterOrg(_Event):
    """Close every cluster organisation: its ties end."""

    action: Literal["close_cluster_org"]

    def apply(self, sim: SimView) -> str:
        a = sim.actors
        orgs = np.flatnonzero((a.kind == CLUSTER_ORG) & a.alive)
        removed = sim.ties.remove_actor_ties(orgs)
        a.alive[orgs] = False
        return f"{len(orgs)} cluster organisation(s) closed, {removed} ties ended"


class FundUniversity(_Event):
    """Found and fund a new university near the cluster's centre."""

    action: Literal["fund_university"]
    ties: int = Field(20, ge=0, le=1_000_000, description="firms it starts to work with (multi-angle ties)")
    level: float = Field(0.7, ge=0, le=1, description="its knowledge level (as knowledge.institution_level: mean knowledge per core domain, frontier = 1)")

    def apply(self, sim: SimView) -> str:
        rng = sim.rng("events")
        i = _new_institution(sim, UNIVERSITY, rng, level=self.level)
        a = sim.actors
        firms = np.flatnonzero(a.is_firm)
        near = firms[np.argsort(np.hypot(a.x[firms] - a.x[i], a.y[firms] - a.y[i]), kind="stable")]
        made = sim.connect(near[:self.ties], np.full(min(self.ties, len(near)), i), rng)
        return f"university {i} founded, working with {len(made)} firms"


class SubsidisePipelines(_Event):
    """Pay a share of the cost of firms' global pipelines (`network.pipeline_subsidy`)."""

    action: Literal["subsidise_pipelines"]
    share: float = Field(0.5, ge=0, le=1, description="share of pipeline cost paid by policy")

    def apply(self, sim: SimView) -> str:
        sim.set("network.pipeline_subsidy", self.share)
        return f"policy pays {self.share:.0%} of pipeline costs"


class CutSupport(_Event):
    """Withdraw policy support: cluster-organisation budgets, pipeline subsidies and
    university research funding fall by `share` (Oxborrow 2012)."""

    action: Literal["cut_support"]
    share: float = Field(1.0, ge=0, le=1, description="share of support withdrawn")

    KEYS: ClassVar[tuple[str, ...]] = ("mechanisms.cluster_org.budget", "network.pipeline_subsidy",
                                       "mechanisms.innovation.research_rate")

    def apply(self, sim: SimView) -> str:
        cut = []
        for key in self.KEYS:
            value = sim.get(key)
            if value is not None:  # a key of a mechanism this scenario lacks is skipped
                sim.set(key, value * (1.0 - self.share))
                cut.append(key)
        return f"support cut by {self.share:.0%}: {', '.join(cut) or 'nothing to cut'}"


class TechnologyShift(_Event):
    """A technology trajectory shift: market relevance moves to the domains the cluster
    knows least, and the frontier leaps there (Wang 2013, lock-in; Boschma 2005)."""

    action: Literal["technology_shift"]
    domains: int = Field(2, ge=1, le=256, description="domains that become relevant (at most knowledge.domains)")
    share: float = Field(0.5, ge=0, le=1, description="share of market relevance moved to them")
    jump: float = Field(0.5, ge=0, le=10, description="frontier rise in those domains (x frontier)")

    def apply(self, sim: SimView) -> str:
        a = sim.actors
        firm = a.is_firm
        held = (a.T[firm] + a.E[firm]).sum(axis=0, dtype=np.float64)
        domains = sim.tech.shift(held, self.domains, self.share, self.jump)
        return f"technology shift: relevance moves to domains {domains}"


class RemoveActors(_Event):
    """Actors leave mid-run (a counterfactual: e.g. every focal firm, Wang 2013 on focal
    firms as gatekeepers): a share of the alive actors of one kind exit and their ties end."""

    action: Literal["remove_actors"]
    kind: ActorKind = Field("focal", description="kind of actor that leaves (firm = focal firms and SMEs)")
    share: float = Field(1.0, ge=0, le=1, description="share of the alive actors of that kind that leave")

    def apply(self, sim: SimView) -> str:
        a = sim.actors
        ids = np.flatnonzero(np.isin(a.kind, _KINDS[self.kind]) & a.alive)
        gone = _draw_share(ids, self.share, sim.rng("events"))
        a.alive[gone] = False
        removed = sim.ties.remove_actor_ties(gone)
        return f"{len(gone)} of {len(ids)} {self.kind} actor(s) removed, {removed} ties ended"


class ClosePipelines(_Event):
    """Global pipelines close (Bathelt et al. 2004): a share of the alive pipelines whose
    cluster end is of the given kind end now. Firms may open new ones later (openness,
    cluster organisation) unless those mechanisms are switched off."""

    action: Literal["close_pipelines"]
    share: float = Field(1.0, ge=0, le=1, description="share of those pipelines that close")
    kind: Literal["all", "firm", "focal", "sme"] = Field("all", description="whose pipelines: all (every cluster actor's), firm, focal or sme")

    def apply(self, sim: SimView) -> str:
        a, t = sim.actors, sim.ties
        live = np.flatnonzero(t.alive[: t.m] & (t.layer[: t.m] == PIPELINE))
        local = np.where(a.kind[t.a[live]] == EXTERNAL, t.b[live], t.a[live])
        if self.kind != "all":
            live = live[np.isin(a.kind[local], _KINDS[self.kind])]
        gone = _draw_share(live, self.share, sim.rng("events"))
        t.remove(gone)
        return f"{len(gone)} of {len(live)} pipelines ({self.kind}) closed"


class Recession(_Event):
    """Demand falls for a while (Oxborrow 2012)."""

    action: Literal["recession"]
    demand: float = Field(0.7, ge=0, le=1, description="demand level during the recession (normal = 1)")
    years: float = Field(2.0, ge=0.01, le=MAX_YEARS, description="how long it lasts")

    def apply(self, sim: SimView) -> str:
        until = sim.t + int(round(self.years * sim.scenario.steps_per_year))
        sim.tech.start_recession(self.demand, until)
        return f"recession: demand {self.demand:.0%} until step {until}"


class GlobalCompetition(_Event):
    """Global competition raises the competitiveness firms need (Oxborrow 2012)."""

    action: Literal["global_competition"]
    bar: float = Field(0.1, ge=0, le=1, description="added competitiveness required to keep revenue (x frontier; 1 = the frontier itself)")

    def apply(self, sim: SimView) -> str:
        sim.tech.bar += self.bar
        return f"global competition: competitiveness bar raised to {sim.tech.bar:.2f}"


class SetParameter(_Event):
    """Set a parameter read during the run from this step on: any `mechanisms.<name>.<key>`
    or a live shared key, e.g. key = "network.pipeline_cost"."""

    action: Literal["set"]
    key: str = Field(description="dotted scenario key: mechanisms.<mechanism>.<parameter>, or a live shared key")
    value: float | bool | int | str = Field(description="its new value")

    def apply(self, sim: SimView) -> str:
        sim.set(self.key, self.value)
        return f"{self.key} = {self.value!r}"


EVENT_TYPES = (StartClusterOrg, CloseClusterOrg, FundUniversity, SubsidisePipelines, CutSupport,
               TechnologyShift, RemoveActors, ClosePipelines, Recession, GlobalCompetition, SetParameter)
Event = Annotated[Union[EVENT_TYPES], Field(discriminator="action")]
ACTIONS = tuple(get_args(cls.model_fields["action"].annotation)[0] for cls in EVENT_TYPES)


def _new_institution(sim: SimView, kind: int, rng: np.random.Generator, level: float | None = None) -> int:
    """Append one institution at the firms' mean position (the region's centre when no firm
    is left), drawn as the population draws its kind (`level`: its knowledge level instead of
    the scenario's institution level)."""
    a = sim.actors
    firm = a.is_firm
    if firm.any():
        x, y = float(a.x[firm].mean()), float(a.y[firm].mean())
    else:
        x = y = sim.scenario.population.region_km / 2
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


class Schedule:
    """A scenario's events in step order (file order within a step), applied when due, with
    the log of what they did; a running recession ends here when it is due."""

    def __init__(self, events):
        self.events = sorted(events, key=lambda e: e.step)  # stable
        self.log: list[dict] = []

    def apply_due(self, sim: SimView) -> None:
        for ev in self.events:
            if ev.step == sim.t:
                detail = ev.apply(sim)
                self.log.append({"step": sim.t, "year": sim.t / sim.scenario.steps_per_year,
                                 "action": ev.action, "note": ev.note, "detail": detail})
        sim.tech.end_recession(sim.t)

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(self.log, columns=["step", "year", "action", "note", "detail"])


__all__ = ["Event", "ACTIONS", "EVENT_TYPES", "Schedule"] + [cls.__name__ for cls in EVENT_TYPES]

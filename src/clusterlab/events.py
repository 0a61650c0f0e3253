"""Scheduled events of a scenario: policies and shocks (`[[events]]` tables).

Each event has a `step` (it applies at the start of that step; step 0 at set-up) and an
`action` with its own keys. Unknown actions, unknown keys and bad values are validation
errors naming `events.<i>.<key>`. What each action does is in `clusterlab.policies`.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field

from .params import Params


class _Event(Params):
    step: int = Field(ge=0, description="step at whose start the event applies (0 = at set-up)")
    note: str = Field("", description="free text shown in events.parquet and on figures")


class StartClusterOrg(_Event):
    """Start a cluster organisation (seed 003) with the given share of firms as members."""

    action: Literal["start_cluster_org"]
    members: float = Field(0.3, ge=0, le=1, description="share of firms that join")


class CloseClusterOrg(_Event):
    """Close every cluster organisation: its ties end."""

    action: Literal["close_cluster_org"]


class FundUniversity(_Event):
    """Found and fund a new university near the cluster's centre."""

    action: Literal["fund_university"]
    ties: int = Field(20, ge=0, description="firms it starts to work with (multi-angle ties)")
    level: float = Field(0.7, ge=0, description="its knowledge level (as knowledge.institution_level: mean knowledge per core domain, frontier = 1)")


class SubsidisePipelines(_Event):
    """Pay a share of the cost of firms' global pipelines."""

    action: Literal["subsidise_pipelines"]
    share: float = Field(0.5, ge=0, le=1, description="share of pipeline cost paid by policy")


class CutSupport(_Event):
    """Withdraw policy support: cluster-organisation budgets, pipeline subsidies and
    university research funding fall by `share` (seed 004)."""

    action: Literal["cut_support"]
    share: float = Field(1.0, ge=0, le=1, description="share of support withdrawn")


class TechnologyShift(_Event):
    """A technology trajectory shift: market relevance moves to the domains the cluster
    knows least, and the frontier leaps there (seed 002, lock-in; Boschma 2005)."""

    action: Literal["technology_shift"]
    domains: int = Field(2, ge=1, description="domains that become relevant")
    share: float = Field(0.5, ge=0, le=1, description="share of market relevance moved to them")
    jump: float = Field(0.5, ge=0, description="frontier rise in those domains (x frontier)")


class Recession(_Event):
    """Demand falls for a while (seed 004)."""

    action: Literal["recession"]
    demand: float = Field(0.7, ge=0, le=1, description="demand level during the recession (normal = 1)")
    years: float = Field(2.0, gt=0, description="how long it lasts")


class GlobalCompetition(_Event):
    """Global competition raises the competitiveness firms need (seed 004)."""

    action: Literal["global_competition"]
    bar: float = Field(0.1, ge=0, description="added competitiveness required to keep revenue")


class SetParameter(_Event):
    """Set any scenario key from this step on, e.g. key = "mechanisms.openness.pipeline_cost"."""

    action: Literal["set"]
    key: str = Field(description="dotted scenario key under mechanisms")
    value: float | bool | int | str = Field(description="its new value")


Event = Annotated[Union[StartClusterOrg, CloseClusterOrg, FundUniversity, SubsidisePipelines,
                        CutSupport, TechnologyShift, Recession, GlobalCompetition, SetParameter],
                  Field(discriminator="action")]

ACTIONS = ("start_cluster_org", "close_cluster_org", "fund_university", "subsidise_pipelines",
           "cut_support", "technology_shift", "recession", "global_competition", "set")

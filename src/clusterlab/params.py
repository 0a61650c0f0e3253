"""Parameter tables: the strict base every table uses, and the scenario's own tables.

Every table refuses unknown keys and validates every assignment. Each key carries its
default, its range and a one-line description (the comment in `clusterlab
default-scenario`). Mechanism tables live with their mechanism. Keys marked live (`LIVE`)
are read during the run and may be changed by `set` events; the others shape the start.
"""

from __future__ import annotations

import functools
import typing

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

LIVE = {"live": True}  # json_schema_extra of a key that `set` events may change

# Shared ranges (docs/odd.md, section 9, "Ranges"). Every number has a finite range the
# model can use: distances up to half the Earth's circumference, degrees up to what a
# survey could report, durations up to a century, steps up to the longest run.
MIN_KM = 0.01  # 10 m: the smallest distance scale
MAX_KM = 20_000.0  # half the Earth's circumference
MAX_REGION_KM = 5_000.0  # a continent
MAX_DEGREE = 1000.0  # mean ties (or pipelines) per actor
MAX_YEARS = 100.0
MAX_STEPS = 1_000_000
MAX_INSTITUTIONS = 10_000  # of each kind
MAX_TIES = 500_000_000  # expected ties of a generated starting network
MAX_CELLS = 1_000_000_000  # actors x domains of a generated cluster (4 GB each for T and E)
Km = Annotated[float, Field(ge=0, le=MAX_KM)]
Step = Annotated[int, Field(ge=0, le=MAX_STEPS)]


class Params(BaseModel):
    """Base class of every parameter table: unknown keys are errors, assignments validated,
    and `inf` and `nan` are refused (every number must also lie in its declared range)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)


def bool_for_number(data: dict, model: type[BaseModel], path: str = "") -> tuple[str, bool] | None:
    """The first (dotted key, value) of raw `data` where true/false stands for a number of
    `model` (pydantic alone reads true as 1), or None. Walks nested tables and the tagged
    tables of lists ([[events]]); checked where scenarios are read (`scenario.validate`)."""
    shape = _shape(model)
    for key, value in data.items():
        what = shape.get(key) if isinstance(key, str) else None
        if what is None:
            continue
        found = None
        if what == "number":
            found = (f"{path}{key}", value) if isinstance(value, bool) else None
        elif what == "numbers":
            bad = [v for v in value if isinstance(v, bool)] if isinstance(value, (list, tuple)) else []
            found = (f"{path}{key}", bad[0]) if bad else None
        elif isinstance(what, dict):  # a list of tables tagged by `action`
            for k, item in enumerate(value if isinstance(value, list) else []):
                tag = item.get("action") if isinstance(item, dict) else None
                cls = what.get(tag) if isinstance(tag, str) else None
                found = found or (bool_for_number(item, cls, f"{path}{key}.{k}.") if cls else None)
        elif isinstance(value, dict):
            found = bool_for_number(value, what, f"{path}{key}.")
        if found:
            return found
    return None


@functools.lru_cache(maxsize=None)
def _shape(model: type[BaseModel]) -> dict:
    """key -> "number", "numbers" (a tuple or list of numbers), a model class (a table), or
    {action: model class} (a list of tagged tables); other keys are left out."""
    out: dict = {}
    for key, field in model.model_fields.items():
        ann = field.annotation
        if _is_number(ann):
            out[key] = "number"
        elif _numbers_inside(ann):
            out[key] = "numbers"
        elif isinstance(ann, type) and issubclass(ann, BaseModel):
            out[key] = ann
        elif typing.get_origin(ann) is list:
            tagged = {}
            for cls in _members(typing.get_args(ann)[0]):
                action = cls.model_fields.get("action")
                for tag in typing.get_args(action.annotation) if action is not None else ():
                    tagged[tag] = cls
            if tagged:
                out[key] = tagged
    return out


def _members(ann) -> list:
    """The model classes of an annotation (Annotated and Union unwrapped)."""
    if typing.get_origin(ann) is typing.Annotated:
        return _members(typing.get_args(ann)[0])
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return [ann]
    return [c for a in typing.get_args(ann) for c in _members(a)]


def _is_number(annotation) -> bool:
    """Whether a field's type is a plain int or float (Annotated ones too)."""
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation in (int, float)


def _numbers_inside(annotation) -> bool:
    """Whether a field's type is a tuple or list of numbers (tuple[Km, Km], list[int])."""
    return typing.get_origin(annotation) in (tuple, list) and all(
        _is_number(a) for a in typing.get_args(annotation) if a is not Ellipsis)


class MechanismParams(Params):
    """Parameters of a switchable mechanism."""

    enabled: bool = Field(True, description="switch the mechanism on or off")


def is_live(model: type[BaseModel], key: str) -> bool:
    """Whether `key` of table `model` is read during a run (mechanism keys always are)."""
    if issubclass(model, MechanismParams):
        return key in model.model_fields
    info = model.model_fields.get(key)
    return bool(info is not None and isinstance(info.json_schema_extra, dict) and info.json_schema_extra.get("live"))


class Population(Params):
    """Who is in the cluster (Wang 2013, Fig. 1: core, assistant and supplementary parts)."""

    firms: int = Field(200, ge=1, le=50_000_000, description="cluster firms, focal firms included")
    focal_share: float = Field(0.05, ge=0, le=1, description="share of firms that are focal firms")
    stages: int = Field(4, ge=1, le=50, description="value-chain stages (supplier -> final producer)")
    universities: int = Field(2, ge=0, le=MAX_INSTITUTIONS, description="local universities")
    institutes: int = Field(3, ge=0, le=MAX_INSTITUTIONS, description="public research institutes")
    intermediaries: int = Field(3, ge=0, le=MAX_INSTITUTIONS, description="consultants, brokers, knowledge agencies")
    agencies: int = Field(3, ge=0, le=MAX_INSTITUTIONS, description="local government / public service agencies")
    cluster_orgs: int = Field(1, ge=0, le=1000, description="cluster organisations (Andreeva n.d.)")
    externals: int = Field(50, ge=0, le=100_000, description="external partners: the far ends of global pipelines")
    region_km: float = Field(40.0, ge=0.1, le=MAX_REGION_KM, description="side of the square region the cluster lies in (km)")
    centres: int = Field(3, ge=1, le=1_000_000, description="towns the firms concentrate around")
    centre_spread_km: float = Field(4.0, ge=MIN_KM, le=MAX_KM, description="spread of firms around their town (km)")
    scattered_share: float = Field(0.2, ge=0, le=1, description="share of firms scattered uniformly over the region")
    external_km: tuple[Km, Km] = Field((500.0, 5000.0), description="min and max distance of external partners from the region's centre (km, 0 <= min <= max <= 20000)")
    culture_groups: int = Field(3, ge=1, le=10_000, description="local culture groups (cultural proximity)")
    subsidiary_share: float = Field(0.05, ge=0, le=1, description="share of SMEs in a focal firm's business group")
    sme_size: float = Field(25.0, ge=1, le=250, description="median SME employees (lognormal; an SME has fewer than 250)")
    focal_size: float = Field(800.0, ge=1, le=1_000_000, description="median focal-firm employees (lognormal)")
    sme_rd: float = Field(0.02, ge=0, le=1, description="mean SME R&D intensity (share of revenue)")
    focal_rd: float = Field(0.08, ge=0, le=1, description="mean focal-firm R&D intensity")
    sme_openness: float = Field(0.2, ge=0, le=1, description="mean SME openness (propensity for extra-local ties)")
    focal_openness: float = Field(0.8, ge=0, le=1, description="mean focal-firm openness")
    free_rider_share: float = Field(0.1, ge=0, le=1, description="share of firms that take knowledge without giving")
    setting: Literal["cluster", "isolated", "dispersed"] = Field("cluster", description="the same firms clustered, isolated (no local ties, buzz, spillover, labour pool, local projects, cluster organisation or supplier training; pipelines kept) or dispersed (same network, no co-location: cluster actors scattered over `dispersed_km`)")
    dispersed_km: float = Field(1000.0, ge=MIN_KM, le=MAX_KM, description="side of the square the cluster actors are scattered over when setting = \"dispersed\" (km)")

    @model_validator(mode="after")
    def _check(self) -> Population:
        lo, hi = self.external_km
        if not 0 <= lo <= hi:
            raise ValueError(f"external_km must be [min, max] with min <= max, got [{lo:g}, {hi:g}]")
        return self


class Knowledge(Params):
    """Knowledge over technology domains, tacit and explicit (Wang & Wang 2012; Wang 2013)."""

    domains: int = Field(8, ge=1, le=256, description="technology domains D")
    tacit_share: float = Field(0.6, ge=0, le=1, description="initial share of knowledge that is tacit")
    relevance_concentration: float = Field(4.0, ge=0.01, le=1000, description="Dirichlet concentration of market relevance over domains (large = even)")
    specialisation: float = Field(0.7, ge=0, le=1, description="share of a firm's knowledge in its stage's core domains")
    sme_level: float = Field(0.25, ge=0, le=1, description="mean initial SME knowledge per core domain (frontier = 1)")
    focal_level: float = Field(0.55, ge=0, le=1, description="mean initial focal-firm knowledge per core domain")
    institution_level: float = Field(0.6, ge=0, le=1, description="initial knowledge of universities and institutes per core domain (intermediaries 0.5x, cluster organisations 0.3x, agencies 0.2x)")
    external_level: float = Field(0.85, ge=0, le=1, description="mean initial knowledge of external partners per core domain")
    heterogeneity: float = Field(0.0, ge=0, le=1, description="cognitive heterogeneity: each firm's core domains are shifted on the domain circle by a uniform offset of up to +/- heterogeneity / 2 of the circle (0: firms of a stage share their core; 1: cores independent of stage)")
    external_domains: float = Field(0.25, ge=0, lt=1, description="share of the domains (floor(share x domains), the last ones) that belong to other technological trajectories: external partners specialise in them, cluster actors barely hold them at set-up")
    cognitive_scale: float = Field(1.4, ge=0.01, le=100, json_schema_extra=LIVE, description="cognitive reach at absorptive capacity 1: understandability max(0, 1 - delta / (scale * A)) in transfer and spillover falls to 0 at delta = scale * A")
    inflow_memory: float = Field(0.9, ge=0, lt=1, json_schema_extra=LIVE, description="per-step persistence of each actor's smoothed inflow by learning channel (used by openness; the same memory smooths innovation's newly received knowledge)")


class Network(Params):
    """The multiplex network: how it starts, and what pipelines cost."""

    horizontal_degree: float = Field(4.0, ge=0, le=MAX_DEGREE, description="mean horizontal ties per firm (same stage, competitors)")
    vertical_degree: float = Field(4.0, ge=0, le=MAX_DEGREE, description="mean vertical ties per firm (adjacent stages)")
    focal_vertical_boost: float = Field(4.0, ge=1, le=100, description="focal firms draw this many times more vertical ties")
    multi_angle_degree: float = Field(1.0, ge=0, le=MAX_DEGREE, description="mean ties per firm to universities, institutes, intermediaries and agencies")
    cluster_org_members: float = Field(0.3, ge=0, le=1, description="share of firms tied to each cluster organisation")
    sme_pipelines: float = Field(2.5, ge=0, le=MAX_DEGREE, description="expected pipelines of an SME per unit of openness")
    focal_pipelines: float = Field(8.0, ge=0, le=MAX_DEGREE, description="expected pipelines of a focal firm per unit of openness")
    institution_pipelines: float = Field(2.0, ge=0, le=MAX_DEGREE, description="expected pipelines of a university or institute")
    tie_km: float = Field(6.0, ge=MIN_KM, le=MAX_KM, description="distance scale of local tie formation (km)")
    strength_horizontal: float = Field(0.3, gt=0, lt=1, description="mean initial strength of horizontal ties")
    strength_vertical: float = Field(0.6, gt=0, lt=1, description="mean initial strength of vertical ties")
    strength_multi_angle: float = Field(0.4, gt=0, lt=1, description="mean initial strength of multi-angle ties")
    strength_pipeline: float = Field(0.3, gt=0, lt=1, description="mean initial strength of pipelines")
    trust_local: float = Field(0.5, ge=0, le=1, description="mean initial trust of local ties")
    trust_pipeline: float = Field(0.3, ge=0, le=1, description="mean initial trust of pipelines")
    trust_culture_bonus: float = Field(0.1, ge=0, le=1, description="extra initial trust within a culture group")
    max_age_years: float = Field(10.0, ge=0, le=MAX_YEARS, description="initial tie ages are uniform on [0, this] years")
    pipeline_cost: float = Field(0.02, ge=0, le=1000, json_schema_extra=LIVE, description="cost of one pipeline per step (revenue units; charged by market, weighed by openness)")
    pipeline_subsidy: float = Field(0.0, ge=0, le=1, json_schema_extra=LIVE, description="share of pipeline costs paid by policy")
    pipeline_cost_size: float = Field(10.0, ge=0, le=1_000_000, json_schema_extra=LIVE, description="employees from which a firm pays the full pipeline cost; a smaller firm pays pro rata (0: every firm pays it in full)")


class Data(Params):
    """Start from a real cluster instead of a generated one (docs/odd.md, section 5.3)."""

    network: str = Field("", description="network file (edge list, matrix, Excel sheet, GraphML, GEXF, Pajek, UCINET DL) or an `analyze` output folder; empty: generate the cluster")
    attributes: str = Field("", description="attributes file for the network's actors (optional)")
    absent: Literal["", "zeros"] = Field("", description="'zeros': actors without any tie are absent (not yet founded or closed) and left out; a `present` attributes column (1/0) always is honoured")
    geographic: str = Field("", description="geographic matrix file (labelled square, km or proximity) placing actors without x/y or lat/lon by multidimensional scaling (optional)")
    geographic_kind: Literal["auto", "distance", "proximity"] = Field("auto", description="what `data.geographic` holds: distance (km), proximity (exp(-km / geographic_scale_km), in (0, 1]), or auto (detected as compare --proximity does: diagonal 1 or cells within 0-1: proximity; diagonal 0 with cells above 1: distance)")
    geographic_scale_km: float = Field(10.0, ge=MIN_KM, le=MAX_KM, description="km scale s of a geographic proximity p = exp(-km / s), inverted to km = -s ln p")
    cognitive: str = Field("", description="cognitive proximity matrix file (labelled square, 0 to 1): the actors' knowledge profiles are fitted to it (optional)")


class Output(Params):
    """What a run writes."""

    snapshots: list[Step] = Field(default_factory=list, description="steps at which per-actor state is recorded (the final step always is)")
    figures: bool = Field(True, description="write figures/*.png")
    csv: bool = Field(False, description="also write the tables as CSV")
    network_figure_max_nodes: int = Field(3000, ge=10, le=100_000, description="largest network drawn in full; bigger ones are subsampled")
    constraint_sample: int = Field(2000, ge=10, le=1_000_000, description="above this many firms, mean constraint is estimated on a fixed sample of this size")


__all__ = ["Params", "MechanismParams", "Field", "LIVE", "is_live", "MIN_KM", "MAX_KM", "MAX_YEARS", "Population", "Knowledge",
           "Network", "Data", "Output"]

"""Scenarios: every key of a run, validated (MODEL.md section 4).

A scenario is a tree of pydantic models. Each key carries its default, its range and a
one-line description; the description becomes the comment in `clusterlab default-scenario`.
Mechanism parameters live with their mechanism (``clusterlab.mechanisms.*``); this module
collects them under ``[mechanisms]``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, model_validator

from .errors import ScenarioError
from .events import Event
from .mechanisms import MECHANISMS, MechanismsConfig
from .params import Params as Strict


class Population(Strict):
    """Who is in the cluster (seed 002, Fig. 1: core, assistant and supplementary parts)."""

    firms: int = Field(200, ge=1, le=50_000_000, description="cluster firms, focal firms included")
    focal_share: float = Field(0.05, ge=0, le=1, description="share of firms that are focal firms")
    stages: int = Field(4, ge=1, le=50, description="value-chain stages (supplier -> final producer)")
    universities: int = Field(2, ge=0, description="local universities")
    institutes: int = Field(3, ge=0, description="public research institutes")
    intermediaries: int = Field(3, ge=0, description="consultants, brokers, knowledge agencies")
    agencies: int = Field(3, ge=0, description="local government / public service agencies")
    cluster_orgs: int = Field(1, ge=0, description="cluster organisations (seed 003)")
    externals: int = Field(50, ge=0, description="external partners: the far ends of global pipelines")
    region_km: float = Field(40.0, gt=0, description="side of the square region the cluster lies in (km)")
    centres: int = Field(3, ge=1, description="towns the firms concentrate around")
    centre_spread_km: float = Field(4.0, gt=0, description="spread of firms around their town (km)")
    scattered_share: float = Field(0.2, ge=0, le=1, description="share of firms scattered uniformly over the region")
    external_km: tuple[float, float] = Field((500.0, 5000.0), description="min and max distance of external partners (km)")
    culture_groups: int = Field(3, ge=1, description="local culture groups (cultural proximity)")
    subsidiary_share: float = Field(0.05, ge=0, le=1, description="share of SMEs in a focal firm's business group")
    sme_size: float = Field(25.0, gt=0, description="median SME employees (lognormal)")
    focal_size: float = Field(800.0, gt=0, description="median focal-firm employees (lognormal)")
    sme_rd: float = Field(0.02, ge=0, le=1, description="mean SME R&D intensity (share of revenue)")
    focal_rd: float = Field(0.08, ge=0, le=1, description="mean focal-firm R&D intensity")
    sme_openness: float = Field(0.2, ge=0, le=1, description="mean SME openness (propensity for extra-local ties)")
    focal_openness: float = Field(0.8, ge=0, le=1, description="mean focal-firm openness")
    free_rider_share: float = Field(0.1, ge=0, le=1, description="share of firms that take knowledge without giving")

    @model_validator(mode="after")
    def _check(self) -> Population:
        lo, hi = self.external_km
        if not 0 <= lo <= hi:
            raise ValueError("external_km must be [min, max] with 0 <= min <= max")
        return self


class Knowledge(Strict):
    """Knowledge over technology domains, tacit and explicit (seeds 000, 002)."""

    domains: int = Field(8, ge=1, le=256, description="technology domains D")
    tacit_share: float = Field(0.6, ge=0, le=1, description="initial share of knowledge that is tacit")
    relevance_concentration: float = Field(4.0, gt=0, description="Dirichlet concentration of market relevance over domains (large = even)")
    specialisation: float = Field(0.7, ge=0, le=1, description="share of a firm's knowledge in its stage's core domains")
    sme_level: float = Field(0.25, ge=0, description="mean initial SME knowledge per core domain (frontier = 1)")
    focal_level: float = Field(0.55, ge=0, description="mean initial focal-firm knowledge per core domain")
    institution_level: float = Field(0.6, ge=0, description="initial knowledge of universities and institutes per core domain (intermediaries 0.5x, cluster organisations 0.3x, agencies 0.2x)")
    external_level: float = Field(0.85, ge=0, description="mean initial knowledge of external partners per core domain")


class Network(Strict):
    """The multiplex network at the start (MODEL.md section 2)."""

    horizontal_degree: float = Field(4.0, ge=0, description="mean horizontal ties per firm (same stage, competitors)")
    vertical_degree: float = Field(4.0, ge=0, description="mean vertical ties per firm (adjacent stages)")
    focal_vertical_boost: float = Field(4.0, ge=1, description="focal firms draw this many times more vertical ties")
    multi_angle_degree: float = Field(1.0, ge=0, description="mean ties per firm to universities, institutes, intermediaries and agencies")
    cluster_org_members: float = Field(0.3, ge=0, le=1, description="share of firms tied to each cluster organisation")
    sme_pipelines: float = Field(2.5, ge=0, description="expected pipelines of an SME per unit of openness")
    focal_pipelines: float = Field(8.0, ge=0, description="expected pipelines of a focal firm per unit of openness")
    institution_pipelines: float = Field(2.0, ge=0, description="expected pipelines of a university or institute")
    tie_km: float = Field(6.0, gt=0, description="distance scale of local tie formation (km)")
    strength_horizontal: float = Field(0.3, gt=0, lt=1, description="mean initial strength of horizontal ties")
    strength_vertical: float = Field(0.6, gt=0, lt=1, description="mean initial strength of vertical ties")
    strength_multi_angle: float = Field(0.4, gt=0, lt=1, description="mean initial strength of multi-angle ties")
    strength_pipeline: float = Field(0.3, gt=0, lt=1, description="mean initial strength of pipelines")
    trust_local: float = Field(0.5, ge=0, le=1, description="mean initial trust of local ties")
    trust_pipeline: float = Field(0.3, ge=0, le=1, description="mean initial trust of pipelines")
    trust_culture_bonus: float = Field(0.1, ge=0, le=1, description="extra initial trust within a culture group")
    max_age_years: float = Field(10.0, ge=0, description="initial tie ages are uniform on [0, this] years")


class Data(Strict):
    """Start from a real cluster instead of a generated one (docs/odd.md, section 5.3)."""

    network: str = Field("", description="network file (edge list, matrix, GraphML, GEXF, Pajek) or an `analyze` output folder; empty: generate the cluster")
    attributes: str = Field("", description="attributes file for the network's actors (optional)")


class Output(Strict):
    """What a run writes."""

    snapshots: list[int] = Field(default_factory=list, description="steps at which per-actor state is recorded (the final step always is)")
    figures: bool = Field(True, description="write figures/*.png")
    csv: bool = Field(False, description="also write the tables as CSV")
    network_figure_max_nodes: int = Field(3000, ge=10, description="largest network drawn in full; bigger ones are subsampled")
    constraint_sample: int = Field(2000, ge=10, description="above this many firms, mean constraint is estimated on a fixed sample of this size")


class Scenario(Strict):
    """A whole run: population, network, knowledge, mechanisms, horizon, seed, output."""

    name: str = Field("default", description="name of the scenario")
    seed: int = Field(42, ge=0, le=2**63 - 1, description="seed of every random draw")
    steps: int = Field(240, ge=0, le=1_000_000, description="steps to run (monthly: 240 = 20 years)")
    steps_per_year: int = Field(12, ge=1, le=365, description="steps per year")
    population: Population = Field(default_factory=Population)
    knowledge: Knowledge = Field(default_factory=Knowledge)
    network: Network = Field(default_factory=Network)
    data: Data = Field(default_factory=Data)
    mechanisms: MechanismsConfig = Field(default_factory=MechanismsConfig)
    output: Output = Field(default_factory=Output)
    events: list[Event] = Field(default_factory=list, description="scheduled policies and shocks ([[events]] tables)")

    @model_validator(mode="after")
    def _check(self) -> Scenario:
        bad = [s for s in self.output.snapshots if not 0 <= s <= self.steps]
        if bad:
            raise ValueError(f"snapshot steps must lie in [0, steps={self.steps}], got {bad}")
        for i, ev in enumerate(self.events):
            if ev.step > self.steps:
                raise ValueError(f"events.{i}.step: {ev.step} is after the last step ({self.steps})")
            if ev.action == "set":
                _check_set(self, i, ev.key, ev.value)
        return self

    # -- conveniences for code -------------------------------------------------------
    def set(self, **changes: Any) -> Scenario:
        """Return a validated copy with dotted keys changed.

        ``sc.set(steps=60, **{"mechanisms.trust.enabled": False})`` or
        ``sc.set(mechanisms__trust__enabled=False)`` (double underscores stand for dots).
        """
        data = self.model_dump()
        for key, value in changes.items():
            _assign(data, key.replace("__", "."), value)
        return validate(data, source="<code>")

    def to_toml(self) -> str:
        """The scenario as a commented TOML file that `validate` reads back unchanged."""
        from .toml_io import dump_scenario

        return dump_scenario(self)


def _check_set(sc: Scenario, i: int, key: str, value: Any) -> None:
    """A `set` event must name an existing mechanism key and a valid value for it."""
    parts = key.split(".")
    if len(parts) != 3 or parts[0] != "mechanisms":
        raise ValueError(f"events.{i}.key: expected 'mechanisms.<mechanism>.<parameter>', got {key!r}")
    table = getattr(sc.mechanisms, parts[1], None)
    if table is None or parts[2] not in type(table).model_fields:
        raise ValueError(f"events.{i}.key: unknown key {key!r}")
    try:
        table.model_copy().__setattr__(parts[2], value)
    except ValidationError as exc:
        raise ValueError(f"events.{i}.value: {exc.errors()[0]['msg'].lower()} for {key}, got {value!r}") from None


def _assign(data: dict, dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    node = data
    for i, part in enumerate(parts[:-1]):
        if not isinstance(node.get(part), dict):
            raise ScenarioError(f"<code>: key '{'.'.join(parts[: i + 1])}' is not a table")
        node = node[part]
    if parts[-1] not in node:
        raise ScenarioError(f"<code>: unknown key '{dotted}'")
    node[parts[-1]] = value


def _describe(err: dict) -> str:
    from .events import ACTIONS

    parts = [str(p) for p in err["loc"] if not str(p).startswith("function-after")]
    # a union member's tag (the event's action) is not a key the user wrote
    parts = [p for k, p in enumerate(parts) if not (p in ACTIONS and k and parts[k - 1].isdigit())]
    loc = ".".join(parts)
    kind = err["type"]
    got = err.get("input")
    if kind == "extra_forbidden":
        return f"unknown key '{loc}'"
    if kind == "missing":
        return f"key '{loc}' is required"
    if kind == "union_tag_invalid":
        return f"key '{loc}.action': unknown action {err['ctx']['tag']!r}, expected one of {', '.join(ACTIONS)}"
    if kind == "union_tag_not_found":
        return f"key '{loc}.action' is required (one of {', '.join(ACTIONS)})"
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    if not loc:  # a check across keys: the message names them
        return msg
    if kind in ("model_type", "dict_type"):
        return f"key '{loc}': expected a table, got {got!r}"
    return f"key '{loc}': {msg[0].lower() + msg[1:]}, got {got!r}"


def validate(data: dict, source: str = "<scenario>") -> Scenario:
    """Validate a nested dict into a Scenario; raise ScenarioError naming source and key."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        more = len(exc.errors()) - 1
        tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise ScenarioError(f"{source}: {_describe(first)}{tail}") from None


def default_scenario() -> Scenario:
    """The built-in default: ~200 firms over 4 stages, 12 institutions, 50 externals, 20 years."""
    return Scenario()


def parse_override(text: str) -> tuple[str, Any]:
    """Parse a command-line override ``key.path=value`` (value in TOML syntax, bare words as strings)."""
    if "=" not in text:
        raise ScenarioError(f"override '{text}': expected KEY=VALUE, e.g. mechanisms.trust.enabled=false")
    key, raw = text.split("=", 1)
    key = key.strip()
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return key, value


def load_scenario(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> Scenario:
    """Read a scenario TOML file (or the default when path is None) and apply dotted overrides."""
    if path is None:
        data: dict = {}
        source = "<default scenario>"
    else:
        p = Path(path)
        source = str(p)
        if not p.exists():
            raise ScenarioError(f"{source}: no such file")
        if p.is_dir():
            raise ScenarioError(f"{source}: is a folder, expected a TOML file")
        try:
            text = p.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ScenarioError(f"{source}: not UTF-8 text (byte {exc.start})") from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ScenarioError(f"{source}: malformed TOML: {exc}") from None
    if path is not None:  # data files named in the scenario are relative to it
        table = data.get("data")
        if isinstance(table, dict):
            for key in ("network", "attributes"):
                value = table.get(key)
                if isinstance(value, str) and value and not Path(value).is_absolute():
                    table[key] = str((Path(path).parent / value).resolve())
    scenario = validate(data, source=source)
    if overrides:
        data = scenario.model_dump()
        for key, value in overrides.items():
            try:
                _assign(data, key, value)
            except ScenarioError as exc:
                raise ScenarioError(str(exc).replace("<code>", f"{source} (override)")) from None
        scenario = validate(data, source=f"{source} (override)")
    return scenario

__all__ = ["Scenario", "Population", "Knowledge", "Network", "Output", "MECHANISMS",
           "default_scenario", "load_scenario", "validate", "parse_override"]

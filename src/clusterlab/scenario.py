"""Scenarios: every key of a run, validated (docs/odd.md, sections 6 and 9).

A scenario is a tree of pydantic models. Each key carries its default, its range and a
one-line description; the description becomes the comment in `clusterlab default-scenario`.
The scenario's own tables are in `clusterlab.params`; each mechanism's parameters live with
the mechanism and are collected under ``[mechanisms]``, one table per mechanism of the
scenario's loop. A scenario type is made for a list of mechanism classes
(`scenario_type`), so a user's mechanism is configured exactly like a built-in one.
"""

from __future__ import annotations

import difflib
import functools
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field, ValidationError, create_model, model_validator

from .errors import MechanismError, ScenarioError
from .events import ACTIONS, EVENT_TYPES, Event
from .mechanism import Mechanism
from .mechanisms import MECHANISMS
from .params import (MAX_CELLS, MAX_STEPS, MAX_TIES, bool_for_number, Data, Knowledge, Network, Output, Params, Population,
                     is_live)

SHARED_TABLES = ("population", "knowledge", "network", "data", "output")


def _check_classes(classes: tuple) -> None:
    names = []
    for cls in classes:
        if not (isinstance(cls, type) and issubclass(cls, Mechanism)):
            raise MechanismError(f"not a Mechanism class: {cls!r}")
        if not cls.name.isidentifier() or cls.name != cls.name.lower():
            raise MechanismError(f"mechanism {cls.__name__}: name {cls.name!r} must be a lower-case identifier")
        names.append(cls.name)
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise MechanismError(f"two mechanisms share the name {dup[0]!r}")


@functools.lru_cache(maxsize=None)
def mechanisms_table(classes: tuple[type[Mechanism], ...]) -> type[Params]:
    """The `[mechanisms]` table for these mechanism classes: one sub-table each, by name."""
    _check_classes(classes)
    fields = {cls.name: (cls.Params, Field(default_factory=cls.Params)) for cls in classes}
    return create_model("MechanismsConfig", __base__=Params,
                        __doc__="One table per mechanism, each with `enabled` and its parameters.", **fields)


class Scenario(Params):
    """A whole run: population, network, knowledge, mechanisms, horizon, seed, output."""

    mechanism_classes: ClassVar[tuple[type[Mechanism], ...]] = MECHANISMS

    name: str = Field("default", description="name of the scenario")
    seed: int = Field(42, ge=0, le=2**63 - 1, description="seed of every random draw")
    steps: int = Field(240, ge=0, le=MAX_STEPS, description="steps to run (monthly: 240 = 20 years)")
    steps_per_year: int = Field(12, ge=1, le=365, description="steps per year")
    population: Population = Field(default_factory=Population)
    knowledge: Knowledge = Field(default_factory=Knowledge)
    network: Network = Field(default_factory=Network)
    data: Data = Field(default_factory=Data)
    mechanisms: mechanisms_table(MECHANISMS) = Field(default_factory=mechanisms_table(MECHANISMS))
    output: Output = Field(default_factory=Output)
    events: list[Event] = Field(default_factory=list, description="scheduled policies and shocks ([[events]] tables)")

    @model_validator(mode="after")
    def _check(self) -> Scenario:
        if self.data.attributes and not self.data.network:
            raise ValueError("key 'data.attributes': needs 'data.network' (attributes describe a network's actors)")
        if not self.data.network:
            check_size(self.population, self.knowledge, self.network)
        D = self.knowledge.domains
        for i, ev in enumerate(self.events):  # an event after the last step is only warned of
            if ev.action == "technology_shift" and ev.domains > D:
                raise ValueError(f"key 'events.{i}.domains': technology_shift moves relevance to "
                                 f"{ev.domains} domains, but knowledge.domains is {D}")
            if ev.action == "set":
                try:
                    check_live(type(self), ev.key, ev.value)
                except ScenarioError as exc:
                    raise ValueError(f"events.{i}.{exc}") from None
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
        return validate(data, source="<code>", mechanisms=type(self).mechanism_classes)

    def for_mechanisms(self, classes: Iterable[type[Mechanism]]) -> Scenario:
        """This scenario with a table for each of these mechanism classes: missing tables
        take their defaults, a table of a class replaced by another of the same name is
        validated against the new class. Returns self when nothing is missing."""
        classes = tuple(classes)
        _check_classes(classes)
        have = type(self).mechanism_classes
        if all(cls in have for cls in classes):
            return self
        given = {cls.name: cls for cls in classes}
        merged = tuple(given.pop(cls.name, cls) for cls in have) + tuple(given.values())
        return validate(self.model_dump(), source="<code>", mechanisms=merged)

    def to_toml(self) -> str:
        """The scenario as a commented TOML file that `validate` reads back unchanged."""
        from .toml_io import dump_scenario

        return dump_scenario(self)


def check_size(pop: Population, know: Knowledge, net: Network) -> None:
    """Refuse a generated cluster too big to hold: more than MAX_TIES expected starting
    ties, or more than MAX_CELLS knowledge cells (actors x domains, float32 T and E)."""
    firms = pop.firms
    focal = pop.focal_share
    per_firm = (net.horizontal_degree / 2 + net.vertical_degree / 2 * (1 + focal * (net.focal_vertical_boost - 1))
                + net.multi_angle_degree + pop.cluster_orgs * net.cluster_org_members
                + (1 - focal) * net.sme_pipelines * pop.sme_openness + focal * net.focal_pipelines * pop.focal_openness)
    ties = firms * per_firm + (pop.universities + pop.institutes) * net.institution_pipelines
    if ties > MAX_TIES:
        raise ValueError(f"population.firms = {firms} with these network degrees gives about "
                         f"{ties:,.0f} starting ties, more than {MAX_TIES:,}: lower the firms or the degrees")
    actors = (firms + pop.universities + pop.institutes + pop.intermediaries + pop.agencies
              + pop.cluster_orgs + pop.externals)
    if actors * know.domains > MAX_CELLS:
        raise ValueError(f"{actors:,} actors x knowledge.domains = {know.domains} is more than "
                         f"{MAX_CELLS:,} knowledge cells: lower the actors or the domains")


def live_keys(kind: type[Scenario]) -> list[str]:
    """The keys `set` events may change: every mechanism key and the shared keys marked live."""
    keys = [f"{t}.{k}" for t in SHARED_TABLES for k in kind.model_fields[t].annotation.model_fields
            if is_live(kind.model_fields[t].annotation, k)]
    table = kind.model_fields["mechanisms"].annotation
    for name, info in table.model_fields.items():
        keys += [f"mechanisms.{name}.{k}" for k in info.annotation.model_fields]
    return keys


def check_live(kind: type[Scenario], key: str, value: Any) -> None:
    """Raise ScenarioError ("key: ..." or "value: ...") unless `key` is a live key of this
    scenario type (see `live_keys`) and `value` is valid for it."""
    parts = key.split(".")
    model = None
    if len(parts) == 3 and parts[0] == "mechanisms":
        info = kind.model_fields["mechanisms"].annotation.model_fields.get(parts[1])
        model = info.annotation if info is not None else None
    elif len(parts) == 2 and parts[0] in SHARED_TABLES:
        model = kind.model_fields[parts[0]].annotation
    if model is None or not is_live(model, parts[-1]):
        keys = live_keys(kind)
        hint = did_you_mean(key, keys)
        shared = ", ".join(k for k in keys if not k.startswith("mechanisms."))
        raise ScenarioError(f"key: {key!r} is not a key that can change during a run{hint}; expected "
                            f"'mechanisms.<mechanism>.<parameter>' or one of {shared}")
    if bool_for_number({parts[-1]: value}, model):
        raise ScenarioError(f"value: input should be a number for {key}, got {str(value).lower()}")
    try:
        setattr(model(), parts[-1], value)  # validated on assignment
    except ValidationError as exc:
        raise ScenarioError(f"value: {exc.errors()[0]['msg'].lower()} for {key}, got {value!r}") from None


@functools.lru_cache(maxsize=None)
def scenario_type(classes: tuple[type[Mechanism], ...]) -> type[Scenario]:
    """The Scenario model whose `[mechanisms]` table has one sub-table per class (in order)."""
    classes = tuple(classes)
    if classes == MECHANISMS:
        return Scenario
    table = mechanisms_table(classes)
    kind = create_model("Scenario", __base__=Scenario, __doc__=Scenario.__doc__,
                        mechanisms=(table, Field(default_factory=table)))
    kind.mechanism_classes = classes
    return kind


def _dotted(data: dict, prefix: str = "") -> list[str]:
    """Every key of a nested dict, tables and leaves, dotted."""
    out = []
    for k, v in data.items():
        key = f"{prefix}{k}"
        out.append(key)
        if isinstance(v, dict):
            out += _dotted(v, key + ".")
    return out


def did_you_mean(word: str, choices: Iterable[str], prefix: str = "") -> str:
    """' (did you mean 'prefix.x'?)' for the closest x of `choices` (difflib), else ''."""
    near = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {prefix + near[0]!r}?)" if near else ""


def _assign(data: dict, dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    node = data
    for i, part in enumerate(parts):
        if part not in node:
            raise ScenarioError(f"<code>: unknown key '{dotted}'{did_you_mean(dotted, _dotted(data))}")
        if i == len(parts) - 1:
            break
        if not isinstance(node[part], dict):
            raise ScenarioError(f"<code>: key '{'.'.join(parts[: i + 1])}' is not a table")
        node = node[part]
    node[parts[-1]] = value


_EVENT_CLASSES = dict(zip(ACTIONS, EVENT_TYPES))
_UNION_MEMBERS = {"float", "bool", "int", "str"}  # loc parts naming a member of a union type


def _keys_at(kind: type[Scenario], loc: tuple) -> list[str]:
    """The keys the table at `loc` (a pydantic error location, minus its last part) accepts."""
    model: Any = kind
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if part in _EVENT_CLASSES:
            model = _EVENT_CLASSES[part]
        elif isinstance(model, type) and issubclass(model, Params) and part in model.model_fields:
            model = model.model_fields[part].annotation
        else:
            return []
    return list(model.model_fields) if isinstance(model, type) and issubclass(model, Params) else []


def _describe(err: dict, scenario_kind: type[Scenario] = Scenario) -> str:
    raw = tuple(p for p in err["loc"] if not str(p).startswith("function-after"))
    parts = [str(p) for p in raw if str(p) not in _UNION_MEMBERS]
    # a union member's tag (the event's action) is not a key the user wrote
    parts = [p for k, p in enumerate(parts) if not (p in ACTIONS and k and parts[k - 1].isdigit())]
    loc = ".".join(parts)
    kind = err["type"]
    got = err.get("input")
    if kind == "extra_forbidden":
        where = "".join(p + "." for p in parts[:-1])
        if len(parts) == 2 and parts[0] == "mechanisms":
            near = did_you_mean(parts[1], _keys_at(scenario_kind, raw), where)
            return (f"unknown key '{loc}'{near} (no mechanism of that name; for a mechanism of your own, "
                    f"pass its class: load_scenario(..., mechanisms=[...]) or clusterlab run --mechanism FILE.py:Class)")
        return f"unknown key '{loc}'{did_you_mean(parts[-1], _keys_at(scenario_kind, raw), where)}"
    if kind == "missing":
        return f"key '{loc}' is required"
    if kind == "union_tag_invalid":
        tag = err["ctx"]["tag"]
        return (f"key '{loc}.action': unknown action {tag!r}{did_you_mean(str(tag), ACTIONS)}, "
                f"expected one of {', '.join(ACTIONS)}")
    if kind == "union_tag_not_found":
        return f"key '{loc}.action' is required (one of {', '.join(ACTIONS)})"
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    if not loc:  # a check across keys: the message names them
        return msg
    if kind in ("model_type", "dict_type"):
        return f"key '{loc}': expected a table, got {got!r}"
    if isinstance(got, dict):  # a check across the keys of one table: its message names them
        return f"table '{loc}': {msg}"
    return f"key '{loc}': {msg[0].lower() + msg[1:]}, got {got!r}"


def validate(data: dict, source: str = "<scenario>",
             mechanisms: Iterable[type[Mechanism]] | None = None) -> Scenario:
    """Validate a nested dict into a Scenario (with a `[mechanisms]` table for the given
    mechanism classes; default the built-in loop); raise ScenarioError naming source and key."""
    kind = Scenario if mechanisms is None else scenario_type(tuple(mechanisms))
    if isinstance(data, dict) and (found := bool_for_number(data, kind)):
        raise ScenarioError(f"{source}: key '{found[0]}': input should be a number, got {str(found[1]).lower()}")
    try:
        return kind.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        more = len(exc.errors()) - 1
        tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise ScenarioError(f"{source}: {_describe(first, kind)}{tail}") from None


def default_scenario(mechanisms: Iterable[type[Mechanism]] | None = None) -> Scenario:
    """The built-in default: ~200 firms over 4 stages, 12 institutions, 50 externals, 20
    years (with a default table for each of `mechanisms`, default the built-in loop)."""
    return validate({}, source="<default scenario>", mechanisms=mechanisms)


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


def load_scenario(path: str | Path | None = None, overrides: dict[str, Any] | None = None,
                  mechanisms: Iterable[type[Mechanism]] | None = None) -> Scenario:
    """Read a scenario TOML file or a preset by name (`clusterlab.presets`; the default
    when path is None) and apply dotted overrides; `mechanisms` (default: the built-in
    loop) are the mechanism classes whose tables the file may set."""
    if path is None:
        data: dict = {}
        source = "<default scenario>"
    else:
        from .presets import resolve

        from .toml_io import read_toml

        path = resolve(path)  # a file, else a preset name
        source = str(path)
        data = read_toml(path)
    if path is not None:  # data files named in the scenario are relative to it
        table = data.get("data")
        if isinstance(table, dict):
            for key in ("network", "attributes", "geographic", "cognitive"):
                value = table.get(key)
                if isinstance(value, str) and value and not Path(value).is_absolute():
                    table[key] = str((Path(path).parent / value).resolve())
    scenario = validate(data, source=source, mechanisms=mechanisms)
    if overrides:
        data = scenario.model_dump()
        for key, value in overrides.items():
            try:
                _assign(data, key, value)
            except ScenarioError as exc:
                raise ScenarioError(str(exc).replace("<code>", f"{source} (override)")) from None
        scenario = validate(data, source=f"{source} (override)", mechanisms=mechanisms)
    return scenario


__all__ = ["Scenario", "scenario_type", "mechanisms_table", "live_keys", "check_live",
           "default_scenario", "load_scenario", "validate", "parse_override"]

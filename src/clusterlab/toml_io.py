"""TOML in and out: read a scenario or experiment file with one-line errors (`read_toml`);
write a scenario as commented TOML, each key with its description, range and default."""

from __future__ import annotations

import json
import math
import tomllib
from pathlib import Path

from pydantic import BaseModel

from .errors import ScenarioError


def read_toml(path: str | Path, what: str = "a TOML file") -> dict:
    """The table of a TOML file; ScenarioError, one line naming the file, when it is missing,
    a folder, not UTF-8 or malformed. `what`: what the file should be, for the folder case."""
    p = Path(path)
    if not p.exists():
        raise ScenarioError(f"{p}: no such file")
    if p.is_dir():
        raise ScenarioError(f"{p}: is a folder, expected {what}")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{p}: not UTF-8 text (byte {exc.start})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{p}: malformed TOML: {exc}") from None


def toml_value(v) -> str:
    """A value in TOML syntax (as written in scenario files and in docs/odd.md's tables)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def _range(info) -> str:
    bounds = []
    for m in info.metadata:
        for attr, sym in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            if getattr(m, attr, None) is not None:
                bounds.append(f"{sym} {getattr(m, attr)}")
    return f" ({', '.join(bounds)})" if bounds else ""


def _table(model: BaseModel, path: str, lines: list[str], comments: bool) -> None:
    scalars, tables, arrays = [], [], []
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            tables.append((name, info, value))
        elif isinstance(value, list) and name == "events":
            arrays.append((name, info, value))
        else:
            scalars.append((name, info, value))
    if path and scalars:
        lines.append("")
        doc = (type(model).__doc__ or "").strip().splitlines()
        if comments and doc:
            lines.append(f"# {doc[0]}")
        lines.append(f"[{path}]")
    for name, info, value in scalars:
        if comments and info.description:
            lines.append(f"# {info.description}{_range(info)}")
        lines.append(f"{name} = {toml_value(value)}")
    for name, _info, value in tables:
        _table(value, f"{path}.{name}" if path else name, lines, comments)
    for name, info, value in arrays:
        if comments and info.description:
            lines += ["", f"# {info.description}"]
        for item in value:
            lines += ["", f"[[{name}]]"]
            for key, v in item.model_dump().items():
                if not (key == "note" and v == ""):
                    lines.append(f"{key} = {toml_value(v)}")


def dump_scenario(scenario: BaseModel, comments: bool = True) -> str:
    """The scenario as TOML text; `tomllib.loads` of it validates back to an equal scenario."""
    lines: list[str] = []
    if comments:
        lines += ["# clusterlab scenario. Every key is optional: a missing key takes the default",
                  "# shown here. Run it with `clusterlab run FILE`; check it with `clusterlab validate FILE`."]
    _table(scenario, "", lines, comments)
    return "\n".join(lines) + "\n"

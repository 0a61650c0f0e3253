"""Preset scenarios shipped with clusterlab: `lock_in`, `open_cluster`, `cluster_org`,
`shocks` (TOML files in this folder; what each shows is in its header comment and the README).

    clusterlab run lock_in            # a preset by name, wherever clusterlab is installed
    cl.load_scenario(presets.path("lock_in"))
"""

from __future__ import annotations

import difflib
from pathlib import Path

HERE = Path(__file__).parent


def names() -> list[str]:
    """The preset names, sorted."""
    return sorted(p.stem for p in HERE.glob("*.toml"))


def path(name: str) -> Path:
    """The TOML file of preset `name`; ScenarioError (with did-you-mean) if there is none."""
    from ..errors import ScenarioError

    if name not in names():
        near = difflib.get_close_matches(name, names(), n=1, cutoff=0.6)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise ScenarioError(f"no such file or preset: '{name}'{hint} (presets: {', '.join(names())})")
    return HERE / f"{name}.toml"


def resolve(spec: str | Path) -> Path:
    """A scenario argument as the user gave it: an existing file, else a preset name."""
    p = Path(spec)
    if p.exists() or p.suffix.lower() == ".toml" or len(p.parts) > 1:
        return p
    return path(str(spec))


__all__ = ["names", "path", "resolve"]

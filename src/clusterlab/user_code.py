"""Code of one's own named in a scenario, an experiment or on the command line:
`FILE.py:name` (a Python file) or `module:name` (an importable module).

Mechanisms (`--mechanism`, an experiment's `mechanisms`) and outcome functions (an
experiment's `function` outcomes) load through here, in the main process and in every
worker, so a spec means the same everywhere. A worker on another machine needs the file
at the same path, or the module installed.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from typing import Any

from .errors import ClusterlabError


def load_object(spec: str, what: str = "function", noun: str = "function") -> Any:
    """The object named by `FILE.py:name` or `module:name` (a dotted name inside the module
    is followed); ClusterlabError naming `what` and the spec when it cannot be loaded."""
    where, sep, name = spec.rpartition(":") if isinstance(spec, str) else ("", "", "")
    form = "Class" if noun.endswith("class") else noun
    if not sep or not where or not name:
        raise ClusterlabError(f"{what} {spec!r}: expected FILE.py:{form} or module:{form}")
    try:
        if where.endswith(".py"):
            path = Path(where)
            if not path.is_file():
                raise ClusterlabError(f"{what} {spec!r}: no such file {where}")
            mod_name = f"clusterlab_user_{path.stem}"
            known = sys.modules.get(mod_name)
            if known is not None and getattr(known, "__file__", None) == str(path.resolve()):
                module = known  # loaded once per process: classes stay the same objects
            else:
                loader = importlib.util.spec_from_file_location(mod_name, path.resolve())
                module = importlib.util.module_from_spec(loader)
                sys.modules[mod_name] = module
                loader.loader.exec_module(module)
        else:
            module = importlib.import_module(where)
    except ClusterlabError:
        raise
    except Exception as exc:  # the user's code failed to import: say where, no traceback
        raise ClusterlabError(f"{what} {spec!r}: cannot import {where}: {type(exc).__name__}: {exc}") from None
    obj: Any = module
    for part in name.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            raise ClusterlabError(f"{what} {spec!r}: {where} has no {noun} {name!r}")
    return obj


def load_mechanism(spec: str, what: str = "mechanism"):
    """The Mechanism class named by `FILE.py:Class` or `module:Class`."""
    from .mechanism import Mechanism

    cls = load_object(spec, what, "Mechanism class")
    if not (isinstance(cls, type) and issubclass(cls, Mechanism) and cls.name):
        where, _, name = spec.rpartition(":")
        raise ClusterlabError(f"{what} {spec!r}: {where} has no Mechanism class {name!r} with a name")
    return cls


__all__ = ["load_object", "load_mechanism"]

"""All-or-nothing output: a folder written through a staging folder (`staged`), a single
text file written beside and renamed (`write_text`), and `json_safe` for summaries."""

from __future__ import annotations

import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .errors import ClusterlabError


def json_safe(v):
    """Nested values made JSON-safe: numpy scalars and arrays to Python, NaN and inf to None."""
    if isinstance(v, dict):
        return {str(k): json_safe(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [json_safe(x) for x in v]
    if isinstance(v, np.ndarray):
        return json_safe(v.tolist())
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, (float, np.floating)):
        v = float(v)
        return v if math.isfinite(v) else None
    return v


@contextmanager
def staged(out: str | Path) -> Iterator[Path]:
    """Yield a temporary folder beside `out`. If the block succeeds, its files replace the
    files of the same names in `out` (created if missing); if it fails, `out` is untouched."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ClusterlabError(f"{out}: exists and is not a folder")
    with _scratch(out, "cannot create output folder") as tmp:
        yield tmp
        mask = os.umask(0o022)
        os.umask(mask)
        os.chmod(tmp, 0o777 & ~mask)  # an ordinary folder (mkdtemp makes it private)
        if not out.exists():
            os.replace(tmp, out)
            return
        for item in tmp.iterdir():
            target = out / item.name
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            os.replace(item, target)


def write_text(path: str | Path, text: str) -> Path:
    """Write one UTF-8 text file all or nothing: written beside `path`, then renamed over it.
    Returns the path."""
    path = Path(path)
    if path.is_dir():
        raise ClusterlabError(f"{path}: is a folder, expected a file")
    with _scratch(path, "cannot write") as tmp:
        try:
            (tmp / path.name).write_text(text, encoding="utf-8")
            os.replace(tmp / path.name, path)
        except OSError as exc:
            raise ClusterlabError(f"{path}: cannot write ({exc.strerror})") from None
    return path


@contextmanager
def _scratch(beside: Path, failure: str) -> Iterator[Path]:
    """A private temporary folder in the folder of `beside` (created if missing; the same
    file system, so renames from it are atomic), removed afterwards."""
    parent = beside.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{beside.name}.", dir=parent))
    except OSError as exc:
        raise ClusterlabError(f"{beside}: {failure} ({exc.strerror})") from None
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

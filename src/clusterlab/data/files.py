"""Checks on input files shared by the readers."""

from __future__ import annotations

from pathlib import Path

from .network import DataError


def check_file(path) -> Path:
    """The path of an existing file; DataError when it is missing or a folder."""
    p = Path(path)
    if not p.exists():
        raise DataError(f"{path}: no such file")
    if p.is_dir():
        raise DataError(f"{path}: is a folder, expected a file")
    return p

"""All-or-nothing output folders: write into a staging folder, then move the files in."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import ClusterlabError


@contextmanager
def staged(out: str | Path) -> Iterator[Path]:
    """Yield a temporary folder beside `out`. If the block succeeds, its files replace the
    files of the same names in `out` (created if missing); if it fails, `out` is untouched."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ClusterlabError(f"{out}: exists and is not a folder")
    parent = out.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    except OSError as exc:
        raise ClusterlabError(f"{out}: cannot create output folder ({exc.strerror})") from None
    try:
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
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

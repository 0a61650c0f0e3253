"""Output folders that never lose a user's file.

The rule: clusterlab replaces or removes only the files listed in the folder's manifest
`.clusterlab-manifest.json` (the files it wrote there), and never touches any other file.
A folder is written in a staging folder beside it (`staged`), then merged in file by file:

1. the manifest becomes old + new files, marked incomplete;
2. each new file is renamed into place (atomic per file);
3. files of the old manifest not written this time are removed (no stale outputs);
4. the manifest becomes exactly the new files, marked complete.

A kill at any point leaves every file whole (old or new) and every file clusterlab may
have placed listed in the manifest, so the next write finishes the job. A staging folder
left by a killed process (`.NAME.clusterlab-staging-PID-*`, its process gone, its lock
free) is removed by the next write beside it. `write_text` writes one named file the same
way (staged, atomic). `json_safe` makes summaries JSON-safe.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .errors import ClusterlabError

try:
    import fcntl
except ImportError:  # not on Windows: the process check alone decides
    fcntl = None

MANIFEST = ".clusterlab-manifest.json"
STAGING = ".clusterlab-staging-"


def json_safe(v, strict: bool = False):
    """Nested values made JSON-safe: numpy scalars and arrays to Python, tuples to lists, NaN
    and inf to None. `strict` (for hashing, e.g. `experiments.run_key`): NaN and inf are a
    ValueError and a value of any other type a TypeError, instead of passing through."""
    if isinstance(v, dict):
        return {str(k): json_safe(x, strict) for k, x in v.items()}
    if isinstance(v, (list, tuple, np.ndarray)):
        return [json_safe(x, strict) for x in v]
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, (float, np.floating)):
        v = float(v)
        if math.isfinite(v):
            return v
        if strict:
            raise ValueError(f"non-finite number {v!r}")
        return None
    if strict and not (v is None or isinstance(v, (str, int))):
        raise TypeError(f"cannot represent a {type(v).__name__} ({v!r}) in JSON")
    return v


def _checkpoint(point: str) -> None:
    """Does nothing. The kill tests replace it to stop a write at a named point:
    'staged', 'manifest', 'moved' (after each file), 'removed', 'done'."""


def prepare(out: str | Path, command: str, overwrite: bool = False,
            names: tuple[str, ...] = ()) -> dict | None:
    """Check before a write that `out` can take `command`'s output (files `names` among
    it), and clean stale staging beside it. Returns the folder's manifest (None: none).
    ClusterlabError when `out` is not a folder, its manifest is unreadable, or it holds
    another command's output or files of the user's in the way (unless overwrite)."""
    out = Path(out)
    clean_stale(out)
    if out.exists() and not out.is_dir():
        raise ClusterlabError(f"{out}: exists and is not a folder")
    manifest = read_manifest(out)
    if manifest and manifest["command"] != command and not overwrite:
        raise ClusterlabError(f"{out}: holds the output of `clusterlab {manifest['command']}`; "
                              f"choose another output folder or give --overwrite")
    if out.is_dir():
        _check_way(out, list(names), set(manifest["files"] if manifest else ()), overwrite)
    return manifest


@contextmanager
def staged(out: str | Path, command: str, overwrite: bool = False) -> Iterator[Path]:
    """Yield a staging folder beside `out`. If the block succeeds, its files are merged into
    `out` by the rule of this module; if it fails, `out` is untouched. A file in the way that
    clusterlab did not write is refused (ClusterlabError) unless overwrite."""
    out = Path(out)
    prepare(out, command, overwrite)
    with _scratch(out, "cannot create output folder") as tmp:
        yield tmp
        mask = os.umask(0o022)
        os.umask(mask)
        os.chmod(tmp, 0o777 & ~mask)  # an ordinary folder (mkdtemp makes it private)
        try:
            _merge(tmp, out, command, overwrite)
        except OSError as exc:
            raise ClusterlabError(f"{out}: cannot write ({exc.strerror})") from None


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


def read_manifest(out: str | Path) -> dict | None:
    """The manifest of folder `out` (None: none). ClusterlabError when it is not ours or
    lists a path outside the folder."""
    f = Path(out) / MANIFEST
    if not f.is_file():
        return None
    fix = f"delete it to make every file in {out} count as yours"
    try:
        data = json.loads(f.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ClusterlabError(f"{f}: not a readable clusterlab manifest ({exc}); {fix}") from None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, list) or not isinstance(data.get("command"), str):
        raise ClusterlabError(f"{f}: expected keys 'command' (text) and 'files' (a list); {fix}")
    for name in files:
        if not _inside(name):
            raise ClusterlabError(f"{f}: key 'files': {name!r} is not a relative path inside "
                                  f"the folder; {fix}")
    return data


def clean_stale(beside: str | Path) -> list[Path]:
    """Remove the staging folders beside `beside` that killed processes left; return them."""
    beside = Path(beside).resolve()
    pattern = re.compile(re.escape(f".{beside.name}{STAGING}") + r"(\d+)-\w+")
    try:
        entries = list(beside.parent.iterdir())
    except OSError:
        return []
    removed = []
    for p in entries:
        m = pattern.fullmatch(p.name)
        if not m or p.is_symlink() or not p.is_dir() or _alive(int(m[1])):
            continue
        fd = _lock(p)
        if fd is None:
            continue  # a live writer holds it (another pid namespace)
        try:
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
        finally:
            os.close(fd)
    return removed


# ---------------------------------------------------------------------------------------------


def _inside(name) -> bool:
    """A plain relative path with no '..' (a manifest entry we may delete)."""
    if not isinstance(name, str) or not name or "\\" in name or "\0" in name:
        return False
    parts = name.split("/")
    return not name.startswith("/") and all(p not in ("", ".", "..") for p in parts) and name != MANIFEST


def _files(folder: Path) -> list[str]:
    """Relative paths (with /) of the regular files under `folder`."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and not p.is_symlink())


def _merge(tmp: Path, out: Path, command: str, overwrite: bool) -> None:
    new = _files(tmp)
    if not out.exists():  # a new folder: the staging folder, with its manifest, becomes it
        _write_manifest(tmp, new, command, complete=True)
        _checkpoint("staged")
        try:
            os.replace(tmp, out)
            _checkpoint("done")
            return
        except OSError:
            if not out.is_dir():
                raise
            (tmp / MANIFEST).unlink()  # another write created it meanwhile: merge into it
    fd = _lock(out, wait=True)  # one merge into a folder at a time
    try:
        _merge_into(tmp, out, new, command, overwrite)
    finally:
        if fd is not None:
            os.close(fd)


def _merge_into(tmp: Path, out: Path, new: list[str], command: str, overwrite: bool) -> None:
    old = set((read_manifest(out) or {"files": []})["files"])
    _check_way(out, new, old, overwrite)
    _checkpoint("staged")
    _write_manifest(out, sorted(old | set(new)), command, complete=False, via=tmp)
    _checkpoint("manifest")
    for name in new:
        target = out / name
        _make_parents(out, target.parent)
        os.replace(tmp / name, target)
        _checkpoint("moved")
    for name in sorted(old - set(new)):
        _remove(out, name)
    _checkpoint("removed")
    _write_manifest(out, new, command, complete=True, via=tmp)
    _checkpoint("done")


def _check_way(out: Path, new: list[str], old: set[str], overwrite: bool) -> None:
    """Refuse when a file clusterlab did not write is in the way of a new one (unless
    overwrite), and always when a folder is where a file goes."""
    theirs = []
    for name in new:
        parts = name.split("/")
        for i in range(1, len(parts) + 1):
            rel = "/".join(parts[:i])
            p = out / rel
            if not (p.exists() or p.is_symlink()):
                break
            last = i == len(parts)
            if not last and p.is_dir():
                continue  # a folder (or a link to one) on the way: merged into
            if last and p.is_dir() and not p.is_symlink():
                raise ClusterlabError(f"{p}: is a folder where clusterlab writes a file; "
                                      f"move it or choose another output folder")
            if rel not in old and not overwrite and p not in theirs:
                theirs.append(p)
            break
    if theirs:
        more = f" (and {len(theirs) - 1} more)" if len(theirs) > 1 else ""
        raise ClusterlabError(f"{theirs[0]}{more}: not written by clusterlab, would be overwritten; "
                              f"move it, choose another output folder, or give --overwrite")


def _make_parents(out: Path, folder: Path) -> None:
    """Create `folder` inside `out`; a file in its way was cleared by _check_way, so remove it."""
    for p in reversed([folder, *folder.parents]):
        if p == out or out not in p.parents or p.is_dir():
            continue
        if p.is_symlink() or p.exists():
            p.unlink()
        p.mkdir()


def _remove(out: Path, name: str) -> None:
    """Remove one file clusterlab wrote, and the folders it leaves empty (never a folder's
    contents)."""
    p = out / name
    if p.is_symlink() or p.is_file():
        p.unlink()
    for parent in p.parents:
        if parent == out or out not in parent.parents:
            break
        try:
            parent.rmdir()
        except OSError:
            break


def _write_manifest(out: Path, files: list[str], command: str, complete: bool,
                    via: Path | None = None) -> None:
    """Write the manifest of `out` atomically (through `via`, a folder on the same disk)."""
    from . import __version__

    data = {"written_by": f"clusterlab {__version__}", "command": command,
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "complete": complete, "files": files}
    text = json.dumps(data, indent=1) + "\n"
    scratch = (via or out) / (MANIFEST + ".next")
    scratch.write_text(text, encoding="utf-8")
    os.replace(scratch, out / MANIFEST)


@contextmanager
def _scratch(beside: Path, failure: str) -> Iterator[Path]:
    """A private staging folder in the folder of `beside` (created if missing; the same
    file system, so renames from it are atomic), locked while in use, removed afterwards.
    Stale staging folders of killed processes beside it are removed first."""
    beside = beside.resolve()
    parent = beside.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        clean_stale(beside)
        tmp = Path(tempfile.mkdtemp(prefix=f".{beside.name}{STAGING}{os.getpid()}-", dir=parent))
    except OSError as exc:
        raise ClusterlabError(f"{beside}: {failure} ({exc.strerror})") from None
    fd = _lock(tmp)
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if fd is not None:
            os.close(fd)


def _lock(folder: Path, wait: bool = False) -> int | None:
    """An open descriptor of `folder` holding its exclusive lock (waiting for it if `wait`);
    None if another process holds it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return None
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return None
    return fd


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, not ours to signal
    return True

"""The resumable run store: one folder per experiment, one Parquet part per table per run.

Layout of a store folder::

    manifest.json                 {"store": "clusterlab-experiment", name, created, clusterlab, tables}
    <name>.json                   documents kept with `save_json`, e.g. experiment.json
    parts/<table>/<key>.parquet   one part per table per run; every row has `run` and the meta columns
    done/<key>.json               the run's marker: meta and its tables, written LAST
    failed/<key>.json             a run that raised: meta and error (not done; a rerun retries it)

The done-ness rule: **a run is done exactly when `done/<key>.json` exists.** Every file is
written to a temp file in its own folder (`.<name>.tmp-<pid>-<random>`), fsynced, then
renamed into place with `os.replace` (atomic), so a file that exists under its real name is
complete. `write` places all of a run's parts first and its marker last, so a marker
implies all its parts. A kill -9 (or power cut) at any point leaves at most: temp files
(never read, removed by `clean`), and parts of the run in progress without a marker
(orphans: never read, since reads take only the parts of done runs, and overwritten in
place when the run is written again). Parts are named by the run key, so writing a run
twice replaces rather than duplicates it. Resuming = run every key `has` says is missing.

Memory is bounded: nothing is held for the whole experiment; `read` and `query` go through
DuckDB over the Parquet files. The folder follows the output-folder rule of `outdir.py`
in spirit: the store writes only its own files, `clean` removes only its own temp files
of dead processes, and a non-empty folder that is not a store is refused.

`run_key` hashes the fully resolved scenario and the seed; see its docstring.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import ClusterlabError
from ..outdir import json_safe

try:
    import fcntl
except ImportError:  # not on Windows: the manifest update is then unlocked
    fcntl = None

KIND = "clusterlab-experiment"
MANIFEST = "manifest.json"
_TEMP = re.compile(r"\.(.+)\.tmp-(\d+)-[0-9a-f]{8}")
_TABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _checkpoint(point: str) -> None:
    """Does nothing. The kill tests replace it to stop a write at a named point: 'temp'
    (a part in its temp file, not renamed), 'part' (a part in place), 'done' (marker in place)."""


def canonical(scenario_dict: dict, seed: int) -> str:
    """The canonical JSON text `run_key` hashes: `{"scenario": ..., "seed": ...}` with keys
    sorted at every level, no whitespace (separators "," and ":"), UTF-8 text kept as is,
    numpy values as Python ones, tuples as lists, floats by Python's `repr` (the shortest
    text that reads back to the same double, so exact). 1 and 1.0 and true stay distinct."""
    data = {"scenario": scenario_dict, "seed": int(seed)}
    try:  # fast path: the encoder walks the dict once; numpy values through the hook
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False, default=_plain)
    except (TypeError, ValueError):  # the slow path names the bad value
        data["scenario"] = json_safe(scenario_dict, strict=True)
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False)


def _plain(v):
    """numpy values as Python ones for `canonical` (json_safe's rules for these types)."""
    if isinstance(v, (np.ndarray, np.generic)):
        return json_safe(v, strict=True)
    raise TypeError(f"cannot represent a {type(v).__name__} ({v!r}) in JSON")


def run_key(scenario_dict: dict, seed: int) -> str:
    """A run's key: the first 20 hex digits (80 bits) of the SHA-256 of `canonical(...)`.
    The same in any process (no use of Python's `hash`); any changed value changes it."""
    return hashlib.sha256(canonical(scenario_dict, seed).encode("utf-8")).hexdigest()[:20]


def _temp_for(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _atomic(path: Path, write, durable: bool = True) -> None:
    """Write `path` all or nothing: `write(temp)`, fsync, rename over `path`, fsync the folder
    (durable=False: no fsyncs; still whole after kill -9, not after a power cut)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_for(path)
    try:
        write(tmp)
        if durable:
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        if path.suffix == ".parquet":
            _checkpoint("temp")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if durable:
        _fsync_dir(path.parent)


def _write_json(path: Path, data: dict, durable: bool = True) -> None:
    text = json.dumps(data, indent=1, allow_nan=False) + "\n"
    _atomic(path, lambda p: p.write_text(text, encoding="utf-8"), durable)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Store:
    """An experiment's run store in `folder` (created when missing or empty; see the module).

    durable=False skips the fsyncs (about 16 of a write's 19 ms on a test machine): files
    stay whole after a kill -9, since renames are atomic, but a power cut may lose recent
    runs' data under their names. Keep the default for real experiments."""

    def __init__(self, folder: str | Path, name: str | None = None, durable: bool = True):
        self.folder = Path(folder)
        self.durable = durable
        f = self.folder / MANIFEST
        if self.folder.exists() and not self.folder.is_dir():
            raise ClusterlabError(f"{self.folder}: exists and is not a folder")
        if f.is_file():
            try:
                data = json.loads(f.read_text(encoding="utf-8"))
                ok = isinstance(data, dict) and data.get("store") == KIND
            except (OSError, ValueError):
                ok = False
            if not ok:
                raise ClusterlabError(f"{f}: not a clusterlab experiment store manifest; "
                                      f"choose a new or empty folder")
            self.manifest = data
            return
        theirs = [p for p in self.folder.iterdir() if not _TEMP.fullmatch(p.name)] \
            if self.folder.is_dir() else []
        if theirs:
            raise ClusterlabError(f"{self.folder}: not empty and not a clusterlab experiment "
                                  f"store (no {MANIFEST}); choose a new or empty folder")
        from .. import __version__

        self.manifest = {"store": KIND, "name": name or self.folder.resolve().name,
                         "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                         "clusterlab": __version__, "tables": []}
        try:
            _write_json(f, self.manifest)
        except OSError as exc:
            raise ClusterlabError(f"{self.folder}: cannot create store ({exc.strerror})") from None

    # -- runs ---------------------------------------------------------------------------
    def has(self, key: str) -> bool:
        """Whether run `key` is done (its marker exists)."""
        return (self.folder / "done" / f"{key}.json").is_file()

    def keys(self) -> list[str]:
        """The keys of the done runs, sorted."""
        return self._stems("done")

    def failed(self) -> pd.DataFrame:
        """The failed runs not done since: run, the meta columns, error."""
        rows = []
        for key in self._stems("failed"):
            if not self.has(key):
                data = json.loads((self.folder / "failed" / f"{key}.json").read_text("utf-8"))
                rows.append({"run": key, **data["meta"], "error": data["error"]})
        return pd.DataFrame(rows)

    def tables(self) -> list[str]:
        """The table names with at least one part (done or not)."""
        parts = self.folder / "parts"
        return sorted(p.name for p in parts.iterdir() if p.is_dir()) if parts.is_dir() else []

    def write(self, key: str, tables: dict[str, pd.DataFrame], meta: dict) -> None:
        """Record run `key` as done: one Parquet part per table, each row with `run` = key
        and the `meta` values as columns (scalars), then the run's marker (last)."""
        meta = json_safe(meta, strict=True)
        for table, df in tables.items():
            if not _TABLE.fullmatch(table):
                raise ValueError(f"table name {table!r}: letters, digits and _ only")
            clash = {"run", *meta} & set(df.columns)
            if clash:
                raise ValueError(f"table {table!r}: columns {sorted(clash)} clash with run/meta")
        self._note_tables(tables)
        for table, df in tables.items():
            df = df.reset_index(drop=True).assign(**meta)
            df.insert(0, "run", key)
            t = pa.Table.from_pandas(df, preserve_index=False)
            _atomic(self.folder / "parts" / table / f"{key}.parquet",
                    lambda p, t=t: pq.write_table(t, p), self.durable)
            _checkpoint("part")
        _write_json(self.folder / "done" / f"{key}.json",
                    {"run": key, "meta": meta, "tables": sorted(tables),
                     "time": time.strftime("%Y-%m-%dT%H:%M:%S%z")}, self.durable)
        _checkpoint("done")
        (self.folder / "failed" / f"{key}.json").unlink(missing_ok=True)

    def fail(self, key: str, meta: dict, error_text: str) -> None:
        """Record that run `key` raised `error_text`. It is not done: a rerun retries it."""
        _write_json(self.folder / "failed" / f"{key}.json",
                    {"run": key, "meta": json_safe(meta, strict=True), "error": str(error_text),
                     "time": time.strftime("%Y-%m-%dT%H:%M:%S%z")}, self.durable)

    def clean(self) -> list[Path]:
        """Remove the temp files that killed writers left (only the store's own temp name
        pattern, only of processes that are gone); return them."""
        removed = []
        for sub in [self.folder, *(self.folder / d for d in ("done", "failed")),
                    *(self.folder / "parts" / t for t in self.tables())]:
            if not sub.is_dir():
                continue
            for p in sub.iterdir():
                m = _TEMP.fullmatch(p.name)
                if m and p.is_file() and not p.is_symlink() and not _alive(int(m[2])):
                    p.unlink()
                    removed.append(p)
        return removed

    def save_json(self, name: str, data: dict) -> None:
        """Keep a JSON document `name` (letters, digits, _) beside the runs, e.g. the
        experiment as resolved ("experiment"), written atomically as `<name>.json`."""
        if not _TABLE.fullmatch(name) or name == "manifest":
            raise ValueError(f"document name {name!r}: letters, digits and _ only, not 'manifest'")
        _write_json(self.folder / f"{name}.json", json_safe(data, strict=True), self.durable)

    def load_json(self, name: str) -> dict | None:
        """The JSON document `name` kept by `save_json`, or None."""
        f = self.folder / f"{name}.json"
        return json.loads(f.read_text(encoding="utf-8")) if f.is_file() else None

    # -- reading ------------------------------------------------------------------------
    def files(self, table: str) -> list[str]:
        """The parts of `table` of done runs (orphans of unfinished runs left out)."""
        folder = self.folder / "parts" / table
        return [str(folder / f"{k}.parquet") for k in self.keys()
                if (folder / f"{k}.parquet").is_file()]

    def query(self, sql: str) -> pd.DataFrame:
        """Run DuckDB SQL with one view per table over the parts of its done runs."""
        con = self._connect()
        try:
            return con.execute(sql).df()
        finally:
            con.close()

    def read(self, table: str, columns: list[str] | None = None,
             where: str | None = None) -> pd.DataFrame:
        """Rows of `table` over the done runs: `columns` (all: None) where the SQL condition
        `where` holds."""
        if table not in self.tables():
            raise ClusterlabError(f"{self.folder}: no table {table!r} "
                                  f"(tables: {', '.join(self.tables()) or 'none'})")
        cols = ", ".join('"' + c.replace('"', '""') + '"' for c in columns) if columns else "*"
        return self.query(f"SELECT {cols} FROM {table}" + (f" WHERE {where}" if where else ""))

    def _connect(self):
        try:
            import duckdb
        except ImportError:
            raise ClusterlabError("reading an experiment store needs duckdb: "
                                  "pip install 'clusterlab[experiments]'") from None
        con = duckdb.connect()
        for table in self.tables():
            files = self.files(table)
            if files:
                listing = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
                con.execute(f"CREATE VIEW {table} AS SELECT * FROM "
                            f"read_parquet([{listing}], union_by_name=true)")
        return con

    def _stems(self, sub: str) -> list[str]:
        folder = self.folder / sub
        return sorted(p.name[:-5] for p in folder.iterdir()
                      if p.name.endswith(".json") and not p.name.startswith(".")) \
            if folder.is_dir() else []

    def _note_tables(self, tables) -> None:
        """Add new table names to the manifest (under a lock: workers may write at once)."""
        if set(tables) <= set(self.manifest["tables"]):
            return
        fd = os.open(self.folder, os.O_RDONLY)
        try:
            if fcntl:
                fcntl.flock(fd, fcntl.LOCK_EX)
            data = json.loads((self.folder / MANIFEST).read_text(encoding="utf-8"))
            data["tables"] = sorted(set(data["tables"]) | set(tables))
            _write_json(self.folder / MANIFEST, data)
            self.manifest = data
        finally:
            os.close(fd)

"""Summaries of an experiment store: tidy tables of arm means, paired comparisons, time-series
bands, design-point means and sensitivity indices, as text and CSV.

Everything that scales with the number of runs is aggregated by DuckDB over the Parquet
parts (counts, means and standard deviations per group in one query per table); pandas only
sees one row per group, plus, for the paired comparisons, one value per arm, replication and
outcome. The statistics follow `stats.py` (t CIs, paired t, Wilcoxon, Holm); non-finite
values count as missing, as NaN does there.

What the summary needs to know of the experiment is read from the store's `layout.json`
(`results.layout`: arm names, control, outcome names, comparisons, design keys, SALib
problem, and the current run keys, so runs of points an edited experiment file no longer
has are left out); every key is optional: without it, outcome columns are the numeric non-meta columns, arms are
sorted by name, the control is the first arm, and comparisons are every arm against it.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ClusterlabError, ClusterlabWarning
from ..scenario import did_you_mean
from . import sensitivity as sens
from .stats import _check_level, _tcrit, adjust, paired

__all__ = ["Summary", "summarize"]

META = ("run", "arm", "point", "replication", "seed")


def _q(name: str) -> str:
    """A DuckDB identifier, quoted (design keys have dots)."""
    return '"' + str(name).replace('"', '""') + '"'


def _lit(value) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _clean(col: str) -> str:
    """The column as DOUBLE with NaN and infinities as NULL (missing, as in stats.py)."""
    x = f"CAST({_q(col)} AS DOUBLE)"
    return f"(CASE WHEN isfinite({x}) THEN {x} END)"


@dataclass
class Summary:
    """The summary of an experiment store. DataFrames (empty when not applicable):

    - ``arms``: outcome, arm, n, n_missing, mean, sd, se, ci_low, ci_high
    - ``comparisons``: outcome, arm, control, n (pairs), n_unmatched, mean_control, mean_arm,
      mean_diff (arm - control), sd_diff, ci_low, ci_high, d_z, g_z, p_t, p_wilcoxon,
      p_t_holm, p_wilcoxon_holm (Holm over all rows = the family), variance_reduction, note
    - ``bands``: arm, column, step, n, mean, sd, ci_low, ci_high (time series per arm)
    - ``points``: point, the design keys, n (runs), one mean per outcome (designs)
    - ``sensitivity``: outcome, method, parameter and the index columns of `sensitivity.py`
    """

    experiment: dict
    level: float
    runs: int
    failed: int
    outcomes: list[str]
    arms: pd.DataFrame
    comparisons: pd.DataFrame
    bands: pd.DataFrame
    points: pd.DataFrame
    sensitivity: pd.DataFrame
    warnings: list[str] = field(default_factory=list)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The non-empty tables by name (arms, comparisons, bands, points, sensitivity)."""
        all_ = {"arms": self.arms, "comparisons": self.comparisons, "bands": self.bands,
                "points": self.points, "sensitivity": self.sensitivity}
        return {k: v for k, v in all_.items() if v is not None and len(v)}

    def write(self, folder: str | Path) -> list[Path]:
        """Write each non-empty table as `<name>.csv` into `folder` (created); return paths."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for name, df in self.tables().items():
            p = folder / f"{name}.csv"
            df.to_csv(p, index=False)
            paths.append(p)
        if self.warnings:
            p = folder / "warnings.txt"
            p.write_text("\n".join(self.warnings) + "\n", encoding="utf-8")
            paths.append(p)
        return paths

    def text(self) -> str:
        """A short plain-text report for the terminal."""
        return "\n".join(_text(self))

    def __str__(self) -> str:
        return self.text()


# -- formatting ---------------------------------------------------------------------------------

def fmt(x, signed: bool = False) -> str:
    """A number in 3 significant digits ('n/a' for NaN)."""
    if x is None or not np.isfinite(x):
        return "n/a"
    return f"{x:+.3g}" if signed else f"{x:.3g}"


def fmt_p(p) -> str:
    """A p-value: 'p<0.001', 'p=0.012' or 'p=n/a'."""
    if p is None or not np.isfinite(p):
        return "p=n/a"
    return "p<0.001" if p < 0.001 else f"p={p:.3f}" if p < 0.1 else f"p={p:.2f}"


def comparison_sentence(row, level: float = 0.95) -> str:
    """'sme_intl: org vs none +0.26 (95% CI 0.22 to 0.30), d_z 1.9, paired t p=..., Holm-adjusted
    p=...; Wilcoxon p=... (Holm p=...), 20 pairs' for one row of Summary.comparisons."""
    pct = f"{100 * level:g}%"
    s = (f"{row['outcome']}: {row['arm']} vs {row['control']} {fmt(row['mean_diff'], True)} "
         f"({pct} CI {fmt(row['ci_low'])} to {fmt(row['ci_high'])}), d_z {fmt(row['d_z'])}, "
         f"paired t {fmt_p(row['p_t'])}, Holm-adjusted {fmt_p(row['p_t_holm'])}; "
         f"Wilcoxon {fmt_p(row['p_wilcoxon'])} (Holm {fmt_p(row['p_wilcoxon_holm'])}); "
         f"{int(row['n'])} pairs")
    vr = row.get("variance_reduction")
    if vr is not None and np.isfinite(vr):  # var(paired diff) / var(unpaired diff): CRN's gain
        s += f" (CRN: difference variance x{fmt(vr)} of independent seeds')"
    if row.get("n_unmatched"):
        s += f", {int(row['n_unmatched'])} unpaired replications dropped"
    return s + (f" [{row['note']}]" if row.get("note") else "")


def describe_run(s: Summary) -> str:
    """One line: what was run."""
    e = s.experiment
    kind = e.get("kind") or "arms"
    what = kind if not e.get("method") else f"{kind}: {e['method']}"
    parts = [f"{s.runs} runs done", f"{s.failed} failed"]
    if e.get("replications"):
        parts.insert(0, f"{e['replications']} replications")
    if e.get("seed") is not None:
        parts.insert(1 if e.get("replications") else 0, f"seed {e['seed']}")
    return f"Experiment {e.get('name') or '(unnamed)'} ({what}); " + ", ".join(parts)


def _text(s: Summary) -> list[str]:
    pct = f"{100 * s.level:g}%"
    out = [describe_run(s)]
    design = s.experiment.get("kind") == "design"
    if len(s.arms) and (not design or len(s.points) <= 10):
        head = "Means per design point" if design else "Means per arm"
        out += ["", f"{head} ({pct} CI):"]
        w = max(len(str(a)) for a in s.arms["arm"])
        for outcome, g in s.arms.groupby("outcome", sort=False):
            out.append(f"  {outcome}")
            for _, r in g.iterrows():
                out.append(f"    {r['arm']!s:<{w}}  {fmt(r['mean']):>9}  "
                           f"[{fmt(r['ci_low'])}, {fmt(r['ci_high'])}]  n={int(r['n'])}")
    if len(s.comparisons):
        m = int(s.comparisons["p_t"].notna().sum())
        out += ["", (f"Comparisons (paired by replication: common random numbers; "
                    f"Holm adjustment over the {m} comparisons):")]
        out += ["  " + comparison_sentence(r, s.level) for _, r in s.comparisons.iterrows()]
    if len(s.points) and not len(s.sensitivity):
        out += ["", f"{len(s.points)} design points (means per point: points.csv)"]
    if len(s.sensitivity):
        out += ["", "Sensitivity (on the means over replications per point):"]
        for (outcome, method), g in s.sensitivity.groupby(["outcome", "method"], sort=False):
            out.append(f"  {outcome} ({method})")
            for _, r in g.iterrows():
                if method == "sobol":
                    out.append(f"    {r['parameter']}: S1 {fmt(r['S1'])} +- {fmt(r['S1_conf'])}, "
                               f"ST {fmt(r['ST'])} +- {fmt(r['ST_conf'])}")
                else:
                    out.append(f"    {r['parameter']}: mu* {fmt(r['mu_star'])} +- "
                               f"{fmt(r['mu_star_conf'])}, mu {fmt(r['mu'])}, "
                               f"sigma {fmt(r['sigma'])}")
    if s.warnings:
        out += ["", "Warnings:"] + [f"  - {w}" for w in s.warnings]
    return out


# -- reading ------------------------------------------------------------------------------------

def _names(spec) -> tuple[list[str] | None, list[str] | None]:
    """(scalar outcome names, time-series columns) from the experiment's `outcomes` entry,
    whatever its shape (list of names, or dict with values/scalars and timeseries)."""
    if isinstance(spec, dict):
        vals = spec.get("values", spec.get("scalars"))
        ts = spec.get("timeseries")
        vals = list(vals) if isinstance(vals, (list, dict)) else None
        return vals, (list(ts) if isinstance(ts, (list, tuple)) else None)
    if isinstance(spec, (list, tuple)):
        return [str(x) for x in spec], None
    return None, None


def _design_keys(exp: dict, columns: list[str]) -> list[str]:
    keys: list[str] = []
    problem = exp.get("problem") or {}
    design = exp.get("design") if isinstance(exp.get("design"), dict) else {}
    for src in (problem.get("names"), exp.get("keys"), design.get("keys"), exp.get("design_keys")):
        if isinstance(src, (list, dict)):
            keys += [k for k in src if k not in keys]
    if not keys and (exp.get("kind") == "design"):
        keys = [c for c in columns if "." in c]
    return [k for k in keys if k in columns]


def _numeric(con, table: str) -> dict[str, str]:
    rows = con.execute(f"DESCRIBE SELECT * FROM {table}").fetchall()
    return {r[0]: r[1] for r in rows}


_NUM = ("DOUBLE", "FLOAT", "INTEGER", "BIGINT", "SMALLINT", "TINYINT", "HUGEINT", "DECIMAL",
        "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT")


def _is_num(t: str) -> bool:
    return t.upper().startswith(_NUM)


def _pick(wanted, available: list[str], what: str, store) -> list[str]:
    for w in wanted:
        if w not in available:
            raise ClusterlabError(f"{store.folder}: no {what} {w!r}{did_you_mean(w, available)}")
    return list(wanted)


def _grouped(con, table: str, by: list[str], cols: list[str], where: str, level: float,
             name: str = "outcome") -> pd.DataFrame:
    """n, n_missing, mean, sd, se, CI of each of `cols` per group of `by`, aggregated in DuckDB;
    long: by..., `name`, statistics."""
    if not cols:
        return pd.DataFrame()
    sel = ["count(*) AS _size"]
    for i, c in enumerate(cols):
        e = _clean(c)
        sel += [f"count({e}) AS n{i}", f"avg({e}) AS m{i}", f"stddev_samp({e}) AS s{i}"]
    gb = ", ".join(_q(b) for b in by)
    df = con.execute(f"SELECT {gb}, {', '.join(sel)} FROM {table} {where} "
                     f"GROUP BY {gb} ORDER BY {gb}").df()
    parts = []
    for i, c in enumerate(cols):
        n = df[f"n{i}"].to_numpy(float)
        sd = df[f"s{i}"].to_numpy(float)
        se = sd / np.sqrt(np.where(n > 0, n, np.nan))
        half = _tcrit(level, n - 1) * se
        m = df[f"m{i}"].to_numpy(float)
        part = df[by].copy()
        part.insert(len(by), name, c)
        part = part.assign(n=n.astype(int), n_missing=(df["_size"] - n).astype(int), mean=m,
                           sd=sd, se=se, ci_low=m - half, ci_high=m + half)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _files(store, table: str, keys: list[str]) -> list[str]:
    """`Store.files(table)` with one directory listing instead of a stat per run."""
    folder = store.folder / "parts" / table
    try:
        there = set(os.listdir(folder))
    except OSError:
        return []
    return [str(folder / f"{k}.parquet") for k in keys if f"{k}.parquet" in there]


def _open(store, names: dict, runs=None):
    """A DuckDB connection with `outcomes` (one row per run) as a temp table and
    `timeseries` as a view, over the parts of done runs (`Store.files`).

    Uniting the parts' schemas by name (DuckDB's union_by_name) reads every part's footer
    first, which made a pass over 10,000 small parts several times slower; so a table is
    read with its first part's schema when the experiment names the table's columns
    (`names[table]`: the scalar outcomes, the kept time-series columns, the same for every
    run) and the first part has them all. Otherwise, or when a later part lacks a column
    (DuckDB raises), the parts are united by name: never a silently dropped column of a
    named outcome."""
    try:
        import duckdb
    except ImportError:
        raise ClusterlabError("reading an experiment store needs duckdb: "
                              "pip install 'clusterlab[experiments]'") from None
    con = duckdb.connect()
    keys = store.keys()
    if runs is not None:  # only the experiment's current runs
        current = set(runs)
        keys = [k for k in keys if k in current]
    listings = {}
    for table in ("outcomes", "timeseries"):
        files = _files(store, table, keys)
        if not files:
            continue
        listings[table] = "[" + ", ".join(_lit(f) for f in files) + "]"
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet({listings[table]})")
        want = names.get(table)
        if not want or not set(want) <= set(_numeric(con, table)):
            _unite(con, table, listings)
    return con, listings


def _unite(con, table: str, listings: dict) -> None:
    con.execute(f"CREATE OR REPLACE VIEW {table} AS SELECT * FROM "
                f"read_parquet({listings[table]}, union_by_name=true)")


def _materialise(con, listings) -> None:
    """Read `outcomes` once into a temp table (small: one row per run); queried often."""
    import duckdb

    try:
        con.execute("CREATE TEMP TABLE _outcomes AS SELECT * FROM outcomes")
    except duckdb.Error:  # a part lacks a column of the first one
        _unite(con, "outcomes", listings)
        con.execute("CREATE TEMP TABLE _outcomes AS SELECT * FROM outcomes")
    con.execute("DROP VIEW outcomes")
    con.execute("ALTER TABLE _outcomes RENAME TO outcomes")


def _united(con, listings, run):
    """run(con); if the timeseries parts' schemas differ (DuckDB raises), again with them
    united by name."""
    import duckdb

    try:
        return run(con)
    except duckdb.Error:
        _unite(con, "timeseries", listings)
        return run(con)


def _has(con, table: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ? UNION ALL "
                            "SELECT count(*) FROM duckdb_views() WHERE view_name = ?",
                            [table, table]).df().iloc[:, 0].sum())


def summarize(store, *, arms=None, outcomes=None, where: str | None = None,
              level: float = 0.95, sensitivity: bool = True, num_resamples: int = 1000) -> Summary:
    """Summarise the done runs of `store` (a Store): see `Summary` for the tables.

    arms: only these arms (default: all, in the experiment's order); outcomes: only these
    scalar outcomes (default: all); where: an SQL condition on the meta columns applied to
    every table (e.g. "replication < 10"); level: of every CI. Comparisons pair arm and
    control on `replication` (common random numbers); replications present in only one of the
    two are dropped and counted (n_unmatched). Holm's adjustment runs over all comparisons
    of the summary (the family). Sensitivity indices (design method sobol or morris) use the
    means over replications per point, in `point` order (see sensitivity.py)."""
    level = _check_level(level)
    exp = store.load_json("layout") or {}
    said: list[str] = []
    values, ts_cols = _names(exp.get("outcomes"))
    con, listings = _open(store, {"outcomes": values, "timeseries": ts_cols}, exp.get("runs"))
    import duckdb

    try:
        return _summarize(store, con, listings, exp, arms, outcomes, where, level, sensitivity,
                          num_resamples, said)
    except duckdb.Error as exc:  # most likely the user's `where`: one line, no traceback
        raise ClusterlabError(sql_error(exc, where, store)) from None
    finally:
        con.close()


def sql_error(exc: Exception, where: str | None, store) -> str:
    """One line for a DuckDB error: the condition given (or the store) and DuckDB's message."""
    msg = " ".join(str(exc).split("LINE 1:")[0].split())
    return f"--where {where!r}: {msg}" if where else f"{store.folder}: {msg}"


def _summarize(store, con, listings, exp, arms, outcomes, where, level, do_sens, num_resamples, said):
    n_failed = len(store.failed())
    if n_failed:
        said.append(f"{n_failed} failed runs are not in the summary (a rerun retries them)")
    cond = [f"({where})"] if where else []
    empty = pd.DataFrame()
    if not _has(con, "outcomes"):
        return Summary(exp, level, 0, n_failed, [], empty, empty, empty, empty, empty,
                       said + ["no finished runs with outcomes in the store"])
    _materialise(con, listings)
    types = _numeric(con, "outcomes")
    keys = _design_keys(exp, list(types))
    scalars, ts_cols = _names(exp.get("outcomes"))
    avail = [c for c, t in types.items() if c not in META and c not in keys and _is_num(t)]
    if scalars is not None:
        avail = [c for c in scalars if c in types] + [c for c in avail if c not in scalars]
    names = _pick(outcomes, avail, "outcome", store) if outcomes is not None else avail

    all_arms = con.execute("SELECT DISTINCT arm FROM outcomes" + (f" WHERE {where}" if where else "")
                           ).df()["arm"].astype(str).tolist() if "arm" in types else []
    order = [str(a) for a in exp.get("arms") or [] if str(a) in all_arms]
    order += sorted(a for a in all_arms if a not in order)
    if arms is not None:
        order = _pick([str(a) for a in arms], order, "arm", store)
        cond.append(f"arm IN ({', '.join(_lit(a) for a in order)})")
    wsql = ("WHERE " + " AND ".join(cond)) if cond else ""
    runs = int(con.execute(f"SELECT count(*) FROM outcomes {wsql}").fetchone()[0])

    by_arm = empty
    if order:
        by_arm = _grouped(con, "outcomes", ["arm"], names, wsql, level)
        by_arm["arm"] = by_arm["arm"].astype(str)
        rank = {a: i for i, a in enumerate(order)}
        by_arm = by_arm.assign(_o=by_arm["outcome"].map({c: i for i, c in enumerate(names)}),
                               _a=by_arm["arm"].map(rank)).sort_values(["_o", "_a"]) \
            .drop(columns=["_o", "_a"]).reset_index(drop=True)
        by_arm = by_arm[["outcome", "arm", "n", "n_missing", "mean", "sd", "se", "ci_low",
                         "ci_high"]]
    comps = _comparisons(con, exp, order, names, wsql, level, said) if order else empty

    bands = empty
    if _has(con, "timeseries") and order:
        def run(con):
            tt = _numeric(con, "timeseries")
            cols = [c for c in (ts_cols or []) if c in tt]
            cols = cols or [c for c, t in tt.items()
                            if c not in META and c != "step" and c not in keys and _is_num(t)]
            return _grouped(con, "timeseries", ["arm", "step"], cols, wsql, level, name="column")

        bands = _united(con, listings, run)
        if len(bands):
            bands["arm"] = bands["arm"].astype(str)
            rank = {a: i for i, a in enumerate(order)}
            bands = bands[bands["arm"].isin(order)].assign(_a=bands["arm"].map(rank)) \
                .sort_values(["column", "_a", "step"], kind="stable")
            bands = bands[["arm", "column", "step", "n", "n_missing", "mean", "sd", "ci_low",
                           "ci_high"]].reset_index(drop=True)

    points = empty
    if (exp.get("kind") == "design" or keys) and "point" in types:
        sel = ", ".join([f"first({_q(k)}) AS {_q(k)}" for k in keys] + ["count(*) AS n"]
                        + [f"avg({_clean(c)}) AS {_q(c)}" for c in names])
        keys_, reps = exp.get("runs"), exp.get("replications")
        if isinstance(keys_, list) and isinstance(reps, int) and reps > 0 and len(keys_) % reps == 0:
            # points by the experiment's task order (point-major): two points that resolve to
            # the same scenario share their runs (the store keeps a run once, under one point)
            con.register("point_map", pd.DataFrame({"run": keys_, "point_": np.arange(len(keys_)) // reps}))
            points = con.execute(f"SELECT point_ AS point, {sel} FROM outcomes JOIN point_map USING (run) "
                                 f"{wsql} GROUP BY point_ ORDER BY point_").df()
        else:
            points = con.execute(f"SELECT point, {sel} FROM outcomes {wsql} "
                                 f"GROUP BY point ORDER BY point").df()
    sens_df = empty
    if do_sens and len(points) and exp.get("method") in ("sobol", "morris"):
        sens_df = _sensitivity(exp, points, names, keys, level, num_resamples, said)
    return Summary(exp, level, runs, n_failed, names, by_arm, comps, bands, points, sens_df, said)


def _comparisons(con, exp, order, names, wsql, level, said) -> pd.DataFrame:
    wanted = exp.get("comparisons")
    control = exp.get("control")
    if control is not None:
        control = str(control)
    if wanted:
        pairs = [(str(c["outcome"]), str(c["arm"]), str(c.get("control", control)))
                 for c in wanted]
        pairs = [p for p in pairs if p[0] in names and p[1] in order and p[2] in order]
    else:
        if exp.get("kind") == "design" or len(order) < 2:
            return pd.DataFrame()
        control = control if control in order else order[0]
        pairs = [(o, a, control) for o in names for a in order if a != control]
    if not pairs:
        return pd.DataFrame()
    need = sorted({p[0] for p in pairs})
    used = sorted({p[1] for p in pairs} | {p[2] for p in pairs})
    extra = f"arm IN ({', '.join(_lit(a) for a in used)})"
    w = f"{wsql} AND {extra}" if wsql else f"WHERE {extra}"
    df = con.execute("SELECT CAST(arm AS VARCHAR) AS arm, replication, "
                     + ", ".join(f"{_clean(c)} AS {_q(c)}" for c in need)
                     + f" FROM outcomes {w}").df()
    dup = df.duplicated(["arm", "replication"])
    if dup.any():
        said.append(f"{int(dup.sum())} runs share an (arm, replication) with another; "
                    f"their outcomes are averaged before pairing")
        df = df.groupby(["arm", "replication"], as_index=False)[need].mean()
    rows = []
    for outcome, arm, ctrl in pairs:
        wide = df.pivot(index="replication", columns="arm", values=outcome)
        a = wide[ctrl].to_numpy(float) if ctrl in wide else np.full(len(wide), np.nan)
        b = wide[arm].to_numpy(float) if arm in wide else np.full(len(wide), np.nan)
        has_a, has_b = ~np.isnan(a), ~np.isnan(b)
        both = has_a & has_b
        r = paired(a[both], b[both], level)
        rows.append({"outcome": outcome, "arm": arm, "control": ctrl, "n": r["n"],
                     "n_unmatched": int((has_a ^ has_b).sum()), "mean_control": r["mean_a"],
                     "mean_arm": r["mean_b"], "mean_diff": r["mean_diff"],
                     "sd_diff": r["sd_diff"], "ci_low": r["ci_low"], "ci_high": r["ci_high"],
                     "d_z": r["d_z"], "g_z": r["g_z"], "p_t": r["p_t"],
                     "p_wilcoxon": r["p_wilcoxon"],
                     "variance_reduction": r["variance_reduction"], "note": r["note"]})
    out = pd.DataFrame(rows)
    out.insert(out.columns.get_loc("p_wilcoxon") + 1, "p_t_holm", adjust(out["p_t"]))
    out.insert(out.columns.get_loc("p_t_holm") + 1, "p_wilcoxon_holm", adjust(out["p_wilcoxon"]))
    dropped = int(out["n_unmatched"].sum())
    if dropped:
        said.append(f"{dropped} unpaired replications (a run missing in one arm) were dropped "
                    f"from the comparisons")
    return out


def _sensitivity(exp, points, names, keys, level, num_resamples, said) -> pd.DataFrame:
    problem = exp.get("problem") or {}
    method = exp["method"]
    pnames = list(problem.get("names") or [])
    if not pnames or any(k not in points.columns for k in pnames):
        said.append(f"{method}: no SALib problem or design columns in the store; "
                    f"sensitivity indices skipped")
        return pd.DataFrame()
    d = len(pnames)
    step = d + 2 if method == "sobol" else d + 1
    expected = points["point"].to_numpy()
    if not np.array_equal(expected, np.arange(len(points))) or len(points) % step:
        said.append(f"{method}: the store has {len(points)} of the design's points (some runs "
                    f"missing or failed, or not a whole {method} sample); sensitivity indices "
                    f"skipped until they are all done")
        return pd.DataFrame()
    seed = exp.get("seed")
    seed = int(seed) if isinstance(seed, (int, float)) else 0
    parts = []
    for c in names:
        y = points[c].to_numpy(float)
        if not np.isfinite(y).all():
            said.append(f"{c}: {int((~np.isfinite(y)).sum())} design points have no value; "
                        f"its sensitivity indices are skipped")
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ClusterlabWarning)  # collected into said instead
            if method == "sobol":
                t, w = sens.sobol_indices(problem, y, level=level, num_resamples=num_resamples,
                                          seed=seed, label=c)
            else:
                t, w = sens.morris_indices(problem, points[pnames].to_numpy(float), y,
                                           levels=int(exp.get("levels") or 4), level=level,
                                           num_resamples=num_resamples, seed=seed, label=c)
        for text in w:
            warnings.warn(text, ClusterlabWarning, stacklevel=4)
        said += w
        t.insert(0, "method", method)
        t.insert(0, "outcome", c)
        parts.append(t)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()

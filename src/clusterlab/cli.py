"""The command line: `clusterlab run`, `default-scenario`, `validate`, `analyze`, `compare`,
`predict`, `calibrate`, `experiment`, `results`, `propositions`, `dashboard`.

User errors (bad scenario, missing file) print one line `error: ...` and exit with 2.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from .errors import ClusterlabError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Simulate and analyse knowledge sharing and innovation in SME clusters.")


def _version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"clusterlab {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="print the version and exit")] = False,
) -> None:
    """Simulate and analyse knowledge sharing and innovation in SME clusters."""
    _show_warnings()  # every command: clusterlab's warnings as one line each


def _fail(msg: str) -> None:
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(2)


def _show_warnings() -> None:
    """Print clusterlab's warnings as one line `warning: ...` on stderr (others as Python does)."""
    import warnings

    from .errors import ClusterlabWarning

    default = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, ClusterlabWarning):
            typer.echo(f"warning: {message}", err=True)
        else:
            default(message, category, filename, lineno, file, line)

    if getattr(warnings.showwarning, "__name__", "") != "show":
        warnings.showwarning = show


def _quote(path: Path) -> str:
    import json

    return json.dumps(str(path))


# the files each command always writes: checked before any work (the full check is at writing)
ALWAYS = {"run": ("timeseries.parquet", "actors.parquet", "scenario.toml", "summary.json"),
          "analyze": ("firms.csv", "firms.parquet", "summary.json", "report.html", "network.graphml",
                      "network.gexf"),
          "compare": ("actors.csv", "ties.csv", "coefficients.csv", "summary.json"),
          "predict": ("scores.csv", "dyads.csv", "summary.json", "report.html"),
          "calibrate": ("calibrated.toml", "estimates.csv", "convergence.json", "report.html")}


def _out_folder(out: Optional[Path], default: str, command: str, overwrite: bool,
                quiet: bool = False) -> tuple[Path, str]:
    """The output folder, checked before any work (README, "Output folders"), and what to
    say once the input is read: without --out, where the output goes, and (even if quiet)
    that it replaces an earlier output there."""
    from .outdir import prepare

    target = Path(default) if out is None else out
    previous = prepare(target, command, overwrite, names=ALWAYS[command])
    if out is None and previous:
        when = str(previous.get("time", ""))[:16].replace("T", " ")
        return target, (f"note: no --out given: replacing the `{previous['command']}` output in "
                        f"{target}/ written {when}; give --out to keep it")
    return target, f"no --out given: writing to {target}/" if out is None and not quiet else ""


def _say(note: str) -> None:
    if note:
        typer.echo(note, err=True)


def _loop(specs: list[str]):
    """The built-in loop with the user's mechanisms placed in it (None: the built-in loop)."""
    if not specs:
        return None
    from .mechanisms import with_mechanisms

    from .user_code import load_mechanism

    classes = [load_mechanism(s, "--mechanism") for s in specs]
    try:
        return with_mechanisms(*classes)
    except ClusterlabError as exc:
        raise ClusterlabError(f"--mechanism: {exc}") from None


def _in_range(key: str, value: int) -> None:
    """An option that sets a scenario key (`--seed`, `--steps`) is checked against that key's
    range, and its error names the option as typed."""
    from .scenario import Scenario

    meta = Scenario.model_fields[key].metadata
    lo = next(m.ge for m in meta if hasattr(m, "ge"))
    hi = next(m.le for m in meta if hasattr(m, "le"))
    if not lo <= value <= hi:
        raise ClusterlabError(f"--{key} {value}: expected a whole number from {lo} to {hi:,}")


def _scenario(path: Optional[str], seed: Optional[int], steps: Optional[int], sets: list[str],
              mechanisms: list[str] = ()):
    from .scenario import load_scenario, parse_override

    _show_warnings()
    overrides = dict(parse_override(s) for s in sets)
    for key, value in (("seed", seed), ("steps", steps)):
        if value is not None:
            _in_range(key, value)
            overrides[key] = value
    return load_scenario(path, overrides, mechanisms=_loop(list(mechanisms)))


SetOpt = Annotated[list[str], typer.Option("--set", "-s", metavar="KEY=VALUE",
                                           help="change one key, e.g. --set mechanisms.trust.enabled=false")]
MechOpt = Annotated[list[str], typer.Option("--mechanism", "-m", metavar="FILE.py:Class",
                                            help="add a mechanism of your own to the loop (after the one its `after` names, else at the end)")]
OverwriteOpt = Annotated[bool, typer.Option("--overwrite", help="also replace files in the output folder that clusterlab did not write")]


@app.command()
def run(
    scenario: Annotated[Optional[str], typer.Argument(help="scenario TOML file or preset name (lock_in, open_cluster, cluster_org, shocks; default: the built-in scenario)")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="output folder  [default: results]")] = None,
    seed: Annotated[Optional[int], typer.Option(help="override the scenario's seed")] = None,
    steps: Annotated[Optional[int], typer.Option(help="override the number of steps")] = None,
    sets: SetOpt = [],
    mechanisms: MechOpt = [],
    figures: Annotated[Optional[bool], typer.Option("--figures/--no-figures", help="write figures (default: scenario's output.figures)")] = None,
    csv: Annotated[bool, typer.Option("--csv", help="also write CSV tables")] = False,
    from_network: Annotated[Optional[str], typer.Option("--from-network", metavar="DIR_OR_FILE",
                            help="start from a real cluster: a network file or an `analyze` output folder")] = None,
    attributes: Annotated[Optional[str], typer.Option("--attributes", metavar="FILE",
                          help="attributes of the network's actors (with --from-network); a `present` column (1/0) leaves out the actors marked absent")] = None,
    absent: Absent = None,
    geographic: Annotated[Optional[str], typer.Option("--geographic", metavar="FILE[:distance|:proximity]",
                          help="geographic matrix placing actors without x/y or lat/lon (with --from-network; scale detected from the diagonal unless declared)")] = None,
    cognitive: Annotated[Optional[str], typer.Option("--cognitive", metavar="FILE",
                         help="cognitive proximity matrix (0-1) the knowledge profiles are fitted to (with --from-network)")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar or summary table")] = False,
    overwrite: OverwriteOpt = False,
) -> None:
    """Run a scenario and write its tables and figures to OUT."""
    try:
        for flag, given in (("--attributes", attributes), ("--absent", absent), ("--geographic", geographic),
                            ("--cognitive", cognitive)):
            if given is not None and given != "" and not from_network:
                raise ClusterlabError(f"{flag} needs --from-network")
        if from_network:
            sets = [*sets, f"data.network={_quote(Path(from_network).resolve())}"]
            if attributes:
                sets.append(f"data.attributes={_quote(Path(attributes).resolve())}")
            if absent is not None:
                sets.append(f"data.absent={_quote(_absent_rule(absent))}")
            sets += _matrix_sets(geographic, cognitive)
        sc = _scenario(scenario, seed, steps, sets, mechanisms)
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn, TimeRemainingColumn

        from .runtime import cold_cache
        from .sim import Sim

        out, note = _out_folder(out, "results", "run", overwrite, quiet)
        console = Console(stderr=True, quiet=quiet)
        sim = Sim(sc)
        building, running = f"{sc.name}: building the cluster", f"{sc.name}: running"
        if cold_cache():  # the status lines say it; nothing more is written
            building += ", compiling kernels (first run only, a minute or so)"
            running += ", compiling"
        with console.status(building):  # transient: gone on error
            sim.init()
        if "compiling" not in running and sim.multi_threaded and cold_cache("parallel"):
            running += ", compiling the multi-threaded kernels (first large run only)"
        _say(note)
        from .data.load import absent_summary

        gone = absent_summary(sim.network_notes)
        _say(f"{sc.data.network}: {gone}" if gone else "")
        with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), TimeRemainingColumn(), console=console, transient=False) as bar:
            task = bar.add_task(running, total=sc.steps)
            results = sim.run(progress=lambda t: bar.update(task, completed=t, description=f"{sc.name}: running"))
        results.write(out, figures=figures, csv=csv or None, overwrite=overwrite)
    except ClusterlabError as exc:
        _fail(str(exc))
        return
    if not quiet:
        _print_summary(results, out)


def _print_summary(results, out: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    s = results.summary()
    table = Table(title=f"clusterlab: {s['scenario']} (seed {s['seed']}, {s['years']:g} years)")
    table.add_column("indicator")
    table.add_column("start", justify="right")
    table.add_column("end", justify="right")
    for key in ("knowledge_mean", "frontier_gap", "knowledge_gini", "diversity", "trust_mean"):
        table.add_row(key, f"{s[key]['start']:.3f}", f"{s[key]['end']:.3f}")
    table.add_row("innovations (incremental / radical)", "",
                  f"{s['innovations_incremental']} / {s['innovations_radical']}")
    table.add_row("actors / ties", "", f"{s['actors']} / {s['ties']}")
    table.add_row("run time (s)", "", f"{s['seconds']:.2f}")
    Console().print(table)
    Console().print(f"results written to [bold]{out}[/bold]")


@app.command("default-scenario")
def default_scenario_cmd(mechanisms: MechOpt = []) -> None:
    """Print the built-in default scenario as commented TOML (redirect it to a file to edit it)."""
    from .scenario import default_scenario

    try:
        sc = default_scenario(_loop(mechanisms))
    except ClusterlabError as exc:
        _fail(str(exc))
        return
    sys.stdout.write(sc.to_toml())


@app.command()
def validate(
    scenario: Annotated[str, typer.Argument(help="scenario TOML file or preset name")],
    sets: SetOpt = [],
    mechanisms: MechOpt = [],
) -> None:
    """Check a scenario file without running it."""
    try:
        sc = _scenario(scenario, None, None, sets, mechanisms)
    except ClusterlabError as exc:
        _fail(str(exc))
        return
    try:
        firms, source = _check_idle(sc, mechanisms)
    except ClusterlabError as exc:
        _fail(str(exc))
        return
    typer.echo(f"ok: {scenario}: scenario '{sc.name}', {firms} firms{source}, {sc.steps} steps, seed {sc.seed}")


def _check_idle(sc, mechanisms: list[str]) -> tuple[int, str]:
    """The firms the scenario starts with (read from its network when it has one) and where
    they come from; warns of the parts that cannot act (`checks.idle_parts`)."""
    import numpy as np

    from .checks import warn_idle
    from .population import kinds_of
    from .state import SME

    if sc.data.network:
        from .data import load_network
        from .from_data import state_from_network
        from .sim import stream

        net = load_network(sc.data.network, sc.data.attributes or None, absent=sc.data.absent or None)
        kind = state_from_network(net, sc, stream(sc.seed, "population"))[0].kind
        source = f" (from {sc.data.network})"
    else:
        kind = kinds_of(sc.population)
        source = ""
    warn_idle(sc, [m.name for m in _loop(list(mechanisms)) or type(sc).mechanism_classes], kind)
    return int(np.count_nonzero(kind <= SME)), source


Directed = Annotated[Optional[bool], typer.Option("--directed/--undirected",
                    help="read ties as directed (default for edge lists and matrices) or undirected")]
Attributes = Annotated[Optional[str], typer.Option("--attributes", metavar="FILE",
                      help="actor attributes: id column and any of kind, stage, size, age, rd, external_ties, export_share, ownership, x, y; a `present` column (1/0, true/false, yes/no) leaves out the actors marked absent")]
Absent = Annotated[Optional[str], typer.Option("--absent", metavar="zeros",
                   help="zeros: actors without any tie (all-zero row and column) are absent from the network (not yet founded or closed) and left out")]


def _absent_rule(absent: Optional[str]) -> Optional[str]:
    if absent is not None and absent.lower() != "zeros":
        raise ClusterlabError(f"--absent {absent!r}: expected zeros")
    return None if absent is None else "zeros"


def _presence_columns(presence: Optional[str], attributes) -> list:
    """--presence COL1,COL2: the attributes columns saying who is in wave 1 and wave 2."""
    if presence is None:
        return [None, None]
    if not attributes:
        raise ClusterlabError("--presence needs --attributes")
    columns = [c.strip() for c in presence.split(",")]
    if len(columns) != 2 or not all(columns):
        raise ClusterlabError(f"--presence {presence!r}: expected two columns, one per wave: COL1,COL2")
    return columns


Geographic = Annotated[Optional[str], typer.Option("--geographic", metavar="FILE[:distance|:proximity]",
                       help="geographic matrix placing the simulated actors without x/y or lat/lon (scale detected from the diagonal unless declared)")]
Cognitive = Annotated[Optional[str], typer.Option("--cognitive", metavar="FILE",
                      help="cognitive proximity matrix (0-1) the simulated knowledge profiles are fitted to")]


def _matrix_sets(geographic: Optional[str], cognitive: Optional[str]) -> list[str]:
    """--geographic FILE[:distance|:proximity] and --cognitive FILE as `data.*` --set lines."""
    out = []
    if geographic:  # the colon rule of compare --proximity
        from .data.matrix import split_proximity_spec

        _, path, kind = split_proximity_spec(f"geographic={geographic}", "--geographic")
        out += [f"data.geographic={_quote(Path(path).resolve())}", f"data.geographic_kind={kind or 'auto'}"]
    if cognitive:
        out.append(f"data.cognitive={_quote(Path(cognitive).resolve())}")
    return out


@app.command()
def analyze(
    network: Annotated[str, typer.Argument(help="edge list or matrix (CSV/TSV, or an Excel sheet: FILE.xlsx or FILE.xlsx#Sheet), GraphML, GEXF, Pajek .net, UCINET .dl, or an `analyze` output folder")],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="output folder  [default: analysis]")] = None,
    attributes: Attributes = None,
    directed: Directed = None,
    group: Annotated[Optional[str], typer.Option(help="attribute column for Gould-Fernandez brokerage roles")] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", help="edgelist, matrix, graphml, gexf, pajek or dl (default: from the file)")] = None,
    allow_new: Annotated[bool, typer.Option("--allow-new", help="add attribute ids missing from the network as isolated actors")] = False,
    absent: Absent = None,
    presence: Annotated[Optional[str], typer.Option("--presence", metavar="COLUMN", help="the attributes column saying who is present (1/0, true/false, yes/no)  [default: present, when there is one]")] = None,
    overwrite: OverwriteOpt = False,
) -> None:
    """Measure a real cluster network: centrality, structural holes, roles, lock-in risk."""
    try:
        from .analysis import analyze as run_analysis
        from .analysis import write_analysis
        from .data import FORMATS, load_network
        from .data.read import format_name

        if fmt is not None and format_name(fmt) is None:
            raise ClusterlabError(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}")
        if presence is not None and not attributes:
            raise ClusterlabError("--presence needs --attributes")
        out, note = _out_folder(out, "analysis", "analyze", overwrite)
        net = load_network(network, attributes, directed=directed, fmt=fmt, allow_new=allow_new,
                           absent=_absent_rule(absent), presence=presence)
        _say(note)
        firms, summary = run_analysis(net, group=group)
        write_analysis(out, net, firms, summary, overwrite=overwrite)
    except ClusterlabError as exc:
        _fail(str(exc))
        return
    from .data.load import absent_summary

    gone = absent_summary(net.notes)
    typer.echo(f"{net.n} actors, {net.m} ties{f' ({gone})' if gone else ''}: firms.csv, summary.json, "
               f"report.html, network.graphml, network.gexf written to {out}")


@app.command()
def compare(
    wave1: Annotated[str, typer.Argument(help="the earlier wave's network file (or `analyze` output folder)")],
    wave2: Annotated[str, typer.Argument(help="the later wave's network file (or `analyze` output folder)")],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="output folder  [default: comparison]")] = None,
    attributes: Attributes = None,
    proximity: Annotated[list[str], typer.Option("--proximity", metavar="NAME=MATRIX[:distance|:proximity]",
                         help="a labelled proximity (or distance) matrix, e.g. cognitive=cog.csv or "
                              "geographic=km.csv:distance (repeatable; without a suffix the scale is detected)")] = [],
    directed: Directed = None,
    years: Annotated[Optional[float], typer.Option("--years", help="years between the waves: yearly rates "
                                                                     "and dissolve_rate")] = None,
    permutations: Annotated[int, typer.Option("--permutations", help="QAP permutations for p_qap (0: none)")] = 0,
    absent: Absent = None,
    presence: Annotated[Optional[str], typer.Option("--presence", metavar="COL1,COL2", help="the attributes columns saying who is present in wave 1 and in wave 2 (1/0, true/false, yes/no)  [default: a `present` column, when there is one, for both]")] = None,
    max_pairs: Annotated[int, typer.Option(help="above this many candidate pairs, non-ties are sampled")] = 1_000_000,
    seed: Annotated[int, typer.Option(help="seed of that sample and of the permutations")] = 0,
    overwrite: OverwriteOpt = False,
) -> None:
    """Compare two survey waves: entries, exits, ties created, persisted and dissolved, and
    logistic models of tie creation and persistence (dyadic-robust standard errors)."""
    import math

    try:
        from .analysis import compare as run_compare
        from .data import as_proximity, load_network, read_proximity, split_proximity_spec
        from .scenario import default_scenario

        _show_warnings()
        if max_pairs < 1:
            raise ClusterlabError(f"--max-pairs {max_pairs}: expected a whole number >= 1")
        if seed < 0:
            raise ClusterlabError(f"--seed {seed}: expected a whole number >= 0")
        if permutations < 0 or permutations > 1_000_000:
            raise ClusterlabError(f"--permutations {permutations}: expected a whole number from 0 to 1,000,000")
        if years is not None and not (math.isfinite(years) and 0 < years <= 1000):
            raise ClusterlabError(f"--years {years:g}: expected the years between the waves, a number > 0 "
                                  "and at most 1000")
        columns = _presence_columns(presence, attributes)
        rule = _absent_rule(absent)
        specs = []
        for item in proximity:
            name, path, scale = split_proximity_spec(item)
            if name in [s[0] for s in specs]:
                raise ClusterlabError(f"--proximity {item!r}: the name {name!r} is given twice")
            specs.append((name, path, scale, item))
        out, note = _out_folder(out, "comparison", "compare", overwrite)
        # an actor in the attributes but not in a wave's file stays absent from that wave
        nets = [load_network(w, attributes, directed=directed, ignore_unknown=True, absent=rule, presence=col)
                for w, col in zip((wave1, wave2), columns)]
        geo_km = default_scenario().mechanisms.network_evolution.geo_km
        prox, notes = {}, []
        for name, path, scale, item in specs:
            P, said = as_proximity(read_proximity(path), name, scale, geo_km=geo_km,
                                   where=f"--proximity {item!r}")
            prox[name] = P
            notes.append(said)
        _say(note)
        result = run_compare(nets[0], nets[1], prox or None, max_pairs=max_pairs, seed=seed,
                             permutations=permutations, years=years)
        result.write(out, overwrite=overwrite)
    except ClusterlabError as exc:
        _fail(str(exc))
        return
    for said in notes:  # what was assumed about each matrix's scale (after success: one line on error)
        _say(f"note: {said}")
    for line in _relation_notes(nets):
        _say(line)
    _say(_direction_note(nets))
    from .data.load import absent_summary

    c = result.tie_counts
    gone = "".join(f"; wave {k}: {s}" for k, s in ((1, absent_summary(nets[0].notes)), (2, absent_summary(nets[1].notes))) if s)
    unknown = (f"; {c['unknown_pairs']} {'ordered ' if result.directed else ''}pairs with an unobserved cell (NA) "
               "left out" if c.get("unknown_pairs") else "")
    typer.echo(f"ties created {c.get('created')}, persisted {c.get('persisted')}, dissolved "
               f"{c.get('dissolved')}; {len(result.entries)} entries, {len(result.exits)} exits{gone}{unknown}; "
               f"written to {out}")
    typer.echo("standard errors (se, p) are dyadic-robust (pairs sharing an actor are dependent); "
               "naive ML ones are in se_ml, p_ml" + ("; QAP p-values in p_qap" if permutations else ""))
    overrides = result.summary().get("evolution_parameters", {}).get("overrides", {})
    if overrides:
        typer.echo("network-evolution parameters these estimates suggest:")
        for k, v in overrides.items():
            typer.echo(f"  --set {k}={v}")


Composition = Annotated[str, typer.Option("--composition", metavar="simulated|observed",
                        help="who leaves between the waves: simulated (the model's exits) or observed (the actors missing from the later wave leave, as RSiena treats composition change)")]


@app.command()
def predict(
    wave1: Annotated[str, typer.Argument(help="the earlier wave's network file (or `analyze` output folder): the start")],
    wave2: Annotated[str, typer.Argument(help="the later wave's network file (or `analyze` output folder): the target")],
    years: Annotated[float, typer.Option("--years", "-y", help="years between the two waves")],
    scenario: Annotated[Optional[str], typer.Option("--scenario", metavar="FILE_OR_PRESET",
                        help="the model: a scenario TOML file or preset name (default: the built-in scenario)")] = None,
    sets: SetOpt = [],
    replications: Annotated[int, typer.Option("--replications", "-r", help="simulated intervals (and random-rewiring replications)")] = 20,
    seed: Annotated[int, typer.Option(help="seed of the replications")] = 0,
    attributes: Annotated[Optional[str], typer.Option("--attributes", metavar="FILE",
                          help="attributes of wave 1's actors (kind, size, x, y, ...), read as `run --from-network` reads them")] = None,
    directed: Directed = None,
    absent: Absent = None,
    presence: Annotated[Optional[str], typer.Option("--presence", metavar="COL1,COL2", help="the attributes columns saying who is present in wave 1 and in wave 2 (1/0, true/false, yes/no)  [default: a `present` column, when there is one, for both]")] = None,
    geographic: Geographic = None,
    cognitive: Cognitive = None,
    allow_new: Annotated[bool, typer.Option("--allow-new", help="add attribute ids missing from wave 1 as isolated wave-1 actors")] = False,
    composition: Composition = "simulated",
    workers: Annotated[Optional[int], typer.Option("--workers", "-w", help="worker processes (default: 1, in this process)")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="output folder  [default: prediction]")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no score table")] = False,
    overwrite: OverwriteOpt = False,
) -> None:
    """Predict the later wave from the earlier one: simulate the interval and score the
    prediction against the later wave, beside "nothing changes" and random rewiring."""
    try:
        from .data import load_network
        from .panel.predict import predict as run_predict

        if replications < 1:
            raise ClusterlabError(f"--replications {replications}: expected a whole number >= 1")
        if seed < 0:
            raise ClusterlabError(f"--seed {seed}: expected a whole number >= 0")
        if workers is not None and not 1 <= workers <= 4096:
            raise ClusterlabError(f"--workers {workers}: expected a whole number from 1 to 4,096")
        from .panel.interval import check_composition

        check_composition(composition)
        columns = _presence_columns(presence, attributes)
        rule = _absent_rule(absent)
        sc = _scenario(scenario, None, None, [*sets, *_matrix_sets(geographic, cognitive)])
        from .panel.interval import interval_steps

        interval_steps(sc, years)  # --years checked before anything is read or said
        out, note = _out_folder(out, "prediction", "predict", overwrite, quiet)
        # as compare: an attributes id missing from a wave's file stays absent from that wave
        w1 = load_network(wave1, attributes, directed=directed, allow_new=allow_new, ignore_unknown=not allow_new,
                          absent=rule, presence=columns[0])
        w2 = load_network(wave2, attributes, directed=directed, ignore_unknown=True, absent=rule, presence=columns[1])
        if geographic:  # read now, as calibrate does: the model uses it only for actors without x/y
            import warnings

            from .data.matrix import split_proximity_spec
            from .errors import ClusterlabWarning
            from .from_data import _detect_geographic, _matrix
            from .geography import far_note

            _, path, kind = split_proximity_spec(f"geographic={geographic}", "--geographic")
            D = _matrix(path, w1, "geographic")
            if (kind or _detect_geographic(D, path)) == "distance" and (far := far_note(D, path)):
                warnings.warn(far, ClusterlabWarning, stacklevel=2)
        _say(note)
        pool = workers is not None and workers > 1
        from rich.console import Console

        intervals = f"{replications} interval{'s' if replications != 1 else ''}"
        with Console(stderr=True, quiet=quiet).status(f"simulating {intervals} of {years:g} years"):
            from .scenario import parse_override

            given = dict(parse_override(x) for x in sets)  # already in sc; recorded in summary.json
            result = run_predict(w1, w2, years, sc, sets=given or None, replications=replications, seed=seed,
                                 executor="pool" if pool else "serial", workers=workers, composition=composition,
                                 scenario_file=scenario)
        result.write(out, overwrite=overwrite)
    except ClusterlabError as exc:
        _fail(str(exc))
        return
    if not quiet:
        for line in _wave_notes([w1, w2]):
            _say(line)
        _print_prediction(result, out)


def _direction_note(nets) -> str:
    """A note when directed waves look undirected: every tie mutual in both (symmetric files
    read as directed: counts are per direction), or one wave all mutual or all one-way while
    the other's reciprocity is far from it (files of two kinds: a symmetric matrix, or an edge
    list with one row per pair, beside a directed file); "" otherwise."""
    from .panel.scores import reciprocity

    if not all(n.directed for n in nets):
        return ""
    r = [reciprocity(n.src, n.dst, n.missing) for n in nets]
    mutual = [k + 1 for k, v in enumerate(r) if v == 1.0]
    if len(mutual) == len(nets):
        return ("note: every tie of both waves is mutual (symmetric files read as directed): ties are counted "
                "per direction; --undirected counts each pair once")
    if len(nets) != 2 or any(v != v for v in r):  # NaN: a wave without a tie whose reverse was observed
        return ""
    for k, other in ((0, 1), (1, 0)):  # a wave at an extreme, the other far from it
        if r[k] in (0.0, 1.0) and abs(r[other] - r[k]) > FAR_RECIPROCITY:
            what = "mutual" if r[k] == 1.0 else "one-way (none returned)"
            kind = "a symmetric matrix" if r[k] == 1.0 else "an edge list with one row per pair"
            return (f"note: every tie of wave {k + 1} is {what} but {r[other]:.0%} of wave {other + 1}'s are returned "
                    f"({kind} beside a directed file?); read both with --undirected if the survey asked about "
                    "pairs")
    return ""


FAR_RECIPROCITY = 0.4  # `_direction_note`: a wave at reciprocity 0 or 1 beside one this far from it


def _wave_notes(nets) -> list[str]:
    """Console lines on the waves as read, said once the input is checked (an error stays one
    line): per wave the absent actors removed (--absent, --presence), and `_direction_note`."""
    from .data.load import absent_summary

    lines = [f"wave {k} ({net.source or 'network'}): {gone}" for k, net in enumerate(nets, 1)
             if (gone := absent_summary(net.notes))]
    return lines + _relation_notes(nets) + [x for x in (_direction_note(nets),) if x]


def _se_cell(estimated: bool, se: float, at_bound: bool) -> str:
    """calibrate's se column: the standard error, or why there is none: fixed at a bound, or
    kept at its start value (phase 1 found it uninformed, or it ran the wrong way twice)."""
    return f"{se:9.4g}" if estimated else ("  a bound" if at_bound else "    start")


def _relation_notes(nets) -> list[str]:
    """A note per wave holding ties of several relations (layers: a DL file's relations, an
    edge list's layer column): they are pooled."""
    out = []
    for k, net in enumerate(nets, 1):
        if net.layer is None:
            continue
        keep = (net.src != net.dst) & (net.weight != 0)
        rel = list(dict.fromkeys(str(x) for x in net.layer[keep]))
        if len(rel) > 1:
            out.append(f"note: wave {k} ({net.source or 'network'}) holds {len(rel)} relations ({', '.join(rel[:4])}"
                       f"{', ...' if len(rel) > 4 else ''}), pooled: a pair is tied if it is tied in any of them; "
                       "keep one relation in the file to score it alone")
    return out


def _print_prediction(result, out: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    from .panel.predict import LABELS, MODELS

    s = result.summary()
    o = s["observed"]
    given = ", composition observed" if s.get("composition") == "observed" else ""
    reps = f"{s['replications']} replication{'s' if s['replications'] != 1 else ''}"
    table = Table(title=f"predicting wave 2 from wave 1 ({s['years']:g} years, {reps}{given})")
    cols = [("auc", "tie AUC"), ("auc_create", "AUC created"), ("jaccard", "Jaccard"),
            ("degree_correlation", "degree r"), ("ties", "ties"), ("exits", "exits")]
    table.add_column("model")
    for _, head in cols:
        table.add_column(head, justify="right")

    def cell(v, measure):
        if v is None:
            return "-"
        return f"{v:.1f}" if measure == "ties" else f"{v:.3f}"

    for m in MODELS:
        table.add_row(LABELS[m], *[cell(s["models"][m].get(k, {}).get("mean"), k) for k, _ in cols])
    table.add_row("observed", "", "", "", "", str(o["ties"]), f"{o['exits']:.3f}")
    Console().print(table)
    if s["directed"]:
        dcols = [("arcs_auc", "tie AUC"), ("arcs_auc_create", "AUC new"), ("arcs_jaccard", "Jaccard"),
                 ("indegree_correlation", "in-deg r"), ("reciprocity", "recip."), ("arcs", "ties")]
        dtable = Table(title="who asks whom: directed ties (above: pairs)")
        dtable.add_column("model")
        for _, head in dcols:
            dtable.add_column(head, justify="right")
        for m in MODELS:
            dtable.add_row(LABELS[m], *[cell(s["models"][m].get(k, {}).get("mean"), "ties" if k == "arcs" else k)
                                        for k, _ in dcols])
        dtable.add_row("observed", "", "", "", "", cell(o.get("reciprocity_among_stayers"), "reciprocity"),
                       str(o["arcs"]))
        Console().print(dtable)
    if o.get("unknown_pairs"):
        Console().print(f"{o['unknown_pairs']} pairs of stayers with an unobserved cell (NA) in a wave left out of "
                        "every score")
    Console().print(f"scores, dyads and report written to [bold]{out}[/bold]")


@app.command()
def calibrate(
    wave1: Annotated[str, typer.Argument(help="the earlier wave's network file (or `analyze` output folder)")],
    wave2: Annotated[str, typer.Argument(help="the later wave's network file (or `analyze` output folder)")],
    years: Annotated[float, typer.Option("--years", "-y", help="years between the two waves")],
    geographic: Geographic = None,
    cognitive: Cognitive = None,
    proximity: Annotated[list[str], typer.Option("--proximity", metavar="NAME=FILE[:distance|proximity]",
                         help="geo...=FILE is --geographic FILE, cog...=FILE is --cognitive FILE (as compare's option)")] = [],
    attributes: Attributes = None,
    absent: Absent = None,
    presence: Annotated[Optional[str], typer.Option("--presence", metavar="COL1,COL2", help="the attributes columns saying who is present in wave 1 and in wave 2 (1/0, true/false, yes/no)  [default: a `present` column, when there is one, for both]")] = None,
    scenario: Annotated[Optional[str], typer.Option("--scenario", metavar="FILE_OR_PRESET", help="the model to calibrate (default: the built-in scenario)")] = None,
    sets: SetOpt = [],
    seed: Annotated[int, typer.Option(help="seed of every simulation")] = 0,
    workers: Annotated[int, typer.Option("--workers", "-w", help="worker processes for the simulations of phases 1 and 3")] = 1,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="output folder  [default: calibration]")] = None,
    directed: Directed = None,
    allow_new: Annotated[bool, typer.Option("--allow-new", help="add attribute ids missing from wave 1 as isolated wave-1 actors")] = False,
    composition: Composition = "simulated",
    levers: Annotated[str, typer.Option("--levers", metavar="default|all", help="all: also the closure and cognitive weights (under acceptance = choice: triad_weight and cognitive_weight), which small panels inform little; phase 1 drops those whose statistic does not respond")] = "default",
    who_exits: Annotated[bool, typer.Option("--who-exits", help="also estimate which firms exit: the support partners give a firm short of capital (mechanisms.market.tie_support_years), from the leavers' wave-1 ties")] = False,
    overwrite: OverwriteOpt = False,
) -> None:
    """Estimate network-evolution and exit parameters from two survey waves by the method of
    simulated moments (as RSiena): simulations from wave 1 reproduce the statistics of wave 2."""
    try:
        from .data import load_network, read_proximity
        from .data.matrix import split_proximity_spec
        from .panel.calibrate import EXIT_SELECTION, LEVERS, extra_levers
        from .panel.calibrate import calibrate as run_calibrate
        from .scenario import parse_override

        if levers not in ("default", "all"):
            raise ClusterlabError(f"--levers {levers!r}: expected default or all")
        if seed < 0:
            raise ClusterlabError(f"--seed {seed}: expected a whole number >= 0")
        if not 1 <= workers <= 4096:
            raise ClusterlabError(f"--workers {workers}: expected a whole number from 1 to 4,096")
        from .panel.interval import check_composition

        check_composition(composition)
        columns = _presence_columns(presence, attributes)
        rule = _absent_rule(absent)
        # --proximity geo...=FILE / cog...=FILE are --geographic / --cognitive
        for item in proximity:
            name, path, scale = split_proximity_spec(item)
            low = name.lower()
            if low.startswith(("geo", "spatial")):
                if geographic:
                    raise ClusterlabError(f"--proximity {item!r}: a second geographic matrix (--geographic is given)")
                geographic = path + (f":{scale}" if scale else "")
            elif low.startswith(("cog", "tech")):
                if cognitive:
                    raise ClusterlabError(f"--proximity {item!r}: a second cognitive matrix (--cognitive is given)")
                if scale == "distance":
                    raise ClusterlabError(f"--proximity {item!r}: a cognitive matrix must be a proximity (0-1)")
                cognitive = path
            else:
                raise ClusterlabError(f"--proximity {item!r}: name it geo... (geographic) or cog... (cognitive)")
        msets = _matrix_sets(geographic, cognitive)
        from .panel.interval import interval_steps

        interval_steps(_scenario(scenario, None, None, [*sets, *msets]), years)  # a bad --set or --years first
        sc = _scenario(scenario, None, None, [])
        given = dict(parse_override(x) for x in [*sets, *msets])
        out, note = _out_folder(out, "calibration", "calibrate", overwrite)
        # as predict: an attributes id missing from a wave's file stays absent from that wave
        nets = [load_network(wave1, attributes, directed=directed, allow_new=allow_new, ignore_unknown=not allow_new,
                             absent=rule, presence=columns[0]),
                load_network(wave2, attributes, directed=directed, ignore_unknown=True, absent=rule,
                             presence=columns[1])]
        prox, scales = {}, {}
        if geographic:
            _, path, kind = split_proximity_spec(f"geographic={geographic}", "--geographic")
            prox["geographic"] = read_proximity(path)
            if kind:
                scales["geographic"] = kind
        if cognitive:
            prox["cognitive"] = read_proximity(cognitive)
            scales["cognitive"] = "proximity"
        _say(note)
        typer.echo(f"calibrating {nets[0].n} actors over {years:g} years (seed {seed}, {workers} worker(s))...", err=True)
        use = LEVERS + (extra_levers(sc.set(**given)) if levers == "all" else ())
        use = use + (EXIT_SELECTION,) if who_exits else use
        # the wave notes once the estimation starts (the input checked: an error stays one
        # line), not after a run of minutes
        pending = list(_wave_notes(nets))

        def progress(msg: str) -> None:
            while pending:
                _say(pending.pop(0))
            typer.echo("  " + msg, err=True)

        result = run_calibrate(nets[0], nets[1], years, prox or None, sc, use, scales=scales, sets=given or None,
                               seed=seed, executor="pool" if workers > 1 else "serial", workers=workers,
                               progress=progress, composition=composition)
        result.write(out, overwrite=overwrite)
    except ClusterlabError as exc:
        _fail(str(exc))
        return
    for line in pending:
        _say(line)
    t = result.table()
    typer.echo(f"{'key':<46} {'estimate':>10} {'se':>9} {'t-ratio':>8}")
    at_bound = result.fixed()
    for r in t.itertuples(index=False):
        se = _se_cell(r.estimated, r.se, r.key in at_bound)
        typer.echo(f"{r.key:<46} {r.estimate:>10.4g} {se} {r.t_ratio:>8.3f}")
    for key, why in result.not_estimated.items():
        typer.echo(f"not estimated: {key}: {why}")
    for role, where in result.proximity_sources.items():  # what was assumed about each matrix
        typer.echo(f"note: {role} proximity: {where}")
    if result.unknown_pairs:
        typer.echo(f"note: {result.unknown_pairs} pairs of stayers with an unobserved cell (NA) in a wave left out "
                   "of the statistics")
    for w in result.msm.warnings:
        typer.echo(f"warning: {w}", err=True)
    if hint := result.hint():
        typer.echo(hint)
    typer.echo(result.verdict())
    # the data options predict needs to see the same actors (present, absent, who leaves)
    same = "".join(f" {flag} {shlex.quote(str(v))}" for flag, v in (("--attributes", attributes), ("--absent", absent),
                                                                ("--presence", presence)) if v)
    same += " --allow-new" if allow_new else ""
    same += {True: " --directed", False: " --undirected"}.get(directed, "")
    same += " --composition observed" if composition == "observed" else ""
    typer.echo(f"{result.msm.draws} simulations in {result.seconds:.0f} s; written to {out} "
               f"(predict with it: `clusterlab predict {shlex.quote(str(wave1))} {shlex.quote(str(wave2))} --years "
               f"{years:g} --scenario {shlex.quote(str(Path(out) / 'calibrated.toml'))}{same}`)")


ExpSetOpt = Annotated[list[str], typer.Option("--set", "-s", metavar="KEY=VALUE",
                                              help="change one experiment key, e.g. --set replications=5 or --set set.steps=60")]


def _experiment_summary(res, quiet: bool, report: bool) -> None:
    s = res.summary()
    if report:
        path = res.report(summary=s)
    if not quiet:
        typer.echo(s.text())
        if report:
            typer.echo(f"report: {path}")


@app.command()
def experiment(
    file: Annotated[str, typer.Argument(help="experiment TOML file (arms or a design, replications, outcomes)")],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="store folder  [default: experiments/<name>]")] = None,
    workers: Annotated[Optional[int], typer.Option("--workers", "-w", help="worker processes (default: the usable cores)")] = None,
    executor: Annotated[str, typer.Option(help="pool (default), serial or dask")] = "pool",
    address: Annotated[Optional[str], typer.Option(help="Dask scheduler address (with --executor dask; default: a local Dask cluster)")] = None,
    sets: ExpSetOpt = [],
    report: Annotated[bool, typer.Option("--report/--no-report", help="write figures and report.html into OUT/report")] = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar or summary")] = False,
) -> None:
    """Run an experiment (only the runs its store does not hold yet), then summarise it."""
    try:
        from .scenario import parse_override

        _show_warnings()
        if workers is not None and not 1 <= workers <= 4096:
            raise ClusterlabError(f"--workers {workers}: expected a whole number from 1 to 4,096")
        if executor not in ("pool", "serial", "dask"):
            raise ClusterlabError(f"--executor {executor!r}: expected pool, serial or dask")
        if address and executor != "dask":
            raise ClusterlabError("--address needs --executor dask")
        from .experiments.spec import load_experiment

        exp = load_experiment(file, dict(parse_override(x) for x in sets))
        target = out if out is not None else Path("experiments") / exp.name
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn, TimeRemainingColumn

        from .experiments.results import run_experiment

        from .experiments.store import Store

        Store(target, name=exp.name)  # refused (a user's folder, not writable) before any bar
        console = Console(stderr=True, quiet=quiet)
        n = len(exp.tasks())
        if out is None:
            _say(f"no --out given: the store is {target}/")
        with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), TimeRemainingColumn(), console=console) as bar:
            job = bar.add_task(f"{exp.name}: {n} runs", total=None)

            def progress(done: int, failed: int, total: int) -> None:
                bar.update(job, total=total, completed=done + failed,
                           description=f"{exp.name}: {done} done, {failed} failed")

            try:
                res = run_experiment(exp, target, executor=executor, workers=workers, address=address,
                                     progress=progress)
            except KeyboardInterrupt:
                typer.echo(f"the finished runs are kept in {target}/; run the same command "
                           f"again to run the rest", err=True)
                raise
        r = res.run_report
        if not quiet:
            typer.echo(f"{exp.name}: {r.done} runs done, {r.skipped} already in the store, "
                       f"{r.failed} failed ({r.seconds:.1f} s); store: {target}")
        if r.failed:
            first = res.failed()["error"].iloc[0].splitlines()[0] if len(res.failed()) else ""
            typer.echo(f"warning: {r.failed} runs failed (first: {first}); run the same command "
                       f"again to retry them, `clusterlab results {target}` lists them", err=True)
        _experiment_summary(res, quiet, report)
    except ClusterlabError as exc:
        _fail(str(exc))


@app.command()
def results(
    store: Annotated[Path, typer.Argument(help="the store folder of `clusterlab experiment`")],
    arms: Annotated[list[str], typer.Option("--arm", help="only this arm (repeat for more)")] = [],
    outcomes: Annotated[list[str], typer.Option("--outcome", help="only this outcome (repeat for more)")] = [],
    where: Annotated[Optional[str], typer.Option(help="only runs where this SQL condition holds, e.g. \"replication < 10\"")] = None,
    level: Annotated[float, typer.Option(help="confidence level of every interval")] = 0.95,
    report: Annotated[Optional[Path], typer.Option("--report", metavar="DIR", help="also write figures, report.html and CSV tables to DIR")] = None,
    failed: Annotated[bool, typer.Option("--failed", help="list the failed runs and their errors")] = False,
) -> None:
    """Summarise an experiment store again (all of it, or some arms, outcomes or runs)."""
    try:
        from .experiments.results import open_results

        if not 0.5 <= level < 1:
            raise ClusterlabError(f"--level {level}: expected a number from 0.5 to below 1")
        res = open_results(store)
        if failed:
            f = res.failed()
            typer.echo(f"{len(f)} failed runs" + (":" if len(f) else ""))
            for _, row in f.iterrows():
                typer.echo(f"  {row['run']} arm {row.get('arm')} replication {row.get('replication')}: "
                           f"{str(row['error']).splitlines()[0]}")
        s = res.summary(arms=arms or None, outcomes=outcomes or None, where=where, level=level)
        typer.echo(s.text())
        if report is not None:
            typer.echo(f"report: {res.report(report, summary=s)}")
    except ClusterlabError as exc:
        _fail(str(exc))


@app.command()
def propositions(
    ids: Annotated[Optional[list[str]], typer.Argument(metavar="[P1 ... P13 | all]", help="which propositions (default: all)")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="output folder: report.html, propositions.csv/json, the run store")] = Path("propositions"),
    replications: Annotated[Optional[int], typer.Option("--replications", "-r", help="replications per arm (default: the suite's, 20)")] = None,
    workers: Annotated[Optional[int], typer.Option("--workers", "-w", help="worker processes (default: the usable cores)")] = None,
    quick: Annotated[bool, typer.Option("--quick", help="a smoke test: few replications, a small short cluster (not evidence)")] = False,
    robustness: Annotated[bool, typer.Option("--robustness/--no-robustness", help="recheck each verdict under +/-20% of the main parameters")] = True,
    suite: Annotated[Optional[Path], typer.Option("--suite", help="a suite TOML file instead of the shipped one")] = None,
    executor: Annotated[str, typer.Option(help="pool (processes) or serial (this process)")] = "pool",
    overwrite: Annotated[bool, typer.Option("--overwrite", help="replace files in OUT that clusterlab did not write")] = False,
) -> None:
    """Run the propositions of MODEL.md section 6 (their shipped designs) and write an evidence report."""
    try:
        if workers is not None and not 1 <= workers <= 4096:
            raise ClusterlabError(f"--workers {workers}: expected a whole number from 1 to 4,096")
        if replications is not None and not 2 <= replications <= 100_000:
            raise ClusterlabError(f"--replications {replications}: expected a whole number from 2 to 100,000")
        if executor not in ("pool", "serial"):
            raise ClusterlabError(f"--executor {executor!r}: expected pool or serial")
        _show_warnings()
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn, TimeRemainingColumn

        from .propositions.report import text
        from .outdir import prepare
        from .propositions.suite import REPORT_FILES, load_suite, run_suite, select

        # a bad name, suite file or output folder: one line, before the progress bar
        select(load_suite(suite)[1], ids or [])
        prepare(out, "propositions", overwrite, names=REPORT_FILES)
        with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), TimeRemainingColumn(), console=Console(stderr=True)) as bar:
            job = bar.add_task("propositions", total=None)

            def progress(done: int, failed: int, total: int) -> None:
                bar.update(job, total=total, completed=done + failed,
                           description=f"propositions: {done} runs done, {failed} failed")

            res = run_suite(ids or [], out, replications=replications, workers=workers, quick=quick,
                            robustness=robustness, suite=suite, progress=progress, executor=executor,
                            overwrite=overwrite)
        typer.echo(text(res))
        typer.echo(f"{res['meta']['runs']} runs, {res['seconds']:.0f} s; report: {Path(out) / 'report.html'}")
    except ClusterlabError as exc:
        _fail(str(exc))


@app.command()
def dashboard(
    scenario: Annotated[Optional[str], typer.Argument(help="scenario TOML file or preset to start from (default: the built-in scenario)")] = None,
    port: Annotated[Optional[int], typer.Option("--port", "-p", help="port to listen on (default: a free one)")] = None,
    host: Annotated[str, typer.Option("--host", help="address to listen on; anything but 127.0.0.1 / localhost / ::1 opens the dashboard to other machines")] = "127.0.0.1",
    propositions_dir: Annotated[Optional[Path], typer.Option("--propositions", help="folder of the latest propositions report  [default: propositions]")] = None,
    workers: Annotated[Optional[int], typer.Option("--workers", "-w", help="processes for comparisons and propositions (default: the usable cores)")] = None,
) -> None:
    """Start the browser dashboard (needs the extra: pip install 'clusterlab[dashboard]')."""
    try:
        if workers is not None and not 1 <= workers <= 4096:
            raise ClusterlabError(f"--workers {workers}: expected a whole number from 1 to 4,096")
        if port is not None and not 0 <= port <= 65535:
            raise ClusterlabError(f"--port {port}: expected a whole number from 0 to 65,535")
        if scenario is not None:
            from .scenario import load_scenario

            load_scenario(scenario)  # a bad file or name: one line, before any server starts
        try:
            import solara  # noqa: F401
            import uvicorn  # noqa: F401
        except ImportError:
            raise ClusterlabError("the dashboard needs its extra: pip install 'clusterlab[dashboard]'") from None
        from .dashboard.server import bind, serve

        if host not in ("127.0.0.1", "localhost", "::1"):
            typer.echo(f"warning: listening on {host}: other machines on the network can reach this "
                       "dashboard and run simulations on this computer", err=True)
        try:
            sock = bind(host, port)
        except OSError as exc:
            raise ClusterlabError(f"--host {host} --port {port or 0}: cannot listen there ({exc.strerror or exc})") from None
    except ClusterlabError as exc:
        _fail(str(exc))
        return
    serve(sock, scenario=scenario, propositions=str(propositions_dir) if propositions_dir else None,
          workers=workers, announce=typer.echo)


class Terminated(KeyboardInterrupt):
    """SIGTERM (a scheduler's time limit, `timeout`, `kill`), raised where the command is, so
    it stops as on Ctrl-C: temporary folders and staged outputs cleaned up, workers stopped."""


_terminated: list = []  # set by the SIGTERM handler: the command ends with status 143


def _on_sigterm(signum, frame) -> None:
    _terminated.append(signum)
    raise Terminated()


def _stopped() -> None:
    """Exit after Ctrl-C (130, "interrupted") or SIGTERM (143, "terminated")."""
    typer.echo("terminated" if _terminated else "interrupted", err=True)
    sys.exit(143 if _terminated else 130)


def main() -> None:
    """The `clusterlab` command: a usage error (unknown option, bad option value, missing
    argument) is one line `error: ...` with exit status 2, like every other bad input."""
    import signal
    import threading

    _terminated.clear()
    before = None
    if threading.current_thread() is threading.main_thread():
        before = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        code = app(standalone_mode=False)
    except KeyboardInterrupt:
        _stopped()
    except Exception as exc:
        names = {c.__name__ for c in type(exc).__mro__}
        if "Abort" in names:
            _stopped()
        if "ClickException" not in names:
            raise
        if "NoArgsIsHelpError" in names:  # `clusterlab` alone: the help, as before
            app(["--help"], standalone_mode=False)
            sys.exit(2)
        ctx = getattr(exc, "ctx", None)
        hint = f" (see '{ctx.command_path} --help')" if "UsageError" in names and ctx is not None else ""
        typer.echo(f"error: {' '.join(exc.format_message().split())}{hint}", err=True)
        sys.exit(exc.exit_code)
    finally:
        if before is not None:
            signal.signal(signal.SIGTERM, before)
    if code == 130 or _terminated:  # typer turns Ctrl-C inside a command into exit status 130
        _stopped()
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()

"""The command line: `clusterlab run`, `default-scenario`, `validate`.

User errors (bad scenario, missing file) print one line `error: ...` and exit with 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from .errors import ClusterlabError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Simulate and analyse knowledge sharing and innovation in SME clusters.")


def _fail(msg: str) -> None:
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(2)


def _scenario(path: Optional[str], seed: Optional[int], steps: Optional[int], sets: list[str]):
    from .scenario import load_scenario, parse_override

    overrides = dict(parse_override(s) for s in sets)
    if seed is not None:
        overrides["seed"] = seed
    if steps is not None:
        overrides["steps"] = steps
    return load_scenario(path, overrides)


SetOpt = Annotated[list[str], typer.Option("--set", "-s", metavar="KEY=VALUE",
                                           help="change one key, e.g. --set mechanisms.trust.enabled=false")]


@app.command()
def run(
    scenario: Annotated[Optional[str], typer.Argument(help="scenario TOML file (default: the built-in scenario)")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="output folder")] = Path("results"),
    seed: Annotated[Optional[int], typer.Option(help="override the scenario's seed")] = None,
    steps: Annotated[Optional[int], typer.Option(help="override the number of steps")] = None,
    sets: SetOpt = [],
    figures: Annotated[Optional[bool], typer.Option("--figures/--no-figures", help="write figures (default: scenario's output.figures)")] = None,
    csv: Annotated[bool, typer.Option("--csv", help="also write CSV tables")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar or summary table")] = False,
) -> None:
    """Run a scenario and write its tables and figures to OUT."""
    try:
        sc = _scenario(scenario, seed, steps, sets)
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn, TimeRemainingColumn

        from .sim import Sim

        console = Console(stderr=True, quiet=quiet)
        sim = Sim(sc)
        with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), TimeRemainingColumn(), console=console, transient=False) as bar:
            task = bar.add_task(f"{sc.name}: building", total=sc.steps)
            sim.init()
            bar.update(task, description=f"{sc.name}: running")
            results = sim.run(progress=lambda t: bar.update(task, completed=t))
        results.write(out, figures=figures, csv=csv or None)
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
def default_scenario_cmd() -> None:
    """Print the built-in default scenario as commented TOML (redirect it to a file to edit it)."""
    from .scenario import default_scenario

    sys.stdout.write(default_scenario().to_toml())


@app.command()
def validate(
    scenario: Annotated[str, typer.Argument(help="scenario TOML file")],
    sets: SetOpt = [],
) -> None:
    """Check a scenario file without running it."""
    try:
        sc = _scenario(scenario, None, None, sets)
    except ClusterlabError as exc:
        _fail(str(exc))
        return
    p = sc.population
    typer.echo(f"ok: {scenario}: scenario '{sc.name}', {p.firms} firms, {sc.steps} steps, seed {sc.seed}")


def main() -> None:
    try:
        app(standalone_mode=True)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()

"""Every output is documented: each file a command writes, each column of its tables and each
key of its summary.json (top level and one level down) is named, as `name`, in the README's
section for that command and in the ODD's.

The commands run as a user runs them, on small inputs; what they actually wrote is listed and
looked up in the documents. Hidden files (a folder's manifest) are not outputs to document.
The run's column tables in the README are generated from the declarations
(`python -m clusterlab.docs`), and the declarations must match what the files hold.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from clusterlab import docs
from clusterlab.data import load_network
from clusterlab.data.attributes import KNOWN_ATTRIBUTES
from clusterlab.mechanisms import MECHANISMS
from clusterlab.recorder import ACTOR_COLUMNS, CORE, SHARED, columns

ROOT = Path(__file__).parents[1]
README = ROOT / "README.md"
ODD = ROOT / "docs" / "odd.md"
FIXTURES = Path(__file__).parent / "fixtures"
SCENARIO = """\
name = "tiny"
steps = 3
[population]
firms = 20
externals = 4
[knowledge]
domains = 3
[[events]]
step = 1
action = "technology_shift"
"""


def section(path: Path, heading: str) -> str:
    """The text under the first heading that contains `heading`, up to the next heading of the
    same or a higher level."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.startswith("#") and heading in line:
            level = len(line) - len(line.lstrip("#"))
            end = next((j for j in range(i + 1, len(lines))
                        if lines[j].startswith("#") and len(lines[j]) - len(lines[j].lstrip("#")) <= level),
                       len(lines))
            return "\n".join(lines[i:end])
    raise AssertionError(f"{path.name} has no heading containing {heading!r}")


# where each command's outputs are documented: (document, heading)
WHERE = {
    "run": [(README, "### `clusterlab run"), (ODD, "Recorded indicators")],
    "analyze": [(README, "### `clusterlab analyze"), (ODD, "Outputs of `analyze` and `compare`")],
    "compare": [(README, "### `clusterlab compare"), (ODD, "Outputs of `analyze` and `compare`")],
}


def cli(*args, cwd: Path, run=None) -> None:
    """`clusterlab ARGS` in a subprocess, or with run (conftest.cli_in_process) in process."""
    proc = (run(*args, cwd=cwd) if run else
            subprocess.run([sys.executable, "-m", "clusterlab", *map(str, args)], cwd=cwd,
                           capture_output=True, text=True))
    assert proc.returncode == 0, proc.stderr


def files(folder: Path) -> list[str]:
    """Every file under folder (relative, '/'-separated), hidden files and folders left out."""
    rel = [p.relative_to(folder) for p in folder.rglob("*") if p.is_file()]
    return sorted(p.as_posix() for p in rel if not any(part.startswith(".") for part in p.parts))


def table_columns(path: Path) -> list[str]:
    if path.suffix == ".parquet":
        return list(pd.read_parquet(path).columns)
    return list(pd.read_csv(path, nrows=0).columns)


def summary_keys(path: Path) -> list[str]:
    """Keys of a summary.json: the top level, and the keys of objects one level down."""
    data = json.loads(path.read_text(encoding="utf-8"))
    keys = list(data)
    for value in data.values():
        if isinstance(value, dict):
            keys += list(value)
    return keys


@pytest.fixture(scope="module")
def written(tmp_path_factory, cli_in_process) -> dict[str, dict[str, list[str]]]:
    """command -> {what: names}: the files each command wrote and the columns and keys in them.
    The first run on the real command line (a subprocess), the others in process (the same
    entry point): the files they write are what is tested."""
    tmp = tmp_path_factory.mktemp("outputs")
    (tmp / "tiny.toml").write_text(SCENARIO, encoding="utf-8")
    cli("run", "tiny.toml", "--csv", "-q", "--out", "run", cwd=tmp)
    cli("run", "--from-network", FIXTURES / "cluster.graphml", "--steps", "2", "--no-figures", "-q",
        "--out", "run_data", cwd=tmp, run=cli_in_process)
    cli("analyze", FIXTURES / "cluster.graphml", "--attributes", FIXTURES / "attributes.csv",
        "--group", "ownership", "--out", "analyze", cwd=tmp, run=cli_in_process)
    cli("compare", FIXTURES / "edges.csv", FIXTURES / "cluster.graphml",
        "--proximity", f"cognitive={FIXTURES / 'matrix.csv'}", "--out", "compare", cwd=tmp, run=cli_in_process)
    user_columns = set(load_network(FIXTURES / "cluster.graphml", FIXTURES / "attributes.csv").attributes.columns)
    user_columns -= {"id", *KNOWN_ATTRIBUTES}  # the user's own attributes, passed through unchanged
    out: dict[str, dict[str, list[str]]] = {}
    for command, folders in {"run": ["run", "run_data"], "analyze": ["analyze"], "compare": ["compare"]}.items():
        found: dict[str, list[str]] = {}
        for folder in folders:
            for name in files(tmp / folder):
                found.setdefault("files", []).append(name)
                path = tmp / folder / name
                if path.suffix in (".csv", ".parquet"):
                    cols = table_columns(path)
                    if command == "analyze":
                        cols = [c for c in cols if c not in user_columns]
                    found.setdefault(f"{name} columns", []).extend(cols)
                elif name == "summary.json":
                    found.setdefault("summary.json keys", []).extend(summary_keys(path))
        out[command] = {what: list(dict.fromkeys(names)) for what, names in found.items()}
    out["_tmp"] = {"path": [str(tmp)]}
    return out


def test_the_commands_write_what_the_test_expects(written):
    """The small runs exercise every kind of output, so the checks below are not vacuous."""
    run, analyze, compare = written["run"], written["analyze"], written["compare"]
    assert {"figures/dynamics.png", "figures/network.png", "timeseries.csv", "events.parquet"} <= set(run["files"])
    assert "label" in run["actors.parquet columns"] and "recovery_steps" in run["events.parquet columns"]
    assert "gf_liaison" in analyze["firms.csv columns"] and "Note" not in analyze["firms.csv columns"]
    assert {"report.html", "network.graphml", "network.gexf"} <= set(analyze["files"])
    assert {"ties.csv", "coefficients.csv"} <= set(compare["files"]) and "creation" in compare["summary.json keys"]


@pytest.mark.parametrize("command,document,heading",
                         [(c, d, h) for c, where in WHERE.items() for d, h in where])
def test_every_output_name_is_documented(written, command, document, heading):
    text = section(document, heading)
    missing = [f"{what}: `{name}`" for what, names in written[command].items()
               for name in names if f"`{name}`" not in text]
    assert not missing, (f"`clusterlab {command}` writes names that {document.name} (section "
                         f"'{heading}') does not document:\n  " + "\n  ".join(missing))


def test_the_readme_tables_are_generated_from_the_declarations():
    text = README.read_text(encoding="utf-8")
    assert docs.render(text) == text, "README.md column tables are out of date: run `python -m clusterlab.docs`"
    assert docs.main(["--check", str(README)]) == 0


def test_the_declarations_are_what_the_files_hold(written):
    """The generated tables list the columns in file order: the declarations must be exact."""
    tmp = Path(written["_tmp"]["path"][0])
    assert list(pd.read_parquet(tmp / "run" / "timeseries.parquet").columns) == columns(MECHANISMS)
    states = [s.name for m in MECHANISMS for s in m.states if s.record and not s.per_domain]
    assert list(pd.read_parquet(tmp / "run_data" / "actors.parquet").columns) == [*ACTOR_COLUMNS, *states]
    plain = [c for c in ACTOR_COLUMNS if c != "label"]  # a generated cluster has no labels
    assert list(pd.read_parquet(tmp / "run" / "actors.parquet").columns) == [*plain, *states]


def test_every_declared_column_has_a_description():
    declared = {**CORE, **SHARED, **ACTOR_COLUMNS}
    declared.update({c: d for m in MECHANISMS for c, d in m.records.items()})
    declared.update({s.name: s.description for m in MECHANISMS for s in m.states if s.record})
    blank = sorted(c for c, d in declared.items() if not d.strip())
    assert not blank, f"columns declared without a description: {blank}"


def test_render_replaces_only_the_generated_blocks():
    begin, end = docs.BEGIN.format(name="actor columns"), docs.END.format(name="actor columns")
    text = README.read_text(encoding="utf-8")
    stale = re.sub(re.escape(begin) + r"\n.*?" + re.escape(end), f"{begin}\n| old |\n{end}", text, flags=re.S)
    assert stale != text and docs.render(stale) == text
    with pytest.raises(ValueError, match="actor columns"):
        docs.render(text.replace(end, ""))

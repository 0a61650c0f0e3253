"""docs/odd.md and the code must not drift apart.

The ODD document is hand-maintained Markdown. These tests fail when a scenario key, its
default, a recorded column or a mechanism is added, removed or changed in the code but
not in the document (or the other way round). Fix the document, not the test.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest
from pydantic import BaseModel

import clusterlab as cl
from clusterlab.mechanisms import MECHANISMS
from clusterlab.recorder import columns
from clusterlab.toml_io import toml_value

COLUMNS = columns(MECHANISMS)

ODD = Path(__file__).parents[1] / "docs" / "odd.md"
TESTS = Path(__file__).parent
KEY_RE = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$")


# -- helpers ---------------------------------------------------------------------------

@lru_cache(maxsize=1)
def text() -> str:
    assert ODD.exists(), f"{ODD} is missing"
    return ODD.read_text(encoding="utf-8")


def leaves(model: BaseModel, prefix: str = "") -> dict[str, object]:
    """Every scalar key of a scenario, dotted (`mechanisms.transfer.beta_vertical`, `seed`)."""
    out: dict[str, object] = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        key = f"{prefix}.{name}" if prefix else name
        if isinstance(value, BaseModel):
            out.update(leaves(value, key))
        else:
            out[key] = value
    return out


def cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def parameter_rows() -> dict[str, tuple[str, int]]:
    """First-cell key -> (row, line number) of every row of a `| key | default | ... |` table."""
    rows: dict[str, tuple[str, int]] = {}
    in_table = False
    for no, line in enumerate(text().splitlines(), 1):
        if not line.startswith("|"):
            in_table = False
            continue
        first = cells(line)[0]
        if first == "key":
            in_table = True
            continue
        if not in_table or set(first) <= {"-", ":"}:
            continue
        m = re.fullmatch(r"`([^`]+)`", first)
        assert m, f"odd.md line {no}: first cell of a parameter row must be a `key`: {line}"
        key = m.group(1)
        assert key not in rows, f"odd.md line {no}: key `{key}` has two rows (first at line {rows[key][1]})"
        rows[key] = (line, no)
    return rows


def sections() -> list[tuple[str, int]]:
    """(heading, line number) of every Markdown heading."""
    return [(line, no) for no, line in enumerate(text().splitlines(), 1) if line.startswith("#")]


def mechanism_heading(name: str) -> int:
    hits = [no for line, no in sections() if line.startswith("### ") and f"(`{name}`)" in line]
    assert len(hits) == 1, f"odd.md needs exactly one '### ... (`{name}`)' section, found {len(hits)}"
    return hits[0]


DEFAULTS = leaves(cl.default_scenario())
ROWS = parameter_rows()


# -- scenario keys and defaults --------------------------------------------------------

@pytest.mark.parametrize("key", sorted(DEFAULTS))
def test_every_scenario_key_has_a_row_with_its_default(key):
    assert key in ROWS, f"scenario key `{key}` has no row in a parameter table of docs/odd.md"
    row, no = ROWS[key]
    want = f"`{toml_value(DEFAULTS[key])}`"
    got = cells(row)[1] if len(cells(row)) > 1 else ""
    assert got == want, (f"docs/odd.md line {no}: default of `{key}` is {got or 'missing'}, "
                         f"the code says {want}")


def test_no_stale_keys_in_the_tables():
    stale = sorted(k for k in ROWS if k not in DEFAULTS)
    assert not stale, f"docs/odd.md documents keys the scenario does not have: {stale}"
    bad = sorted(k for k in ROWS if not KEY_RE.match(k))
    assert not bad, f"malformed keys in docs/odd.md tables: {bad}"


def test_mechanism_keys_sit_in_their_mechanism_section():
    starts = sorted((mechanism_heading(m.name), m.name) for m in MECHANISMS)
    heads = [no for _, no in sections()]
    for start, name in starts:
        end = next((h for h in heads if h > start), 10**9)
        for key, (_, no) in ROWS.items():
            if key.startswith(f"mechanisms.{name}."):
                assert start < no < end, (f"docs/odd.md line {no}: `{key}` lies outside the "
                                          f"section of mechanism `{name}` (line {start})")


# -- mechanisms ------------------------------------------------------------------------

@pytest.mark.parametrize("name", [m.name for m in MECHANISMS])
def test_every_mechanism_has_a_section(name):
    mechanism_heading(name)


def test_mechanism_sections_follow_the_loop_order():
    lines = [mechanism_heading(m.name) for m in MECHANISMS]
    assert lines == sorted(lines), "mechanism sections of docs/odd.md are not in loop order (MECHANISMS)"


def test_loop_order_in_process_overview():
    """Section 3 lists the mechanisms as numbered steps, in the order they run."""
    body = text().split("## 3.", 1)[1].split("\n## 4.", 1)[0]
    listed = re.findall(r"^\d+\. `([a-z_]+)`:", body, flags=re.M)
    assert listed == [m.name for m in MECHANISMS]


# -- recorded columns ------------------------------------------------------------------

@pytest.mark.parametrize("column", COLUMNS)
def test_every_timeseries_column_is_defined(column):
    assert re.search(rf"^\| `{re.escape(column)}` \|", text(), flags=re.M), (
        f"timeseries column `{column}` has no row in the indicator table of docs/odd.md")


def test_every_actor_column_is_defined():
    sc = cl.default_scenario().set(**{"population.firms": 6, "population.externals": 2, "steps": 1,
                                      "output.figures": False, "knowledge.domains": 2})
    sim = cl.Sim(sc).init()
    columns = list(sim.recorder.snapshot(sim).columns)
    doc = text()
    missing = [c for c in columns
               if not re.search(rf"^\| `{re.escape(c)}`( \||,)|^\| `[a-z_]+`, `{re.escape(c)}` \|", doc, flags=re.M)]
    assert not missing, f"actors.parquet columns without a row in docs/odd.md: {missing}"


# -- references to tests ---------------------------------------------------------------

def test_named_tests_exist():
    named = set(re.findall(r"`(test_[a-z0-9_]+)`", text()))
    assert named, "docs/odd.md names no tests for its modelling choices"
    defined = set()
    for path in TESTS.rglob("test_*.py"):
        defined |= set(re.findall(r"^def (test_[a-z0-9_]+)\(", path.read_text(encoding="utf-8"), flags=re.M))
    missing = sorted(named - defined)
    assert not missing, f"docs/odd.md names tests that do not exist: {missing}"

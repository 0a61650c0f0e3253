"""Numeric baseline: fixed scenarios and seeds whose indicators are checked in.

A refactor must leave every number here unchanged. A deliberate change of the model or of
its random draws refreshes the baseline in a commit of its own, saying why:

    CLUSTERLAB_UPDATE_BASELINE=1 python -m pytest tests/test_baseline.py

Every time-series column at a few steps is compared (relative tolerance 1e-9, far below
anything a change of the model would move); a column may be added, never lost.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest

import clusterlab as cl

HERE = Path(__file__).parent
FILE = HERE / "baseline.json"
UPDATE = os.environ.get("CLUSTERLAB_UPDATE_BASELINE") == "1"

EVENTS = [
    {"step": 6, "action": "start_cluster_org", "members": 0.4},
    {"step": 10, "action": "subsidise_pipelines", "share": 0.5},
    {"step": 12, "action": "set", "key": "mechanisms.trust.gain", "value": 0.05},
    {"step": 24, "action": "technology_shift", "domains": 1, "share": 0.5, "jump": 0.5},
    {"step": 30, "action": "recession", "demand": 0.8, "years": 1.0},
    {"step": 36, "action": "global_competition", "bar": 0.02},
    {"step": 40, "action": "fund_university", "ties": 10, "level": 0.7},
    {"step": 48, "action": "cut_support", "share": 0.5},
    {"step": 54, "action": "close_cluster_org"},
]


def generated() -> cl.Scenario:
    """Every mechanism on, every kind of event, a small cluster."""
    sc = cl.default_scenario().set(**{
        "seed": 2024, "steps": 60, "population.firms": 120, "population.externals": 20,
        "population.universities": 1, "population.institutes": 1, "population.intermediaries": 1,
        "population.agencies": 1, "population.cluster_orgs": 1, "knowledge.domains": 5,
        "output.figures": False, "mechanisms.technology.relevance_drift": 0.1,
    })
    return cl.validate({**sc.model_dump(), "events": EVENTS}, source="baseline")


def from_data() -> cl.Scenario:
    """The fixture survey cluster as the starting state."""
    return cl.default_scenario().set(**{
        "seed": 7, "steps": 24, "output.figures": False,
        "data.network": str(HERE / "fixtures" / "edges.csv"),
        "data.attributes": str(HERE / "fixtures" / "attributes.csv"),
    })


CASES = {"generated": (generated, (0, 1, 12, 24, 36, 48, 60)), "from_data": (from_data, (0, 1, 12, 24))}


def indicators(name: str) -> dict[str, list[float]]:
    make, steps = CASES[name]
    ts = cl.Sim(make()).run().timeseries.set_index("step")
    return {col: [float(ts.at[s, col]) for s in steps] for col in ts.columns}


@pytest.mark.parametrize("name", sorted(CASES))
def test_indicators_match_the_baseline(name):
    got = indicators(name)
    stored = json.loads(FILE.read_text()) if FILE.exists() else {}
    if UPDATE:
        stored[name] = got
        FILE.write_text(json.dumps(stored, indent=1, sort_keys=True) + "\n")
        pytest.skip("baseline written")
    want = stored[name]
    lost = sorted(set(want) - set(got))
    assert not lost, f"columns lost: {lost}"
    diffs = []
    for col, values in want.items():
        for step, w, g in zip(CASES[name][1], values, got[col]):
            same = (math.isnan(w) and math.isnan(g)) or math.isclose(w, g, rel_tol=1e-9, abs_tol=1e-12)
            if not same:
                diffs.append(f"{col} at step {step}: baseline {w!r}, now {g!r}")
    assert not diffs, f"{len(diffs)} values differ from the baseline:\n" + "\n".join(diffs[:30])

"""The README's examples run: its scenario file validates, its scenarios exist and validate."""

import re
import tomllib
from pathlib import Path

import clusterlab as cl

README = (Path(__file__).parents[1] / "README.md").read_text()
ROOT = Path(__file__).parents[1]


def test_readme_scenario_example_validates():
    blocks = re.findall(r"```toml\n(.*?)```", README, re.S)
    example = next(b for b in blocks if 'name = "weak-trust"' in b)
    sc = cl.validate(tomllib.loads(example), source="README")
    assert sc.population.firms == 400 and sc.mechanisms.transfer.pipeline is False
    assert sc.mechanisms.spillover.enabled is False and sc.output.snapshots == [60]


def test_readme_events_example_validates():
    blocks = re.findall(r"```toml\n(.*?)```", README, re.S)
    events = next(b for b in blocks if "[[events]]" in b)
    sc = cl.validate(tomllib.loads(events), source="README")
    assert [e.action for e in sc.events] == ["start_cluster_org", "technology_shift", "recession"]


def test_every_example_scenario_in_the_readme_exists_and_validates():
    named = set(re.findall(r"scenarios/(\w+)\.toml", README))
    assert named == {"lock_in", "open_cluster", "cluster_org", "shocks"}
    for name in named:
        cl.load_scenario(ROOT / "scenarios" / f"{name}.toml")


def test_readme_python_example_runs():
    sc = cl.default_scenario().set(steps=3, **{"mechanisms.trust.enabled": False})
    res = cl.run(sc)
    assert len(res.timeseries) == 4 and not res.actors.empty
    assert cl.run(sc, mechanisms__spillover__enabled=False).timeseries["flow_spillover"].sum() == 0

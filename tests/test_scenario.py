"""Scenario validation, overrides and the commented TOML round trip."""

import tomllib

import pytest

import clusterlab as cl
from clusterlab.scenario import load_scenario, parse_override, validate


def test_default_scenario_matches_the_brief():
    sc = cl.default_scenario()
    p = sc.population
    assert p.firms == 200 and round(p.focal_share * p.firms) == 10 and p.stages == 4
    assert p.universities + p.institutes + p.intermediaries + p.agencies + p.cluster_orgs == 12
    assert p.cluster_orgs == 1 and p.externals == 50
    assert sc.knowledge.domains == 8 and sc.steps == 240 and sc.steps_per_year == 12


def test_toml_round_trip_is_exact():
    sc = cl.default_scenario().set(seed=9, **{"mechanisms.trust.gain": 0.07, "output.snapshots": [12, 24]})
    text = sc.to_toml()
    assert "# transfer rate over pipelines" in text  # descriptions become comments
    assert validate(tomllib.loads(text)) == sc


def test_set_changes_mechanisms_in_code():
    sc = cl.default_scenario().set(mechanisms__spillover__enabled=False, **{"mechanisms.transfer.beta_vertical": 0.1})
    assert sc.mechanisms.spillover.enabled is False
    assert sc.mechanisms.transfer.beta_vertical == 0.1
    assert cl.default_scenario().mechanisms.spillover.enabled is True  # the original is untouched


@pytest.mark.parametrize("data, words", [
    ({"populaton": {"firms": 3}}, ["unknown key 'populaton'"]),
    ({"population": {"firms": "many"}}, ["population.firms", "integer"]),
    ({"population": {"firms": 0}}, ["population.firms", "greater than or equal to 1"]),
    ({"mechanisms": {"trust": {"gain": 2.0}}}, ["mechanisms.trust.gain", "less than or equal to 1"]),
    ({"mechanisms": {"trust": {"enabled": "maybe"}}}, ["mechanisms.trust.enabled", "boolean"]),
    ({"mechanisms": {"transfer": {"beta_sideways": 0.1}}}, ["unknown key 'mechanisms.transfer.beta_sideways'"]),
    ({"steps": 10, "output": {"snapshots": [20]}}, ["snapshot", "[0, steps=10]"]),
    ({"population": {"external_km": [900, 100]}}, ["external_km"]),
    ({"network": 3}, ["network", "table"]),
])
def test_bad_values_name_source_and_key(data, words):
    with pytest.raises(cl.ScenarioError) as err:
        validate(data, source="my.toml")
    msg = str(err.value)
    assert msg.startswith("my.toml: ") and "\n" not in msg
    for w in words:
        assert w in msg


def test_files_and_overrides(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text('name = "x"\n[population]\nfirms = 30\n')
    sc = load_scenario(f, {"steps": 5, "mechanisms.trust.enabled": False})
    assert (sc.name, sc.population.firms, sc.steps, sc.mechanisms.trust.enabled) == ("x", 30, 5, False)
    with pytest.raises(cl.ScenarioError, match="unknown key 'mechanisms.trust.speed'"):
        load_scenario(f, {"mechanisms.trust.speed": 1})
    with pytest.raises(cl.ScenarioError, match="no such file"):
        load_scenario(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[population\nfirms = 3\n")
    with pytest.raises(cl.ScenarioError, match=r"bad.toml: malformed TOML: .*line 1"):
        load_scenario(bad)


def test_parse_override():
    assert parse_override("mechanisms.trust.enabled=false") == ("mechanisms.trust.enabled", False)
    assert parse_override("seed=7") == ("seed", 7)
    assert parse_override("name=lockin") == ("name", "lockin")
    assert parse_override("output.snapshots=[1, 2]") == ("output.snapshots", [1, 2])
    with pytest.raises(cl.ScenarioError):
        parse_override("seed")

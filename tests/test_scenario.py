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
    ({"output": {"snapshots": [-1]}}, ["output.snapshots.0", "greater than or equal to 0"]),
    ({"population": {"external_km": [900, 100]}}, ["table 'population': external_km", "got [900, 100]"]),
    ({"network": 3}, ["network", "table"]),
])
def test_bad_values_name_source_and_key(data, words):
    with pytest.raises(cl.ScenarioError) as err:
        validate(data, source="my.toml")
    msg = str(err.value)
    assert msg.startswith("my.toml: ") and "\n" not in msg
    assert "{'" not in msg  # never a whole table dumped
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


# -- every number has a finite range the model can use (issue 8) -----------------------

import math  # noqa: E402
import typing  # noqa: E402

import numba as nb  # noqa: E402
import numpy as np  # noqa: E402
from pydantic import BaseModel  # noqa: E402

from clusterlab.events import EVENT_TYPES  # noqa: E402
from clusterlab.params import Params  # noqa: E402

# Keys whose upper bound is a size of the model, not a value to run in a test: their range
# is still checked by (a) and (c), and the upper bound is validated (not run) in (b).
SIZE_KEYS = {"population.firms": "50 million firms", "steps": "a million steps"}
SMALL = {"population": {"firms": 40, "externals": 10, "universities": 1, "institutes": 1,
                        "intermediaries": 1, "agencies": 1, "cluster_orgs": 1},
         "knowledge": {"domains": 4}, "steps": 2, "output": {"figures": False}}


def _number_type(annotation) -> tuple[type | None, list, int]:
    """(int or float, metadata of the items, number of items: 0 scalar, -1 list, k tuple)
    of a numeric field, else (None, [], 0)."""
    origin = typing.get_origin(annotation)
    if origin in (list, tuple):
        args = typing.get_args(annotation)
        item = args[0]
        base, *extra = typing.get_args(item) if typing.get_origin(item) is typing.Annotated else (item,)
        meta = [m for e in extra for m in getattr(e, "metadata", [])]
        if base in (int, float):
            return base, meta, -1 if origin is list else len(args)
        return None, [], 0
    if annotation in (int, float):
        return annotation, None, 0
    return None, [], 0


def numeric_fields():
    """(dotted key, data builder, type, lo, lo_open, hi, hi_open) for every numeric key of
    every table: run keys, shared tables, each mechanism's table and each event's keys."""
    out = []

    def visit(model: type[BaseModel], prefix: str, build):
        for name, info in model.model_fields.items():
            ann = info.annotation
            if isinstance(ann, type) and issubclass(ann, Params):
                visit(ann, f"{prefix}{name}.", lambda v, b=build, n=name: b({n: v}))
                continue
            base, meta, items = _number_type(ann)
            if base is None:
                continue
            meta = info.metadata if meta is None else meta
            lo = hi = None
            lo_open = hi_open = False
            for m in meta:
                for attr, is_lo, is_open in (("ge", 1, 0), ("gt", 1, 1), ("le", 0, 0), ("lt", 0, 1)):
                    v = getattr(m, attr, None)
                    if v is not None:
                        if is_lo:
                            lo, lo_open = v, bool(is_open)
                        else:
                            hi, hi_open = v, bool(is_open)
            wrap = (lambda v: [v]) if items == -1 else (lambda v, k=items: [v] * k) if items else (lambda v: v)
            out.append((f"{prefix}{name}", lambda v, b=build, n=name, w=wrap: b({n: w(v)}), base, lo, lo_open, hi, hi_open))

    visit(cl.Scenario, "", lambda d: d)
    for cls in EVENT_TYPES:
        action = typing.get_args(cls.model_fields["action"].annotation)[0]
        required = {"key": "mechanisms.trust.gain", "value": 0.1} if action == "set" else {}

        def build(d, a=action, r=required):
            return {"events": [{"step": 1, "action": a, **r, **d}]}

        visit(cls, f"events.{action}.", build)
    return out


FIELDS = {f[0]: f for f in numeric_fields()}


def test_every_table_has_numeric_keys_found():
    keys = set(FIELDS)
    assert {"population.region_km", "network.tie_km", "mechanisms.projects.lead_rate", "events.recession.years",
            "events.technology_shift.domains", "population.external_km", "output.snapshots", "seed"} <= keys
    assert len(keys) > 150


@pytest.mark.parametrize("key", sorted(FIELDS))
def test_every_number_has_a_finite_range(key):
    _, _, _, lo, _, hi, _ = FIELDS[key]
    assert lo is not None and math.isfinite(lo), f"{key} has no finite lower bound"
    assert hi is not None and math.isfinite(hi), f"{key} has no finite upper bound"
    assert lo <= hi


def _inside(base, bound, is_open, direction):
    if not is_open:
        return bound
    return bound + direction if base is int else bound + direction * 1e-6 * max(1.0, abs(bound))


def _merge(a: dict, b: dict) -> dict:
    out = dict(a)
    for k, v in b.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


@pytest.mark.parametrize("end", ["lo", "hi"])
@pytest.mark.parametrize("key", sorted(FIELDS))
def test_a_key_at_either_end_of_its_range_runs_or_is_refused(key, end):
    import warnings

    _, build, base, lo, lo_open, hi, hi_open = FIELDS[key]
    value = _inside(base, lo, lo_open, +1) if end == "lo" else _inside(base, hi, hi_open, -1)
    data = _merge(SMALL, build(value))
    try:
        sc = validate(data, source="t.toml")
    except cl.ScenarioError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("t.toml: ")
        return
    if end == "hi" and key in SIZE_KEYS:
        return  # validated; running it is a benchmark, not a test
    threads = nb.get_num_threads()
    nb.set_num_threads(1)  # a 60-actor run: one thread, as Sim.step does for small models
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", cl.ClusterlabWarning)
            res = cl.Sim(sc).run()
    finally:
        nb.set_num_threads(threads)
    ts = res.timeseries.select_dtypes("number")
    bad = [c for c in ts.columns if not np.isfinite(ts[c].to_numpy(float)).all()]
    assert not bad, f"{key} = {value}: not finite in {bad}"


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan, 1e308, "inf"])
def test_non_finite_and_huge_numbers_are_refused_naming_the_key(bad):
    for key, (_, build, *_rest) in FIELDS.items():
        with pytest.raises(cl.ScenarioError) as err:
            validate(build(bad), source="t.toml")
        msg = str(err.value)
        named = key.replace("events." + key.split(".")[1] + ".", "events.0.") if key.startswith("events.") else key
        assert "\n" not in msg and msg.startswith("t.toml: ") and named in msg, (key, msg)


@pytest.mark.parametrize("bad", [True, False])
def test_true_or_false_for_a_number_is_refused_naming_the_key(bad):
    # pydantic alone reads true as 1 (a robustness sweep: --set ...proposals=true ran with 1)
    for key, (_, build, *_rest) in FIELDS.items():
        with pytest.raises(cl.ScenarioError) as err:
            validate(build(bad), source="t.toml")
        msg = str(err.value)
        named = key.split(".")[-1]
        assert "\n" not in msg and msg.startswith("t.toml: ") and named in msg, (key, msg)
    assert cl.default_scenario().set(**{"mechanisms.trust.enabled": False}).mechanisms.trust.enabled is False
    event = {"action": "set", "step": 1, "key": "mechanisms.network_evolution.proposals", "value": bad}
    with pytest.raises(cl.ScenarioError, match="input should be a number for mechanisms.network_evolution.proposals"):
        validate({"events": [event]}, source="t.toml")
    validate({"events": [{**event, "key": "mechanisms.trust.enabled"}]}, source="t.toml")  # a switch takes it
    with pytest.raises(cl.ScenarioError, match="unknown action"):  # the check does not trip on any tag
        validate({"events": [{"action": [1], "step": 1}]}, source="t.toml")


@pytest.mark.parametrize("bad", [math.inf, math.nan, 1e308])
def test_set_events_refuse_non_finite_values_for_every_live_key(bad):
    from clusterlab.scenario import live_keys

    for key in live_keys(cl.Scenario):
        if key.endswith(".enabled") or key.split(".")[-1] in ("horizontal", "vertical", "multi_angle", "pipeline",
                                                               "keep_membership"):
            continue  # switches
        with pytest.raises(cl.ScenarioError, match=r"events\.0\.value"):
            validate({"events": [{"step": 1, "action": "set", "key": key, "value": bad}]}, source="t.toml")


@pytest.mark.parametrize("data, hint", [
    ({"populaton": {"firms": 3}}, "did you mean 'population'?"),
    ({"mechanisms": {"trust": {"enabeld": False}}}, "did you mean 'mechanisms.trust.enabled'?"),
    ({"mechanisms": {"trsut": {"gain": 0.1}}}, "did you mean 'mechanisms.trust'?"),
    ({"network": {"tie_kms": 3.0}}, "did you mean 'network.tie_km'?"),
    ({"events": [{"step": 1, "action": "recession", "yeras": 2}]}, "did you mean 'events.0.years'?"),
    ({"events": [{"step": 1, "action": "recesion"}]}, "did you mean 'recession'?"),
    ({"events": [{"step": 1, "action": "set", "key": "mechanisms.trust.gian", "value": 0.1}]},
     "did you mean 'mechanisms.trust.gain'?"),
])
def test_unknown_keys_and_actions_get_a_did_you_mean(data, hint):
    with pytest.raises(cl.ScenarioError) as err:
        validate(data, source="my.toml")
    assert hint in str(err.value) and "\n" not in str(err.value)


def test_no_did_you_mean_when_nothing_is_close():
    with pytest.raises(cl.ScenarioError) as err:
        validate({"zzzz": 1}, source="my.toml")
    assert "did you mean" not in str(err.value)


@pytest.mark.parametrize("key, hint", [
    ("populaton.firms", "did you mean 'population.firms'?"),
    ("mechanisms.trust.enabeld", "did you mean 'mechanisms.trust.enabled'?"),
    ("network.horizontal_degre", "did you mean 'network.horizontal_degree'?"),
])
def test_unknown_override_gets_a_did_you_mean(key, hint):
    with pytest.raises(cl.ScenarioError) as err:
        load_scenario(None, {key: 1})
    msg = str(err.value)
    assert f"unknown key '{key}'" in msg and hint in msg


def test_attributes_without_network_is_refused():
    with pytest.raises(cl.ScenarioError, match=r"my.toml: key 'data.attributes': needs 'data.network'"):
        validate({"data": {"attributes": "firms.csv"}}, source="my.toml")


@pytest.mark.parametrize("changes, words", [
    ({"population.firms": 50_000_000, "network.horizontal_degree": 100.0}, ["starting ties"]),
    ({"population.firms": 5_000_000, "knowledge.domains": 256}, ["knowledge.domains = 256", "knowledge cells"]),
])
def test_a_cluster_too_big_to_hold_is_refused(changes, words):
    with pytest.raises(cl.ScenarioError) as err:
        cl.default_scenario().set(**changes)
    for w in words:
        assert w in str(err.value)


def test_a_small_scale_over_a_wide_region_keeps_the_grid_small():
    from clusterlab.spatial import MAX_CELLS, Grid

    rng = np.random.default_rng(0)
    x, y = rng.uniform(0, 5000, 100), rng.uniform(0, 5000, 100)
    grid = Grid(x, y, np.arange(100) % 50, 0.01)
    assert grid.ncells * grid.nclasses <= 3 * MAX_CELLS
    near = grid.pick_near(rng, x, y, np.zeros(100, np.int64), 0.01)
    assert (near >= 0).all()
    small = Grid(x[:10] / 1000, y[:10] / 1000, np.zeros(10, np.int64), 0.5)
    assert small.cell_km == 0.5  # the cap does not touch ordinary grids


def test_a_preset_loads_by_name_and_a_near_miss_suggests_it(tmp_path, monkeypatch):
    from clusterlab import ScenarioError, load_scenario, presets

    monkeypatch.chdir(tmp_path)
    assert load_scenario("lock_in").name == "lock_in"
    assert presets.resolve("lock_in") == presets.path("lock_in")
    with pytest.raises(ScenarioError, match=r"no such file or preset: 'lockin' \(did you mean 'lock_in'\?\)"):
        load_scenario("lockin")
    (tmp_path / "lock_in").write_text('name = "mine"\n')  # a file of that name wins
    assert load_scenario("lock_in").name == "mine"
    with pytest.raises(ScenarioError, match="missing.toml: no such file"):
        load_scenario("missing.toml")

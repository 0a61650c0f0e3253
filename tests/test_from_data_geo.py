"""A simulation started from a real cluster has the data's geography and cognitive proximity
(issue 12): the model's proximities correlate with the data's."""

import subprocess
import sys
import warnings

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import clusterlab as cl
from clusterlab.data import ClusterNetwork, DataError
from clusterlab.from_data import state_from_network
from clusterlab.geography import span_km
from clusterlab.profiles import industry_proximity
from clusterlab.proximity import cognitive, geographic_km

SECTORS = ["C25.62", "C25.61", "C25.11", "C28.41", "C28.99", "C26.11", "M71.12", "M72.19"]


def cluster(n=60, seed=0, span=11.0):
    """A cluster with known geography (uniform in a `span` km square) and industries; ties
    by distance. Returns the network (attributes: kind, industry; no positions), the km
    matrix and the industry-code cognitive proximity."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, span, (n, 2))
    code = np.array(SECTORS, dtype=object)[rng.integers(0, len(SECTORS), n)]
    km = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    i, j = np.triu_indices(n, 1)
    tied = rng.random(len(i)) < 0.5 * np.exp(-km[i, j] / 2)
    ids = np.array([f"F{k:02d}" for k in range(n)], dtype=object)
    attrs = pd.DataFrame({"id": ids, "kind": "sme", "industry": code})
    net = ClusterNetwork(ids=ids, src=i[tied], dst=j[tied], weight=np.ones(int(tied.sum())), directed=False,
                         attributes=attrs, source="synthetic")
    return net, xy, km, industry_proximity(list(code))


def write(tmp_path, name, M, ids):
    path = tmp_path / name
    pd.DataFrame(M, index=list(ids), columns=list(ids)).to_csv(path)
    return str(path)


def scenario(**keys):
    return cl.default_scenario().set(**{"steps": 3, "output.figures": False, **{f"data.{k}": v for k, v in keys.items()}})


def model_vs_data(actors, km, P, n):
    i, j = np.triu_indices(n, 1)
    r_geo = np.corrcoef(geographic_km(actors, i, j), km[i, j])[0, 1]
    r_cog = np.corrcoef(cognitive(actors, i, j), P[i, j])[0, 1]
    return r_geo, r_cog


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_model_proximities_correlate_with_the_datas(tmp_path, seed):
    net, xy, km, P = cluster(seed=seed)
    sc = scenario(geographic=write(tmp_path, "geo.csv", km, net.ids), cognitive=write(tmp_path, "cog.csv", P, net.ids))
    sim = cl.Sim(sc).init(network=net)
    r_geo, r_cog = model_vs_data(sim.actors, km, P, net.n)
    assert r_geo > 0.999
    assert r_cog > 0.9  # measured 0.93-0.96 (6 own domains of the default 8 for 8 codes)
    fit = sim.data_fit
    assert fit["positions"] == {"matrix": net.n} and fit["geographic_fit"]["kind"] == "distance"
    assert fit["geographic_fit"]["stress"] < 1e-6 and fit["cognitive_fit"]["r"] == pytest.approx(r_cog, abs=0.02)
    sim.run()  # and the simulation runs from it


def test_industry_codes_alone_give_the_codes_cognitive_proximity():
    rs = []
    for seed in range(3):
        net, xy, km, P = cluster(seed=seed)
        actors, _, _ = state_from_network(net, scenario(), np.random.default_rng(seed))
        rs.append(model_vs_data(actors, km, P, net.n)[1])
    # lower than from the matrix: a share 1 - knowledge.specialisation of each profile is random
    assert min(rs) > 0.75, rs  # measured 0.80-0.84
    net, xy, km, P = cluster(seed=0)
    sharp, _, _ = state_from_network(net, scenario().set(**{"knowledge.specialisation": 1.0}), np.random.default_rng(0))
    assert model_vs_data(sharp, km, P, net.n)[1] > max(rs)


def test_without_codes_or_matrix_knowledge_is_unrelated_to_industry():
    net, xy, km, P = cluster(seed=0)
    net.attributes = net.attributes.drop(columns=["industry"])
    actors, _, _ = state_from_network(net, scenario(), np.random.default_rng(0))
    assert abs(model_vs_data(actors, km, P, net.n)[1]) < 0.2  # what issue 12 found: no link


def test_the_cluster_spans_the_datas_km_not_the_region(tmp_path):
    net, xy, km, P = cluster(seed=3, span=11.0)
    report = {}
    actors, _, _ = state_from_network(net, scenario(geographic=write(tmp_path, "g.csv", km, net.ids)),
                                      np.random.default_rng(0), report)
    n = net.n
    i, j = np.triu_indices(n, 1)
    assert geographic_km(actors, i, j).max() == pytest.approx(km.max(), rel=1e-4)  # the diameter
    assert report["span_km"] == pytest.approx(km.max(), rel=1e-4) and report["span_km"] < 16
    assert cl.default_scenario().population.region_km == 40
    # without any geography: the force layout fills population.region_km (the old behaviour)
    free, _, _ = state_from_network(net, scenario(), np.random.default_rng(0), rep := {})
    assert rep["positions"] == {"layout": n} and span_km(np.column_stack([free.x[:n], free.y[:n]])) > 30


def test_geographic_proximity_is_inverted_to_km(tmp_path):
    net, xy, km, P = cluster(seed=4)
    prox = write(tmp_path, "gp.csv", np.exp(-km / 10.0), net.ids)
    for kind in ("auto", "proximity"):
        actors, _, _ = state_from_network(net, scenario(geographic=prox, geographic_kind=kind),
                                          np.random.default_rng(0))
        assert model_vs_data(actors, km, P, net.n)[0] > 0.999
    zero = np.exp(-km / 10.0)
    np.fill_diagonal(zero, 0)  # a diagonal left empty as 0: cells within 0-1 read as proximity
    actors, _, _ = state_from_network(net, scenario(geographic=write(tmp_path, "g0.csv", zero, net.ids)),
                                      np.random.default_rng(0), rep := {})
    assert rep["geographic_fit"]["kind"] == "proximity" and model_vs_data(actors, km, P, net.n)[0] > 0.999
    other = write(tmp_path, "gp5.csv", np.exp(-km / 5.0), net.ids)  # made with another scale
    actors, _, _ = state_from_network(net, scenario(geographic=other, geographic_scale_km=5.0), np.random.default_rng(0))
    i, j = np.triu_indices(net.n, 1)
    assert np.allclose(geographic_km(actors, i, j), km[i, j], atol=1e-3)


def test_precedence_xy_then_lonlat_then_matrix_then_layout(tmp_path):
    net, xy, km, P = cluster(seed=5)
    n = net.n
    attrs = net.attributes.copy()
    half = np.arange(n) < n // 2
    attrs["x"] = np.where(half, xy[:, 0] + 100, np.nan)  # given x/y: kept exactly
    attrs["y"] = np.where(half, xy[:, 1] + 50, np.nan)
    net.attributes = attrs
    report = {}
    actors, _, _ = state_from_network(net, scenario(geographic=write(tmp_path, "g.csv", km, net.ids)),
                                      np.random.default_rng(0), report)
    assert np.allclose(actors.x[:n][half], xy[half, 0] + 100, atol=1e-4)
    assert report["positions"] == {"x/y": n // 2, "matrix": n - n // 2}
    # the MDS positions are rotated onto the given ones: every distance right
    assert model_vs_data(actors, km, P, n)[0] > 0.999
    # no matrix: the rest by force layout, inside the given positions' bounding box
    actors, _, _ = state_from_network(net, scenario(), np.random.default_rng(0), report := {})
    assert report["positions"] == {"x/y": n // 2, "layout": n - n // 2}
    rest = ~half
    assert (actors.x[:n][rest] >= xy[half, 0].min() + 100 - 1e-3).all()
    assert (actors.x[:n][rest] <= xy[half, 0].max() + 100 + 1e-3).all()
    # lon/lat given in Python (not projected by a reader): projected to km
    attrs = net.attributes.drop(columns=["x", "y"])
    attrs["lat"] = 48.0 + xy[:, 1] / 111.195
    attrs["lon"] = 10.0 + xy[:, 0] / (111.195 * np.cos(np.radians(48.05)))
    net.attributes = attrs
    actors, _, _ = state_from_network(net, scenario(), np.random.default_rng(0), report := {})
    assert report["positions"] == {"lon/lat": n}
    assert model_vs_data(actors, km, P, n)[0] > 0.9999


def test_bad_matrices_are_one_error_naming_the_file(tmp_path):
    net, xy, km, P = cluster(n=12, seed=6)
    rng = np.random.default_rng(0)
    short = write(tmp_path, "short.csv", km[:10, :10], net.ids[:10])
    with pytest.raises(DataError, match=r"short\.csv: 2 of the network's 12 actors have no row and column in the "
                                        r"geographic matrix: 'F10', 'F11'"):
        state_from_network(net, scenario(geographic=short), rng)
    neg = km.copy()
    neg[0, 1] = neg[1, 0] = -3
    with pytest.raises(DataError, match=r"neg\.csv: negative distance -3"):
        state_from_network(net, scenario(geographic=write(tmp_path, "neg.csv", neg, net.ids), geographic_kind="distance"), rng)
    with pytest.raises(DataError, match=r"neg\.csv: cannot tell whether"):
        state_from_network(net, scenario(geographic=write(tmp_path, "neg.csv", neg + np.eye(12) * 2, net.ids)), rng)
    with pytest.raises(DataError, match=r"cog\.csv: a cognitive proximity must lie from 0 to 1"):
        state_from_network(net, scenario(cognitive=write(tmp_path, "cog.csv", km, net.ids)), rng)
    (tmp_path / "ragged.csv").write_text(",a,b\na,0,1\n")
    with pytest.raises(DataError, match=r"ragged\.csv: matrix is not square"):
        state_from_network(net, scenario(cognitive=str(tmp_path / "ragged.csv")), rng)
    # extra labels (e.g. actors absent from this wave) are ignored
    extra = np.zeros((13, 13))
    extra[:12, :12] = km
    ok = write(tmp_path, "extra.csv", extra, [*net.ids, "GONE"])
    state_from_network(net, scenario(geographic=ok), rng)


def test_a_poor_mds_fit_is_warned_of(tmp_path):
    net, xy, km, P = cluster(n=30, seed=7)
    rng = np.random.default_rng(7)
    noisy = km * rng.uniform(0.2, 3, km.shape)
    noisy = (noisy + noisy.T) / 2
    np.fill_diagonal(noisy, 0)
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        state_from_network(net, scenario(geographic=write(tmp_path, "noisy.csv", noisy, net.ids)), rng)
    assert any("noisy.csv" in str(w.message) and "fit the geographic matrix poorly" in str(w.message) for w in got)


def test_scenario_paths_are_relative_and_cli_takes_the_matrices(tmp_path, cli_in_process):
    net, xy, km, P = cluster(n=20, seed=8)
    a, b, _ = net.undirected_edges()
    adj = np.zeros((net.n, net.n), int)
    adj[a, b] = adj[b, a] = 1
    write(tmp_path, "e.csv", adj, net.ids)  # a matrix keeps the isolates
    net.attributes.to_csv(tmp_path / "attrs.csv", index=False)
    write(tmp_path, "geo.csv", km, net.ids)
    write(tmp_path, "cog.csv", P, net.ids)
    f = tmp_path / "s.toml"
    f.write_text('steps = 2\n[data]\nnetwork = "e.csv"\ngeographic = "geo.csv"\ncognitive = "cog.csv"\n')
    sc = cl.load_scenario(f)
    assert sc.data.geographic == str(tmp_path / "geo.csv") and sc.data.cognitive == str(tmp_path / "cog.csv")
    sim = cl.Sim(sc).init()
    ids = [str(i) for i in sim.labels]
    order = [list(net.ids).index(i) for i in ids]
    r_geo, _ = model_vs_data(sim.actors, km[np.ix_(order, order)], P[np.ix_(order, order)], net.n)
    assert r_geo > 0.999

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "clusterlab", *map(str, args)], capture_output=True, text=True)

    out = tmp_path / "o"
    proc = cli("run", "--from-network", tmp_path / "e.csv", "--attributes", tmp_path / "attrs.csv",
               "--geographic", f"{tmp_path / 'geo.csv'}:distance", "--cognitive", tmp_path / "cog.csv",
               "--steps", 2, "--out", out, "-q", "--no-figures")
    assert proc.returncode == 0, proc.stderr
    done = cl.load_scenario(out / "scenario.toml")
    assert done.data.geographic_kind == "distance" and done.data.cognitive.endswith("cog.csv")
    # the bad inputs in process (conftest.cli_in_process, the same entry point and stderr)
    proc = cli_in_process("run", "--geographic", tmp_path / "geo.csv", "--out", tmp_path / "x")
    assert proc.returncode == 2 and "--geographic needs --from-network" in proc.stderr
    proc = cli_in_process("run", "--from-network", tmp_path / "e.csv", "--cognitive", tmp_path / "geo.csv",
               "--out", tmp_path / "y", "-q")
    assert proc.returncode == 2 and "geo.csv: a cognitive proximity must lie from 0 to 1" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_readme_data_example_validates():
    import re
    import tomllib
    from pathlib import Path

    readme = (Path(__file__).parents[1] / "README.md").read_text()
    block = next(b for b in re.findall(r"```toml\n(.*?)```", readme, re.S) if "geographic_kind" in b)
    sc = cl.validate(tomllib.loads(block), source="README")
    assert sc.data.geographic == "geo_km.csv" and sc.data.geographic_kind == "distance" and sc.data.cognitive == "cog.csv"


def test_industry_codes_are_read_as_text(tmp_path):
    from clusterlab.data import read_attributes, read_network
    from clusterlab.profiles import normalise_code

    (tmp_path / "e.csv").write_text("source,target\nA,B\nB,C\n")
    (tmp_path / "a.csv").write_text("id,industry\nA,01.10\nB,332710\nC,C25.62\n")
    net = read_attributes(tmp_path / "a.csv", read_network(tmp_path / "e.csv"))
    assert [normalise_code(c) for c in net.attributes["industry"]] == ["0110", "332710", "C2562"]
    assert normalise_code(332710.0) == "332710"  # a code that reached Python as a number


def test_an_industry_column_by_another_name_or_codes_written_two_ways_give_the_same_profiles():
    """`Industry`, `NACE code`, `naics`, ... are the industry column (any case), and a code
    written with and without its NACE section letter is one code (a sweep found both
    silently ignored or unrelated)."""
    net, xy, km, P = cluster(seed=0)
    want, _, _ = state_from_network(net, scenario(), np.random.default_rng(0))
    renamed = replace(net, attributes=net.attributes.rename(columns={"industry": "NACE code"}))
    report = {}
    got, _, _ = state_from_network(renamed, scenario(), np.random.default_rng(0), report)
    assert np.array_equal(got.T, want.T) and report["cognitive_fit"]["column"] == "NACE code"
    assert not report["cognitive_fit"]["section_letters_dropped"]
    codes = net.attributes["industry"].astype(str)
    assert codes.str.match(r"[A-Z][0-9]").all()  # SECTORS carry their section letter
    half = codes.where(np.arange(net.n) % 2 == 0, codes.str[1:])  # every other firm without it
    both = replace(net, attributes=net.attributes.assign(industry=half))
    report = {}
    got, _, _ = state_from_network(both, scenario(), np.random.default_rng(0), report)
    assert report["cognitive_fit"]["section_letters_dropped"]
    assert report["cognitive_fit"]["codes"] == len(set(codes))  # one code per class, as before
    stripped = replace(net, attributes=net.attributes.assign(industry=codes.str[1:]))
    alike, _, _ = state_from_network(stripped, scenario(), np.random.default_rng(0))
    assert np.array_equal(got.T, alike.T)

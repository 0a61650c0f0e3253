"""Tests of `compare`'s proximity scales (distance or proximity, declared or detected, in
clusterlab.data.matrix), its yearly rates (--years) and that its suggested parameters are
valid keys of the scenario; and of the command's console output (scale notes, separation
warnings, suggested --set lines) and its errors."""

import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

import clusterlab
from clusterlab.analysis.calibrate import evolution_parameters
from clusterlab.analysis.compare import CompareError, compare
from clusterlab.data import ClusterNetwork, DataError, as_proximity, detect_scale, read_proximity, split_proximity_spec
from clusterlab.errors import ClusterlabError

GEO_KM = clusterlab.default_scenario().mechanisms.network_evolution.geo_km


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "clusterlab", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd)


def panel(n=120, seed=0, separate=False):
    """An undirected two-wave panel in an 8 x 8 km square (distances 0 to ~11 km): creation
    by closure and geographic proximity, persistence by cognitive proximity. Returns the
    waves, the km distance and cognitive proximity tables and the adjacency matrices."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 8, (n, 2))
    D = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    G = np.exp(-D / GEO_KM)
    prof = rng.dirichlet(np.full(4, 0.5), n)
    prof /= np.linalg.norm(prof, axis=1, keepdims=True)
    C = prof @ prof.T
    A1 = np.triu(rng.random((n, n)) < expit(-6.0 + 6.0 * G), 1)
    A1 |= A1.T
    U = A1.astype(int)
    cp = U @ U
    new = np.triu(rng.random((n, n)) < expit(-9.0 + 1.0 * np.log1p(cp) + 5.0 * G + 1.0 * C), 1)
    keep = np.triu(rng.random((n, n)) < expit(-0.5 + 2.0 * C), 1)
    if separate:
        keep = np.triu(C > 0.5, 1)
    new |= new.T
    keep |= keep.T
    A2 = np.where(A1, keep, new)
    np.fill_diagonal(A2, False)
    ids = np.array([f"f{i:03d}" for i in range(n)], dtype=object)

    def net(A):
        s, t = np.nonzero(np.triu(A, 1))
        return ClusterNetwork(ids, s, t, np.ones(len(s)), directed=False)

    lab = list(ids)
    return net(A1), net(A2), pd.DataFrame(D, lab, lab), pd.DataFrame(C, lab, lab), (A1, A2)


# ---------------------------------------------------------------------------------------
# scale: declared or detected
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expect", [
    ("geo=km.csv", ("geo", "km.csv", None)),
    ("geo=km.csv:distance", ("geo", "km.csv", "distance")),
    (" cog = c.csv:Proximity ", ("cog", "c.csv", "proximity")),
    (r"geo=C:\data\km.csv", ("geo", r"C:\data\km.csv", None)),
    (r"geo=C:\data\km.csv:distance", ("geo", r"C:\data\km.csv", "distance")),
])
def test_split_proximity_spec(text, expect):
    assert split_proximity_spec(text) == expect


def test_an_unknown_scale_suffix_is_named(tmp_path):
    # FILE:km where FILE exists: the suffix is a scale, not part of the name (it was "no such file")
    (tmp_path / "km.csv").write_text(",a,b\na,0,3\nb,3,0\n")
    with pytest.raises(DataError, match=r"^--geographic '.*km\.csv:km': unknown scale 'km' after the file"):
        split_proximity_spec(f"geographic={tmp_path / 'km.csv'}:km", "--geographic")
    assert split_proximity_spec(f"geo={tmp_path / 'nothere.csv'}:km")[1].endswith("nothere.csv:km")


@pytest.mark.parametrize("text", ["geo", "=km.csv", "geo=", "geo=:distance"])
def test_split_proximity_spec_errors_name_the_option(text):
    with pytest.raises(DataError, match=r"^--proximity .*expected NAME=MATRIX\[:distance\|:proximity\]"):
        split_proximity_spec(text)


def test_detect_scale():
    d = np.array([[0, 3.5, 11.0], [3.5, 0, 7.2], [11.0, 7.2, 0]])
    assert detect_scale(d)[0] == "distance" and "diagonal of zeros" in detect_scale(d)[1]
    assert detect_scale(np.exp(-d / 10))[0] == "proximity"
    assert detect_scale(np.array([[1, 0.2], [0.2, 1]]))[0] == "proximity"
    # 0-1 with a zero diagonal: proximity (say so; declare :distance otherwise)
    assert detect_scale(np.array([[0, 0.2], [0.2, 0]]))[0] == "proximity"
    # co-occurrence counts: the diagonal is each row's maximum
    assert detect_scale(np.array([[9, 2, 0], [2, 5, 1], [0, 1, 4.0]]))[0] == "proximity"
    # neither pattern and outside 0-1: undecidable
    assert detect_scale(np.array([[2, 5, 0.5], [5, 1, 3], [0.5, 3, 3.0]]))[0] is None


def test_as_proximity_converts_distances_and_says_what_it_assumed():
    lab = ["a", "b", "c"]
    D = pd.DataFrame([[0, 3.5, 11.0], [3.5, 0, 7.2], [11.0, 7.2, 0]], lab, lab)
    D.attrs["source"] = "km.csv"
    P, note = as_proximity(D, "geographic", geo_km=10.0)
    np.testing.assert_allclose(P.to_numpy(), np.exp(-D.to_numpy() / 10.0))
    assert P.attrs["scale"] == "distance" and P.attrs["scale_how"] == "detected"
    assert P.attrs["source"] == "km.csv"
    assert "read as a distance matrix" in note and "exp(-d / 10 km)" in note and "geographic=FILE:proximity" in note
    # declared, a non-geographic distance in 0-1 is 1 - d; else exp(-d / median)
    half = D / 22.0
    P, note = as_proximity(half, "cognitive", "distance")
    np.testing.assert_allclose(P.to_numpy(), 1 - half.to_numpy())
    assert "declared a distance matrix" in note
    P, _ = as_proximity(D, "other", "distance")
    np.testing.assert_allclose(P.to_numpy(), np.exp(-D.to_numpy() / 7.2))
    # a proximity is used as given, even with values above 1 when declared
    Q = D + 1
    P, note = as_proximity(Q, "other", "proximity")
    np.testing.assert_array_equal(P.to_numpy(), Q.to_numpy())
    assert "used as given" in note
    # undecidable and negative distances are errors naming the option
    U = pd.DataFrame([[2, 5, 0.5], [5, 1, 3], [0.5, 3, 3.0]], lab, lab)
    with pytest.raises(DataError, match=r"^--proximity 'x=u.csv': cannot tell .* declare it"):
        as_proximity(U, "x", where="--proximity 'x=u.csv'")
    with pytest.raises(DataError, match="negative"):
        as_proximity(D - 5, "geographic", "distance")


def test_distance_and_its_proximity_give_the_same_suggestions():
    w1, w2, D, C, _ = panel(seed=1)
    assert 10 < D.to_numpy().max() < 11.4  # a 0-11 km distance matrix
    G = pd.DataFrame(np.exp(-D.to_numpy() / GEO_KM), D.index, D.columns)
    Gd, _ = as_proximity(D, "geographic", geo_km=GEO_KM)
    a = compare(w1, w2, {"geographic": G, "cognitive": C}, years=3)
    b = compare(w1, w2, {"geographic": Gd, "cognitive": C}, years=3)
    sa, sb = evolution_parameters(a)["overrides"], evolution_parameters(b)["overrides"]
    assert set(sa) == set(sb) and "mechanisms.network_evolution.geo_weight" in sa
    for k in sa:
        assert sb[k] == pytest.approx(sa[k], rel=1e-6, abs=1e-4), k
    # used raw (the old behaviour: distance taken as proximity) they swing
    raw = evolution_parameters(compare(w1, w2, {"geographic": D, "cognitive": C}))["overrides"]
    assert raw.get("mechanisms.network_evolution.geo_weight", 0) < 0.1 * sa["mechanisms.network_evolution.geo_weight"]


# ---------------------------------------------------------------------------------------
# years, rates and suggested keys
# ---------------------------------------------------------------------------------------
def test_years_give_yearly_rates_and_dissolve_rate():
    w1, w2, D, C, (A1, A2) = panel(seed=2)
    G, _ = as_proximity(D, "geographic", geo_km=GEO_KM)
    r = compare(w1, w2, {"geographic": G, "cognitive": C}, years=3)
    ev = evolution_parameters(r)
    assert ev["years"] == 3
    rates = ev["rates"]
    t = r.tie_counts
    assert rates["dissolution_hazard_per_tie"] == pytest.approx(-math.log(t["persistence_rate"]) / 3, abs=1e-6)
    assert rates["creation_hazard_per_pair"] == pytest.approx(-math.log(1 - t["creation_rate"]) / 3, abs=1e-6)
    assert rates["new_ties_per_stayer"] == pytest.approx(t["created"] / (len(r.stayers) * 3), abs=1e-6)
    # dissolve_rate: the yearly hazard at c = 0, other terms at their means
    c = r.coefficients.set_index(["model", "term"])["coef"]
    eta0 = c[("persistence", "const")] + sum(c[("persistence", nm)] * m
                                             for nm, m in r.models["persistence"]["means"].items()
                                             if nm != "cognitive")
    expect = -math.log(expit(eta0)) / 3
    assert ev["overrides"]["mechanisms.network_evolution.dissolve_rate"] == pytest.approx(expect, abs=1e-4)
    # twice the interval, half the yearly hazard
    ev6 = evolution_parameters(r, years=6)
    assert ev6["overrides"]["mechanisms.network_evolution.dissolve_rate"] == pytest.approx(expect / 2, abs=1e-4)
    # without years: no dissolve_rate, no rates, and the reason is given
    bare = evolution_parameters(compare(w1, w2, {"geographic": G, "cognitive": C}))
    assert "mechanisms.network_evolution.dissolve_rate" not in bare["overrides"]
    assert bare["rates"] == {} and "--years" in bare["not_informed"]["dissolve_rate"]
    for bad in (0, -1, float("nan"), float("inf")):
        with pytest.raises(CompareError, match="years must be a number > 0"):
            compare(w1, w2, years=bad)


def test_suggested_parameters_are_valid_keys_of_the_default_scenario():
    w1, w2, D, C, _ = panel(seed=3)
    G, _ = as_proximity(D, "geographic", geo_km=GEO_KM)
    r = compare(w1, w2, {"geographic": G, "cognitive": C}, years=3)
    o = evolution_parameters(r)["overrides"]
    key = "mechanisms.network_evolution."
    assert set(o) == {key + k for k in ("persistence", "dissolve_rate", "cognitive_weight", "geo_weight",
                                        "closure_weight", "proximity_weight")}
    sc = clusterlab.default_scenario().set(**o)
    ne = sc.mechanisms.network_evolution
    for k, v in o.items():
        assert getattr(ne, k.removeprefix(key)) == pytest.approx(v)
    # and the check can fail: a key that is not a parameter is refused
    with pytest.raises(ClusterlabError):
        clusterlab.default_scenario().set(**{key + "reciprocity": 1.0})


# ---------------------------------------------------------------------------------------
# the command
# ---------------------------------------------------------------------------------------
def write_panel(tmp_path, **kw):
    w1, w2, D, C, (A1, A2) = panel(**kw)
    lab = [str(v) for v in w1.ids]
    for name, A in (("wave1.csv", A1), ("wave2.csv", A2)):
        pd.DataFrame(A.astype(int), lab, lab).to_csv(tmp_path / name)
    D.to_csv(tmp_path / "km.csv")
    C.to_csv(tmp_path / "cog.csv")
    pd.DataFrame(np.exp(-D.to_numpy() / GEO_KM), lab, lab).to_csv(tmp_path / "geo.csv")


def suggested(stdout: str) -> dict:
    out = {}
    for line in stdout.splitlines():
        if line.strip().startswith("--set "):
            k, v = line.strip().removeprefix("--set ").split("=", 1)
            out[k] = float(v)
    return out


def test_cli_detects_the_distance_and_suggests_valid_parameters(tmp_path, cli_in_process):
    write_panel(tmp_path, n=80, seed=4)
    proc = cli("compare", "wave1.csv", "wave2.csv", "--undirected", "--proximity", "geographic=km.csv",
               "--proximity", "cognitive=cog.csv", "--years", "3", "--out", "a", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "note: --proximity 'geographic=km.csv': read as a distance matrix (diagonal of zeros" in proc.stderr
    assert f"exp(-d / {GEO_KM:g} km)" in proc.stderr
    assert "--proximity 'cognitive=cog.csv': read as a proximity matrix" in proc.stderr
    assert "dyadic-robust" in proc.stdout
    sets = suggested(proc.stdout)
    assert "mechanisms.network_evolution.dissolve_rate" in sets and "mechanisms.network_evolution.geo_weight" in sets
    clusterlab.default_scenario().set(**sets)  # they validate
    # the same with the proximity file, declared: the same suggestions
    # (in process: conftest.cli_in_process, the same entry point; the first is a subprocess)
    proc2 = cli_in_process("compare", "wave1.csv", "wave2.csv", "--undirected", "--proximity",
                           "geographic=geo.csv:proximity", "--proximity", "cognitive=cog.csv", "--years", "3",
                           "--out", "b", cwd=tmp_path)
    assert proc2.returncode == 0, proc2.stderr
    assert "declared a proximity matrix" in proc2.stderr
    sets2 = suggested(proc2.stdout)
    assert set(sets2) == set(sets)
    for k in sets:
        assert sets2[k] == pytest.approx(sets[k], rel=1e-3, abs=1e-3), k
    summary = pd.read_json(tmp_path / "a" / "summary.json", typ="series")
    assert summary["years"] == 3
    coefs = pd.read_csv(tmp_path / "a" / "coefficients.csv")
    assert {"se_ml", "p_ml", "se_twoway", "p_twoway", "p_qap"} <= set(coefs.columns)


def test_cli_prints_one_warning_per_separated_model(tmp_path):
    write_panel(tmp_path, n=60, seed=5, separate=True)
    proc = cli("compare", "wave1.csv", "wave2.csv", "--undirected", "--proximity", "cognitive=cog.csv",
               "--out", "a", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    warn = [ln for ln in proc.stderr.splitlines() if ln.startswith("warning:")]
    assert warn == ["warning: persistence model: perfect or quasi-perfect separation by 'cognitive': its estimates "
                    "are unbounded (standard errors shown are ML's), and no parameter is suggested from this model"]


@pytest.mark.parametrize("extra, words", [
    (["--proximity", "geographic=odd.csv"], ["--proximity 'geographic=odd.csv': cannot tell", "geographic=FILE:distance"]),
    (["--proximity", "geographic=neg.csv:distance"], ["--proximity 'geographic=neg.csv:distance'", "negative"]),
    (["--proximity", "geographic"], ["--proximity 'geographic': expected NAME=MATRIX[:distance|:proximity]"]),
    (["--years", "0"], ["--years 0: expected the years between the waves"]),
    (["--years", "nan"], ["--years nan"]),
    (["--permutations", "-1"], ["--permutations -1"]),
])
def test_cli_bad_input_is_one_error_line(tmp_path, extra, words, cli_in_process):
    (tmp_path / "w.csv").write_text("source,target\nA,B\nB,C\n")
    (tmp_path / "odd.csv").write_text(",A,B,C\nA,2,5,0.5\nB,5,1,3\nC,0.5,3,3\n")
    (tmp_path / "neg.csv").write_text(",A,B,C\nA,0,-5,2\nB,-5,0,3\nC,2,3,0\n")
    # the first case on the real command line (a subprocess), the others in process (the
    # same entry point, conftest.cli_in_process)
    run = cli if extra == ["--proximity", "geographic=odd.csv"] else cli_in_process
    proc = run("compare", "w.csv", "w.csv", *extra, "--out", "o", cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in proc.stderr, proc.stderr
    for w in words:
        assert w in lines[0], (w, lines[0])


def test_read_proximity_then_as_proximity_round_trip(tmp_path):
    f = tmp_path / "km.csv"
    f.write_text(",a,b\na,0,4.5\nb,4.5,0\n")
    P, note = as_proximity(read_proximity(f), "geo", geo_km=10)
    assert P.loc["a", "b"] == pytest.approx(math.exp(-0.45)) and P.loc["a", "a"] == 1.0
    assert note.startswith(f"{f}: proximity 'geo': read as a distance matrix")

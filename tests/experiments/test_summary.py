"""Summaries of fake stores against scipy and pandas computed directly on the fake data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from clusterlab import ClusterlabError, ClusterlabWarning
from clusterlab.experiments import Store
from clusterlab.experiments.stats import adjust
from clusterlab.experiments.summary import comparison_sentence, summarize

ARMS = ["none", "org", "uni"]
SHIFT = {"none": 0.0, "org": 0.8, "uni": 0.1}
REPS = 8
STEPS = [0, 12, 24]


def arms_data():
    """Outcomes y (CRN: shared noise per replication) and z, a time series k; org's run of
    replication 3 is missing (failed) and uni's y at replication 0 is NaN."""
    rng = np.random.default_rng(11)
    shared = rng.normal(10, 2, REPS)
    rows, ts = [], []
    for p, arm in enumerate(ARMS):
        for r in range(REPS):
            if arm == "org" and r == 3:
                continue
            y = shared[r] + SHIFT[arm] + rng.normal(0, 0.3)
            if arm == "uni" and r == 0:
                y = np.nan
            rows.append({"arm": arm, "point": p, "replication": r, "seed": 1 + r,
                         "y": y, "z": rng.normal(5, 1)})
            for s in STEPS:
                ts.append({"arm": arm, "replication": r, "step": s, "k": s * 0.1 + shared[r] + rng.normal()})
    return pd.DataFrame(rows), pd.DataFrame(ts)


def write_store(folder, outcomes: pd.DataFrame, ts: pd.DataFrame | None, meta_cols, experiment):
    st = Store(folder, durable=False)
    for i, row in outcomes.reset_index(drop=True).iterrows():
        meta = {c: row[c] for c in meta_cols}
        vals = row.drop(labels=list(meta_cols)).to_frame().T.astype(float)
        tables = {"outcomes": vals}
        if ts is not None:
            sel = (ts["arm"] == row["arm"]) & (ts["replication"] == row["replication"])
            tables["timeseries"] = ts.loc[sel].drop(columns=["arm", "replication"])
        st.write(f"run{i:05d}", tables, meta)
    if experiment is not None:
        st.save_json("layout", experiment)
    return st


EXP = {"name": "fake", "kind": "arms", "method": None, "arms": ARMS, "control": "none",
       "replications": REPS, "seed": 1, "outcomes": {"values": ["y", "z"], "timeseries": ["k"]},
       "comparisons": []}


@pytest.fixture(scope="module")
def arms_store(tmp_path_factory):
    df, ts = arms_data()
    st = write_store(tmp_path_factory.mktemp("arms") / "s", df, ts,
                     ["arm", "point", "replication", "seed"], EXP)
    st.fail("failedrun", {"arm": "org", "point": 1, "replication": 3, "seed": 4}, "boom")
    return st, df, ts


def test_arm_means_match_scipy(arms_store):
    st, df, _ = arms_store
    s = summarize(st)
    assert s.runs == len(df) and s.failed == 1 and s.outcomes == ["y", "z"]
    assert list(s.arms["outcome"]) == ["y"] * 3 + ["z"] * 3
    assert list(s.arms["arm"]) == ARMS * 2
    for _, r in s.arms.iterrows():
        x = df.loc[df.arm == r["arm"], r["outcome"]].dropna().to_numpy()
        lo, hi = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
        assert r["n"] == len(x)
        assert (r["mean"], r["sd"]) == pytest.approx((x.mean(), x.std(ddof=1)))
        assert (r["ci_low"], r["ci_high"]) == pytest.approx((lo, hi))
    uni_y = s.arms.query("arm == 'uni' and outcome == 'y'").iloc[0]
    assert (uni_y["n"], uni_y["n_missing"]) == (REPS - 1, 1)
    assert any("failed" in w for w in s.warnings)


def test_comparisons_paired_on_replication_with_holm(arms_store):
    st, df, _ = arms_store
    s = summarize(st)
    c = s.comparisons
    assert list(zip(c["outcome"], c["arm"])) == [("y", "org"), ("y", "uni"), ("z", "org"), ("z", "uni")]
    assert (c["control"] == "none").all()
    for _, r in c.iterrows():
        w = df.pivot(index="replication", columns="arm", values=r["outcome"])[["none", r["arm"]]].dropna()
        a, b = w["none"].to_numpy(), w[r["arm"]].to_numpy()
        d = b - a
        lo, hi = stats.t.interval(0.95, len(d) - 1, loc=d.mean(), scale=stats.sem(d))
        assert r["n"] == len(d)
        assert r["mean_diff"] == pytest.approx(d.mean())
        assert (r["ci_low"], r["ci_high"]) == pytest.approx((lo, hi))
        assert r["d_z"] == pytest.approx(d.mean() / d.std(ddof=1))
        assert r["p_t"] == pytest.approx(stats.ttest_rel(b, a).pvalue)
        assert r["p_wilcoxon"] == pytest.approx(stats.wilcoxon(d).pvalue)
    # org misses replication 3; uni's y is NaN at replication 0: unpaired, dropped, counted
    assert list(c["n_unmatched"]) == [1, 1, 1, 0]
    multipletests = pytest.importorskip("statsmodels.stats.multitest").multipletests
    assert c["p_t_holm"].to_numpy() == pytest.approx(multipletests(c["p_t"], method="holm")[1])
    assert c["p_wilcoxon_holm"].to_numpy() == pytest.approx(adjust(c["p_wilcoxon"]))
    text = comparison_sentence(c.iloc[0])
    assert text.startswith("y: org vs none +") and "95% CI" in text and "Holm-adjusted" in text


def test_bands_match_pandas(arms_store):
    st, df, ts = arms_store
    b = summarize(st).bands
    assert set(b["column"]) == {"k"} and list(b["arm"].unique()) == ARMS
    kept = ts.merge(df[["arm", "replication"]], on=["arm", "replication"])  # done runs only
    for _, r in b.iterrows():
        x = kept.loc[(kept.arm == r["arm"]) & (kept.step == r["step"]), "k"].to_numpy()
        lo, hi = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
        assert r["n"] == len(x) and r["mean"] == pytest.approx(x.mean())
        assert (r["ci_low"], r["ci_high"]) == pytest.approx((lo, hi))
    assert len(b) == len(ARMS) * len(STEPS)


def test_subsets_and_bad_names(arms_store, tmp_path):
    st, df, _ = arms_store
    s = summarize(st, arms=["none", "org"], outcomes=["z"], where="replication < 5", level=0.9)
    assert set(s.arms["arm"]) == {"none", "org"} and set(s.arms["outcome"]) == {"z"}
    assert s.runs == len(df[(df.arm.isin(["none", "org"])) & (df.replication < 5)])
    assert list(s.comparisons["arm"]) == ["org"] and s.comparisons["n"].iloc[0] == 4
    x = df.loc[(df.arm == "org") & (df.replication < 5), "z"].to_numpy()
    lo, _ = stats.t.interval(0.9, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert s.arms.query("arm == 'org'")["ci_low"].iloc[0] == pytest.approx(lo)
    with pytest.raises(ClusterlabError, match="did you mean 'org'"):
        summarize(st, arms=["orgg"])
    with pytest.raises(ClusterlabError, match="no outcome 'yy'"):
        summarize(st, outcomes=["yy"])
    paths = s.write(tmp_path / "tables")
    assert {p.name for p in paths} >= {"arms.csv", "comparisons.csv", "bands.csv"}
    back = pd.read_csv(tmp_path / "tables" / "arms.csv")
    assert back["mean"].to_numpy() == pytest.approx(s.arms["mean"].to_numpy())
    text = s.text()
    assert "Experiment fake" in text and "org vs none" in text and "Holm" in text


def test_explicit_comparisons_and_no_experiment(tmp_path):
    df, _ = arms_data()
    exp = {**EXP, "comparisons": [{"outcome": "z", "arm": "uni", "control": "org"}]}
    s = summarize(write_store(tmp_path / "a", df, None, ["arm", "point", "replication", "seed"], exp))
    assert list(zip(s.comparisons["outcome"], s.comparisons["arm"], s.comparisons["control"])) == [("z", "uni", "org")]
    assert s.comparisons["p_t_holm"].iloc[0] == pytest.approx(s.comparisons["p_t"].iloc[0])
    assert s.bands.empty
    bare = summarize(write_store(tmp_path / "b", df, None, ["arm", "point", "replication", "seed"], None))
    assert bare.outcomes == ["y", "z"] and list(bare.comparisons["control"].unique()) == ["none"]
    empty = summarize(Store(tmp_path / "c"))
    assert empty.runs == 0 and empty.arms.empty and "no finished runs" in empty.text()


def design_store(folder, method, problem, x, f, reps=2, levels=4):
    rows = []
    for p, xs in enumerate(x):
        for r in range(reps):
            rows.append({"arm": "design", "point": p, "replication": r, "seed": 1 + r,
                         **dict(zip(problem["names"], xs)), "y": f(xs) + 0.01 * r})
    df = pd.DataFrame(rows)
    exp = {"name": method, "kind": "design", "method": method, "arms": ["design"],
           "replications": reps, "seed": 1, "outcomes": ["y"], "problem": problem, "levels": levels}
    return write_store(folder, df, None, ["arm", "point", "replication", "seed", *problem["names"]], exp), df


@pytest.mark.filterwarnings("ignore:.*ranking is not resolved")
def test_sobol_design_uses_point_means(tmp_path):
    sample = pytest.importorskip("SALib.sample.sobol")
    from clusterlab.experiments.sensitivity import sobol_indices

    problem = {"num_vars": 2, "names": ["a.x", "b.y"], "bounds": [[0, 1], [0, 2]]}
    x = sample.sample(problem, 16, calc_second_order=False, seed=3)
    st, df = design_store(tmp_path / "s", "sobol", problem, x, lambda v: 3 * v[0] + v[1] ** 2)
    with pytest.warns(ClusterlabWarning, match="N = 16"):
        s = summarize(st, num_resamples=50)
    assert list(s.points["point"]) == list(range(len(x)))
    means = df.groupby("point")["y"].mean().to_numpy()
    assert s.points["y"].to_numpy() == pytest.approx(means)
    assert s.points["a.x"].to_numpy() == pytest.approx(x[:, 0])
    with pytest.warns(ClusterlabWarning):
        ref, _ = sobol_indices(problem, means, num_resamples=50, seed=1)
    assert s.sensitivity["S1"].to_numpy() == pytest.approx(ref["S1"].to_numpy())
    assert s.sensitivity["ST_conf"].to_numpy() == pytest.approx(ref["ST_conf"].to_numpy())
    assert any("N = 16" in w for w in s.warnings) and "Sensitivity" in s.text()
    assert s.comparisons.empty


def test_morris_design_and_missing_points(tmp_path):
    sample = pytest.importorskip("SALib.sample.morris")
    problem = {"num_vars": 3, "names": ["p", "q", "inert"], "bounds": [[0, 1], [0, 1], [0, 1]]}
    x = sample.sample(problem, 10, num_levels=4, seed=5)
    st, _ = design_store(tmp_path / "m", "morris", problem, x, lambda v: 2 * v[0] + v[1] ** 2, reps=1)
    s = summarize(st, num_resamples=50)
    t = s.sensitivity.set_index("parameter")
    assert t.loc["p", "mu_star"] == pytest.approx(2.0) and t.loc["inert", "mu_star"] == pytest.approx(0.0)
    assert not s.warnings
    s2 = summarize(st, where="point <> 4", num_resamples=50)
    assert s2.sensitivity.empty and any("points" in w for w in s2.warnings)


@pytest.mark.parametrize("listed", [False, True])
@pytest.mark.parametrize("first_has_b", [0, 1])
def test_parts_with_different_columns_are_united(tmp_path, first_has_b, listed):
    """Runs whose parts lack a column (or add one) still read whole: missing values count."""
    st = Store(tmp_path / "s", durable=False)
    for i in range(4):
        cols = {"step": [0, 1], "a": [float(i), 2.0]}
        if i % 2 == first_has_b:
            cols["b"] = [3.0, 4.0 + i]
        out = {"y": [float(i)]} if i != 2 * first_has_b else {"y": [2.0 * first_has_b], "extra": [7.0]}
        st.write(f"k{i}", {"outcomes": pd.DataFrame(out), "timeseries": pd.DataFrame(cols)},
                 {"arm": "x", "point": 0, "replication": i, "seed": i})
    if listed:
        st.save_json("layout", {"outcomes": {"values": ["y", "extra"], "timeseries": ["a", "b"]}})
    s = summarize(st)
    assert s.outcomes == ["y", "extra"]
    extra = s.arms.set_index("outcome").loc["extra"]
    assert (extra["n"], extra["n_missing"], extra["mean"]) == (1, 3, 7.0)
    b = s.bands.set_index(["column", "step"])
    assert (b.loc[("b", 1), "n"], b.loc[("b", 1), "mean"]) == (2, 5.0 + first_has_b)
    assert b.loc[("a", 0), "mean"] == pytest.approx(1.5)

"""Statistics of replicated comparisons, against scipy (and statsmodels for Holm)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from clusterlab.experiments.stats import adjust, band, compare_arms, describe, paired, summary_by_arm

A = np.array([3.1, 2.7, 4.0, 3.6, 2.9, 3.3, 3.8, 2.5, 3.0, 3.4])
B = np.array([3.5, 2.9, 4.6, 3.7, 3.4, 3.2, 4.3, 2.9, 3.6, 3.9])


def test_describe_matches_scipy():
    r = describe(A)
    lo, hi = stats.t.interval(0.95, df=9, loc=A.mean(), scale=stats.sem(A))
    assert r["n"] == 10 and r["n_missing"] == 0
    assert r["mean"] == pytest.approx(A.mean())
    assert r["sd"] == pytest.approx(A.std(ddof=1))
    assert r["se"] == pytest.approx(stats.sem(A))
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((lo, hi))
    lo90, hi90 = stats.t.interval(0.9, df=9, loc=A.mean(), scale=stats.sem(A))
    assert (describe(A, 0.9)["ci_low"], describe(A, 0.9)["ci_high"]) == pytest.approx((lo90, hi90))


def test_describe_nan_and_small_n():
    r = describe([1.0, np.nan, 3.0, np.nan])
    assert (r["n"], r["n_missing"], r["mean"]) == (2, 2, 2.0)
    one = describe([5.0])
    assert one["n"] == 1 and one["mean"] == 5.0
    assert np.isnan([one["sd"], one["se"], one["ci_low"], one["ci_high"]]).all()
    zero = describe([np.nan])
    assert zero["n"] == 0 and zero["n_missing"] == 1
    assert np.isnan([zero["mean"], zero["sd"], zero["ci_low"]]).all()
    assert describe([])["n"] == 0
    with pytest.raises(ValueError):
        describe(A, level=1.0)


def test_ci_coverage_by_simulation():
    rng = np.random.default_rng(20261130)
    x = rng.normal(10.0, 3.0, size=(2000, 10))
    hits = 0
    for row in x:
        r = describe(row)
        hits += r["ci_low"] <= 10.0 <= r["ci_high"]
    assert 0.94 <= hits / 2000 <= 0.96


def test_paired_matches_scipy():
    r = paired(A, B)
    d = B - A
    lo, hi = stats.t.interval(0.95, df=9, loc=d.mean(), scale=stats.sem(d))
    assert r["n"] == 10
    assert r["mean_diff"] == pytest.approx(d.mean())
    assert r["sd_diff"] == pytest.approx(d.std(ddof=1))
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((lo, hi))
    assert r["p_t"] == pytest.approx(stats.ttest_rel(B, A).pvalue)
    assert r["p_wilcoxon"] == pytest.approx(stats.wilcoxon(d).pvalue)
    assert r["d_z"] == pytest.approx(d.mean() / d.std(ddof=1))
    assert r["g_z"] == pytest.approx(r["d_z"] * (1 - 3 / (4 * 9 - 1)))
    welch = stats.ttest_ind(B, A, equal_var=False).confidence_interval(0.95)
    assert (r["unpaired_ci_low"], r["unpaired_ci_high"]) == pytest.approx((welch.low, welch.high))
    assert r["variance_reduction"] == pytest.approx(d.var(ddof=1) / (A.var(ddof=1) + B.var(ddof=1)))


def test_paired_is_narrower_with_common_random_numbers():
    rng = np.random.default_rng(1)
    shared = rng.normal(0, 5, 50)
    a = shared + rng.normal(0, 0.5, 50)
    b = shared + 0.3 + rng.normal(0, 0.5, 50)
    r = paired(a, b)
    assert r["ci_high"] - r["ci_low"] < r["unpaired_ci_high"] - r["unpaired_ci_low"]
    assert r["variance_reduction"] < 0.1
    ind = paired(rng.normal(0, 1, 2000), rng.normal(0, 1, 2000))  # no shared noise: about 1
    assert 0.9 < ind["variance_reduction"] < 1.1


def test_paired_edge_cases():
    same = paired([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    assert same["p_t"] == 1.0 and same["p_wilcoxon"] == 1.0 and "zero" in same["note"]
    assert same["mean_diff"] == 0.0 and np.isnan(same["d_z"])
    shift = paired([1.0, 2.0, 3.0, 4.0], [2.0, 3.0, 4.0, 5.0])
    assert shift["mean_diff"] == 1.0 and shift["p_t"] == 0.0 and np.isnan(shift["d_z"])
    assert "equal" in shift["note"]
    gap = paired([1.0, np.nan, 3.0, 4.0], [1.5, 2.0, np.nan, 4.6])
    assert (gap["n"], gap["n_missing"]) == (2, 2)
    one = paired([1.0], [2.0])
    assert one["n"] == 1 and np.isnan(one["p_t"]) and np.isnan(one["ci_low"])
    empty = paired([], [])
    assert empty["n"] == 0 and np.isnan(empty["mean_diff"])
    with pytest.raises(ValueError):
        paired([1.0, 2.0], [1.0])


def test_adjust_holm_and_bonferroni():
    p = np.array([0.01, 0.04, 0.03, 0.005, 0.2])
    holm = adjust(p)
    # by hand: sorted .005 .01 .03 .04 .2 times 5 4 3 2 1 -> .025 .04 .09 .08 .2, running max
    assert holm == pytest.approx([0.04, 0.09, 0.09, 0.025, 0.2])
    assert adjust(p, "bonferroni") == pytest.approx(np.minimum(1, p * 5))
    assert adjust(p, "none") == pytest.approx(p)
    assert adjust([0.6, 0.7])[0] == 1.0 and adjust([0.6, 0.7])[1] == 1.0
    nan = adjust([0.01, np.nan, 0.02])
    assert np.isnan(nan[1]) and nan[[0, 2]] == pytest.approx([0.02, 0.02])
    with pytest.raises(ValueError):
        adjust(p, "fdr")


def test_adjust_matches_statsmodels():
    multipletests = pytest.importorskip("statsmodels.stats.multitest").multipletests
    rng = np.random.default_rng(3)
    p = rng.uniform(0, 0.2, 12)
    for method in ("holm", "bonferroni"):
        assert adjust(p, method) == pytest.approx(multipletests(p, method=method)[1])


def _arms():
    rng = np.random.default_rng(5)
    shared = rng.normal(10, 2, 20)
    rows = []
    for arm, shift in (("control", 0.0), ("co", 0.8), ("uni", 0.1)):
        for r in range(20):
            rows.append({"arm": arm, "replication": r, "y": shared[r] + shift + rng.normal(0, 0.3)})
    return pd.DataFrame(rows)


def test_compare_arms_pairs_on_replication_and_adjusts():
    df = _arms()
    df = df[~((df.arm == "co") & (df.replication.isin([3, 7])))]  # two failed runs
    df.loc[(df.arm == "uni") & (df.replication == 0), "y"] = np.nan  # a failed outcome
    df = df.sample(frac=1, random_state=0)  # order must not matter
    t = compare_arms(df, "y", control="control")
    assert list(t["arm"]) == ["co", "uni"] and (t["control"] == "control").all()
    co, uni = t.set_index("arm").loc["co"], t.set_index("arm").loc["uni"]
    assert (co["n"], co["n_unmatched"]) == (18, 2) and (uni["n"], uni["n_unmatched"]) == (19, 1)
    w = df.pivot(index="replication", columns="arm", values="y").dropna(subset=["co"])
    ref = paired(w["control"], w["co"])
    assert co["mean_diff"] == pytest.approx(ref["mean_diff"]) and co["p_t"] == pytest.approx(ref["p_t"])
    assert t["p_t_holm"].to_numpy() == pytest.approx(adjust(t["p_t"]))
    assert t["p_wilcoxon_holm"].to_numpy() == pytest.approx(adjust(t["p_wilcoxon"]))
    assert (t["p_t_holm"] >= t["p_t"]).all()
    with pytest.raises(ValueError, match="control"):
        compare_arms(df, "y", control="nope")
    with pytest.raises(ValueError, match="more than one"):
        compare_arms(pd.concat([df, df.head(1)]), "y", control="control")


def test_summary_by_arm_and_band_match_describe():
    df = _arms()
    df.loc[3, "y"] = np.nan
    s = summary_by_arm(df, "y")
    for arm, group in df.groupby("arm"):
        ref = describe(group["y"])
        for k in ("n", "n_missing", "mean", "sd", "se", "ci_low", "ci_high"):
            assert s.loc[arm, k] == pytest.approx(ref[k]), (arm, k)
    rng = np.random.default_rng(9)
    ts = pd.DataFrame({"arm": np.repeat(["a", "b"], 30), "step": np.tile(np.repeat([0, 1, 2], 10), 2),
                       "v": rng.normal(size=60)})
    ts = pd.concat([ts, pd.DataFrame({"arm": ["c"], "step": [0], "v": [1.0]})])  # a group of one
    b = band(ts, "v")
    assert len(b) == 7 and b.index.names == ["arm", "step"]
    for key, group in ts.groupby(["arm", "step"]):
        ref = describe(group["v"])
        for k in ("n", "mean", "ci_low", "ci_high"):
            assert b.loc[key, k] == pytest.approx(ref[k], nan_ok=True), (key, k)

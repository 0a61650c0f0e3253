"""Knowledge profiles from cognitive proximity matrices and industry codes (clusterlab.profiles)."""

import numpy as np
import pytest

from clusterlab.profiles import (cosine_fit, harmonise_codes, industry_proximity, nonnegative_embedding,
                                 normalise_code, reshape_stock)


def test_industry_codes_overlap_by_shared_leading_digits():
    assert normalise_code("C25.62") == "C2562" and normalise_code(float("nan")) == ""
    P = industry_proximity(["C25.62", "C25.61", "C25.11", "C28.41", "M71.12"])
    assert P[0, 0] == 1 and P[0, 1] == pytest.approx(4 / 5) and P[0, 2] == pytest.approx(3 / 5)
    assert P[0, 3] == pytest.approx(2 / 5) and P[0, 4] == 0  # 'C2' shared: characters are counted
    assert np.allclose(P, P.T)
    assert industry_proximity(["332710", "332999"])[0, 1] == pytest.approx(3 / 6)  # NAICS


def test_codes_written_with_and_without_the_section_letter_are_written_alike():
    assert harmonise_codes(["C25.62", "25.62", "2562"]) == (["2562", "2562", "2562"], True)
    assert harmonise_codes(["C25.62", "C25.61"]) == (["C2562", "C2561"], False)  # one way: as they are
    assert harmonise_codes(["CA", "25"]) == (["CA", "25"], False)  # no letter before a digit
    P = industry_proximity(["C25.62", "25.62", "C25.61"])
    assert P[0, 1] == 1 and P[0, 2] == pytest.approx(3 / 4)  # letters dropped from all: 2562 vs 2561


def test_profiles_of_cosine_matrices_are_recovered():
    rng = np.random.default_rng(0)
    V = rng.random((60, 5)) ** 3  # non-negative profiles in 5 domains
    V /= np.linalg.norm(V, axis=1, keepdims=True)
    P = V @ V.T
    fit = nonnegative_embedding(P, 6)
    assert (fit.U >= 0).all() and np.allclose(np.linalg.norm(fit.U, axis=1), 1)
    assert fit.r > 0.99 and fit.rmse < 0.03
    assert cosine_fit(fit.U, P) == pytest.approx((fit.r, fit.rmse))


def test_more_groups_than_domains_are_fitted_approximately_and_say_so():
    fits = {}
    for sectors in ("ABCD", "ABCDEFGH"):  # x 3 sub-sectors each, in 6 domains
        fits[sectors] = nonnegative_embedding(industry_proximity([f"{s}{t}" for s in sectors for t in "123"]), 6)
    assert fits["ABCD"].r > 0.95
    assert 0.6 < fits["ABCDEFGH"].r < 0.8  # 8 unrelated sectors cannot all be apart in 6 domains


def test_reshape_keeps_stock_tacit_share_and_other_domains():
    rng = np.random.default_rng(1)
    K = rng.random((4, 8)) * 0.2
    tacit = np.array([0.6, 0.5, 0.7, 0.6])[:, None]
    T, E = (K * tacit).astype(np.float32), (K * (1 - tacit)).astype(np.float32)
    T0, E0 = T.copy(), E.copy()
    own = np.arange(6)
    shape = np.zeros((2, 6))
    shape[0, 0], shape[1, [2, 3]] = 1, 1
    reshape_stock(T, E, np.array([1, 3]), shape, own)
    for k, row in enumerate([1, 3]):
        assert (T + E)[row, :6].sum() == pytest.approx((T0 + E0)[row, :6].sum(), rel=1e-5)
        held = (T + E)[row] > 0
        assert np.allclose(T[row][held] / (T + E)[row][held], tacit[row], atol=1e-5)
        assert np.array_equal(T[row, 6:], T0[row, 6:])
        assert ((T + E)[row, :6] > 0).sum() == shape[k].astype(bool).sum()
    assert np.array_equal(T[[0, 2]], T0[[0, 2]])

"""Positions in km from lon/lat and from geographic matrices (clusterlab.geography)."""

import numpy as np
import pytest

from clusterlab.data import DataError
from clusterlab.geography import distance_from_proximity, haversine_km, lonlat_km, mds_positions


def pairwise(xy):
    return np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])


@pytest.mark.parametrize("n", [3, 25, 400])  # 400: the ARPACK path
def test_points_to_distances_to_mds_recovers_the_distances(n):
    rng = np.random.default_rng(n)
    xy = rng.uniform(0, 11, (n, 2))
    D = pairwise(xy)
    emb = mds_positions(D)
    assert np.allclose(pairwise(emb.xy), D, atol=1e-8)  # exact up to rotation/reflection/translation
    assert emb.stress < 1e-10 and emb.r == pytest.approx(1.0) and emb.explained == pytest.approx(1.0)


def test_mds_of_noisy_or_non_planar_distances_reports_the_misfit():
    rng = np.random.default_rng(2)
    xyz = rng.uniform(0, 10, (30, 3))  # 3-d points: no plane holds them
    D = np.sqrt(((xyz[:, None] - xyz[None]) ** 2).sum(-1))
    emb = mds_positions(D)
    assert 0.05 < emb.stress < 0.6 and 0.5 < emb.r < 0.99 and emb.explained < 0.95


def test_proximity_inverts_the_models_transform():
    xy = np.random.default_rng(3).uniform(0, 11, (20, 2))
    D = pairwise(xy)
    back = distance_from_proximity(np.exp(-D / 10.0), 10.0)
    assert np.allclose(back, D, atol=1e-9)
    with pytest.raises(DataError, match="geo.csv: a geographic proximity must lie in"):
        distance_from_proximity(np.array([[1, 0], [0, 1.0]]), 10.0, "geo.csv")


@pytest.mark.parametrize("bad, message", [
    (np.ones((2, 3)), "must be square"),
    (np.array([[0, -1.0], [-1, 0]]), "negative distance -1"),
    (np.array([[0, 1.0], [2, 0]]), "not symmetric"),
    (np.array([[0, np.nan], [np.nan, 0]]), "finite number"),
])
def test_bad_distance_matrices_are_one_clear_error(bad, message):
    with pytest.raises(DataError, match=f"d.csv: .*{message}"):
        mds_positions(bad, "d.csv")


def test_lon_lat_of_known_cities_give_the_right_km():
    # Paris, London, Amsterdam, Rotterdam; great-circle distances 343.5, 57.2, 429.9 km
    lon = np.array([2.3522, -0.1276, 4.9041, 4.4777])
    lat = np.array([48.8566, 51.5072, 52.3676, 51.9244])
    x, y = lonlat_km(lon, lat)
    for i, j, known in ((0, 1, 343.5), (2, 3, 57.2), (0, 2, 429.9)):
        assert haversine_km(lon[i], lat[i], lon[j], lat[j]) == pytest.approx(known, rel=2e-3)
        assert np.hypot(x[i] - x[j], y[i] - y[j]) == pytest.approx(known, rel=0.01)


def test_lon_lat_at_cluster_scale_is_exact_to_a_metre():
    rng = np.random.default_rng(4)
    lon, lat = 10.0 + rng.uniform(0, 0.14, 50), 48.0 + rng.uniform(0, 0.1, 50)  # ~11 x 11 km
    x, y = lonlat_km(lon, lat)
    i, j = np.triu_indices(50, 1)
    ref = haversine_km(lon[i], lat[i], lon[j], lat[j])
    assert np.abs(np.hypot(x[i] - x[j], y[i] - y[j]) - ref).max() < 0.01  # 10 m

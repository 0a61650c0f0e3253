"""Positions in km for a real cluster (docs/odd.md, section 5.3): from longitude/latitude,
from a geographic distance matrix, or from a geographic proximity matrix.

The model places every actor at a point (x, y) in km and measures geographic proximity as
exp(-km / scale) of the Euclidean distance (`clusterlab.proximity.geographic`; Boschma
2005). A survey gives geography in one of three forms; each has one function here:

- `lonlat_km`: degrees projected to km (equirectangular about the centroid);
- `distance_from_proximity`: a proximity matrix p = exp(-km / scale) back to km;
- `mds_positions`: points whose distances reproduce a distance matrix (classical,
  Torgerson, multidimensional scaling in 2 dimensions), with the fit (`Embedding`).

All take and return numpy arrays; the only N x N arrays are the input matrix and its
double-centred copy (a survey cluster has at most a few thousand actors).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .data import DataError
from .data.values import EARTH_KM, project
from .memo import Memo, digest


def lonlat_km(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Longitude/latitude (degrees) to x/y in km: the local equirectangular projection
    about the centroid's latitude lat0 (the same one the attribute readers use,
    `clusterlab.data.values.project`):

        x = R cos(lat0) (lon - min lon) pi / 180,   y = R (lat - min lat) pi / 180,

    R = 6371.0088 km (IUGG mean Earth radius). North-south distances are exact on the sphere;
    east-west ones are scaled by cos(lat) / cos(lat0), an error of about tan(lat0) x (half
    the latitude span in radians): 0.09% for a cluster 11 km north to south at 45 degrees,
    0.8% for 100 km (Snyder 1987, "Map projections: a working manual", USGS PP 1395, ch. 12).
    NaN stays NaN."""
    lon = np.asarray(lon, float)
    lat = np.asarray(lat, float)
    return project(lat, lon)


def haversine_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance (km) on the sphere of radius R = 6371.0088 km (haversine formula,
    Sinnott 1984): the reference `lonlat_km` is checked against."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2, float) - np.asarray(lon1, float))
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1)))


FAR_KM = 1_000.0  # a cluster spans tens of km; a matrix reaching beyond this is likely in metres


def far_note(D: np.ndarray, source: str) -> str:
    """A warning text when a distance matrix (km) reaches beyond FAR_KM, else ""."""
    off = D[~np.eye(len(D), dtype=bool)] if len(D) > 1 else np.zeros(0)
    top = float(np.nanmax(off)) if off.size else 0.0
    if top <= FAR_KM:
        return ""
    return (f"{source}: distances up to {top:,.0f} km, read as kilometres; a cluster spans tens of km: "
            "if the matrix is in metres, divide it by 1,000")


def distance_from_proximity(P: np.ndarray, scale_km: float, source: str = "the proximity matrix") -> np.ndarray:
    """Kilometres from a geographic proximity matrix by inverting the model's transform
    p = exp(-km / scale_km) (`clusterlab.proximity.geographic`): km = -scale_km ln p.

    Off-diagonal cells must lie in (0, 1] (p = 0 would be infinitely far: DataError naming
    `source`); the diagonal is not read (distance 0).
    A proximity made by another decreasing transform of distance gives distances that are a
    monotone transform of the true ones; classical MDS then recovers the layout only
    approximately (its stress says how well)."""
    P = np.asarray(P, float)
    off = P[~np.eye(len(P), dtype=bool)] if P.ndim == 2 else P  # the diagonal (self) is not read
    if off.size and (off.min() <= 0 or off.max() > 1):
        bad = off.min() if off.min() <= 0 else off.max()
        raise DataError(f"{source}: a geographic proximity must lie in (0, 1] (p = exp(-km / "
                        f"{scale_km:g})), found {bad:g}; give distances in km as a distance matrix instead")
    D = -scale_km * np.log(P)
    np.fill_diagonal(D, 0.0)
    return D


@dataclass(frozen=True)
class Embedding:
    """Positions recovered by `mds_positions` and how well they fit the matrix."""

    xy: np.ndarray        # n x 2, km, centred on 0
    stress: float         # Kruskal's stress-1: sqrt(sum (d - dhat)^2 / sum d^2), 0 = exact
    r: float              # Pearson correlation of fitted and given distances over pairs i < j
    explained: float      # share of the positive eigenvalues' sum in the two kept (1 = planar)


def mds_positions(D: np.ndarray, source: str = "the distance matrix") -> Embedding:
    """Classical (Torgerson 1952; Gower 1966) multidimensional scaling to 2 dimensions.

    With D the symmetric distance matrix (km) and J = I - 11'/n, B = -1/2 J D^2 J is the
    Gram matrix of centred points when D is Euclidean; x = V_2 sqrt(L_2) from its two largest
    eigenpairs (Borg & Groenen 2005, "Modern multidimensional scaling", ch. 12). Distances
    of points in a plane are recovered exactly up to rotation, reflection and translation;
    otherwise it is the best rank-2 fit of B, and `Embedding.stress` (Kruskal 1964 stress-1)
    and `Embedding.r` say how well the km between the positions match D.

    D must be square, finite, non-negative and symmetric (within 1e-6 of its scale; an
    asymmetric survey matrix is averaged with its transpose first by the caller): else
    DataError naming `source`. The result depends on D only: a repeat (each replication of a
    calibration starts from the same data) gets a copy of the first (`clusterlab.memo`)."""
    D = np.asarray(D, float)
    n = D.shape[0]
    if D.ndim != 2 or D.shape[1] != n:
        raise DataError(f"{source}: a distance matrix must be square, got {D.shape[0]} x "
                        f"{D.shape[1] if D.ndim == 2 else 1}")
    if not np.isfinite(D).all():
        raise DataError(f"{source}: a distance matrix needs a finite number in every cell")
    if n and D.min() < 0:
        i, j = np.unravel_index(int(np.argmin(D)), D.shape)
        raise DataError(f"{source}: negative distance {D[i, j]:g} (row {i + 1}, column {j + 1}); "
                        "distances are km >= 0")
    if n and np.abs(D - D.T).max() > 1e-6 * max(1.0, float(D.max())):
        raise DataError(f"{source}: the distance matrix is not symmetric (largest difference "
                        f"{np.abs(D - D.T).max():g}); geographic distance is the same both ways")
    if n < 2:
        return Embedding(np.zeros((n, 2)), 0.0, 1.0, 1.0)
    hit = _EMBEDDINGS.get_or_make(digest(D), lambda: _mds(D))
    return Embedding(hit.xy.copy(), hit.stress, hit.r, hit.explained)


_EMBEDDINGS = Memo("positions")  # recent results of mds_positions


def _mds(D: np.ndarray) -> Embedding:
    """`mds_positions` of a checked matrix with n >= 2."""
    n = D.shape[0]
    B = D ** 2
    B -= B.mean(axis=0, keepdims=True)
    B -= B.mean(axis=1, keepdims=True)
    B *= -0.5
    top, vecs = top_eigen(B, 2)
    xy = np.zeros((n, 2))
    xy[:, :len(top)] = vecs * np.sqrt(np.clip(top, 0, None))
    # share of the two kept in the positive spectrum: trace(B) = sum of all eigenvalues
    # (exact when B has no negative eigenvalue, i.e. D is Euclidean; else a lower bound)
    trace = float(np.trace(B))
    del B
    explained = float(min(1.0, np.clip(top, 0, None).sum() / trace)) if trace > 0 else 1.0
    stress, r = fit(xy, D)
    return Embedding(xy, stress, r, explained)


def top_eigen(S: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k largest (algebraic) eigenvalues of symmetric S, descending, and their
    eigenvectors (columns): LAPACK for small S, ARPACK (scipy eigsh, Lanczos) above 300 rows,
    which never forms more than a few n-vectors."""
    n = S.shape[0]
    k = min(k, n)
    if n <= 300 or k >= n - 1:
        vals, vecs = np.linalg.eigh(S)
        return vals[::-1][:k], vecs[:, ::-1][:, :k]
    from scipy.sparse.linalg import eigsh

    vals, vecs = eigsh(S, k=k, which="LA", v0=np.ones(n))
    order = np.argsort(-vals)
    return vals[order], vecs[:, order]


def fit(xy: np.ndarray, D: np.ndarray) -> tuple[float, float]:
    """Kruskal stress-1 and Pearson r between the km of positions `xy` and matrix D over
    pairs i < j (row by row, no second N x N array)."""
    n = len(xy)
    num = den = 0.0
    sx = sy = sxx = syy = sxy = 0.0
    m = 0
    for i in range(n - 1):
        d = D[i, i + 1:]
        e = np.hypot(xy[i + 1:, 0] - xy[i, 0], xy[i + 1:, 1] - xy[i, 1])
        num += float(((d - e) ** 2).sum())
        den += float((d ** 2).sum())
        sx, sy = sx + d.sum(), sy + e.sum()
        sxx, syy, sxy = sxx + (d * d).sum(), syy + (e * e).sum(), sxy + (d * e).sum()
        m += len(d)
    stress = math.sqrt(num / den) if den > 0 else 0.0
    if m == 0:
        return stress, 1.0
    cov = sxy - sx * sy / m
    vd, ve = sxx - sx * sx / m, syy - sy * sy / m
    r = float(cov / math.sqrt(vd * ve)) if vd > 0 and ve > 0 else 1.0
    return stress, r


def span_km(xy: np.ndarray) -> float:
    """The cluster's span: the largest distance between two of its positions (km; the
    diameter, whatever the orientation), over the vertices of the convex hull. A repeat
    (each replication of a calibration starts from the same positions) is not recomputed."""
    xy = np.asarray(xy, float)
    xy = xy[np.isfinite(xy).all(axis=1)]
    if len(xy) < 2:
        return 0.0
    return _SPANS.get_or_make(digest(xy), lambda: _span(xy))


_SPANS = Memo("spans")  # recent results of span_km


def _span(xy: np.ndarray) -> float:
    """`span_km` of finite positions (at least 2)."""
    if len(xy) > 3:
        from scipy.spatial import ConvexHull, QhullError

        try:
            xy = xy[ConvexHull(xy).vertices]
        except QhullError:  # all on a line
            pass
    return float(max(np.hypot(*(xy[i + 1:] - xy[i]).T).max() for i in range(len(xy) - 1)))

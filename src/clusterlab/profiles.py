"""Knowledge profiles for a real cluster from its cognitive proximity (docs/odd.md, 5.3).

The model's cognitive proximity of two actors is the cosine similarity of their knowledge
profiles T + E over `knowledge.domains` domains (`clusterlab.proximity.cognitive`;
Nooteboom 2000, "Learning and innovation in organizations and economies", ch. 6: cognitive
distance as difference in knowledge bases; Boschma 2005, Regional Studies 39(1)). A survey
gives cognitive proximity either as a matrix (e.g. the overlap of the firms' technologies)
or through industry codes; one function per job:

- `industry_proximity`: industry codes to a proximity between codes (shared leading code
  characters, the relatedness of Frenken, Van Oort & Verburg 2007);
- `nonnegative_embedding`: non-negative profiles whose cosines approximate a proximity
  matrix (symmetric non-negative matrix factorisation), with the correlation achieved;
- `reshape_stock`: the model's drawn knowledge with each actor's profile replaced by the
  fitted shape and its total stock kept as drawn.

Only the input matrix is N x N (for industry codes: K x K over the K distinct codes).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from .data import DataError
from .memo import Memo, digest


def normalise_code(code) -> str:
    """An industry code as its letters and digits, upper case: 'C25.62' -> 'C2562',
    '3327 10' -> '332710'; '' for a missing code."""
    if code is None or (isinstance(code, float) and math.isnan(code)):
        return ""
    if isinstance(code, float) and code.is_integer():  # read as a number: 332710.0 -> 332710
        code = int(code)
    return re.sub(r"[^0-9A-Za-z]", "", str(code)).upper()


def harmonise_codes(codes: list[str]) -> tuple[list[str], bool]:
    """Normalised codes (`normalise_code`) written alike: when some carry a section letter
    before their digits (NACE 'C2562') and others start with a digit ('2562'), the leading
    letters are dropped from all, so one class written both ways is one code (otherwise
    they would share nothing). Returns (codes, whether letters were dropped); codes all
    written one way are returned as they are."""
    codes = [normalise_code(c) for c in codes]
    if any(re.match(r"[A-Z][0-9]", c) for c in codes) and any(c[:1].isdigit() for c in codes):
        return [re.sub(r"^[A-Z](?=[0-9])", "", c) for c in codes], True
    return codes, False


def industry_proximity(codes: list[str]) -> np.ndarray:
    """Proximity between industry codes (normalised by `normalise_code`), K x K:

        p(a, b) = (leading characters a and b share) / max(len a, len b),

    so the same code gives 1, codes sharing the first digits (the same NACE division or
    group, NAICS sector or subsector) a partial overlap growing with the depth of the shared
    level, and codes differing at the first character 0. Classification systems are
    hierarchical, each further digit a narrower activity; shared digits measure
    relatedness (Frenken, Van Oort & Verburg 2007, Regional Studies 41(5): related variety
    as variety within, unrelated across, 2-digit classes; Boschma 2005: cognitive proximity
    as a shared knowledge base). The depth is counted in characters, so a NACE section
    letter counts as one level and a two-digit division as two. Codes written both with and
    without the section letter are first written alike (`harmonise_codes`)."""
    codes = harmonise_codes(codes)[0]
    k = len(codes)
    P = np.eye(k)
    for i in range(k):
        for j in range(i + 1, k):
            a, b = codes[i], codes[j]
            m = 0
            while m < min(len(a), len(b)) and a[m] == b[m]:
                m += 1
            L = max(len(a), len(b))
            P[i, j] = P[j, i] = m / L if L else 0.0
    return P


@dataclass(frozen=True)
class Profiles:
    """Non-negative unit-length profiles (n x d) and their fit to the proximity matrix."""

    U: np.ndarray
    r: float     # Pearson correlation of cos(U_i, U_j) with P_ij over pairs i < j
    rmse: float  # root mean squared difference over the same pairs


def nonnegative_embedding(P: np.ndarray, dims: int, iterations: int = 300, weights: np.ndarray | None = None,
                          seed: int = 0) -> Profiles:
    """Non-negative profiles U (n x dims, rows of unit length) with cos(U_i, U_j) ~ P_ij.

    Symmetric non-negative matrix factorisation P ~ U U' (Ding, He & Simon 2005, SIAM SDM;
    Kuang, Ding & Park 2012): start from the eigen-decomposition (the `dims` leading
    eigenvectors times the root of their eigenvalues, absolute values: the best rank-`dims`
    approximation, made non-negative), then up to `iterations` multiplicative updates (until
    U moves by less than 0.01% in one)

        U <- U * (1/2 + 1/2 (W P W U) / (W U U' W U)),

    which keep U >= 0 and do not increase || W^(1/2) (P - U U') W^(1/2) ||^2 (W = diag of
    `weights`, e.g. how many actors hold each industry code; default 1), with the diagonal
    of P set to 1 (a profile's cosine with itself). Rows are then scaled to unit length,
    so U U' is their cosine. A proximity that is not a cosine of non-negative vectors in
    `dims` dimensions (e.g. more unrelated groups than domains) is fitted approximately;
    `Profiles.r` and `.rmse` say how well.

    P must be square with cells in [0, 1] (the caller checks and names the file). The fit
    depends on its arguments only: a repeat (each replication of a calibration starts from
    the same data) gets a copy of the first fit (`clusterlab.memo`)."""
    P = np.array(P, float)
    w = None if weights is None else np.asarray(weights, float)
    hit = _FITS.get_or_make(digest(P, int(dims), int(iterations), w, int(seed)),
                            lambda: _embedding(P, dims, iterations, w, seed))
    return Profiles(hit.U.copy(), hit.r, hit.rmse)


_FITS = Memo("profiles")  # recent fits of nonnegative_embedding


def _embedding(P: np.ndarray, dims: int, iterations: int, weights: np.ndarray | None, seed: int) -> Profiles:
    """`nonnegative_embedding` computed."""
    n = P.shape[0]
    d = max(1, int(dims))
    if n == 0:
        return Profiles(np.zeros((0, d)), 1.0, 0.0)
    P = (P + P.T) / 2
    np.fill_diagonal(P, 1.0)
    w = np.ones(n) if weights is None else np.asarray(weights, float)
    from .geography import top_eigen

    vals, vecs = top_eigen(P, min(d, n))
    k = len(vals)
    U = np.zeros((n, d))
    U[:, :k] = np.abs(vecs * np.sqrt(np.clip(vals, 0, None)))
    U += 1e-3 * np.random.default_rng(seed).random((n, d))  # no zero entries: updates are multiplicative
    for _ in range(int(iterations)):
        WU = w[:, None] * U
        num = w[:, None] * (P @ WU)
        den = WU @ (U.T @ WU)  # W U U' W U without an n x n product
        new = U * (0.5 + 0.5 * num / np.maximum(den, 1e-12))
        moved = np.linalg.norm(new - U) / max(np.linalg.norm(U), 1e-12)
        U = new
        if moved < 1e-4:  # converged: U changes by less than 0.01% an update
            break
    norm = np.linalg.norm(U, axis=1, keepdims=True)
    U = U / np.where(norm > 0, norm, 1.0)
    r, rmse = cosine_fit(U, P)
    return Profiles(U, r, rmse)


def cosine_fit(U: np.ndarray, P: np.ndarray) -> tuple[float, float]:
    """Pearson r and RMSE of the cosines of U's rows against P over pairs i < j (row by row)."""
    n = len(U)
    norm = np.linalg.norm(U, axis=1)
    V = U / np.where(norm > 0, norm, 1.0)[:, None]
    sx = sy = sxx = syy = sxy = se = 0.0
    m = 0
    for i in range(n - 1):
        c = V[i + 1:] @ V[i]
        p = P[i, i + 1:]
        sx, sy = sx + p.sum(), sy + c.sum()
        sxx, syy, sxy = sxx + (p * p).sum(), syy + (c * c).sum(), sxy + (p * c).sum()
        se += float(((p - c) ** 2).sum())
        m += len(p)
    if m == 0:
        return 1.0, 0.0
    vp, vc = sxx - sx * sx / m, syy - sy * sy / m
    r = float((sxy - sx * sy / m) / math.sqrt(vp * vc)) if vp > 1e-15 and vc > 1e-15 else float("nan")
    return r, math.sqrt(se / m)


def reshape_stock(T: np.ndarray, E: np.ndarray, rows: np.ndarray, shape: np.ndarray,
                  domains: np.ndarray) -> None:
    """Give actors `rows` the profile `shape` (len(rows) x len(domains), >= 0) over `domains`,
    in place, keeping what the model drew for them: the total stock over those domains
    (sum of T + E), the tacit share of each actor, and its knowledge in the other domains.
    New knowledge K = stock x shape / sum(shape), capped at the frontier 1 (a focal firm's
    whole stock put into one domain may exceed it: the excess is lost, as the generator caps
    its draws). T = K x tacit share, E = K - T."""
    rows = np.asarray(rows, np.int64)
    if not len(rows):
        return
    cols = np.asarray(domains, np.int64)
    K = T[np.ix_(rows, cols)].astype(np.float64) + E[np.ix_(rows, cols)]
    stock = K.sum(axis=1)
    allT, allK = T[rows].sum(axis=1, dtype=np.float64), (T[rows] + E[rows]).sum(axis=1, dtype=np.float64)
    tacit = np.where(allK > 0, allT / np.where(allK > 0, allK, 1.0), 0.5)
    s = np.asarray(shape, float)
    tot = s.sum(axis=1)
    s = np.where(tot[:, None] > 0, s / np.where(tot > 0, tot, 1.0)[:, None], 1.0 / len(cols))
    newK = np.minimum(stock[:, None] * s, 1.0)
    T[np.ix_(rows, cols)] = (newK * tacit[:, None]).astype(T.dtype)
    E[np.ix_(rows, cols)] = (newK * (1 - tacit[:, None])).astype(E.dtype)


def check_proximity(P: np.ndarray, source: str) -> np.ndarray:
    """A cognitive proximity matrix as floats, checked: cells in [0, 1] (cosine-type
    proximity, 1 = same knowledge), else DataError naming `source`."""
    P = np.asarray(P, float)
    if P.size and (P.min() < 0 or P.max() > 1):
        bad = P.min() if P.min() < 0 else P.max()
        raise DataError(f"{source}: a cognitive proximity must lie from 0 to 1 (1 = the same "
                        f"knowledge), found {bad:g}; rescale it (a distance d as 1 - d / max d)")
    return P

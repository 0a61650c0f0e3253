"""The valid values of the attributes clusterlab knows, and positions in km.

Every numeric attribute has a range (`RANGES`); `value_problem` says what is wrong with a
value, or None. `kind` is categorical (`attributes.normalise_kind`); `ownership` is any
label (same label, same business group).

Positions: `x`/`y` are kilometres; `lat`/`lon` are degrees and are projected to km by
`project` (equirectangular about the mean latitude):

    x = R cos(lat0) (lon - min lon) pi/180,   y = R (lat - min lat) pi/180

with R = 6371.0088 km (mean Earth radius) and lat0 the mean latitude. Distances are exact
along meridians; east-west they are off by about tan(lat0) times the half latitude span in
radians: at most 0.8% at 45 degrees for a cluster 100 km north to south, 1.4% at 60
degrees (against haversine distances).
When a file gives both x/y and lat/lon, x/y are used and lat/lon kept as information.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .network import DataError

EARTH_KM = 6371.0088
MAX_SPAN_KM = 10_000.0  # actors' positions spread at most this far along x or y


@dataclass(frozen=True)
class Range:
    lo: float
    hi: float
    integer: bool
    expected: str  # what the error message says is expected


RANGES = {
    "stage": Range(0, 999, True, "a value-chain stage number 0, 1, 2, ... (at most 999)"),
    "size": Range(0, 10_000_000, False, "a number of employees from 0 to 10,000,000"),
    "age": Range(0, 1000, False, "an age in years from 0 to 1000"),
    "rd": Range(0, 1, False, "an R&D intensity from 0 to 1 (write 5% as 0.05)"),
    "external_ties": Range(0, 10_000, True, "a whole number of external partners from 0 to 10,000"),
    "export_share": Range(0, 1, False, "a share from 0 to 1 (write 45% as 0.45)"),
    "x": Range(-20_000, 20_000, False, "a position in km from -20,000 to 20,000"),
    "y": Range(-20_000, 20_000, False, "a position in km from -20,000 to 20,000"),
    "lat": Range(-90, 90, False, "a latitude in degrees from -90 to 90"),
    "lon": Range(-180, 180, False, "a longitude in degrees from -180 to 180"),
}


def value_problem(key: str, value: float) -> str | None:
    """What is wrong with `value` for attribute `key` (None when it is valid or missing)."""
    rule = RANGES[key]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if not math.isfinite(value) or not rule.lo <= value <= rule.hi or (rule.integer and value != int(value)):
        return f"{value:g} is out of range; expected {rule.expected}"
    return None


def project(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Degrees to km (module docstring); NaN stays NaN."""
    ok = np.isfinite(lat) & np.isfinite(lon)
    if not ok.any():
        return np.full(len(lat), np.nan), np.full(len(lat), np.nan)
    lat0 = math.radians(float(lat[ok].mean()))
    k = math.pi / 180 * EARTH_KM
    x = k * math.cos(lat0) * (lon - lon[ok].min())
    y = k * (lat - lat[ok].min())
    return x, y


def check_pairs(pairs, where: list[str], path) -> None:
    """Each row gives both or neither of each pair of columns, e.g. (("x", x), ("y", y));
    `where` names each row (line or node)."""
    (na, a), (nb, b) = pairs
    half = np.isnan(a) != np.isnan(b)
    if half.any():
        i = int(np.flatnonzero(half)[0])
        has, lacks = (na, nb) if np.isnan(b[i]) else (nb, na)
        raise DataError(f"{path}: {where[i]}: {has!r} is given but {lacks!r} is not; give both or neither")


def check_span(values: np.ndarray, column: str, where: list[str], path, limit: float = MAX_SPAN_KM,
               unit: str = "km") -> None:
    """Positions along one axis spread at most `limit` (a cluster, not the globe)."""
    ok = np.flatnonzero(np.isfinite(values))
    if len(ok) < 2:
        return
    lo, hi = ok[np.argmin(values[ok])], ok[np.argmax(values[ok])]
    span = float(values[hi] - values[lo])
    if span > limit:
        raise DataError(f"{path}: {column!r} spreads {span:,.0f} {unit} ({where[lo]} to {where[hi]}); "
                        f"expected the actors within {limit:,.0f} {unit} of each other"
                        + (" (a cluster across the 180th meridian is not supported)" if unit == "degrees" else ""))

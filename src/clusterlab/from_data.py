"""Start a simulation from a real cluster: survey network and attributes become the state.

Every actor of the network becomes an actor of the simulation and every tie a tie; what the
data do not say takes a documented default from the scenario (docs/odd.md, section 5.3):

- kind: the `kind` attribute; without it, every actor is an SME except the
  `population.focal_share` of actors with the most ties, who are focal firms (Wang 2013: focal
  firms are those with the most relations).
- stage: the `stage` attribute (firms; 0 to `population.stages` - 1, else an error); without
  it, drawn uniformly over `population.stages`.
- x, y (km), by precedence: the attributes `x`, `y`; `lon`, `lat` projected to km
  (`geography.lonlat_km`); positions recovered from the geographic matrix `data.geographic`
  (distances in km, or proximities exp(-km / `data.geographic_scale_km`)) by classical
  multidimensional scaling (`geography.mds_positions`); else a force-directed layout of the
  network (partners sit near each other, as in a cluster) scaled to the span of the actors
  already placed, or to `population.region_km` when none is.
- size, R&D, openness, sharing, reciprocity: the attributes `size`, `rd`, `external_ties`
  (openness = external_ties / (external_ties + 1)) where present, else drawn as in
  `population.make_actors` for the actor's kind.
- group (organisational proximity): actors with the same `ownership` share a group.
- knowledge: drawn as in `population.make_actors` from kind, stage and the knowledge table;
  then, with the cognitive proximity matrix `data.cognitive` (every actor) or else the
  `industry` attribute (firms with a code), the profile's shape over the cluster's own
  domains is fitted so that the model's cognitive proximity (cosine of T + E) follows the
  data's (`clusterlab.profiles`); each actor's stock and tacit share stay as drawn.
- pipelines: an actor with `external_ties` = k gets k pipelines to external partners, of
  whom `population.externals` are created far away (their knowledge as in the generator);
  without the attribute, none.
- ties: survey direction (who asks whom) is collapsed: a simulated tie carries knowledge
  both ways. The layer comes from the edge `layer` column when it names one of
  clusterlab's layers, else from the ends' kinds and stages. Strength is drawn as the
  generator draws it for the tie's layer (`network.tie_attributes`); with weights that
  differ, those draws are handed out in the order of the weights (`survey_strengths`), so
  the strongest reported ties are the strongest simulated ones. Trust and age as in the
  generator; when the ties were last used is unknown, so their idle time counts from the
  start of the run (`network_evolution`).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .data import ClusterNetwork, DataError
from .data.attributes import industry_column
from .network import STRENGTH_CONCENTRATION, tie_attributes
from .errors import ClusterlabWarning
from .geography import distance_from_proximity, lonlat_km, mds_positions, span_km
from .population import draw_knowledge, draw_traits, external_domain_ids, make_technology, place
from .profiles import check_proximity, harmonise_codes, industry_proximity, nonnegative_embedding, reshape_stock
from .state import EXTERNAL, FOCAL, KINDS, LAYERS, MUTUAL, SME, Actors, Technology, Ties
from .scenario import Scenario

MAX_PIPELINES = 10_000_000  # pipelines the `external_ties` attribute may ask for in all


def _layout(net: ClusterNetwork, region_km: float, rng: np.random.Generator) -> np.ndarray:
    """Force-directed positions (Fruchterman-Reingold via igraph) scaled into the region."""
    if net.n == 0:
        return np.zeros((0, 2))
    if net.n <= 50_000:
        import random

        import igraph as ig

        g = net.to_igraph().as_undirected()
        seed = rng.random((net.n, 2)).tolist()
        # igraph draws from Python's `random` unless given a generator: seed it from ours
        ig.set_random_number_generator(random.Random(int(rng.integers(2**63))))
        try:
            xy = np.array(g.layout_fruchterman_reingold(seed=seed, niter=300).coords, float)
        finally:
            ig.set_random_number_generator(random)
    else:  # too big for a force layout: random positions
        xy = rng.random((net.n, 2))
    xy -= xy.min(axis=0)
    span = max(float(xy.max()), 1e-9)
    return 0.05 * region_km + 0.9 * region_km * xy / span


def _positions(net: ClusterNetwork, attr, sc: Scenario, rng: np.random.Generator,
               report: dict | None) -> np.ndarray:
    """Positions (km) by precedence: x/y attributes > lon/lat attributes > the geographic
    matrix `data.geographic` (classical MDS, rotated onto the actors already placed) >
    force layout (scaled to the span of the actors already placed, else
    population.region_km). One row per actor."""
    n = net.n
    xy = np.column_stack([_numeric(attr, "x", n), _numeric(attr, "y", n)])
    how = {"x/y": int((~np.isnan(xy).any(axis=1)).sum())}
    lonlat = np.column_stack([_numeric(attr, "lon", n), _numeric(attr, "lat", n)])
    todo = np.isnan(xy).any(axis=1) & ~np.isnan(lonlat).any(axis=1)
    if todo.any():  # lon/lat left unprojected (e.g. attributes given in Python)
        px, py = lonlat_km(lonlat[:, 0], lonlat[:, 1])
        placed = _align(np.column_stack([px, py]), xy, todo, allow_rotation=False)
        xy[todo] = placed[todo]
        how["lon/lat"] = int(todo.sum())
    geo = sc.data.geographic
    if geo and np.isnan(xy).any():
        D = _matrix(geo, net, "geographic")
        kind = sc.data.geographic_kind
        if kind == "auto":
            kind = _detect_geographic(D, geo)
        if kind == "proximity":
            D = distance_from_proximity(D, sc.data.geographic_scale_km, geo)
        emb = mds_positions((D + D.T) / 2, geo)
        todo = np.isnan(xy).any(axis=1)
        placed = _align(emb.xy, xy, todo, allow_rotation=True)
        xy[todo] = placed[todo]
        how["matrix"] = int(todo.sum())
        fit = {"file": geo, "kind": kind, "stress": emb.stress, "r": emb.r, "explained": emb.explained}
        if report is not None:
            report["geographic_fit"] = fit
        if emb.r < 0.9:
            warnings.warn(f"{geo}: the positions recovered by multidimensional scaling fit the geographic "
                          f"matrix poorly (r = {emb.r:.2f}, stress {emb.stress:.2f})", ClusterlabWarning, stacklevel=4)
    missing = np.isnan(xy).any(axis=1)
    if missing.any():
        known = ~missing
        box = np.ptp(xy[known], axis=0).max() if known.sum() >= 2 else 0.0
        if box > 0:  # within the bounding box of the actors placed
            lay = _layout(net, box, rng) - 0.05 * box + xy[known].min(axis=0)
        else:
            lay = _layout(net, sc.population.region_km, rng)
        xy[missing] = lay[missing]
        how["layout"] = int(missing.sum())
    if report is not None:
        report["positions"] = {k: v for k, v in how.items() if v}
        report["span_km"] = span_km(xy)
    return xy


def _align(new: np.ndarray, xy: np.ndarray, todo: np.ndarray, allow_rotation: bool) -> np.ndarray:
    """`new` positions moved onto the frame of the actors already placed in `xy` (rows not in
    `todo` with finite xy): a translation (lon/lat), or the orthogonal Procrustes rotation
    or reflection plus translation (MDS, whose orientation is arbitrary; Gower & Dijksterhuis
    2004), no scaling (both are km). With no actor placed, `new` shifted to start at 0."""
    both = ~todo & ~np.isnan(xy).any(axis=1) & ~np.isnan(new).any(axis=1)
    if not both.any():
        return new - np.nanmin(new[todo], axis=0) if todo.any() else new
    a, b = new[both], xy[both]
    ca, cb = a.mean(axis=0), b.mean(axis=0)
    R = np.eye(2)
    if allow_rotation and both.sum() >= 2:
        u, _, vt = np.linalg.svd((a - ca).T @ (b - cb))
        R = u @ vt
    return (new - ca) @ R + cb


def _detect_geographic(D: np.ndarray, path: str) -> str:
    """distance or proximity by the rule `compare --proximity` uses (`data.matrix.detect_scale`:
    a diagonal of ones or cells within 0-1 are proximities, a diagonal of zeros with cells
    above 1 distances); else a DataError asking to declare it."""
    from .data.matrix import detect_scale

    scale, why = detect_scale(D)
    if scale is None:
        raise DataError(f"{path}: cannot tell whether the geographic matrix holds distances (diagonal 0) or "
                        f"proximities (diagonal 1) ({why}); declare it: data.geographic_kind = \"distance\" "
                        "or \"proximity\" (run: --geographic FILE:distance)")
    return scale


def _matrix(path: str, net: ClusterNetwork, what: str) -> np.ndarray:
    """The labelled matrix in `path` (`data.matrix.read_proximity`) reordered to the network's
    actors. Labels the network lacks are ignored (a matrix may cover both waves of a panel);
    a network actor without a row and column is a DataError naming the file."""
    from .data.matrix import read_proximity

    from .data.network import check_numbered

    frame = read_proximity(path)
    check_numbered([net], {what: frame}, DataError)  # files without labels: the same actors by position
    labels = [str(c) for c in frame.columns]
    pos = {lab: k for k, lab in enumerate(labels)}
    ids = [str(i) for i in net.ids]
    lacking = [i for i in ids if i not in pos]
    if lacking:
        shown = ", ".join(repr(i) for i in lacking[:3])
        more = f" and {len(lacking) - 3} more" if len(lacking) > 3 else ""
        raise DataError(f"{path}: {len(lacking)} of the network's {len(ids)} actors "
                        f"{'has' if len(lacking) == 1 else 'have'} no row and column in the "
                        f"{what} matrix: {shown}{more}")
    idx = np.array([pos[i] for i in ids], np.int64)
    return frame.to_numpy(dtype=float)[np.ix_(idx, idx)]


def _profiles(net: ClusterNetwork, attr, sc: Scenario, kind: np.ndarray, T: np.ndarray, E: np.ndarray,
              rng: np.random.Generator, report: dict | None) -> None:
    """Knowledge profiles (in place) from the cognitive matrix `data.cognitive` (every actor)
    or else the `industry` attribute (firms with a code): the shape over the cluster's own
    domains is fitted to the data's proximity (`profiles`), each actor's stock, tacit share
    and other trajectories' domains stay as drawn."""
    know = sc.knowledge
    own = np.setdiff1d(np.arange(know.domains), external_domain_ids(know))
    n = net.n
    if sc.data.cognitive:
        path = sc.data.cognitive
        P = check_proximity(_matrix(path, net, "cognitive"), path)
        fit = nonnegative_embedding(P, len(own))
        reshape_stock(T, E, np.arange(n), fit.U, own)
        info = {"source": path, "r": fit.r, "rmse": fit.rmse}
    elif (col := industry_column(attr.columns)) is not None:
        codes, harmonised = harmonise_codes(attr[col].to_numpy(dtype=object))
        codes = np.array(codes, dtype=object)
        rows = np.flatnonzero((codes != "") & (kind <= SME))
        if not len(rows):
            return
        uniq, which, counts = np.unique(codes[rows].astype(str), return_inverse=True, return_counts=True)
        fit = nonnegative_embedding(industry_proximity(list(uniq)), len(own), weights=counts)
        core = fit.U[which]
        core = core / np.maximum(core.max(axis=1, keepdims=True), 1e-12)
        # as draw_knowledge: a share `specialisation` in the core, the rest spread at random
        shape = know.specialisation * core + (1 - know.specialisation) * rng.random(core.shape)
        reshape_stock(T, E, rows, shape, own)
        info = {"source": "industry", "column": col, "codes": len(uniq), "firms": len(rows), "r_codes": fit.r,
                "section_letters_dropped": harmonised}
    else:
        return
    if report is not None:
        report["cognitive_fit"] = info


def _numeric(attr, name: str, n: int) -> np.ndarray:
    """Column `name` as floats, NaN where missing (or all NaN without the column)."""
    if name not in attr.columns:
        return np.full(n, np.nan)
    col = attr[name]
    if isinstance(col.dtype, np.dtype) and col.dtype.kind in "iuf":  # plain numbers: no NA to map
        return col.to_numpy(dtype=float)
    return col.to_numpy(dtype=float, na_value=np.nan)


def state_from_network(net: ClusterNetwork, sc: Scenario, rng: np.random.Generator,
                       report: dict | None = None) -> tuple[Actors, Ties, Technology]:
    """The simulation's starting state for a real cluster (see the module docstring).
    `report`, if given, receives where positions and knowledge profiles came from and how
    well they fit the data's matrices ("positions", "profiles")."""
    attr = net.attributes.reset_index(drop=True)
    n = net.n
    if n == 0:
        raise DataError(f"{net.source}: the network has no actors")
    # kinds
    raw = attr["kind"].to_numpy(dtype=object) if "kind" in attr.columns else np.zeros(0, object)
    missing = pd.isna(raw)
    if not missing.all():  # some kind given: lower case, a missing one "sme" (plain Python: cheaper than pandas)
        names = ["sme" if m else str(v).lower() for v, m in zip(raw, missing)]
        bad = sorted(set(names) - set(KINDS))
        if bad:
            raise DataError(f"{net.source}: unknown kind {bad[0]!r}, expected one of {', '.join(KINDS)}")
        kind = np.array([KINDS.index(k) for k in names], np.int8)
    else:
        a, b, _ = net.undirected_edges()
        deg = np.bincount(a, minlength=n) + np.bincount(b, minlength=n)
        kind = np.full(n, SME, np.int8)
        n_focal = int(round(sc.population.focal_share * n))
        if n_focal:
            kind[np.argsort(-deg, kind="stable")[:n_focal]] = FOCAL
    firm = kind <= SME
    pop, know = sc.population, sc.knowledge
    L = pop.stages
    stage = _numeric(attr, "stage", n)
    outside = firm & (stage > L - 1)
    if outside.any():
        i = int(np.flatnonzero(outside)[0])
        raise DataError(f"{_where(net)}: actor {net.ids[i]!r}: stage {stage[i]:g} is outside 0..{L - 1} "
                        f"(population.stages = {L}); renumber the stages from 0 or raise population.stages")
    drawn = rng.integers(0, L, n)
    stage = np.where(np.isnan(stage), drawn, np.clip(stage, 0, L - 1)).astype(np.int8)
    stage[~firm] = -1
    xy = _positions(net, attr, sc, rng, report)
    traits = draw_traits(kind, pop, rng)  # defaults for what the data do not say
    for name in ("size", "rd"):
        given = _numeric(attr, name, n)
        traits[name] = np.where(np.isnan(given), traits[name], given).astype(np.float32)
    ext = _numeric(attr, "external_ties", n)
    if np.nansum(ext) > MAX_PIPELINES:
        raise DataError(f"{_where(net)}: external_ties add up to {np.nansum(ext):,.0f} pipelines; at most "
                        f"{MAX_PIPELINES:,} are simulated")
    traits["openness"] = np.where(np.isnan(ext), traits["openness"], ext / (np.nan_to_num(ext) + 1.0)).astype(np.float32)
    group = np.arange(n, dtype=np.int32)
    if "ownership" in attr.columns:
        owner = attr["ownership"].astype("string").fillna("").to_numpy()
        firstof: dict[str, int] = {}
        for i, o in enumerate(owner):
            if o:
                group[i] = firstof.setdefault(o, i)
    T, E = draw_knowledge(kind, stage, L, know, rng)  # core profiles follow the data's stages
    _profiles(net, attr, sc, kind, T, E, rng, report)  # reshaped to the data's cognitive proximity
    actors = Actors(kind=kind, stage=stage, x=xy[:, 0].astype(np.float32), y=xy[:, 1].astype(np.float32),
                    culture=np.zeros(n, np.int16), group=group, T=T, E=E, **traits)
    actors.external_origin[kind == EXTERNAL] = 1.0
    tech = make_technology(know, rng)

    # ties from the survey, with who asks whom (directed data; mutual otherwise)
    a, b, w = net.undirected_edges()
    asks = net.directions(a, b)
    asks[asks == 0] = MUTUAL  # an edge of weight 0 in both directions: no direction to keep
    layer, drawn, trust, dist = tie_attributes(sc.network, actors, a, b, rng)
    if net.layer is not None:
        given = _edge_layers(net, a, b)
        redraw = (given >= 0) & (given != layer)
        layer = np.where(given >= 0, given, layer).astype(np.int8)
        if redraw.any():  # drawn for the layer the ends imply: draw again for the data's
            drawn[redraw] = _strengths(sc.network, layer[redraw], rng)
    strength = survey_strengths(w, drawn)
    # pipelines for firms that report external ties
    n_ext_extra = pop.externals if "external_ties" in attr.columns else 0
    if n_ext_extra:
        kind_ext = np.full(n_ext_extra, EXTERNAL, np.int8)
        x, y, culture = place(kind_ext, pop, rng)
        T, E = draw_knowledge(kind_ext, np.full(n_ext_extra, -1, np.int8), L, know, rng)
        first_new = actors.n
        ext_ids = actors.append(n_ext_extra, kind=EXTERNAL, stage=-1, x=x, y=y, culture=culture,
                                T=T, E=E, external_origin=1.0, **draw_traits(kind_ext, pop, rng))
        actors.group[ext_ids] = ext_ids
        k = np.nan_to_num(ext).astype(np.int64)
        src = np.repeat(np.arange(n), k)
        dst = first_new + rng.integers(0, len(ext_ids), len(src))
        key = np.unique(np.minimum(src, dst) * actors.n + np.maximum(src, dst))
        pa, pb = key // actors.n, key % actors.n
        pl, pw, pt, pd_ = tie_attributes(sc.network, actors, pa, pb, rng)
        a, b = np.concatenate([a, pa]), np.concatenate([b, pb])
        asks = np.concatenate([asks, np.full(len(pa), MUTUAL, np.int8)])
        strength = np.concatenate([strength, pw])
        layer, trust, dist = np.concatenate([layer, pl]), np.concatenate([trust, pt]), np.concatenate([dist, pd_])
    born = -rng.integers(0, int(sc.network.max_age_years * sc.steps_per_year) + 1, len(a))
    ties = Ties.from_edges(actors.n, a, b, layer, strength, trust, dist, born, asks=asks)
    return actors, ties, tech


def survey_strengths(weight: np.ndarray, drawn: np.ndarray) -> np.ndarray:
    """Starting strengths of survey ties (docs/odd.md, 5.3): `drawn` are strengths drawn as
    the generator draws them for each tie's layer (`network.tie_attributes`). Without
    information in the weights (all equal: an unweighted survey) each tie keeps its draw;
    otherwise the drawn strengths, sorted, go to the ties in the order of their weights
    (equal weights ordered by their own draws), so the strengths follow the data's ranking
    with the generator's distribution."""
    weight = np.asarray(weight, np.float64)
    drawn = np.asarray(drawn, np.float64)
    if len(weight) == 0 or np.all(weight == weight[0]):
        return drawn.copy()
    out = np.empty_like(drawn)
    out[np.lexsort((drawn, weight))] = np.sort(drawn)
    return out


def _strengths(net, layer: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Strengths drawn as `network.tie_attributes` draws them for ties of the given layers
    (beta with the layer's mean strength)."""
    mean = np.array([net.strength_horizontal, net.strength_vertical, net.strength_multi_angle,
                     net.strength_pipeline])[layer]
    c = STRENGTH_CONCENTRATION
    return rng.beta(c * mean, c * (1.0 - mean))


def _where(net: ClusterNetwork) -> str:
    """The file the attributes came from."""
    return str(net.notes.get("attributes") or net.source)


def _edge_layers(net: ClusterNetwork, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Layer codes from the edge `layer` column where it names a clusterlab layer, else -1."""
    names = {name: i for i, name in enumerate(LAYERS)}
    names.update({"multi-angle": 2, "multiangle": 2, "institutional": 2, "global": 3, "external": 3})
    lo, hi = np.minimum(net.src, net.dst), np.maximum(net.src, net.dst)
    code = np.array([names.get(str(x).strip().lower(), -1) for x in net.layer], np.int64)
    lookup = dict(zip((lo * net.n + hi).tolist(), code.tolist()))
    return np.array([lookup.get(k, -1) for k in (a * net.n + b).tolist()], np.int64)

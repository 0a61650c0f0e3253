"""Create the actors of a scenario (MODEL.md section 1; seed 002, Fig. 1).

Focal firms and SMEs form the core, institutions the assistant part, external partners
the supplementary part. Firms concentrate around a few towns; externals lie far away.
Cluster actors are numbered along a Z-order curve so that ids follow space.
"""

from __future__ import annotations

import numpy as np

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .scenario import Scenario
from .spatial import morton_order
from .state import (AGENCY, CLUSTER_ORG, EXTERNAL, FOCAL, INSTITUTE, INTERMEDIARY, SME,
                    UNIVERSITY, Actors, Technology)

# per kind: knowledge level relative to institution_level, R&D, openness, tacit factor
_INSTITUTION = {
    UNIVERSITY: (1.0, 0.5, 0.6, 0.5),
    INSTITUTE: (1.0, 0.5, 0.5, 0.6),
    INTERMEDIARY: (0.5, 0.05, 0.4, 1.0),
    AGENCY: (0.2, 0.01, 0.3, 1.0),
    CLUSTER_ORG: (0.3, 0.02, 0.5, 1.0),
}


def _beta_mean(rng, mean: float, n: int, conc: float = 4.0) -> np.ndarray:
    mean = float(np.clip(mean, 1e-4, 1 - 1e-4))
    return rng.beta(conc * mean, conc * (1 - mean), n)


def core_profile(stages: int, domains: int) -> np.ndarray:
    """Weight of each domain for each value-chain stage (stages x domains, max 1 per row).

    Stages and domains sit on a circle; a stage's core domains are the nearest ones, so
    adjacent stages share knowledge (vertical cognitive proximity).
    """
    d = (np.arange(domains) + 0.5) / domains
    s = (np.arange(stages) + 0.5) / stages
    gap = np.abs(s[:, None] - d[None, :])
    gap = np.minimum(gap, 1 - gap)
    width = max(0.5 / stages, 0.5 / domains)
    w = np.exp(-0.5 * (gap / width) ** 2)
    return w / w.max(axis=1, keepdims=True)


def make_actors(sc: Scenario, rng: np.random.Generator) -> tuple[Actors, Technology]:
    p, k = sc.population, sc.knowledge
    D = k.domains
    n_focal = int(round(p.focal_share * p.firms))
    kinds = ([FOCAL] * n_focal + [SME] * (p.firms - n_focal)
             + [UNIVERSITY] * p.universities + [INSTITUTE] * p.institutes
             + [INTERMEDIARY] * p.intermediaries + [AGENCY] * p.agencies
             + [CLUSTER_ORG] * p.cluster_orgs)
    kind_local = np.array(kinds, np.int8)
    n_local = len(kind_local)
    n = n_local + p.externals
    kind = np.concatenate([kind_local, np.full(p.externals, EXTERNAL, np.int8)])
    firm = kind <= SME
    focal = kind == FOCAL
    sme = kind == SME
    external = kind == EXTERNAL

    # positions: towns, firms around them, some scattered; externals far away
    R = p.region_km
    towns = rng.uniform(0.15 * R, 0.85 * R, size=(p.centres, 2))
    town = rng.integers(0, p.centres, n)
    x = towns[town, 0] + rng.normal(0, p.centre_spread_km, n)
    y = towns[town, 1] + rng.normal(0, p.centre_spread_km, n)
    scattered = (rng.random(n) < p.scattered_share) & firm
    x[scattered] = rng.uniform(0, R, scattered.sum())
    y[scattered] = rng.uniform(0, R, scattered.sum())
    x, y = np.clip(x, 0, R), np.clip(y, 0, R)
    lo, hi = p.external_km
    ang = rng.uniform(0, 2 * np.pi, p.externals)
    dist = rng.uniform(lo, hi, p.externals)
    x[external] = R / 2 + dist * np.cos(ang)
    y[external] = R / 2 + dist * np.sin(ang)

    # culture follows the town, with some mixing; externals are foreign
    culture = np.where(rng.random(n) < 0.8, town % p.culture_groups,
                       rng.integers(0, p.culture_groups, n)).astype(np.int16)
    culture[external] = p.culture_groups

    # stage: focal firms downstream (they assemble and sell), SMEs anywhere
    stage = np.full(n, -1, np.int8)
    stage[sme] = rng.integers(0, p.stages, sme.sum())
    stage[focal] = rng.integers(p.stages // 2, p.stages, focal.sum()) if p.stages > 1 else 0

    size = np.full(n, 100.0)
    size[sme] = p.sme_size * rng.lognormal(0, 0.8, sme.sum())
    size[focal] = p.focal_size * rng.lognormal(0, 0.5, focal.sum())
    size[external] = 1000.0

    rd = np.zeros(n)
    openness = np.ones(n)
    level = np.zeros(n)
    tacit_factor = np.ones(n)
    rd[sme] = _beta_mean(rng, p.sme_rd, sme.sum())
    rd[focal] = _beta_mean(rng, p.focal_rd, focal.sum())
    openness[sme] = _beta_mean(rng, p.sme_openness, sme.sum())
    openness[focal] = _beta_mean(rng, p.focal_openness, focal.sum())
    level[sme] = k.sme_level
    level[focal] = k.focal_level
    for kd, (lv, r, o, tf) in _INSTITUTION.items():
        m = kind == kd
        level[m], rd[m], openness[m], tacit_factor[m] = lv * k.institution_level, r, o, tf
    rd[external] = 0.1
    level[external] = k.external_level
    tacit_factor[external] = 0.8

    sharing = _beta_mean(rng, 0.5, n)
    sharing[focal] = _beta_mean(rng, 0.65, focal.sum())
    reciprocity = np.ones(n)
    reciprocity[firm] = rng.uniform(0.6, 1.0, firm.sum())
    free = firm & (rng.random(n) < p.free_rider_share)
    reciprocity[free] = 0.05
    reciprocity[external] = 0.8

    # business groups: each actor its own, some SMEs belong to a focal firm's group
    group = np.arange(n, dtype=np.int32)
    focal_ids = np.flatnonzero(focal)
    if len(focal_ids):
        sub = sme & (rng.random(n) < p.subsidiary_share)
        group[sub] = rng.choice(focal_ids, sub.sum())

    # knowledge profiles: firms by stage, institutions broad, externals specialised
    prof = np.empty((n, D))
    core = core_profile(p.stages, D)
    noise = rng.random((n, D))
    fs = np.flatnonzero(firm)
    prof[fs] = k.specialisation * core[stage[fs]] + (1 - k.specialisation) * noise[fs]
    inst = ~firm & ~external
    prof[inst] = rng.dirichlet(np.full(D, 0.7), inst.sum()) * D / 2 if inst.any() else 0
    ext = np.flatnonzero(external)
    prof[ext] = 0.2 * noise[ext]
    prof[ext, rng.integers(0, D, len(ext))] = 1.0
    prof[ext, rng.integers(0, D, len(ext))] = 1.0
    prof = np.clip(prof, 0, 1.5)
    K = np.minimum(prof * (level * rng.lognormal(0, 0.3, n))[:, None], 1.0)  # frontier = 1
    tacit = np.clip(k.tacit_share * tacit_factor, 0, 1)[:, None]
    T = (K * tacit).astype(np.float32)
    E = (K * (1 - tacit)).astype(np.float32)

    # number cluster actors along a Z-order curve; externals last, by angle
    order = np.concatenate([morton_order(x[:n_local], y[:n_local]),
                            n_local + np.argsort(np.arctan2(y[n_local:] - R / 2, x[n_local:] - R / 2),
                                                 kind="stable")]).astype(np.int64)
    inv = np.empty(n, np.int64)
    inv[order] = np.arange(n)
    group = inv[group[order]].astype(np.int32)

    actors = Actors(
        kind=kind[order], stage=stage[order], x=x[order].astype(np.float32),
        y=y[order].astype(np.float32), culture=culture[order], group=group,
        size=size[order].astype(np.float32), rd=rd[order].astype(np.float32),
        openness=openness[order].astype(np.float32), sharing=sharing[order].astype(np.float32),
        reciprocity=reciprocity[order].astype(np.float32),
        T=np.ascontiguousarray(T[order]), E=np.ascontiguousarray(E[order]),
    )
    actors.external_origin[actors.kind == EXTERNAL] = 1.0
    relevance = rng.dirichlet(np.full(D, k.relevance_concentration)).astype(np.float32)
    tech = Technology(frontier=np.ones(D, np.float32), relevance=relevance)
    return actors, tech

"""Create the actors of a scenario (docs/odd.md, 5.1; Wang 2013, Fig. 1).

Focal firms and SMEs form the core, institutions the assistant part, external partners
the supplementary part. Firms concentrate around a few towns; externals lie far away.
Cluster actors are numbered along a Z-order curve so that ids follow space.
"""

from __future__ import annotations

import numpy as np

from .params import Knowledge, Population
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


def beta_mean(rng: np.random.Generator, mean: float, n: int, conc: float = 4.0) -> np.ndarray:
    """n Beta draws with the given mean and concentration a + b = conc (shares such as R&D
    intensity and openness: skewed, in [0, 1])."""
    mean = min(max(float(mean), 1e-4), 1 - 1e-4)  # np.clip's value, without its cost on a scalar
    return rng.beta(conc * mean, conc * (1 - mean), n)


def core_profile(stages: int, domains: int) -> np.ndarray:
    """Weight of each domain for each value-chain stage (stages x domains, max 1 per row).

    Stages and domains sit on a circle; a stage's core domains are the nearest ones, so
    adjacent stages share knowledge (vertical cognitive proximity).
    """
    return core_at((np.arange(stages) + 0.5) / stages, stages, domains)


def core_at(pos: np.ndarray, stages: int, domains: int) -> np.ndarray:
    """Weight of each domain for actors at positions `pos` on the domain circle ([0, 1),
    a stage s sits at (s + 0.5) / stages): Gaussian in the circular gap, max 1 per row."""
    d = (np.arange(domains) + 0.5) / domains
    gap = np.abs(np.asarray(pos, np.float64)[:, None] % 1.0 - d[None, :])
    gap = np.minimum(gap, 1 - gap)
    width = max(0.5 / stages, 0.5 / domains)
    w = np.exp(-0.5 * (gap / width) ** 2)
    return w / w.max(axis=1, keepdims=True)


FOREIGN = 0.1  # cluster actors' set-up knowledge in other trajectories' domains, relative
EXTERNAL_FOREIGN = 0.3  # an external's weight in its secondary competence in the other group of domains (1 in its field)


def external_domain_ids(know: Knowledge) -> np.ndarray:
    """The domains of other technological trajectories (`knowledge.external_domains`): the
    last floor(share x D) domains, which only external partners hold well (some specialise
    in them, the others hold one as a secondary competence)."""
    k = int(know.external_domains * know.domains)
    return np.arange(know.domains - k, know.domains)


def kinds_of(pop: Population) -> np.ndarray:
    """The kind of every actor of a generated cluster: firms (focal first), institutions,
    externals, in the counts of the population table."""
    n_focal = int(round(pop.focal_share * pop.firms))
    counts = [(FOCAL, n_focal), (SME, pop.firms - n_focal), (UNIVERSITY, pop.universities),
              (INSTITUTE, pop.institutes), (INTERMEDIARY, pop.intermediaries), (AGENCY, pop.agencies),
              (CLUSTER_ORG, pop.cluster_orgs), (EXTERNAL, pop.externals)]
    return np.concatenate([np.full(k, kd, np.int8) for kd, k in counts])


def draw_stages(kind: np.ndarray, stages: int, rng: np.random.Generator) -> np.ndarray:
    """Value-chain stage of each actor: focal firms downstream (they assemble and sell), SMEs
    anywhere, -1 for actors that are not firms."""
    stage = np.full(len(kind), -1, np.int8)
    sme, focal = kind == SME, kind == FOCAL
    stage[sme] = rng.integers(0, stages, int(sme.sum()))
    stage[focal] = rng.integers(stages // 2, stages, int(focal.sum())) if stages > 1 else 0
    return stage


def draw_traits(kind: np.ndarray, pop: Population, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Size, R&D intensity, openness, internal sharing and reciprocity of actors of the given
    kinds (float32 arrays): SMEs and focal firms from the population table, institutions from
    fixed profiles, externals large and open; a share of firms are free riders."""
    n = len(kind)
    firm, focal, sme, external = kind <= SME, kind == FOCAL, kind == SME, kind == EXTERNAL
    size = np.full(n, 100.0)
    size[sme] = pop.sme_size * rng.lognormal(0, 0.8, int(sme.sum()))
    size[focal] = pop.focal_size * rng.lognormal(0, 0.5, int(focal.sum()))
    size[external] = 1000.0
    rd = np.zeros(n)
    openness = np.ones(n)
    rd[sme] = beta_mean(rng, pop.sme_rd, int(sme.sum()))
    rd[focal] = beta_mean(rng, pop.focal_rd, int(focal.sum()))
    openness[sme] = beta_mean(rng, pop.sme_openness, int(sme.sum()))
    openness[focal] = beta_mean(rng, pop.focal_openness, int(focal.sum()))
    for kd, (_lv, r, o, _tf) in _INSTITUTION.items():
        m = kind == kd
        rd[m], openness[m] = r, o
    rd[external] = 0.1
    sharing = beta_mean(rng, 0.5, n)
    sharing[focal] = beta_mean(rng, 0.65, int(focal.sum()))
    reciprocity = np.ones(n)
    reciprocity[firm] = rng.uniform(0.6, 1.0, int(firm.sum()))
    reciprocity[firm & (rng.random(n) < pop.free_rider_share)] = 0.05
    reciprocity[external] = 0.8
    f32 = lambda v: v.astype(np.float32)  # noqa: E731
    return {"size": f32(size), "rd": f32(rd), "openness": f32(openness), "sharing": f32(sharing),
            "reciprocity": f32(reciprocity)}


def draw_knowledge(kind: np.ndarray, stage: np.ndarray, stages: int, know: Knowledge,
                   rng: np.random.Generator, offset: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Tacit and explicit knowledge (float32, actors x domains, frontier = 1): firms
    specialised in their stage's core domains (shifted on the domain circle by `offset`,
    per actor, if given: cognitive heterogeneity), institutions broad, externals
    specialised in one field drawn uniformly over all domains, with a secondary competence
    (EXTERNAL_FOREIGN) in the other group: an external of the cluster's trajectory also
    holds one of the other trajectories' domains (`external_domain_ids`), which cluster
    actors hold only at FOREIGN of their usual weight, and an external of another
    trajectory also holds one of the cluster's domains (the global pool spans technology
    space: Bathelt et al. 2004; Boschma & Iammarino 2009 on extra-regional knowledge from
    other, related sectors). Changed in issue 10 (round 2): every external's field was one of
    the cluster's own, so a firm searching pipelines in a newly relevant field of another
    trajectory (`openness.explore`) found no specialist there. Levels by kind from the
    knowledge table, lognormal between actors."""
    n, D = len(kind), know.domains
    foreign = external_domain_ids(know)
    L = D - len(foreign)  # the cluster's own domains 0..L-1
    firm, external = kind <= SME, kind == EXTERNAL
    level = np.zeros(n)
    tacit_factor = np.ones(n)
    level[kind == SME] = know.sme_level
    level[kind == FOCAL] = know.focal_level
    for kd, (lv, _r, _o, tf) in _INSTITUTION.items():
        m = kind == kd
        level[m], tacit_factor[m] = lv * know.institution_level, tf
    level[external] = know.external_level
    tacit_factor[external] = 0.8
    prof = np.zeros((n, D))
    noise = rng.random((n, D))
    fs = np.flatnonzero(firm)
    pos = (np.clip(stage[fs], 0, stages - 1) + 0.5) / stages
    if offset is not None:
        pos = pos + offset[fs]
    core = np.zeros((len(fs), D))
    core[:, :L] = core_at(pos, stages, L)
    prof[fs] = know.specialisation * core + (1 - know.specialisation) * noise[fs]
    inst = ~firm & ~external
    if inst.any():
        prof[inst] = rng.dirichlet(np.full(D, 0.7), int(inst.sum())) * D / 2
    if len(foreign):
        prof[np.ix_(~external, foreign)] *= FOREIGN
    ext = np.flatnonzero(external)
    prof[ext] = 0.2 * noise[ext]
    if len(foreign):  # a field anywhere in technology space and a secondary competence in the other group
        field = rng.integers(0, D, len(ext))
        other = rng.random(len(ext))
        second = np.where(field < L, foreign[(other * len(foreign)).astype(np.int64)], (other * L).astype(np.int64))
        prof[ext, field] = 1.0
        prof[ext, second] = EXTERNAL_FOREIGN
    else:
        prof[ext, rng.integers(0, D, len(ext))] = 1.0
        prof[ext, rng.integers(0, D, len(ext))] = 1.0
    prof = np.clip(prof, 0, 1.5)
    K = np.minimum(prof * (level * rng.lognormal(0, 0.3, n))[:, None], 1.0)
    tacit = np.clip(know.tacit_share * tacit_factor, 0, 1)[:, None]
    return (K * tacit).astype(np.float32), (K * (1 - tacit)).astype(np.float32)


def cognitive_offsets(kind: np.ndarray, heterogeneity: float, rng: np.random.Generator) -> np.ndarray:
    """Each actor's shift of its core domains on the domain circle: uniform on
    [-heterogeneity / 2, heterogeneity / 2] (a draw for every actor, so the draws do not
    depend on the lever); only firms use it."""
    return heterogeneity * (rng.random(len(kind)) - 0.5)


def disperse(actors: Actors, ties, pop: Population, rng: np.random.Generator) -> None:
    """setting = "dispersed": the cluster actors (not externals) move to uniform positions
    over a square `dispersed_km` wide centred on the region's centre; tie lengths follow.
    Everything else (traits, knowledge, the network) stays as generated."""
    local = np.flatnonzero(actors.kind != EXTERNAL)
    half, c = pop.dispersed_km / 2, pop.region_km / 2
    actors.x[local] = rng.uniform(c - half, c + half, len(local)).astype(np.float32)
    actors.y[local] = rng.uniform(c - half, c + half, len(local)).astype(np.float32)
    live = np.flatnonzero(ties.alive)
    a, b = ties.a[live], ties.b[live]
    ties.dist[live] = np.hypot(actors.x[a] - actors.x[b], actors.y[a] - actors.y[b]).astype(np.float32)


def place(kind: np.ndarray, pop: Population, rng: np.random.Generator,
          levers: np.random.Generator | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions (km) and culture groups: actors gather around a few towns (culture follows
    the town, with some mixing), a share of firms is scattered over the region, externals
    lie `external_km` from its centre in a random direction (a culture of their own).
    The culture draws come from `levers` if given (default `rng`), a fixed number of
    uniforms whatever `culture_groups`, so the other draws do not move with the lever."""
    n = len(kind)
    firm, external = kind <= SME, kind == EXTERNAL
    R = pop.region_km
    towns = rng.uniform(0.15 * R, 0.85 * R, size=(pop.centres, 2))
    town = rng.integers(0, pop.centres, n)
    x = towns[town, 0] + rng.normal(0, pop.centre_spread_km, n)
    y = towns[town, 1] + rng.normal(0, pop.centre_spread_km, n)
    scattered = (rng.random(n) < pop.scattered_share) & firm
    x[scattered] = rng.uniform(0, R, int(scattered.sum()))
    y[scattered] = rng.uniform(0, R, int(scattered.sum()))
    x, y = np.clip(x, 0, R), np.clip(y, 0, R)
    lo, hi = pop.external_km
    k = int(external.sum())
    ang = rng.uniform(0, 2 * np.pi, k)
    dist = rng.uniform(lo, hi, k)
    x[external] = R / 2 + dist * np.cos(ang)
    y[external] = R / 2 + dist * np.sin(ang)
    cr = levers if levers is not None else rng
    G = pop.culture_groups
    mixed = cr.random(n) >= 0.8
    drawn = _pick(cr.random(n), G)
    culture = np.where(mixed, drawn, town % G).astype(np.int16)
    culture[external] = pop.culture_groups
    return x, y, culture


def _pick(u: np.ndarray, k: int) -> np.ndarray:
    """Indices 0..k-1 from uniforms u (one draw each, whatever k)."""
    return np.minimum((u * k).astype(np.int64), k - 1)


def business_groups(kind: np.ndarray, subsidiary_share: float, rng: np.random.Generator) -> np.ndarray:
    """Business group of each actor (organisational proximity): its own, except a share of
    SMEs that belong to a focal firm's group. Two uniforms per actor whatever the share (a
    larger share adds subsidiaries to a smaller one's, same parents), so `rng` can be a
    lever stream."""
    n = len(kind)
    group = np.arange(n, dtype=np.int32)
    focal_ids = np.flatnonzero(kind == FOCAL)
    u, v = rng.random(n), rng.random(n)
    if len(focal_ids):
        sub = (kind == SME) & (u < subsidiary_share)
        parent = focal_ids[_pick(v, len(focal_ids))]
        group[sub] = parent[sub]
    return group


def make_actors(pop: Population, know: Knowledge, rng: np.random.Generator,
                levers: np.random.Generator | None = None) -> tuple[Actors, Technology]:
    """The actors of a generated cluster and its technology regime (frontier 1 in every
    domain, market relevance drawn from a Dirichlet). `levers` (default: a stream derived
    from nothing but the default seed 0) draws the culture groups, business groups and
    cognitive offsets, apart from `rng`, a fixed number of draws each, so the other draws
    do not move with population.culture_groups, population.subsidiary_share or
    knowledge.heterogeneity (common random numbers for paired comparisons)."""
    kind = kinds_of(pop)
    n = len(kind)
    levers = levers if levers is not None else np.random.default_rng(0)
    x, y, culture = place(kind, pop, rng, levers)
    stage = draw_stages(kind, pop.stages, rng)
    traits = draw_traits(kind, pop, rng)
    group = business_groups(kind, pop.subsidiary_share, levers)
    offset = cognitive_offsets(kind, know.heterogeneity, levers)
    T, E = draw_knowledge(kind, stage, pop.stages, know, rng, offset)

    # number cluster actors along a Z-order curve; externals last, by angle
    local = np.flatnonzero(kind != EXTERNAL)
    ext = np.flatnonzero(kind == EXTERNAL)
    R = pop.region_km
    order = np.concatenate([local[morton_order(x[local], y[local])],
                            ext[np.argsort(np.arctan2(y[ext] - R / 2, x[ext] - R / 2), kind="stable")]])
    inv = np.empty(n, np.int64)
    inv[order] = np.arange(n)
    actors = Actors(
        kind=kind[order], stage=stage[order], x=x[order].astype(np.float32),
        y=y[order].astype(np.float32), culture=culture[order], group=inv[group[order]].astype(np.int32),
        T=np.ascontiguousarray(T[order]), E=np.ascontiguousarray(E[order]),
        **{k: v[order] for k, v in traits.items()},
    )
    actors.external_origin[actors.kind == EXTERNAL] = 1.0
    return actors, make_technology(know, rng)


def make_technology(know: Knowledge, rng: np.random.Generator) -> Technology:
    """The technology regime at the start: frontier 1 in every domain, market relevance
    drawn from a Dirichlet of concentration `relevance_concentration`."""
    relevance = rng.dirichlet(np.full(know.domains, know.relevance_concentration)).astype(np.float32)
    return Technology(frontier=np.ones(know.domains, np.float32), relevance=relevance)

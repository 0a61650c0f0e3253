"""Knowledge transfer along active ties (Wang & Wang 2012; Wang 2013).

Only ties marked active this step carry knowledge (`interaction` marks them; all ties
while it is switched off). Receiver i closes part of its gap to holder j in every domain d
(Cowan & Jonard 2004):

    dK_i[d] = beta_layer * A_i * u(delta_ij, A_i) * willingness_ji * w_ij * eff_ij * max(0, K_j[d] - K_i[d])

- u = max(0, 1 - delta / (cognitive_scale * A_i)) is understandability, falling with the cognitive
  distance delta = 1 - cosine(K_i, K_j); the gap supplies novelty, and the product is
  Nooteboom's (2000) inverted U in cognitive distance. Absorptive capacity A_i widens it.
- willingness_ji = (willingness_base + willingness_trust * trust_ij) * reciprocity_j, times
  `competitor_factor` on horizontal ties: the holder's motivation (Szulanski 2000; the
  "worry of unfair revenue" of Wang 2013; free riders give little).
- eff_ij: spatial, cultural and organisational distance lower efficiency (Wang 2013,
  absorptive capability): (1 - geo_penalty (1 - exp(-km / geo_km))) (1 - cultural_penalty
  if culture groups differ) (1 - organisational_penalty * org distance); org distance is 0
  within a business group and falls with the age of a vertical (subcontracting) tie.
- Tacit knowledge moves only by socialisation, over strong and near ties (w >= tacit_min_strength
  and distance <= tacit_max_km, Polanyi; Maskell & Malmberg 1999); explicit knowledge moves
  over any tie.
- Receivers update synchronously from the state at the start of the pass; a receiver's gain
  in a domain never exceeds its largest gap to an active partner (no overshoot). Where that
  cap binds, each learning channel keeps its share of the receiver's uncapped gain.

A streaming pass over ties folds the direction-free factors into one rate per tie; then
one fused Numba pass over each receiver's ties; flows are summed per layer (learning
channel) and per form (tacit = SECI socialisation, explicit = part of combination).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from ..params import Field, MechanismParams, MIN_KM, MAX_KM, MAX_YEARS
from ..knowledge import add_inplace, origin_parts, understandability
from ..mechanism import Mechanism, State
from ..state import EXTERNAL, FOCAL, HORIZONTAL, LAYERS, VERTICAL, grown
from ..kernels import parallel_njit

N_CHUNKS = 256  # fixed, so sums do not depend on the number of threads


@parallel_njit(cache=True)
def _tie_rates(a, b, active, layer, w, trust, dist, born, now, culture, group, beta, will_base,
               will_trust, competitor, tacit_w, tacit_km, geo_pen, inv_geo_km, cul_pen, org_pen,
               org_age, rate):
    """Per tie, everything in the rate that does not depend on the direction: layer rate,
    strength, trust, competition and distance efficiency; 0 if inactive. The sign carries
    the tacit gate: positive = tacit may flow, negative = explicit only."""
    for t in nb.prange(len(a)):
        L = layer[t]
        if not active[t] or beta[L] == 0.0:
            rate[t] = 0.0
            continue
        i = a[t]
        j = b[t]
        r = beta[L] * w[t] * (will_base + will_trust * trust[t])
        if L == HORIZONTAL:
            r *= competitor
        r *= 1.0 - geo_pen * (1.0 - np.exp(-dist[t] * inv_geo_km))
        if culture[i] != culture[j]:
            r *= 1.0 - cul_pen
        if group[i] != group[j]:
            org = 1.0
            if L == VERTICAL:
                org = 1.0 - min(1.0, (now - born[t]) / org_age)
            r *= 1.0 - org_pen * org
        if w[t] >= tacit_w and dist[t] <= tacit_km:
            rate[t] = r
        else:
            rate[t] = -r


@parallel_njit(cache=True)
def _holders(T, E, recip, kind, ext, via, out):
    """Per actor, what a receiver needs of a holder, packed in one row (one cache line):
    1/|T + E|, reciprocity, origin shares (external, via a focal firm)."""
    for i in nb.prange(T.shape[0]):
        ss = 0.0
        for d in range(T.shape[1]):
            v = T[i, d] + E[i, d]
            ss += v * v
        out[i, 0] = 1.0 / np.sqrt(ss) if ss > 0.0 else 0.0
        out[i, 1] = recip[i]
        fe, fv = origin_parts(kind[i], ext[i], via[i], FOCAL, EXTERNAL)
        out[i, 2] = fe
        out[i, 3] = fv


@parallel_njit(cache=True)
def _transfer(start, count, nbr, tid, rate, layer, T, E, H, A, alive, cog_scale,
              dT, dE, moved, inflow, inflow_ext, inflow_via, stats):
    n = len(start)
    D = T.shape[1]
    n_chunks = stats.shape[0]
    size = (n + n_chunks - 1) // n_chunks
    for c in nb.prange(n_chunks):
        Pi = np.zeros(D)
        Ti = np.zeros(D)
        Ei = np.zeros(D)
        accT = np.zeros(D)
        accE = np.zeros(D)
        maxT = np.zeros(D)
        maxE = np.zeros(D)
        preL = np.zeros(8)  # uncapped gain per layer: tacit 0-3, explicit 4-7
        local = np.zeros(8)
        for i in range(c * size, min(n, (c + 1) * size)):
            any_flow = False
            pre_ext = 0.0  # uncapped gain of external origin, and of it via focal firms
            pre_via = 0.0
            if alive[i]:
                Ai = A[i]
                for k in range(start[i], start[i] + count[i]):
                    t = tid[k]
                    r = rate[t]
                    if r == 0.0:
                        continue
                    j = nbr[k]
                    if not any_flow:
                        for d in range(D):
                            Ti[d] = T[i, d]
                            Ei[d] = E[i, d]
                            Pi[d] = (Ti[d] + Ei[d]) * H[i, 0]
                            accT[d] = 0.0
                            accE[d] = 0.0
                            maxT[d] = 0.0
                            maxE[d] = 0.0
                        for q in range(8):
                            preL[q] = 0.0
                        any_flow = True
                    dot = 0.0
                    for d in range(D):
                        dot += Pi[d] * (T[j, d] + E[j, d])
                    g_rate = abs(r) * Ai * understandability(1.0 - dot * H[j, 0], Ai, cog_scale) * H[j, 1]
                    gotE = 0.0
                    for d in range(D):
                        g = max(E[j, d] - Ei[d], 0.0)
                        accE[d] += g_rate * g
                        maxE[d] = max(maxE[d], g)
                        gotE += g
                    gotT = 0.0
                    if r > 0.0:
                        for d in range(D):
                            g = max(T[j, d] - Ti[d], 0.0)
                            accT[d] += g_rate * g
                            maxT[d] = max(maxT[d], g)
                            gotT += g
                    if gotE + gotT > 0.0 and g_rate > 0.0:
                        moved[t] = True
                        L = layer[t]
                        preL[L] += g_rate * gotT
                        preL[4 + L] += g_rate * gotE
                        amount = g_rate * (gotT + gotE)
                        pre_ext += amount * H[j, 2]
                        pre_via += amount * H[j, 3]
            if not any_flow:
                for d in range(D):
                    dT[i, d] = 0.0
                    dE[i, d] = 0.0
                continue
            capT = 0.0
            capE = 0.0
            for d in range(D):
                fT = min(1.0, maxT[d] / accT[d]) if accT[d] > 0.0 else 0.0
                fE = min(1.0, maxE[d] / accE[d]) if accE[d] > 0.0 else 0.0
                dT[i, d] = accT[d] * fT
                dE[i, d] = accE[d] * fE
                capT += dT[i, d]
                capE += dE[i, d]
            # where the cap binds, each channel keeps its share of the uncapped gain
            preT = preL[0] + preL[1] + preL[2] + preL[3]
            preE = preL[4] + preL[5] + preL[6] + preL[7]
            sT = capT / preT if preT > 0.0 else 0.0
            sE = capE / preE if preE > 0.0 else 0.0
            for L in range(4):
                gT = preL[L] * sT
                gE = preL[4 + L] * sE
                inflow[i, L] += gT + gE
                local[L] += gT
                local[4 + L] += gE
            pre = preT + preE
            if pre > 0.0:
                inflow_ext[i] += pre_ext * (capT + capE) / pre
                inflow_via[i] += pre_via * (capT + capE) / pre
        for q in range(8):
            stats[c, q] = local[q]


class Transfer(Mechanism):
    name = "transfer"

    class Params(MechanismParams):
        horizontal: bool = Field(True, description="learn over horizontal ties (competitors: observe, compare, imitate)")
        vertical: bool = Field(True, description="learn over vertical ties (suppliers and customers)")
        multi_angle: bool = Field(True, description="learn over multi-angle ties (institutions, cluster organisation)")
        pipeline: bool = Field(True, description="learn over global pipelines")
        beta_horizontal: float = Field(0.04, ge=0, le=1, description="transfer rate over horizontal ties")
        beta_vertical: float = Field(0.06, ge=0, le=1, description="transfer rate over vertical ties")
        beta_multi_angle: float = Field(0.05, ge=0, le=1, description="transfer rate over multi-angle ties")
        beta_pipeline: float = Field(0.25, ge=0, le=1, description="transfer rate over pipelines")
        willingness_base: float = Field(0.3, ge=0, le=1, description="holder's willingness at zero trust")
        willingness_trust: float = Field(0.7, ge=0, le=1, description="added willingness at full trust")
        competitor_factor: float = Field(0.5, ge=0, le=1, description="willingness multiplier between competitors (horizontal)")
        tacit_min_strength: float = Field(0.45, ge=0, le=1, description="weakest tie that carries tacit knowledge")
        tacit_max_km: float = Field(30.0, ge=0, le=MAX_KM, description="longest tie that carries tacit knowledge (km)")
        geo_penalty: float = Field(0.3, ge=0, le=1, description="efficiency lost at a very long distance")
        geo_km: float = Field(50.0, ge=MIN_KM, le=MAX_KM, description="distance scale of the geographic penalty (km)")
        cultural_penalty: float = Field(0.3, ge=0, le=1, description="efficiency lost across culture groups")
        organisational_penalty: float = Field(0.3, ge=0, le=1, description="efficiency lost across business groups")
        organisational_years: float = Field(5.0, ge=0.01, le=MAX_YEARS, description="years of subcontracting that remove the organisational penalty")

    def off(self, sim) -> None:
        sim.ties.moved[:] = False

    def betas(self) -> np.ndarray:
        p = self.pars
        return np.array([getattr(p, f"beta_{L}") if getattr(p, L) else 0.0 for L in LAYERS])

    states = (State("transfer_dT", per_domain=True, record=False, description="scratch: tacit gain this step"),
              State("transfer_dE", per_domain=True, record=False, description="scratch: explicit gain this step"))

    def init(self, sim) -> None:
        self.stats = np.zeros((N_CHUNKS, 8))
        self.rate = None  # per tie slot

    def step(self, sim) -> None:
        p, a, ties = self.pars, sim.actors, sim.ties
        self.rate = grown(self.rate, ties.m)
        self.stats[:] = 0.0
        ties.moved[:] = False
        _tie_rates(ties.a, ties.b, ties.active, ties.layer, ties.w, ties.trust, ties.dist, ties.born,
                   sim.t, a.culture, a.group, self.betas(), p.willingness_base, p.willingness_trust,
                   p.competitor_factor, p.tacit_min_strength, p.tacit_max_km, p.geo_penalty,
                   1.0 / p.geo_km, p.cultural_penalty, p.organisational_penalty,
                   p.organisational_years * sim.scenario.steps_per_year, self.rate)
        H = np.empty((a.n, 4), np.float32)
        _holders(a.T, a.E, a.reciprocity, a.kind, a.external_origin, a.via_focal, H)
        learns = a.alive & (a.kind != EXTERNAL)  # externals follow the frontier (technology)
        _transfer(ties.start, ties.count, ties.nbr, ties.tid, self.rate, ties.layer, a.T, a.E, H,
                  a.absorptive, learns, sim.scenario.knowledge.cognitive_scale, a.transfer_dT, a.transfer_dE,
                  ties.moved, a.inflow, a.inflow_external, a.inflow_via_focal, self.stats)
        add_inplace(a.T, a.transfer_dT)
        add_inplace(a.E, a.transfer_dE)
        s = self.stats.sum(axis=0)
        for L, layer in enumerate(LAYERS):
            sim.stats[f"flow_{layer}"] += s[L] + s[4 + L]
        tacit, explicit = s[:4].sum(), s[4:].sum()
        sim.stats["seci_socialization"] += tacit
        sim.stats["seci_combination"] += explicit
        sim.stats["flow_tacit"] += tacit
        sim.stats["flow_explicit"] += explicit

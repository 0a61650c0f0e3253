"""Joint projects: collective innovation (MODEL.md section 3, "collective innovation";
seed 000; seed 002, "The role of focal firms"; Lorenzoni & Baden-Fuller 1995 on the
strategic centre; Sakakibara 1997 on R&D consortia; Gulati 1995 on partner choice).

**Start.** Each step every alive focal firm leads a new project with probability
``1 - exp(-lead_rate / steps_per_year)``; cluster organisations start projects through
`Projects.start` (module `cluster_org`, its collaborative-R&D activity). The members are
the leading focal firm (a cluster organisation coordinates but is not a member) plus up to
`size` partners drawn without replacement from the leader's live network neighbours
(firms and local institutions; no externals, no cluster organisations), with weight

    weight_j = w_lj * trust_lj * (institution_weight if j is a university or institute)

(Efraimidis-Spirakis sampling: the `size` largest ``log(u) / weight``). Partners are chosen
among those the leader knows and trusts (Gulati 1995: alliances follow prior ties;
Lorenzoni & Baden-Fuller 1995: the strategic centre builds on its web of partners); research
organisations are favoured as R&D partners (seed 002, multi-angle learning: firms "focus on
the cooperative innovation and technology development with the institutions"). A project
needs at least two members. Its focus is the `focus_domains` domains with the largest
``rho[d] * s[d]``, where ``s`` is the members' mean knowledge-share profile
(``s[d] = mean_m K_m[d] / sum_d K_m[d]``): what the market wants and the team can do.

**End.** A project runs `duration` steps. At its end, over the members still alive, it
succeeds with probability

    p = logistic(a0 + a_div * div + a_trust * trust)

- ``div`` = the members' mean pairwise cognitive distance ``1 - cos(K_i, K_j)`` (as in
  `transfer`; 0 = identical profiles, 1 = disjoint): the variety of capabilities the team
  combines (Sakakibara 1997: consortia pay off through the heterogeneity of members'
  capabilities; Nooteboom 2000 on cognitive distance as the source of novelty). The Blau
  index of the combined profile was rejected because in the default cluster every firm's
  own knowledge is already spread over the domains (Blau about 0.95), so a team's Blau
  hardly varies (sd 0.01) while its cognitive distance does (mean 0.1, sd 0.1, up to 0.5).
  Success rises monotonically with it; Nooteboom's "too distant to understand" limit acts
  on what each member learns (absorptive capacity), not on success.
- ``trust`` = mean trust on the live ties between members (0.5 if there are none): trust
  lowers the "worry of unfair revenue" that blocks joint work (seed 002; Kale et al. 2000).

On success every alive member i gains explicit knowledge in every domain d,

    dE_i[d] = learning * A_i * max(0, B[d] - K_i[d]) + creation * B[d] * [d in focus],
    B[d] = max_m K_m[d]

a share of its gap to the best member (joint work codifies what the best member knows;
absorptive capacity scales it, Cohen & Levinthal 1990) plus new knowledge created in the
project's focus domains (Nonaka's combination). Creation is scaled by the team's best
knowledge there, not by the global frontier: a team recombines what it holds (cumulative
learning), so projects cannot carry a cluster to a frontier it has no access to (a closed
cluster stays behind after a technology shift, P8). The gain is recorded as learning channel
`projects` (``inflow[:, PROJECTS]``, ``flow_projects``, ``flow_explicit``,
``seci_combination``); the learned part carries the external-origin shares of the best
member of each domain (`knowledge.origin_parts`), the created part is local. Members not
yet tied become tied (`network.connect`: collaboration creates ties). Trust on the ties
among members rises by ``trust_gain * (1 - trust)`` on success and falls by
``trust_loss * trust`` on failure; these ties count as used (``last_use``).

**Response to shocks.** Under market pressure, pressure = (1 - demand) + competitiveness
bar (events `recession`, `global_competition`), SMEs too lead projects, each with
probability ``1 - exp(-pressure_rate * pressure / steps_per_year)`` per step: shocks
stimulate collaboration (seed 004: "successive industry shocks appear to have fostered
collaboration and innovation"; Doeringer et al. 2009), proposition P11.

Members that exit drop out; a project with no member alive at its end fails. State is
kept in arrays (leader, start, end, focus, a flat member array with offsets), never one
Python object per project. Switched off, running projects pause and no new ones start.
Counters: ``projects_started``, ``projects_succeeded``, ``projects_failed``,
``projects_running``, ``projects_created`` (knowledge created), ``flow_projects``.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from ..knowledge import origin_parts
from ..network import connect
from ..params import Field, MechanismParams
from ..state import CLUSTER_ORG, EXTERNAL, FOCAL, INSTITUTE, PROJECTS, SME, UNIVERSITY
from .base import Mechanism

# per-step totals written by _finish
N_SUCC, N_FAIL, LEARNED, CREATED = 0, 1, 2, 3


@nb.njit(cache=True)
def _recruit(leaders, with_leader, start, count, nbr, tid, w, trust, kind, alive, u, uoff,
             size, inst_weight, out, nout):
    """Members of one new project per leader: the leader (if `with_leader`) and up to `size`
    partners among its live neighbours, weighted sampling without replacement."""
    keys = np.empty(size)
    ids = np.empty(size, np.int64)
    for k in range(len(leaders)):
        ld = leaders[k]
        filled = 0
        s = start[ld]
        for p in range(count[ld]):
            j = nbr[s + p]
            kj = kind[j]
            if not alive[j] or kj == EXTERNAL or kj == CLUSTER_ORG or j == ld:
                continue
            wt = w[tid[s + p]] * trust[tid[s + p]]
            if kj == UNIVERSITY or kj == INSTITUTE:
                wt *= inst_weight
            if wt <= 0.0:
                continue
            key = np.log(1.0 - u[uoff[k] + p]) / wt  # larger is better
            if filled < size:
                q = filled
                filled += 1
            elif key > keys[size - 1]:
                q = size - 1
            else:
                continue
            while q > 0 and keys[q - 1] < key:  # keep keys sorted, largest first
                keys[q] = keys[q - 1]
                ids[q] = ids[q - 1]
                q -= 1
            keys[q] = key
            ids[q] = j
        base = k * (size + 1)
        m = 0
        if with_leader:
            out[base] = ld
            m = 1
        for q in range(filled):
            out[base + m] = ids[q]
            m += 1
        nout[k] = m


@nb.njit(cache=True)
def _focus(moff, mem, T, E, relevance, out):
    """Each project's domains ranked by relevance x mean share profile of the members
    (its focus is the first `focus_domains` of them)."""
    D = T.shape[1]
    s = np.empty(D)
    for k in range(len(moff) - 1):
        s[:] = 0.0
        for q in range(moff[k], moff[k + 1]):
            i = mem[q]
            tot = 0.0
            for d in range(D):
                tot += T[i, d] + E[i, d]
            if tot > 0.0:
                for d in range(D):
                    s[d] += (T[i, d] + E[i, d]) / tot
        for d in range(D):
            s[d] = -relevance[d] * (s[d] + 1e-12)
        order = np.argsort(s, kind="mergesort")  # stable: ties go to the lower domain
        for f in range(D):
            out[k, f] = order[f]


@nb.njit(cache=True)
def _tie_slot(start, count, nbr, tid, i, j):
    """Slot of the live tie i-j, or -1 (scans the shorter incidence list)."""
    if count[j] < count[i]:
        i, j = j, i
    for p in range(start[i], start[i] + count[i]):
        if nbr[p] == j:
            return tid[p]
    return -1


@nb.njit(cache=True)
def _finish(ending, moff, mem, focus, T, E, A, alive, kind, ext, via, start, count,
            nbr, tid, trust, last_use, now, a0, a_div, a_trust, learning, creation, n_focus, gain, loss,
            u, inflow, inflow_ext, inflow_via, success, pair_a, pair_b, totals):
    """End the given projects in order: draw success, update trust, members' knowledge;
    return the number of member pairs written to pair_a/pair_b (to be tied)."""
    D = T.shape[1]
    best = np.empty(D)
    arg = np.empty(D, np.int64)
    P = np.empty((np.max(moff[1:] - moff[:-1]) if len(moff) > 1 else 1, D))
    npairs = 0
    for k in range(len(ending)):
        pr = ending[k]
        lo, hi = moff[pr], moff[pr + 1]
        m = np.empty(hi - lo, np.int64)
        n = 0
        for q in range(lo, hi):
            if alive[mem[q]]:
                m[n] = mem[q]
                n += 1
        if n == 0:
            success[k] = False
            totals[N_FAIL] += 1.0
            continue
        # diversity: mean pairwise cognitive distance 1 - cos(K_i, K_j) among members
        for q in range(n):
            i = m[q]
            nrm = 0.0
            for d in range(D):
                v = T[i, d] + E[i, d]
                P[q, d] = v
                nrm += v * v
            nrm = np.sqrt(nrm)
            for d in range(D):
                P[q, d] = P[q, d] / nrm if nrm > 0.0 else 0.0
        div = 0.0
        if n > 1:
            for q in range(n):
                for r in range(q + 1, n):
                    dot = 0.0
                    for d in range(D):
                        dot += P[q, d] * P[r, d]
                    div += 1.0 - dot
            div /= n * (n - 1) / 2
        # mean trust on the ties among members
        tsum = 0.0
        tn = 0
        for q in range(n):
            for r in range(q + 1, n):
                t = _tie_slot(start, count, nbr, tid, m[q], m[r])
                if t >= 0:
                    tsum += trust[t]
                    tn += 1
        th = tsum / tn if tn > 0 else 0.5
        p = 1.0 / (1.0 + np.exp(-(a0 + a_div * div + a_trust * th)))
        ok = u[k] < p
        success[k] = ok
        for q in range(n):
            for r in range(q + 1, n):
                t = _tie_slot(start, count, nbr, tid, m[q], m[r])
                if t >= 0:
                    if ok:
                        trust[t] += gain * (1.0 - trust[t])
                    else:
                        trust[t] -= loss * trust[t]
                    last_use[t] = now
                elif ok:
                    pair_a[npairs] = m[q]
                    pair_b[npairs] = m[r]
                    npairs += 1
        if not ok:
            totals[N_FAIL] += 1.0
            continue
        totals[N_SUCC] += 1.0
        # best member per domain, from the state before anyone gains
        for d in range(D):
            best[d] = -1.0
            arg[d] = m[0]
        for q in range(n):
            i = m[q]
            for d in range(D):
                v = T[i, d] + E[i, d]
                if v > best[d]:
                    best[d] = v
                    arg[d] = i
        for q in range(n):
            i = m[q]
            learned = 0.0
            lext = 0.0
            lvia = 0.0
            for d in range(D):
                g = best[d] - (T[i, d] + E[i, d])
                if g > 0.0:
                    x = learning * A[i] * g
                    E[i, d] += x
                    learned += x
                    j = arg[d]
                    fe, fv = origin_parts(kind[j], ext[j], via[j], FOCAL, EXTERNAL)
                    lext += x * fe
                    lvia += x * fv
            made = 0.0
            for f in range(min(n_focus, D)):
                d = focus[pr, f]
                x = creation * best[d]
                E[i, d] += x
                made += x
            inflow[i, PROJECTS] += learned + made
            inflow_ext[i] += lext
            inflow_via[i] += lvia
            totals[LEARNED] += learned
            totals[CREATED] += made
    return npairs


class Projects(Mechanism):
    name = "projects"

    class Params(MechanismParams):
        lead_rate: float = Field(0.3, ge=0, description="projects each focal firm starts per year")
        pressure_rate: float = Field(0.5, ge=0, description="projects each SME starts per year per unit of market pressure")
        size: int = Field(4, ge=1, le=100, description="most partners besides the leader")
        institution_weight: float = Field(2.0, ge=0, description="partner-choice weight multiplier for universities and institutes")
        duration: int = Field(24, ge=1, description="steps a project runs")
        focus_domains: int = Field(2, ge=1, description="domains in which a project creates knowledge")
        a0: float = Field(-1.8, description="success log-odds intercept")
        a_div: float = Field(4.0, description="success log-odds per unit of the members' mean pairwise cognitive distance (0-1)")
        a_trust: float = Field(3.0, description="success log-odds per unit of mean trust among members")
        learning: float = Field(0.2, ge=0, le=1, description="share of the gap to the best member a member closes on success (x absorptive capacity)")
        creation: float = Field(0.05, ge=0, description="explicit knowledge created per focus domain for each member on success (x the best member's knowledge there)")
        trust_gain: float = Field(0.1, ge=0, le=1, description="share of distrust removed on ties among members after a success")
        trust_loss: float = Field(0.1, ge=0, le=1, description="share of trust lost on ties among members after a failure")

    def init(self, sim) -> None:
        D = sim.actors.domains
        self.leader = np.zeros(0, np.int32)
        self.begin = np.zeros(0, np.int32)
        self.end = np.zeros(0, np.int32)
        self.by_org = np.zeros(0, bool)
        self.focus = np.zeros((0, D), np.int16)  # domains ranked, best first
        self.moff = np.zeros(1, np.int64)
        self.mem = np.zeros(0, np.int32)
        self.totals = np.zeros(4)

    @property
    def running(self) -> int:
        return len(self.leader)

    def members(self, k: int) -> np.ndarray:
        """Member ids of running project k (alive or not)."""
        return self.mem[self.moff[k]:self.moff[k + 1]].copy()

    # -- starting ----------------------------------------------------------------------
    def start(self, sim, leaders, with_leader: bool = True, rng: np.random.Generator | None = None) -> int:
        """Start one project per leader (repeat a leader for several). Focal firms lead as
        members (`with_leader`); a cluster organisation coordinates without being one.
        Partners are drawn with `rng` (default: the "projects" stream). Returns how many
        started (a project needs two members). Does nothing while the module is off."""
        if not self.pars.enabled:
            return 0
        leaders = np.asarray(leaders, np.int64)
        if len(leaders) == 0:
            return 0
        p, a, ties = self.pars, sim.actors, sim.ties
        rng = sim.rng("projects") if rng is None else rng
        cnt = ties.count[leaders].astype(np.int64)
        uoff = np.zeros(len(leaders), np.int64)
        np.cumsum(cnt[:-1], out=uoff[1:])
        u = rng.random(int(cnt.sum()))
        out = np.empty(len(leaders) * (p.size + 1), np.int64)
        nout = np.zeros(len(leaders), np.int64)
        _recruit(leaders, with_leader, ties.start, ties.count, ties.nbr, ties.tid, ties.w, ties.trust,
                 a.kind, a.alive, u, uoff, p.size, p.institution_weight, out, nout)
        ok = nout >= 2
        if not ok.any():
            return 0
        leaders, nout = leaders[ok], nout[ok]
        rows = np.flatnonzero(ok)
        sel = (rows[:, None] * (p.size + 1) + np.arange(p.size + 1)[None, :])
        mem = out[sel][np.arange(p.size + 1)[None, :] < nout[:, None]]
        moff = np.zeros(len(leaders) + 1, np.int64)
        np.cumsum(nout, out=moff[1:])
        focus = np.zeros((len(leaders), a.domains), np.int16)
        _focus(moff, mem, a.T, a.E, sim.tech.relevance.astype(np.float64), focus)
        k = len(leaders)
        self.leader = np.concatenate([self.leader, leaders.astype(np.int32)])
        self.begin = np.concatenate([self.begin, np.full(k, sim.t, np.int32)])
        self.end = np.concatenate([self.end, np.full(k, sim.t + p.duration, np.int32)])
        self.by_org = np.concatenate([self.by_org, np.full(k, not with_leader)])
        self.focus = np.concatenate([self.focus, focus])
        self.moff = np.concatenate([self.moff, self.moff[-1] + moff[1:]])
        self.mem = np.concatenate([self.mem, mem.astype(np.int32)])
        sim.stats["projects_started"] += k
        if not with_leader:
            sim.stats["projects_started_by_cluster_org"] += k
        return k

    # -- the step ----------------------------------------------------------------------
    def step(self, sim) -> None:
        p, a = self.pars, sim.actors
        self._finish(sim)
        spy = sim.scenario.steps_per_year
        if p.lead_rate > 0:
            focal = np.flatnonzero((a.kind == FOCAL) & a.alive)
            chance = 1.0 - np.exp(-p.lead_rate / spy)
            leaders = focal[sim.rng("projects").random(len(focal)) < chance]
            self.start(sim, leaders)
        pressure = max(0.0, 1.0 - sim.tech.demand) + sim.tech.bar
        if p.pressure_rate > 0 and pressure > 0:
            smes = np.flatnonzero((a.kind == SME) & a.alive)
            chance = 1.0 - np.exp(-p.pressure_rate * pressure / spy)
            leaders = smes[sim.rng("projects").random(len(smes)) < chance]
            sim.stats["projects_started_under_pressure"] += float(self.start(sim, leaders))
        sim.stats["projects_running"] = float(self.running)

    def _finish(self, sim) -> None:
        ending = np.flatnonzero(self.end <= sim.t)
        if len(ending) == 0:
            return
        p, a, ties = self.pars, sim.actors, sim.ties
        sizes = np.diff(self.moff)[ending]
        n_pairs = int((sizes * (sizes - 1) // 2).sum())
        pair_a = np.empty(n_pairs, np.int64)
        pair_b = np.empty(n_pairs, np.int64)
        success = np.zeros(len(ending), bool)
        u = sim.rng("projects").random(len(ending))
        self.totals[:] = 0.0
        npairs = _finish(ending, self.moff, self.mem, self.focus, a.T, a.E, a.absorptive, a.alive,
                         a.kind, a.external_origin, a.via_focal, ties.start,
                         ties.count, ties.nbr, ties.tid, ties.trust, ties.last_use, sim.t,
                         p.a0, p.a_div, p.a_trust, p.learning, p.creation, p.focus_domains, p.trust_gain,
                         p.trust_loss, u, a.inflow, a.inflow_external, a.inflow_via_focal,
                         success, pair_a, pair_b, self.totals)
        if npairs:
            connect(sim, pair_a[:npairs], pair_b[:npairs], sim.rng("projects"))
        s, st = self.totals, sim.stats
        st["projects_succeeded"] += s[N_SUCC]
        st["projects_failed"] += s[N_FAIL]
        gained = s[LEARNED] + s[CREATED]
        st["projects_created"] += s[CREATED]
        for key in ("flow_projects", "flow_explicit", "seci_combination"):
            st[key] += gained
        # drop the ended projects, keeping the order of the others
        keep = np.ones(self.running, bool)
        keep[ending] = False
        self.mem = self.mem[np.repeat(keep, np.diff(self.moff))]
        self.moff = np.concatenate([[0], np.cumsum(np.diff(self.moff)[keep])]).astype(np.int64)
        self.leader, self.begin, self.end = self.leader[keep], self.begin[keep], self.end[keep]
        self.by_org, self.focus = self.by_org[keep], self.focus[keep]

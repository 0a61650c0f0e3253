"""Joint projects: collective innovation (Wang & Wang 2012; Wang 2013, "The role of focal
firms"; Lorenzoni & Baden-Fuller 1995 on the strategic centre; Sakakibara 1997 on R&D
consortia; Gulati 1995 on partner choice).

**Start.** Each step every alive focal firm leads a new project with probability
``1 - exp(-lead_rate / steps_per_year)``. Projects are formed in the shared
`joint_projects.JointProjects` under this mechanism's rules (`size`, `institution_weight`,
`duration`): the leader and up to `size` trusted partners among its neighbours, research
organisations favoured (see that module). Cluster organisations open projects there too
(`cluster_org`, collaborative R&D). A project's focus is its `focus_domains` best-ranked
domains (relevance x the team's knowledge profile).

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
  lowers the "worry of unfair revenue" that blocks joint work (Wang 2013; Kale et al. 2000).

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
yet tied become tied (`sim.connect`: collaboration creates ties). Trust on the ties
among members rises by ``trust_gain * (1 - trust)`` on success and falls by
``trust_loss * trust`` on failure; these ties count as used (``last_use``).

**Collective innovation.** A success that creates knowledge (``creation > 0``) is an
innovation of the team (Wang & Wang 2012: collective innovation, combination in a
collaborative network). It counts once for each alive member *firm* (focal firm or SME;
universities and institutes do research, not innovations), as innovation surveys count a
co-operative innovation at every enterprise that took part (Community Innovation Survey;
OECD/Eurostat 2005, Oslo Manual: innovations developed "together with other enterprises or
institutions"): the firm's ``innov_incremental`` and ``last_innovation``, the step's
``innovations_incremental`` (the innovation mechanism's column) and, apart,
``projects_innovations``.

Changed in issue 10 (round 2): before, successful projects created knowledge but no
innovation, although knowledge is created only by innovation and research. Measured (suite,
20 replications): P11 recession vs none innovations -5.4% -> +18.4%; P10 innovations per
SME -0.05% -> +11.1% (docs/odd.md, 7.8).

**Response to shocks.** Under market pressure, pressure = (1 - demand) + competitiveness
bar (events `recession`, `global_competition`), SMEs too lead projects, each with
probability ``1 - exp(-pressure_rate * pressure / steps_per_year)`` per step: shocks
stimulate collaboration (Oxborrow 2012: "successive industry shocks appear to have fostered
collaboration and innovation"; Doeringer et al. 2009), proposition P11.

Members that exit drop out; a project with no member alive at its end fails. Switched off,
running projects pause and no new ones start. Columns: ``projects_succeeded``,
``projects_failed``, ``projects_created`` (knowledge created), ``projects_innovations``
(collective innovations), ``projects_started_under_pressure``
(the recorder counts ``projects_started`` and ``projects_running`` from the shared state).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from ..knowledge import origin_parts
from ..params import Field, MechanismParams
from ..joint_projects import Rules
from ..state import EXTERNAL, FOCAL, PROJECTS, SME, tie_slot
from ..mechanism import Mechanism

LOG_ODDS = 40.0  # |log-odds| beyond this is certainty (the logistic is 1 in double precision)

# per-step totals written by _finish
N_SUCC, N_FAIL, LEARNED, CREATED, N_INNOV = 0, 1, 2, 3, 4


@nb.njit(cache=True)
def _finish(ending, moff, mem, focus, T, E, A, alive, kind, ext, via, start, count,
            nbr, tid, trust, last_use, now, a0, a_div, a_trust, learning, creation, n_focus, gain, loss,
            u, inflow, inflow_ext, inflow_via, innov_inc, last_innov, success, pair_a, pair_b, totals):
    """End the given projects in order: draw success, update trust, members' knowledge and
    the member firms' innovation counts (a collective innovation each where knowledge was
    created); return the number of member pairs written to pair_a/pair_b (to be tied)."""
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
                t = tie_slot(start, count, nbr, tid, m[q], m[r])
                if t >= 0:
                    tsum += trust[t]
                    tn += 1
        th = tsum / tn if tn > 0 else 0.5
        p = 1.0 / (1.0 + np.exp(-(a0 + a_div * div + a_trust * th)))
        ok = u[k] < p
        success[k] = ok
        for q in range(n):
            for r in range(q + 1, n):
                t = tie_slot(start, count, nbr, tid, m[q], m[r])
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
            if made > 0.0 and kind[i] <= SME:  # a collective innovation of each member firm
                innov_inc[i] += 1
                last_innov[i] = now
                totals[N_INNOV] += 1.0
            inflow_ext[i] += lext
            inflow_via[i] += lvia
            totals[LEARNED] += learned
            totals[CREATED] += made
    return npairs


class Projects(Mechanism):
    name = "projects"
    records = {
        "projects_succeeded": "joint projects that ended successfully this step",
        "projects_failed": "joint projects that ended without success this step",
        "projects_created": "knowledge created by successful projects this step",
        "projects_started_under_pressure": "joint projects started by SMEs under market pressure this step",
        "projects_innovations": "collective innovations this step: member firms of joint projects that succeeded and created knowledge (included in innovations_incremental)",
    }

    class Params(MechanismParams):
        lead_rate: float = Field(0.3, ge=0, le=1_000_000, description="projects each focal firm starts per year")
        pressure_rate: float = Field(0.5, ge=0, le=1_000_000, description="projects each SME starts per year per unit of market pressure")
        size: int = Field(4, ge=1, le=100, description="most partners besides the leader")
        institution_weight: float = Field(2.0, ge=0, le=1000, description="partner-choice weight multiplier for universities and institutes")
        duration: int = Field(24, ge=1, le=10_000, description="steps a project runs")
        focus_domains: int = Field(2, ge=1, le=256, description="domains in which a project creates knowledge")
        a0: float = Field(-1.8, ge=-LOG_ODDS, le=LOG_ODDS, description="success log-odds intercept")
        a_div: float = Field(4.0, ge=-LOG_ODDS, le=LOG_ODDS, description="success log-odds per unit of the members' mean pairwise cognitive distance (0-1)")
        a_trust: float = Field(3.0, ge=-LOG_ODDS, le=LOG_ODDS, description="success log-odds per unit of mean trust among members")
        learning: float = Field(0.2, ge=0, le=1, description="share of the gap to the best member a member closes on success (x absorptive capacity)")
        creation: float = Field(0.05, ge=0, le=1, description="explicit knowledge created per focus domain for each member on success (x the best member's knowledge there)")
        trust_gain: float = Field(0.1, ge=0, le=1, description="share of distrust removed on ties among members after a success")
        trust_loss: float = Field(0.1, ge=0, le=1, description="share of trust lost on ties among members after a failure")

    def init(self, sim) -> None:
        self.totals = np.zeros(5)
        (self._open if self.pars.enabled else self.off)(sim)

    def _open(self, sim) -> None:
        """Set the formation rules of joint projects (a `set` event may have changed them)."""
        p = self.pars
        sim.projects.rules = Rules(size=p.size, institution_weight=p.institution_weight, duration=p.duration)

    def off(self, sim) -> None:
        sim.projects.rules = None  # running projects pause, none start

    def _lead(self, sim, leaders) -> int:
        return sim.projects.start(sim.actors, sim.ties, sim.tech.relevance, sim.t, leaders, sim.rng("projects"))

    # -- the step ----------------------------------------------------------------------
    def step(self, sim) -> None:
        p, a = self.pars, sim.actors
        self._open(sim)
        self._finish(sim)
        spy = sim.scenario.steps_per_year
        if p.lead_rate > 0:
            focal = np.flatnonzero((a.kind == FOCAL) & a.alive)
            chance = 1.0 - np.exp(-p.lead_rate / spy)
            self._lead(sim, focal[sim.rng("projects").random(len(focal)) < chance])
        pressure = max(0.0, 1.0 - sim.tech.demand) + sim.tech.bar
        if p.pressure_rate > 0 and pressure > 0:
            smes = np.flatnonzero((a.kind == SME) & a.alive)
            chance = 1.0 - np.exp(-p.pressure_rate * pressure / spy)
            leaders = smes[sim.rng("projects").random(len(smes)) < chance]
            sim.stats["projects_started_under_pressure"] += float(self._lead(sim, leaders))

    def _finish(self, sim) -> None:
        book = sim.projects
        ending = np.flatnonzero(book.end <= sim.t)
        if len(ending) == 0:
            return
        p, a, ties = self.pars, sim.actors, sim.ties
        sizes = np.diff(book.moff)[ending]
        n_pairs = int((sizes * (sizes - 1) // 2).sum())
        pair_a = np.empty(n_pairs, np.int64)
        pair_b = np.empty(n_pairs, np.int64)
        success = np.zeros(len(ending), bool)
        u = sim.rng("projects").random(len(ending))
        self.totals[:] = 0.0
        npairs = _finish(ending, book.moff, book.mem, book.focus, a.T, a.E, a.absorptive, a.alive,
                         a.kind, a.external_origin, a.via_focal, ties.start,
                         ties.count, ties.nbr, ties.tid, ties.trust, ties.last_use, sim.t,
                         p.a0, p.a_div, p.a_trust, p.learning, p.creation, p.focus_domains, p.trust_gain,
                         p.trust_loss, u, a.inflow, a.inflow_external, a.inflow_via_focal,
                         a.innov_incremental, a.last_innovation, success, pair_a, pair_b, self.totals)
        if npairs:
            sim.connect(pair_a[:npairs], pair_b[:npairs], sim.rng("projects"))
        s, st = self.totals, sim.stats
        st["projects_succeeded"] += s[N_SUCC]
        st["projects_failed"] += s[N_FAIL]
        gained = s[LEARNED] + s[CREATED]
        st["projects_created"] += s[CREATED]
        st["projects_innovations"] += s[N_INNOV]
        if "innovations_incremental" in st:  # the firms' innovations (the innovation mechanism's column)
            st["innovations_incremental"] += s[N_INNOV]
        for key in ("flow_projects", "flow_explicit", "seci_combination"):
            st[key] += gained
        book.drop(ending)

"""The cluster organisation (Andreeva n.d.; docs/odd.md, 7.9).

Cluster organisations "serve as an activating agent for international initiatives",
facilitate "access to market information", help SMEs "in networking and for obtaining new
international contacts", and offer "access to external infrastructure" and "facilitation/
initiation of collaborative research" (Andreeva n.d., after the BSR Stars Innovation Express
study). Each alive actor of kind `cluster_org` serves its members: the firms tied to it
(multi-angle ties). Its reach is limited by a budget:

    units per step = budget / steps_per_year * share_a      for each activity a

(`budget` activity units per year and organisation, lowered by the `cut_support` event;
the shares are used as given when they sum to at most 1, the rest being overhead, and
scaled to sum to 1 otherwise). Whole units are spent; fractional units are carried to the
next step, per organisation and activity. One unit is one action:

1. **international contacts** (`share_international`): one new global pipeline for one
   member SME, SMEs without a pipeline first (in random order), then the others. The
   partner is the cognitively closest (cosine of knowledge profiles) of
   `pipeline_candidates` randomly drawn external partners it is not yet tied to: the
   organisation "introduce[s] SMEs' managers to the desired contacts" (Andreeva n.d.). The
   SME's openness rises, ``openness += openness_boost * (1 - openness)``: the organisation
   is "an activating agent for international initiatives" for SMEs with "limited capacity"
   (Andreeva n.d.), so the firm now wants to keep the pipeline (`openness` drops pipelines above
   a firm's openness-based target). This is what raises `sme_international_share` (P10).
2. **networking** (`share_networking`): one introduction, a new local tie between two
   randomly drawn members that were not tied (general networking; Andreeva's (n.d.)
   "social glue").
3. **market information** (`share_market_info`): one member SME (random) closes
   `info_rate * A_i` of its gap to the best member firm in the `info_domains` currently
   most market-relevant domains, as explicit knowledge: the organisation circulates market
   intelligence and benchmarks among its members ("access to market information,
   benchmarking, inspiration", Andreeva n.d.), pointing firms at what the market values now.
   It spreads what the cluster knows rather than bringing in outside knowledge (that is
   the pipelines' job), so it cannot substitute for them after a technology shift. It is
   recorded as SECI combination and as ``cluster_org_knowledge``, not as a learning
   channel (there is none for it), so the origin tracer counts it as the firm's own.
4. **infrastructure** (`share_infrastructure`): one member SME (random) raises its internal
   knowledge sharing, ``sharing += infrastructure_gain * (1 - sharing)``. Access to shared
   labs, test and demonstration facilities is modelled by its lasting effect on the
   organisational antecedent of absorptive capacity (Van den Bosch et al. 2003, "knowledge
   communion and sharing mechanism in organization" in Wang 2013); `absorptive_capacity`
   runs earlier in the step and rebuilds `A_i` from `sharing` every step, so raising
   `sharing` (not `A_i` itself) is what persists. The effect starts the next step.
5. **collaborative R&D** (`share_rnd`): one joint project with member firms, started by
   the shared `joint_projects.JointProjects` under the `projects` mechanism's rules (the
   organisation coordinates and is not a member; partners are drawn among its neighbours
   like a focal firm's). Nothing happens while `projects`
   is off.

Actions that find no target (no members, no SME, no untied external) are not carried over.
The new ties of all organisations (pipelines and introductions) are made together at the end
of the module's step, in one `network.connect` call.
A closed organisation (event `close_cluster_org`) is no longer alive and acts no more.
Counters: ``cluster_org_actions`` (units spent) and per activity ``cluster_org_pipelines``,
``cluster_org_introductions``, ``cluster_org_informed``, ``cluster_org_infrastructure``,
``cluster_org_projects``.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from ..params import Field, MechanismParams
from ..proximity import cognitive
from ..state import CLUSTER_ORG, EXTERNAL, PIPELINE, SME, tie_slot
from ..mechanism import Mechanism

ACTIVITIES = ("international", "networking", "market_info", "infrastructure", "rnd")
COUNTERS = ("cluster_org_pipelines", "cluster_org_introductions", "cluster_org_informed",
            "cluster_org_infrastructure", "cluster_org_projects")
_NONE = np.zeros(0, np.int64)


@nb.njit(cache=True)
def _best(T, E, rows, cols):
    """Largest knowledge T + E among `rows` in each of the domains `cols`."""
    out = np.zeros(len(cols))
    for i in rows:
        for c in range(len(cols)):
            out[c] = max(out[c], T[i, cols[c]] + E[i, cols[c]])
    return out


@nb.njit(cache=True)
def _closest_untied(pick, cand, cos, start, count, nbr, tid):
    """Per SME pick[r], the candidate of row cand[r] with the largest cosine cos[r * C + c]
    among those it is not tied to (the first on ties); SMEs with none (or a NaN cosine,
    as numpy's argmax would pick it) are dropped. Returns (SMEs, partners)."""
    n, C = cand.shape
    who = np.empty(n, np.int64)
    partner = np.empty(n, np.int64)
    m = 0
    for r in range(n):
        best = -1
        top = -np.inf
        for c in range(C):
            if tie_slot(start, count, nbr, tid, pick[r], cand[r, c]) >= 0:
                continue
            v = np.float64(cos[r * C + c])
            if np.isnan(v):  # argmax takes a NaN, isfinite drops the row
                best = -1
                break
            if v > top:
                top = v
                best = c
        if best >= 0 and top < np.inf:
            who[m] = pick[r]
            partner[m] = cand[r, best]
            m += 1
    return who[:m], partner[:m]


@nb.njit(cache=True)
def _inform(T, E, absorptive, who, cols, best, rate):
    """Market information: each SME `who[r]` gains, as explicit knowledge in the domains
    `cols`, gain = rate * A * max(0, best - (T + E)) (float64; E gets it as float32, as
    `E[cells] += gain.astype(float32)`); returns the gains (who x cols)."""
    gain = np.empty((len(who), len(cols)))
    for r in range(len(who)):
        i = who[r]
        scale = np.float64(rate * absorptive[i])  # float32 product, as numpy takes it
        for c in range(len(cols)):
            d = cols[c]
            gap = best[c] - np.float64(T[i, d] + E[i, d])
            if gap < 0.0:  # np.maximum(0, gap), NaN kept
                gap = 0.0
            gain[r, c] = scale * gap
            E[i, d] = E[i, d] + np.float32(gain[r, c])
    return gain


@nb.njit(cache=True)
def _introductions(i, j, k, n, start, count, nbr, tid):
    """The first k distinct pairs i[r]-j[r] (either order) with i != j that are not tied,
    in the order drawn."""
    m = len(i)
    ok = np.empty(m, np.bool_)
    key = np.empty(m, np.int64)
    for r in range(m):
        ok[r] = i[r] != j[r] and tie_slot(start, count, nbr, tid, i[r], j[r]) < 0
        key[r] = min(i[r], j[r]) * n + max(i[r], j[r])
    order = np.argsort(key, kind="mergesort")  # stable: a pair's first draw leads its run
    prev = -1
    for q in range(m):
        r = order[q]
        if not ok[r]:
            continue
        if key[r] == prev:
            ok[r] = False
        prev = key[r]
    si = np.empty(min(k, m), i.dtype)
    sj = np.empty(min(k, m), j.dtype)
    c = 0
    for r in range(m):
        if ok[r] and c < k:
            si[c] = i[r]
            sj[c] = j[r]
            c += 1
    return si[:c], sj[:c]


@nb.njit(cache=True)
def _spend(carry, per_step):
    """Whole activity units this step (carry + per_step, less 1e-9 of rounding); the
    fractions stay in `carry`."""
    n_act = np.empty(len(carry), np.int64)
    for a in range(len(carry)):
        units = carry[a] + per_step[a]
        n_act[a] = np.int64(np.floor(units + 1e-9))
        carry[a] = max(units - np.float64(n_act[a]), 0.0)
    return n_act


@nb.njit(cache=True)
def _members(org, start, count, nbr, kind, alive):
    """The organisation's alive member firms (its partners, in list order) and of them the SMEs."""
    members = np.empty(count[org], np.int64)
    smes = np.empty(count[org], np.int64)
    m = 0
    s = 0
    for p in range(start[org], start[org] + count[org]):
        j = nbr[p]
        if kind[j] <= SME and alive[j]:
            members[m] = j
            m += 1
            if kind[j] == SME:
                smes[s] = j
                s += 1
    return members[:m], smes[:s]

@nb.njit(cache=True)
def _same_orgs(kind, alive, orgs):
    """Whether the alive cluster organisations are exactly `orgs` (ascending)."""
    k = 0
    for i in range(len(kind)):
        if kind[i] == CLUSTER_ORG and alive[i]:
            if k >= len(orgs) or orgs[k] != i:
                return False
            k += 1
    return k == len(orgs)


@nb.njit(cache=True)
def _open_up(made, layer, ta, tb, kind, openness, boost):
    """The SME end of each new pipeline among the ties `made` gains openness,
    o += boost * (1 - o) (float32; all from the old values, as numpy's fancy `+=`: an SME
    with two new pipelines gains once); returns the number of pipelines."""
    who = np.empty(len(made), np.int64)
    n = 0
    for k in range(len(made)):
        t = made[k]
        if layer[t] == PIPELINE:
            who[n] = ta[t] if kind[ta[t]] == SME else tb[t]
            n += 1
    new = np.empty(n, openness.dtype)
    for k in range(n):
        o = openness[who[k]]
        new[k] = o + boost * (np.float32(1.0) - o)
    for k in range(n):
        openness[who[k]] = new[k]
    return n


class ClusterOrganisation(Mechanism):
    name = "cluster_org"
    records = {
        "cluster_org_actions": "activity units spent by cluster organisations this step",
        "cluster_org_pipelines": "pipelines brokered for member SMEs this step",
        "cluster_org_introductions": "members introduced to each other this step",
        "cluster_org_informed": "member SMEs given market information this step",
        "cluster_org_infrastructure": "member SMEs given access to infrastructure this step",
        "cluster_org_projects": "joint projects started by cluster organisations this step",
        "cluster_org_knowledge": "knowledge gained from market information this step",
    }

    class Params(MechanismParams):
        budget: float = Field(60.0, ge=0, le=10_000, description="activity units per year of each cluster organisation")
        share_international: float = Field(0.35, ge=0, le=1, description="budget share for brokering international contacts (pipelines for member SMEs)")
        share_networking: float = Field(0.25, ge=0, le=1, description="budget share for introducing members to each other")
        share_market_info: float = Field(0.2, ge=0, le=1, description="budget share for market information to member SMEs")
        share_infrastructure: float = Field(0.15, ge=0, le=1, description="budget share for access to infrastructure (raises members' internal sharing)")
        share_rnd: float = Field(0.05, ge=0, le=1, description="budget share for collaborative R&D (joint projects, one per unit)")
        pipeline_candidates: int = Field(8, ge=1, le=1000, description="external partners considered per brokered pipeline (the closest is chosen)")
        openness_boost: float = Field(0.3, ge=0, le=1, description="share of the distance to full openness an SME's openness rises when it is brokered a pipeline")
        info_rate: float = Field(0.05, ge=0, le=1, description="share of the gap to the best member firm an informed SME closes in the most relevant domains (x absorptive capacity)")
        info_domains: int = Field(2, ge=1, le=256, description="most market-relevant domains market information covers")
        infrastructure_gain: float = Field(0.2, ge=0, le=1, description="share of the distance to full internal sharing closed per infrastructure action")

    def shares(self) -> np.ndarray:
        p = self.pars
        s = np.array([getattr(p, f"share_{name}") for name in ACTIVITIES])
        tot = s.sum()
        return s / tot if tot > 1.0 else s

    def init(self, sim) -> None:
        self._orgs = np.zeros(0, np.int64)
        self._carry = np.zeros((0, len(ACTIVITIES)))
        self._ext_n = -1
        self._externals = np.zeros(0, np.int64)

    def _sync(self, sim) -> np.ndarray:
        """Alive cluster organisations now; carried units follow their ids."""
        a = sim.actors
        if _same_orgs(a.kind, a.alive, self._orgs):  # the usual case: the same organisations
            return self._orgs
        orgs = np.flatnonzero((a.kind == CLUSTER_ORG) & a.alive)
        carry = np.zeros((len(orgs), len(ACTIVITIES)))
        if len(self._orgs) and len(orgs):
            pos = np.searchsorted(self._orgs, orgs)
            pos = np.minimum(pos, len(self._orgs) - 1)
            same = self._orgs[pos] == orgs
            carry[same] = self._carry[pos[same]]
        self._orgs, self._carry = orgs, carry
        return orgs

    def externals(self, sim) -> np.ndarray:
        a = sim.actors
        if self._ext_n != a.n:
            self._externals = np.flatnonzero(a.kind == EXTERNAL)
            self._ext_n = a.n
        return self._externals[a.alive[self._externals]]

    def step(self, sim) -> None:
        orgs = self._sync(sim)
        if len(orgs) == 0:
            return
        per_step = self.pars.budget / sim.scenario.steps_per_year * self.shares()
        if not per_step.any():
            return
        a, ties = sim.actors, sim.ties
        rng = sim.rng("cluster_org")
        done = np.zeros(len(ACTIVITIES))
        new_a, new_b = [], []  # new ties of all organisations, made in one call (O(N) each)
        for c, org in enumerate(orgs):
            n_act = _spend(self._carry[c], per_step)
            if not n_act.any():
                continue
            members, smes = _members(org, ties.start, ties.count, ties.nbr, a.kind, a.alive)
            if len(members) == 0:
                continue
            for i, j in (self._international(sim, smes, int(n_act[0]), rng),
                         self._networking(sim, members, int(n_act[1]), rng)):
                new_a.append(i)
                new_b.append(j)
            done[2] += self._market_info(sim, members, smes, int(n_act[2]), rng)
            done[3] += self._infrastructure(sim, smes, int(n_act[3]), rng)
            if n_act[4]:
                done[4] += sim.projects.start(a, ties, sim.tech.relevance, sim.t, np.full(int(n_act[4]), org),
                                              rng, with_leader=False)
        if new_a:
            made = sim.connect(np.concatenate(new_a), np.concatenate(new_b), rng)
            # the brokered SME becomes more open (keeps its new pipeline)
            n_pipe = _open_up(made, ties.layer, ties.a, ties.b, a.kind, a.openness,
                              np.float32(self.pars.openness_boost))
            done[0] += n_pipe
            done[1] += len(made) - n_pipe
        st = sim.stats
        st["cluster_org_actions"] += float(done.sum())
        for key, v in zip(COUNTERS, done):
            st[key] += float(v)

    # -- the activities ----------------------------------------------------------------
    def _international(self, sim, smes, k, rng):
        """(SME, external) pairs for k new pipelines."""
        ext = self.externals(sim)
        if k == 0 or len(smes) == 0 or len(ext) == 0:
            return _NONE, _NONE
        a, ties = sim.actors, sim.ties
        none = ties.deg[smes, PIPELINE] == 0
        first, rest = smes[none], smes[~none]
        pick = rng.choice(first, min(k, len(first)), replace=False)
        if len(pick) < k and len(rest):
            pick = np.concatenate([pick, rng.choice(rest, min(k - len(pick), len(rest)), replace=False)])
        C = self.pars.pipeline_candidates
        cand = ext[rng.integers(0, len(ext), (len(pick), C))]
        cos = cognitive(a, np.repeat(pick, C), cand.ravel())
        return _closest_untied(pick.astype(np.int64), cand, cos, ties.start, ties.count, ties.nbr, ties.tid)

    def _networking(self, sim, members, k, rng):
        """Pairs of members, not yet tied, for k introductions."""
        if k == 0 or len(members) < 2:
            return _NONE, _NONE
        ties = sim.ties
        i = members[rng.integers(0, len(members), 4 * k)]
        j = members[rng.integers(0, len(members), 4 * k)]
        return _introductions(i, j, k, sim.actors.n, ties.start, ties.count, ties.nbr, ties.tid)

    def _market_info(self, sim, members, smes, k, rng) -> int:
        if k == 0 or len(smes) == 0:
            return 0
        a, p, tech = sim.actors, self.pars, sim.tech
        who = rng.choice(smes, min(k, len(smes)), replace=False)
        top = np.argsort(-tech.relevance, kind="stable")[:min(p.info_domains, a.domains)]
        best = _best(a.T, a.E, members, top)
        gain = _inform(a.T, a.E, a.absorptive, who.astype(np.int64), top, best, np.float32(p.info_rate))
        total = float(gain.sum())  # numpy's (pairwise) sum, as before
        sim.stats["cluster_org_knowledge"] += total
        sim.stats["seci_combination"] += total
        return len(who)

    def _infrastructure(self, sim, smes, k, rng) -> int:
        if k == 0 or len(smes) == 0:
            return 0
        a = sim.actors
        who = rng.choice(smes, min(k, len(smes)), replace=False)
        a.sharing[who] += np.float32(self.pars.infrastructure_gain) * (1.0 - a.sharing[who])
        return len(who)

"""Joint projects as shared state: the projects running now, kept in arrays.

The `projects` mechanism runs them (leadership by focal firms and by SMEs under market
pressure, success and learning at their end) and sets the rules by which they are formed;
other mechanisms (the cluster organisation's collaborative R&D) may open projects here
under those rules. While no enabled `projects` mechanism has opened the book, no project
starts. State is arrays (leader, start, end, focus, a flat member array with offsets),
never one Python object per project.

Formation (`start`): the members are the leader (a focal firm or SME leads as a member; a
cluster organisation coordinates without being one) plus up to `size` partners drawn
without replacement from the leader's live network neighbours (firms and local
institutions; no externals, no cluster organisations), with weight

    weight_j = w_lj * trust_lj * (institution_weight if j is a university or institute)

(Efraimidis-Spirakis sampling: the `size` largest ``log(u) / weight``); partners among those
the leader knows and trusts (Gulati 1995; Lorenzoni & Baden-Fuller 1995), research
organisations favoured as R&D partners (Wang 2013). A project needs at least two members.
Its focus is its domains ranked by ``rho[d] * s[d]``, ``s`` the members' mean
knowledge-share profile: what the market wants and the team can do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np

from .state import CLUSTER_ORG, EXTERNAL, INSTITUTE, UNIVERSITY, Actors, Ties


@dataclass
class Rules:
    """How projects are formed, set by the `projects` mechanism."""

    size: int = 4  # most partners besides the leader
    institution_weight: float = 2.0  # partner-choice weight of universities and institutes
    duration: int = 24  # steps a project runs


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
def _teams(out, nout, width):
    """The recruited teams of at least two members: their rows, their members (row by row,
    from `out`, `width` slots per row) and the members' offsets."""
    rows = np.empty(len(nout), np.int64)
    moff = np.zeros(len(nout) + 1, np.int64)
    k = 0
    for r in range(len(nout)):
        if nout[r] >= 2:
            rows[k] = r
            moff[k + 1] = moff[k] + nout[r]
            k += 1
    mem = np.empty(moff[k], np.int64)
    for q in range(k):
        r = rows[q]
        for c in range(nout[r]):
            mem[moff[q] + c] = out[r * width + c]
    return rows[:k], mem, moff[:k + 1]


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


class JointProjects:
    """The running joint projects (see the module docstring)."""

    def __init__(self, domains: int):
        self.leader = np.zeros(0, np.int32)
        self.begin = np.zeros(0, np.int32)
        self.end = np.zeros(0, np.int32)
        self.by_org = np.zeros(0, bool)  # coordinated by a cluster organisation
        self.focus = np.zeros((0, domains), np.int16)  # domains ranked, best first
        self.moff = np.zeros(1, np.int64)  # members of project k: mem[moff[k]:moff[k + 1]]
        self.mem = np.zeros(0, np.int32)
        self.rules: Rules | None = None  # None: closed, no project starts
        self.n_started = 0  # started during the run (cumulative)

    @property
    def running(self) -> int:
        return len(self.leader)

    def members(self, k: int) -> np.ndarray:
        """Member ids of running project k (alive or not)."""
        return self.mem[self.moff[k]:self.moff[k + 1]].copy()

    def start(self, actors: Actors, ties: Ties, relevance: np.ndarray, now: int, leaders,
              rng: np.random.Generator, with_leader: bool = True) -> int:
        """Start one project per leader (repeat a leader for several), partners drawn with
        `rng`; return how many started (a project needs two members; none while closed)."""
        leaders = np.asarray(leaders, np.int64)
        if self.rules is None or len(leaders) == 0:
            return 0
        r, a = self.rules, actors
        cnt = ties.count[leaders].astype(np.int64)
        uoff = np.zeros(len(leaders), np.int64)
        np.cumsum(cnt[:-1], out=uoff[1:])
        u = rng.random(int(cnt.sum()))
        out = np.empty(len(leaders) * (r.size + 1), np.int64)
        nout = np.zeros(len(leaders), np.int64)
        _recruit(leaders, with_leader, ties.start, ties.count, ties.nbr, ties.tid, ties.w, ties.trust,
                 a.kind, a.alive, u, uoff, r.size, r.institution_weight, out, nout)
        rows, mem, moff = _teams(out, nout, r.size + 1)
        if len(rows) == 0:
            return 0
        leaders = leaders[rows]
        focus = np.zeros((len(leaders), a.domains), np.int16)
        _focus(moff, mem, a.T, a.E, relevance.astype(np.float64), focus)
        k = len(leaders)
        self.leader = np.concatenate([self.leader, leaders.astype(np.int32)])
        self.begin = np.concatenate([self.begin, np.full(k, now, np.int32)])
        self.end = np.concatenate([self.end, np.full(k, now + r.duration, np.int32)])
        self.by_org = np.concatenate([self.by_org, np.full(k, not with_leader)])
        self.focus = np.concatenate([self.focus, focus])
        self.moff = np.concatenate([self.moff, self.moff[-1] + moff[1:]])
        self.mem = np.concatenate([self.mem, mem.astype(np.int32)])
        self.n_started += k
        return k

    def drop(self, ended: np.ndarray) -> None:
        """Remove the given projects, keeping the order of the others."""
        keep = np.ones(self.running, bool)
        keep[ended] = False
        self.mem = self.mem[np.repeat(keep, np.diff(self.moff))]
        self.moff = np.concatenate([[0], np.cumsum(np.diff(self.moff)[keep])]).astype(np.int64)
        self.leader, self.begin, self.end = self.leader[keep], self.begin[keep], self.end[keep]
        self.by_org, self.focus = self.by_org[keep], self.focus[keep]


__all__ = ["JointProjects", "Rules"]

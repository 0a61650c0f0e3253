"""Market and survival: competitiveness, revenue, R&D budgets, exit and spin-off entry
(docs/odd.md, 7.15; Porter 1998; Nijdam & De Langen 2003; Klepper 2007; Boschma & Wenting
2007; Uzzi 1996 for partners' support; Oxborrow 2012 for recession and global competition).

Money is counted in annual wages of one employee (a "revenue unit"); flows per step are
annual amounts / spy (steps per year). Only firms (focal firms and SMEs, alive) take part.
One pass over the firms per step does, for each firm i:

- Competitiveness (Porter 1998: firms compete on knowledge and upgrading, not cost). With
  rho the market relevance, F the global frontier and bar the competitiveness bar that global
  competition raises (Oxborrow 2012, event `global_competition`):

      k_i = sum_d rho[d] (T + E)[i, d] / sum_d rho[d] F[d],      c_i = k_i - bar

- Market share: a binary-logit share against rivals of the cluster's mean competitiveness
  k_bar (the mean of k over the firms, taken from the previous step's pass):

      m_i = 2 / (1 + exp(-competition * (c_i - k_bar) / k_bar))

  m is 1 for an average firm when bar = 0, tends to 2 for the best and to 0 for the
  weakest (a within-industry productivity spread of about 2, Syverson 2004). Raising the
  bar lowers every firm's m and the weak firms' the most in relative terms, so they exit
  first; the bar is in units of the frontier, and k_bar is about 0.12 in the default
  cluster, so bar = 0.1 is a severe shock (about 40% of the firms exit within five years).
- Revenue (value added) per year:

      R_i = size_i * value_added * stage_s * demand * m_i * crowd_s * exp(z_i)

  stage_s = 1 + stage_premium * (s / (L - 1) - 1/2): downstream stages (final producers,
  where the focal firms sit) earn more per employee than upstream suppliers (Nijdam & De
  Langen 2003: leader firms capture more of the chain's value). demand is the technology
  regime's (event `recession` lowers it). crowd_s = (N0_s / N_s) ** crowding with N_s the
  employment of stage s (previous step) and N0_s at the start: for crowding = 1 a stage's
  market has a fixed size, so growing entrants compete profits away and exits leave room
  for the survivors (local rivalry, Porter 1998); this keeps entry and exit in balance.
  z_i is the firm's fortune with its customers, an AR(1) process
  z_i <- a z_i + luck sqrt(1 - a^2) e_i, a = exp(-1 / (spy luck_years)), e_i uniform with
  unit variance (Jovanovic 1982; Hopenhayn 1992: selection works on noisy profits, so some
  capable firms fail and some weak ones survive for a while).
- Costs per year: wages size_i (one annual wage each), R&D rd_i * R_i, and pipelines
  deg_pipeline_i * pipeline_cost * spy * (1 - subsidy) * min(1, size_i / cost_size), with
  `network.pipeline_cost` (per step, in revenue units), `network.pipeline_subsidy` (share
  paid by policy: events `subsidise_pipelines`, `cut_support`) and
  `network.pipeline_cost_size` (a firm below that many employees pays pro rata: a
  pipeline's cost is staff time and travel, which scale with the business done; charged in
  full, a pipeline costs a one-employee firm more than its whole margin), the same keys
  `openness` weighs. Fixed costs are wages + pipelines.
- Capital: capital_i += (R_i - costs_i) / spy. Firms start (and spin-offs enter) with
  `capital_years` of fixed costs; capital above `capital_cap_years` of fixed costs is paid
  out to the owners (it leaves the model; `sim.stats["payout"]`).
- Financial stress: with s_i = clip(capital_i / (stress_years * fixed costs_i), 0, 1), the
  R&D intensity moves toward rd_goal = rd_target_i * (rd_floor + (1 - rd_floor) s_i),
  closing `rd_adjust` of the gap a year: R&D falls toward the floor as capital runs out
  and recovers to the firm's own target (its intensity when it was created) when the buffer
  is rebuilt.
- Size: firms keep their size, except that a spin-off starts small and grows toward its
  normal size (drawn like the initial SMEs' sizes) by `growth` a year while not under
  financial stress (s_i = 1) (Klepper 2007: spin-offs grow).
- Exit: a firm whose capital falls below `exit_capital_years` of fixed costs (default 0:
  when it is used up) exits: alive = False and all its ties end (Boschma & Wenting 2007:
  survival depends on capabilities; focal firms, large and highly competitive, rarely
  exit). `exit_capital_years` is the lever that calibrates the exit rate of a particular
  cluster (below 0 firms can borrow, above 0 owners close earlier); the weak exit first
  either way. With `tie_support_years` s > 0 a firm with t ties (all layers) exits below
  (exit_capital_years - s (log(1 + t) - mean over the firms of log(1 + t))) years of fixed
  costs: partners carry a firm through a bad spell (trade credit, orders passed on, help;
  Uzzi 1996: firms embedded in their network are less likely to fail), so weakly tied firms
  exit first; centred, so that the average firm's threshold stays exit_capital_years and
  s moves who exits more than how many. Default 0 (no such support): it is the lever by
  which `clusterlab calibrate` can learn from two waves whether the leavers were the weakly
  tied. `exits = false` switches exits off, for when the data give who leaves
  (`clusterlab.panel.interval`: composition change as exogenous, Huisman & Snijders 2003).
- Entry by spin-off (Klepper 2007: successful incumbents spawn spin-offs that inherit their
  knowledge and locate near them; Boschma & Wenting 2007: spin-offs survive better). A firm
  that does not exit, with c_i > k_bar and a profit, spawns a spin-off in the step with
  probability spinoff_rate / spy * min(2, margin_i / normal margin), margin = profit /
  revenue and normal margin = (value_added - 1) / value_added: more, and more profitable,
  successful firms mean more entry. The spin-off is an SME at the parent's stage, placed at
  a normal offset (sd `spinoff_km` per axis) from the parent (inside the region), with
  `spinoff_inherit` of the parent's tacit and explicit knowledge, the parent's culture,
  absorptive capacity and knowledge origin (external_origin, via_focal), its own business
  group, `spinoff_size` employees (lognormal, sd 0.5), R&D intensity, openness, internal
  sharing and reciprocity drawn like the initial SMEs, born now, and `capital_years` of
  fixed costs. It is tied to its parent (strength `parent_tie_strength`) and to up to
  `spinoff_ties` of the parent's partners (`network.connect`: layer from the ends).

Exits and entries are counted in the columns `exits` and `entries`. Random draws: 64 bits
per firm and step from the stream "market" (two uniforms: fortune and spin-off), and the
spin-offs' attributes. Switched off, nothing happens: no revenue, exit or entry.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from ..network import pipeline_cost_share, pipeline_cost_shares
from ..params import Field, MechanismParams, MAX_KM, MAX_YEARS
from ..population import draw_traits
from ..state import FOCAL, PIPELINE, SME
from ..mechanism import Mechanism, State
from ..kernels import parallel_njit

N_CHUNKS = 256  # fixed, so sums do not depend on the number of threads
# per-chunk sums: firms, sum of k (for the next step's mean), revenue, profit, spin-offs, payout
S_COUNT, S_K, S_REVENUE, S_PROFIT, S_SPAWN, S_PAYOUT = range(6)
EXIT, SPAWN = 1, 2  # events of a firm in a step
INV24 = 1.0 / (1 << 24)
NO_EXIT = -1e300  # exit threshold (years of fixed costs) no capital reaches: exits off
SQRT12 = 3.4641016151377544  # a uniform on [-1/2, 1/2] times this has unit variance


@parallel_njit(cache=True)
def _account(T, E, rho, inv_f, kind, alive, stage, size, rd, capital, deg, bar, k_bar,
             competition, stage_rev, crowd, demand, z, u, z_keep, z_sd, pipe_cost, pipe_size, per_step,
             cap_years, exit_years, support, mean_ties, stress_years, rd_target, rd_floor, rd_keep, size0, grow, spin_step,
             normal_margin, k, revenue, profit, event, sums, employment):
    """One pass over the firms: competitiveness, revenue, costs, capital, R&D and size;
    exits and spin-offs (event). Per chunk: the totals, and the firm count, sum of k
    and employment per stage that give the next step's cluster mean and crowding."""
    n, D = T.shape
    n_chunks = sums.shape[0]
    L = len(stage_rev)
    chunk = (n + n_chunks - 1) // n_chunks
    for c in nb.prange(n_chunks):
        for j in range(sums.shape[1]):
            sums[c, j] = 0.0
        for s in range(L):
            employment[c, s] = 0.0
        for i in range(c * chunk, min(n, (c + 1) * chunk)):
            event[i] = 0
            if not alive[i] or kind[i] > SME:
                k[i] = 0.0
                revenue[i] = 0.0
                profit[i] = 0.0
                continue
            w = np.float32(0.0)
            for d in range(D):
                w += rho[d] * (T[i, d] + E[i, d])
            ki = w * inv_f
            k[i] = ki
            s = min(max(stage[i], 0), L - 1)
            ci = ki - bar
            x = min(max(competition * (ci - k_bar) / k_bar, -50.0), 50.0)
            m = 2.0 / (1.0 + np.exp(-x))
            # idiosyncratic fortune: AR(1) in logs with uniform innovations of unit variance;
            # two independent uniforms from the 64 random bits of the firm's draw
            u1 = (u[i] >> np.uint64(40)) * INV24
            u2 = ((u[i] >> np.uint64(16)) & np.uint64(0xFFFFFF)) * INV24
            z[i] = z_keep * z[i] + z_sd * (u1 - 0.5) * SQRT12
            r = size[i] * stage_rev[s] * demand * m * crowd[s] * np.exp(z[i])
            fixed = size[i] + deg[i, PIPELINE] * pipe_cost * pipeline_cost_share(size[i], pipe_size)
            p = r * (1.0 - rd[i]) - fixed
            cap = capital[i] + p * per_step
            top = cap_years * fixed
            if cap > top:
                sums[c, S_PAYOUT] += cap - top
                cap = top
            capital[i] = cap
            revenue[i] = r * per_step
            profit[i] = p * per_step
            sums[c, S_REVENUE] += r * per_step
            sums[c, S_PROFIT] += p * per_step
            # financial stress: R&D toward a floor; spin-offs grow while not stressed
            stress = 1.0
            if stress_years > 0.0 and fixed > 0.0:
                stress = min(1.0, max(0.0, cap / (stress_years * fixed)))
            goal = rd_target[i] * (rd_floor + (1.0 - rd_floor) * stress)
            rd[i] = goal + rd_keep * (rd[i] - goal)
            if stress >= 1.0 and size[i] < size0[i]:
                size[i] = min(size0[i], size[i] * (1.0 + grow))
            floor = exit_years
            if support > 0.0:  # partners carry a firm tied above the average further
                ties = 0
                for layer in range(deg.shape[1]):
                    ties += deg[i, layer]
                floor -= support * (np.log1p(ties) - mean_ties)
            if cap < floor * fixed:
                event[i] = EXIT
                continue
            sums[c, S_COUNT] += 1.0
            sums[c, S_K] += ki
            employment[c, s] += size[i]
            if ci > k_bar and p > 0.0 and r > 0.0:
                h = spin_step * min(2.0, (p / r) / normal_margin)
                if u2 < h:
                    event[i] = SPAWN
                    sums[c, S_SPAWN] += 1.0


@nb.njit(cache=True)
def _events(event):
    """The firms that exit and those that spawn this step (ascending ids)."""
    gone = np.empty(len(event), np.int64)
    parents = np.empty(len(event), np.int64)
    n_gone = 0
    n_parents = 0
    for i in range(len(event)):
        if event[i] == EXIT:
            gone[n_gone] = i
            n_gone += 1
        elif event[i] == SPAWN:
            parents[n_parents] = i
            n_parents += 1
    return gone[:n_gone], parents[:n_parents]


@nb.njit(cache=True)
def _between(slots, ta, tb, ids, parents, n):
    """Which ties `slots` join a spin-off ids[r] to its parent parents[r] (any r); as
    `np.isin` of the pairs' keys min * n + max."""
    key = np.empty(len(ids), np.int64)
    for r in range(len(ids)):
        key[r] = np.int64(min(ids[r], parents[r])) * n + max(ids[r], parents[r])
    key = np.sort(key)
    out = np.zeros(len(slots), np.bool_)
    for k in range(len(slots)):
        t = slots[k]
        x = np.int64(ta[t]) * n + tb[t]
        p = np.searchsorted(key, x)
        out[k] = p < len(key) and key[p] == x
    return out


class Market(Mechanism):
    name = "market"
    records = {
        "entries": "spin-offs that entered this step",
        "exits": "firms that exited this step",
        "exits_focal": "focal firms that exited this step",
        "revenue": "revenue of all firms this step (revenue units)",
        "profit": "profit of all firms this step (revenue units)",
        "payout": "capital paid out to owners this step (revenue units)",
    }

    class Params(MechanismParams):
        value_added: float = Field(1.15, ge=0.01, le=100, description="yearly value added per employee of an average firm at normal demand, in annual wages")
        stage_premium: float = Field(0.1, ge=0, le=1, description="value added per employee of the most downstream stage over the most upstream one (share)")
        competition: float = Field(1.0, ge=0, le=100, description="sensitivity of market share to competitiveness relative to the cluster mean")
        crowding: float = Field(1.0, ge=0, le=1, description="how far a stage's market is of fixed size (1) rather than growing with its employment (0)")
        capital_years: float = Field(0.5, ge=0, le=MAX_YEARS, description="starting capital of firms and spin-offs, in years of fixed costs")
        capital_cap_years: float = Field(1.0, ge=0, le=MAX_YEARS, description="capital above this many years of fixed costs is paid out")
        exits: bool = Field(True, description="firms exit when their capital runs out (false: no firm exits; the composition is given, as `clusterlab predict --composition observed`)")
        exit_capital_years: float = Field(0.0, ge=-MAX_YEARS, le=0.5, description="a firm exits when its capital falls below this many years of fixed costs (0: when it is used up; below 0: it can borrow that much; the lever that calibrates exits)")
        tie_support_years: float = Field(0.0, ge=0, le=MAX_YEARS, description="a firm with t ties (any layer) exits when its capital falls below exit_capital_years - tie_support_years * (log(1 + t) - the firms' mean of it) years of fixed costs: partners carry a well-tied firm through a bad spell (0: ties do not help survival; the lever that calibrates which firms exit)")
        stress_years: float = Field(0.25, ge=0, le=MAX_YEARS, description="capital (years of fixed costs) below which a firm is under financial stress")
        rd_floor: float = Field(0.25, ge=0, le=1, description="share of its target R&D intensity a firm keeps when its capital is exhausted")
        rd_adjust: float = Field(0.6, ge=0, le=1, description="share of the gap to its R&D goal a firm closes in a year")
        luck: float = Field(0.2, ge=0, le=2, description="sd of a firm's idiosyncratic log revenue (its fortune with customers)")
        luck_years: float = Field(2.0, ge=0, le=MAX_YEARS, description="persistence of that fortune (years, AR(1) time scale)")
        growth: float = Field(1.0, ge=0, le=10, description="yearly growth of a spin-off toward its normal size while not under financial stress")
        spinoff_rate: float = Field(0.04, ge=0, le=12, description="yearly spin-off probability of a successful firm at the normal profit margin")
        spinoff_km: float = Field(3.0, ge=0, le=MAX_KM, description="sd of a spin-off's distance from its parent per axis (km)")
        spinoff_inherit: float = Field(0.7, ge=0, le=1, description="share of the parent's tacit and explicit knowledge a spin-off takes along")
        spinoff_size: float = Field(5.0, ge=1, le=250, description="median employees of a spin-off (lognormal)")
        spinoff_ties: int = Field(3, ge=0, le=100, description="most of the parent's partners a spin-off is tied to")
        parent_tie_strength: float = Field(0.7, gt=0, le=1, description="strength of the tie between a spin-off and its parent")

    states = (
        State("capital", np.float32, 0.0, "financial buffer (revenue units)"),
        State("revenue", np.float32, 0.0, "revenue (value added) in the last step (revenue units)"),
        State("profit", np.float32, 0.0, "profit in the last step: revenue net of R&D, wages and pipelines (revenue units)"),
        State("rd_target", np.float32, 0.0, "R&D intensity the firm returns to when not under financial stress", record=False),
        State("normal_size", np.float32, 0.0, "employees a spin-off grows to", record=False),
        State("fortune", np.float32, 0.0, "log fortune with customers, AR(1)", record=False),
        State("market_k", np.float32, 0.0, "scratch: competitiveness this step", record=False),
        State("market_event", np.int8, 0, "scratch: exit or spin-off this step", record=False),
    )

    # -- set-up ---------------------------------------------------------------------------
    def init(self, sim) -> None:
        a = sim.actors
        self.n = 0
        self._track(sim)
        L = max(sim.scenario.population.stages, int(a.stage.max(initial=0)) + 1)
        self.stages = L
        firm = (a.kind <= SME) & a.alive
        st = np.clip(a.stage[firm], 0, L - 1)
        self.employment0 = np.bincount(st, weights=a.size[firm], minlength=L).astype(np.float64)
        self.emp = self.employment0.copy()
        kw = (a.T[firm] + a.E[firm]) @ sim.tech.relevance
        self.k_bar = float(kw.mean()) / max(sim.tech.frontier_level(), 1e-12) if len(kw) else 0.0
        self.sums = np.zeros((N_CHUNKS, 6))
        self.employment = np.zeros((N_CHUNKS, L))

    def _track(self, sim) -> None:
        """Targets of actors not seen yet (the initial ones, or entrants made elsewhere):
        their R&D intensity and size now; firms without capital get the starting capital."""
        a = sim.actors
        if a.n == self.n:
            return
        new = np.arange(self.n, a.n)
        a.rd_target[new] = a.rd[new]
        a.normal_size[new] = a.size[new]
        firm = new[(a.kind[new] <= SME) & (a.capital[new] == 0)]
        a.capital[firm] = self.pars.capital_years * self._fixed_costs(sim, firm)
        self.n = a.n

    @staticmethod
    def _pipeline_cost(sim) -> float:
        """Yearly cost of one pipeline to the firm: `network.pipeline_cost` per step, net of
        the policy's `network.pipeline_subsidy`."""
        net = sim.scenario.network
        return net.pipeline_cost * sim.scenario.steps_per_year * (1.0 - net.pipeline_subsidy)

    def _fixed_costs(self, sim, ids: np.ndarray) -> np.ndarray:
        a = sim.actors
        share = pipeline_cost_shares(a.size[ids], sim.scenario.network.pipeline_cost_size)
        return (a.size[ids] + sim.ties.deg[ids, PIPELINE] * self._pipeline_cost(sim) * share).astype(np.float32)

    @staticmethod
    def _mean_log_ties(sim) -> float:
        """Mean over the live firms of log(1 + ties), the centre of the partners' support."""
        a = sim.actors
        firms = np.flatnonzero(a.alive & (a.kind <= SME))
        return float(np.log1p(sim.ties.deg[firms].sum(axis=1)).mean()) if len(firms) else 0.0

    def stage_factors(self) -> np.ndarray:
        L = self.stages
        pos = np.arange(L) / (L - 1) - 0.5 if L > 1 else np.zeros(1)
        return self.pars.value_added * (1.0 + self.pars.stage_premium * pos)

    # -- one step ------------------------------------------------------------------------
    def step(self, sim) -> None:
        p, a, tech = self.pars, sim.actors, sim.tech
        spy = sim.scenario.steps_per_year
        self._track(sim)
        n = a.n
        rng = sim.rng("market")
        u = rng.bit_generator.random_raw(n)  # 64 random bits per firm (two uniforms)
        # the cluster mean and the stage employment are those of the previous step's pass
        k_bar = max(self.k_bar, 1e-9)
        emp = self.emp
        crowd = np.where((emp > 0) & (self.employment0 > 0),
                         self.employment0 / np.where(emp > 0, emp, 1.0), 1.0) ** p.crowding
        keep = float(np.exp(-1.0 / (spy * p.luck_years))) if p.luck_years > 0 else 0.0
        per_year = lambda x: 1.0 - (1.0 - x) ** (1.0 / spy)  # noqa: E731  yearly share -> per step
        _account(a.T, a.E, tech.relevance.astype(np.float32), 1.0 / max(tech.frontier_level(), 1e-12),
                 a.kind, a.alive, a.stage, a.size, a.rd, a.capital, sim.ties.deg, float(tech.bar),
                 k_bar, p.competition, self.stage_factors(), crowd, float(tech.demand),
                 a.fortune, u, keep, p.luck * np.sqrt(1.0 - keep * keep),
                 self._pipeline_cost(sim), float(sim.scenario.network.pipeline_cost_size), 1.0 / spy,
                 p.capital_cap_years, p.exit_capital_years if p.exits else NO_EXIT, p.tie_support_years,
                 self._mean_log_ties(sim) if p.tie_support_years > 0 else 0.0, p.stress_years,
                 a.rd_target, p.rd_floor, 1.0 - per_year(p.rd_adjust), a.normal_size,
                 (1.0 + p.growth) ** (1.0 / spy) - 1.0, p.spinoff_rate / spy,
                 max((p.value_added - 1.0) / p.value_added, 1e-3), a.market_k,
                 a.revenue, a.profit, a.market_event,
                 self.sums, self.employment)
        s = self.sums.sum(axis=0)
        if s[S_COUNT] > 0:
            self.k_bar = s[S_K] / s[S_COUNT]
            self.emp = self.employment.sum(axis=0)
        st = sim.stats
        st["revenue"] += s[S_REVENUE]
        st["profit"] += s[S_PROFIT]
        st["payout"] += s[S_PAYOUT]
        gone, parents = _events(a.market_event)
        # exits
        if len(gone):
            a.alive[gone] = False
            sim.ties.remove_actor_ties(gone)
            st["exits"] += len(gone)
            st["exits_focal"] += int((a.kind[gone] == FOCAL).sum())
        # spin-offs
        if len(parents):
            self.spawn(sim, parents, rng)

    def spawn(self, sim, parents: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Create one spin-off of each parent (ids in increasing order); return their ids."""
        p, a, sc = self.pars, sim.actors, sim.scenario
        pop = sc.population
        K = len(parents)
        R = pop.region_km
        xp, yp = a.x[parents].astype(np.float64), a.y[parents].astype(np.float64)
        x = np.clip(xp + rng.normal(0, p.spinoff_km, K), np.minimum(0, xp), np.maximum(R, xp))
        y = np.clip(yp + rng.normal(0, p.spinoff_km, K), np.minimum(0, yp), np.maximum(R, yp))
        traits = draw_traits(np.full(K, SME, np.int8), pop, rng)  # R&D, openness, ... as SMEs
        normal = traits.pop("size")  # the size it grows to, as an SME's
        size = np.maximum(1.0, p.spinoff_size * rng.lognormal(0, 0.5, K)).astype(np.float32)
        normal = np.maximum(size, normal)
        ids = a.append(
            K, kind=SME, stage=a.stage[parents], x=x, y=y, culture=a.culture[parents],
            group=0, size=size, T=p.spinoff_inherit * a.T[parents],
            E=p.spinoff_inherit * a.E[parents], absorptive=a.absorptive[parents], born=sim.t,
            external_origin=a.external_origin[parents], via_focal=a.via_focal[parents], **traits,
        )
        a.group[ids] = ids
        sim.ties.grow_actors(a.n)
        # ties to some of the parent's partners (drawn with replacement, repeats dropped)
        # and to the parent, in one call; then the parent ties get their strength
        ties = sim.ties
        cnt = ties.count[parents].astype(np.int64)
        m = p.spinoff_ties
        pick = (rng.random((K, m)) * cnt[:, None]).astype(np.int64)
        has = np.broadcast_to(cnt[:, None] > 0, pick.shape)
        slot = ties.start[parents][:, None] + np.minimum(pick, np.maximum(cnt[:, None] - 1, 0))
        src = np.concatenate([np.broadcast_to(ids[:, None], pick.shape)[has], ids])
        dst = np.concatenate([ties.nbr[slot[has]], parents])
        made = sim.connect(src, dst, rng)
        to_parent = _between(made, ties.a, ties.b, ids, parents, a.n)
        ties.w[made[to_parent]] = p.parent_tie_strength
        self._track(sim)  # their R&D targets
        a.normal_size[ids] = normal
        a.capital[ids] = p.capital_years * self._fixed_costs(sim, ids)
        sim.stats["entries"] += K
        return ids

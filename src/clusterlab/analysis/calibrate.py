"""From panel estimates to simulator parameters: `evolution_parameters` maps the creation
and persistence logits of `clusterlab.analysis.compare` (Juhasz & Lengyel 2018) to
approximate values of the `network_evolution` mechanism's parameters, as ``--set`` keys,
each with the basis of its value and a list of what the panel cannot inform.

What is and is not informed (details in `evolution_parameters`):

- informed, from the logits' slopes (no interval length needed): ``persistence`` (how much
  cognitive proximity lowers dissolution), ``cognitive_weight``, ``geo_weight`` (an upper
  bound) and ``closure_weight`` relative to ``proximity_weight`` (kept at 1);
- informed with the interval length (``compare --years Y``): ``dissolve_rate``, the yearly
  dissolution hazard at zero cognitive proximity, h0 = -ln P(persist | c = 0) / Y - a lower
  bound, since the model dissolves only weak idle ties (it equals h0 when every tie is weak
  and idle); and, reported under ``rates`` but not as keys: the yearly creation hazard per
  unconnected pair, new ties per stayer per year, the yearly dissolution hazard of all ties
  and the yearly exit hazard of actors;
- not informed: ``proposals`` and ``base_accept`` separately (the panel gives their product
  only, new ties per actor per year, and the proposal routes cannot be told from
  acceptance), ``dissolve_below``, ``idle_years``, ``grow``, ``decay`` (tie strength and
  use are not observed), ``brokerage_weight``, ``broker_share`` (brokerage is not a term),
  and ``reciprocate`` (the models' reciprocity term is a log-odds of a tie given its reverse,
  not the yearly hazard that a one-way tie is returned: `clusterlab calibrate` estimates that
  from directed waves).

Every key suggested is a parameter of the current scenario (a test applies them to the
default scenario, which validates them).
"""

from __future__ import annotations

import math

import numpy as np

from ..data.matrix import proximity_role

__all__ = ["evolution_parameters", "proximity_role"]

PREFIX = "mechanisms.network_evolution."


def evolution_parameters(result, years: float | None = None) -> dict:
    """Approximate values of `clusterlab.mechanisms.network_evolution` parameters implied by
    the estimates of a `CompareResult` (read: its ``coefficients``, ``models`` and
    ``proximities``). An approximation to start calibration from, not an estimate of the
    simulation model: the panel has one interval of unknown length, pools all ties (the model
    dissolves only weak idle ones) and cannot tell proposal routes from acceptance.

    Proximity matrices are recognised by name: ``geo*``/``spatial*`` = geographic,
    ``cog*``/``tech*`` = cognitive; both must be proximities on the model's 0-1 scale
    (geographic as exp(-km / geo_km), cognitive as the cosine of knowledge profiles).

    Informs (keys of ``overrides`` are `--set` keys):

    - persistence: dissolution hazard in the model is proportional to 1 - persistence * c.
      With a constant hazard over the interval, P(persist) = exp(-h), so from the persistence
      logit (other terms at their means) persistence = 1 - ln P(persist | c=1) / ln P(persist | c=0).
    - cognitive_weight: acceptance is proportional to 1 + cognitive_weight * c; for rare
      creation the odds ratio exp(b_cognitive) of the creation logit approximates the ratio
      at c = 1 and c = 0, so cognitive_weight = exp(b) - 1.
    - geo_weight: likewise from the geographic term, geo_weight = exp(b) - 1. In the model
      nearby pairs are also proposed more often (the proximity route), so this is an upper
      bound.
    - closure_weight (with proximity_weight kept at 1): the ratio of the shares of created
      ties attributable to closure and to geographic proximity, mean over created ties of
      1 - exp(-b x) for each term (the share that would not have formed with the term at 0,
      under the rare-event log-linear approximation).

    - dissolve_rate (with ``years``, the time between the waves, default
      ``result.years``): the yearly hazard at zero cognitive proximity, ln P(persist | c=0)
      / -years, from the persistence logit (other terms at their means); a lower bound
      (only weak idle ties dissolve in the model). Without a cognitive matrix the
      persistence model's hazard is not split by c and dissolve_rate is not suggested.

    With ``years``, ``rates`` holds yearly rates (constant hazards over the interval):
    creation hazard per unconnected pair -ln(1 - creation_rate) / Y, new ties per stayer
    per year created / (stayers Y), dissolution hazard of all ties -ln(persistence_rate) / Y,
    exit hazard of actors -ln(1 - exits / wave-1 actors) / Y.

    A negative coefficient maps to 0 (the model's weights are >= 0) with a note. A model
    with separation informs nothing.
    """
    if years is None:
        years = getattr(result, "years", None)
    if years is not None and not (isinstance(years, (int, float)) and math.isfinite(years) and years > 0):
        raise ValueError(f"years must be a number > 0, not {years!r}")
    coefs = result.coefficients
    models = result.models
    roles: dict[str, str] = {}
    for name in result.proximities:
        r = proximity_role(name)
        if r and r not in roles:
            roles[r] = name

    unusable = {m for m, info in models.items() if info.get("separation")}

    def term(model: str, name: str):
        if model in unusable:
            return None
        row = coefs[(coefs["model"] == model) & (coefs["term"] == name)]
        return None if row.empty else row.iloc[0]

    def sig(row) -> str:
        return "" if row["p"] < 0.05 else f"; not significant at 5% (p = {row['p']:.3g})"

    def scale_note(name: str) -> str:
        lo, hi = (models.get("creation") or {}).get("proximity_ranges", {}).get(name, (0.0, 1.0))
        return "" if lo >= -1e-9 and hi <= 1 + 1e-9 else f"; WARNING: {name!r} ranges {lo:.3g}..{hi:.3g}, not 0-1"

    overrides: dict[str, float] = {}
    basis: dict[str, str] = {}
    not_informed = {
        "proposals, base_accept": "the panel gives only their product (new ties per actor per year, under "
                                  "`rates` when --years is given); proposal routes cannot be told from acceptance",
        "dissolve_below, idle_years, grow, decay": "tie strength and use are not observed",
        "brokerage_weight, broker_share": "brokerage is not a term of the models",
        "(reciprocity term)": "a log-odds of a tie given its reverse, not network_evolution.reciprocate (the yearly "
                              "hazard that a one-way tie is returned): clusterlab calibrate estimates that from "
                              "directed waves",
    }
    for m in sorted(unusable):
        not_informed[f"(all from the {m} model)"] = ("the model has perfect or quasi-perfect separation: "
                                                     "its estimates are unbounded")

    cog = roles.get("cognitive")
    row = term("persistence", cog) if cog else None
    if row is not None:
        m = models["persistence"]
        eta0 = float(term("persistence", "const")["coef"])
        for nm, mean in m.get("means", {}).items():
            if nm != cog:
                r = term("persistence", nm)
                if r is not None:
                    eta0 += float(r["coef"]) * mean
        b = float(row["coef"])
        l0 = np.logaddexp(0.0, -eta0)  # -ln P(persist | c=0)
        l1 = np.logaddexp(0.0, -(eta0 + b))
        val = float(np.clip(1.0 - l1 / l0, 0.0, 1.0)) if l0 > 0 else 0.0
        overrides[PREFIX + "persistence"] = round(val, 4)
        basis["persistence"] = (f"persistence logit: b({cog}) = {b:.3g}; P(persist) = {math.exp(-l0):.3g} at "
                                f"c=0 and {math.exp(-l1):.3g} at c=1 (other terms at their means); "
                                f"constant-hazard ratio 1 - {l1:.3g}/{l0:.3g}" + sig(row) + scale_note(cog)
                                + ("; negative dependence mapped to 0" if b < 0 else ""))
        if years is not None:
            overrides[PREFIX + "dissolve_rate"] = round(float(l0) / years, 4)
            basis["dissolve_rate"] = (f"persistence logit: P(persist) = {math.exp(-l0):.3g} over {years:g} years at "
                                      f"c=0 (other terms at their means); yearly hazard -ln P / years = "
                                      f"{l0 / years:.3g}; a lower bound: the model dissolves only weak idle ties")
    else:
        not_informed["persistence"] = "needs a cognitive proximity matrix (name starting with 'cog' or 'tech')"
    if PREFIX + "dissolve_rate" not in overrides:
        not_informed["dissolve_rate"] = ("needs the time between the waves (--years) and a cognitive proximity "
                                         "matrix (the model's hazard is that at zero cognitive proximity)"
                                         if years is None or not cog else
                                         "needs a usable persistence model with a cognitive proximity term")

    for role, param in (("cognitive", "cognitive_weight"), ("geographic", "geo_weight")):
        name = roles.get(role)
        row = term("creation", name) if name else None
        if row is None:
            not_informed[param] = f"needs a {role} proximity matrix in the creation model"
            continue
        b = float(row["coef"])
        val = max(0.0, math.expm1(min(b, 50.0)))
        overrides[PREFIX + param] = round(val, 4)
        basis[param] = (f"creation logit: b({name}) = {b:.3g}; odds ratio at 1 vs 0 = {math.exp(min(b, 50.0)):.3g}, "
                        f"minus 1" + sig(row) + scale_note(name)
                        + ("; negative effect mapped to 0" if b < 0 else "")
                        + ("; upper bound (nearby pairs are also proposed more often)" if role == "geographic" else ""))

    geo = roles.get("geographic")
    rc, rg = term("creation", "closure"), (term("creation", geo) if geo else None)
    if rc is not None and rg is not None:
        m = models["creation"]
        share_c = _attributable(result, "closure", float(rc["coef"]))
        share_g = _attributable(result, geo, float(rg["coef"]))
        if share_g > 0:
            val = share_c / share_g
            overrides[PREFIX + "closure_weight"] = round(val, 4)
            overrides[PREFIX + "proximity_weight"] = 1.0
            basis["closure_weight"] = (f"shares of created ties attributable to closure ({share_c:.3g}) and to "
                                       f"{geo} ({share_g:.3g}) (mean of 1 - exp(-b x) over created ties, "
                                       f"mean closure {m['means_events'].get('closure', 0):.3g}); ratio with "
                                       "proximity_weight kept at 1" + sig(rc))
        else:
            not_informed["closure_weight"] = f"the {geo} term does not raise creation (b <= 0): no ratio"
    else:
        not_informed["closure_weight, proximity_weight"] = ("need the closure term and a geographic proximity "
                                                            "matrix in the creation model")
    out = {
        "overrides": overrides,
        "basis": basis,
        "not_informed": not_informed,
        "years": years,
        "rates": _rates(result, years) if years is not None else {},
        "caveat": ("approximate mapping to start calibration from: "
                   + ("one interval of unknown length (give --years), " if years is None else
                      f"one interval of {years:g} years, ")
                   + "all ties pooled, proposal routes and acceptance not separable; see "
                     "clusterlab.analysis.evolution_parameters"),
    }
    return out


def _rates(result, years: float) -> dict:
    """Yearly rates over the interval, as constant hazards (see `evolution_parameters`)."""
    c = result.tie_counts
    out: dict = {}
    cr = c.get("creation_rate")
    if cr is not None and cr < 1:
        out["creation_hazard_per_pair"] = -math.log1p(-cr) / years
    S = len(result.stayers)
    if S:
        out["new_ties_per_stayer"] = c.get("created", 0) / (S * years)
    pr = c.get("persistence_rate")
    if pr is not None and pr > 0:
        out["dissolution_hazard_per_tie"] = -math.log(pr) / years
    n1 = len(result.stayers) + len(result.exits)
    if n1 and len(result.exits) < n1:
        out["exit_hazard_per_actor"] = -math.log1p(-len(result.exits) / n1) / years
    return {k: round(v, 6) for k, v in out.items()}


def _attributable(result, name: str, b: float) -> float:
    """Mean over created ties of 1 - exp(-b x) (0 when b <= 0), computed when fitting."""
    if b <= 0:
        return 0.0
    return float(result.models["creation"].get("attributable", {}).get(name, 0.0))

"""From panel estimates to simulator parameters: `evolution_parameters` maps the creation
and persistence logits of `clusterlab.analysis.compare` (Juhasz & Lengyel 2018) to
approximate values of the `network_evolution` mechanism's parameters, as ``--set`` keys,
each with the basis of its value and a list of what the panel cannot inform.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["evolution_parameters"]

PREFIX = "mechanisms.network_evolution."


def proximity_role(name: str) -> str | None:
    """"geographic" (geo*, spatial*), "cognitive" (cog*, tech*) or None, by the matrix's name."""
    low = name.lower()
    if low.startswith(("geo", "spatial")):
        return "geographic"
    if low.startswith(("cog", "tech")):
        return "cognitive"
    return None


def evolution_parameters(result) -> dict:
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

    A negative coefficient maps to 0 (the model's weights are >= 0) with a note. A model
    with separation informs nothing.
    """
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
        "proposals, base_accept": "the creation rate per year needs the time between waves and the "
                                  "model's proposal routes; the panel gives one interval's creation rate only",
        "dissolve_rate, dissolve_below, idle_years, grow, decay": "tie strength and use are not observed",
        "brokerage_weight, broker_share": "brokerage is not a term of the models",
        "reciprocity": "model ties are undirected; the reciprocity term has no counterpart",
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
    else:
        not_informed["persistence"] = "needs a cognitive proximity matrix (name starting with 'cog' or 'tech')"

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
    return {
        "overrides": overrides,
        "basis": basis,
        "not_informed": not_informed,
        "caveat": "approximate mapping to start calibration from: one interval of unknown length, "
                  "all ties pooled, proposal routes and acceptance not separable; see "
                  "clusterlab.analysis.evolution_parameters",
    }


def _attributable(result, name: str, b: float) -> float:
    """Mean over created ties of 1 - exp(-b x) (0 when b <= 0), computed when fitting."""
    if b <= 0:
        return 0.0
    return float(result.models["creation"].get("attributable", {}).get(name, 0.0))

"""Parts of a valid scenario that cannot act: warned of, never refused (README, "Warnings").

Rules (each gives one `ClusterlabWarning` line naming the key or event):
- an event or snapshot after the last step never applies (runs shortened with `--steps` are normal);
- a pipeline subsidy (`network.pipeline_subsidy`, `subsidise_pipelines`, a `set` of the
  subsidy) in a cluster with no external partners has no pipeline to pay for, and with
  `market` and `openness` both off no pipeline cost is charged or weighed;
- cluster-organisation policy (`close_cluster_org`, a changed `[mechanisms.cluster_org]`
  table, a `set` of one of its keys) when the cluster never has a cluster organisation;
- a `start_cluster_org` with `members = 0`, a `fund_university` with `ties = 0`, a
  `technology_shift` with `share = 0` and `jump = 0`: nothing changes;
- a `recession` or `global_competition` when `market` and `projects` are both off;
- a `set` of a mechanism's key while that mechanism is off for the whole run.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import numpy as np

from .errors import ClusterlabWarning


def _on(sc, loop: set[str], name: str) -> bool:
    """Whether mechanism `name` runs at some step: in the loop, and enabled in the scenario
    or by a `set` event."""
    if name not in loop:
        return False
    table = getattr(sc.mechanisms, name, None)
    if table is not None and table.enabled:
        return True
    return any(ev.action == "set" and ev.key == f"mechanisms.{name}.enabled" and ev.value is True
               for ev in sc.events)


def idle_parts(sc, loop: Iterable[str], externals: int, cluster_orgs: int) -> list[str]:
    """One message per part of scenario `sc` that cannot act (see the module docstring);
    `loop`: names of the mechanisms run; `externals`, `cluster_orgs`: the counts at start."""
    loop = set(loop)
    out = []
    no_ext = ("the cluster read from data has no external partners" if sc.data.network
              else "there are no external partners (population.externals = 0)")
    costless = not (_on(sc, loop, "market") or _on(sc, loop, "openness"))
    starts = [ev.step for ev in sc.events if ev.action == "start_cluster_org"]
    never_org = cluster_orgs == 0 and not starts

    def subsidy(where: str) -> None:
        if externals == 0:
            out.append(f"{where}: {no_ext}, so there are no pipelines to subsidise")
        elif costless:
            out.append(f"{where}: mechanisms market and openness are off, so pipelines cost nothing to subsidise")

    if sc.network.pipeline_subsidy > 0:
        subsidy("network.pipeline_subsidy")
    if never_org and "cluster_org" in loop:
        default = type(sc.mechanisms.cluster_org)()
        if sc.mechanisms.cluster_org.model_dump(exclude={"enabled"}) != default.model_dump(exclude={"enabled"}):
            out.append("mechanisms.cluster_org: the cluster has no cluster organisation "
                       "(population.cluster_orgs = 0 and no start_cluster_org event), so it cannot act")
    late = [s for s in sc.output.snapshots if s > sc.steps]
    if late:
        out.append(f"output.snapshots: steps {late} are after the last step ({sc.steps}), so they are never taken")
    for i, ev in enumerate(sc.events):
        where = f"events.{i} ({ev.action})"
        if ev.step > sc.steps:
            out.append(f"events.{i}: step {ev.step} is after the last step ({sc.steps}), so it never applies")
            continue
        if ev.action == "subsidise_pipelines" and ev.share > 0:
            subsidy(where)
        elif ev.action == "close_cluster_org" and cluster_orgs == 0 and not any(s <= ev.step for s in starts):
            out.append(f"{where}: the cluster has no cluster organisation to close at step {ev.step}")
        elif ev.action == "start_cluster_org" and ev.members == 0:
            out.append(f"{where}: members = 0, so the organisation has no member firm")
        elif ev.action == "fund_university" and ev.ties == 0:
            out.append(f"{where}: ties = 0, so the university works with no firm")
        elif ev.action == "technology_shift" and ev.share == 0 and ev.jump == 0:
            out.append(f"{where}: share = 0 and jump = 0, so nothing shifts")
        elif ev.action in ("recession", "global_competition") and not (
                _on(sc, loop, "market") or _on(sc, loop, "projects")):
            out.append(f"{where}: mechanisms market and projects are off, so it acts on nothing")
        elif ev.action == "set":
            parts = ev.key.split(".")
            if ev.key == "network.pipeline_subsidy" and ev.value > 0:
                subsidy(f"events.{i} (set {ev.key})")
            elif parts[0] == "mechanisms" and parts[2] != "enabled":
                if not _on(sc, loop, parts[1]):
                    out.append(f"events.{i} (set {ev.key}): mechanisms.{parts[1]} is off, so it has no effect")
                elif parts[1] == "cluster_org" and never_org:
                    out.append(f"events.{i} (set {ev.key}): the cluster has no cluster organisation, "
                               "so it has no effect")
    return out


def warn_idle(sc, loop: Iterable[str], kind: np.ndarray) -> None:
    """Warn (ClusterlabWarning) of each part of `sc` that cannot act, for actors of these kinds."""
    from .state import CLUSTER_ORG, EXTERNAL

    externals = int(np.count_nonzero(kind == EXTERNAL))
    orgs = int(np.count_nonzero(kind == CLUSTER_ORG))
    for msg in idle_parts(sc, loop, externals, orgs):
        warnings.warn(msg, ClusterlabWarning, stacklevel=3)


__all__ = ["idle_parts", "warn_idle"]

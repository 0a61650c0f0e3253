"""Gould & Fernandez (1989) brokerage roles of each actor with respect to a group attribute.

A *brokerage two-path* is a directed flow ``a -> b -> c`` with ``a != c`` and no direct
flow ``a -> c``; b is the broker. With g(.) the group of an actor (e.g. value-chain stage,
kind of actor, town, community), each two-path gives b exactly one of five roles:

=================  ==========================  ======================================
role               groups                      b ...
=================  ==========================  ======================================
coordinator        g(a) = g(b) = g(c)          mediates inside its own group (w_I)
itinerant          g(a) = g(c) != g(b)         an outsider mediating inside another
 (consultant)                                  group (w_O)
representative     g(a) = g(b) != g(c)         passes its group's knowledge out (b_IO)
gatekeeper         g(a) != g(b) = g(c)         lets outside knowledge into its group
                                               (b_OI)
liaison            g(a), g(b), g(c) distinct   links two groups it belongs to neither
                                               of (b_O)
=================  ==========================  ======================================

(The labels in brackets are Gould & Fernandez's, as in R's ``sna::brokerage``.) The counts
are the raw role scores, the number of such two-paths through each actor.

Direction. Gould & Fernandez read ``a -> b`` as a transfer from a to b. In a
:class:`~clusterlab.data.ClusterNetwork` an edge ``src -> dst`` means src *asks* dst, so
knowledge flows ``dst -> src``. With ``direction="knowledge"`` (default) the flows are the
reversed edges: a two-path ``a -> b -> c`` is "b asks a and c asks b, and c does not ask a",
so a gatekeeper b is asked by members of its own group and itself asks outsiders, passing
outside knowledge in. ``direction="edges"`` uses the edges as stored (a two-path is
"a asks b, b asks c"). On undirected networks each tie is a flow both ways, so every
open triple is counted once in each orientation and representative = gatekeeper counts.

Actors whose group is missing (NaN/None) neither broker nor count as a, c. Self-loops are
ignored and parallel ties count once.

Algorithm. For each broker b the five counts over all pairs (a in flow-in(b), c in
flow-out(b)) follow from the group histograms of the two neighbour lists in
``O(deg b)``; the pairs that are not brokerage (``a == c``, a reciprocated tie, or closed:
``a -> c`` exists) are then found and subtracted, for each a either by scanning flow-out(a)
against a mark array or by binary-searching each c in flow-out(a), whichever is cheaper.
Brokers run in parallel (numba ``prange``) over blocks of about equal estimated work;
memory is ``O(n * threads + m)``.

Gould, R.V. & Fernandez, R.M. (1989) Structures of mediation: a formal approach to brokerage
in transaction networks. *Sociological Methodology* 19, 89-126.
"""

from __future__ import annotations

import math

import numba
import numpy as np
import pandas as pd
from numba import njit, prange

from ._graph import MeasureError, prepare

__all__ = ["ROLES", "gould_fernandez", "group_codes"]

ROLES = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison")


@njit(cache=True, inline="always")
def _role(ga, gb, gc):
    if ga == gb:
        return 0 if gc == gb else 2
    if gc == gb:
        return 3
    if ga == gc:
        return 1
    return 4


@njit(parallel=True, cache=True)
def _costs(in_ptr, in_idx, out_ptr, out_idx):
    n = in_ptr.shape[0] - 1
    cost = np.empty(n, np.float64)
    for b in prange(n):
        ds = out_ptr[b + 1] - out_ptr[b]
        c = 1.0 + ds + (in_ptr[b + 1] - in_ptr[b])
        if ds > 0:
            for t in range(in_ptr[b], in_ptr[b + 1]):
                a = in_idx[t]
                da = out_ptr[a + 1] - out_ptr[a]
                c += min(da, ds * (1.0 + math.log2(da + 1.0)))
        cost[b] = c
    return cost


@njit(parallel=True, cache=True)
def _gf_kernel(in_ptr, in_idx, out_ptr, out_idx, groups, n_groups, bounds):
    n = in_ptr.shape[0] - 1
    counts = np.zeros((n, 5), np.int64)
    nblocks = bounds.shape[0] - 1
    for blk in prange(nblocks):
        hist_p = np.zeros(n_groups, np.int64)
        hist_s = np.zeros(n_groups, np.int64)
        mark = np.zeros(n, np.uint8)
        for b in range(bounds[blk], bounds[blk + 1]):
            gb = groups[b]
            if gb < 0:
                continue
            n_p = 0
            for t in range(in_ptr[b], in_ptr[b + 1]):
                g = groups[in_idx[t]]
                if g >= 0:
                    hist_p[g] += 1
                    n_p += 1
            n_s = 0
            for t in range(out_ptr[b], out_ptr[b + 1]):
                c = out_idx[t]
                g = groups[c]
                if g >= 0:
                    hist_s[g] += 1
                    n_s += 1
                    mark[c] = 1
            pb = hist_p[gb]
            sb = hist_s[gb]
            coord = pb * sb
            rep = pb * (n_s - sb)
            gate = (n_p - pb) * sb
            itin = 0
            for t in range(in_ptr[b], in_ptr[b + 1]):
                g = groups[in_idx[t]]
                if g >= 0 and g != gb and hist_p[g] > 0:
                    itin += hist_p[g] * hist_s[g]
                    hist_p[g] = 0  # count each group once, and reset
            hist_p[gb] = 0
            liaison = (n_p - pb) * (n_s - sb) - itin
            sub = np.zeros(5, np.int64)
            if n_p > 0 and n_s > 0:
                s_lo = out_ptr[b]
                s_hi = out_ptr[b + 1]
                for t in range(in_ptr[b], in_ptr[b + 1]):
                    a = in_idx[t]
                    ga = groups[a]
                    if ga < 0:
                        continue
                    if mark[a] == 1:  # a == c: a -> b -> a
                        sub[_role(ga, gb, ga)] += 1
                    a_lo = out_ptr[a]
                    a_hi = out_ptr[a + 1]
                    da = a_hi - a_lo
                    if da == 0:
                        continue
                    if da <= n_s * (1.0 + math.log2(da + 1.0)):
                        for u in range(a_lo, a_hi):
                            c = out_idx[u]
                            if mark[c] == 1:
                                sub[_role(ga, gb, groups[c])] += 1
                    else:
                        lo = a_lo
                        last = out_idx[a_hi - 1]
                        for u in range(s_lo, s_hi):
                            c = out_idx[u]
                            if c > last:
                                break
                            gc = groups[c]
                            hi = a_hi
                            while lo < hi:
                                mid = (lo + hi) >> 1
                                if out_idx[mid] < c:
                                    lo = mid + 1
                                else:
                                    hi = mid
                            if lo < a_hi and out_idx[lo] == c:
                                if gc >= 0:
                                    sub[_role(ga, gb, gc)] += 1
                                lo += 1
            for t in range(out_ptr[b], out_ptr[b + 1]):
                c = out_idx[t]
                mark[c] = 0
                g = groups[c]
                if g >= 0:
                    hist_s[g] = 0
            counts[b, 0] = coord - sub[0]
            counts[b, 1] = itin - sub[1]
            counts[b, 2] = rep - sub[2]
            counts[b, 3] = gate - sub[3]
            counts[b, 4] = liaison - sub[4]
    return counts


def group_codes(net, group) -> tuple[np.ndarray, np.ndarray]:
    """(codes, labels): int64 group code per actor (-1 where missing) and the labels.

    ``group`` is the name of an attribute column of ``net.attributes`` or an array with one
    value per actor.
    """
    p = prepare(net)
    if isinstance(group, str):
        attrs = p.attributes
        if attrs is None or group not in attrs.columns:
            have = [] if attrs is None else [c for c in attrs.columns if c != "id"]
            raise MeasureError(f"no attribute column {group!r}; the network has {have}")
        values = attrs[group].to_numpy()
    else:
        values = np.asarray(group, dtype=object)
    if len(values) != p.n:
        raise MeasureError(f"group has {len(values)} values for {p.n} actors")
    codes, labels = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    return codes.astype(np.int64), np.asarray(labels, dtype=object)


def _blocks(cost):
    n = cost.size
    nblocks = max(1, min(n, 4 * numba.get_num_threads()))
    if nblocks == 1 or n == 0:
        return np.array([0, n], np.int64)
    cum = np.cumsum(cost)
    targets = cum[-1] * np.arange(1, nblocks) / nblocks
    inner = np.searchsorted(cum, targets, side="left") + 1
    bounds = np.concatenate(([0], np.minimum(inner, n), [n])).astype(np.int64)
    return np.maximum.accumulate(bounds)


def gould_fernandez(net, group, *, direction: str = "knowledge") -> dict[str, np.ndarray]:
    """Gould & Fernandez (1989) brokerage role counts of every actor.

    Parameters
    ----------
    group
        Attribute column name (or one value per actor) defining the groups.
    direction
        ``"knowledge"`` (default): flows are knowledge flows, ``dst -> src`` of the stored
        edges; ``"edges"``: flows along the stored edges. See the module docstring.

    Returns
    -------
    dict
        ``{role: int64 array per actor}`` for the roles in :data:`ROLES` (coordinator,
        itinerant, representative, gatekeeper, liaison), in that order.
    """
    if direction not in ("knowledge", "edges"):
        raise MeasureError(f"direction must be 'knowledge' or 'edges', got {direction!r}")
    p = prepare(net)
    codes, labels = group_codes(p, group)
    if p.n == 0:
        return {r: np.zeros(0, np.int64) for r in ROLES}
    ask_ptr, ask_idx = p.out_csr  # whom each actor asks
    asked_ptr, asked_idx = p.in_csr  # who asks each actor
    if direction == "knowledge":
        # knowledge flows from the asked to the asker: flow-out(b) = who asks b
        out_ptr, out_idx, in_ptr, in_idx = asked_ptr, asked_idx, ask_ptr, ask_idx
    else:
        out_ptr, out_idx, in_ptr, in_idx = ask_ptr, ask_idx, asked_ptr, asked_idx
    args = (np.ascontiguousarray(in_ptr, np.int64), np.ascontiguousarray(in_idx, np.int32),
            np.ascontiguousarray(out_ptr, np.int64), np.ascontiguousarray(out_idx, np.int32))
    bounds = _blocks(_costs(*args))
    counts = _gf_kernel(*args, codes, max(1, len(labels)), bounds)
    return {r: counts[:, k].copy() for k, r in enumerate(ROLES)}

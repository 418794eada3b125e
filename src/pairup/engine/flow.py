"""The two exact pieces under `assign`: a maximum-weight b-matching as a min-cost flow, and
the LP duals that certify it.

`solve_flow` hands the pairs (arcs) to OR-Tools' `SimpleMinCostFlow` as a network
asks -> mentors -> sink; the assignment LP is totally unimodular, so the flow's integral
optimum is the LP optimum. `certified_duals` reads optimal LP duals (a price per ask and
per mentor) off that flow and checks them in integers: dual feasibility on every arc,
complementary slackness and equal primal and dual objectives. `assign` then prices every
pair left out of the flow against them (see assign.py).
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow


def solve_flow(
    arcs_a: np.ndarray,
    arcs_m: np.ndarray,
    arcs_q: np.ndarray,
    caps: np.ndarray,
    most_matched: bool,
) -> np.ndarray:
    """Optimal 0/1 flow on each arc (ask, mentor) of weight arcs_q: the best total, or with
    most_matched the most asks matched and then the best total. Each arc costs -q; best-total
    gives each ask a free bypass to the sink (staying unmatched adds 0). Only the asks and
    mentors with arcs become nodes."""
    asks, a_node = np.unique(arcs_a, return_inverse=True)
    mentors, m_node = np.unique(arcs_m, return_inverse=True)
    n_a, n_m = len(asks), len(mentors)
    sink = n_a + n_m
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(
        a_node, n_a + m_node, np.ones(len(arcs_a), dtype=np.int64), -arcs_q
    )
    smcf.add_arcs_with_capacity_and_unit_cost(
        n_a + np.arange(n_m), np.full(n_m, sink), caps[mentors], np.zeros(n_m, dtype=np.int64)
    )
    if not most_matched:
        # Bypass: leaving an ask unmatched costs nothing.
        smcf.add_arcs_with_capacity_and_unit_cost(
            np.arange(n_a),
            np.full(n_a, sink),
            np.ones(n_a, dtype=np.int64),
            np.zeros(n_a, dtype=np.int64),
        )
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[:n_a] = 1
    supplies[sink] = -n_a
    smcf.set_nodes_supplies(np.arange(sink + 1), supplies)
    status = smcf.solve_max_flow_with_min_cost() if most_matched else smcf.solve()
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    return np.asarray(smcf.flows(np.arange(len(arcs_a))), dtype=np.int64)


def certified_duals(
    arcs_a: np.ndarray,
    arcs_m: np.ndarray,
    w: np.ndarray,
    flow: np.ndarray,
    caps: np.ndarray,
    n_asks: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Optimal duals (u, v) of the LP over these pairs from an optimal integral primal,
    verified (raises if the primal is not optimal): v is the least optimal dual, so it does
    not depend on which optimal primal it came from."""
    n_m = len(caps)
    chosen = flow > 0
    match_m = np.full(n_asks, -1, dtype=np.int64)
    match_w = np.zeros(n_asks, dtype=np.int64)
    match_m[arcs_a[chosen]] = arcs_m[chosen]
    match_w[arcs_a[chosen]] = w[chosen]
    src = match_m[arcs_a]  # -1 = from the root (ask unmatched)
    weight = np.where(src >= 0, w - match_w[arcs_a], w)
    keep = src != arcs_m
    src, dst, weight = src[keep], arcs_m[keep], weight[keep]
    v = np.zeros(n_m, dtype=np.int64)
    root = src < 0
    np.maximum.at(v, dst[root], weight[root])
    src, dst, weight = src[~root], dst[~root], weight[~root]
    order = np.argsort(dst, kind="stable")
    src, dst, weight = src[order], dst[order], weight[order]
    heads, starts = np.unique(dst, return_index=True)
    for _ in range(n_m + 1):
        if len(dst) == 0:
            break
        relaxed = np.maximum.reduceat(v[src] + weight, starts) if len(starts) else starts
        new = np.maximum(v[heads], relaxed)
        if np.array_equal(new, v[heads]):
            break
        v[heads] = new
    else:
        raise RuntimeError("assignment is not optimal (positive alternating cycle)")
    u = np.where(match_m >= 0, match_w - v[np.maximum(match_m, 0)], 0)
    load = np.bincount(arcs_m[chosen], minlength=n_m)
    # Verify the certificate rather than trust it.
    if (u < 0).any() or (u[arcs_a] + v[arcs_m] < w).any():
        raise RuntimeError("dual infeasible: the flow solution is not optimal")
    if (v[load < caps] != 0).any() or int(u.sum() + (caps * v).sum()) != int(w[chosen].sum()):
        raise RuntimeError("duality gap: the flow solution is not optimal")
    return u, v

"""rotations(mentees, mentors, rounds, seats, policy) -> a speed-mentoring `Schedule`.

In each round each mentor meets at most `seats` mentees and each mentee at most one mentor.
Priorities, lexicographic and exact (not greedy round by round):

1. no mentee meets the same mentor twice;
2. the most meetings in total;
3. sit-outs spread as evenly as possible: minimise sum over mentees of sit_outs^2;
4. the highest total relevance (pair scores quantised by ROTATION_QUANTUM = 1e-4).

Method: a set of distinct pairs in which each mentee has degree <= rounds and each mentor
degree <= rounds * seats can always be split into `rounds` valid rounds (split each mentor
into `seats` copies of degree <= rounds; a bipartite graph of maximum degree R is
R-edge-colourable, König). So we choose the pair set by a max-flow-min-cost problem
(source -> mentee by `rounds` unit arcs with convex costs W * -(2R - 2t + 1), the marginal
change of the squared sit-outs, mentee -> mentor unit arcs costing -q, mentor -> sink with
capacity rounds * seats; W exceeds the relevance of any residual cycle, see `_choose_pairs`)
and then edge-colour the pairs into rounds greedily, repairing with alternating-path (Kempe
chain) recolouring only when the mentee and the mentor share no free round (`_edge_colour`).
Everything around the flow and the colouring is vectorised; for 1,000 mentees x 200 mentors
the flow solve is most of this module's time.

Pairs obey the hard rules `exclude` and shared language; capacity, load and `min_score` are
about asks, not events, and are ignored here. Mentees are `Ask` records (their text and
topics say what they want to talk about).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import cast

import numpy as np
from ortools.graph.python import min_cost_flow

from pairup.engine.batch import AskTable, score_pairs
from pairup.engine.records import Ask, Id, Meeting, Mentor, Policy, Schedule, id_key
from pairup.engine.relevance import relevance_pairs
from pairup.engine.scoring import MentorIndex

ROTATION_QUANTUM = 1e-4


def pair_scores(
    mentees: Sequence[Ask], mentors: Sequence[Mentor], policy: Policy
) -> tuple[np.ndarray, np.ndarray, MentorIndex]:
    """Dense (mentee x mentor) exact scores and the mask of pairs allowed by the hard rules."""
    seen: set[Id] = set()
    for a in mentees:
        if a.id in seen:
            raise ValueError(f"duplicate mentee id {a.id!r}")
        seen.add(a.id)
    # Capacity and min_score are about asks, not events.
    index = MentorIndex(mentors, replace(policy, min_score=float("-inf")))
    index.open = np.ones(len(index), dtype=bool)
    n_e, n_m = len(mentees), len(index)
    scores = np.zeros((n_e, n_m))
    allowed = np.zeros((n_e, n_m), dtype=bool)
    for lo in range(0, n_e, 256):
        chunk = mentees[lo : lo + 256]
        r_rows, r_m, r_val = relevance_pairs(index, chunk)
        rows = np.repeat(np.arange(len(chunk)), n_m)
        ms = np.tile(np.arange(n_m), len(chunk))
        relv = np.zeros(len(rows))
        relv[r_rows * n_m + r_m] = r_val
        sc, ok = score_pairs(AskTable(index, chunk), rows, ms, relv)
        scores[lo : lo + len(chunk)] = sc.reshape(len(chunk), n_m)
        allowed[lo : lo + len(chunk)] = ok.reshape(len(chunk), n_m)
    return scores, allowed, index


def _edge_colour(
    left: Sequence[int], right: Sequence[int], colours: int, seats: int = 1
) -> list[int]:
    """Colour bipartite edges (left[e], right[e]) so that no left node has two edges of one
    colour and no right node more than `seats`; needs left degrees <= colours and right
    degrees <= colours * seats. Edges are coloured in the given order (deterministic).

    Each right node is split into `seats` copies of degree <= colours (König: `colours`
    colours suffice). The copy is picked when the edge is coloured: the first copy sharing a
    free colour with the left node (no recolouring), else the copy with the most free colours
    (it has one: the right node has < colours * seats edges so far), and then colours a (free
    at the left node u) and b (free at the copy v) are swapped on the path from v alternating
    a, b, a, ... It never reaches u (u misses a, and the path enters left nodes through
    a-edges), so afterwards a is free at both ends.
    """
    n_left = 1 + max(left, default=-1)
    n_copies = seats * (1 + max(right, default=-1))
    full = (1 << colours) - 1
    # Free colours as bit sets; at_*[node * colours + c] = edge coloured c at node, or -1.
    free_l, free_r = [full] * n_left, [full] * n_copies
    at_l, at_r = [-1] * (n_left * colours), [-1] * (n_copies * colours)
    copy = [-1] * len(left)
    colour = [-1] * len(left)
    for e, (u, r) in enumerate(zip(left, right, strict=True)):
        free_u = free_l[u]
        first = r * seats
        for v in range(first, first + seats):
            common = free_u & free_r[v]
            if common:
                c = (common & -common).bit_length() - 1
                break
        else:
            v = max(range(first, first + seats), key=lambda k: free_r[k].bit_count())
            if not free_u or not free_r[v]:
                raise ValueError("edge colouring: a node has more edges than colours allow")
            a = (free_u & -free_u).bit_length() - 1
            b = (free_r[v] & -free_r[v]).bit_length() - 1
            path = []
            node, c, on_right = v, a, True
            while (edge := at_r[node * colours + c] if on_right else at_l[node * colours + c]) >= 0:
                path.append(edge)
                node = left[edge] if on_right else copy[edge]
                on_right = not on_right
                c = a + b - c
            for edge in path:
                at_l[left[edge] * colours + colour[edge]] = -1
                at_r[copy[edge] * colours + colour[edge]] = -1
            for edge in path:
                colour[edge] = k = a + b - colour[edge]
                at_l[left[edge] * colours + k] = edge
                at_r[copy[edge] * colours + k] = edge
            # Only the path's two ends change which of a, b they miss.
            swap = (1 << a) | (1 << b)
            free_r[v] ^= swap
            if on_right:
                free_r[node] ^= swap
            else:
                free_l[node] ^= swap
            c = a
        colour[e], copy[e] = c, v
        free_l[u] &= ~(1 << c)
        free_r[v] &= ~(1 << c)
        at_l[u * colours + c] = e
        at_r[v * colours + c] = e
    return colour


def _choose_pairs(
    q: np.ndarray, ei: np.ndarray, mi: np.ndarray, n_e: int, n_m: int, rounds: int, seats: int
) -> np.ndarray:
    """Mask of the allowed pairs (ei, mi), with quantised relevance q, chosen by the min-cost
    maximum flow of the module docstring.

    The flow is maximum by construction (priority 2). W exceeds the relevance part of any
    simple cycle of a residual network: such a cycle visits each mentor (and each mentee) at
    most once, so it has at most 2 * min(n_e, n_m) pair arcs, each worth at most max|q|. So
    every residual cycle of a min-cost flow is lexicographically >= 0 in (sum of sit_outs^2,
    -relevance), and so is the difference to any other maximum flow, a sum of such cycles.
    (A smaller W than the total-relevance bound means fewer cost-scaling phases.)
    """
    weight = 2 * min(n_e, n_m) * int(np.abs(q).max()) + 1
    source, sink = n_e + n_m, n_e + n_m + 1
    smcf = min_cost_flow.SimpleMinCostFlow()
    # Mentee i's t-th meeting lowers sit_outs^2 by 2R - 2t + 1 (convex: used in order).
    t = np.arange(1, rounds + 1, dtype=np.int64)
    smcf.add_arcs_with_capacity_and_unit_cost(
        np.full(n_e * rounds, source, dtype=np.int64),
        np.repeat(np.arange(n_e, dtype=np.int64), rounds),
        np.ones(n_e * rounds, dtype=np.int64),
        np.tile(-(2 * rounds - 2 * t + 1) * weight, n_e),
    )
    first_pair = smcf.num_arcs()
    smcf.add_arcs_with_capacity_and_unit_cost(
        ei.astype(np.int64, copy=False),
        n_e + mi.astype(np.int64, copy=False),
        np.ones(len(ei), dtype=np.int64),
        -q,
    )
    smcf.add_arcs_with_capacity_and_unit_cost(
        n_e + np.arange(n_m, dtype=np.int64),
        np.full(n_m, sink, dtype=np.int64),
        np.full(n_m, rounds * seats, dtype=np.int64),
        np.zeros(n_m, dtype=np.int64),
    )
    smcf.set_node_supply(source, n_e * rounds)
    smcf.set_node_supply(sink, -n_e * rounds)
    if smcf.solve_max_flow_with_min_cost() != smcf.OPTIMAL:
        raise RuntimeError("rotation flow failed")
    flows = smcf.flows(np.arange(first_pair, first_pair + len(ei), dtype=np.int64))
    return np.asarray(flows) > 0


def _id_ranks(ids: Sequence[Id]) -> np.ndarray:
    """Each id's position in id order (`id_key`)."""
    rank = np.empty(len(ids), dtype=np.int64)
    rank[sorted(range(len(ids)), key=lambda i: id_key(ids[i]))] = np.arange(len(ids))
    return rank


def _round6(values: np.ndarray) -> list[float]:
    """[round(float(v), 6) for v in values], vectorised. For |v| < 1000, v * 1e6 is within
    1e-7 of its exact value, so unless it lies within 1e-6 of a tie, NumPy's rint picks the
    same integer k as Python's exact rounding, and k / 1e6 is the same correctly rounded float.
    Near-ties, large values and nan go through Python's round."""
    scaled = values * 1e6
    out = np.rint(scaled) / 1e6
    with np.errstate(invalid="ignore"):  # inf - inf: nan, not fast
        fast = (np.abs(scaled - np.floor(scaled) - 0.5) > 1e-6) & (np.abs(values) < 1000)
    slow = np.flatnonzero(~fast)
    out[slow] = [round(float(v), 6) for v in values[slow]]
    return cast(list[float], out.tolist())


def rotations(
    mentees: Sequence[Ask],
    mentors: Sequence[Mentor],
    rounds: int,
    seats: int = 1,
    policy: Policy | None = None,
) -> Schedule:
    """The exact best schedule under the priorities in the module docstring."""
    policy = policy or Policy()
    if rounds < 1 or seats < 1:
        raise ValueError("rounds and seats must be at least 1")
    mentees, mentors = list(mentees), list(mentors)
    scores, allowed, _ = pair_scores(mentees, mentors, policy)
    n_e, n_m = len(mentees), len(mentors)
    mentee_ids, mentor_ids = [a.id for a in mentees], [m.id for m in mentors]
    e_rank = _id_ranks(mentee_ids)
    ei, mi = np.nonzero(allowed)
    e = m = c = np.zeros(0, dtype=np.int64)
    if len(ei):
        q = np.rint(scores[ei, mi] / ROTATION_QUANTUM).astype(np.int64)
        chosen = _choose_pairs(q, ei, mi, n_e, n_m, rounds, seats)
        e, m = ei[chosen], mi[chosen]
        # Colour mentor by mentor, each mentor's mentees in id order.
        by_mentor = np.lexsort((e_rank[e], m))
        e, m = e[by_mentor], m[by_mentor]
        c = np.asarray(_edge_colour(e.tolist(), m.tolist(), rounds, seats), dtype=np.int64)
    order = np.lexsort((e_rank[e], _id_ranks(mentor_ids)[m], c))
    e, m, c = e[order], m[order], c[order]
    score = _round6(scores[e, m])
    meetings = tuple(
        map(
            Meeting,
            c.tolist(),
            [mentor_ids[j] for j in m.tolist()],
            [mentee_ids[i] for i in e.tolist()],
            score,
        )
    )
    met = np.bincount(e, minlength=n_e).tolist()
    sit_outs = {x: rounds - k for x, k in zip(mentee_ids, met, strict=True)}
    return Schedule(rounds, seats, meetings, sit_outs, round(sum(score), 6))

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
capacity rounds * seats; W exceeds any relevance difference) and then edge-colour the pairs
into rounds with alternating-path (Kempe chain) recolouring.

Pairs obey the hard rules `exclude` and shared language; capacity, load and `min_score` are
about asks, not events, and are ignored here. Mentees are `Ask` records (their text and
topics say what they want to talk about).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from ortools.graph.python import min_cost_flow

from pairup.engine.batch import relevance_pairs, score_pairs
from pairup.engine.records import Ask, Id, Meeting, Mentor, Policy, Schedule, id_key
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
        sc, ok = score_pairs(index, chunk, rows, ms, relv)
        scores[lo : lo + len(chunk)] = sc.reshape(len(chunk), n_m)
        allowed[lo : lo + len(chunk)] = ok.reshape(len(chunk), n_m)
    return scores, allowed, index


def _edge_colour(edges: list[tuple[int, int]], colours: int) -> list[int]:
    """Colour bipartite edges (left, right) with `colours` colours, max degree <= colours."""
    n_left = 1 + max((u for u, _ in edges), default=-1)
    n_right = 1 + max((v for _, v in edges), default=-1)
    # at[side][node][c] = edge coloured c at that node, or -1.
    at = ([[-1] * colours for _ in range(n_left)], [[-1] * colours for _ in range(n_right)])
    colour = [-1] * len(edges)
    for e, (u, v) in enumerate(edges):
        a = at[0][u].index(-1)
        b = at[1][v].index(-1)
        if a != b and at[1][v][a] != -1:
            # Swap colours a and b on the path from v alternating a, b, ... (it never reaches
            # u: u misses a, and the path enters left nodes through a-edges).
            path = []
            side, node, c = 1, v, a
            while at[side][node][c] != -1:
                edge = at[side][node][c]
                path.append(edge)
                x, y = edges[edge]
                side, node = (0, x) if side == 1 else (1, y)
                c = b if c == a else a
            for edge in path:
                x, y = edges[edge]
                at[0][x][colour[edge]] = -1
                at[1][y][colour[edge]] = -1
            for edge in path:
                x, y = edges[edge]
                colour[edge] = b if colour[edge] == a else a
                at[0][x][colour[edge]] = edge
                at[1][y][colour[edge]] = edge
        colour[e] = a
        at[0][u][a] = e
        at[1][v][a] = e
    return colour


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
    ei, mi = np.nonzero(allowed)
    q = np.rint(scores[ei, mi] / ROTATION_QUANTUM).astype(np.int64)
    meetings: list[Meeting] = []
    if len(ei):
        span = int(q.max() - min(int(q.min()), 0)) + 1
        weight = (min(n_e * rounds, n_m * rounds * seats) + 1) * span
        source, sink = n_e + n_m, n_e + n_m + 1
        smcf = min_cost_flow.SimpleMinCostFlow()
        t = np.arange(1, rounds + 1, dtype=np.int64)
        unit_costs = -(2 * rounds - 2 * t + 1) * weight
        smcf.add_arcs_with_capacity_and_unit_cost(
            np.full(n_e * rounds, source),
            np.repeat(np.arange(n_e), rounds),
            np.ones(n_e * rounds, dtype=np.int64),
            np.tile(unit_costs, n_e),
        )
        first_pair = smcf.num_arcs()
        smcf.add_arcs_with_capacity_and_unit_cost(
            ei.astype(np.int64), n_e + mi.astype(np.int64), np.ones(len(ei), dtype=np.int64), -q
        )
        smcf.add_arcs_with_capacity_and_unit_cost(
            n_e + np.arange(n_m),
            np.full(n_m, sink),
            np.full(n_m, rounds * seats, dtype=np.int64),
            np.zeros(n_m, dtype=np.int64),
        )
        smcf.set_node_supply(source, n_e * rounds)
        smcf.set_node_supply(sink, -n_e * rounds)
        if smcf.solve_max_flow_with_min_cost() != smcf.OPTIMAL:
            raise RuntimeError("rotation flow failed")
        flows = np.asarray(smcf.flows(np.arange(first_pair, first_pair + len(ei))))
        chosen = np.flatnonzero(flows > 0)
        # Mentor copies: the k-th pair of mentor m (by mentee id) goes to copy k mod seats.
        e_rank = {
            i: r for r, i in enumerate(sorted(range(n_e), key=lambda i: id_key(mentees[i].id)))
        }
        pairs = sorted(
            ((int(mi[c]), int(ei[c])) for c in chosen), key=lambda p: (p[0], e_rank[p[1]])
        )
        edges: list[tuple[int, int]] = []
        counter: dict[int, int] = {}
        for m, e in pairs:
            k = counter.get(m, 0)
            counter[m] = k + 1
            edges.append((e, m * seats + k % seats))
        colour = _edge_colour(edges, rounds)
        for (e, copy), c in zip(edges, colour, strict=True):
            m = copy // seats
            meetings.append(Meeting(c, mentors[m].id, mentees[e].id, round(float(scores[e, m]), 6)))
    meetings.sort(key=lambda x: (x.round, id_key(x.mentor_id), id_key(x.mentee_id)))
    met: dict[Id, int] = {}
    for x in meetings:
        met[x.mentee_id] = met.get(x.mentee_id, 0) + 1
    sit_outs = {a.id: rounds - met.get(a.id, 0) for a in mentees}
    total = round(sum(x.score for x in meetings), 6)
    return Schedule(rounds, seats, tuple(meetings), sit_outs, total)

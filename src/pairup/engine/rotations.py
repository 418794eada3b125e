"""rotations(mentees, mentors, rounds, seats, policy, fixed=, met=, first_round=) -> a
speed-mentoring `Schedule`.

In each round each mentor meets at most `seats` mentees and each mentee at most one mentor.
Priorities, lexicographic (not greedy round by round):

1. no mentee meets the same mentor twice (fixed meetings and `met` pairs included);
2. the most meetings in total;
3. sit-outs spread as evenly as possible: minimise sum over mentees of sit_outs^2, sit-outs
   counted over all rounds (played ones included). Over the schedules with the most
   meetings the achievable meeting counts form an integral base polyhedron, where the
   least sum of squares is also decreasingly minimal (Frank & Murota): the largest
   sit-out count is as small, and the smallest as large, as they can be;
4. the highest total relevance (pair scores quantised by ROTATION_QUANTUM = 1e-4).

Method: a set of distinct pairs in which each mentee has degree <= rounds and each mentor
degree <= rounds * seats can always be split into `rounds` valid rounds (split each mentor
into `seats` copies of degree <= rounds; a bipartite graph of maximum degree R is
R-edge-colourable, König). So we choose the pair set by a max-flow-min-cost problem
(source -> mentee by unit arcs with convex costs W * -(2 s - 1), the marginal change of
the squared sit-outs s, mentee -> mentor unit arcs costing -q, mentor -> sink with its free
seats; W exceeds the relevance of any residual cycle, see `_choose_pairs`) and then
edge-colour the pairs into rounds greedily, repairing with alternating-path (Kempe chain)
recolouring only when the mentee and the mentor share no free round (`_edge_colour`).
Everything around the flow and the colouring is vectorised; for 1,000 mentees x 200 mentors
the flow solve is most of this module's time.

Fixed meetings and re-seating. `fixed` meetings stay exactly as given: those in rounds
< first_round are what happened (they may name people no longer listed, e.g. absent now),
those in rounds >= first_round are seats an organiser locked (of listed people). New
meetings fall in rounds >= first_round only; fixed ones count for no-repeat, seats, places
and sit-outs. A re-seat after no-shows is rotations(present mentees, present mentors,
rounds, seats, fixed=meetings of played rounds + locked seats of present people,
first_round=next round).

- Without locked seats (no fixed meeting in rounds >= first_round) every mentee has every
  remaining round free and every mentor `seats` in each, so the argument above holds with
  R - first_round colours: the result is the exact lexicographic optimum.
- With locked seats the flow still solves a relaxation (each pair sharing some free round,
  degrees within the free rounds and seats), so when the colouring places every chosen pair
  around the locks (precoloured, never recoloured) the result is again exactly optimal.
  Precoloured edges can block a Kempe swap, and then a pair may stay uncoloured: it is
  dropped and the freed places are refilled round by round (a min-cost maximum flow per
  round over the people still free, most sit-outs first, then relevance). Only then is
  the result a heuristic: valid (no repeats, seats, places), but possibly short of the
  optimum by about the pairs dropped.

Prefer current seats (`prefer`, a re-seat). The seats people have now in the rounds to
come are worth PREFER_BONUS more relevance each in the flow (a new pair that fits a round
where both are free around them, half of it), and the colouring first puts every chosen
pair that has a seat now back in its round (it is still free there: the seats people have
form a valid schedule), then colours the other pairs most constrained first, taking the
shortest Kempe chain when one is needed (every edge on it moves a meeting to another
round). Priorities 1-3 are unchanged (the bonus is part of the relevance term); only the
relevance is traded, at most PREFER_BONUS per seat kept, so a re-seat moves the people it
must (the absent people's partners, the mentees given a meeting in a round they sat out)
and few others.

Pairs obey the hard rules `exclude` and shared language; capacity, load and `min_score` are
about asks, not events, and are ignored here. Mentees are `Ask` records (their text and
topics say what they want to talk about).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import cast

import numpy as np
from ortools.graph.python import min_cost_flow

from pairup.engine.batch import AskTable, score_pairs
from pairup.engine.records import Ask, Id, Meeting, Mentor, Policy, Schedule, id_key
from pairup.engine.relevance import relevance_pairs
from pairup.engine.scoring import MentorIndex

ROTATION_QUANTUM = 1e-4
# What keeping a seat someone already has (`prefer`) is worth, in relevance (pair scores,
# about 0.4 for an average meeting): a re-seat gives up at most this much relevance per
# seat for not moving a person, and a new pair that fits a free round around the kept seats
# gets half of it. Measured in bench/events_engine.py (docs/benchmarks.md, "Event engine").
PREFER_BONUS = 0.1
# Colourings tried around locked seats before pairs are dropped (see `_colour_around`).
COLOUR_ATTEMPTS = 4

# A mentee x mentor boolean array of pairs a kind of event allows (roundtables: the topic).
PairMask = Callable[[list[Ask], list[Mentor], Policy], np.ndarray]


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
    left: Sequence[int],
    right: Sequence[int],
    colours: int,
    seats: int = 1,
    frozen: Sequence[tuple[int, int, int]] = (),
    wish: Sequence[int] = (),
) -> list[int]:
    """Colour bipartite edges (left[e], right[e]) so that no left node has two edges of one
    colour and no right node more than `seats`; needs left degrees <= colours and right
    degrees <= colours * seats (`frozen` edges included). Edges are coloured in the given
    order (deterministic). `frozen` edges (left, right, colour) come precoloured and keep
    their colour: an edge that cannot be coloured around them gets -1 (without frozen
    edges every edge is coloured). `wish[e]` (-1 for none): a colour edge e takes first
    where it is still free at both ends (a seat someone already has); such edges are
    placed before the others but are not frozen, so a later Kempe swap may still move one
    and the guarantee above is unchanged.

    Each right node is split into `seats` copies of degree <= colours (König: `colours`
    colours suffice). The copy is picked when the edge is coloured: the first copy sharing a
    free colour with the left node (no recolouring), else the copy with the most free colours
    (it has one: the right node has < colours * seats edges so far), and then colours a (free
    at the left node u) and b (free at the copy v) are swapped on the path from v alternating
    a, b, a, ... It never reaches u (u misses a, and the path enters left nodes through
    a-edges), so afterwards a is free at both ends. A path through a frozen edge may not be
    swapped: then the other colour pairs, the path from u alternating b, a, ... and the other
    copies are tried, and failing all of them the edge is left uncoloured.
    """
    n_new = len(left)
    n_left = 1 + max(max(left, default=-1), max((f[0] for f in frozen), default=-1))
    n_right = 1 + max(max(right, default=-1), max((f[1] for f in frozen), default=-1))
    n_copies = seats * n_right
    full = (1 << colours) - 1
    # Free colours as bit sets; at_*[node * colours + c] = edge coloured c at node, or -1.
    free_l, free_r = [full] * n_left, [full] * n_copies
    at_l, at_r = [-1] * (n_left * colours), [-1] * (n_copies * colours)
    # Edges n_new, n_new + 1, ... are the frozen ones.
    ends = list(left) + [f[0] for f in frozen]
    copy = [-1] * len(ends)
    colour = [-1] * len(ends)

    def place(e: int, u: int, v: int, c: int) -> None:
        colour[e], copy[e] = c, v
        free_l[u] &= ~(1 << c)
        free_r[v] &= ~(1 << c)
        at_l[u * colours + c] = e
        at_r[v * colours + c] = e

    for k, (u, r, c) in enumerate(frozen):
        bit = 1 << c
        spare = [v for v in range(r * seats, (r + 1) * seats) if free_r[v] & bit]
        if not free_l[u] & bit or not spare:
            raise ValueError("edge colouring: frozen edges overfill a node")
        place(n_new + k, u, max(spare, key=lambda v: free_r[v].bit_count()), c)

    def chain(node: int, on_right: bool, c: int, a: int, b: int) -> tuple[list[int], int, bool]:
        """The path from node alternating colours c, a + b - c, ...; [-1] if it meets a
        frozen edge."""
        path = []
        while (edge := at_r[node * colours + c] if on_right else at_l[node * colours + c]) >= 0:
            if edge >= n_new:
                return [-1], node, on_right
            path.append(edge)
            node = ends[edge] if on_right else copy[edge]
            on_right = not on_right
            c = a + b - c
        return path, node, on_right

    def swap(path: list[int], a: int, b: int, start: int, start_right: bool) -> None:
        node, on_right = start, start_right
        for edge in path:
            at_l[ends[edge] * colours + colour[edge]] = -1
            at_r[copy[edge] * colours + colour[edge]] = -1
            node, on_right = (ends[edge], False) if on_right else (copy[edge], True)
        for edge in path:
            colour[edge] = k = a + b - colour[edge]
            at_l[ends[edge] * colours + k] = edge
            at_r[copy[edge] * colours + k] = edge
        # Only the path's two ends change which of a, b they miss.
        bits = (1 << a) | (1 << b)
        for end, right_side in ((start, start_right), (node, on_right)):
            if right_side:
                free_r[end] ^= bits
            else:
                free_l[end] ^= bits

    shortest = any(c >= 0 for c in wish)

    def ones(mask: int) -> list[int]:
        return [c for c in range(colours) if mask >> c & 1]

    def repair(u: int, first: int) -> tuple[int, int]:
        """(colour, copy) for an edge from u to the right node whose copies start at first,
        after a Kempe-chain swap; (-1, -1) when frozen edges block every swap. With wishes
        (seats people have) the shortest of the possible swaps is taken, as each edge on
        the path moves a meeting to another round; otherwise the first."""
        copies = sorted(range(first, first + seats), key=lambda k: -free_r[k].bit_count())
        if not free_l[u] or not free_r[copies[0]]:
            raise ValueError("edge colouring: a node has more edges than colours allow")
        best: tuple[int, list[int], int, int, int, bool, int, int] | None = None
        for v in copies:
            if not free_r[v]:
                break
            for a in ones(free_l[u]):
                for b in ones(free_r[v]):
                    for start, right_side, c0, got in ((v, True, a, a), (u, False, b, b)):
                        path, _, _ = chain(start, right_side, c0, a, b)
                        if path[:1] == [-1]:
                            continue
                        if not shortest:
                            swap(path, a, b, start, right_side)
                            return got, v
                        if best is None or len(path) < best[0]:
                            best = (len(path), path, a, b, start, right_side, got, v)
        if best is None:
            return -1, -1
        _, path, a, b, start, right_side, got, v = best
        swap(path, a, b, start, right_side)
        return got, v

    for e, c in enumerate(wish):
        if c < 0:
            continue
        u, first, bit = left[e], right[e] * seats, 1 << c
        if free_l[u] & bit:
            spare = [v for v in range(first, first + seats) if free_r[v] & bit]
            if spare:
                place(e, u, spare[0], c)

    def options(e: int) -> int:
        """How many colours edge e could take now without a swap."""
        first = right[e] * seats
        at_r = 0
        for v in range(first, first + seats):
            at_r |= free_r[v]
        return (free_l[left[e]] & at_r).bit_count()

    order: Iterable[int] = range(n_new)
    if shortest:
        # The edges left after the wishes: the most constrained first (each one coloured
        # without a swap is a meeting moved nowhere else), re-checked as colours fill.
        order = _most_constrained_first([e for e in range(n_new) if colour[e] < 0], options)
    for e in order:
        u, r = left[e], right[e]
        if colour[e] >= 0:  # placed at its wish
            continue
        free_u = free_l[u]
        first = r * seats
        for v in range(first, first + seats):
            common = free_u & free_r[v]
            if common:
                c = (common & -common).bit_length() - 1
                break
        else:
            c, v = repair(u, first)
            if c < 0:
                continue
        place(e, u, v, c)
    return colour[:n_new]


def _most_constrained_first(edges: list[int], options: Callable[[int], int]) -> Iterator[int]:
    """`edges`, the one with the fewest `options` first, the count re-read when an edge
    comes up (a lazy heap: counts only fall as edges are coloured, except after a swap)."""
    heap = [(options(e), e) for e in edges]
    heapq.heapify(heap)
    while heap:
        k, e = heapq.heappop(heap)
        now = options(e)
        if now != k and heap and (now, e) > heap[0]:
            heapq.heappush(heap, (now, e))
            continue
        yield e


def _choose_pairs(
    q: np.ndarray,
    ei: np.ndarray,
    mi: np.ndarray,
    need: np.ndarray,
    played: np.ndarray,
    rounds: int,
    caps: np.ndarray,
) -> np.ndarray:
    """Mask of the allowed pairs (ei, mi), with quantised relevance q, chosen by the min-cost
    maximum flow of the module docstring: mentee i may take need[i] more meetings on top of
    the played[i] it has, mentor j caps[j] more.

    The flow is maximum by construction (priority 2). W exceeds the relevance part of any
    simple cycle of a residual network: such a cycle visits each mentor (and each mentee) at
    most once, so it has at most 2 * min(n_e, n_m) pair arcs, each worth at most max|q|. So
    every residual cycle of a min-cost flow is lexicographically >= 0 in (sum of sit_outs^2,
    -relevance), and so is the difference to any other maximum flow, a sum of such cycles.
    (A smaller W than the total-relevance bound means fewer cost-scaling phases.)
    """
    n_e, n_m = len(need), len(caps)
    weight = 2 * min(n_e, n_m) * int(np.abs(q).max()) + 1
    source, sink = n_e + n_m, n_e + n_m + 1
    smcf = min_cost_flow.SimpleMinCostFlow()
    # Mentee i's t-th new meeting lowers its sit_outs^2 by 2 (R - played) - 2t + 1 (convex:
    # used in order).
    need = need.astype(np.int64)
    owner = np.repeat(np.arange(n_e, dtype=np.int64), need)
    t = np.arange(len(owner), dtype=np.int64) - np.repeat(np.cumsum(need) - need, need) + 1
    smcf.add_arcs_with_capacity_and_unit_cost(
        np.full(len(owner), source, dtype=np.int64),
        owner,
        np.ones(len(owner), dtype=np.int64),
        -(2 * (rounds - played[owner].astype(np.int64)) - 2 * t + 1) * weight,
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
        caps.astype(np.int64),
        np.zeros(n_m, dtype=np.int64),
    )
    smcf.set_node_supply(source, len(owner))
    smcf.set_node_supply(sink, -len(owner))
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
    *,
    fixed: Sequence[Meeting] = (),
    met: Collection[tuple[Id, Id]] = (),
    first_round: int = 0,
    prefer: Sequence[Meeting] = (),
    prefer_bonus: float = PREFER_BONUS,
) -> Schedule:
    """The best schedule under the priorities in the module docstring: exact without locked
    seats, see "Fixed meetings" there for what is exact with them.

    `fixed`: meetings kept exactly as given (rounds < first_round: what happened, possibly
    with people no longer listed; rounds >= first_round: locked seats of listed people).
    `met`: (mentor_id, mentee_id) pairs that may not meet. New meetings fall in rounds
    >= first_round only. `prefer`: the seats people have now (a re-seat: the published
    schedule's rounds to come); each such pair is worth `prefer_bonus` more relevance and
    is placed in its own round where that is still free, so a re-seat moves only the
    people it must (see "Prefer current seats" in the module docstring). Raises ValueError
    naming a fixed meeting that repeats a pair, gives a mentee two seats in a round or a
    mentor more than `seats`.
    """
    return schedule_rounds(
        mentees,
        mentors,
        rounds,
        seats,
        policy,
        fixed=fixed,
        met=met,
        first_round=first_round,
        prefer=prefer,
        prefer_bonus=prefer_bonus,
    )


def schedule_rounds(
    mentees: Sequence[Ask],
    mentors: Sequence[Mentor],
    rounds: int,
    seats: int,
    policy: Policy | None = None,
    *,
    fixed: Sequence[Meeting] = (),
    met: Collection[tuple[Id, Id]] = (),
    first_round: int = 0,
    mask: PairMask | None = None,
    prefer: Sequence[Meeting] = (),
    prefer_bonus: float = PREFER_BONUS,
) -> Schedule:
    """`rotations`, with `mask(mentees, mentors, policy)` (a mentee x mentor boolean array)
    narrowing the allowed pairs further (roundtables: the table topic)."""
    policy = policy or Policy()
    if rounds < 1 or seats < 1:
        raise ValueError("rounds and seats must be at least 1")
    if not 0 <= first_round <= rounds:
        raise ValueError(f"first_round must be between 0 and {rounds}")
    mentees, mentors, fixed = list(mentees), list(mentors), list(fixed)
    scores, allowed, _ = pair_scores(mentees, mentors, policy)
    if mask is not None:
        allowed &= mask(mentees, mentors, policy)
    n_e, n_m = len(mentees), len(mentors)
    mentee_ids, mentor_ids = [a.id for a in mentees], [m.id for m in mentors]
    e_of = {x: i for i, x in enumerate(mentee_ids)}
    m_of = {x: j for j, x in enumerate(mentor_ids)}
    met_pairs = {(m, e) for m, e in met}
    _check_fixed(fixed, e_of, m_of, rounds, seats, first_round, met_pairs)
    # Colour c is round first_round + c. played: fixed meetings per mentee (every round);
    # busy: the mentee's locked rounds; seat_left: each mentor's free seats per round.
    n_c = rounds - first_round
    played = np.zeros(n_e, dtype=np.int64)
    busy = np.zeros((n_e, n_c), dtype=bool)
    seat_left = np.full((n_m, n_c), seats, dtype=np.int64)
    frozen: list[tuple[int, int, int]] = []
    for x in fixed:
        i, j = e_of.get(x.mentee_id, -1), m_of.get(x.mentor_id, -1)
        if i >= 0:
            played[i] += 1
            if j >= 0:
                allowed[i, j] = False
        if x.round >= first_round:  # a lock: both are listed (checked)
            busy[i, x.round - first_round] = True
            seat_left[j, x.round - first_round] -= 1
            frozen.append((i, j, x.round - first_round))
    for m_id, e_id in met_pairs:
        if e_id in e_of and m_id in m_of:
            allowed[e_of[e_id], m_of[m_id]] = False
    # wish[i, j]: the colour of the seat the pair has now (`prefer`), else -1.
    wish: np.ndarray | None = None
    for x in prefer:
        i, j = e_of.get(x.mentee_id, -1), m_of.get(x.mentor_id, -1)
        if i >= 0 and j >= 0 and x.round >= first_round:
            if wish is None:
                wish = np.full((n_e, n_m), -1, dtype=np.int64)
            wish[i, j] = x.round - first_round
    e_rank = _id_ranks(mentee_ids)
    ei, mi = np.nonzero(allowed)
    if frozen and len(ei):
        # Only pairs with a round where both are free can ever meet.
        both = (~busy[ei] & (seat_left[mi] > 0)).any(axis=1)
        ei, mi = ei[both], mi[both]
    e = m = c = np.zeros(0, dtype=np.int64)
    need = n_c - busy.sum(axis=1)
    if len(ei) and n_c:
        q = np.rint(scores[ei, mi] / ROTATION_QUANTUM).astype(np.int64)
        if wish is not None:
            q += _prefer_bonus(wish, ei, mi, busy, seat_left, prefer_bonus)
        chosen = _choose_pairs(q, ei, mi, need, played, rounds, seat_left.sum(axis=1))
        e, m = ei[chosen], mi[chosen]
        if not frozen:
            # Colour mentor by mentor, each mentor's mentees in id order.
            by_mentor = np.lexsort((e_rank[e], m))
            e, m = e[by_mentor], m[by_mentor]
            wished = wish[e, m].tolist() if wish is not None else ()
            c = np.asarray(
                _edge_colour(e.tolist(), m.tolist(), n_c, seats, wish=wished), dtype=np.int64
            )
        else:
            # The people with locks first: their free rounds are scarcer.
            e_locked = np.asarray(busy.any(axis=1))
            m_locked = np.asarray((seat_left < seats).any(axis=1))
            tied = e_locked[e] | m_locked[m]
            order = np.lexsort((e_rank[e], m, ~tied))
            e, m = e[order], m[order]
            e, m, c = _colour_around(e, m, n_c, seats, frozen, wish)
            kept = c >= 0
            if not kept.all():
                e, m, c = _refill(
                    e[kept], m[kept], c[kept], allowed, scores, busy, seat_left, played, rounds
                )
    order = np.lexsort((e_rank[e], _id_ranks(mentor_ids)[m], c))
    e, m, c = e[order], m[order], c[order]
    score = _round6(scores[e, m])
    meetings = tuple(
        map(
            Meeting,
            (c + first_round).tolist(),
            [mentor_ids[j] for j in m.tolist()],
            [mentee_ids[i] for i in e.tolist()],
            score,
        )
    )
    if fixed:
        meetings = tuple(
            sorted(
                (*fixed, *meetings),
                key=lambda x: (x.round, id_key(x.mentor_id), id_key(x.mentee_id)),
            )
        )
    count = (np.bincount(e, minlength=n_e) + played).tolist()
    sit_outs = {x: rounds - k for x, k in zip(mentee_ids, count, strict=True)}
    total = round(sum(x.score for x in fixed) + sum(score), 6)
    return Schedule(rounds, seats, meetings, sit_outs, total)


def _prefer_bonus(
    wish: np.ndarray,
    ei: np.ndarray,
    mi: np.ndarray,
    busy: np.ndarray,
    seat_left: np.ndarray,
    bonus: float,
) -> np.ndarray:
    """The bonus of each pair (ei, mi) in quanta: `bonus` for a seat the pair has now (a
    wish), half of it for a new pair that fits a round where both are free around the seats
    people have now (it moves nobody else: a mentee who sat out there fills a seat left
    free by someone absent)."""
    keep = wish[ei, mi] >= 0
    i_w, j_w = np.nonzero(wish >= 0)
    c_w = wish[i_w, j_w]
    taken = busy.copy()
    taken[i_w, c_w] = True
    left = seat_left.copy()
    np.subtract.at(left, (j_w, c_w), 1)
    fits = (~taken[ei] & (left[mi] > 0)).any(axis=1) & ~keep
    quanta = round(bonus / ROTATION_QUANTUM)
    return cast(np.ndarray, keep * quanta + fits * (quanta // 2))


def _check_fixed(
    fixed: Sequence[Meeting],
    e_of: dict[Id, int],
    m_of: dict[Id, int],
    rounds: int,
    seats: int,
    first_round: int,
    met: set[tuple[Id, Id]],
) -> None:
    """Raise ValueError naming the first fixed meeting that breaks a rule."""
    seen: dict[tuple[Id, Id], int] = {}
    places: set[tuple[Id, int]] = set()
    load: dict[tuple[Id, int], int] = {}
    for x in fixed:
        kind = "locked seat" if x.round >= first_round else "fixed meeting"
        name = f"{kind} (round {x.round}, mentor {x.mentor_id!r}, mentee {x.mentee_id!r})"
        if not 0 <= x.round < rounds:
            raise ValueError(f"{name}: the round is not between 0 and {rounds - 1}")
        pair = (x.mentor_id, x.mentee_id)
        if x.round >= first_round:
            if x.mentee_id not in e_of:
                raise ValueError(f"{name}: the mentee is not among the mentees")
            if x.mentor_id not in m_of:
                raise ValueError(f"{name}: the mentor is not among the mentors")
            if pair in met:
                raise ValueError(f"{name}: repeats a pair that already met")
        if pair in seen:
            raise ValueError(f"{name}: repeats the pair's meeting in round {seen[pair]}")
        seen[pair] = x.round
        if (x.mentee_id, x.round) in places:
            raise ValueError(f"{name}: the mentee already has a seat in round {x.round}")
        places.add((x.mentee_id, x.round))
        load[x.mentor_id, x.round] = k = load.get((x.mentor_id, x.round), 0) + 1
        if k > seats:
            raise ValueError(f"{name}: the mentor would have more than {seats} seat(s)")


def _colour_around(
    e: np.ndarray,
    m: np.ndarray,
    colours: int,
    seats: int,
    frozen: list[tuple[int, int, int]],
    wish: np.ndarray | None = None,
    attempts: int = COLOUR_ATTEMPTS,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Colour the pairs (e, m) around the frozen ones (each at its `wish` colour first where
    it is free); when some stay uncoloured, colour again with every pair dropped so far
    first (they are the hard ones), up to `attempts` times, keeping the colouring that
    drops the fewest (-1 = dropped)."""
    best: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    hard = np.zeros(len(e), dtype=bool)
    for _ in range(attempts):
        wished = wish[e, m].tolist() if wish is not None else ()
        c = np.asarray(
            _edge_colour(e.tolist(), m.tolist(), colours, seats, frozen, wished), np.int64
        )
        if best is None or (c < 0).sum() < (best[2] < 0).sum():
            best = (e, m, c)
        if (c >= 0).all():
            break
        hard |= c < 0
        order = np.argsort(~hard, kind="stable")
        e, m, hard = e[order], m[order], hard[order]
    assert best is not None
    return best


def _refill(
    e: np.ndarray,
    m: np.ndarray,
    c: np.ndarray,
    allowed: np.ndarray,
    scores: np.ndarray,
    busy: np.ndarray,
    seat_left: np.ndarray,
    played: np.ndarray,
    rounds: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """After pairs the colouring could not place around locks were dropped: round by round,
    the most new pairs of people free in that round, the mentees with the most sit-outs
    first, then relevance (a min-cost maximum flow per round; a heuristic)."""
    n_e, n_m = allowed.shape
    open_pairs = allowed.copy()
    open_pairs[e, m] = False
    busy = busy.copy()
    busy[e, c] = True
    seat_left = seat_left.copy()
    np.subtract.at(seat_left, (m, c), 1)
    sit = rounds - played - np.bincount(e, minlength=n_e)
    parts_e, parts_m, parts_c = [e], [m], [c]
    for col in range(busy.shape[1]):
        free_e = np.flatnonzero(~busy[:, col])
        free_m = np.flatnonzero(seat_left[:, col] > 0)
        sub = open_pairs[np.ix_(free_e, free_m)]
        pi, pj = np.nonzero(sub)
        if not len(pi):
            continue
        ge, gm = free_e[pi], free_m[pj]
        q = np.rint(scores[ge, gm] / ROTATION_QUANTUM).astype(np.int64)
        weight = 2 * min(len(free_e), len(free_m)) * int(np.abs(q).max()) + 1
        cost = -((2 * sit[ge] - 1) * weight + q)
        k_e, k_m = len(free_e), len(free_m)
        sink = k_e + k_m
        smcf = min_cost_flow.SimpleMinCostFlow()
        smcf.add_arcs_with_capacity_and_unit_cost(
            pi.astype(np.int64), k_e + pj.astype(np.int64), np.ones(len(pi), np.int64), cost
        )
        smcf.add_arcs_with_capacity_and_unit_cost(
            k_e + np.arange(k_m, dtype=np.int64),
            np.full(k_m, sink, dtype=np.int64),
            seat_left[free_m, col],
            np.zeros(k_m, dtype=np.int64),
        )
        supplies = np.zeros(sink + 1, dtype=np.int64)
        supplies[:k_e] = 1
        supplies[sink] = -k_e
        smcf.set_nodes_supplies(np.arange(sink + 1), supplies)
        if smcf.solve_max_flow_with_min_cost() != smcf.OPTIMAL:
            raise RuntimeError("rotation refill flow failed")
        take = np.asarray(smcf.flows(np.arange(len(pi)))) > 0
        ne, nm = ge[take], gm[take]
        open_pairs[ne, nm] = False
        seat_left[nm, col] -= 1
        sit[ne] -= 1
        parts_e.append(ne)
        parts_m.append(nm)
        parts_c.append(np.full(len(ne), col, dtype=np.int64))
    return np.concatenate(parts_e), np.concatenate(parts_m), np.concatenate(parts_c)

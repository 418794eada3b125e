"""tables(mentees, mentors, table_size, policy) -> roundtables (`TablePlan`).

Each mentor with at least one topic hosts one table on their *table topic*: their
highest-level topic (ties: the first listed). A mentee may sit at a mentor's table only when
one of the mentee's topics shares that topic: the same path, or one path inside the other
("career" and "career/negotiating-an-offer" share; "career/a" and "career/b" do not), so
everyone at a table talks about the mentor's topic. The hard rules `exclude` and shared
language apply. Among all seatings, the engine seats the most mentees, then maximises the
total pair score (quantised by 1e-4; ties go to lower mentee ids), exactly, as a max-flow-min-cost problem
(mentee -> mentor unit arcs, mentor -> sink capacity `table_size`).

table_rounds(mentees, mentors, table_size, rounds, policy, fixed=, met=, first_round=) ->
roundtables over several rounds (`Schedule`): each mentor hosts their topic table every
round, mentees may change tables between rounds but never sit at one host's table twice.
It is `rotations` with seats = table_size on the pairs the topic rule allows (the same
priorities: the most seats filled, then sit-outs as even as possible, then relevance, and
the same exactness, with fixed meetings and locked seats).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
from ortools.graph.python import min_cost_flow

from pairup.engine.records import (
    Ask,
    Id,
    Meeting,
    Mentor,
    Policy,
    Schedule,
    Table,
    TablePlan,
    TopicLevel,
    id_key,
)
from pairup.engine.rotations import (
    PREFER_BONUS,
    ROTATION_QUANTUM,
    pair_scores,
    schedule_rounds,
)
from pairup.engine.topics import level_weight, normalise_path


def table_topic(mentor: Mentor, policy: Policy) -> tuple[str, ...]:
    best: tuple[float, int, tuple[str, ...]] | None = None
    for k, t in enumerate(mentor.topics):
        path = normalise_path(t.path)
        if path and (best is None or (-level_weight(t.level, policy), k) < best[:2]):
            best = (-level_weight(t.level, policy), k, path)
    return best[2] if best else ()


def shares(topic: tuple[str, ...], mentee_topics: tuple[TopicLevel, ...]) -> bool:
    for t in mentee_topics:
        p = normalise_path(t.path)
        n = min(len(p), len(topic))
        if n and p[:n] == topic[:n]:
            return True
    return False


def topic_mask(mentees: Sequence[Ask], mentors: Sequence[Mentor], policy: Policy) -> np.ndarray:
    """mask[i, j]: mentee i may sit at mentor j's table (mentor j has a table topic and one
    of mentee i's topics shares it)."""
    topics = [table_topic(m, policy) for m in mentors]
    mask = np.zeros((len(mentees), len(mentors)), dtype=bool)
    rows: dict[tuple[TopicLevel, ...], np.ndarray] = {}
    for i, a in enumerate(mentees):
        row = rows.get(a.topics)
        if row is None:
            row = np.array([bool(t) and shares(t, a.topics) for t in topics], dtype=bool)
            rows[a.topics] = row
        mask[i] = row
    return mask


def table_rounds(
    mentees: Sequence[Ask],
    mentors: Sequence[Mentor],
    table_size: int,
    rounds: int,
    policy: Policy | None = None,
    *,
    fixed: Sequence[Meeting] = (),
    met: Collection[tuple[Id, Id]] = (),
    first_round: int = 0,
    prefer: Sequence[Meeting] = (),
    prefer_bonus: float = PREFER_BONUS,
) -> Schedule:
    """Roundtables over `rounds` rounds (module docstring): a `Schedule` whose meetings are
    the seats (round, host, mentee) and whose `seats` is the table size. `fixed`, `met`,
    `first_round`, `prefer` and `prefer_bonus` as in `rotations`; ValueError when
    table_size or rounds is below 1."""
    if table_size < 1:
        raise ValueError("table_size must be at least 1")
    return schedule_rounds(
        mentees,
        mentors,
        rounds,
        table_size,
        policy,
        fixed=fixed,
        met=met,
        first_round=first_round,
        mask=topic_mask,
        prefer=prefer,
        prefer_bonus=prefer_bonus,
    )


def tables(
    mentees: Sequence[Ask],
    mentors: Sequence[Mentor],
    table_size: int,
    policy: Policy | None = None,
) -> TablePlan:
    """Seat mentees at topic tables: most seated first, then the highest total score."""
    policy = policy or Policy()
    if table_size < 1:
        raise ValueError("table_size must be at least 1")
    mentees, mentors = list(mentees), list(mentors)
    scores, allowed, _ = pair_scores(mentees, mentors, policy)
    topics = [table_topic(m, policy) for m in mentors]
    allowed &= topic_mask(mentees, mentors, policy)
    ei, mi = np.nonzero(allowed)
    seated: dict[int, list[int]] = {}
    if len(ei):
        n_e, n_m = len(mentees), len(mentors)
        q = np.rint(scores[ei, mi] / ROTATION_QUANTUM).astype(np.int64)
        # Ties go to lower mentee ids: a tie-break term smaller than one quantum in total.
        order = sorted(range(n_e), key=lambda i: id_key(mentees[i].id))
        rank = np.empty(n_e, dtype=np.int64)
        rank[order] = np.arange(n_e)
        q = q * (n_e * n_e + 1) + (n_e - rank[ei])
        sink = n_e + n_m
        smcf = min_cost_flow.SimpleMinCostFlow()
        smcf.add_arcs_with_capacity_and_unit_cost(
            ei.astype(np.int64), n_e + mi.astype(np.int64), np.ones(len(ei), dtype=np.int64), -q
        )
        smcf.add_arcs_with_capacity_and_unit_cost(
            n_e + np.arange(n_m),
            np.full(n_m, sink),
            np.full(n_m, table_size, dtype=np.int64),
            np.zeros(n_m, dtype=np.int64),
        )
        supplies = np.zeros(sink + 1, dtype=np.int64)
        supplies[:n_e] = 1
        supplies[sink] = -n_e
        smcf.set_nodes_supplies(np.arange(sink + 1), supplies)
        if smcf.solve_max_flow_with_min_cost() != smcf.OPTIMAL:
            raise RuntimeError("tables flow failed")
        flows = np.asarray(smcf.flows(np.arange(len(ei))))
        for c in np.flatnonzero(flows > 0):
            seated.setdefault(int(mi[c]), []).append(int(ei[c]))
    out = []
    seated_ids: set[Id] = set()
    for j in sorted(seated, key=lambda j: id_key(mentors[j].id)):
        guests = sorted(seated[j], key=lambda i: id_key(mentees[i].id))
        seated_ids.update(mentees[i].id for i in guests)
        score = round(float(sum(scores[i, j] for i in guests)), 6)
        out.append(
            Table(mentors[j].id, tuple(mentees[i].id for i in guests), score, "/".join(topics[j]))
        )
    unseated = tuple(sorted((a.id for a in mentees if a.id not in seated_ids), key=id_key))
    return TablePlan(tuple(out), unseated, round(sum(t.score for t in out), 6))

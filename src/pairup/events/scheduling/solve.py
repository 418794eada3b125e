"""The engine's schedule of an event, on its records (`records.load_event_records`).

Speed mentoring: `engine.rotations` (exact: no repeats, the most meetings, sit-outs as even as
they can be, then the best total relevance). Roundtables: `engine.tables` for one round; for
several rounds one `tables` call a round, each mentee's hosts of the rounds before in their
`exclude` (no one sits at a table twice). Every meeting's mentor and mentee are registration
ids; the figures are `figures.schedule_figures`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from pairup.engine import Meeting, rotations, tables
from pairup.engine.rotations import pair_scores
from pairup.events.models import EventKind

from .records import EventRecords, seats_per_host


@dataclass(frozen=True)
class Solution:
    meetings: tuple[Meeting, ...]
    total: float
    seconds: dict[str, float] = field(default_factory=dict)


def solve(records: EventRecords, *, fixed: Sequence[Meeting] = ()) -> Solution:
    """The engine's schedule of the event, around the `fixed` meetings (locked seats)."""
    event = records.event
    t0 = time.perf_counter()
    if event.kind == EventKind.ROUNDTABLES:
        meetings = _roundtables(records)
    else:
        schedule = rotations(
            records.mentees, records.mentors, event.rounds, seats_per_host(event), records.policy
        )
        meetings = schedule.meetings
    seconds = {"engine": time.perf_counter() - t0}
    total = round(sum(m.score for m in meetings), 6)
    return Solution(tuple(meetings), total, seconds)


def _roundtables(records: EventRecords) -> tuple[Meeting, ...]:
    event = records.event
    if not records.mentees or not records.mentors:
        return ()
    scores, _, index = pair_scores(records.mentees, records.mentors, records.policy)
    row = {a.id: i for i, a in enumerate(records.mentees)}
    met: dict[int, set[int]] = {}
    out: list[Meeting] = []
    for r in range(event.rounds):
        mentees = [
            replace(a, exclude=tuple(sorted({*map(int, a.exclude), *met.get(int(a.id), ())})))
            if met.get(int(a.id))
            else a
            for a in records.mentees
        ]
        plan = tables(mentees, records.mentors, max(1, event.table_size), records.policy)
        for table in plan.tables:
            col = index.position[table.mentor_id]
            for mentee in table.mentee_ids:
                score = round(float(scores[row[mentee], col]), 6)
                out.append(Meeting(r, table.mentor_id, mentee, score))
                met.setdefault(int(mentee), set()).add(int(table.mentor_id))
    return tuple(out)


def pair_score_row(records: EventRecords, mentee: int) -> dict[int, float]:
    """The score of `mentee` with each mentor (registration ids), as a solve scores them."""
    record = next((a for a in records.mentees if int(a.id) == mentee), None)
    if record is None or not records.mentors:
        return {}
    scores, _, _ = pair_scores([record], records.mentors, records.policy)
    return {int(m.id): round(float(s), 6) for m, s in zip(records.mentors, scores[0], strict=True)}

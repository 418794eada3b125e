"""The engine's schedule of an event, on its records (`records.load_event_records`).

Speed mentoring: `engine.rotations`; roundtables: `engine.table_rounds` (seats = the table
size, on the pairs the table-topic rule allows), one round or several. Both: no repeats, the
most meetings, sit-outs as even as they can be, then the best total relevance; exact without
locked seats. Seats an organiser locked are the engine's `fixed` meetings: kept exactly, the
rest solved around them. Every meeting's mentor and mentee are registration ids.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from pairup.engine import Meeting, Schedule, rotations, table_rounds
from pairup.engine.rotations import pair_scores
from pairup.events.models import EventKind

from .records import EventRecords, seats_per_host


@dataclass(frozen=True)
class Solution:
    schedule: Schedule
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def meetings(self) -> tuple[Meeting, ...]:
        return self.schedule.meetings

    @property
    def total(self) -> float:
        return self.schedule.total_score


def solve(records: EventRecords, *, fixed: Sequence[Meeting] = ()) -> Solution:
    """The engine's schedule of the event around the `fixed` meetings (locked seats).
    Raises ValueError (from the engine, naming the meeting) when a fixed meeting breaks a
    rule of the schedule."""
    event = records.event
    t0 = time.perf_counter()
    if event.kind == EventKind.ROUNDTABLES:
        schedule = table_rounds(
            records.mentees,
            records.mentors,
            seats_per_host(event),
            event.rounds,
            records.policy,
            fixed=fixed,
            semantic=records.semantic(),
        )
    else:
        schedule = rotations(
            records.mentees,
            records.mentors,
            event.rounds,
            seats_per_host(event),
            records.policy,
            fixed=fixed,
            semantic=records.semantic(),
        )
    return Solution(schedule, {"engine": time.perf_counter() - t0})


def pair_score_row(records: EventRecords, mentee: int) -> dict[int, float]:
    """The score of `mentee` with each mentor (registration ids), as a solve scores them."""
    record = next((a for a in records.mentees if int(a.id) == mentee), None)
    if record is None or not records.mentors:
        return {}
    scores, _, _ = pair_scores([record], records.mentors, records.policy, records.semantic())
    return {int(m.id): round(float(s), 6) for m, s in zip(records.mentors, scores[0], strict=True)}

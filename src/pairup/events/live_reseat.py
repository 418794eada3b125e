"""Re-seating the live room: the people marked absent leave the rounds to come, the late
arrivals join them, and the engine seats everyone present again for those rounds around
what already happened, with no one meeting anyone twice and sit-outs kept as even as
possible over the whole event (`engine.rotations` with `fixed` and `first_round`).

The rounds to come are those from `LiveNow.upcoming_round` on: the round under way is being
played and keeps its seats. Rounds played are never changed. What counts as having happened
(the engine's `fixed`): every seat of a played round between two people present now, and
every locked seat of a round to come between two people present now. A played seat with
someone now absent does not count: they most likely never came, so their partner sat that
round out, and the sit-out count gives the partner priority in the rounds to come.

Roundtables are re-seated the same way by `table_rounds` (each host's topic table taking
`table_size` mentees).
Everything is written in one transaction (the seats of the rounds to come that changed, the
room's version), so a phone sees either the old seats or the new ones.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from pairup.accounts.models import User
from pairup.core.errors import Conflict
from pairup.engine import Meeting, Schedule, rotations, table_rounds

from .live_records import EventPeople, event_records
from .live_state import live_now_of, live_state_changed
from .models import (
    Attendance,
    Event,
    EventKind,
    EventSchedule,
    EventState,
    Registration,
    RegistrationStatus,
    ScheduleState,
    Seat,
)

DELETE_CHUNK = 5000
# What the engine's records read of a registration (live_records.event_records).
RECORD_FIELDS = (
    "pk",
    "event_id",
    "user_id",
    "role",
    "seated_as",
    "languages",
    "want",
    "user__profile__id",
    "user__profile__user_id",
    "user__profile__display_name",
    "user__profile__headline",
    "user__profile__bio",
    "user__profile__site",
    "user__profile__languages",
    "user__profile__timezone",
)
SEAT_COLUMNS = ("schedule", "round", "table", "mentor", "mentee", "score", "locked")


@dataclass(frozen=True)
class Reseat:
    first_round: int  # from 0
    rounds: int
    present: int
    seats_removed: int
    seats_added: int
    # People whose partners in the rounds to come changed.
    moved: int

    @property
    def summary(self) -> str:
        span = (
            f"round {self.first_round + 1}"
            if self.first_round + 1 == self.rounds
            else f"rounds {self.first_round + 1}–{self.rounds}"
        )
        if not self.seats_removed and not self.seats_added:
            return f"Re-seated {span}: nothing had to change."
        return (
            f"Re-seated {span} for {self.present} people present: "
            f"{self.moved} {'person has' if self.moved == 1 else 'people have'} a new seat."
        )


def solve(
    event: Event, people: EventPeople, *, fixed: Sequence[Meeting] = (), first_round: int = 0
) -> Schedule:
    """The engine's schedule of `event` for `people`: `rotations` for speed mentoring,
    `table_rounds` (each host's topic table) for roundtables."""
    if event.kind == EventKind.ROUNDTABLES:
        return table_rounds(
            people.mentees,
            people.mentors,
            event.table_size,
            event.rounds,
            people.policy,
            fixed=fixed,
            first_round=first_round,
        )
    return rotations(
        people.mentees,
        people.mentors,
        event.rounds,
        event.seats_per_mentor,
        people.policy,
        fixed=fixed,
        first_round=first_round,
    )


def live_reseat(*, event: Event, by: User, now: datetime | None = None) -> Reseat:
    """Re-seat the rounds to come of `event`'s published schedule around the people marked
    absent and the late arrivals (see the module docstring).

    Refused (409) when the event has ended or has no round to come, or no published
    schedule. Side effects, in one transaction: the seats of the rounds to come that change
    are deleted and written; the room's version is bumped; the cached state is replaced
    after commit."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Event.objects.select_for_update().select_related("program").get(pk=event.pk)
        if locked.state in (EventState.ENDED, EventState.CANCELLED):
            raise Conflict("The event is over: nothing to re-seat.", code="event_over")
        first = live_now_of(locked, now).upcoming_round
        if first is None:
            raise Conflict("No round is left to re-seat.", code="no_round_left")
        schedule = (
            EventSchedule.objects.select_for_update()
            .filter(event=locked, state=ScheduleState.PUBLISHED)
            .first()
        )
        if schedule is None:
            raise Conflict("No schedule is published: publish one first.", code="no_schedule")
        present = list(
            Registration.objects.filter(event=locked, status=RegistrationStatus.REGISTERED)
            .exclude(attendance=Attendance.ABSENT)
            .select_related("user__profile")
            .only(*RECORD_FIELDS)
            .order_by("pk")
        )
        here = {r.pk for r in present}
        seats = list(
            Seat.objects.filter(schedule=schedule).values_list(
                "pk", "round", "mentor_id", "mentee_id", "table_id", "score", "locked"
            )
        )
        fixed = [
            Meeting(round_, mentor, mentee, score)
            for _, round_, mentor, mentee, _, score, is_locked in seats
            if (round_ < first or is_locked) and mentor in here and mentee in here
        ]
        people = event_records(locked, present, now)
        plan = solve(locked, people, fixed=fixed, first_round=first)
        wanted = {
            (m.round, int(m.mentor_id), int(m.mentee_id)): m.score
            for m in plan.meetings
            if m.round >= first
        }
        coming = {(r, mentor, mentee): pk for pk, r, mentor, mentee, _, _, _ in seats if r >= first}
        gone = [pk for key, pk in coming.items() if key not in wanted]
        added = [key for key in wanted if key not in coming]
        table_of = _mentor_tables(seats)
        _delete_seats(schedule.pk, first, gone, [pk for key, pk in coming.items() if key in wanted])
        _insert_seats(
            [
                (schedule.pk, r, table_of.get(mentor), mentor, mentee, wanted[(r, mentor, mentee)])
                for r, mentor, mentee in added
            ]
        )
        changed = [key for key in coming if key not in wanted] + added
        moved = {person for key in changed for person in key[1:] if person in here}
        locked.live_version += 1
        locked.save(update_fields=["live_version"])
        live_state_changed(locked)
    return Reseat(first, locked.rounds, len(present), len(gone), len(added), len(moved))


def _mentor_tables(
    seats: Sequence[tuple[int, int, int, int, int | None, float, bool]],
) -> dict[int, int]:
    """Each mentor's table: the one they sit at most often in the schedule."""
    counts: dict[int, Counter[int]] = {}
    for _, _, mentor, _, table, _, _ in seats:
        if table is not None:
            counts.setdefault(mentor, Counter())[table] += 1
    return {mentor: c.most_common(1)[0][0] for mentor, c in counts.items()}


def _delete_seats(schedule_id: int, first: int, gone: list[int], kept: list[int]) -> None:
    """Delete the seats `gone` of rounds >= `first`: named by id, or by the ids kept of
    those rounds when they are fewer (a re-seat often changes most seats).

    One plain DELETE, not the ORM's: seats are referenced by ratings, stay-in-touch answers
    and follow-ups (after the event), so the ORM would load every seat to collect them
    (thousands of model instances); but those only ever name seats of rounds played
    (`after.met.held_seats`), never of the rounds to come, and the database's foreign keys
    would refuse the delete (and the whole re-seat with it) if one did."""
    if not gone:
        return
    table = connection.ops.quote_name(Seat._meta.db_table)
    with connection.cursor() as cursor:
        if len(kept) < len(gone) and len(kept) <= DELETE_CHUNK:
            where = "schedule_id = %s AND round >= %s"
            params: list[int] = [schedule_id, first]
            if kept:
                where += f" AND id NOT IN ({', '.join(['%s'] * len(kept))})"
                params += kept
            cursor.execute(f"DELETE FROM {table} WHERE {where}", params)
            return
        for lo in range(0, len(gone), DELETE_CHUNK):
            chunk = gone[lo : lo + DELETE_CHUNK]
            cursor.execute(
                f"DELETE FROM {table} WHERE id IN ({', '.join(['%s'] * len(chunk))})", chunk
            )


def _insert_seats(rows: list[tuple[int, int, int | None, int, int, float]]) -> None:
    """Insert seats (schedule, round, table, mentor, mentee, score) at once, without a model
    instance per row (7,000 of them cost more than the engine): COPY on PostgreSQL, one
    `executemany` elsewhere (as the cohort's pairs are written)."""
    if not rows:
        return
    meta = Seat._meta
    columns = [str(getattr(meta.get_field(name), "column", name)) for name in SEAT_COLUMNS]
    quote = connection.ops.quote_name
    table = f"{quote(meta.db_table)} ({', '.join(quote(c) for c in columns)})"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row, False))
            return
        cursor.executemany(
            f"INSERT INTO {table} VALUES ({', '.join(['%s'] * len(columns))})",
            [(*row, False) for row in rows],
        )

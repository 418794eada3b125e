"""Re-seating the live room: the people marked absent leave the rounds to come, the late
arrivals join them, and the engine seats everyone present again for those rounds around
what already happened, with no one meeting anyone twice and sit-outs kept as even as
possible over the whole event (`engine.rotations` with `fixed` and `first_round`).

The rounds to come are those from `LiveNow.upcoming_round` on: the round under way is being
played and keeps its seats. Rounds played are never changed. What counts as having happened
(the engine's `fixed`): the seats held (`after.met.held_seats`, the one definition of who
met whom: every seat of a round played, whoever is absent now, so two people who met are
never seated together again, even when one of them is marked absent and comes back), and
every locked seat of a round to come between two people present now.

The people are the schedule's own records (`scheduling.records.load_event_records`: the
program's rules, each keeping the side and, for roundtables, the table topic they were
scheduled with) without those marked absent. Roundtables are re-seated the same way by
`table_rounds` (each host's topic table taking `table_size` mentees).

The engine prefers the seats people have now (`rotations(prefer=...)`: a small relevance
bonus per seat kept, each kept pair in its own round): a re-seat moves the absent people's
partners and the people given a seat they lacked, and few others.

Everything is written in one transaction (the seats of the rounds to come that changed, the
room's version, when it was re-seated: `Event.live_reseated_at`), so a phone sees either the old seats or the new ones.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from pairup.accounts.models import User
from pairup.core.errors import Conflict
from pairup.core.vectors import store_vectors
from pairup.engine import Meeting, Schedule, rotations, table_rounds

from .after.met import held_seats
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
from .scheduling.records import EventRecords, event_texts, load_event_records, seats_per_host

DELETE_CHUNK = 5000  # ids in one DELETE (SQLite; PostgreSQL takes them as one array)
SEAT_COLUMNS = ("schedule", "round", "table", "mentor", "mentee", "score", "locked")


@dataclass(frozen=True)
class Reseat:
    first_round: int  # from 0
    rounds: int
    present: int
    seats_removed: int
    seats_added: int
    # Seats kept for their mentee with someone else to meet.
    seats_changed: int
    # People whose partners in the rounds to come changed.
    moved: int

    @property
    def summary(self) -> str:
        span = (
            f"round {self.first_round + 1}"
            if self.first_round + 1 == self.rounds
            else f"rounds {self.first_round + 1}–{self.rounds}"
        )
        if not (self.seats_removed or self.seats_added or self.seats_changed):
            return f"Re-seated {span}: nothing had to change."
        return (
            f"Re-seated {span} for {self.present} people present: "
            f"{self.moved} {'person has' if self.moved == 1 else 'people have'} a new seat."
        )


def reseat_plan(
    records: EventRecords,
    absent: Collection[int],
    *,
    fixed: Sequence[Meeting] = (),
    first_round: int = 0,
    prefer: Sequence[Meeting] = (),
) -> Schedule:
    """The engine's schedule of the event's records without the registrations `absent`:
    `rotations` for speed mentoring, `table_rounds` (each host's topic table) for
    roundtables, from `first_round` on around the `fixed` meetings, keeping the seats
    people have now (`prefer`) wherever that costs little relevance."""
    event = records.event
    mentees = [a for a in records.mentees if int(a.id) not in absent]
    mentors = [m for m in records.mentors if int(m.id) not in absent]
    # The records' vectors, narrowed to the people present (nothing read or encoded again).
    everyone = records.semantic()
    semantic = everyone.subset(mentors) if everyone is not None else None
    if event.kind == EventKind.ROUNDTABLES:
        return table_rounds(
            mentees,
            mentors,
            seats_per_host(event),
            event.rounds,
            records.policy,
            fixed=fixed,
            first_round=first_round,
            prefer=prefer,
            semantic=semantic,
        )
    return rotations(
        mentees,
        mentors,
        event.rounds,
        seats_per_host(event),
        records.policy,
        fixed=fixed,
        first_round=first_round,
        prefer=prefer,
        semantic=semantic,
    )


def live_reseat(*, event: Event, by: User, now: datetime | None = None) -> Reseat:
    """Re-seat the rounds to come of `event`'s published schedule around the people marked
    absent and the late arrivals (see the module docstring).

    Refused (409) when the event has ended or has no round to come, or no published
    schedule. Side effects, in one transaction: the seats of the rounds to come that change
    are deleted and written; the room's version is bumped and `live_reseated_at` set; the
    cached state is replaced after commit."""
    now = now or timezone.now()
    # Late arrivals' texts are encoded before the event's row is locked (registering waits
    # for it); under the lock the engine only reads vectors.
    store_vectors(event_texts(event))
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
        registered = Registration.objects.filter(
            event=locked, status=RegistrationStatus.REGISTERED
        ).values_list("pk", "attendance")
        absent = {pk for pk, attendance in registered if attendance == Attendance.ABSENT}
        here = {pk for pk, _ in registered} - absent
        seats = list(
            Seat.objects.filter(schedule=schedule).values_list(
                "pk", "round", "mentor_id", "mentee_id", "table_id", "score", "locked"
            )
        )
        fixed = [
            Meeting(round_, mentor, mentee, score)
            for round_, mentor, mentee, score in held_seats(locked, now).values_list(
                "round", "mentor_id", "mentee_id", "score"
            )
        ]
        fixed += [
            Meeting(round_, mentor, mentee, score)
            for _, round_, mentor, mentee, _, score, is_locked in seats
            if round_ >= first and is_locked and mentor in here and mentee in here
        ]
        # The schedule's own records (each keeps the side they were seated on), the people
        # present only.
        records = load_event_records(locked, now, decide=False)
        # The seats people have in the rounds to come: kept where the engine can (a re-seat
        # moves only the people it must, not everyone's evening).
        current = [
            Meeting(round_, mentor, mentee, score)
            for _, round_, mentor, mentee, _, score, is_locked in seats
            if round_ >= first and not is_locked and mentor in here and mentee in here
        ]
        plan = reseat_plan(records, absent, fixed=fixed, first_round=first, prefer=current)
        # The rounds to come, as they are and as the engine wants them, by (round, mentee):
        # a mentee who keeps a place in a round but meets someone else there is one UPDATE
        # of that seat; places that end are deleted and new ones inserted.
        now_by_place = {
            (r, mentee): (pk, mentor) for pk, r, mentor, mentee, _, _, _ in seats if r >= first
        }
        new_by_place = {
            (m.round, int(m.mentee_id)): (int(m.mentor_id), m.score)
            for m in plan.meetings
            if m.round >= first
        }
        table_of = _mentor_tables(seats)
        updates = [
            (now_by_place[place][0], mentor, table_of.get(mentor), score)
            for place, (mentor, score) in new_by_place.items()
            if place in now_by_place and now_by_place[place][1] != mentor
        ]
        deletes = [pk for place, (pk, _) in now_by_place.items() if place not in new_by_place]
        inserts = [
            (schedule.pk, r, table_of.get(mentor), mentor, mentee, score)
            for (r, mentee), (mentor, score) in new_by_place.items()
            if (r, mentee) not in now_by_place
        ]
        _delete_seats(deletes)
        _update_seats(updates)
        _insert_seats(inserts)
        moved: set[int] = set()  # people whose partners in the rounds to come changed
        for place in now_by_place.keys() | new_by_place.keys():
            before, after = now_by_place.get(place), new_by_place.get(place)
            if before is not None and after is not None and before[1] == after[0]:
                continue
            moved.add(place[1])
            moved.update(x for x in (before and before[1], after and after[0]) if x)
        moved &= here
        locked.live_version += 1
        locked.live_reseated_at = now
        locked.save(update_fields=["live_version", "live_reseated_at"])
        live_state_changed(locked)
    return Reseat(
        first, locked.rounds, len(here), len(deletes), len(inserts), len(updates), len(moved)
    )


def _mentor_tables(
    seats: Sequence[tuple[int, int, int, int, int | None, float, bool]],
) -> dict[int, int]:
    """Each mentor's table: the one they sit at most often in the schedule."""
    counts: dict[int, Counter[int]] = {}
    for _, _, mentor, _, table, _, _ in seats:
        if table is not None:
            counts.setdefault(mentor, Counter())[table] += 1
    return {mentor: c.most_common(1)[0][0] for mentor, c in counts.items()}


def _delete_seats(ids: list[int]) -> None:
    """Delete seats by id with plain DELETEs, not the ORM's: seats are referenced by ratings,
    stay-in-touch answers and follow-ups (after the event), so the ORM would load every seat
    to collect them (thousands of model instances); but those only ever name seats of rounds
    played (`after.met.held_seats`), never of the rounds to come, and the database's foreign
    keys would refuse the delete (and the whole re-seat with it) if one did."""
    if not ids:
        return
    table = connection.ops.quote_name(Seat._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DELETE FROM {table} WHERE id = ANY(%s)", [ids])
            return
        for lo in range(0, len(ids), DELETE_CHUNK):
            chunk = ids[lo : lo + DELETE_CHUNK]
            cursor.execute(
                f"DELETE FROM {table} WHERE id IN ({', '.join(['%s'] * len(chunk))})", chunk
            )


def _update_seats(rows: list[tuple[int, int, int | None, float]]) -> None:
    """Give seats (id, mentor, table, score) their new mentor: on PostgreSQL one UPDATE
    from arrays, elsewhere one `executemany`."""
    if not rows:
        return
    meta = Seat._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    mentor, tab, score = (
        quote(str(getattr(meta.get_field(name), "column", name)))
        for name in ("mentor", "table", "score")
    )
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.executemany(
                f"UPDATE {table} SET {mentor} = %s, {tab} = %s, {score} = %s WHERE id = %s",
                [(m, t, sc, pk) for pk, m, t, sc in rows],
            )
            return
        # Four arrays, not thousands of placeholders (the driver parses every one).
        ids, mentors, tables, scores = (list(column) for column in zip(*rows, strict=True))
        cursor.execute(
            f"UPDATE {table} AS s SET {mentor} = v.mentor, {tab} = v.tab, {score} = v.score "
            "FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::double precision[]) "
            "AS v(id, mentor, tab, score) WHERE s.id = v.id",
            [ids, mentors, tables, scores],
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

"""Schedules of speed mentoring and roundtables: solve a draft from the registrations (around
the seats an organiser locked), move, swap and lock seats, and publish, after which everyone
registered has their agenda (page, email, .ics).

Every action checks that `by` organises the event (`rules.can_organise_event`; None is the
operator on the command line), runs in one transaction with the event's row locked, and
writes the program's audit log in it. A change an organiser makes passes every rule a solved
schedule keeps, or nothing changes and the refusal names the rule: no repeat (a mentee meets
a mentor once), capacity (seats per mentor in a round, or the table size), one place a round
(the database's constraint too), and the program's rules for the pair (`PairRules`: blocks,
pools, reporting line; a language in common; at roundtables, the table's topic among the
mentee's). Publishing is all or nothing; the emails go after commit.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from pairup.accounts.models import User
from pairup.core.errors import Conflict, Forbidden, NotFound, ServiceError
from pairup.engine import Meeting
from pairup.notifications.models import Kind
from pairup.notifications.services import notifications_withdraw, notify
from pairup.programs.audit import audit_record
from pairup.programs.queries import membership_of

from . import rules
from .agenda import agenda_text, agenda_url
from .live_state import live_state_changed
from .models import (
    Event,
    EventKind,
    EventSchedule,
    EventState,
    EventTable,
    Registration,
    RegistrationStatus,
    ScheduleState,
    Seat,
)
from .queries_schedule import build_agendas
from .scheduling.figures import schedule_figures, unmatched
from .scheduling.records import (
    MENTEE,
    MENTOR,
    EventRecords,
    load_event_records,
    refusal_words,
    seats_per_host,
)
from .scheduling.solve import Solution, pair_score_row, solve

# (stage in words, percent done): how a long solve tells the command line how far it is.
Report = Callable[[str, int], None]

SCHEDULED_KINDS = (EventKind.SPEED_MENTORING, EventKind.ROUNDTABLES)


def _quiet(stage: str, percent: int) -> None:
    return None


def _require_organiser(event: Event, by: User | None) -> None:
    if by is not None and not rules.can_organise_event(membership_of(by, event.program), by, event):
        raise Forbidden("Only the event's organisers make its schedule.")


def _require_schedulable(event: Event) -> None:
    if event.kind not in SCHEDULED_KINDS:
        raise Conflict(
            "Conference buddies are paired for the whole conference, not scheduled in rounds.",
            code="not_scheduled",
        )
    if event.state in (EventState.ENDED, EventState.CANCELLED):
        raise Conflict(
            f"This event is {event.get_state_display().lower()}: its schedule can no longer "
            "change.",
            code="event_over",
        )


def _lock_event(event: Event) -> Event:
    return Event.objects.select_for_update().select_related("program").get(pk=event.pk)


# ---------------------------------------------------------------------------- solving


def _locked_meetings(event: Event, records: EventRecords) -> list[Meeting]:
    """The draft's locked seats that still hold: both people registered, on their sides."""
    draft = EventSchedule.objects.filter(event=event, state=ScheduleState.DRAFT).first()
    if draft is None:
        return []
    mentees, mentors = set(records.mentee_ids), set(records.mentor_ids)
    return [
        Meeting(r, mentor, mentee, score)
        for r, mentor, mentee, score in Seat.objects.filter(schedule=draft, locked=True)
        .order_by("round", "mentor_id", "mentee_id")
        .values_list("round", "mentor_id", "mentee_id", "score")
        if mentor in mentors and mentee in mentees and r < event.rounds
    ]


def solve_figures(
    records: EventRecords, meetings: Sequence[Meeting], optimum: float | None
) -> dict[str, Any]:
    """The preview's figures of `meetings` on `records`, with who is left with nobody."""
    event = records.event
    figures = schedule_figures(
        meetings,
        mentee_ids=records.mentee_ids,
        mentor_ids=records.mentor_ids,
        rounds=event.rounds,
        seats=seats_per_host(event),
        optimum=optimum,
    )
    people = unmatched(records, meetings)
    figures["unmatched"] = len(people)
    figures["unmatched_people"] = people
    return figures


def event_schedule_solve(
    *,
    event: Event,
    by: User | None,
    now: datetime | None = None,
    report: Report = _quiet,
) -> EventSchedule:
    """Solve the event's schedule from its registrations and store it as the draft, replacing
    an earlier draft; the draft's locked seats stay as they are (the others are solved around
    them). Seats "either"s to balance the sides (stored on their registrations) and gives
    each mentor a table (creating the event's tables it lacks). Side effects: tables, the
    draft and its seats, the sides of "either"s, an audit entry."""
    now = now or timezone.now()
    _require_organiser(event, by)
    _require_schedulable(event)
    watch: dict[str, float] = {}
    report("Reading the registrations", 5)
    t0 = time.perf_counter()
    records = load_event_records(event, now)
    fixed = _locked_meetings(event, records)
    watch["read"] = time.perf_counter() - t0
    watch.update({f"read_{k}": v for k, v in records.seconds.items()})
    report("Finding the best schedule", 30)
    try:
        solution = solve(records, fixed=fixed)
    except ValueError as exc:
        # The engine names the seat; a lock checked when it was made can stop fitting when
        # the event's rounds or seats change.
        raise Conflict(
            f"A locked seat no longer fits the schedule ({exc}): unlock it and solve again.",
            code="locked_seat",
        ) from None
    watch.update(solution.seconds)
    optimum = solution.total
    if fixed:
        report("Finding the best schedule without the locks", 55)
        optimum = max(optimum, solve(records).total)
    report("Writing the draft", 80)
    t0 = time.perf_counter()
    figures = solve_figures(records, solution.meetings, optimum)
    watch["figures"] = time.perf_counter() - t0
    schedule = _store(event, records, solution, figures, fixed, by=by, now=now, watch=watch)
    report("Done", 100)
    return schedule


@transaction.atomic
def _store(
    event: Event,
    records: EventRecords,
    solution: Solution,
    figures: dict[str, Any],
    fixed: Sequence[Meeting],
    *,
    by: User | None,
    now: datetime,
    watch: dict[str, float],
) -> EventSchedule:
    t0 = time.perf_counter()
    event = _lock_event(event)
    _require_schedulable(event)
    old = list(EventSchedule.objects.filter(event=event, state=ScheduleState.DRAFT))
    if old:
        # No signal or cascade hangs on a seat: one DELETE, not one per seat.
        Seat.objects.filter(schedule__in=old).delete()
        EventSchedule.objects.filter(pk__in=[s.pk for s in old]).delete()
    table_of = _tables(event, records)
    locked = {(m.round, int(m.mentee_id)) for m in fixed}
    schedule = EventSchedule.objects.create(
        event=event, state=ScheduleState.DRAFT, figures=figures, created_at=now, created_by=by
    )
    _insert_seats(
        schedule.pk,
        [
            (
                m.round,
                table_of.get(int(m.mentor_id)),
                int(m.mentor_id),
                int(m.mentee_id),
                float(m.score),
                (m.round, int(m.mentee_id)) in locked,
            )
            for m in solution.meetings
        ],
    )
    for side in (MENTOR, MENTEE):
        chosen = [pk for pk, s in records.sides.items() if s == side]
        if chosen:
            Registration.objects.filter(pk__in=chosen).exclude(seated_as=side).update(
                seated_as=side
            )
    watch["write"] = time.perf_counter() - t0
    schedule.figures = {**figures, "seconds": {k: round(v, 4) for k, v in watch.items()}}
    schedule.save(update_fields=["figures"])
    audit_record(
        program=event.program,
        actor=by,
        action="event_schedule_solved",
        summary=f"Made a draft schedule of “{event.title}”: {figures['meetings']} meetings, "
        f"{figures['repeats']} repeats, sit-outs {figures['sitouts_min']}–"
        f"{figures['sitouts_max']}",
        target=schedule,
        after={k: figures[k] for k in ("meetings", "repeats", "sitouts_min", "sitouts_max")},
        now=now,
    )
    return schedule


SEAT_COLUMNS = ("schedule", "round", "table", "mentor", "mentee", "score", "locked")


def _insert_seats(
    schedule_id: int, rows: list[tuple[int, int | None, int, int, float, bool]]
) -> None:
    """Insert a schedule's seats at once, without a model instance per row (10,000 of them
    cost more than the engine's solve; see bench/events.py): COPY on PostgreSQL, one
    `executemany` elsewhere. The values are plain ints, floats and booleans."""
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
                    copy.write_row((schedule_id, *row))
            return
        cursor.executemany(
            f"INSERT INTO {table} VALUES ({', '.join(['%s'] * len(columns))})",
            [(schedule_id, *row) for row in rows],
        )


def _tables(event: Event, records: EventRecords) -> dict[int, int]:
    """Mentor registration → the id of their table, creating the tables the event lacks."""
    new = [
        EventTable(event=event, number=p.number, topic_id=p.topic_id)
        for p in records.places.values()
        if p.table_id is None
    ]
    if new:
        EventTable.objects.bulk_create(new)
    ids = dict(EventTable.objects.filter(event=event).values_list("number", "pk"))
    return {mentor: p.table_id or ids[p.number] for mentor, p in records.places.items()}


# ------------------------------------------------------------------ an organiser's changes


@dataclass(frozen=True)
class SeatChange:
    """What an organiser's change did: the seats now (moved or locked), and the change of
    the schedule's total relevance (negative: it went down)."""

    schedule: EventSchedule
    seats: tuple[Seat, ...]
    relevance_change: float


def _draft(event: Event) -> EventSchedule:
    draft = (
        EventSchedule.objects.select_for_update()
        .filter(event=event, state=ScheduleState.DRAFT)
        .first()
    )
    if draft is None:
        raise Conflict(
            "There is no draft schedule to change: make one first (a published schedule "
            "changes through a new draft).",
            code="no_draft",
        )
    return draft


def _registration(records: EventRecords, pk: int, side: str, field: str) -> None:
    person = records.people.get(pk)
    if person is None:
        raise NotFound("No such registration at this event.", field=field)
    if person.side != side:
        raise ServiceError(
            f"{person.name} is seated as a {person.side} at this event, not as a {side}.",
            code="wrong_side",
            field=field,
        )


def _check_round(event: Event, round: int) -> None:
    if not 0 <= round < event.rounds:
        raise ServiceError(
            f"The event has rounds 1 to {event.rounds}.", code="no_such_round", field="round"
        )


def check_place(
    schedule: EventSchedule,
    records: EventRecords,
    *,
    round: int,
    mentee: int,
    mentor: int,
    leaving: Sequence[int] = (),
    field: str = "mentor",
) -> None:
    """Every rule for seating `mentee` with `mentor` in `round` of the schedule (registration
    ids): the pair's rules, no repeat, a free seat (not counting the seats of `leaving`:
    mentees who leave that table in this change). Raises naming the rule."""
    e, m = records.people[mentee], records.people[mentor]
    why = records.refusal(mentee, mentor)
    if why is not None:
        raise ServiceError(
            f"{e.name} cannot sit with {m.name}: {refusal_words(why)}.", code=why, field=field
        )
    elsewhere = (
        Seat.objects.filter(schedule=schedule, mentor_id=mentor, mentee_id=mentee)
        .exclude(round=round)
        .order_by("round")
        .values_list("round", flat=True)
        .first()
    )
    if elsewhere is not None:
        raise Conflict(
            f"{e.name} already meets {m.name} in round {elsewhere + 1}: nobody meets the same "
            "person twice.",
            code="repeat",
            field=field,
        )
    seats = seats_per_host(records.event)
    taken = (
        Seat.objects.filter(schedule=schedule, round=round, mentor_id=mentor)
        .exclude(mentee_id__in=[mentee, *leaving])
        .count()
    )
    if taken >= seats:
        what = "table" if records.event.kind == EventKind.ROUNDTABLES else "seats"
        raise Conflict(
            f"{m.name}'s {what} in round {round + 1} {'is' if what == 'table' else 'are'} full "
            f"({seats} mentee{'s' if seats != 1 else ''} a round): swap with someone there.",
            code="capacity",
            field=field,
        )


def _refresh_figures(schedule: EventSchedule, records: EventRecords) -> None:
    meetings = [
        Meeting(r, mentor, mentee, score)
        for r, mentor, mentee, score in Seat.objects.filter(schedule=schedule)
        .order_by()
        .values_list("round", "mentor_id", "mentee_id", "score")
    ]
    optimum = schedule.figures.get("optimum")
    figures = solve_figures(records, meetings, optimum)
    figures["seconds"] = schedule.figures.get("seconds", {})
    schedule.figures = figures
    schedule.save(update_fields=["figures"])


def _place(schedule: EventSchedule, round: int, mentee: int) -> Seat | None:
    return Seat.objects.filter(schedule=schedule, round=round, mentee_id=mentee).first()


@transaction.atomic
def event_seat_move(
    *,
    event: Event,
    round: int,
    mentee: int,
    mentor: int | None,
    by: User | None,
    now: datetime | None = None,
) -> SeatChange:
    """Seat `mentee` with `mentor` in `round` of the draft (registration ids), and lock the
    seat so a re-solve keeps it; `mentor` None: the mentee sits the round out (not a seat,
    so not kept by a re-solve). Refused naming the rule. Side effects: the draft's figures;
    an audit entry."""
    now = now or timezone.now()
    _require_organiser(event, by)
    event = _lock_event(event)
    _require_schedulable(event)
    _check_round(event, round)
    draft = _draft(event)
    records = load_event_records(event, now, decide=False)
    _registration(records, mentee, MENTEE, "mentee")
    if mentor is not None:
        _registration(records, mentor, MENTOR, "mentor")
    before = _place(draft, round, mentee)
    if before is None and mentor is None:
        return SeatChange(draft, (), 0.0)  # sits the round out already
    if mentor is not None and before is not None and before.mentor_id == mentor:
        seat = _lock(before, True)
        return SeatChange(draft, (seat,), 0.0)
    old_score = before.score if before is not None else 0.0
    seats: tuple[Seat, ...] = ()
    new_score = 0.0
    if mentor is not None:
        check_place(draft, records, round=round, mentee=mentee, mentor=mentor)
        new_score = pair_score_row(records, mentee).get(mentor, 0.0)
    if before is not None:
        before.delete()
    if mentor is not None:
        seat = Seat.objects.create(
            schedule=draft,
            round=round,
            table_id=_table_id(draft, event, records, mentor),
            mentor_id=mentor,
            mentee_id=mentee,
            score=new_score,
            locked=True,
        )
        seats = (seat,)
    change = _rounded(new_score - old_score)
    _refresh_figures(draft, records)
    e = records.people[mentee]
    to = records.people[mentor].name if mentor is not None else "sitting out"
    audit_record(
        program=event.program,
        actor=by,
        action="event_seat_changed",
        summary=f"Round {round + 1} of “{event.title}”: moved {e.name} to {to} "
        f"(relevance {change:+.3f})",
        target=draft,
        before={"round": round, "mentee": mentee, "mentor": before.mentor_id if before else None},
        after={"round": round, "mentee": mentee, "mentor": mentor},
        now=now,
    )
    return SeatChange(draft, seats, change)


def _rounded(value: float) -> float:  # `round` is a parameter's name above
    return round(value, 6)


def _table_id(
    schedule: EventSchedule, event: Event, records: EventRecords, mentor: int
) -> int | None:
    """The table a mentor sits at in the schedule (their seats say; else their place)."""
    found = (
        Seat.objects.filter(schedule=schedule, mentor_id=mentor, table__isnull=False)
        .order_by("round")
        .values_list("table_id", flat=True)
        .first()
    )
    if found is not None:
        return found
    place = records.places.get(mentor)
    if place is None:
        return None
    if place.table_id is not None:
        return place.table_id
    table, _ = EventTable.objects.get_or_create(
        event=event, number=place.number, defaults={"topic_id": place.topic_id}
    )
    return table.pk


@transaction.atomic
def event_seat_swap(
    *,
    event: Event,
    round: int,
    mentee: int,
    other: int,
    by: User | None,
    now: datetime | None = None,
) -> SeatChange:
    """Swap the places of two mentees in `round` of the draft (either may be sitting out) and
    lock both. Each new place passes every rule, or nothing changes. Side effects: the
    draft's figures; an audit entry."""
    now = now or timezone.now()
    _require_organiser(event, by)
    event = _lock_event(event)
    _require_schedulable(event)
    _check_round(event, round)
    if mentee == other:
        raise ServiceError("Choose another mentee to swap with.", code="invalid", field="other")
    draft = _draft(event)
    records = load_event_records(event, now, decide=False)
    _registration(records, mentee, MENTEE, "mentee")
    _registration(records, other, MENTEE, "other")
    a, b = _place(draft, round, mentee), _place(draft, round, other)
    if a is None and b is None:
        raise ServiceError(
            "Both sit this round out: there is nothing to swap.", code="invalid", field="other"
        )
    a_to = b.mentor_id if b is not None else None
    b_to = a.mentor_id if a is not None else None
    if a_to is not None:
        check_place(
            draft, records, round=round, mentee=mentee, mentor=a_to, leaving=[other], field="other"
        )
    if b_to is not None:
        check_place(
            draft, records, round=round, mentee=other, mentor=b_to, leaving=[mentee], field="other"
        )
    score_a = pair_score_row(records, mentee).get(a_to, 0.0) if a_to is not None else 0.0
    score_b = pair_score_row(records, other).get(b_to, 0.0) if b_to is not None else 0.0
    old = (a.score if a else 0.0) + (b.score if b else 0.0)
    tables = {s.mentor_id: s.table_id for s in (a, b) if s is not None}
    Seat.objects.filter(pk__in=[s.pk for s in (a, b) if s is not None]).delete()
    made = []
    for who, to, score in ((mentee, a_to, score_a), (other, b_to, score_b)):
        if to is not None:
            made.append(
                Seat.objects.create(
                    schedule=draft,
                    round=round,
                    table_id=tables.get(to),
                    mentor_id=to,
                    mentee_id=who,
                    score=score,
                    locked=True,
                )
            )
    change = _rounded(score_a + score_b - old)
    _refresh_figures(draft, records)
    names = records.people[mentee].name, records.people[other].name
    audit_record(
        program=event.program,
        actor=by,
        action="event_seat_changed",
        summary=f"Round {round + 1} of “{event.title}”: swapped {names[0]} and {names[1]} "
        f"(relevance {change:+.3f})",
        target=draft,
        before={"round": round, "seats": [[mentee, b_to], [other, a_to]]},
        after={"round": round, "seats": [[mentee, a_to], [other, b_to]]},
        now=now,
    )
    return SeatChange(draft, tuple(made), change)


def _lock(seat: Seat, locked: bool) -> Seat:
    if seat.locked != locked:
        seat.locked = locked
        seat.save(update_fields=["locked"])
    return seat


@transaction.atomic
def event_seat_lock(
    *,
    event: Event,
    round: int,
    mentee: int,
    locked: bool,
    by: User | None,
    now: datetime | None = None,
) -> Seat:
    """Lock a mentee's seat in a round of the draft (a re-solve keeps it), or unlock it.
    Side effects: an audit entry."""
    now = now or timezone.now()
    _require_organiser(event, by)
    event = _lock_event(event)
    _require_schedulable(event)
    _check_round(event, round)
    draft = _draft(event)
    seat = _place(draft, round, mentee)
    if seat is None:
        raise NotFound(
            f"This mentee has no seat in round {round + 1} of the draft.", field="mentee"
        )
    if seat.locked != locked:
        _lock(seat, locked)
        audit_record(
            program=event.program,
            actor=by,
            action="event_seat_locked" if locked else "event_seat_unlocked",
            summary=f"{'Locked' if locked else 'Unlocked'} a seat in round {round + 1} of "
            f"“{event.title}”",
            target=draft,
            after={"round": round, "mentee": mentee, "mentor": seat.mentor_id, "locked": locked},
            now=now,
        )
    return seat


# ------------------------------------------------------------------------- publishing


@dataclass(frozen=True)
class Published:
    schedule: EventSchedule
    notified: int


@transaction.atomic
def event_schedule_publish(
    *, event: Event, by: User | None, now: datetime | None = None
) -> Published:
    """Publish the draft, all at once: it becomes the published schedule, the one published
    before is superseded, and everyone registered is sent their agenda (a notice now, the
    email after commit). Refused, with nothing changed, when the event is not yet published
    or is over, when there is no draft, when the draft has a repeat, or when someone seated
    in it is no longer registered (solve again). Side effects: the notices and emails, an
    audit entry."""
    now = now or timezone.now()
    _require_organiser(event, by)
    event = _lock_event(event)
    _require_schedulable(event)
    if event.state == EventState.DRAFT:
        raise Conflict(
            "Publish the event first: its participants cannot see a draft event.",
            code="event_not_published",
        )
    draft = _draft(event)
    pairs = list(
        Seat.objects.filter(schedule=draft).order_by().values_list("mentor_id", "mentee_id")
    )
    if len(set(pairs)) != len(pairs):
        raise Conflict("The draft has a repeat: solve it again.", code="repeats")
    gone = list(
        Registration.objects.filter(event=event, pk__in={p for pair in pairs for p in pair})
        .exclude(status=RegistrationStatus.REGISTERED)
        .order_by("pk")
        .values_list("user__profile__display_name", flat=True)[:4]
    )
    if gone:
        who = ", ".join(gone[:3]) + (" and others" if len(gone) > 3 else "")
        raise Conflict(
            f"Nothing was published: {who} cancelled after this draft was made. Solve the "
            "schedule again.",
            code="stale_draft",
        )
    EventSchedule.objects.filter(event=event, state=ScheduleState.PUBLISHED).update(
        state=ScheduleState.SUPERSEDED
    )
    draft.state = ScheduleState.PUBLISHED
    draft.published_at = now
    draft.save(update_fields=["state", "published_at"])
    live_state_changed(event)  # the live room's phones and screen show the new seats
    agendas = build_agendas(draft)
    users = dict(Registration.objects.filter(pk__in=list(agendas)).values_list("pk", "user_id"))
    people = User.objects.in_bulk(list(users.values()))
    url = agenda_url(event)
    ref = f"event:{event.pk}:agenda"
    notifications_withdraw(ref=ref)
    for pk, agenda in agendas.items():
        notify(
            user=people[users[pk]],
            kind=Kind.EVENT_AGENDA,
            text=f"Your agenda for {event.title}: {agenda.meetings} meeting"
            f"{'s' if agenda.meetings != 1 else ''} in {event.rounds} rounds",
            url=url,
            email_body=agenda_text(agenda),
            ref=ref,
        )
    audit_record(
        program=event.program,
        actor=by,
        action="event_schedule_published",
        summary=f"Published the schedule of “{event.title}”: {len(agendas)} agendas sent",
        target=draft,
        after={"meetings": len(pairs), "agendas": len(agendas)},
        now=now,
    )
    return Published(draft, len(agendas))

"""Reads of an event's schedules: the draft and the published one, the seats of one person,
the planned time of each round, and each person's agenda (per round: where, when, and who
they meet with that person's topic and one line).

For the live room and the other parts of events:

    published_schedule(event)             # the schedule everyone was sent, or None
    seats_of(schedule, registration)      # that person's seats, by round (either side)
    round_window(event, r)                # (start, end) of round r (from 0), UTC, as planned
    agenda_for(registration)              # their `Agenda` on the published schedule
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.http import Http404

from pairup.accounts.models import User

from .models import (
    Event,
    EventKind,
    EventSchedule,
    EventTable,
    PlaceKind,
    Registration,
    RegistrationStatus,
    ScheduleState,
    Seat,
)
from .queries import EventAccess, event_access, get_event_for_organiser
from .scheduling.records import MENTOR, EventRecords, Person, people_by_id, seats_per_host
from .scheduling.solve import pair_score_row


def draft_schedule(event: Event) -> EventSchedule | None:
    return EventSchedule.objects.filter(event=event, state=ScheduleState.DRAFT).first()


def published_schedule(event: Event) -> EventSchedule | None:
    return EventSchedule.objects.filter(event=event, state=ScheduleState.PUBLISHED).first()


def awaiting_seat(registration: Registration) -> bool:
    """Whether a registered person is missing from the published schedule (they registered
    after it was published): the organisers seat them when they publish it again, or, once
    the room is live, when they re-seat the rounds to come. The one rule behind the
    registration's state on the event page and the confirmation."""
    if registration.status != RegistrationStatus.REGISTERED:
        return False
    schedule = published_schedule(registration.event)
    if schedule is None:
        return False
    return not Seat.objects.filter(
        Q(mentor=registration) | Q(mentee=registration), schedule=schedule
    ).exists()


def schedule_for_organiser(
    user: User, slug: str, state: str | None = None
) -> tuple[EventAccess, EventSchedule | None]:
    """The event (404 unless `user` organises it) and its schedule: the draft, else the
    published one; or the one in `state` ("draft" or "published")."""
    access = get_event_for_organiser(user, slug)
    if state == ScheduleState.DRAFT:
        return access, draft_schedule(access.event)
    if state == ScheduleState.PUBLISHED:
        return access, published_schedule(access.event)
    return access, draft_schedule(access.event) or published_schedule(access.event)


def seats_of(schedule: EventSchedule, registration: Registration | int) -> QuerySet[Seat]:
    """One person's seats in a schedule, as mentor or as mentee, by round."""
    pk = registration if isinstance(registration, int) else registration.pk
    return (
        Seat.objects.filter(schedule=schedule)
        .filter(Q(mentor_id=pk) | Q(mentee_id=pk))
        .select_related("table__topic")
        .order_by("round", "mentor_id", "mentee_id")
    )


def round_window(event: Event, r: int) -> tuple[datetime, datetime]:
    """When round `r` (from 0) starts and ends as planned: the rounds follow each other from
    the event's start, a break between two."""
    start = event.starts_at + timedelta(minutes=r * (event.round_minutes + event.break_minutes))
    return start, start + timedelta(minutes=event.round_minutes)


def own_registration(user: User, event: Event) -> Registration | None:
    if not user.is_authenticated:
        return None
    return Registration.objects.filter(
        event=event, user=user, status=RegistrationStatus.REGISTERED
    ).first()


# ---------------------------------------------------------------------------- agendas


@dataclass(frozen=True)
class AgendaMeeting:
    """Someone a person meets in a round: who, their topic and their one line."""

    person: Person
    topic: str
    line: str


@dataclass(frozen=True)
class AgendaRound:
    round: int  # from 0
    starts_at: datetime
    ends_at: datetime
    table: EventTable | None
    where: str  # the room or the table, in words ("" online)
    video_url: str
    meets: tuple[AgendaMeeting, ...]  # nobody: they sit this round out

    @property
    def number(self) -> int:
        return self.round + 1


@dataclass(frozen=True)
class Agenda:
    event: Event
    schedule: EventSchedule
    person: Person
    rounds: tuple[AgendaRound, ...]

    @property
    def side(self) -> str:
        return self.person.side

    @property
    def meetings(self) -> int:
        return sum(1 for r in self.rounds if r.meets)


def _topic_and_line(other: Person, table: EventTable | None, kind: str) -> tuple[str, str]:
    """What the person met is there for: a host's table topic (roundtables) or the topics
    they registered for; their one line ("what I want from this", else their headline)."""
    if kind == EventKind.ROUNDTABLES and other.side == MENTOR and table and table.topic:
        topic = table.topic.name
    else:
        topic = ", ".join(name for _, name in other.topics[:3])
    line = other.want or (other.headline if other.side == MENTOR else "")
    return topic, line


def _where(event: Event, table: EventTable | None) -> tuple[str, str]:
    """(the place in words, the video link) of a table at the event."""
    video = (table.video_url if table else "") or event.video_url
    if event.place_kind == PlaceKind.ONLINE:
        return (str(table) if table else "", video)
    room = event.place
    if table is None:
        return room, ""
    return (f"{table}, {room}" if room else str(table)), ""


def build_agendas(
    schedule: EventSchedule, registrations: list[int] | None = None
) -> dict[int, Agenda]:
    """The agenda of each registered person of the schedule's event (or of `registrations`),
    in a fixed number of queries: registration id → `Agenda`. Everyone the schedule took in
    has one (someone left with nobody sits out every round); someone who registered after
    it was made has none."""
    event = schedule.event
    wanted = Registration.objects.filter(event=event, status=RegistrationStatus.REGISTERED)
    if registrations is not None:
        wanted = wanted.filter(pk__in=registrations)
    ids = list(wanted.values_list("pk", flat=True))
    seats = Seat.objects.filter(schedule=schedule).select_related("table__topic")
    if registrations is not None:
        seats = seats.filter(Q(mentor_id__in=ids) | Q(mentee_id__in=ids))
    seats_list = list(seats.order_by("round", "mentor_id", "mentee_id"))
    others = {s.mentor_id for s in seats_list} | {s.mentee_id for s in seats_list} | set(ids)
    people = people_by_id(event, others)
    mine: dict[int, dict[int, list[Seat]]] = {pk: {} for pk in ids}
    for s in seats_list:
        for pk in (s.mentor_id, s.mentee_id):
            if pk in mine:
                mine[pk].setdefault(s.round, []).append(s)
    # Registered since the schedule was made: not in it (no agenda yet, not "sits out").
    in_schedule = {s.mentor_id for s in seats_list} | {s.mentee_id for s in seats_list}
    in_schedule |= {int(i["registration"]) for i in schedule.figures.get("unmatched_people", [])}
    out = {}
    for pk in ids:
        if pk not in in_schedule:
            continue
        person = people[pk]
        rounds = []
        for r in range(event.rounds):
            start, end = round_window(event, r)
            here = mine[pk].get(r, [])
            table = here[0].table if here else None
            meets = []
            for s in here:
                other = people[s.mentee_id if s.mentor_id == pk else s.mentor_id]
                topic, line = _topic_and_line(other, s.table, event.kind)
                meets.append(AgendaMeeting(other, topic, line))
            where, video = _where(event, table) if here else ("", "")
            rounds.append(AgendaRound(r, start, end, table, where, video, tuple(meets)))
        out[pk] = Agenda(event, schedule, person, tuple(rounds))
    return out


def agenda_for(registration: Registration) -> Agenda | None:
    """The person's agenda on the event's published schedule (None: nothing published, or
    they are no longer registered)."""
    if registration.status != RegistrationStatus.REGISTERED:
        return None
    schedule = published_schedule(registration.event)
    if schedule is None:
        return None
    return build_agendas(schedule, [registration.pk]).get(registration.pk)


def get_own_agenda(user: User, slug: str) -> tuple[EventAccess, Registration | None, Agenda | None]:
    """The event (404 when `user` may not see it), their registration and their agenda on
    the published schedule: only ever their own."""
    access = event_access(user, slug)
    registration = own_registration(user, access.event)
    if registration is None:
        return access, None, None
    return access, registration, agenda_for(registration)


def require_registration(user: User, slug: str) -> tuple[EventAccess, Registration]:
    access, registration, _ = get_own_agenda(user, slug)
    if registration is None:
        raise Http404("You are not registered for this event")
    return access, registration


# ------------------------------------------------------------------------ the preview


@dataclass(frozen=True)
class GridSeat:
    mentee: Person
    locked: bool
    score: float


@dataclass(frozen=True)
class GridRow:
    """One table of the preview's grid: its host and, per round, who sits with them."""

    number: int
    table: EventTable | None
    host: Person
    rounds: tuple[tuple[GridSeat, ...], ...]

    @property
    def name(self) -> str:
        return str(self.table) if self.table is not None else f"Table {self.number}"


@dataclass(frozen=True)
class Grid:
    rows: tuple[GridRow, ...]
    sitting_out: tuple[tuple[Person, ...], ...]  # per round, the first SITTING_OUT_SHOWN
    sitting_out_count: tuple[int, ...]
    locked: int
    newcomers: int  # registered since the schedule was made: not in it
    people: dict[int, Person]  # everyone the grid names, and those left with nobody


SITTING_OUT_SHOWN = 30
UNMATCHED_SHOWN = 200


def schedule_hosts(schedule: EventSchedule) -> list[tuple[int, int | None, int]]:
    """(mentor registration, table id, table number) of every mentor of the schedule, by
    table number: the mentors seated in it, and those its figures name as left alone."""
    rows = (
        Seat.objects.filter(schedule=schedule)
        .order_by()  # no ordering columns in the DISTINCT (Seat's ordering joins)
        .values_list("mentor_id", "table_id", "table__number")
        .distinct()
    )
    hosts: dict[int, tuple[int | None, int]] = {}
    for mentor, table, number in rows:
        hosts.setdefault(mentor, (table, number or 0))
    for item in schedule.figures.get("unmatched_people", []):
        if item.get("side") == MENTOR:
            hosts.setdefault(int(item["registration"]), (None, 10**6))
    return sorted(((m, t, n) for m, (t, n) in hosts.items()), key=lambda x: (x[2], x[0]))


def schedule_grid(schedule: EventSchedule, hosts: list[tuple[int, int | None, int]]) -> Grid:
    """The preview's grid for some of the schedule's mentors (`hosts`, a page of
    `schedule_hosts`): per table and round the mentees seated; per round who sits out; in a
    fixed number of queries."""
    event = schedule.event
    mentor_ids = [m for m, _, _ in hosts]
    seats = list(
        Seat.objects.filter(schedule=schedule)
        .order_by()
        .values_list("round", "mentor_id", "mentee_id", "locked", "score")
    )
    mentees = list(
        Registration.objects.filter(event=event, status=RegistrationStatus.REGISTERED)
        .exclude(seated_as=MENTOR)
        .exclude(role=MENTOR, seated_as="")
        .values_list("pk", flat=True)
    )
    in_schedule = {s[2] for s in seats} | {
        int(item["registration"])
        for item in schedule.figures.get("unmatched_people", [])
        if item.get("side") != MENTOR
    }
    seated: list[set[int]] = [set() for _ in range(event.rounds)]
    page = set(mentor_ids)
    cells: dict[tuple[int, int], list[tuple[int, bool, float]]] = {}
    for r, mentor, mentee, locked, score in seats:
        if r < event.rounds:
            seated[r].add(mentee)
        if mentor in page:
            cells.setdefault((mentor, r), []).append((mentee, locked, score))
    out_ids = [
        [pk for pk in mentees if pk in in_schedule and pk not in seated[r]]
        for r in range(event.rounds)
    ]
    shown = {pk for ids in out_ids for pk in ids[:SITTING_OUT_SHOWN]}
    alone = {
        int(item["registration"])
        for item in schedule.figures.get("unmatched_people", [])[:UNMATCHED_SHOWN]
    }
    wanted = page | {e for cell in cells.values() for e, _, _ in cell} | shown | alone
    people = people_by_id(event, wanted)
    tables = EventTable.objects.select_related("topic").in_bulk(
        [t for _, t, _ in hosts if t is not None]
    )
    rows = []
    for mentor, table_id, number in hosts:
        rounds = tuple(
            tuple(
                GridSeat(people[e], locked, score)
                for e, locked, score in sorted(cells.get((mentor, r), []))
            )
            for r in range(event.rounds)
        )
        table = tables.get(table_id) if table_id is not None else None
        rows.append(GridRow(number if table else 0, table, people[mentor], rounds))
    return Grid(
        rows=tuple(rows),
        sitting_out=tuple(tuple(people[pk] for pk in ids[:SITTING_OUT_SHOWN]) for ids in out_ids),
        sitting_out_count=tuple(len(ids) for ids in out_ids),
        locked=sum(1 for s in seats if s[3]),
        newcomers=sum(1 for pk in mentees if pk not in in_schedule),
        people=people,
    )


# ------------------------------------------------------------- one mentee in one round


@dataclass(frozen=True)
class SeatOption:
    """A table a mentee could move to in a round: its host, how full it is, the pair's
    score, the change to the schedule's total, and why not (None: a free seat, allowed)."""

    mentor: Person
    table: str
    taken: int
    seats: int
    score: float
    change: float
    refusal: str | None
    current: bool

    @property
    def full(self) -> bool:
        return self.taken >= self.seats


def seat_options(
    schedule: EventSchedule, records: EventRecords, in_round: int, mentee: int
) -> tuple[Seat | None, list[SeatOption]]:
    """The mentee's seat in round `in_round` (None: sitting out) and every table of the schedule as
    an option for them, best score first, with the rule that refuses it if one does."""
    seats = list(
        Seat.objects.filter(schedule=schedule)
        .order_by()
        .values_list("round", "mentor_id", "mentee_id")
    )
    here = Seat.objects.filter(schedule=schedule, round=in_round, mentee_id=mentee).first()
    met = {m: r for r, m, e in seats if e == mentee and r != in_round}
    taken: dict[int, int] = {}
    for r, m, _ in seats:
        if r == in_round:
            taken[m] = taken.get(m, 0) + 1
    scores = pair_score_row(records, mentee)
    now = here.score if here is not None else 0.0
    names = {m: f"Table {p.number}" for m, p in records.places.items()}
    tables = dict(
        Seat.objects.filter(schedule=schedule, table__isnull=False)
        .order_by()
        .values_list("mentor_id", "table__name")
        .distinct()
    )
    capacity = seats_per_host(schedule.event)
    options = []
    for m in records.mentor_ids:
        current = here is not None and here.mentor_id == m
        why = records.refusal(mentee, m)
        if why is None and m in met:
            why = "repeat"
        if why is None and not current and taken.get(m, 0) >= capacity:
            why = "capacity"
        score = scores.get(m, 0.0)
        options.append(
            SeatOption(
                mentor=records.people[m],
                table=tables.get(m) or names.get(m, ""),
                taken=taken.get(m, 0),
                seats=capacity,
                score=score,
                change=round(score - now, 6) if not current else 0.0,
                refusal=why,
                current=current,
            )
        )
    options.sort(key=lambda o: (not o.current, o.refusal is not None, -o.score, o.mentor.name))
    return here, options

"""Who met whom at an event: the seats of its published schedule that were held.

The one definition, used by the re-seat (what happened: the engine's fixed meetings), the
conversations people rate, stay in touch over and follow up, and the organiser's summary:
a seat of a round already played was met, whoever is marked absent now (attendance is
today's, not each round's: someone who leaves after round 3 did meet their first three
partners), as long as both people are still registered. The rounds played: for a
speed-mentoring or roundtable event run in the live room, the rounds up to the one under
way (or the last one when it ended), as the live room's clock has it now
(`live_state.live_now_of`, the stored round lags the rounds the clock advanced); for an
event ended without the live room, every round; for conference buddies, every group of the
published schedule. Nothing is held before the event starts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet

from pairup.accounts.models import User
from pairup.core.errors import NotFound
from pairup.events.live_state import live_now_of
from pairup.events.models import (
    Event,
    EventKind,
    EventState,
    LivePhase,
    Registration,
    RegistrationStatus,
    ScheduleState,
    Seat,
)
from pairup.topics.models import Topic


def rounds_played(event: Event, now: datetime | None = None) -> int | None:
    """How many rounds, from the first, were played by `now` (None: all of them): the
    live room's round as its clock has it (the one the live room shows), not the stored
    one, which lags the rounds the clock advanced on its own."""
    if event.kind == EventKind.CONFERENCE_BUDDIES:
        return None
    state = live_now_of(event, now)
    if state.running_phase == LivePhase.WAITING:
        # Never run in the live room: held once the organiser marked it ended.
        return None if event.state == EventState.ENDED else 0
    if state.round is None:
        return 0
    return state.round + 1


def held_seats(event: Event, now: datetime | None = None) -> QuerySet[Seat]:
    """The seats of the event's published schedule that were held by `now`: every seat of
    a round played, whoever is absent now, both people still registered (see the module)."""
    return held_seats_of([event], now)


def held_seats_of(events: Iterable[Event], now: datetime | None = None) -> QuerySet[Seat]:
    """The seats held by `now` at any of `events` (see the module), in one query whatever
    their number: the events are grouped by the rounds played (at most one group per round
    count), so the filter stays short."""
    by_played: dict[int | None, list[int]] = {}
    for event in events:
        by_played.setdefault(rounds_played(event, now), []).append(event.pk)
    played_q = Q(pk__in=[])  # no events: no seats
    for played, ids in by_played.items():
        if played is None:
            played_q |= Q(schedule__event_id__in=ids)
        elif played > 0:
            played_q |= Q(schedule__event_id__in=ids, round__lt=played)
    return Seat.objects.filter(played_q).filter(
        schedule__state=ScheduleState.PUBLISHED,
        mentor__status=RegistrationStatus.REGISTERED,
        mentee__status=RegistrationStatus.REGISTERED,
    )


@dataclass(frozen=True)
class Conversation:
    """One conversation as one of its two people sees it."""

    seat: Seat
    me: Registration
    other: Registration
    # "mentor" or "mentee": the viewer's side in this conversation.
    side: str

    @property
    def other_user(self) -> User:
        return self.other.user

    @property
    def topics(self) -> list[Topic]:
        """What the conversation was about: the table's topic, else the topics the other
        person registered with."""
        if self.seat.table is not None and self.seat.table.topic is not None:
            return [self.seat.table.topic]
        return list(self.other.topics.all())


def _with_people(seats: QuerySet[Seat]) -> QuerySet[Seat]:
    ordered = Topic.objects.order_by("position", "name")
    return seats.select_related(
        "table__topic", "mentor__user__profile", "mentee__user__profile"
    ).prefetch_related(
        Prefetch("mentor__topics", queryset=ordered), Prefetch("mentee__topics", queryset=ordered)
    )


def _as_seen_by(seat: Seat, user: User) -> Conversation:
    if seat.mentor.user_id == user.pk:
        return Conversation(seat, seat.mentor, seat.mentee, "mentor")
    return Conversation(seat, seat.mentee, seat.mentor, "mentee")


def conversations_of(event: Event, user: User) -> list[Conversation]:
    """The conversations `user` held at `event`, by round, in a fixed number of queries."""
    if not user.is_authenticated:
        return []
    seats = _with_people(
        held_seats(event).filter(Q(mentor__user=user) | Q(mentee__user=user))
    ).order_by("round", "id")
    return [_as_seen_by(seat, user) for seat in seats]


def conversation_for(event: Event, user: User, seat_id: int) -> Conversation:
    """One conversation `user` held at `event`; NotFound (404) for a seat of anyone else,
    of another event, or not held (a round not played)."""
    seat = (
        _with_people(held_seats(event).filter(pk=seat_id))
        .filter(Q(mentor__user=user) | Q(mentee__user=user))
        .first()
        if user.is_authenticated
        else None
    )
    if seat is None:
        raise NotFound("No such conversation.")
    return _as_seen_by(seat, user)

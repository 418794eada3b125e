"""Schedules and agendas over /api/v1 (on the events' router). For an event's organisers:
solve a draft, read it (figures and seats), move, swap and lock seats, publish. For everyone
registered: their own agenda. Rounds count from 1 here, as people say them. Anything of
another program is 404; a change the rules refuse is 409 (repeat, capacity, state) or 422
(the program's pair rules), with the rule in `code`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404
from ninja import Schema, Status
from pydantic import Field

from pairup.accounts.http import ApiRequest
from pairup.core.api import also_returns
from pairup.core.errors import ServiceError
from pairup.core.schemas import Input, Line

from . import services_schedule as services
from .api_router import router
from .models import EventSchedule, ScheduleState, Seat
from .queries_schedule import Agenda, get_own_agenda, schedule_for_organiser

# ---------------------------------------------------------------------------- schemas


class EventSchedulePersonOut(Schema):
    registration: int
    name: str


class EventScheduleLoadOut(Schema):
    min: int
    max: int
    mean: float
    capacity: int = Field(description="Meetings a mentor could have: rounds × seats")
    counts: dict[str, int] = Field(description="Mentors with 0, 1, 2 ... meetings")


class EventScheduleUnmatchedOut(Schema):
    registration: int
    side: str = Field(description="mentor or mentee")
    reason: str


class EventScheduleFiguresOut(Schema):
    rounds: int
    seats: int = Field(description="Mentees a mentor takes at once (roundtables: table size)")
    mentees: int
    mentors: int
    meetings: int
    repeats: int = Field(description="Pairs that meet more than once: always 0")
    sitouts_min: int = Field(description="Fewest rounds a registered mentee sits out")
    sitouts_max: int = Field(description="Most rounds a registered mentee sits out")
    sitouts: dict[str, int] = Field(description="Mentees sitting out 0, 1, 2 ... rounds")
    mentor_load: EventScheduleLoadOut
    mentor_load_min: int
    mentor_load_max: int
    relevance: float = Field(description="Total pair score of the schedule")
    relevance_total: float = Field(description="The same as relevance (the engine's name)")
    optimum: float = Field(description="The engine's best total with no seat locked")
    relevance_vs_optimum: float | None = Field(
        description="relevance / optimum; null when the optimum is 0"
    )
    unmatched: int
    unmatched_people: list[EventScheduleUnmatchedOut]


class EventSeatOut(Schema):
    round: int = Field(description="From 1")
    table: int | None = Field(description="The table's number")
    table_name: str
    mentor: EventSchedulePersonOut
    mentee: EventSchedulePersonOut
    score: float
    locked: bool


class EventScheduleOut(Schema):
    id: int
    event: str
    state: str = Field(description="draft, published or superseded")
    created_at: datetime
    published_at: datetime | None
    figures: EventScheduleFiguresOut
    seats: list[EventSeatOut]


class EventScheduleMoveIn(Input):
    round: int = Field(ge=1, description="From 1")
    mentee: int = Field(description="The mentee's registration")
    mentor: int | None = Field(
        description="The mentor's registration; null: the mentee sits the round out"
    )


class EventScheduleSwapIn(Input):
    round: int = Field(ge=1, description="From 1")
    mentee: int
    other: int = Field(description="The other mentee's registration")


class EventScheduleLockIn(Input):
    round: int = Field(ge=1, description="From 1")
    mentee: int
    locked: bool = True


class EventScheduleChangeOut(Schema):
    relevance_change: float = Field(description="Change of the schedule's total relevance")
    seats: list[EventSeatOut] = Field(description="The seats the change made (locked)")
    figures: EventScheduleFiguresOut


class EventSchedulePublishOut(Schema):
    schedule: EventScheduleOut
    notified: int = Field(description="People sent their agenda")


class EventAgendaMeetingOut(Schema):
    registration: int
    name: str
    topic: str
    line: str = Field(description="Their “what I want from this”, or a mentor's headline")


class EventAgendaRoundOut(Schema):
    round: int = Field(description="From 1")
    starts_at: datetime
    ends_at: datetime
    table: int | None
    where: str
    video_url: str
    meets: list[EventAgendaMeetingOut] = Field(description="Empty: a sit-out round")


class EventAgendaOut(Schema):
    event: str
    title: str
    side: str = Field(description="mentor or mentee")
    schedule: int
    rounds: list[EventAgendaRoundOut]


# ------------------------------------------------------------------------ serialisers


def _seat_rows(seats: Any) -> list[dict[str, Any]]:
    rows = seats.order_by("round", "table__number", "mentor_id", "mentee_id").values_list(
        "round",
        "table__number",
        "table__name",
        "mentor_id",
        "mentor__user__profile__display_name",
        "mentee_id",
        "mentee__user__profile__display_name",
        "score",
        "locked",
    )
    return [
        {
            "round": r + 1,
            "table": number,
            "table_name": name or (f"Table {number}" if number else ""),
            "mentor": {"registration": mentor, "name": mname or ""},
            "mentee": {"registration": mentee, "name": ename or ""},
            "score": score,
            "locked": locked,
        }
        for r, number, name, mentor, mname, mentee, ename, score, locked in rows
    ]


def _figures(schedule: EventSchedule) -> dict[str, Any]:
    return {k: v for k, v in schedule.figures.items() if k != "seconds"}


def _schedule_out(schedule: EventSchedule) -> dict[str, Any]:
    return {
        "id": schedule.pk,
        "event": schedule.event.slug,
        "state": schedule.state,
        "created_at": schedule.created_at,
        "published_at": schedule.published_at,
        "figures": _figures(schedule),
        "seats": _seat_rows(Seat.objects.filter(schedule=schedule)),
    }


def _agenda_out(agenda: Agenda) -> dict[str, Any]:
    return {
        "event": agenda.event.slug,
        "title": agenda.event.title,
        "side": agenda.side,
        "schedule": agenda.schedule.pk,
        "rounds": [
            {
                "round": r.number,
                "starts_at": r.starts_at,
                "ends_at": r.ends_at,
                "table": r.table.number if r.table else None,
                "where": r.where,
                "video_url": r.video_url,
                "meets": [
                    {
                        "registration": m.person.registration_id,
                        "name": m.person.name,
                        "topic": m.topic,
                        "line": m.line,
                    }
                    for m in r.meets
                ],
            }
            for r in agenda.rounds
        ],
    }


# ------------------------------------------------------------------------- endpoints


@router.post(
    "/events/{slug}/schedule",
    response={201: EventScheduleOut},
    summary="Solve the event's schedule as a draft, around its locked seats (organisers)",
)
@also_returns(409)  # conference buddies, or an event that is over
def schedule_solve(request: ApiRequest, slug: Line) -> Status:
    access, _ = schedule_for_organiser(request.auth, slug)
    schedule = services.event_schedule_solve(event=access.event, by=request.auth)
    return Status(201, _schedule_out(schedule))


@router.get(
    "/events/{slug}/schedule",
    response=EventScheduleOut,
    summary="The event's draft schedule (else the published one): figures and seats (organisers)",
)
def schedule_detail(request: ApiRequest, slug: Line, state: str | None = None) -> dict[str, Any]:
    if state not in (None, ScheduleState.DRAFT, ScheduleState.PUBLISHED):
        raise ServiceError("state is draft or published.", field="state")
    _, schedule = schedule_for_organiser(request.auth, slug, state)
    if schedule is None:
        raise Http404("This event has no such schedule")
    return _schedule_out(schedule)


def _change(done: services.SeatChange) -> dict[str, Any]:
    done.schedule.refresh_from_db()
    return {
        "relevance_change": done.relevance_change,
        "seats": _seat_rows(Seat.objects.filter(pk__in=[s.pk for s in done.seats])),
        "figures": _figures(done.schedule),
    }


@router.post(
    "/events/{slug}/schedule/move",
    response=EventScheduleChangeOut,
    summary="Seat a mentee with another mentor in one round of the draft, and lock the seat "
    "(organisers)",
)
@also_returns(404, 409)  # a registration not at this event; a repeat, a full table, no draft
def schedule_move(request: ApiRequest, slug: Line, payload: EventScheduleMoveIn) -> dict[str, Any]:
    access, _ = schedule_for_organiser(request.auth, slug)
    done = services.event_seat_move(
        event=access.event,
        round=payload.round - 1,
        mentee=payload.mentee,
        mentor=payload.mentor,
        by=request.auth,
    )
    return _change(done)


@router.post(
    "/events/{slug}/schedule/swap",
    response=EventScheduleChangeOut,
    summary="Swap two mentees' places in one round of the draft, and lock both (organisers)",
)
@also_returns(404, 409)
def schedule_swap(request: ApiRequest, slug: Line, payload: EventScheduleSwapIn) -> dict[str, Any]:
    access, _ = schedule_for_organiser(request.auth, slug)
    done = services.event_seat_swap(
        event=access.event,
        round=payload.round - 1,
        mentee=payload.mentee,
        other=payload.other,
        by=request.auth,
    )
    return _change(done)


@router.post(
    "/events/{slug}/schedule/lock",
    response=EventSeatOut,
    summary="Lock (or unlock) a mentee's seat in one round of the draft: solving again keeps "
    "it (organisers)",
)
@also_returns(404, 409)
def schedule_lock(request: ApiRequest, slug: Line, payload: EventScheduleLockIn) -> dict[str, Any]:
    access, _ = schedule_for_organiser(request.auth, slug)
    seat = services.event_seat_lock(
        event=access.event,
        round=payload.round - 1,
        mentee=payload.mentee,
        locked=payload.locked,
        by=request.auth,
    )
    return _seat_rows(Seat.objects.filter(pk=seat.pk))[0]


@router.post(
    "/events/{slug}/schedule/publish",
    response=EventSchedulePublishOut,
    summary="Publish the draft: it replaces the published schedule and everyone registered "
    "is sent their agenda, all at once or not at all (organisers)",
)
@also_returns(409)  # no draft, the event not published or over, someone cancelled since
def schedule_publish(request: ApiRequest, slug: Line) -> dict[str, Any]:
    access, _ = schedule_for_organiser(request.auth, slug)
    done = services.event_schedule_publish(event=access.event, by=request.auth)
    return {"schedule": _schedule_out(done.schedule), "notified": done.notified}


@router.get(
    "/events/{slug}/agenda",
    response=EventAgendaOut,
    summary="My agenda at the event, on its published schedule: per round when, where and "
    "who I meet",
)
@also_returns(404)  # not registered, or nothing published yet
def agenda(request: ApiRequest, slug: Line) -> dict[str, Any]:
    _, registration, mine = get_own_agenda(request.auth, slug)
    if registration is None:
        raise Http404("You are not registered for this event")
    if mine is None:
        raise Http404("The schedule of this event is not published yet")
    return _agenda_out(mine)

"""The live room over /api/v1: the state document (with ETag and 304, as the pages poll
it), the organiser's controls, check-in at the door and marking people absent.

The state is for the event's organisers and its registered people (404 for anyone else,
another program's people included); the controls, check-in and marks are for organisers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Schema
from pydantic import model_validator

from pairup.accounts.http import ApiRequest
from pairup.core.errors import ServiceError
from pairup.core.schemas import Input, Line

from . import rules
from .api_router import router
from .live import live_control
from .live_checkin import CheckIn, registration_check_in, registration_mark_absent
from .live_reseat import live_reseat
from .live_views import state_response
from .models import Event, Registration
from .queries import get_event_for_organiser


class EventLiveRef(Schema):
    slug: str
    title: str


class EventLiveNext(Schema):
    label: str = Field(description='What comes next in words ("Round 4", "A break"; "" if nothing)')
    phase: str | None = Field(description="round, break or ended; null when nothing follows")
    round: int | None = Field(description="The next round (from 1), when a round is next")
    starts_at: datetime | None = Field(description="When it starts (null while paused or waiting)")


class EventLiveTable(Schema):
    number: int
    name: str
    mentor: str = Field(description="The mentor's (or table host's) name")
    mentees: list[str] = Field(description="The names of the mentees at the table")


class EventLiveSeating(Schema):
    round: int = Field(description="From 1")
    tables: list[EventLiveTable]
    sitting_out: list[str] = Field(description="Names of the mentees sitting this round out")


class EventLivePerson(Schema):
    name: str
    topics: list[str]
    want: str = Field(description='Their one line: "what I want from this"')


class EventLivePlaceTable(Schema):
    number: int
    name: str
    video_url: str


class EventLivePlace(Schema):
    round: int = Field(description="From 1")
    sitting_out: bool
    table: EventLivePlaceTable | None
    with_: list[EventLivePerson] = Field(alias="with", description="Whom I meet")
    also: list[str] = Field(description="Others at my table (roundtables, shared seats)")


class EventLiveMe(Schema):
    registration_id: int
    name: str
    side: str = Field(description="mentor or mentee")
    checkin_code: str = Field(description="What I show at the door")
    absent: bool
    now: EventLivePlace | None = Field(description="My place in the round under way")
    next: EventLivePlace | None = Field(description="My place in the round to come")


class EventLiveOut(Schema):
    event: EventLiveRef
    state: str = Field(description="The event's state: published, live, ended")
    version: int = Field(description="Bumped by every control and re-seat")
    label: str = Field(description='The phase in words ("Round 3 of 10")')
    phase: str = Field(description="waiting, round, break, paused or ended")
    paused_phase: str | None = Field(description="While paused: round or break")
    round: int | None = Field(description="The round under way or just played (from 1)")
    rounds: int
    ends_at: datetime | None = Field(description="When the phase ends (count down to it)")
    paused_seconds_left: int | None
    next: EventLiveNext
    view: str = Field(description="room (every table) or me (without the seating lists)")
    seating: EventLiveSeating | None = Field(description="Who sits where in the round under way")
    next_seating: EventLiveSeating | None = Field(description="Who sits where in the next round")
    me: EventLiveMe | None = Field(description="The caller's own seats, if registered")


class EventLiveCheckinIn(Input):
    code: str | None = Field(default=None, max_length=12, description="The person's check-in code")
    registration_id: int | None = Field(default=None, description="Or their registration's id")

    @model_validator(mode="after")
    def _one_of(self) -> EventLiveCheckinIn:
        if (self.code is None) == (self.registration_id is None):
            raise ValueError("Send either code or registration_id.")
        return self


class EventLiveAttendanceOut(Schema):
    registration_id: int
    name: str
    attendance: str = Field(description="unknown, present or absent")
    checked_in_at: datetime | None
    already: bool = Field(description="Was already checked in")
    late: bool = Field(description="Checked in after the start or after being marked absent")


def _attendance_out(
    registration: Registration, already: bool = False, late: bool = False
) -> dict[str, object]:
    return {
        "registration_id": registration.pk,
        "name": registration.user.display_name,
        "attendance": registration.attendance,
        "checked_in_at": registration.checked_in_at,
        "already": already,
        "late": late,
    }


def _organiser_event(request: ApiRequest, slug: str) -> Event:
    access = get_event_for_organiser(request.auth, slug)
    if not rules.can_run_live_room(access.organiser, access.event):
        raise Http404("No such event")
    return access.event


@router.get(
    "/events/{slug}/live",
    response={200: EventLiveOut, 304: None},
    summary="The live room's state (organisers and registered people)",
    description="Send `If-None-Match` with the last `ETag`: 304 while nothing changed. "
    "`view=me` leaves out the seating lists (what a phone needs). Count down to `ends_at` "
    "with the `Date` header as the server's clock.",
)
def live_state_get(
    request: ApiRequest, slug: Line, view: Literal["room", "me"] = "room"
) -> HttpResponse:
    return state_response(request, slug, view)


@router.post(
    "/events/{slug}/live/{action}",
    response=EventLiveOut,
    summary="Run the room: start, pause, resume, next, end, or reseat (organisers)",
    description="`next` starts the next round now; with `round` (the round you mean to start, "
    "from 1) it is refused with 409 if that round has already started, so two organisers "
    "clicking at once do not skip a round. `reseat` re-seats the rounds to come around the "
    "people marked absent and the late arrivals.",
)
def live_action(
    request: ApiRequest,
    slug: Line,
    action: Literal["start", "pause", "resume", "next", "end", "reseat"],
    round: Query[int | None] = None,  # noqa: A002 (the API's word)
) -> HttpResponse:
    event = _organiser_event(request, slug)
    if action == "reseat":
        live_reseat(event=event, by=request.auth)
    else:
        if round is not None and round < 1:
            raise ServiceError("Rounds count from 1.", field="round")
        live_control(
            event=event,
            by=request.auth,
            action=action,
            to_round=round - 1 if round is not None else None,
        )
    return state_response(request, slug, "room")


@router.post(
    "/events/{slug}/checkin",
    response=EventLiveAttendanceOut,
    summary="Check someone in at the door, by code or registration (organisers)",
)
def live_checkin(request: ApiRequest, slug: Line, payload: EventLiveCheckinIn) -> dict[str, object]:
    event = _organiser_event(request, slug)
    registration = None
    if payload.registration_id is not None:
        registration = get_object_or_404(
            Registration.objects.select_related("user__profile"),
            event=event,
            pk=payload.registration_id,
        )
    done: CheckIn = registration_check_in(
        event=event, by=request.auth, code=payload.code, registration=registration
    )
    return _attendance_out(done.registration, done.already, done.late)


@router.post(
    "/events/{slug}/registrations/{registration_id}/absent",
    response=EventLiveAttendanceOut,
    summary="Mark a registered person absent (organisers; re-seat afterwards)",
)
def live_absent(request: ApiRequest, slug: Line, registration_id: int) -> dict[str, object]:
    event = _organiser_event(request, slug)
    registration = get_object_or_404(
        Registration.objects.select_related("user__profile"), event=event, pk=registration_id
    )
    registration_mark_absent(event=event, by=request.auth, registration=registration)
    return _attendance_out(registration)

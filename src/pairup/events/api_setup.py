"""Event set-up and registration over /api/v1, on the events' router: a program's events,
create one, read and change it, publish and cancel it, its registrations (organisers list
them all; anyone who may register registers themself), cancelling a registration, and
invitations by email. As on the pages: an event someone may not see is 404 (another
program's included), and so is an organiser's operation for anyone else.

Times: instants are ISO 8601; one sent without an offset is read in the event's own time
zone (`timezone`); answers give UTC."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import Http404
from ninja import Schema, Status
from pydantic import Field

from pairup.accounts.http import ApiRequest
from pairup.accounts.models import User
from pairup.core.api import PageOut, page_response
from pairup.core.errors import ServiceError
from pairup.core.schemas import Input, Line, Omittable
from pairup.programs.models import Pool
from pairup.programs.queries import get_program_for_user

from . import rules, setup
from .api_router import router
from .invitations import event_invite
from .models import (
    EVENT_WANT_MAX_LENGTH,
    Event,
    Registration,
    RegistrationStatus,
)
from .queries import EventAccess, event_access, get_event_for_organiser
from .registrations import ACCESSIBILITY_MAX_LENGTH, registration_cancel, registration_create
from .setup_queries import (
    event_balance,
    event_registrations,
    places_left,
    program_events,
    registration_counts,
    registration_of,
    registration_window,
    waitlist_position,
)

API_PER_PAGE = 20


# ------------------------------------------------------------------------- shapes


class EventTableOut(Schema):
    number: int
    name: str
    topic: str | None = Field(description="The table's topic (a slug)")
    video_url: str = Field(description="Online: the table's link (organisers and registrants)")


class EventRoleCounts(Schema):
    mentor: int
    mentee: int
    either: int


class EventCountsOut(Schema):
    registered: EventRoleCounts
    waitlisted: EventRoleCounts
    cancelled: int
    balance: str = Field(description="Mentors : mentees registered, in words")
    mentors_short_by: int = Field(description="Mentors missing to seat every mentee (0: none)")
    warning: str = Field(description="What the shortage of mentors means; empty when none")


class EventOut(Schema):
    slug: str
    program: str = Field(description="The program's slug")
    url: str = Field(description="The public page")
    kind: str = Field(description="speed_mentoring, roundtables or conference_buddies")
    title: str
    description: str
    state: str = Field(description="draft, published, live, ended or cancelled")
    starts_at: datetime
    ends_at: datetime
    timezone: str
    place_kind: str = Field(description="room, tables or online")
    place: str
    video_url: str = Field(description="Online: for organisers and those registered only")
    registration_opens_at: datetime | None
    registration_closes_at: datetime
    registration_open: bool
    capacity: int | None
    places_left: int | None
    audience: str = Field(description="members, or link: anyone with the link (joins)")
    topics: list[str]
    rounds: int | None = None
    round_minutes: int | None = None
    break_minutes: int | None = None
    seats_per_mentor: int | None = None
    table_size: int | None = None
    conference_starts_on: date | None = None
    conference_ends_on: date | None = None
    mentees_per_mentor: str | None = Field(default=None, description="1, 2, or auto")
    shortage_note: str | None = None
    tables: list[EventTableOut]
    my_registration: str | None = Field(
        description="Your registration's status (registered, waitlisted), or null"
    )
    organiser: bool = Field(description="Whether you organise this event")
    organisers: list[int] = Field(description="Organisers named (user ids); organisers only")
    counts: EventCountsOut | None = Field(description="Registrations; organisers only")


class EventPage(PageOut):
    items: list[EventOut]


def _event_out(access: EventAccess, user: User) -> dict[str, Any]:
    event = access.event
    counts = registration_counts(event)
    mine = registration_of(event, user)
    active = mine is not None and mine.status != RegistrationStatus.CANCELLED
    sees_links = access.organiser or (
        mine is not None and mine.status == RegistrationStatus.REGISTERED
    )
    kind_fields = setup.KIND_FIELDS[event.kind]
    out: dict[str, Any] = {
        name: getattr(event, name)
        for name in (
            "slug",
            "kind",
            "title",
            "description",
            "state",
            "starts_at",
            "ends_at",
            "timezone",
            "place_kind",
            "place",
            "registration_opens_at",
            "registration_closes_at",
            "capacity",
            "audience",
            *kind_fields,
        )
    }
    out.update(
        program=event.program.slug,
        url=event.get_absolute_url(),
        video_url=event.video_url if sees_links else "",
        registration_open=registration_window(event).is_open,
        places_left=places_left(event, counts),
        topics=sorted(event.topics.values_list("slug", flat=True)),
        tables=[
            {
                "number": t.number,
                "name": t.name,
                "topic": t.topic.slug if t.topic else None,
                "video_url": t.video_url if sees_links else "",
            }
            for t in event.tables.select_related("topic")
        ],
        my_registration=mine.status if active and mine is not None else None,
        organiser=access.organiser,
        organisers=sorted(event.organisers.values_list("pk", flat=True))
        if access.organiser
        else [],
        counts=None,
    )
    if access.organiser:
        balance = event_balance(event, counts)
        out["counts"] = {
            "registered": counts.registered,
            "waitlisted": counts.waitlisted,
            "cancelled": counts.cancelled,
            "balance": balance.note,
            "mentors_short_by": balance.short_by,
            "warning": balance.warning,
        }
    return out


class EventTableIn(Input):
    name: str = Field(default="", max_length=80)
    topic: str = Field(default="", max_length=100, description="A topic's slug")
    video_url: str = Field(default="", max_length=200)


def _tables(items: list[EventTableIn] | None) -> list[setup.TableSpec] | None:
    if items is None:
        return None
    return [setup.TableSpec(t.name, t.topic, t.video_url) for t in items]


class EventIn(Input):
    """A new event: its kind, its title, and whatever differs from the kind's defaults
    (three weeks ahead, in your time zone)."""

    kind: str = Field(description="speed_mentoring, roundtables or conference_buddies")
    title: str = Field(max_length=120)
    slug: str = Field(default="", max_length=60, description="Empty: made from the title")
    description: Omittable[str] = Field(default=None, max_length=4000)
    timezone: Omittable[str] = Field(default=None, max_length=64)
    starts_at: Omittable[datetime] = None
    ends_at: Omittable[datetime] = None
    place_kind: Omittable[str] = Field(default=None, max_length=8)
    place: Omittable[str] = Field(default=None, max_length=200)
    video_url: Omittable[str] = Field(default=None, max_length=200)
    registration_opens_at: Omittable[datetime] = None
    registration_closes_at: Omittable[datetime] = None
    capacity: Omittable[int] = Field(default=None, ge=1, le=100_000)
    audience: Omittable[str] = Field(default=None, max_length=8)
    topics: list[str] = Field(default_factory=list, max_length=setup.TOPICS_MAX)
    rounds: Omittable[int] = Field(default=None, ge=1, le=30)
    round_minutes: Omittable[int] = Field(default=None, ge=3, le=120)
    break_minutes: Omittable[int] = Field(default=None, ge=0, le=60)
    seats_per_mentor: Omittable[int] = Field(default=None, ge=1, le=2)
    table_size: Omittable[int] = Field(default=None, ge=1, le=12)
    conference_starts_on: Omittable[date] = None
    conference_ends_on: Omittable[date] = None
    mentees_per_mentor: Omittable[str] = Field(default=None, max_length=4)
    shortage_note: Omittable[str] = Field(default=None, max_length=300)
    tables: list[EventTableIn] = Field(default_factory=list, max_length=setup.TABLES_MAX)

    multiline = frozenset({"description"})


SETUP_FIELDS = (
    "description",
    "timezone",
    "starts_at",
    "ends_at",
    "place_kind",
    "place",
    "video_url",
    "registration_opens_at",
    "registration_closes_at",
    "capacity",
    "audience",
    "rounds",
    "round_minutes",
    "break_minutes",
    "seats_per_mentor",
    "table_size",
    "conference_starts_on",
    "conference_ends_on",
    "mentees_per_mentor",
    "shortage_note",
)


def _given(payload: Input, names: tuple[str, ...]) -> dict[str, Any]:
    sent = payload.model_fields_set
    return {name: getattr(payload, name) for name in names if name in sent}


@router.get(
    "/programs/{slug}/events",
    response=EventPage,
    summary="A program's events (members; drafts for their organisers)",
    description="Upcoming first (soonest first), then past ones (latest first).",
)
def event_list(request: ApiRequest, slug: Line, page: int = 1) -> dict[str, Any]:
    program, member = get_program_for_user(request.auth, slug)
    events = program_events(program, request.auth, member)
    items = [*events.upcoming, *events.past]
    organiser = member.is_admin
    return page_response(
        items,
        page,
        lambda e: _event_out(
            EventAccess(e, member, organiser or rules.is_named_organiser(request.auth, e)),
            request.auth,
        ),
        API_PER_PAGE,
    )


@router.post(
    "/programs/{slug}/events",
    response={201: EventOut},
    summary="Create an event as a draft (the program's admins)",
)
def event_create(request: ApiRequest, slug: Line, payload: EventIn) -> Status:
    program, member = get_program_for_user(request.auth, slug)
    if not rules.can_create_event(member):
        raise Http404("No such program")
    event = setup.event_create(
        program=program,
        by=request.auth,
        kind=payload.kind,
        title=payload.title,
        slug=payload.slug,
        topics=payload.topics,
        tables=_tables(payload.tables),
        **_given(payload, SETUP_FIELDS),
    )
    return Status(201, _event_out(EventAccess(event, member, True), request.auth))


@router.get("/events/{slug}", response=EventOut, summary="An event")
def event_get(request: ApiRequest, slug: Line) -> dict[str, Any]:
    return _event_out(event_access(request.auth, slug), request.auth)


class EventPatch(Input):
    """Only the fields sent change; none may be null. The kind stays; the address (`slug`)
    only while a draft. `tables` replaces the tables; `organisers` (user ids of members)
    replaces the organisers named, and only the program's admins may send it."""

    title: Omittable[str] = Field(default=None, max_length=120)
    slug: Omittable[str] = Field(default=None, max_length=60)
    description: Omittable[str] = Field(default=None, max_length=4000)
    timezone: Omittable[str] = Field(default=None, max_length=64)
    starts_at: Omittable[datetime] = None
    ends_at: Omittable[datetime] = None
    place_kind: Omittable[str] = Field(default=None, max_length=8)
    place: Omittable[str] = Field(default=None, max_length=200)
    video_url: Omittable[str] = Field(default=None, max_length=200)
    registration_opens_at: Omittable[datetime] = None
    registration_closes_at: Omittable[datetime] = None
    capacity: Omittable[int] = Field(default=None, ge=1, le=100_000)
    audience: Omittable[str] = Field(default=None, max_length=8)
    topics: Omittable[list[str]] = Field(default=None, max_length=setup.TOPICS_MAX)
    rounds: Omittable[int] = Field(default=None, ge=1, le=30)
    round_minutes: Omittable[int] = Field(default=None, ge=3, le=120)
    break_minutes: Omittable[int] = Field(default=None, ge=0, le=60)
    seats_per_mentor: Omittable[int] = Field(default=None, ge=1, le=2)
    table_size: Omittable[int] = Field(default=None, ge=1, le=12)
    conference_starts_on: Omittable[date] = None
    conference_ends_on: Omittable[date] = None
    mentees_per_mentor: Omittable[str] = Field(default=None, max_length=4)
    shortage_note: Omittable[str] = Field(default=None, max_length=300)
    tables: Omittable[list[EventTableIn]] = Field(default=None, max_length=setup.TABLES_MAX)
    organisers: Omittable[list[int]] = Field(default=None, max_length=200)

    multiline = frozenset({"description"})


@router.patch(
    "/events/{slug}",
    response=EventOut,
    summary="Change an event's set-up (its organisers)",
)
def event_update(request: ApiRequest, slug: Line, payload: EventPatch) -> dict[str, Any]:
    access = get_event_for_organiser(request.auth, slug)
    event = access.event
    users: list[User] = []
    if payload.organisers is not None:
        if not rules.can_name_organisers(access.member):
            raise ServiceError(
                "Only the program's admins name an event's organisers.",
                code="not_admin",
                field="organisers",
            )
        users = list(User.objects.filter(pk__in=payload.organisers).select_related("profile"))
        if len(users) != len(set(payload.organisers)):
            raise ServiceError("No such member.", code="not_a_member", field="organisers")
    changes = _given(payload, ("title", *SETUP_FIELDS))
    sent = payload.model_fields_set
    if changes or sent & {"slug", "topics", "tables"}:
        event = setup.event_update(
            event=event,
            by=request.auth,
            slug=payload.slug,
            topics=payload.topics,
            tables=_tables(payload.tables),
            **changes,
        )
    if payload.organisers is not None:
        setup.event_organisers_set(event=event, by=request.auth, users=users)
    return _event_out(EventAccess(event, access.member, True), request.auth)


@router.post("/events/{slug}/publish", response=EventOut, summary="Publish a draft event")
def event_publish(request: ApiRequest, slug: Line) -> dict[str, Any]:
    access = get_event_for_organiser(request.auth, slug)
    event = setup.event_publish(event=access.event, by=request.auth)
    return _event_out(EventAccess(event, access.member, True), request.auth)


class EventCancelIn(Input):
    reason: str = Field(default="", max_length=setup.CANCEL_REASON_MAX_LENGTH)

    multiline = frozenset({"reason"})


@router.post(
    "/events/{slug}/cancel",
    response=EventOut,
    summary="Cancel an event (everyone registered is told by email)",
)
def event_cancel(request: ApiRequest, slug: Line, payload: EventCancelIn) -> dict[str, Any]:
    access = get_event_for_organiser(request.auth, slug)
    event = setup.event_cancel(event=access.event, by=request.auth, reason=payload.reason)
    return _event_out(EventAccess(event, access.member, True), request.auth)


# ------------------------------------------------------------------------ registrations


class EventRegistrationOut(Schema):
    id: int
    user_id: int
    display_name: str
    role: str = Field(description="mentor, mentee or either")
    status: str = Field(description="registered, waitlisted or cancelled")
    waitlist_position: int | None = Field(description="1 for the first waiting; else null")
    topics: list[str]
    languages: list[str]
    want: str
    accessibility: str | None = Field(description="Organisers and the person only")
    registered_at: datetime
    promoted_at: datetime | None
    cancelled_at: datetime | None


class EventRegistrationPage(PageOut):
    items: list[EventRegistrationOut]


def _registration_out(r: Registration, *, organiser: bool, viewer: User) -> dict[str, Any]:
    sees_needs = rules.can_see_accessibility(organiser) or r.user_id == viewer.pk
    return {
        "id": r.pk,
        "user_id": r.user_id,
        "display_name": r.user.profile.display_name,
        "role": r.role,
        "status": r.status,
        "waitlist_position": waitlist_position(r),
        "topics": [t.slug for t in r.topics.all()],
        "languages": list(r.languages),
        "want": r.want,
        "accessibility": r.accessibility if sees_needs else None,
        "registered_at": r.registered_at,
        "promoted_at": r.promoted_at,
        "cancelled_at": r.cancelled_at,
    }


@router.get(
    "/events/{slug}/registrations",
    response=EventRegistrationPage,
    summary="An event's registrations (organisers: everyone's; others: their own)",
    description="`status`: registered, waitlisted or cancelled (default: registered and "
    "waitlisted), in registration order.",
)
def registration_list(
    request: ApiRequest, slug: Line, status: Line = "", page: int = 1
) -> dict[str, Any]:
    access = event_access(request.auth, slug)
    if status and status not in RegistrationStatus.values:
        raise ServiceError(
            f"A status is one of {', '.join(RegistrationStatus.values)}.", field="status"
        )
    statuses = (
        (status,) if status else (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED)
    )
    items = event_registrations(access.event, statuses)
    if not access.organiser:
        items = items.filter(user=request.auth)
    return page_response(
        items,
        page,
        lambda r: _registration_out(r, organiser=access.organiser, viewer=request.auth),
        API_PER_PAGE,
    )


class EventRegistrationIn(Input):
    role: str = Field(description="mentor, mentee or either")
    topics: list[str] = Field(default_factory=list, max_length=20, description="Topic slugs")
    languages: Omittable[list[str]] = Field(
        default=None, max_length=30, description="Language codes; left out: your profile's"
    )
    want: str = Field(default="", max_length=EVENT_WANT_MAX_LENGTH)
    accessibility: str = Field(default="", max_length=ACCESSIBILITY_MAX_LENGTH)
    waitlist: bool = Field(
        default=True, description="Past capacity: join the waitlist (false: refuse, 409)"
    )
    display_name: str = Field(default="", max_length=120, description="If you have no name yet")

    multiline = frozenset({"accessibility"})


@router.post(
    "/events/{slug}/registrations",
    response={201: EventRegistrationOut},
    summary="Register yourself (past capacity: on the waitlist)",
)
def registration_add(request: ApiRequest, slug: Line, payload: EventRegistrationIn) -> Status:
    access = event_access(request.auth, slug)
    registration = registration_create(
        event=access.event,
        user=request.auth,
        role=payload.role,
        topics=payload.topics,
        languages=payload.languages,
        want=payload.want,
        accessibility=payload.accessibility,
        waitlist=payload.waitlist,
        display_name=payload.display_name,
    )
    return Status(
        201, _registration_out(registration, organiser=access.organiser, viewer=request.auth)
    )


@router.post(
    "/events/{slug}/registrations/{registration_id}/cancel",
    response=EventRegistrationOut,
    summary="Cancel a registration: your own, or (organisers) anyone's",
)
def registration_remove(request: ApiRequest, slug: Line, registration_id: int) -> dict[str, Any]:
    access = event_access(request.auth, slug)
    registration = (
        Registration.objects.filter(event=access.event, pk=registration_id)
        .select_related("user__profile")
        .first()
    )
    if registration is None or not rules.can_cancel_registration(
        request.auth, registration, access.organiser
    ):
        raise Http404("No such registration")
    registration = registration_cancel(registration=registration, by=request.auth)
    return _registration_out(registration, organiser=access.organiser, viewer=request.auth)


# -------------------------------------------------------------------------- invitations


class EventInviteIn(Input):
    members: list[int] = Field(default_factory=list, max_length=5000, description="User ids")
    pools: list[int] = Field(default_factory=list, max_length=200, description="Pool ids")
    note: str = Field(default="", max_length=500)

    multiline = frozenset({"note"})


class EventInviteOut(Schema):
    invited: list[int] = Field(description="User ids invited now")
    invited_before: int = Field(description="Left out: invited to this event before")
    registered: int = Field(description="Left out: registered already")


@router.post(
    "/events/{slug}/invitations",
    response=EventInviteOut,
    summary="Invite members or whole pools by email (organisers; once per person)",
)
def invitation_send(request: ApiRequest, slug: Line, payload: EventInviteIn) -> dict[str, Any]:
    access = get_event_for_organiser(request.auth, slug)
    event: Event = access.event
    pools = list(Pool.objects.filter(program_id=event.program_id, pk__in=payload.pools))
    if len(pools) != len(set(payload.pools)):
        raise ServiceError("No such pool.", code="not_found", field="pools")
    users = list(User.objects.filter(pk__in=payload.members).select_related("profile"))
    if len(users) != len(set(payload.members)):
        raise ServiceError("No such member.", code="not_a_member", field="members")
    result = event_invite(event=event, by=request.auth, users=users, pools=pools, note=payload.note)
    return {
        "invited": [u.pk for u in result.sent],
        "invited_before": result.invited_before,
        "registered": result.registered,
    }

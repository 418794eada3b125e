"""Sessions over /api/v1: a mentor's free slots, booking and session changes, .ics, the
calendar feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.http import Http404, HttpResponse
from django.utils import timezone
from ninja import Header, Router, Schema, Status
from pydantic import Field

from pairup.accounts.http import ApiRequest
from pairup.accounts.models import User
from pairup.asks.queries import get_engagement_for_user
from pairup.availability import queries as availability_queries
from pairup.core import limits
from pairup.core.errors import ServiceError
from pairup.core.schemas import Input
from pairup.engine import slots as engine_slots
from pairup.programs.models import Membership, MentorStatus

from . import calendar, idempotency, queries, services
from .models import CalendarFeed, Session

# The OpenAPI tag stays "scheduling", as before availability and sessions split.
router = Router(tags=["scheduling"])


class SlotOut(Schema):
    start: datetime
    end: datetime


class SlotsOut(Schema):
    mentor: int
    timezone: str = Field(description="The mentor's zone; slots themselves are in UTC")
    duration: int
    slots: list[SlotOut]


def _utc(value: datetime, field: str) -> datetime:
    if value.tzinfo is None:
        raise ServiceError("Give times with a UTC offset or Z.", code="naive_datetime", field=field)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T01:00+06:00 is before the first UTC instant
        raise ServiceError(
            "That time is out of range.", code="invalid_datetime", field=field
        ) from None


@router.get("/mentors/{mentor_id}/slots", response=SlotsOut, summary="A mentor's free slots (UTC)")
def mentor_slots(
    request: ApiRequest,
    mentor_id: int,
    start: datetime,
    end: datetime,
    duration: int | None = None,
    engagement: int | None = None,
) -> dict[str, object]:
    """With `engagement`: the times a session of it can be booked (its agreed length, within
    the mentor's caps, as booking checks). Without: the mentor's free times at `duration`
    minutes (30 by default) for someone of one of their programs."""
    viewer: User = request.auth
    start, end = _utc(start, "start"), _utc(end, "end")
    if end <= start:
        raise ServiceError("end must be after start.", code="invalid_range", field="end")
    if end - start > timedelta(days=62):
        raise ServiceError("Ask for at most 62 days at once.", code="range_too_long", field="end")
    now = timezone.now()
    if engagement is not None:
        e = get_engagement_for_user(viewer, engagement)
        if e.mentor_id != mentor_id:
            raise Http404("No such mentor in this engagement")
        agreed = queries.agreed_minutes(e)
        if duration is not None and duration != agreed:
            raise ServiceError(
                f"This engagement was agreed as {e.sessions_agreed} × {agreed} min.",
                code="invalid_duration",
                field="duration",
            )
        availability = availability_queries.availability_of(e.mentor)
        if availability is None:
            raise Http404("This mentor has no availability")
        return {
            "mentor": mentor_id,
            "timezone": availability.timezone,
            "duration": agreed,
            "slots": [
                {"start": s, "end": e_} for s, e_ in queries.bookable_slots(e, start, end, now)
            ],
        }
    shared = (
        Membership.objects.filter(
            user_id=mentor_id,
            is_mentor=True,
            mentor_status=MentorStatus.APPROVED,
            program__memberships__user=viewer,
        )
        .select_related("program")
        .first()
    )
    if shared is None:
        raise Http404("No such mentor")
    lengths = shared.program.session_lengths
    duration = 30 if duration is None else duration
    if duration not in lengths:
        allowed = ", ".join(str(x) for x in lengths)
        raise ServiceError(
            f"Sessions here last {allowed} minutes.", code="invalid_duration", field="duration"
        )
    mentor = User.objects.filter(pk=mentor_id).select_related("profile").first()
    availability = availability_queries.availability_of(mentor) if mentor else None
    if mentor is None or availability is None:
        raise Http404("This mentor has no availability")
    found = availability_queries.free_slots(
        mentor=mentor,
        mentee=viewer if viewer.pk != mentor_id else None,
        duration=duration,
        start=start,
        end=end,
        now=now,
    )
    return {
        "mentor": mentor_id,
        "timezone": availability.timezone,
        "duration": duration,
        "slots": [{"start": s, "end": e} for s, e in found],
    }


class BookIn(Input):
    start: datetime
    duration: int | None = Field(
        default=None,
        description="Minutes: the engagement's agreed length (the default); another is 422",
    )
    timezone: str | None = Field(
        default=None, description="Only with a local start time (no offset)"
    )


class SessionOut(Schema):
    id: int
    engagement: int
    start: datetime
    end: datetime
    status: str
    video_url: str
    location: str
    sequence: int
    late_cancel: bool


def session_out(s: Session) -> dict[str, object]:
    return {
        "id": s.pk,
        "engagement": s.engagement_id,
        "start": s.start,
        "end": s.end,
        "status": s.status,
        "video_url": s.video_url,
        "location": s.location,
        "sequence": s.sequence,
        "late_cancel": s.late_cancel,
    }


def _start(payload: BookIn) -> datetime:
    if payload.start.tzinfo is not None:
        return payload.start
    if not payload.timezone:
        raise ServiceError(
            "Give the start with a UTC offset or Z, or add a timezone for a local time.",
            code="naive_datetime",
            field="start",
        )
    try:
        engine_slots.check_local(payload.start, payload.timezone)
        return engine_slots.local_to_utc(payload.start, payload.timezone)
    except ValueError as exc:
        field = "timezone" if "time zone" in str(exc) else "start"
        raise ServiceError(str(exc), code="invalid_local_time", field=field) from None


@router.post(
    "/engagements/{engagement_id}/sessions",
    response={201: SessionOut},
    summary="Book a session (an Idempotency-Key header makes retries safe)",
    description=(
        "With an `Idempotency-Key` header (up to 255 printable ASCII characters, your own per "
        "user) a retry of the same request returns the first response, the same 201 and body, "
        "with the header `Idempotent-Replayed: true`, and books nothing more; a retry sent "
        "while the first is still running waits for it. The same key with another request is "
        "422 `idempotency_key_reused`. Refused requests are not stored: a retry runs again. "
        "Keys are forgotten after 24 hours."
    ),
)
def session_book(
    request: ApiRequest,
    response: HttpResponse,
    engagement_id: int,
    payload: BookIn,
    idempotency_key: str | None = Header(default=None, alias=idempotency.HEADER),
) -> Status:
    engagement = get_engagement_for_user(request.auth, engagement_id)
    start = _start(payload)

    def book() -> tuple[int, dict[str, object]]:
        session = services.session_book(
            engagement=engagement, by=request.auth, start=start, duration=payload.duration
        )
        return 201, SessionOut.model_validate(session_out(session)).model_dump(mode="json")

    if idempotency_key is None:
        return Status(*book())
    stored = idempotency.idempotency_key_use(
        user=request.auth,
        key=idempotency_key,
        request_hash=idempotency.request_hash(
            method=request.method or "POST",
            path=request.path,
            body=payload.model_dump(mode="json"),
        ),
        perform=book,
    )
    if stored.replayed:
        response[idempotency.REPLAYED_HEADER] = "true"
    return Status(stored.status, stored.body)


@router.get("/me/sessions", response=list[SessionOut], summary="My sessions, in any role")
def my_sessions(request: ApiRequest) -> list[dict[str, object]]:
    return [session_out(s) for s in queries.sessions_for_user(request.auth)]


class RescheduleIn(Input):
    start: datetime
    duration: int | None = None
    timezone: str | None = None


class CancelIn(Input):
    reason: str = Field(default="", max_length=limits.SHORT_NOTE_MAX_LENGTH)


class OutcomeIn(Input):
    outcome: str


class SessionFeedbackIn(Input):
    rating: int
    comment: str = Field(default="", max_length=limits.SESSION_COMMENT_MAX_LENGTH)


@router.post("/sessions/{session_id}/reschedule", response=SessionOut)
def session_reschedule(
    request: ApiRequest, session_id: int, payload: RescheduleIn
) -> dict[str, object]:
    session = queries.get_session_for_user(request.auth, session_id)
    start = _start(
        BookIn(start=payload.start, duration=payload.duration, timezone=payload.timezone)
    )
    return session_out(
        services.session_reschedule(
            session=session, by=request.auth, start=start, duration=payload.duration
        )
    )


@router.post("/sessions/{session_id}/cancel", response=SessionOut)
def session_cancel(request: ApiRequest, session_id: int, payload: CancelIn) -> dict[str, object]:
    session = queries.get_session_for_user(request.auth, session_id)
    return session_out(
        services.session_cancel(session=session, by=request.auth, reason=payload.reason)
    )


@router.post("/sessions/{session_id}/outcome", response=SessionOut)
def session_outcome(request: ApiRequest, session_id: int, payload: OutcomeIn) -> dict[str, object]:
    session = queries.get_session_for_user(request.auth, session_id)
    return session_out(
        services.session_outcome(session=session, by=request.auth, outcome=payload.outcome)
    )


@router.post("/sessions/{session_id}/feedback", response={201: dict})
def session_feedback(request: ApiRequest, session_id: int, payload: SessionFeedbackIn) -> Status:
    session = queries.get_session_for_user(request.auth, session_id)
    fb = services.session_feedback_give(
        session=session, by=request.auth, rating=payload.rating, comment=payload.comment
    )
    return Status(201, {"id": fb.pk, "rating": fb.rating})


@router.get(
    "/sessions/{session_id}.ics",
    summary="The session as an .ics file",
    openapi_extra={
        "responses": {
            200: {
                "description": "An iCalendar file with the one event",
                "content": {"text/calendar": {"schema": {"type": "string"}}},
            }
        }
    },
)
def session_ics(request: ApiRequest, session_id: int) -> HttpResponse:
    session = queries.get_session_for_user(request.auth, session_id)
    response = HttpResponse(
        calendar.download_ics(session, request.auth), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="pairup-session-{session.pk}.ics"'
    return response


class FeedOut(Schema):
    url: str


@router.get("/me/calendar-feed", response=FeedOut, summary="My private calendar feed address")
def calendar_feed(request: ApiRequest) -> dict[str, str]:
    feed = services.calendar_feed_get(user=request.auth)
    return {"url": services.calendar_feed_url(feed)}


@router.post(
    "/me/calendar-feed/rotate", response=FeedOut, summary="Revoke my feed address and get a new one"
)
def calendar_feed_rotate(request: ApiRequest) -> dict[str, str]:
    feed = services.calendar_feed_rotate(user=request.auth)
    return {"url": services.calendar_feed_url(feed)}


__all__ = ["router", "CalendarFeed"]

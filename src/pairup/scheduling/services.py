"""Scheduling: availability, booking, rescheduling, cancelling and outcomes. The only place
that writes sessions.

Nobody ever has two overlapping booked sessions, in any role: on PostgreSQL an exclusion
constraint over each participant's time range guarantees it; on SQLite every booking runs
in an IMMEDIATE transaction (one writer at a time) after the same checks.
"""

from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from pairup.accounts.models import User
from pairup.asks.models import Engagement, EngagementStatus, Format
from pairup.core import limits
from pairup.core.errors import Conflict, Forbidden, ServiceError
from pairup.core.validators import check_count, clean_text
from pairup.engine import slots as engine_slots
from pairup.programs.models import Membership

from . import queries
from .calendar import invitation_ics
from .feeds import refresh_busy_feed
from .models import (
    LENGTHS,
    Availability,
    CalendarFeed,
    DateOverride,
    Session,
    SessionChange,
    SessionFeedback,
    SessionParticipant,
    SessionStatus,
    WeeklyWindow,
)
from .tasks import schedule_reminders, send_session_email


def _aware(value: datetime, field: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ServiceError(
            "Give the time with its UTC offset or Z (e.g. 2026-03-02T14:00:00Z).",
            code="naive_datetime",
            field=field,
        )
    return value.astimezone(engine_slots.UTC)


@transaction.atomic
def availability_set(
    *,
    user: User,
    timezone_name: str,
    weekly: list[tuple[int, time, time]],
    overrides: list[tuple[object, time | None, time | None]] | None = None,
    session_lengths: list[int] | None = None,
    buffer_minutes: int = 10,
    min_notice_minutes: int = 720,
    horizon_days: int = 30,
    weekly_cap: int | None = None,
    monthly_cap: int | None = None,
    busy_feed_url: str = "",
) -> Availability:
    """Replace a mentor's availability. Validates every window (through the engine's own
    checks) before writing anything. Overlapping or touching windows of one day are stored
    merged, so duplicates never multiply the work of every slot listing."""
    timezone_name = clean_text(timezone_name, field="timezone", max_length=64)
    busy_feed_url = clean_text(
        busy_feed_url, field="busy_feed_url", max_length=limits.RESOURCE_URL_MAX_LENGTH
    )
    check_count(weekly, field="weekly", max_items=limits.WEEKLY_WINDOWS_MAX, what="weekly windows")
    check_count(
        overrides or [], field="overrides", max_items=limits.OVERRIDES_MAX, what="date overrides"
    )
    lengths = sorted(set(session_lengths or []))
    if any(x not in LENGTHS for x in lengths):
        raise ServiceError("Session lengths are 15, 30, 45 or 60 minutes.", field="session_lengths")
    try:
        record = engine_slots.Availability(
            timezone=timezone_name,
            weekly=_merged_weekly(tuple(engine_slots.WeeklyWindow(d, s, e) for d, s, e in weekly)),
            overrides=_override_records(overrides or []),
            buffer_minutes=buffer_minutes,
            min_notice_minutes=min_notice_minutes,
            horizon_days=horizon_days,
        )
    except ValueError as exc:
        field = (
            "timezone"
            if "time zone" in str(exc)
            else "overrides"
            if "override" in str(exc)
            else "weekly"
        )
        raise ServiceError(str(exc), code="invalid_availability", field=field) from None
    availability, _ = Availability.objects.select_for_update().get_or_create(
        user=user, defaults={"timezone": timezone_name}
    )
    availability.timezone = timezone_name
    availability.session_lengths = lengths
    availability.buffer_minutes = buffer_minutes
    availability.min_notice_minutes = min_notice_minutes
    availability.horizon_days = horizon_days
    availability.weekly_cap = weekly_cap
    availability.monthly_cap = monthly_cap
    if availability.busy_feed_url != busy_feed_url:
        # Busy times came from the old address; the new one is read after commit.
        availability.busy_times.all().delete()
        availability.busy_feed_fetched_at, availability.busy_feed_error = None, ""
        if busy_feed_url:
            pk = availability.pk
            transaction.on_commit(lambda: refresh_busy_feed.enqueue(availability_id=pk))
    availability.busy_feed_url = busy_feed_url
    availability.full_clean(exclude=["user"])
    availability.save()
    availability.weekly.all().delete()
    WeeklyWindow.objects.bulk_create(
        WeeklyWindow(availability=availability, weekday=w.weekday, start=w.start, end=w.end)
        for w in record.weekly
    )
    availability.overrides.all().delete()
    rows = []
    for o in record.overrides:
        if not o.windows:
            rows.append(DateOverride(availability=availability, date=o.date))
        rows += [
            DateOverride(availability=availability, date=o.date, start=s, end=e)
            for s, e in o.windows
        ]
    DateOverride.objects.bulk_create(rows)
    return availability


def _override_records(
    items: list[tuple[object, time | None, time | None]],
) -> tuple[engine_slots.DateOverride, ...]:
    by_date: dict = {}
    for day, start, end in items:
        windows = by_date.setdefault(day, [])
        if start is not None and end is not None:
            windows.append((start, end))
    records = [engine_slots.DateOverride(d, tuple(ws)) for d, ws in sorted(by_date.items())]
    return tuple(engine_slots.DateOverride(o.date, _merged(o.windows)) for o in records)


def _end_key(t: time) -> tuple[bool, time]:
    # An end of 00:00 is midnight at the end of the day: later than any other end.
    return (t == time(0), t)


def _merged(windows: tuple[tuple[time, time], ...]) -> tuple[tuple[time, time], ...]:
    """One day's windows, sorted, with overlapping and touching ones joined. Call it only
    on windows the engine has checked (start before end)."""
    spans: list[list[time]] = []
    for start, end in sorted(windows, key=lambda w: (w[0], _end_key(w[1]))):
        if spans and (False, start) <= _end_key(spans[-1][1]):
            spans[-1][1] = max(spans[-1][1], end, key=_end_key)
        else:
            spans.append([start, end])
    return tuple((start, end) for start, end in spans)


def _merged_weekly(
    windows: tuple[engine_slots.WeeklyWindow, ...],
) -> tuple[engine_slots.WeeklyWindow, ...]:
    by_day: dict[int, list[tuple[time, time]]] = {}
    for w in windows:
        by_day.setdefault(w.weekday, []).append((w.start, w.end))
    return tuple(
        engine_slots.WeeklyWindow(day, start, end)
        for day in sorted(by_day)
        for start, end in _merged(tuple(by_day[day]))
    )


def _lengths(engagement: Engagement, availability: Availability | None) -> list[int]:
    allowed = list(engagement.program.session_lengths)
    if availability is not None and availability.session_lengths:
        allowed = [x for x in allowed if x in availability.session_lengths] or allowed
    return allowed


def _lock_people(*users: User) -> None:
    # One order for every booking, so two bookings never wait on each other in a cycle.
    list(
        User.objects.select_for_update()
        .filter(pk__in=sorted(u.pk for u in users))
        .order_by("pk")
        .values("pk")
    )


def _check_slot(
    engagement: Engagement,
    start: datetime,
    minutes: int,
    now: datetime,
    *,
    moving: Session | None = None,
) -> None:
    """Refuse a time the mentor does not offer, with the reason a person can act on."""
    mentor, mentee = engagement.mentor, engagement.mentee
    availability = queries.availability_of(mentor)
    if availability is None:
        raise Conflict("This mentor has not set their availability yet.", code="no_availability")
    if minutes not in _lengths(engagement, availability):
        lengths = ", ".join(str(x) for x in _lengths(engagement, availability))
        raise ServiceError(
            f"Sessions here last {lengths} minutes.", code="invalid_duration", field="duration"
        )
    end = start + timedelta(minutes=minutes)
    if start < now + timedelta(minutes=availability.min_notice_minutes):
        hours = availability.min_notice_minutes / 60
        raise Conflict(
            f"That is inside the mentor's notice period ({hours:g} h).", code="inside_notice"
        )
    if start > now + timedelta(days=availability.horizon_days):
        raise Conflict(
            f"The mentor takes bookings up to {availability.horizon_days} days ahead.",
            code="beyond_horizon",
        )
    exclude = moving.pk if moving else None
    for person, label in ((mentor, "The mentor"), (mentee, "You")):
        if any(
            s < end and e > start
            for s, e in queries.busy_intervals(person, start, end, exclude_session=exclude)
        ):
            raise Conflict(
                f"{label} already {'have' if label == 'You' else 'has'} a session then.",
                code="slot_taken",
            )
    membership = Membership.objects.filter(program_id=engagement.program_id, user=mentor).first()
    caps = [("week", availability.weekly_cap), ("month", availability.monthly_cap)]
    if membership is not None:
        caps.append(("month", membership.effective_monthly_cap))
    for period, cap in caps:
        if cap is None:
            continue
        lo, hi = queries.period_bounds(start, availability.timezone, period)
        if queries.sessions_in(mentor, lo, hi, exclude_session=exclude) >= cap:
            raise Conflict(
                f"The mentor's cap of {cap} sessions this {period} is reached.", code="cap_reached"
            )
    free = queries.free_slots(
        mentor=mentor,
        mentee=mentee,
        duration=minutes,
        start=start,
        end=end,
        now=now,
        exclude_session=exclude,
    )
    if (start, end) not in free:
        raise Conflict("The mentor is not available at that time.", code="outside_availability")


def _place(engagement: Engagement) -> tuple[str, str]:
    ask = engagement.ask
    if ask.format == Format.VIDEO:
        room = secrets.token_urlsafe(12).replace("_", "").replace("-", "")[:16]
        return engagement.program.video_url_template.format(room=room), ""
    if ask.format == Format.IN_PERSON:
        site = engagement.mentor.profile.site
        return "", f"In person{f' at {site}' if site else ''}: agree the room in the thread"
    return "", ""


def _tell(session: Session, subject: str, method: str) -> None:
    """Email each person their own invitation after commit. The .ics is built now, so a
    cancellation still reaches the other person when the session row goes with an account."""
    engagement = session.engagement
    for person in (engagement.mentee, engagement.mentor):
        local = timezone.localtime(session.start, engine_slots._zone(person.profile.timezone))
        body = (
            f"{subject}\n\n{local:%A %d %B %Y, %H:%M} ({local.tzname()}), {session.minutes} minutes\n"
            f"{session.video_url or session.location or 'Chat in the PairUp thread'}\n"
        )
        kwargs = {
            "to": person.email,
            "subject": subject,
            "body": body,
            "method": method,
            "ics": invitation_ics(session, person, cancel=method == "CANCEL").decode(),
        }
        transaction.on_commit(lambda kw=kwargs: send_session_email.enqueue(**kw))


@transaction.atomic
def session_book(
    *,
    engagement: Engagement,
    by: User,
    start: datetime,
    duration: int,
    now: datetime | None = None,
) -> Session:
    """Book a session of an active engagement. Retries are made safe by the caller running
    this under an idempotency key (idempotency.idempotency_key_use), in the same
    transaction. Side effects after commit: both people emailed, reminders queued."""
    now = now or timezone.now()
    start = _aware(start, "start")
    if engagement.role_of(by) is None:
        raise Forbidden("Only the two people of this engagement can book its sessions.")
    engagement = (
        Engagement.objects.select_for_update(of=("self",))
        .select_related("ask", "program", "mentor__profile")
        .get(pk=engagement.pk)
    )
    if engagement.status != EngagementStatus.ACTIVE:
        raise Conflict("This engagement is closed: no more sessions.", code="engagement_closed")
    used = engagement.sessions.exclude(status=SessionStatus.CANCELLED).count()
    if used >= engagement.sessions_agreed:
        raise Conflict(
            f"All {engagement.sessions_agreed} agreed session(s) are booked already.",
            code="sessions_used",
        )
    _lock_people(engagement.mentor, engagement.mentee)
    _check_slot(engagement, start, duration, now)
    video_url, location = _place(engagement)
    session = Session(
        engagement=engagement,
        start=start,
        end=start + timedelta(minutes=duration),
        uid=f"{secrets.token_hex(16)}@pairup",
        video_url=video_url,
        location=location,
        booked_by=by,
        created_at=now,
    )
    try:
        with transaction.atomic():
            session.save()
            SessionParticipant.objects.bulk_create(
                [
                    SessionParticipant(
                        session=session,
                        user=engagement.mentee,
                        role="mentee",
                        start=session.start,
                        end=session.end,
                    ),
                    SessionParticipant(
                        session=session,
                        user=engagement.mentor,
                        role="mentor",
                        start=session.start,
                        end=session.end,
                    ),
                ]
            )
    except IntegrityError:
        raise Conflict("That time was just taken.", code="slot_taken") from None
    SessionChange.objects.create(
        session=session, kind="booked", by=by, new_start=session.start, at=now
    )
    _tell(session, "Session booked", "REQUEST")
    schedule_reminders(session)
    return session


def _lock_session(session: Session, by: User) -> Session:
    session = (
        Session.objects.select_for_update(of=("self",))
        .select_related(
            "engagement__program",
            "engagement__ask",
            "engagement__mentee__profile",
            "engagement__mentor__profile",
        )
        .get(pk=session.pk)
    )
    if session.engagement.role_of(by) is None:
        raise Forbidden("Only the two people of this session can change it.")
    return session


@transaction.atomic
def session_reschedule(
    *,
    session: Session,
    by: User,
    start: datetime,
    duration: int | None = None,
    now: datetime | None = None,
) -> Session:
    """Move the same session (history kept, SEQUENCE bumped, reminders re-queued)."""
    now = now or timezone.now()
    start = _aware(start, "start")
    session = _lock_session(session, by)
    if session.status != SessionStatus.BOOKED:
        raise Conflict("Only a booked session can be moved.", code="not_booked")
    if session.start <= now:
        raise Conflict("This session has started already.", code="session_started")
    minutes = duration or session.minutes
    engagement = session.engagement
    _lock_people(engagement.mentor, engagement.mentee)
    _check_slot(engagement, start, minutes, now, moving=session)
    old = session.start
    session.start, session.end = start, start + timedelta(minutes=minutes)
    session.sequence += 1
    try:
        with transaction.atomic():
            session.save(update_fields=["start", "end", "sequence"])
            session.participants.update(start=session.start, end=session.end)
    except IntegrityError:
        raise Conflict("That time was just taken.", code="slot_taken") from None
    SessionChange.objects.create(
        session=session, kind="rescheduled", by=by, old_start=old, new_start=start, at=now
    )
    _tell(session, "Session moved", "REQUEST")
    schedule_reminders(session)
    return session


@transaction.atomic
def session_cancel(
    *, session: Session, by: User | None, reason: str = "", now: datetime | None = None
) -> Session:
    """Cancel with a reason; inside the mentor's notice period it is recorded as late."""
    now = now or timezone.now()
    reason = clean_text(reason, field="reason", max_length=limits.SHORT_NOTE_MAX_LENGTH)
    if by is not None:
        session = _lock_session(session, by)
    if session.status != SessionStatus.BOOKED:
        raise Conflict("Only a booked session can be cancelled.", code="not_booked")
    if session.start <= now:
        raise Conflict("This session has started already.", code="session_started")
    availability = queries.availability_of(session.engagement.mentor)
    notice = timedelta(minutes=availability.min_notice_minutes if availability else 720)
    session.status = SessionStatus.CANCELLED
    session.cancel_reason = reason
    session.cancelled_by = by
    session.late_cancel = session.start - now < notice
    session.sequence += 1
    session.save(
        update_fields=["status", "cancel_reason", "cancelled_by", "late_cancel", "sequence"]
    )
    session.participants.update(booked=False)
    SessionChange.objects.create(
        session=session, kind="cancelled", by=by, old_start=session.start, note=reason, at=now
    )
    _tell(session, "Session cancelled" + (f": {reason}" if reason else ""), "CANCEL")
    return session


OUTCOMES = {
    "held": SessionStatus.HELD,
    "no_show_mentee": SessionStatus.NO_SHOW_MENTEE,
    "no_show_mentor": SessionStatus.NO_SHOW_MENTOR,
}


@transaction.atomic
def session_outcome(
    *, session: Session, by: User, outcome: str, now: datetime | None = None
) -> Session:
    """After the end: the mentor marks it held or a mentee no-show; the mentee can report a
    mentor no-show. The engagement's wrap-up opens after its last session."""
    now = now or timezone.now()
    session = _lock_session(session, by)
    role = session.engagement.role_of(by)
    if outcome not in OUTCOMES:
        raise ServiceError("Outcome is held, no_show_mentee or no_show_mentor.", field="outcome")
    if (role == "mentor" and outcome == "no_show_mentor") or (
        role == "mentee" and outcome != "no_show_mentor"
    ):
        raise Forbidden(
            "The mentor marks held or a mentee no-show; the mentee reports a mentor no-show."
        )
    if session.end > now:
        raise Conflict("You can mark the outcome after the session's end.", code="not_ended")
    if session.status != SessionStatus.BOOKED:
        raise Conflict("The outcome of this session is recorded already.", code="outcome_recorded")
    session.status = OUTCOMES[outcome]
    session.save(update_fields=["status"])
    SessionChange.objects.create(session=session, kind=outcome, by=by, at=now)
    engagement = session.engagement
    remaining = engagement.sessions.filter(status=SessionStatus.BOOKED).exists()
    done = engagement.sessions.filter(status=SessionStatus.HELD).count()
    if (
        outcome == "held"
        and not remaining
        and done >= engagement.sessions_agreed
        and engagement.is_active
    ):
        from pairup.asks.engagements import engagement_close

        engagement_close(engagement=engagement, by=by, now=now)
    return session


@transaction.atomic
def session_feedback_give(
    *, session: Session, by: User, rating: int, comment: str = "", now: datetime | None = None
) -> SessionFeedback:
    comment = clean_text(comment, field="comment", max_length=limits.SESSION_COMMENT_MAX_LENGTH)
    session = _lock_session(session, by)
    if session.status != SessionStatus.HELD:
        raise Conflict("Rate a session once it is marked held.", code="not_held")
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ServiceError("Rate from 1 to 5.", field="rating")
    try:
        with transaction.atomic():
            return SessionFeedback.objects.create(
                session=session,
                author=by,
                rating=rating,
                comment=comment,
                created_at=now or timezone.now(),
            )
    except IntegrityError:
        raise Conflict("You rated this session already.", code="feedback_given") from None


def sessions_cancel_future(
    *,
    user: User,
    reason: str,
    program_id: int | None = None,
    role: str | None = None,
    now: datetime | None = None,
) -> int:
    """Cancel a person's future booked sessions (account deleted, mentor paused), telling
    the other person."""
    now = now or timezone.now()
    count = 0
    qs = Session.objects.filter(participants__user=user, status=SessionStatus.BOOKED, start__gt=now)
    if program_id is not None:
        qs = qs.filter(engagement__program_id=program_id)
    if role is not None:
        qs = qs.filter(participants__user=user, participants__role=role)
    for session in qs:
        with transaction.atomic():
            session_cancel(session=session, by=None, reason=reason, now=now)
            count += 1
    return count


def calendar_feed_get(*, user: User) -> CalendarFeed:
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def calendar_feed_rotate(*, user: User) -> CalendarFeed:
    """Revoke the old feed address (anyone subscribed to it sees nothing more) and make a new one."""
    CalendarFeed.objects.filter(user=user).delete()
    return CalendarFeed.objects.create(user=user)


def calendar_feed_url(feed: CalendarFeed) -> str:
    from django.conf import settings
    from django.urls import reverse

    return settings.SITE_URL + reverse("calendar_feed", args=[feed.token])

"""Sessions: booking, rescheduling, cancelling and outcomes. The only place that writes
sessions.

Nobody ever has two overlapping booked sessions, in any role: each booked session's time is
committed for both people through availability's `commitment_*` services, in the same
transaction, and those refuse an overlap (see pairup.availability.services).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from pairup.accounts.models import User
from pairup.asks.load import booking_over_cap
from pairup.asks.models import Engagement, EngagementStatus, Format
from pairup.asks.services import engagement_close
from pairup.availability import queries as availability_queries
from pairup.availability.services import commitment_hold, commitment_move, commitment_release
from pairup.core import limits
from pairup.core.errors import Conflict, Forbidden, ServiceError
from pairup.core.humanize import human_duration
from pairup.core.quiet import is_quiet
from pairup.core.validators import clean_text
from pairup.engine import slots as engine_slots
from pairup.notifications.services import notifications_withdraw

from . import queries, rules
from .calendar import invitation_ics
from .models import (
    CalendarFeed,
    Session,
    SessionChange,
    SessionFeedback,
    SessionStatus,
)
from .tasks import reminder_ref, schedule_reminders, send_session_email


def _aware(value: datetime, field: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ServiceError(
            "Give the time with its UTC offset or Z (e.g. 2026-03-02T14:00:00Z).",
            code="naive_datetime",
            field=field,
        )
    try:
        return value.astimezone(UTC)
    except OverflowError:  # before the first or after the last UTC instant
        raise ServiceError(
            "That time is out of range.", code="invalid_datetime", field=field
        ) from None


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
    availability = availability_queries.availability_of(mentor)
    if availability is None:
        raise Conflict("This mentor has not set their availability yet.", code="no_availability")
    agreed = queries.agreed_minutes(engagement)
    if minutes != agreed:
        raise ServiceError(
            f"This engagement was agreed as {engagement.sessions_agreed} × {agreed} min: "
            f"book a {agreed}-minute session.",
            code="invalid_duration",
            field="duration",
        )
    end = start + timedelta(minutes=minutes)
    notice = timedelta(minutes=availability.min_notice_minutes)
    if start <= now:
        # A slot page left open until its times passed: say so, not "inside the notice
        # period" (the same code: a past time is inside it too).
        raise Conflict(
            "That time has passed: pick one of the times offered now.", code="inside_notice"
        )
    if start < now + notice:
        raise Conflict(
            f"That is inside the mentor's notice period ({human_duration(notice)}).",
            code="inside_notice",
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
            for s, e in availability_queries.busy_intervals(
                person, start, end, exclude_session=exclude
            )
        ):
            raise Conflict(
                f"{label} already {'have' if label == 'You' else 'has'} a session then.",
                code="slot_taken",
            )
    cap = booking_over_cap(engagement, start, now, moving_session=exclude)
    if cap is not None:
        whose = "" if cap.is_own else " in this program"
        raise Conflict(
            f"The mentor's cap of {cap.limit} sessions this {cap.period}{whose} is reached.",
            code="cap_reached",
        )
    if (start, end) not in queries.bookable_slots(engagement, start, end, now, moving=exclude):
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
    cancellation still reaches the other person when the session row goes with an account.
    Nobody is emailed for what is written quietly (the demo's history)."""
    if is_quiet():
        return
    engagement = session.engagement
    for person in (engagement.mentee, engagement.mentor):
        local = timezone.localtime(session.start, engine_slots.zone_of(person.profile.timezone))
        body = (
            f"{subject}\n\n{local:%A %d %B %Y, %H:%M} ({local.tzname()}), {session.minutes} minutes\n"
            f"{session.video_url or session.location or 'Chat in the PairUp thread'}\n\n"
            f"Open it in PairUp: {settings.SITE_URL}{session.get_absolute_url()}\n"
        )
        kwargs = {
            "to": person.email,
            "subject": subject,
            "body": body,
            "method": method,
            "ics": invitation_ics(session, person, cancel=method == "CANCEL").decode(),
        }
        transaction.on_commit(partial(send_session_email.enqueue, **kwargs))


@transaction.atomic
def session_book(
    *,
    engagement: Engagement,
    by: User,
    start: datetime,
    duration: int | None = None,
    now: datetime | None = None,
) -> Session:
    """Book a session of an active engagement, at its agreed length (`duration`, when
    given, must be that length). Retries are made safe by the caller running
    this under an idempotency key (idempotency.idempotency_key_use), in the same
    transaction. Side effects after commit: both people emailed, reminders queued."""
    now = now or timezone.now()
    start = _aware(start, "start")
    if not rules.can_book(by, engagement):
        raise Forbidden("Only the two people of this engagement can book its sessions.")
    engagement = (
        Engagement.objects.select_for_update(of=("self",))
        .select_related("ask", "program", "mentor__profile")
        .get(pk=engagement.pk)
    )
    if engagement.status != EngagementStatus.ACTIVE:
        raise Conflict("This engagement is closed: no more sessions.", code="engagement_closed")
    if queries.sessions_left(engagement) <= 0:
        raise Conflict(
            f"All {engagement.sessions_agreed} agreed session(s) are booked already.",
            code="sessions_used",
        )
    _lock_people(engagement.mentor, engagement.mentee)
    minutes = queries.agreed_minutes(engagement) if duration is None else duration
    _check_slot(engagement, start, minutes, now)
    video_url, location = _place(engagement)
    session = Session(
        engagement=engagement,
        start=start,
        end=start + timedelta(minutes=minutes),
        uid=f"{secrets.token_hex(16)}@pairup",
        video_url=video_url,
        location=location,
        booked_by=by,
        created_at=now,
    )
    try:
        with transaction.atomic():
            session.save()
    except IntegrityError:
        raise Conflict("That time was just taken.", code="slot_taken") from None
    commitment_hold(
        session_id=session.pk,
        people=[(engagement.mentee, "mentee"), (engagement.mentor, "mentor")],
        start=session.start,
        end=session.end,
        engagement_id=engagement.pk,
        program_id=engagement.program_id,
    )
    SessionChange.objects.create(
        session=session, kind="booked", by=by, new_start=session.start, at=now
    )
    _tell(session, "Session booked", "REQUEST")
    schedule_reminders(session, now=now)
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
    if not rules.can_change_session(by, session):
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
    session.save(update_fields=["start", "end", "sequence"])
    commitment_move(session_id=session.pk, start=session.start, end=session.end)
    notifications_withdraw(ref=reminder_ref(session))  # they name the old time
    SessionChange.objects.create(
        session=session, kind="rescheduled", by=by, old_start=old, new_start=start, at=now
    )
    _tell(session, "Session moved", "REQUEST")
    schedule_reminders(session, now=now)
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
    availability = availability_queries.availability_of(session.engagement.mentor)
    notice = timedelta(minutes=availability.min_notice_minutes if availability else 720)
    session.status = SessionStatus.CANCELLED
    session.cancel_reason = reason
    session.cancelled_by = by
    session.late_cancel = session.start - now < notice
    session.sequence += 1
    session.save(
        update_fields=["status", "cancel_reason", "cancelled_by", "late_cancel", "sequence"]
    )
    commitment_release(session_id=session.pk)
    notifications_withdraw(ref=reminder_ref(session))
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
    if outcome not in OUTCOMES:
        raise ServiceError("Outcome is held, no_show_mentee or no_show_mentor.", field="outcome")
    if not rules.can_mark_outcome(by, session, outcome):
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
    if role == "mentor":
        mine = Q(engagement__mentor=user)
    elif role == "mentee":
        mine = Q(engagement__mentee=user)
    else:
        mine = Q(engagement__mentee=user) | Q(engagement__mentor=user)
    qs = Session.objects.filter(mine, status=SessionStatus.BOOKED, start__gt=now)
    if program_id is not None:
        qs = qs.filter(engagement__program_id=program_id)
    for session in qs:
        with transaction.atomic():
            session_cancel(session=session, by=None, reason=reason, now=now)
            count += 1
    return count


def sessions_cancel_for_closing(
    *,
    engagement: Engagement,
    by: User | None,
    cancelled: bool,
    reason: str,
    now: datetime,
    handed_over: bool = False,
) -> int:
    """Cancel the sessions still ahead of an engagement being closed (in its transaction),
    each person emailed the cancellation. Marking it done asked first (asks refuses to
    without `cancel_sessions`). `by` None: neither of the two (the program's admins
    handed the engagement over to another mentor, `handed_over`)."""
    if handed_over:
        why = f"The engagement was handed over{f': {reason}' if reason else ''}"
    elif cancelled:
        why = f"The engagement was cancelled{f': {reason}' if reason else ''}"
    else:
        why = "The engagement was marked done"
    count = 0
    for session in Session.objects.filter(
        engagement=engagement, status=SessionStatus.BOOKED, start__gt=now
    ).order_by("start", "pk"):
        session_cancel(session=session, by=by, reason=why[: limits.SHORT_NOTE_MAX_LENGTH], now=now)
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

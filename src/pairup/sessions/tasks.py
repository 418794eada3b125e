from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch
from django.utils import timezone
from django_tasks import default_task_backend, task

from pairup.core.validators import one_line

REMINDERS = {"24h": timedelta(hours=24), "1h": timedelta(hours=1)}
# A reminder still goes out this long after it was due (a worker restart), never later:
# a late "tomorrow" reminder an hour before the session would only confuse.
GRACE = {"24h": timedelta(hours=2), "1h": timedelta(minutes=20), "feedback": timedelta(hours=24)}


@task()
def send_session_email(*, to: str, subject: str, body: str, method: str, ics: str) -> None:
    """Email one participant their own invitation (REQUEST or CANCEL) as an attachment."""
    message = EmailMessage(
        subject=f"[PairUp] {one_line(subject)}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    # Django adds the charset to a text attachment itself: naming it here too repeated it
    # in the part's Content-Type. METHOD matches the calendar's own (REQUEST or CANCEL).
    message.attach("invite.ics", ics, f"text/calendar; method={method}")
    message.send()


@task()
def send_reminder(*, session_id: int, kind: str, for_start: str) -> bool:
    """Send one reminder if the session still starts at `for_start`, is still booked, and
    the reminder is not past its grace period. Each (session, kind, start) goes out once."""
    return reminder_send(
        session_id=session_id, kind=kind, for_start=datetime.fromisoformat(for_start)
    )


def reminder_send(
    *, session_id: int, kind: str, for_start: datetime, now: datetime | None = None
) -> bool:
    from pairup.notifications.models import Kind
    from pairup.notifications.services import notify

    from .models import Reminder, Session, SessionStatus

    now = now or timezone.now()
    session = (
        Session.objects.select_related("engagement__mentee", "engagement__mentor")
        .filter(pk=session_id)
        .first()
    )
    if session is None or session.start != for_start:
        return False  # moved or gone: the reminder for the new time is queued separately
    due = session.end if kind == "feedback" else session.start - REMINDERS[kind]
    wanted = SessionStatus.HELD if kind == "feedback" else SessionStatus.BOOKED
    if kind == "feedback":
        if session.status not in (SessionStatus.BOOKED, SessionStatus.HELD):
            return False
    elif session.status != wanted:
        return False
    if now < due or now > due + GRACE[kind]:
        return False
    try:
        with transaction.atomic():
            Reminder.objects.create(session=session, kind=kind, for_start=for_start, sent_at=now)
            engagement = session.engagement
            for person in (engagement.mentee, engagement.mentor):
                other = engagement.other(person)
                local = timezone.localtime(session.start, _zone(person))
                if kind == "feedback":
                    text = f"How was your session with {other.display_name}? One tap to rate it."
                else:
                    when = "tomorrow" if kind == "24h" else "in an hour"
                    text = f"Reminder: session with {other.display_name} {when}, {local:%a %d %b %H:%M} ({local.tzname()})"
                notify(
                    user=person,
                    kind=Kind.MESSAGE if kind != "feedback" else Kind.WRAP_UP,
                    text=text,
                    url=_session_url(session),
                )
    except IntegrityError:
        return False  # sent already
    return True


def _session_url(session) -> str:  # type: ignore[no-untyped-def]
    # The session page comes with the scheduling UI; until its route exists, link to the
    # engagement (which lists its sessions) rather than fail the reminder.
    try:
        return session.get_absolute_url()
    except NoReverseMatch:
        return session.engagement.get_absolute_url()


def _zone(user):  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return ZoneInfo(user.profile.timezone)


def schedule_reminders(session) -> None:  # type: ignore[no-untyped-def]
    """Queue the 24 h and 1 h reminders and the feedback request for the session's current
    time (after commit). Moved sessions queue new ones; old ones find the time changed."""
    if not default_task_backend.supports_defer:
        return  # `pairup send-reminders` (cron) covers backends that cannot defer
    for_start = session.start.isoformat()
    plan = [(k, session.start - d) for k, d in REMINDERS.items()] + [("feedback", session.end)]

    def enqueue() -> None:
        for kind, when in plan:
            send_reminder.using(run_after=max(when, timezone.now())).enqueue(
                session_id=session.pk, kind=kind, for_start=for_start
            )

    transaction.on_commit(enqueue)


def reminders_due(now: datetime | None = None) -> int:
    """Send every reminder that is due and within its grace period (for cron); idempotent."""
    from .models import Session, SessionStatus

    now = now or timezone.now()
    sent = 0
    window = Session.objects.filter(
        status__in=[SessionStatus.BOOKED, SessionStatus.HELD],
        start__lte=now + timedelta(hours=24),
        end__gte=now - GRACE["feedback"],
    )
    for session in window:
        for kind in ("24h", "1h", "feedback"):
            sent += reminder_send(
                session_id=session.pk, kind=kind, for_start=session.start, now=now
            )
    return sent

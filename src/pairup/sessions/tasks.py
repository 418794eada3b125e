from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import NoReverseMatch
from django.utils import timezone
from django_tasks import default_task_backend, task

from pairup.core.quiet import is_quiet
from pairup.core.validators import one_line
from pairup.engine import slots as engine_slots

if TYPE_CHECKING:
    from .models import Session

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
    """Send one reminder (to both people) if the session is still booked at `for_start`
    (held or booked for the feedback request), its moment has come and is within its grace
    period, and that moment was still ahead when the session was booked or last moved: a
    "tomorrow" reminder for a session booked 20 hours ahead never goes out. Each (session,
    kind, start) goes out once."""
    from pairup.notifications.models import Kind
    from pairup.notifications.services import notify

    from .models import Reminder, Session, SessionStatus

    now = now or timezone.now()
    session = (
        Session.objects.select_related("engagement__mentee__profile", "engagement__mentor__profile")
        .filter(pk=session_id)
        .first()
    )
    if session is None or session.start != for_start:
        return False  # moved or gone: the reminder for the new time is queued separately
    if kind == "feedback":
        if session.status not in (SessionStatus.BOOKED, SessionStatus.HELD):
            return False
    elif session.status != SessionStatus.BOOKED:
        return False
    due = reminder_due_at(session, kind)
    if now < due or now > due + GRACE[kind] or due < placed_at(session):
        return False
    try:
        with transaction.atomic():
            Reminder.objects.create(session=session, kind=kind, for_start=for_start, sent_at=now)
            engagement = session.engagement
            for person in (engagement.mentee, engagement.mentor):
                other = engagement.other(person)
                if kind == "feedback":
                    text = f"How was your session with {other.display_name}? One tap to rate it."
                else:
                    zone = engine_slots.zone_of(person.profile.timezone)
                    text = f"Reminder: session with {other.display_name} " + when_words(
                        start=session.start, now=now, zone=zone
                    )
                notify(
                    user=person,
                    kind=Kind.MESSAGE if kind != "feedback" else Kind.WRAP_UP,
                    text=text,
                    url=_session_url(session),
                    ref=reminder_ref(session) if kind != "feedback" else "",
                )
    except IntegrityError:
        return False  # sent already
    return True


def reminder_due_at(session: Session, kind: str) -> datetime:
    """When a reminder of this kind is due for the session's current time."""
    return session.end if kind == "feedback" else session.start - REMINDERS[kind]


def placed_at(session: Session) -> datetime:
    """When the session was booked at its current time, or last moved there."""
    from .models import SessionChange

    latest = session.changes.filter(kind__in=SessionChange.PLACING).aggregate(at=Max("at"))["at"]
    return latest or session.created_at


def reminder_ref(session: Session) -> str:
    """The notices reminding of this session's time, withdrawn when it moves or is cancelled."""
    return f"session:{session.pk}:reminder"


def when_words(*, start: datetime, now: datetime, zone: tzinfo) -> str:
    """When the session is, said truly for a person in `zone` at `now`: "in an hour" (or
    the minutes left), "today", "tomorrow" by their own calendar, else the date alone;
    then the local time with the zone's abbreviation."""
    local = timezone.localtime(start, zone)
    shown = f"{local:%a %d %b %H:%M} ({local.tzname()})"
    minutes = round((start - now).total_seconds() / 60)
    days = (local.date() - timezone.localtime(now, zone).date()).days
    if minutes <= 60:
        when = "in an hour" if minutes >= 55 else f"in {minutes} minutes"
    elif days <= 1:
        when = "today" if days == 0 else "tomorrow"
    else:
        return f"on {shown}"
    return f"{when}, {shown}"


def _session_url(session: Session) -> str:
    # The session page comes with the scheduling UI; until its route exists, link to the
    # engagement (which lists its sessions) rather than fail the reminder.
    try:
        return session.get_absolute_url()
    except NoReverseMatch:
        return session.engagement.get_absolute_url()


def schedule_reminders(session: Session, *, now: datetime) -> None:
    """Queue the 24 h and 1 h reminders and the feedback request for the session's current
    time (after commit), leaving out any whose moment is already past at `now`, the moment
    of booking or moving. Moved sessions queue new ones; old ones find the time changed."""
    if not default_task_backend.supports_defer or is_quiet():
        # `pairup send-reminders` (cron) covers backends that cannot defer; what is written
        # quietly (the demo's history) queues nothing.
        return
    for_start = session.start.isoformat()
    plan = [
        (kind, due)
        for kind in (*REMINDERS, "feedback")
        if (due := reminder_due_at(session, kind)) >= now
    ]

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

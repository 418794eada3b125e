"""Reminders on a frozen clock through `pairup send_reminders` (cron): the 24 h and 1 h
reminders and the feedback request go out once each, only within their grace period."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from pairup.notifications.models import Notification
from pairup.sessions.models import Reminder
from pairup.sessions.services import session_book, session_cancel, session_reschedule
from pairup.sessions.tasks import reminder_send, send_reminder

from .conftest import NOW

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

START = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)  # Wednesday, 30 minutes


def _book(engagement, mentee, start=START):
    with time_machine.travel(NOW, tick=False):
        session = session_book(engagement=engagement, by=mentee, start=start, duration=30)
    # Only what scheduling sends from here on: not the ask's and the booking's notices.
    Notification.objects.all().delete()
    mail.outbox.clear()
    return session


def _run_at(moment: datetime) -> str:
    out = StringIO()
    with time_machine.travel(moment, tick=False):
        call_command("send_reminders", stdout=out)
    return out.getvalue().strip()


def _texts(user) -> list[str]:
    return list(
        Notification.objects.filter(user=user).order_by("id").values_list("text", flat=True)
    )


def test_each_reminder_goes_out_once_at_its_time(engagement, mentee, mentor):
    session = _book(engagement, mentee)

    assert _run_at(datetime(2026, 3, 3, 9, 59, tzinfo=UTC)) == "Sent 0 reminders."  # not due yet
    assert _run_at(datetime(2026, 3, 3, 10, 5, tzinfo=UTC)) == "Sent 1 reminder."
    assert _run_at(datetime(2026, 3, 3, 10, 10, tzinfo=UTC)) == "Sent 0 reminders."
    assert _texts(mentee) == [
        "Reminder: session with Priya Mentor tomorrow, Wed 04 Mar 10:00 (UTC)"
    ]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([mentee.email, mentor.email])
    assert all("Reminder: session with" in m.subject for m in mail.outbox)

    mail.outbox.clear()
    assert _run_at(datetime(2026, 3, 4, 9, 0, tzinfo=UTC)) == "Sent 1 reminder."
    assert _run_at(datetime(2026, 3, 4, 9, 15, tzinfo=UTC)) == "Sent 0 reminders."
    assert (
        _texts(mentor)[-1] == "Reminder: session with Sam Mentee in an hour, Wed 04 Mar 10:00 (UTC)"
    )
    assert len(mail.outbox) == 2

    mail.outbox.clear()
    assert _run_at(datetime(2026, 3, 4, 10, 20, tzinfo=UTC)) == "Sent 0 reminders."  # not ended
    assert _run_at(datetime(2026, 3, 4, 10, 31, tzinfo=UTC)) == "Sent 1 reminder."
    assert _run_at(datetime(2026, 3, 4, 18, 0, tzinfo=UTC)) == "Sent 0 reminders."
    assert _texts(mentee)[-1] == "How was your session with Priya Mentor? One tap to rate it."
    assert len(mail.outbox) == 2

    assert sorted(Reminder.objects.filter(session=session).values_list("kind", flat=True)) == [
        "1h",
        "24h",
        "feedback",
    ]
    assert Notification.objects.filter(user=mentee).count() == 3


def test_after_a_restart_only_reminders_still_in_their_grace_period_go_out(
    engagement, mentee, mentor
):
    session = _book(engagement, mentee)
    # Nothing ran for a day and a half: the 24 h reminder is stale, the 1 h one is due.
    assert _run_at(datetime(2026, 3, 4, 9, 10, tzinfo=UTC)) == "Sent 1 reminder."
    assert list(Reminder.objects.values_list("kind", flat=True)) == ["1h"]
    assert [t.split(",")[0] for t in _texts(mentee)] == [
        "Reminder: session with Priya Mentor in an hour"
    ]
    # Down again until the next day, past the feedback request's 24 h grace too.
    assert _run_at(datetime(2026, 3, 5, 10, 31, tzinfo=UTC)) == "Sent 0 reminders."
    assert list(Reminder.objects.filter(session=session).values_list("kind", flat=True)) == ["1h"]


def test_a_deferred_reminder_past_its_grace_does_nothing(engagement, mentee):
    session = _book(engagement, mentee)
    with time_machine.travel(datetime(2026, 3, 3, 12, 1, tzinfo=UTC), tick=False):
        # A worker that was down runs the 24 h reminder two hours and a minute late.
        result = send_reminder.enqueue(
            session_id=session.pk, kind="24h", for_start=START.isoformat()
        )
    assert result.return_value is False
    assert not Reminder.objects.exists() and not Notification.objects.exists()


def test_a_moved_session_forgets_its_old_reminders_and_reminds_at_the_new_time(
    engagement, mentee, mentor
):
    session = _book(engagement, mentee)
    new_start = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)
    with time_machine.travel(NOW, tick=False):
        session_reschedule(session=session, by=mentor, start=new_start)
    Notification.objects.all().delete()
    mail.outbox.clear()

    # The reminder queued for the old time finds the time changed.
    old_due = datetime(2026, 3, 3, 10, 5, tzinfo=UTC)
    assert reminder_send(session_id=session.pk, kind="24h", for_start=START, now=old_due) is False
    with time_machine.travel(old_due, tick=False):
        stale = send_reminder.enqueue(
            session_id=session.pk, kind="24h", for_start=START.isoformat()
        )
    assert stale.return_value is False
    assert _run_at(old_due) == "Sent 0 reminders."
    assert _run_at(datetime(2026, 3, 4, 9, 5, tzinfo=UTC)) == "Sent 0 reminders."

    assert _run_at(datetime(2026, 3, 4, 14, 5, tzinfo=UTC)) == "Sent 1 reminder."
    assert _texts(mentee) == [
        "Reminder: session with Priya Mentor tomorrow, Thu 05 Mar 14:00 (UTC)"
    ]
    assert list(Reminder.objects.values_list("kind", "for_start")) == [("24h", new_start)]
    assert len(mail.outbox) == 2


def test_a_cancelled_session_sends_no_reminders(engagement, mentee):
    session = _book(engagement, mentee)
    with time_machine.travel(NOW, tick=False):
        session_cancel(session=session, by=mentee, reason="Clash")
    Notification.objects.all().delete()
    mail.outbox.clear()
    for moment in (
        datetime(2026, 3, 3, 10, 5, tzinfo=UTC),
        datetime(2026, 3, 4, 9, 5, tzinfo=UTC),
        datetime(2026, 3, 4, 10, 35, tzinfo=UTC),
    ):
        assert _run_at(moment) == "Sent 0 reminders."
    assert not Reminder.objects.exists()
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_with_a_deferring_backend_the_worker_and_cron_still_send_each_reminder_once(
    settings, engagement, mentee, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with (
        time_machine.travel(NOW, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        session = session_book(engagement=engagement, by=mentee, start=START, duration=30)
    queued = DBTaskResult.objects.filter(task_path__endswith=".send_reminder").order_by("run_after")
    plan = [(r.args_kwargs["kwargs"]["kind"], r.run_after) for r in queued]
    assert plan == [
        ("24h", datetime(2026, 3, 3, 10, tzinfo=UTC)),
        ("1h", datetime(2026, 3, 4, 9, tzinfo=UTC)),
        ("feedback", datetime(2026, 3, 4, 10, 30, tzinfo=UTC)),
    ]
    for row in queued:
        with time_machine.travel(row.run_after, tick=False):
            assert send_reminder.call(**row.args_kwargs["kwargs"]) is True  # the worker
            assert send_reminder.call(**row.args_kwargs["kwargs"]) is False  # a retry
        assert _run_at(row.run_after) == "Sent 0 reminders."  # cron right after
    assert Reminder.objects.filter(session=session).count() == 3

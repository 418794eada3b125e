"""Reminders on a frozen clock through `pairup send_reminders` (cron): the 24 h and 1 h
reminders and the feedback request go out once each, only within their grace period."""

from __future__ import annotations

from datetime import UTC, datetime, time
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
        "Reminder: session with Priya Mentor in 50 minutes"  # ten minutes late
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


def test_a_delivered_reminder_is_withdrawn_when_the_session_moves(engagement, mentee, mentor):
    # The case: "tomorrow, 10:00" delivered, then the session moves to 15:00.
    session = _book(engagement, mentee)
    assert _run_at(datetime(2026, 3, 3, 10, 5, tzinfo=UTC)) == "Sent 1 reminder."
    assert _texts(mentee) == [
        "Reminder: session with Priya Mentor tomorrow, Wed 04 Mar 10:00 (UTC)"
    ]
    with time_machine.travel(datetime(2026, 3, 3, 11, 0, tzinfo=UTC), tick=False):
        session_reschedule(
            session=session, by=mentor, start=datetime(2026, 3, 4, 15, 0, tzinfo=UTC)
        )
    assert not any("10:00" in t for t in _texts(mentee) + _texts(mentor))

    assert _run_at(datetime(2026, 3, 3, 15, 5, tzinfo=UTC)) == "Sent 1 reminder."
    assert _texts(mentee)[-1] == (
        "Reminder: session with Priya Mentor tomorrow, Wed 04 Mar 15:00 (UTC)"
    )
    assert _texts(mentor)[-1] == (
        "Reminder: session with Sam Mentee tomorrow, Wed 04 Mar 15:00 (UTC)"
    )


def test_a_delivered_reminder_is_withdrawn_when_the_session_is_cancelled(engagement, mentee):
    session = _book(engagement, mentee)
    assert _run_at(datetime(2026, 3, 3, 10, 5, tzinfo=UTC)) == "Sent 1 reminder."
    with time_machine.travel(datetime(2026, 3, 3, 11, 0, tzinfo=UTC), tick=False):
        session_cancel(session=session, by=mentee, reason="Clash")
    assert not Notification.objects.filter(text__startswith="Reminder:").exists()
    assert _run_at(datetime(2026, 3, 4, 9, 5, tzinfo=UTC)) == "Sent 0 reminders."


def test_no_tomorrow_reminder_for_a_session_booked_less_than_a_day_ahead(
    engagement, mentee, mentor
):
    booked_at = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    start = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)  # 23 h ahead
    with time_machine.travel(booked_at, tick=False):
        session = session_book(engagement=engagement, by=mentee, start=start, duration=30)
    Notification.objects.all().delete()

    # The "tomorrow" reminder was due an hour before the booking: it never goes out, not by
    # cron and not through a queued task that would run at once.
    assert _run_at(datetime(2026, 3, 2, 10, 5, tzinfo=UTC)) == "Sent 0 reminders."
    assert reminder_send(session_id=session.pk, kind="24h", for_start=start, now=booked_at) is False
    # The hour-before reminder is still sent.
    assert _run_at(datetime(2026, 3, 3, 8, 0, tzinfo=UTC)) == "Sent 1 reminder."
    assert _texts(mentee) == [
        "Reminder: session with Priya Mentor in an hour, Tue 03 Mar 09:00 (UTC)"
    ]
    assert list(Reminder.objects.values_list("kind", flat=True)) == ["1h"]


def test_no_reminder_for_a_moment_already_passed_when_the_session_moved(engagement, mentee, mentor):
    session = _book(engagement, mentee)
    moved_at = datetime(2026, 3, 3, 9, 50, tzinfo=UTC)
    new_start = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)  # its 24 h moment was 20 min ago
    with time_machine.travel(moved_at, tick=False):
        session_reschedule(session=session, by=mentor, start=new_start)
    Notification.objects.all().delete()

    assert _run_at(datetime(2026, 3, 3, 10, 5, tzinfo=UTC)) == "Sent 0 reminders."
    assert _run_at(datetime(2026, 3, 4, 8, 30, tzinfo=UTC)) == "Sent 1 reminder."
    assert [t.split(",")[0] for t in _texts(mentee)] == [
        "Reminder: session with Priya Mentor in an hour"
    ]


def test_the_hour_before_reminder_goes_out_for_a_session_booked_three_hours_ahead(
    settings, engagement, mentee, mentor, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from pairup.availability.services import availability_set

    availability_set(
        user=mentor,
        timezone_name="Europe/London",
        weekly=[(d, time(9), time(17)) for d in range(5)],
        min_notice_minutes=60,
    )
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    booked_at = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    start = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)
    with (
        time_machine.travel(booked_at, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        session = session_book(engagement=engagement, by=mentee, start=start, duration=30)
    queued = DBTaskResult.objects.filter(task_path__endswith=".send_reminder").order_by("run_after")
    # No "tomorrow" reminder queued to run at once; the 1 h one and the feedback request are.
    assert [(r.args_kwargs["kwargs"]["kind"], r.run_after) for r in queued] == [
        ("1h", datetime(2026, 3, 2, 12, 0, tzinfo=UTC)),
        ("feedback", datetime(2026, 3, 2, 13, 30, tzinfo=UTC)),
    ]
    Notification.objects.all().delete()
    with time_machine.travel(datetime(2026, 3, 2, 12, 0, tzinfo=UTC), tick=False):
        assert send_reminder.call(**queued[0].args_kwargs["kwargs"]) is True
    assert _texts(mentee) == [
        "Reminder: session with Priya Mentor in an hour, Mon 02 Mar 13:00 (UTC)"
    ]
    assert list(Reminder.objects.filter(session=session).values_list("kind", flat=True)) == ["1h"]


def test_reminder_words_hold_in_each_persons_zone_across_a_dst_change(engagement, mentee, mentor):
    from pairup.availability.services import availability_set

    availability_set(
        user=mentor,
        timezone_name="Asia/Tokyo",
        weekly=[(d, time(9), time(17)) for d in range(5)],
    )
    _set_zone(mentor, "Asia/Tokyo")
    _set_zone(mentee, "America/New_York")
    # Mon 9 Mar 13:30 in Tokyo is 00:30 in New York, the night after its clocks went forward:
    # 24 h before, New York's clock shows Saturday 23:30, two dates before the session.
    start = datetime(2026, 3, 9, 4, 30, tzinfo=UTC)
    _book(engagement, mentee, start=start)
    assert _run_at(datetime(2026, 3, 8, 4, 30, tzinfo=UTC)) == "Sent 1 reminder."
    assert _texts(mentee) == ["Reminder: session with Priya Mentor on Mon 09 Mar 00:30 (EDT)"]
    assert _texts(mentor) == ["Reminder: session with Sam Mentee tomorrow, Mon 09 Mar 13:30 (JST)"]


def test_the_day_before_reminder_says_today_when_the_local_date_is_the_sessions(
    engagement, mentee, mentor
):
    from pairup.availability.services import availability_set

    availability_set(
        user=mentor,
        timezone_name="UTC",
        weekly=[(d, time(8), time(16)) for d in range(7)],
    )
    _set_zone(mentee, "Pacific/Auckland")
    # Auckland's clocks go back on Sun 5 Apr: 24 h before 23:30 that night is 00:30 the
    # same day there.
    start = datetime(2026, 4, 5, 11, 30, tzinfo=UTC)
    with time_machine.travel(datetime(2026, 3, 30, 8, 0, tzinfo=UTC), tick=False):
        session_book(engagement=engagement, by=mentee, start=start, duration=30)
    Notification.objects.all().delete()
    assert _run_at(datetime(2026, 4, 4, 11, 35, tzinfo=UTC)) == "Sent 1 reminder."
    assert _texts(mentee) == ["Reminder: session with Priya Mentor today, Sun 05 Apr 23:30 (NZST)"]
    assert _texts(mentor) == ["Reminder: session with Sam Mentee tomorrow, Sun 05 Apr 11:30 (UTC)"]


def test_the_hour_before_reminder_says_how_long_is_left_when_it_goes_out_late(engagement, mentee):
    _book(engagement, mentee)
    assert _run_at(datetime(2026, 3, 4, 9, 15, tzinfo=UTC)) == "Sent 1 reminder."
    assert _texts(mentee) == [
        "Reminder: session with Priya Mentor in 45 minutes, Wed 04 Mar 10:00 (UTC)"
    ]


def _set_zone(user, name: str) -> None:
    user.profile.timezone = name
    user.profile.save(update_fields=["timezone"])

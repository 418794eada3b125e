"""The session emails: a calendar part with a clean header (one charset, the calendar's
METHOD) and a link back to the session on SITE_URL."""

from __future__ import annotations

from datetime import UTC, datetime

import icalendar
import pytest

from pairup.sessions import services

pytestmark = pytest.mark.django_db

SITE = "https://mentoring.example.org"


def calendar_part(message):
    (part,) = [p for p in message.message().walk() if p.get_content_type() == "text/calendar"]
    return part


def book(engagement, mentee, capture):
    with capture(execute=True):
        return services.session_book(
            engagement=engagement,
            by=mentee,
            start=datetime(2026, 3, 3, 10, tzinfo=UTC),
            duration=30,
        )


def test_the_calendar_part_names_its_charset_once_and_its_method(
    frozen, engagement, mentee, mentor, django_capture_on_commit_callbacks, mailoutbox
):
    book(engagement, mentee, django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 2
    for message in mailoutbox:
        part = calendar_part(message)
        header = part["Content-Type"]
        assert header.lower().count("charset") == 1, header
        assert part.get_params() == [
            ("text/calendar", ""),
            ("method", "REQUEST"),
            ("charset", "utf-8"),
        ]
        assert part.get_filename() == "invite.ics"
        cal = icalendar.Calendar.from_ical(part.get_payload(decode=True))
        assert str(cal["method"]) == "REQUEST"


def test_a_cancellation_part_says_method_cancel(
    frozen, engagement, mentee, mentor, django_capture_on_commit_callbacks, mailoutbox
):
    session = book(engagement, mentee, django_capture_on_commit_callbacks)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(session=session, by=mentor, reason="Ill")
    assert [calendar_part(m).get_param("method") for m in mailoutbox] == ["CANCEL", "CANCEL"]


def test_the_booking_email_links_back_to_the_session(
    settings, frozen, engagement, mentee, mentor, django_capture_on_commit_callbacks, mailoutbox
):
    settings.SITE_URL = SITE
    session = book(engagement, mentee, django_capture_on_commit_callbacks)
    for message in mailoutbox:
        assert f"Open it in PairUp: {SITE}/sessions/{session.pk}/\n" in message.body


def test_the_calendar_title_cuts_a_long_question_at_a_word(
    frozen, program, mentee, mentor, london_week, django_capture_on_commit_callbacks, mailoutbox
):
    from .conftest import make_engagement

    engagement = make_engagement(program, mentee, mentor)
    engagement.ask.question = (
        "How do I negotiate a data science offer with equity and a signing bonus?"
    )
    engagement.ask.save(update_fields=["question"])
    book(engagement, mentee, django_capture_on_commit_callbacks)
    cal = icalendar.Calendar.from_ical(calendar_part(mailoutbox[0]).get_payload(decode=True))
    summary = str(next(iter(cal.walk("VEVENT")))["summary"])
    assert summary.endswith("· How do I negotiate a data science offer with equity and a…")


def test_a_session_written_quietly_emails_nobody_and_queues_no_reminder(
    settings, frozen, engagement, mentee, mentor, django_capture_on_commit_callbacks, mailoutbox
):
    from pairup.core.quiet import quietly

    # A backend that can defer, as a real deployment's, would queue the reminders.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with django_capture_on_commit_callbacks(execute=True) as callbacks, quietly():
        session = book(engagement, mentee, django_capture_on_commit_callbacks)
        services.session_cancel(session=session, by=mentor, reason="Ill")
    assert (callbacks, mailoutbox) == ([], [])

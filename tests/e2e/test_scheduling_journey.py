"""Scheduling end to end in chromium, on the real clock: a London mentor sets weekly hours
in the availability editor; a New York mentee sees them in their own zone and books with
one click; both see the session and its video link; the mentee moves it; the .ics behind
the page's link carries the right UTC times."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from pairup.asks import services as ask_services
from pairup.availability.models import Availability
from pairup.programs.models import Membership
from pairup.sessions.models import Session
from tests.factories import ProgramFactory, UserFactory, make_mentor

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LONDON, NEW_YORK = ZoneInfo("Europe/London"), ZoneInfo("America/New_York")


def signed_in(browser, base: str, user):
    """A browser context with `user` signed in (a session cookie, no login form)."""
    context = browser.new_context(viewport={"width": 1200, "height": 860})
    context.add_cookies(session_cookie(base, user))
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def utc_of(day, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LONDON).astimezone(UTC)


def test_scheduling_journey(live_server, browser, page, shoot):
    base = live_server.url
    program = ProgramFactory(name="Acme Mentoring", slug="acme", session_lengths=[30, 45])
    mentee = UserFactory(
        email="nina@example.org",
        profile_fields={"display_name": "Nina Newcomer", "timezone": "America/New_York"},
    )
    Membership.objects.create(program=program, user=mentee, is_mentee=True)
    mentor = make_mentor(
        program,
        topics={"negotiating-an-offer": "expert"},
        display_name="Priya Raman",
        site="London",
        timezone="Europe/London",
    )
    ask = ask_services.ask_create(
        program=program,
        mentee=mentee,
        topics=["negotiating-an-offer"],
        sessions=2,
        question="How do I negotiate equity in my first data-science offer?",
    )
    invitation = ask_services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    engagement = ask_services.invitation_accept(invitation=invitation, by=mentor)

    # Two London days from now (past the 12 h notice) and the day after.
    first_day = timezone.now().astimezone(LONDON).date() + timedelta(days=2)
    second_day = first_day + timedelta(days=1)

    # The mentor sets two windows, adding the second row through the editor.
    page.context.add_cookies(session_cookie(base, mentor))
    page.goto(f"{base}/")
    page.get_by_role("link", name="Availability").click()
    assert page.input_value("#id_timezone") == "Europe/London"
    page.select_option("#id_weekly-0-weekday", str(first_day.weekday()))
    page.fill("#id_weekly-0-start", "10:00")
    page.fill("#id_weekly-0-end", "12:00")
    page.get_by_role("button", name="Add a window").click()
    page.wait_for_selector("#id_weekly-1-start")
    page.select_option("#id_weekly-1-weekday", str(second_day.weekday()))
    page.fill("#id_weekly-1-start", "14:00")
    page.fill("#id_weekly-1-end", "16:00")
    page.select_option("#id_overrides-0-kind", "off")
    page.fill("#id_overrides-0-date", (first_day + timedelta(days=7)).isoformat())
    shoot("availability-editor")
    page.get_by_role("button", name="Save availability").click()
    page.wait_for_selector("text=Your availability is saved.")
    windows = list(
        Availability.objects.get(user=mentor).weekly.values_list("weekday", "start", "end")
    )
    assert sorted(windows) == sorted(
        [(first_day.weekday(), time(10), time(12)), (second_day.weekday(), time(14), time(16))]
    )

    # The mentee sees the 10:00 London slot in New York time and books it with one click.
    booked_utc = utc_of(first_day, 10)
    page.context.clear_cookies()
    page.context.add_cookies(session_cookie(base, mentee))
    page.goto(f"{base}{engagement.get_absolute_url()}")
    picker = page.locator("#slot-picker")
    assert "America/New_York" in picker.inner_text()
    button = picker.locator(f'button[value="{booked_utc.isoformat()}"]')
    assert button.inner_text() == booked_utc.astimezone(NEW_YORK).strftime("%H:%M")
    shoot("slot-picker")
    # The program offers 30 and 45 minutes; this engagement was agreed at 30, so the picker
    # offers that length alone.
    page.wait_for_selector("text=One click books a 30-minute session")
    assert page.get_by_label("45 minutes").count() == 0
    button = page.locator(f'#slot-picker button[value="{booked_utc.isoformat()}"]')
    button.click()
    page.wait_for_url(re.compile(r"/sessions/\d+/$"))
    session = Session.objects.get()
    assert session.start == booked_utc and session.minutes == 30
    local = booked_utc.astimezone(NEW_YORK)
    heading = page.locator("h1").inner_text()
    assert local.strftime("%H:%M") in heading and str(local.day) in heading
    join = page.get_by_role("link", name="Join the video call")
    assert join.get_attribute("href") == session.video_url

    # The mentor sees the same session, in London time, with the same link.
    mentor_ctx, mentor_page = signed_in(browser, base, mentor)
    mentor_page.goto(f"{base}/mentor/")
    mentor_page.locator(f'a[href="/sessions/{session.pk}/"]').click()
    assert "10:00" in mentor_page.locator("h1").inner_text()
    assert (
        mentor_page.get_by_role("link", name="Join the video call").get_attribute("href")
        == session.video_url
    )
    mentor_ctx.close()

    # The mentee moves it to 14:00 London the day after.
    moved_utc = utc_of(second_day, 14)
    page.get_by_role("link", name="Pick another time").click()
    page.locator(f'#slot-picker button[value="{moved_utc.isoformat()}"]').click()
    page.wait_for_selector("text=Moved to")
    session.refresh_from_db()
    assert (session.start, session.sequence, Session.objects.count()) == (moved_utc, 1, 1)

    # The .ics behind the page's link: the same event, at the new UTC times.
    href = page.locator("a.ics-link").get_attribute("href")
    response = page.context.request.get(base + href)
    assert response.ok
    event = icalendar.Calendar.from_ical(response.body()).walk("VEVENT")[0]
    assert event.decoded("dtstart") == moved_utc
    assert event.decoded("dtend") == moved_utc + timedelta(minutes=30)
    assert str(event["uid"]) == session.uid and int(event["sequence"]) == 1


def session_cookie(base: str, user) -> list[dict[str, str]]:
    client = Client()
    client.force_login(user)
    return [
        {
            "name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": base,
        }
    ]

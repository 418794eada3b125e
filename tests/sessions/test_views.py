"""The sessions pages: the calendar feed address, the slot picker on the engagement page,
booking, and the session page (on a frozen clock: NOW is Monday 2 March 2026, 08:00Z)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from pairup.asks.models import Engagement
from pairup.availability.models import Availability
from pairup.programs.models import Membership
from pairup.sessions.models import (
    CalendarFeed,
    IdempotencyKey,
    Session,
    SessionFeedback,
    SessionStatus,
)
from pairup.sessions.services import session_book, session_feedback_give, session_outcome
from tests.factories import UserFactory

from .conftest import NOW, make_engagement

pytestmark = pytest.mark.django_db


def _zone(user, name: str) -> None:
    user.profile.timezone = name
    user.profile.save()


def test_calendar_feed_address_shown_and_rotated(client, mentor):
    client.force_login(mentor)
    page = client.get("/availability/").content.decode()
    old = CalendarFeed.objects.get(user=mentor).token
    assert f"/calendar/{old}.ics" in page and "Google Calendar" in page
    client.post("/availability/feed/rotate/")
    new = CalendarFeed.objects.get(user=mentor).token
    assert new != old and client.get(f"/calendar/{old}.ics").status_code == 404
    assert f"/calendar/{new}.ics" in client.get("/availability/").content.decode()


# ---------------------------------------------------------------- slot picker and booking


def _slot_label(html: str, utc: str) -> str:
    found = re.search(rf'value="{re.escape(utc)}"[^>]*>(\d\d:\d\d)<', html)
    return found.group(1) if found else ""


def test_slot_picker_shows_times_in_the_viewers_zone(client, frozen, engagement, mentee):
    _zone(mentee, "America/New_York")
    client.force_login(mentee)
    html = client.get(engagement.get_absolute_url()).content.decode()
    assert "America/New_York" in html and "the mentor is in Europe/London" in html
    # 10:00Z on Tuesday 3 March: New York is on EST (UTC-5), London on GMT.
    assert _slot_label(html, "2026-03-03T10:00:00+00:00") == "05:00"
    # Monday 9 March: New York moved to EDT (UTC-4) on the 8th, London not yet.
    assert _slot_label(html, "2026-03-09T10:00:00+00:00") == "06:00"
    assert 'Tue 3 Mar <span class="muted">EST' in html
    assert 'Mon 9 Mar <span class="muted">EDT' in html
    # Inside the 12 h notice nothing is offered; beyond two weeks neither.
    assert "2026-03-02T" not in html and "2026-03-17T" not in html


def test_slot_picker_offers_the_agreed_length_only_as_an_htmx_partial(
    client, frozen, program, mentee, mentor, london_week
):
    program.session_lengths = [30, 45, 60]
    program.save()
    engagement = make_engagement(program, mentee, mentor, duration=45)
    client.force_login(mentee)
    # Asking for another length changes nothing: the engagement was agreed at 45 minutes.
    html = client.get(f"/engagements/{engagement.pk}/sessions/slots/?duration=60").content.decode()
    assert html.startswith('<div id="slot-picker"')
    assert 'name="duration" value="45"' in html and "45-minute session" in html
    assert 'value="60"' not in html and 'value="30"' not in html
    # 16:15 + 45 min still ends by 17:00; 16:30 would not.
    assert _slot_label(html, "2026-03-03T16:00:00+00:00") == "16:00"
    assert _slot_label(html, "2026-03-03T16:30:00+00:00") == ""


def test_mentor_sees_no_picker_but_a_pointer_to_availability(client, frozen, engagement, mentor):
    client.force_login(mentor)
    html = client.get(engagement.get_absolute_url()).content.decode()
    assert 'id="slot-picker"' not in html and "picks a time from" in html


def _key(html: str) -> str:
    return re.search(r'name="key" value="([^"]+)"', html).group(1)


def test_booking_twice_with_the_same_key_books_once(client, frozen, engagement, mentee):
    client.force_login(mentee)
    key = _key(client.get(engagement.get_absolute_url()).content.decode())
    data = {"start": "2026-03-03T10:00:00+00:00", "duration": "30", "key": key}
    first = client.post(f"/engagements/{engagement.pk}/sessions/book/", data)
    second = client.post(f"/engagements/{engagement.pk}/sessions/book/", data)
    session = Session.objects.get()
    assert first["Location"] == second["Location"] == f"/sessions/{session.pk}/"
    assert session.start == datetime(2026, 3, 3, 10, tzinfo=UTC) and session.minutes == 30
    assert IdempotencyKey.objects.get().key == key
    page = client.get(engagement.get_absolute_url()).content.decode()
    assert f'href="/sessions/{session.pk}/"' in page and "1 left to book" in page


def test_refused_booking_shows_the_reason_in_plain_words(client, frozen, engagement, mentee):
    client.force_login(mentee)
    response = client.post(
        f"/engagements/{engagement.pk}/sessions/book/",
        {"start": "2026-03-02T13:00:00+00:00", "duration": "30", "key": "k1"},
        follow=True,
    )
    assert "inside the mentor&#x27;s notice period (12 h)" in response.content.decode()
    assert not Session.objects.exists()


def test_a_time_already_past_is_refused_as_past_not_as_notice(client, frozen, engagement, mentee):
    """A slot page left open until its first times passed: the refusal says the time has
    passed (a past time is inside the notice period too, but that is not what happened)."""
    client.force_login(mentee)
    response = client.post(
        f"/engagements/{engagement.pk}/sessions/book/",
        {"start": "2026-02-27T10:00:00+00:00", "duration": "30", "key": "k1"},
        follow=True,
    )
    html = response.content.decode()
    assert "That time has passed: pick one of the times offered now." in html
    assert "notice period" not in html
    assert not Session.objects.exists()


def test_taken_slot_is_explained(client, frozen, program, engagement, mentee, mentor):
    other = UserFactory(profile_fields={"display_name": "Other Mentee"})
    Membership.objects.create(program=program, user=other, is_mentee=True)
    theirs = make_engagement(program, other, mentor)
    session_book(
        engagement=theirs, by=other, start=datetime(2026, 3, 3, 10, tzinfo=UTC), duration=30
    )
    client.force_login(mentee)
    response = client.post(
        f"/engagements/{engagement.pk}/sessions/book/",
        {"start": "2026-03-03T10:00:00+00:00", "duration": "30", "key": "k2"},
        follow=True,
    )
    assert "Someone booked that time a moment ago" in response.content.decode()
    assert Session.objects.count() == 1


# ---------------------------------------------------------------- the session page


@pytest.fixture
def booked(frozen, engagement, mentee):
    session = session_book(
        engagement=engagement, by=mentee, start=datetime(2026, 3, 3, 10, tzinfo=UTC), duration=30
    )
    return session


def test_session_page_is_for_its_two_people_only(client, booked, mentee, mentor, outsider):
    for person in (mentee, mentor):
        client.force_login(person)
        assert client.get(f"/sessions/{booked.pk}/").status_code == 200
    client.force_login(outsider)
    assert client.get(f"/sessions/{booked.pk}/").status_code == 404
    assert client.post(f"/sessions/{booked.pk}/cancel/", {"reason": "x"}).status_code == 404
    client.logout()
    assert client.get(f"/sessions/{booked.pk}/").status_code == 302


def test_session_page_shows_time_place_and_ics(client, booked, mentee):
    _zone(mentee, "Asia/Tokyo")
    client.force_login(mentee)
    html = client.get(f"/sessions/{booked.pk}/").content.decode()
    assert "Tuesday 3 March 2026, 19:00–19:30" in html and "Asia/Tokyo" in html
    assert booked.video_url and f'href="{booked.video_url}"' in html
    assert f'href="/api/v1/sessions/{booked.pk}.ics"' in html
    ics = client.get(f"/api/v1/sessions/{booked.pk}.ics")
    assert ics.status_code == 200 and b"DTSTART:20260303T100000Z" in ics.content


def test_reschedule_through_the_page_moves_the_same_session(client, booked, mentee):
    client.force_login(mentee)
    html = client.get(f"/sessions/{booked.pk}/?move=1").content.decode()
    assert _slot_label(html, "2026-03-04T14:00:00+00:00") == "14:00"
    response = client.post(
        f"/sessions/{booked.pk}/reschedule/", {"start": "2026-03-04T14:00:00+00:00"}
    )
    assert response["Location"] == f"/sessions/{booked.pk}/"
    booked.refresh_from_db()
    assert booked.start == datetime(2026, 3, 4, 14, tzinfo=UTC) and booked.sequence == 1
    html = client.get(f"/sessions/{booked.pk}/").content.decode()
    assert "Moved by Sam Mentee: from Tue 3 Mar 10:00 to Wed 4 Mar 14:00" in html


def test_late_cancel_is_noted(client, frozen, booked, mentor):
    client.force_login(mentor)
    frozen.move_to(datetime(2026, 3, 3, 4, tzinfo=UTC))
    response = client.post(f"/sessions/{booked.pk}/cancel/", {"reason": "Ill today"}, follow=True)
    booked.refresh_from_db()
    assert booked.status == SessionStatus.CANCELLED and booked.late_cancel
    html = response.content.decode()
    assert "noted as late" in html and "cancelled late: Ill today" in html


def test_outcome_and_one_tap_rating_after_the_end(client, frozen, booked, mentee, mentor):
    client.force_login(mentor)
    assert "How did it go?" not in client.get(f"/sessions/{booked.pk}/").content.decode()
    frozen.move_to(datetime(2026, 3, 3, 11, tzinfo=UTC))
    html = client.get(f"/sessions/{booked.pk}/").content.decode()
    assert "mark as held" in html and "did not come" in html
    client.post(f"/sessions/{booked.pk}/held/")
    booked.refresh_from_db()
    assert booked.status == SessionStatus.HELD
    client.force_login(mentee)
    client.post(f"/sessions/{booked.pk}/rate/", {"rating": "5"})
    assert SessionFeedback.objects.get().rating == 5
    html = client.get(f"/sessions/{booked.pk}/").content.decode()
    assert "You rated it 5 out of 5" in html


def _session_row(html: str, session: Session) -> str:
    """The engagement page's line for `session` in its sessions list."""
    found = re.search(
        rf'<li class="session-item">\s*<a href="/sessions/{session.pk}/">.*?</li>', html, re.S
    )
    assert found, f"session {session.pk} is not listed"
    return found.group(0)


def test_engagement_page_offers_a_rating_for_each_held_session(
    client, frozen, engagement, booked, mentee, mentor, outsider
):
    later = session_book(
        engagement=engagement, by=mentee, start=datetime(2026, 3, 5, 10, tzinfo=UTC), duration=30
    )
    frozen.move_to(datetime(2026, 3, 3, 11, tzinfo=UTC))
    session_outcome(session=booked, by=mentor, outcome="held")
    rate = f'<a class="button ghost small" href="/sessions/{booked.pk}/#rate">Rate this session</a>'
    for person in (mentee, mentor):
        client.force_login(person)
        html = client.get(engagement.get_absolute_url()).content.decode()
        # The held session offers its rating page; the one still ahead offers none.
        assert rate in _session_row(html, booked)
        assert "Rate this session" not in _session_row(html, later)
    # Once rated, the page shows the rating given (each person sees their own).
    session_feedback_give(session=booked, by=mentee, rating=4)
    client.force_login(mentee)
    row = _session_row(client.get(engagement.get_absolute_url()).content.decode(), booked)
    assert "You rated it 4/5" in row and "Rate this session" not in row
    client.force_login(mentor)
    assert rate in _session_row(client.get(engagement.get_absolute_url()).content.decode(), booked)
    # The link leads to the session's rating, which outsiders cannot reach.
    assert 'id="rate"' in client.get(f"/sessions/{booked.pk}/").content.decode()
    client.force_login(outsider)
    assert client.get(engagement.get_absolute_url()).status_code == 404


def test_mentee_reports_mentor_no_show(client, frozen, booked, mentee):
    frozen.move_to(datetime(2026, 3, 3, 11, tzinfo=UTC))
    client.force_login(mentee)
    response = client.post(f"/sessions/{booked.pk}/held/", follow=True)
    assert "The mentor marks held" in response.content.decode()
    client.post(f"/sessions/{booked.pk}/no_show_mentor/")
    booked.refresh_from_db()
    assert booked.status == SessionStatus.NO_SHOW_MENTOR


@pytest.mark.parametrize("count", [1, 3])
def test_dashboards_list_upcoming_sessions_in_constant_queries(
    client, frozen, program, mentor, london_week, count, django_assert_num_queries
):
    program.mentor_monthly_cap = 20
    program.save()
    for n in range(count):
        person = UserFactory(profile_fields={"display_name": f"Mentee {n}"})
        Membership.objects.create(program=program, user=person, is_mentee=True)
        e = make_engagement(program, person, mentor, sessions=1)
        session_book(
            engagement=e, by=person, start=datetime(2026, 3, 3, 9 + n, tzinfo=UTC), duration=30
        )
    assert datetime(2026, 3, 3, tzinfo=UTC) > NOW
    client.force_login(mentor)
    client.get("/mentor/")
    with django_assert_num_queries(14):  # the same with 1 or 3 sessions
        html = client.get("/mentor/").content.decode()
    assert html.count('class="card session-item"') == count
    assert "Tuesday 3 March, 09:00–09:30" in html


def test_demo_mentee_can_book_at_once(client):
    from pairup.accounts.models import User
    from pairup.programs.models import MentorStatus
    from pairup.site.demo import demo_load

    demo_load()
    mentors = Membership.objects.filter(program__slug="acme-mentoring", is_mentor=True)
    assert Availability.objects.filter(user__in=mentors.values("user")).count() == mentors.count()
    assert Availability.objects.get(user__email="mentor@demo.pairup").weekly.count() == 10
    assert mentors.filter(mentor_status=MentorStatus.APPROVED).exists()
    client.force_login(User.objects.get(email="mentee@demo.pairup"))
    engagement = Engagement.objects.get(mentee__email="mentee@demo.pairup", status="active")
    html = client.get(engagement.get_absolute_url()).content.decode()
    assert html.count('class="slot"') > 10 and "America/New_York" in html


def test_a_mentee_finds_and_revokes_their_own_calendar_feed(client, mentee):
    client.force_login(mentee)
    page = client.get("/my-calendar/")
    assert page.status_code == 200
    first = page.context["feed_url"]
    assert "/calendar/" in first and first.endswith(".ics")
    assert client.get(first.split("127.0.0.1:8000")[-1]).status_code == 200
    response = client.post("/availability/feed/rotate/", {"next": "/my-calendar/"})
    assert response["Location"] == "/my-calendar/#feed"
    second = client.get("/my-calendar/").context["feed_url"]
    assert second != first
    assert client.get(first.split("127.0.0.1:8000")[-1]).status_code == 404

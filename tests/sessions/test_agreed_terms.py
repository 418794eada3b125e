"""Agreed terms hold, on the web and in the API alike: sessions are booked at the length agreed
when the mentor accepted, up to the agreed count, only at times every cap allows (the slot
list and booking run one check), and an engagement is never marked done with a session still
booked ahead."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from django.core import mail

from pairup.asks import services as ask_services
from pairup.asks.models import EngagementStatus
from pairup.availability.models import Commitment
from pairup.availability.services import availability_set
from pairup.core.errors import Conflict, ServiceError
from pairup.notifications.models import Notification
from pairup.programs.models import Membership
from pairup.sessions.models import Session, SessionStatus
from pairup.sessions.services import session_book, session_reschedule
from tests.factories import UserFactory

from .conftest import make_engagement

pytestmark = pytest.mark.django_db

TUESDAY_10 = datetime(2026, 3, 3, 10, tzinfo=UTC)


def _slots(api, who, engagement, start, end, **extra):
    return api(who).get(
        f"/mentors/{engagement.mentor_id}/slots",
        start=start,
        end=end,
        engagement=engagement.pk,
        **extra,
    )


# ---------------------------------------------------------------- the agreed length


@pytest.fixture
def short_engagement(program, mentee, mentor, london_week):
    """Agreed as 1 × 15 min in a program that offers 15 to 60 minutes."""
    program.session_lengths = [15, 30, 45, 60]
    program.save()
    return make_engagement(program, mentee, mentor, sessions=1, duration=15)


def test_booking_another_length_than_agreed_is_422_naming_duration_and_writes_nothing(
    api, frozen, short_engagement, mentee
):
    response = api(mentee).post(
        f"/engagements/{short_engagement.pk}/sessions",
        {"start": "2026-03-03T10:00:00Z", "duration": 60},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_duration"
    assert body["errors"][0]["field"] == "duration"
    assert "1 × 15 min" in body["detail"]
    assert not Session.objects.exists() and not Commitment.objects.exists()


def test_booking_without_a_length_takes_the_agreed_one(api, frozen, short_engagement, mentee):
    response = api(mentee).post(
        f"/engagements/{short_engagement.pk}/sessions", {"start": "2026-03-03T10:00:00Z"}
    )
    assert response.status_code == 201, response.json()
    session = Session.objects.get()
    assert session.minutes == 15


def test_the_service_refuses_another_length_and_a_move_keeps_the_agreed_one(
    frozen, short_engagement, mentee
):
    with pytest.raises(ServiceError) as refused:
        session_book(engagement=short_engagement, by=mentee, start=TUESDAY_10, duration=60)
    assert refused.value.field == "duration"
    session = session_book(engagement=short_engagement, by=mentee, start=TUESDAY_10)
    with pytest.raises(ServiceError):
        session_reschedule(
            session=session, by=mentee, start=datetime(2026, 3, 4, 10, tzinfo=UTC), duration=60
        )
    moved = session_reschedule(
        session=session, by=mentee, start=datetime(2026, 3, 4, 10, tzinfo=UTC)
    )
    assert moved.minutes == 15


def test_slots_are_listed_at_the_agreed_length_and_another_is_422(
    api, frozen, short_engagement, mentee
):
    response = _slots(api, mentee, short_engagement, "2026-03-03T00:00:00Z", "2026-03-04T00:00:00Z")
    assert response.status_code == 200
    body = response.json()
    assert body["duration"] == 15
    first = body["slots"][0]
    assert (first["start"], first["end"]) == ("2026-03-03T09:00:00Z", "2026-03-03T09:15:00Z")
    other = _slots(
        api, mentee, short_engagement, "2026-03-03T00:00:00Z", "2026-03-04T00:00:00Z", duration=60
    )
    assert other.status_code == 422 and other.json()["errors"][0]["field"] == "duration"


def test_booking_past_the_agreed_count_is_409_sessions_used(api, frozen, short_engagement, mentee):
    first = api(mentee).post(
        f"/engagements/{short_engagement.pk}/sessions", {"start": "2026-03-03T10:00:00Z"}
    )
    assert first.status_code == 201
    second = api(mentee).post(
        f"/engagements/{short_engagement.pk}/sessions", {"start": "2026-03-04T10:00:00Z"}
    )
    assert second.status_code == 409 and second.json()["code"] == "sessions_used"
    assert Session.objects.count() == 1


# ---------------------------------------------------------------- caps in the slot list


@pytest.fixture
def capped(program, mentee, mentor):
    """The mentor takes one session a week; another mentee's engagement already promises it
    this week (Monday 2 March), so this engagement's session fits from next week only."""
    other = UserFactory(email="other@example.org", profile_fields={"display_name": "Olu Other"})
    Membership.objects.create(program=program, user=other, is_mentee=True)
    mine = make_engagement(program, mentee, mentor, sessions=1)
    make_engagement(program, other, mentor, sessions=1)
    availability_set(
        user=mentor,
        timezone_name="Europe/London",
        weekly=[(d, time(9), time(17)) for d in range(5)],
        weekly_cap=1,
    )
    return mine


def test_the_slot_list_leaves_out_times_the_weekly_cap_would_refuse(api, frozen, capped, mentee):
    response = _slots(api, mentee, capped, "2026-03-03T00:00:00Z", "2026-03-11T00:00:00Z")
    assert response.status_code == 200
    starts = [s["start"] for s in response.json()["slots"]]
    assert starts, "next week's times are offered"
    assert all(s >= "2026-03-09" for s in starts), starts[:3]
    booked = api(mentee).post(f"/engagements/{capped.pk}/sessions", {"start": starts[0]})
    assert booked.status_code == 201, booked.json()


def test_the_picker_offers_no_time_that_booking_would_refuse(client, frozen, capped, mentee):
    client.force_login(mentee)
    html = client.get(f"/engagements/{capped.pk}/sessions/slots/").content.decode()
    assert 'value="2026-03-03T' not in html and 'value="2026-03-06T' not in html
    assert 'value="2026-03-09T09:00:00+00:00"' in html
    # And booking a time this week is refused with the cap, as the list promised.
    refused = client.post(
        f"/engagements/{capped.pk}/sessions/book/",
        {"start": "2026-03-03T10:00:00+00:00", "duration": "30", "key": "k"},
        follow=True,
    )
    assert "cap of 1 sessions this week" in refused.content.decode()
    assert not Session.objects.exists()


# ---------------------------------------------------------------- done with sessions ahead


@pytest.fixture
def booked_ahead(program, mentee, mentor, london_week, frozen):
    engagement = make_engagement(program, mentee, mentor, sessions=2)
    session = session_book(engagement=engagement, by=mentee, start=TUESDAY_10)
    return engagement, session


def test_marking_done_with_a_session_booked_ahead_is_refused_and_changes_nothing(
    api, booked_ahead, mentor
):
    engagement, session = booked_ahead
    with pytest.raises(Conflict) as refused:
        ask_services.engagement_close(engagement=engagement, by=mentor)
    assert refused.value.code == "sessions_booked"
    assert "1 session is still booked" in refused.value.detail
    response = api(mentor).post(f"/engagements/{engagement.pk}/close", {})
    assert response.status_code == 409 and response.json()["code"] == "sessions_booked"
    engagement.refresh_from_db()
    session.refresh_from_db()
    assert engagement.status == EngagementStatus.ACTIVE
    assert session.status == SessionStatus.BOOKED


def test_marking_done_and_cancelling_the_sessions_ahead_tells_the_other_person(
    api, booked_ahead, mentee, mentor, django_capture_on_commit_callbacks
):
    engagement, session = booked_ahead
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = api(mentor).post(
            f"/engagements/{engagement.pk}/close", {"cancel_sessions": True}
        )
    assert response.status_code == 200, response.json()
    engagement.refresh_from_db()
    session.refresh_from_db()
    assert engagement.status == EngagementStatus.COMPLETED
    assert session.status == SessionStatus.CANCELLED
    assert not Commitment.objects.filter(booked=True).exists()
    cancelled = [m for m in mail.outbox if m.subject.startswith("[PairUp] Session cancelled")]
    assert sorted(m.to[0] for m in cancelled) == sorted([mentee.email, mentor.email])


def test_cancelling_the_engagement_cancels_its_sessions_ahead(booked_ahead, mentee):
    engagement, session = booked_ahead
    ask_services.engagement_close(engagement=engagement, by=mentee, cancel=True, reason="Moved on")
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
    assert session.cancel_reason == "The engagement was cancelled: Moved on"


def test_the_web_asks_before_marking_done_with_sessions_ahead(client, booked_ahead, mentee):
    engagement, session = booked_ahead
    client.force_login(mentee)
    page = client.get(engagement.get_absolute_url()).content.decode()
    assert "1 session is still booked" in page
    assert 'name="cancel_sessions"' in page
    refused = client.post(f"/engagements/{engagement.pk}/complete/", follow=True)
    assert "1 session is still booked" in refused.content.decode()
    engagement.refresh_from_db()
    assert engagement.status == EngagementStatus.ACTIVE
    done = client.post(
        f"/engagements/{engagement.pk}/complete/", {"cancel_sessions": "on"}, follow=True
    )
    assert done.status_code == 200
    engagement.refresh_from_db()
    session.refresh_from_db()
    assert engagement.status == EngagementStatus.COMPLETED
    assert session.status == SessionStatus.CANCELLED
    # The other person hears of it in the app too.
    assert Notification.objects.filter(user=engagement.mentor, text__contains="cancel").exists()

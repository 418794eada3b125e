from __future__ import annotations

from datetime import UTC, datetime

import icalendar
import pytest
from django.core import mail

from pairup.availability.models import Commitment
from pairup.sessions.models import Session, SessionChange
from tests.factories import make_mentor

from .conftest import make_engagement

pytestmark = pytest.mark.django_db


def _book(client, engagement, start, duration=30, **headers):
    client.headers.update(headers)
    return client.post(
        f"/engagements/{engagement.pk}/sessions", {"start": start, "duration": duration}
    )


def test_slots_are_utc_with_the_mentors_zone_named(api, frozen, engagement, mentee, mentor):
    body = (
        api(mentee)
        .get(
            f"/mentors/{mentor.pk}/slots",
            start="2026-03-03T00:00:00Z",
            end="2026-03-04T00:00:00Z",
            duration=30,
            engagement=engagement.pk,
        )
        .json()
    )
    assert body["timezone"] == "Europe/London"
    starts = [s["start"] for s in body["slots"]]
    assert starts[0] == "2026-03-03T09:00:00Z" and starts[-1] == "2026-03-03T16:30:00Z"
    assert len(starts) == 31  # 09:00..16:30 every 15 minutes


def test_slots_with_a_length_the_program_does_not_offer_is_422(
    api, frozen, engagement, mentee, mentor
):
    response = api(mentee).get(
        f"/mentors/{mentor.pk}/slots",
        start="2026-03-03T00:00:00Z",
        end="2026-03-04T00:00:00Z",
        duration=20,
        engagement=engagement.pk,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "duration"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_booking_creates_one_session_for_both_with_their_own_invitations(
    api, frozen, engagement, mentee, mentor
):
    response = _book(api(mentee), engagement, "2026-03-03T10:00:00Z")
    assert response.status_code == 201, response.json()
    session = Session.objects.get()
    assert (session.start, session.end) == (
        datetime(2026, 3, 3, 10, tzinfo=UTC),
        datetime(2026, 3, 3, 10, 30, tzinfo=UTC),
    )
    assert session.video_url.startswith("https://meet.jit.si/pairup-")
    assert sorted(Commitment.objects.values_list("user_id", "role")) == sorted(
        [(mentee.pk, "mentee"), (mentor.pk, "mentor")]
    )
    invites = [m for m in mail.outbox if m.subject == "[PairUp] Session booked"]
    assert sorted(m.to[0] for m in invites) == sorted([mentee.email, mentor.email])
    for message in invites:
        name, content, mimetype = message.attachments[0]
        assert mimetype.startswith("text/calendar; method=REQUEST")
        cal = icalendar.Calendar.from_ical(content)
        event = next(iter(cal.walk("VEVENT")))
        attendees = event.get("attendee")
        attendees = attendees if isinstance(attendees, list) else [attendees]
        assert [str(a) for a in attendees] == [f"mailto:{message.to[0]}"]
        other = mentor.email if message.to[0] == mentee.email else mentee.email
        assert other not in content.decode() if isinstance(content, bytes) else other not in content
        assert event.decoded("dtstart") == datetime(2026, 3, 3, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "code"),
    [
        ("2026-03-02T15:00:00Z", "inside_notice"),
        ("2026-04-20T10:00:00Z", "beyond_horizon"),
        ("2026-03-03T07:00:00Z", "outside_availability"),
        ("2026-03-07T10:00:00Z", "outside_availability"),  # Saturday
    ],
)
def test_booking_outside_what_the_mentor_offers_is_409(
    api, frozen, engagement, mentee, start, code
):
    response = _book(api(mentee), engagement, start)
    assert response.status_code == 409
    assert response.json()["code"] == code
    assert not Session.objects.exists()


def test_naive_time_is_422(api, frozen, engagement, mentee):
    response = _book(api(mentee), engagement, "2026-03-03T10:00:00")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "start"


def test_local_time_in_a_dst_gap_is_422(api, frozen, engagement, mentee):
    response = api(mentee).post(
        f"/engagements/{engagement.pk}/sessions",
        {"start": "2026-03-29T01:30:00", "timezone": "Europe/London", "duration": 30},
    )
    assert response.status_code == 422
    assert "does not exist in Europe/London" in response.json()["detail"]


def test_a_taken_slot_is_409_across_engagements_and_roles(
    api, frozen, program, engagement, mentee, mentor
):
    assert _book(api(mentee), engagement, "2026-03-03T10:00:00Z").status_code == 201
    # The same mentor with another mentee, overlapping.
    other_mentee = make_mentor(program, display_name="Other")
    from pairup.programs.models import Membership

    Membership.objects.filter(user=other_mentee).update(is_mentee=True)
    second = make_engagement(program, other_mentee, mentor, sessions=1)
    response = _book(api(other_mentee), second, "2026-03-03T10:15:00Z")
    assert response.status_code == 409 and response.json()["code"] == "slot_taken"
    # Inside the buffer (10 min) after the first session: not offered.
    response = _book(api(other_mentee), second, "2026-03-03T10:30:00Z")
    assert response.status_code == 409


def test_idempotency_key_makes_a_retry_return_the_same_session(api, frozen, engagement, mentee):
    client = api(mentee)
    first = _book(client, engagement, "2026-03-03T10:00:00Z", **{"Idempotency-Key": "abc-1"})
    again = _book(client, engagement, "2026-03-03T10:00:00Z", **{"Idempotency-Key": "abc-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json() and again.headers["Idempotent-Replayed"] == "true"
    assert Session.objects.count() == 1


def test_sessions_beyond_the_agreed_number_are_409(api, frozen, engagement, mentee):
    client = api(mentee)
    assert _book(client, engagement, "2026-03-03T10:00:00Z").status_code == 201
    assert _book(client, engagement, "2026-03-04T10:00:00Z").status_code == 201
    third = _book(client, engagement, "2026-03-05T10:00:00Z")
    assert third.status_code == 409 and third.json()["code"] == "sessions_used"


def test_weekly_cap_is_enforced_but_a_move_in_the_same_week_does_not_count_twice(
    api, frozen, engagement, mentee, mentor
):
    from pairup.availability.models import Availability

    Availability.objects.filter(user=mentor).update(weekly_cap=1)
    client = api(mentee)
    booked = _book(client, engagement, "2026-03-03T10:00:00Z").json()
    over = _book(client, engagement, "2026-03-04T10:00:00Z")
    assert over.status_code == 409 and over.json()["code"] == "cap_reached"
    moved = client.post(f"/sessions/{booked['id']}/reschedule", {"start": "2026-03-05T11:00:00Z"})
    assert moved.status_code == 200, moved.json()
    assert _book(client, engagement, "2026-03-10T10:00:00Z").status_code == 201  # next week


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reschedule_moves_the_same_session_and_keeps_history(api, frozen, engagement, mentee):
    client = api(mentee)
    booked = _book(client, engagement, "2026-03-03T10:00:00Z").json()
    mail.outbox.clear()
    moved = client.post(
        f"/sessions/{booked['id']}/reschedule", {"start": "2026-03-04T14:00:00Z"}
    ).json()
    assert moved["id"] == booked["id"] and moved["sequence"] == 1
    assert moved["start"] == "2026-03-04T14:00:00Z"
    assert list(SessionChange.objects.values_list("kind", flat=True)) == ["booked", "rescheduled"]
    event = next(
        iter(icalendar.Calendar.from_ical(mail.outbox[0].attachments[0][1]).walk("VEVENT"))
    )
    assert int(event["sequence"]) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_cancel_sends_cancel_and_records_late_cancellations(
    api, frozen, engagement, mentee, mentor
):
    client = api(mentor)
    booked = _book(api(mentee), engagement, "2026-03-03T10:00:00Z").json()
    mail.outbox.clear()
    response = client.post(f"/sessions/{booked['id']}/cancel", {"reason": "Sick"})
    body = response.json()
    assert body["status"] == "cancelled" and body["late_cancel"] is False
    assert all("method=CANCEL" in m.attachments[0][2] for m in mail.outbox)
    assert len(mail.outbox) == 2


def test_ics_download_parses_with_utc_times(api, frozen, engagement, mentee):
    booked = _book(api(mentee), engagement, "2026-03-03T10:00:00Z").json()
    response = api(mentee).client.get(
        f"/api/v1/sessions/{booked['id']}.ics", headers=api(mentee).headers
    )
    assert response.status_code == 200
    event = next(iter(icalendar.Calendar.from_ical(response.content).walk("VEVENT")))
    assert event.decoded("dtstart") == datetime(2026, 3, 3, 10, tzinfo=UTC)
    assert event.decoded("dtend") == datetime(2026, 3, 3, 10, 30, tzinfo=UTC)


def test_outsider_gets_404_for_sessions(api, frozen, engagement, mentee, outsider):
    booked = _book(api(mentee), engagement, "2026-03-03T10:00:00Z").json()
    client = api(outsider)
    assert client.post(f"/sessions/{booked['id']}/cancel", {"reason": "x"}).status_code == 404
    assert (
        client.get(
            f"/mentors/{engagement.mentor_id}/slots",
            start="2026-03-03T00:00:00Z",
            end="2026-03-04T00:00:00Z",
        ).status_code
        == 404
    )
    assert Session.objects.get().status == "booked"


def test_calendar_feed_lists_sessions_and_rotating_revokes_it(
    api, client, frozen, engagement, mentee
):
    _book(api(mentee), engagement, "2026-03-03T10:00:00Z")
    url = api(mentee).get("/me/calendar-feed").json()["url"]
    path = url.split("127.0.0.1:8000")[-1]
    feed = client.get(path)
    assert feed.status_code == 200
    assert len(list(icalendar.Calendar.from_ical(feed.content).walk("VEVENT"))) == 1
    api(mentee).post("/me/calendar-feed/rotate")
    assert client.get(path).status_code == 404


def test_availability_put_rejects_bad_windows_and_writes_nothing(api, mentor):
    client = api(mentor)
    response = client.client.put(
        "/api/v1/me/availability",
        data={
            "timezone": "Europe/London",
            "weekly": [{"weekday": 0, "start": "17:00", "end": "09:00"}],
        },
        content_type="application/json",
        headers=client.headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "weekly"
    response = client.client.put(
        "/api/v1/me/availability",
        data={"timezone": "Mars/Base", "weekly": []},
        content_type="application/json",
        headers=client.headers,
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "timezone"
    assert client.get("/me/availability").status_code == 404


def test_a_time_before_the_first_utc_instant_is_422_not_a_server_error(
    api, frozen, engagement, mentee, mentor
):
    # Found by `make fuzz`: 01:00 at UTC+06:01 on 1 January of year 1 has no UTC instant.
    response = api(mentee).get(
        f"/mentors/{mentor.pk}/slots",
        start="0001-01-01T01:00:00+06:01",
        end="0001-01-01T01:00:00Z",
        engagement=engagement.pk,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "start"
    booked = api(mentee).post(
        f"/engagements/{engagement.pk}/sessions", {"start": "0001-01-01T01:00:00+06:01"}
    )
    assert booked.status_code == 422

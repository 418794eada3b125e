"""The organiser's summary: attendance, meetings held, ratings, stay-in-touch matches and
follow-ups (and how many became engagements), with a chart whose numbers are also in a
table; organisers only."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pairup.asks import services as asks
from pairup.events.after import services
from pairup.events.after.summary import event_summary
from pairup.events.models import Attendance, RegistrationStatus, Seat
from tests.factories import UserFactory

from .conftest import make_mentee, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def lively(speed, mentee, mentor):
    """Sam and Priya rate and say yes to each other; Sam follows Priya up and she accepts;
    Kim rates Mo 2. Kim was checked in, Mo absent after round 1 is not modelled: everyone
    attended but Kim's check-in is the only one recorded. One more person on the waitlist."""
    event = speed.event
    sam_priya = speed.seat(0, speed.mentor).pk
    services.conversation_rate(event=event, seat_id=sam_priya, by=mentee, rating=5)
    services.conversation_rate(event=event, seat_id=sam_priya, by=mentor, rating=4)
    services.conversation_rate(
        event=event, seat_id=speed.seat(0, speed.mentor2).pk, by=speed.mentee2.user, rating=2
    )
    services.stay_in_touch_set(event=event, seat_id=sam_priya, by=mentee, yes=True)
    services.stay_in_touch_set(event=event, seat_id=sam_priya, by=mentor, yes=True)
    services.stay_in_touch_set(
        event=event, seat_id=speed.seat(1, speed.mentor).pk, by=mentor, yes=True
    )
    follow_up = services.follow_up_create(event=event, seat_id=sam_priya, by=mentee)
    invitation = follow_up.ask.invitations.get()
    asks.invitation_accept(invitation=invitation, by=mentor)
    speed.mentee2.attendance = Attendance.PRESENT
    speed.mentee2.save()
    register(event, UserFactory(), "mentee", status=RegistrationStatus.WAITLISTED)
    return speed


def test_the_figures_count_what_happened(lively) -> None:
    s = event_summary(lively.event)
    assert (s.registered, s.waitlisted, s.cancelled, s.checked_in, s.absent) == (4, 1, 0, 1, 0)
    assert s.not_checked_in == 3
    assert (s.meetings_scheduled, s.meetings_held, s.people_met) == (4, 4, 4)
    assert s.ratings == {1: 0, 2: 1, 3: 0, 4: 1, 5: 1}
    assert (s.ratings_count, s.conversations_rated, s.rating_average) == (3, 2, 3.67)
    assert (s.stay_in_touch_yes, s.stay_in_touch_mutual) == (3, 1)
    assert (s.follow_ups, s.follow_ups_engaged, s.follow_ups_waiting) == (1, 1, 0)
    assert s.buddies is None


def test_someone_absent_now_keeps_the_meetings_of_the_rounds_played(lively) -> None:
    """Attendance is today's: Mo, marked absent after the rounds were played, met his
    partners (the one definition, `held_seats`), and Kim's rating of Mo still counts."""
    lively.mentor2.attendance = Attendance.ABSENT
    lively.mentor2.save()
    s = event_summary(lively.event)
    assert (s.meetings_scheduled, s.meetings_held, s.absent) == (4, 4, 1)
    assert s.ratings == {1: 0, 2: 1, 3: 0, 4: 1, 5: 1}


def test_the_summary_page_has_the_chart_data_and_the_tables(lively, admin, client) -> None:
    client.force_login(admin)
    page = client.get(f"/events/{lively.event.slug}/summary/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="chart-ratings"' in html and 'id="chart-after"' in html
    assert "/static/vendor/chart.umd.min.js" in html and "/static/pairup/event_summary.js" in html
    assert "<script>" not in html  # no inline script: the data sits in a json_script element
    start = html.index('<script id="event-summary-data" type="application/json">')
    data = json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])
    assert data["ratings"]["values"] == [0, 1, 0, 1, 1]
    assert data["after"]["values"] == [4, 2, 1, 1, 1]
    assert "<td>Stay-in-touch matches</td><td>1</td>" in html


def test_only_organisers_read_the_summary(lively, mentee, mentor, outsider, client) -> None:
    for person in (mentee, outsider):
        client.force_login(person)
        assert client.get(f"/events/{lively.event.slug}/summary/").status_code == 404
    lively.event.organisers.add(mentor)
    client.force_login(mentor)
    assert client.get(f"/events/{lively.event.slug}/summary/").status_code == 200


def queries_of(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def grow(speed, n: int) -> None:
    """n more mentees, each seated with Priya in a round of their own, rating her 4."""
    for i in range(n):
        user = make_mentee(speed.event.program, f"Extra {i}")
        registration = register(speed.event, user, "mentee", topics=["sql"])
        seat = Seat.objects.create(
            schedule=speed.schedule, round=2 + i, mentor=speed.mentor, mentee=registration
        )
        services.conversation_rate(event=speed.event, seat_id=seat.pk, by=user, rating=4)
        services.stay_in_touch_set(event=speed.event, seat_id=seat.pk, by=user, yes=True)


def test_the_summary_and_the_met_page_read_as_many_queries_for_more_people(
    speed, admin, mentor, client
) -> None:
    client.force_login(admin)
    summary = f"/events/{speed.event.slug}/summary/"
    before = queries_of(client, summary)
    client.force_login(mentor)
    met = f"/events/{speed.event.slug}/met/"
    met_before = queries_of(client, met)
    grow(speed, 3)
    assert queries_of(client, met) == met_before
    client.force_login(admin)
    assert queries_of(client, summary) == before

"""The events figure of the program insights on the small program's two events, worked out
by hand (builders.small_events): per event the registrations, attendance, meetings held,
ratings and follow-up asks, as the event's own summary counts them; on the dashboard, in
its CSV and in the API."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import pytest

from pairup.events.after.summary import event_summary
from pairup.events.models import Event
from pairup.insights.figures import program_insights

from .builders import NOW, RANGE, small_events, small_program

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(program):
    s = small_program(program)
    small_events(s)
    return s


def _dist(*counts: int) -> list[dict[str, int]]:
    return [{"rating": r, "count": c} for r, c in zip(range(1, 6), counts, strict=True)]


def events(program, filters=RANGE):
    return program_insights(program, filters, NOW, only="events")["events"]


def test_each_event_in_the_range_with_its_registrations_meetings_ratings_and_follow_ups(small):
    speed, tables = events(small.program)
    assert speed == {
        "event": Event.objects.get(title="Speed").slug,
        "title": "Speed",
        "kind": "speed_mentoring",
        "state": "ended",
        "starts_at": "2026-01-08T17:00:00+00:00",
        "registered": 5,
        "waitlisted": 1,
        "cancelled": 1,
        "checked_in": 4,
        "absent": 1,
        "not_checked_in": 0,
        # Both rounds played (ended without the live room): M1–C counts, whoever is marked
        # absent now (the summary's definition); the superseded schedule's seat does not.
        "meetings_held": 5,
        "ratings": {"n": 4, "mean": 3.25, "counts": _dist(1, 0, 1, 1, 1)},
        "follow_ups": 2,
        "follow_ups_engaged": 1,
    }
    assert (tables["title"], tables["state"], tables["kind"]) == ("Tables", "live", "roundtables")
    # Only the first round is under way: M3–A in round 2 is not held yet.
    assert (tables["registered"], tables["checked_in"], tables["not_checked_in"]) == (3, 1, 2)
    assert tables["meetings_held"] == 2
    assert tables["ratings"] == {"n": 0, "mean": None, "counts": _dist(0, 0, 0, 0, 0)}
    assert (tables["follow_ups"], tables["follow_ups_engaged"]) == (0, 0)


def test_the_figures_are_the_events_own_summary(small):
    for row in events(small.program):
        s = event_summary(Event.objects.get(slug=row["event"]))
        assert (row["registered"], row["waitlisted"], row["cancelled"]) == (
            s.registered,
            s.waitlisted,
            s.cancelled,
        )
        assert (row["checked_in"], row["absent"], row["not_checked_in"]) == (
            s.checked_in,
            s.absent,
            s.not_checked_in,
        )
        assert (row["meetings_held"], row["ratings"]["n"], row["ratings"]["mean"]) == (
            s.meetings_held,
            s.ratings_count,
            s.rating_average,
        )
        assert (row["follow_ups"], row["follow_ups_engaged"]) == (
            s.follow_ups,
            s.follow_ups_engaged,
        )


def test_the_site_filter_chooses_registrations_meetings_ratings_and_askers(small):
    speed, tables = events(small.program, replace(RANGE, site="London"))
    # London: M1, M3, A and D. Registered M1 and A (both checked in); D on the waitlist, M3
    # cancelled. Meetings with a Londoner: M1–A, M1–B, M2–A, M1–C. Ratings by A and M1.
    assert (speed["registered"], speed["waitlisted"], speed["cancelled"]) == (2, 1, 1)
    assert (speed["checked_in"], speed["absent"], speed["meetings_held"]) == (2, 0, 4)
    assert speed["ratings"] == {"n": 2, "mean": 4.5, "counts": _dist(0, 0, 0, 1, 1)}
    assert (speed["follow_ups"], speed["follow_ups_engaged"]) == (1, 1)
    assert (tables["registered"], tables["meetings_held"]) == (3, 2)


def test_the_pool_filter_chooses_its_members(small):
    speed, tables = events(small.program, replace(RANGE, pool=small.pool.pk))
    # The pool: M2 and D.
    assert (speed["registered"], speed["waitlisted"], speed["checked_in"]) == (1, 1, 1)
    assert (speed["meetings_held"], speed["ratings"]["n"], speed["follow_ups"]) == (2, 0, 0)
    assert (tables["registered"], tables["not_checked_in"], tables["meetings_held"]) == (1, 1, 1)


def test_events_of_another_program_or_outside_the_range_are_left_out(small, other_program):
    other = small_program(other_program)
    small_events(other)
    assert [e["title"] for e in events(small.program)] == ["Speed", "Tables"]
    # Drafts, cancelled events and the event at the range's end are not there either.
    assert [e["title"] for e in events(other_program)] == ["Speed", "Tables"]


def test_no_event_is_an_empty_list(program):
    small_program(program)
    assert events(program) == []


def test_the_dashboard_shows_the_events_table_and_chart(client, admin, small):
    client.force_login(admin)
    response = client.get(f"/p/{small.program.slug}/insights/", _params())
    html = response.content.decode()
    assert 'id="chart-events"' in html and "insights_events.js" in html
    assert "Speed" in html and "Tables" in html and "All events" in html
    assert f"/p/{small.program.slug}/insights/events.csv" in html


def _params():
    return {"start": RANGE.start.date().isoformat(), "end": RANGE.end.date().isoformat()}


def test_the_events_csv_has_a_row_per_event_and_the_totals(client, admin, small):
    client.force_login(admin)
    response = client.get(f"/p/{small.program.slug}/insights/events.csv", _params())
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["Event", "Date (UTC)", "Registered"]
    assert rows[1] == ["Speed", "2026-01-08", "5", "4", "1", "0", "5", "4", "3.25", "2", "1"]
    assert rows[2] == ["Tables", "2026-01-14", "3", "1", "0", "2", "2", "0", "", "0", "0"]
    assert rows[3] == ["All events", "", "8", "5", "1", "2", "7", "4", "3.25", "2", "1"]


def test_the_api_gives_the_events_under_their_documented_schema(api, admin, small):
    response = api(admin).get(f"/programs/{small.program.slug}/insights", **_params())
    assert response.status_code == 200
    body = response.json()
    assert [e["title"] for e in body["events"]] == ["Speed", "Tables"]
    assert body["events"][0]["ratings"]["mean"] == 3.25

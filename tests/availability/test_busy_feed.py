"""A mentor's private busy feed, served over real HTTP from a thread in the test."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core.management import call_command

from pairup.availability.feeds import BusyFeedError, busy_feed_refresh
from pairup.availability.models import Availability, BusyTime

from .conftest import NOW

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


class FeedServer:
    """A tiny HTTP server on 127.0.0.1; set `body` and `status` to what it should answer."""

    def __init__(self) -> None:
        self.body = b""
        self.status = 200
        self.requests = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                server.requests += 1
                self.send_response(server.status)
                self.send_header("Content-Type", "text/calendar")
                self.send_header("Content-Length", str(len(server.body)))
                self.end_headers()
                self.wfile.write(server.body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/private/basic.ics"

    def serve(self, body: bytes, status: int = 200) -> None:
        self.body, self.status = body, status


@pytest.fixture
def feed(settings) -> Iterator[FeedServer]:
    settings.BUSY_FEED_ALLOW_PRIVATE = True  # the test server is on loopback
    server = FeedServer()
    thread = threading.Thread(
        target=server.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()
    thread.join()


def ics(*events: dict) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Test//busy//EN")
    cal.add("version", "2.0")
    for i, fields in enumerate(events):
        event = icalendar.Event()
        event.add("uid", fields.pop("uid", f"event-{i}@test"))
        event.add("dtstamp", NOW)
        event.add("summary", "Private")
        for key, value in fields.items():
            for item in value if key in ("exdate",) else [value]:
                event.add(key, item)
        cal.add_component(event)
    return cal.to_ical()


def _with_url(availability: Availability, url: str) -> Availability:
    Availability.objects.filter(pk=availability.pk).update(busy_feed_url=url)
    availability.refresh_from_db()
    return availability


def _rows(availability: Availability) -> list[tuple[datetime, datetime]]:
    return list(BusyTime.objects.filter(availability=availability).values_list("start", "end"))


def _slot_starts(api, mentee, mentor, engagement, day: str) -> list[str]:
    response = api(mentee).get(
        f"/mentors/{mentor.pk}/slots",
        start=f"{day}T00:00:00Z",
        end=f"{day}T23:59:00Z",
        duration=30,
        engagement=engagement.pk,
    )
    assert response.status_code == 200, response.json()
    return [s["start"][11:16] for s in response.json()["slots"]]


def test_busy_time_in_the_feed_is_not_offered_and_cannot_be_booked(
    api, frozen, feed, engagement, mentee, mentor, london_week
):
    before = _slot_starts(api, mentee, mentor, engagement, "2026-03-03")
    assert "10:00" in before and "10:30" in before
    feed.serve(
        ics(
            {
                "dtstart": datetime(2026, 3, 3, 10, tzinfo=LONDON),
                "dtend": datetime(2026, 3, 3, 11, tzinfo=LONDON),
            }
        )
    )
    availability = _with_url(london_week, feed.url)

    assert busy_feed_refresh(availability=availability) == 1

    assert _rows(availability) == [
        (datetime(2026, 3, 3, 10, tzinfo=UTC), datetime(2026, 3, 3, 11, tzinfo=UTC))
    ]
    availability.refresh_from_db()
    assert (availability.busy_feed_fetched_at, availability.busy_feed_error) == (NOW, "")
    after = _slot_starts(api, mentee, mentor, engagement, "2026-03-03")
    # The mentor's 10-minute buffer applies around their own busy time too (09:50-11:10).
    assert [s for s in after if s < "12:00"] == ["09:00", "09:15", "11:15", "11:30", "11:45"]
    assert set(before) - set(after) == {
        "09:30",
        "09:45",
        "10:00",
        "10:15",
        "10:30",
        "10:45",
        "11:00",
    }
    response = api(mentee).post(
        f"/engagements/{engagement.pk}/sessions",
        {"start": "2026-03-03T10:00:00Z", "duration": 30},
    )
    assert response.status_code == 409


def test_transparent_cancelled_all_day_and_floating_events(feed, frozen, london_week):
    feed.serve(
        ics(
            {  # free time in the mentor's calendar: not busy
                "dtstart": datetime(2026, 3, 3, 9, tzinfo=UTC),
                "dtend": datetime(2026, 3, 3, 10, tzinfo=UTC),
                "transp": "TRANSPARENT",
            },
            {
                "dtstart": datetime(2026, 3, 3, 12, tzinfo=UTC),
                "dtend": datetime(2026, 3, 3, 13, tzinfo=UTC),
                "status": "CANCELLED",
            },
            {"dtstart": date(2026, 4, 1)},  # all day, in BST: 31 March 23:00Z to 1 April 23:00Z
            {  # floating: the mentor's wall clock (BST on 31 March)
                "dtstart": datetime(2026, 3, 31, 8, 0),
                "dtend": datetime(2026, 3, 31, 8, 30),
            },
            {  # New York's own zone (EDT since 8 March): 14:00 UTC-4
                "dtstart": datetime(2026, 3, 12, 10, tzinfo=ZoneInfo("America/New_York")),
                "duration": timedelta(minutes=45),
            },
            {  # in the past: not stored
                "dtstart": datetime(2026, 2, 2, 10, tzinfo=UTC),
                "dtend": datetime(2026, 2, 2, 11, tzinfo=UTC),
            },
        )
    )
    availability = _with_url(london_week, feed.url)
    assert busy_feed_refresh(availability=availability) == 3
    assert _rows(availability) == [
        (datetime(2026, 3, 12, 14, tzinfo=UTC), datetime(2026, 3, 12, 14, 45, tzinfo=UTC)),
        (datetime(2026, 3, 31, 7, tzinfo=UTC), datetime(2026, 3, 31, 7, 30, tzinfo=UTC)),
        (datetime(2026, 3, 31, 23, tzinfo=UTC), datetime(2026, 4, 1, 23, tzinfo=UTC)),
    ]


def test_weekly_recurring_event_keeps_its_wall_clock_across_dst_with_exceptions(
    feed, frozen, london_week
):
    series = "standup@test"
    feed.serve(
        ics(
            {
                "uid": series,
                "dtstart": datetime(2026, 2, 3, 9, tzinfo=LONDON),  # Tuesdays 09:00 London
                "dtend": datetime(2026, 2, 3, 10, tzinfo=LONDON),
                "rrule": {"freq": "weekly", "until": datetime(2026, 4, 8, tzinfo=UTC)},
                "exdate": [datetime(2026, 3, 10, 9, tzinfo=LONDON)],
            },
            {  # the 17 March instance moved to 14:00
                "uid": series,
                "recurrence-id": datetime(2026, 3, 17, 9, tzinfo=LONDON),
                "dtstart": datetime(2026, 3, 17, 14, tzinfo=LONDON),
                "dtend": datetime(2026, 3, 17, 15, tzinfo=LONDON),
            },
            {  # the 24 March instance cancelled
                "uid": series,
                "recurrence-id": datetime(2026, 3, 24, 9, tzinfo=LONDON),
                "dtstart": datetime(2026, 3, 24, 9, tzinfo=LONDON),
                "dtend": datetime(2026, 3, 24, 10, tzinfo=LONDON),
                "status": "CANCELLED",
            },
            {  # daily, ten times, from 2 March 18:00 UTC
                "dtstart": datetime(2026, 3, 2, 18, tzinfo=UTC),
                "dtend": datetime(2026, 3, 2, 18, 30, tzinfo=UTC),
                "rrule": {"freq": "daily", "count": 10},
            },
        )
    )
    availability = _with_url(london_week, feed.url)
    busy_feed_refresh(availability=availability)
    rows = _rows(availability)
    weekly = [(s, e) for s, e in rows if s.hour != 18]
    assert weekly == [
        (datetime(2026, 3, 3, 9, tzinfo=UTC), datetime(2026, 3, 3, 10, tzinfo=UTC)),
        (datetime(2026, 3, 17, 14, tzinfo=UTC), datetime(2026, 3, 17, 15, tzinfo=UTC)),
        (datetime(2026, 3, 31, 8, tzinfo=UTC), datetime(2026, 3, 31, 9, tzinfo=UTC)),  # BST
    ]
    daily = [s for s, e in rows if s.hour == 18]
    assert daily == [datetime(2026, 3, 2 + i, 18, tzinfo=UTC) for i in range(10)]


def _seed(availability: Availability) -> list[tuple[datetime, datetime]]:
    BusyTime.objects.create(
        availability=availability,
        start=datetime(2026, 3, 4, 12, tzinfo=UTC),
        end=datetime(2026, 3, 4, 13, tzinfo=UTC),
    )
    return _rows(availability)


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b"<html><body>Sign in</body></html>", 200, "not an iCalendar (.ics) file"),
        (
            b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:soon\r\n"
            b"END:VEVENT\r\nEND:VCALENDAR\r\n",
            200,
            "unreadable DTSTART",
        ),
        (b"gone", 404, "answered 404"),
        (b"BEGIN:VCALENDAR\r\n" + b"X" * (2 * 1024 * 1024), 200, "larger than 2 MB"),
    ],
)
def test_a_bad_feed_keeps_the_old_busy_times_and_records_the_error(
    feed, frozen, london_week, body, status, message
):
    availability = _with_url(london_week, feed.url)
    old = _seed(availability)
    feed.serve(body, status)
    with pytest.raises(BusyFeedError):
        busy_feed_refresh(availability=availability)
    assert _rows(availability) == old
    availability.refresh_from_db()
    assert message in availability.busy_feed_error
    assert availability.busy_feed_fetched_at is None


@pytest.mark.parametrize(
    "url", ["ftp://example.org/cal.ics", "file:///etc/passwd", "gopher://example.org/"]
)
def test_other_schemes_are_refused_with_a_clear_error(frozen, london_week, url):
    availability = _with_url(london_week, url)
    old = _seed(availability)
    with pytest.raises(BusyFeedError):
        busy_feed_refresh(availability=availability)
    assert _rows(availability) == old
    availability.refresh_from_db()
    assert availability.busy_feed_error.startswith(
        "Only http:// and https:// calendar addresses can be read"
    )


def test_a_feed_on_a_private_address_is_refused_by_default(feed, settings, frozen, london_week):
    settings.BUSY_FEED_ALLOW_PRIVATE = False
    availability = _with_url(london_week, feed.url)
    feed.serve(ics())
    with pytest.raises(BusyFeedError, match="private or local address"):
        busy_feed_refresh(availability=availability)
    assert feed.requests == 0


def test_unreachable_host_keeps_rows(settings, frozen, london_week):
    settings.BUSY_FEED_ALLOW_PRIVATE = True
    availability = _with_url(london_week, "http://127.0.0.1:9/cal.ics")  # discard port: refused
    old = _seed(availability)
    with pytest.raises(BusyFeedError, match="Could not reach your calendar"):
        busy_feed_refresh(availability=availability)
    assert _rows(availability) == old


def test_refresh_busy_feeds_command_reads_every_feed_and_survives_a_bad_one(
    feed, frozen, program, london_week
):
    from pairup.availability.services import availability_set
    from tests.factories import make_mentor

    broken = availability_set(
        user=make_mentor(program, display_name="Broken Feed"), timezone_name="UTC", weekly=[]
    )
    _with_url(broken, "ftp://example.org/x.ics")
    feed.serve(
        ics(
            {
                "dtstart": datetime(2026, 3, 5, 10, tzinfo=UTC),
                "dtend": datetime(2026, 3, 5, 11, tzinfo=UTC),
            }
        )
    )
    _with_url(london_week, feed.url)
    out = StringIO()
    call_command("refresh_busy_feeds", stdout=out)
    assert out.getvalue().strip() == "Refreshed 1 busy feed; 1 could not be read."
    assert len(_rows(london_week)) == 1
    broken.refresh_from_db()
    assert broken.busy_feed_error.startswith("Only http://")


def test_setting_a_new_address_reads_it_and_clearing_it_drops_the_busy_times(
    feed, frozen, mentor, london_week, django_capture_on_commit_callbacks
):
    from datetime import time

    from pairup.availability.services import availability_set

    feed.serve(
        ics(
            {
                "dtstart": datetime(2026, 3, 5, 10, tzinfo=UTC),
                "dtend": datetime(2026, 3, 5, 11, tzinfo=UTC),
            }
        )
    )
    weekly = [(d, time(9), time(17)) for d in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        availability = availability_set(
            user=mentor, timezone_name="Europe/London", weekly=weekly, busy_feed_url=feed.url
        )
    assert len(_rows(availability)) == 1 and feed.requests == 1
    with django_capture_on_commit_callbacks(execute=True):
        availability_set(
            user=mentor, timezone_name="Europe/London", weekly=weekly, busy_feed_url=feed.url
        )
    assert feed.requests == 1  # the same address: read by the next scheduled refresh
    with django_capture_on_commit_callbacks(execute=True):
        availability = availability_set(user=mentor, timezone_name="Europe/London", weekly=weekly)
    assert _rows(availability) == [] and feed.requests == 1
    assert availability.busy_feed_fetched_at is None

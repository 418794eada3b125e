"""DST through the web layer on a frozen clock: a mentor in London (or Tokyo, no DST) with a
09:00-12:00 window every day, a mentee in New York. The window keeps its local time while
its UTC moves; every slot the API returns can be booked; each email shows the reader's own
local time. US clocks change on 2026-03-08 and 2026-11-01, UK clocks on 2026-03-29 and
2026-10-25."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from pairup.availability.services import availability_set
from pairup.sessions.models import Session

from .conftest import make_engagement

pytestmark = pytest.mark.django_db

LOCAL_STARTS = [f"{h:02d}:{m:02d}" for h in (9, 10, 11) for m in (0, 15, 30, 45)][:-1]  # to 11:30


@dataclass(frozen=True)
class Case:
    mentor_zone: str
    now: datetime
    first: str  # first local date asked for (UTC midnight to UTC midnight)
    last: str  # last local date asked for
    utc_start: dict[str, str]  # local date -> UTC time of its 09:00 slot
    emails: tuple[tuple[str, str, str], ...]  # (slot UTC, mentor's line, mentee's line)


CASES = {
    "us-spring": Case(
        "Europe/London",
        datetime(2026, 3, 5, 8, tzinfo=UTC),
        "2026-03-07",
        "2026-03-09",
        {"2026-03-07": "09:00", "2026-03-08": "09:00", "2026-03-09": "09:00"},
        (
            ("2026-03-07T09:00:00Z", "Saturday 07 March 2026, 09:00 (GMT)", "04:00 (EST)"),
            ("2026-03-09T09:00:00Z", "Monday 09 March 2026, 09:00 (GMT)", "05:00 (EDT)"),
        ),
    ),
    "uk-spring": Case(
        "Europe/London",
        datetime(2026, 3, 25, 8, tzinfo=UTC),
        "2026-03-27",
        "2026-03-30",
        {
            "2026-03-27": "09:00",
            "2026-03-28": "09:00",
            "2026-03-29": "08:00",
            "2026-03-30": "08:00",
        },
        (
            ("2026-03-28T09:00:00Z", "Saturday 28 March 2026, 09:00 (GMT)", "05:00 (EDT)"),
            ("2026-03-29T08:00:00Z", "Sunday 29 March 2026, 09:00 (BST)", "04:00 (EDT)"),
        ),
    ),
    "uk-autumn": Case(
        "Europe/London",
        datetime(2026, 10, 21, 8, tzinfo=UTC),
        "2026-10-23",
        "2026-10-26",
        {
            "2026-10-23": "08:00",
            "2026-10-24": "08:00",
            "2026-10-25": "09:00",
            "2026-10-26": "09:00",
        },
        (
            ("2026-10-24T08:00:00Z", "Saturday 24 October 2026, 09:00 (BST)", "04:00 (EDT)"),
            ("2026-10-25T09:00:00Z", "Sunday 25 October 2026, 09:00 (GMT)", "05:00 (EDT)"),
        ),
    ),
    "us-autumn": Case(
        "Europe/London",
        datetime(2026, 10, 28, 8, tzinfo=UTC),
        "2026-10-31",
        "2026-11-02",
        {"2026-10-31": "09:00", "2026-11-01": "09:00", "2026-11-02": "09:00"},
        (
            ("2026-10-31T09:00:00Z", "Saturday 31 October 2026, 09:00 (GMT)", "05:00 (EDT)"),
            ("2026-11-01T09:00:00Z", "Sunday 01 November 2026, 09:00 (GMT)", "04:00 (EST)"),
        ),
    ),
    "tokyo-spring": Case(
        "Asia/Tokyo",
        datetime(2026, 3, 25, 8, tzinfo=UTC),
        "2026-03-27",
        "2026-03-30",
        dict.fromkeys(("2026-03-27", "2026-03-28", "2026-03-29", "2026-03-30"), "00:00"),
        (
            ("2026-03-28T00:00:00Z", "Saturday 28 March 2026, 09:00 (JST)", "20:00 (EDT)"),
            ("2026-03-30T02:30:00Z", "Monday 30 March 2026, 11:30 (JST)", "22:30 (EDT)"),
        ),
    ),
    "tokyo-autumn": Case(
        "Asia/Tokyo",
        datetime(2026, 10, 28, 8, tzinfo=UTC),
        "2026-10-30",
        "2026-11-02",
        dict.fromkeys(("2026-10-30", "2026-10-31", "2026-11-01", "2026-11-02"), "00:00"),
        (
            ("2026-10-31T00:00:00Z", "Saturday 31 October 2026, 09:00 (JST)", "20:00 (EDT)"),
            ("2026-11-02T00:00:00Z", "Monday 02 November 2026, 09:00 (JST)", "19:00 (EST)"),
        ),
    ),
}


@pytest.fixture(params=list(CASES), ids=list(CASES))
def case(request) -> Case:
    return CASES[request.param]


@pytest.fixture
def setup(case, program, mentee, mentor):
    """The mentor's window and zone, the mentee in New York, the clock frozen."""
    mentor.profile.timezone = case.mentor_zone
    mentor.profile.save()
    mentee.profile.timezone = "America/New_York"
    mentee.profile.save()
    availability_set(
        user=mentor,
        timezone_name=case.mentor_zone,
        weekly=[(d, time(9), time(12)) for d in range(7)],
    )
    engagement = make_engagement(program, mentee, mentor, sessions=1)
    with time_machine.travel(case.now, tick=False):
        yield engagement


def _slots(api, mentee, mentor, engagement, case: Case, duration=30) -> list[datetime]:
    zone = ZoneInfo(case.mentor_zone)
    first = datetime.fromisoformat(case.first).replace(tzinfo=zone).astimezone(UTC)
    last = datetime.fromisoformat(case.last).replace(hour=23, minute=59, tzinfo=zone)
    query = {"start": first.isoformat(), "end": last.astimezone(UTC).isoformat()}
    if duration is not None:
        query["duration"] = duration
    response = api(mentee).get(f"/mentors/{mentor.pk}/slots", engagement=engagement.pk, **query)
    assert response.status_code == 200, response.json()
    assert response.json()["timezone"] == case.mentor_zone
    return [datetime.fromisoformat(s["start"]) for s in response.json()["slots"]]


def _book(api, who, engagement, start, **extra):
    return api(who).post(
        f"/engagements/{engagement.pk}/sessions", {"start": start, "duration": 30, **extra}
    )


def test_the_local_window_keeps_its_local_time_while_its_utc_moves(
    api, case, setup, mentee, mentor
):
    zone = ZoneInfo(case.mentor_zone)
    starts = _slots(api, mentee, mentor, setup, case)
    by_day: dict[str, list[datetime]] = {}
    for start in starts:
        assert start.utcoffset().total_seconds() == 0  # the API speaks UTC
        by_day.setdefault(start.astimezone(zone).date().isoformat(), []).append(start)
    assert sorted(by_day) == sorted(case.utc_start)
    for day, day_starts in by_day.items():
        assert [s.astimezone(zone).strftime("%H:%M") for s in day_starts] == LOCAL_STARTS, day
        assert day_starts[0].strftime("%H:%M") == case.utc_start[day], day


def test_every_slot_the_api_returns_can_be_booked(api, case, setup, mentee, mentor):
    starts = _slots(api, mentee, mentor, setup, case, duration=None)
    assert starts
    for start in starts:
        response = api(mentee).post(
            f"/engagements/{setup.pk}/sessions", {"start": start.isoformat()}
        )
        assert response.status_code == 201, (start, response.json())
        assert datetime.fromisoformat(response.json()["start"]) == start
        cancel = api(mentee).post(f"/sessions/{response.json()['id']}/cancel", {"reason": "x"})
        assert cancel.status_code == 200
    assert Session.objects.filter(status="cancelled").count() == len(starts)


def test_each_person_reads_their_own_local_time_in_the_invitation(
    api, case, setup, mentee, mentor, django_capture_on_commit_callbacks
):
    for start, mentor_line, mentee_line in case.emails:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = _book(api, mentee, setup, start)
        assert response.status_code == 201, response.json()
        body = {m.to[0]: m.body for m in mail.outbox}
        assert mentor_line in body[mentor.email]
        assert f", {mentee_line}, 30 minutes" in body[mentee.email]
        api(mentee).post(f"/sessions/{response.json()['id']}/cancel", {"reason": "x"})


def test_a_local_start_with_the_mentors_zone_books_the_same_instant(
    api, case, setup, mentee, mentor
):
    start, _, _ = case.emails[-1]
    utc = datetime.fromisoformat(start)
    local = utc.astimezone(ZoneInfo(case.mentor_zone)).replace(tzinfo=None)
    response = _book(api, mentee, setup, local.isoformat(), timezone=case.mentor_zone)
    assert response.status_code == 201, response.json()
    assert datetime.fromisoformat(response.json()["start"]) == utc


def test_a_naive_start_is_422(api, case, setup, mentee):
    start, _, _ = case.emails[0]
    response = _book(api, mentee, setup, start.removesuffix("Z"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "start"
    assert not Session.objects.exists()

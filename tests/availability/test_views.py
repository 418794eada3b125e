"""The availability editor: weekly windows, overrides and rules saved in one go, errors
beside their field, rows added without JavaScript, mentors only."""

from __future__ import annotations

import re
from datetime import date, time

import pytest

from pairup.availability.models import Availability, DateOverride

pytestmark = pytest.mark.django_db


def _form(**extra: str) -> dict[str, str]:
    data = {
        "timezone": "Europe/London",
        "session_lengths": ["30"],
        "buffer_minutes": "10",
        "min_notice_hours": "24",
        "horizon_days": "21",
        "weekly_cap": "",
        "monthly_cap": "6",
        "busy_feed_url": "",
        "weekly-TOTAL_FORMS": "3",
        "weekly-INITIAL_FORMS": "0",
        "weekly-0-weekday": "0",
        "weekly-0-start": "09:00",
        "weekly-0-end": "12:00",
        "weekly-1-weekday": "0",
        "weekly-1-start": "14:00",
        "weekly-1-end": "17:00",
        "weekly-2-weekday": "2",
        "weekly-2-start": "",
        "weekly-2-end": "",
        "overrides-TOTAL_FORMS": "3",
        "overrides-INITIAL_FORMS": "0",
        "overrides-0-kind": "off",
        "overrides-0-date": "2026-03-09",
        "overrides-1-kind": "holiday",
        "overrides-1-date": "2026-04-06",
        "overrides-1-until": "2026-04-10",
        "overrides-2-kind": "hours",
        "overrides-2-date": "2026-03-14",
        "overrides-2-start": "10:00",
        "overrides-2-end": "12:00",
    }
    data.update(extra)
    return data


def _error(html: str, field_id: str) -> str:
    found = re.search(rf'id="{field_id}_error">([^<]*)<', html)
    return found.group(1) if found else ""


def test_availability_editor_saves_windows_overrides_and_rules(client, mentor):
    client.force_login(mentor)
    response = client.post("/availability/", _form())
    assert response.status_code == 302 and response["Location"] == "/availability/"
    a = Availability.objects.get(user=mentor)
    assert (a.timezone, a.session_lengths, a.min_notice_minutes) == ("Europe/London", [30], 1440)
    assert (a.horizon_days, a.weekly_cap, a.monthly_cap, a.buffer_minutes) == (21, None, 6, 10)
    assert [(w.weekday, w.start, w.end) for w in a.weekly.all()] == [
        (0, time(9), time(12)),
        (0, time(14), time(17)),
    ]
    overrides = [(o.date, o.start, o.end) for o in a.overrides.all()]
    assert (date(2026, 3, 9), None, None) in overrides
    assert (date(2026, 3, 14), time(10), time(12)) in overrides
    assert sorted(d for d, s, _ in overrides if s is None and d.month == 4) == [
        date(2026, 4, d) for d in range(6, 11)
    ]
    page = client.get("/availability/").content.decode()
    # The holiday comes back as one range, not five days off.
    assert 'value="2026-04-10"' in page and page.count('value="holiday" selected') == 1
    assert 'value="14:00"' in page


@pytest.mark.parametrize(
    ("change", "field_id", "says"),
    [
        ({"weekly-1-end": "13:00"}, "id_weekly-1-end", "Ends before it starts"),
        ({"timezone": "Mars/Olympus"}, "id_timezone", "Unknown time zone"),
        (
            {"overrides-0-date": "2026-04-07"},
            "id_overrides-1-date",
            "already in another override",
        ),
        ({"overrides-1-until": "2026-04-01"}, "id_overrides-1-until", "ends before it starts"),
    ],
)
def test_availability_errors_show_beside_the_field_and_nothing_is_written(
    client, mentor, london_week, change, field_id, says
):
    client.force_login(mentor)
    before = list(london_week.weekly.values_list("weekday", "start", "end"))
    response = client.post("/availability/", _form(**change))
    assert response.status_code == 422
    assert says in _error(response.content.decode(), field_id)
    a = Availability.objects.get(user=mentor)
    assert list(a.weekly.values_list("weekday", "start", "end")) == before
    assert a.min_notice_minutes == 720 and not DateOverride.objects.exists()


def test_availability_add_a_row_without_javascript_writes_nothing(client, mentor):
    client.force_login(mentor)
    response = client.post("/availability/", _form(add="weekly"))
    html = response.content.decode()
    assert 'name="weekly-TOTAL_FORMS" value="4"' in html and 'name="weekly-3-start"' in html
    assert not Availability.objects.exists()


def test_availability_is_for_mentors_only(client, mentee):
    client.force_login(mentee)
    assert client.get("/availability/").status_code == 404

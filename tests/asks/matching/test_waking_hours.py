"""Free windows in suggestions are times the mentee could meet: inside their own waking
hours (their availability if they set one, else 08:00–20:00 their time), on a 15-minute
grid, never the middle of their night or odd minutes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time

import pytest
import time_machine

from pairup.asks import services
from pairup.asks.matching.suggestions import suggest_mentors
from pairup.availability.services import availability_set

pytestmark = pytest.mark.django_db

# Friday 6 March 2026, 07:43 UTC: 02:43 in New York.
NOW = datetime(2026, 3, 6, 7, 43, tzinfo=UTC)


def _window_reason(suggestion) -> str:
    return next(r for r in suggestion.reasons if r.startswith("Free "))


def test_the_window_shown_is_in_the_mentees_waking_hours_on_a_quarter_hour(program, mentee, mentor):
    mentee.profile.timezone = "America/New_York"
    mentee.profile.save()
    # The mentor is free from Tokyo's morning, which is New York's night, into its evening.
    availability_set(
        user=mentor,
        timezone_name="Asia/Tokyo",
        weekly=[(d, time(9), time(23)) for d in range(7)],
        min_notice_minutes=60,
    )
    with time_machine.travel(NOW, tick=False):
        ask = services.ask_create(
            program=program,
            mentee=mentee,
            topics=["negotiating-an-offer"],
            question="How do I negotiate a data science offer?",
        )
        [suggestion] = suggest_mentors(ask, k=5)
    reason = _window_reason(suggestion)
    start, end = re.search(r"(\d\d):(\d\d)–(\d\d):(\d\d)", reason).group(0).split("–")
    assert "08:00" <= start < "20:00", reason
    assert start[-2:] in ("00", "15", "30", "45") and end[-2:] in ("00", "15", "30", "45")


def test_the_mentees_own_availability_bounds_the_window(program, mentee, mentor):
    availability_set(
        user=mentor,
        timezone_name="Europe/London",
        weekly=[(d, time(9), time(17)) for d in range(7)],
    )
    availability_set(
        user=mentee,
        timezone_name="Europe/London",
        weekly=[(d, time(15), time(16)) for d in range(7)],
    )
    with time_machine.travel(NOW, tick=False):
        ask = services.ask_create(
            program=program,
            mentee=mentee,
            topics=["negotiating-an-offer"],
            question="How do I negotiate a data science offer?",
        )
        [suggestion] = suggest_mentors(ask, k=5)
    assert "15:00–16:00" in _window_reason(suggestion)

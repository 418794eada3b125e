"""Durations and shortened text in words: one way of saying them on every page and email."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.template import Context, Template

from pairup.core.humanize import human_duration, shorten, time_left, time_since


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (timedelta(days=1, hours=23, minutes=59, seconds=4, microseconds=607626), "1 day 23 h"),
        (timedelta(days=2), "2 days"),
        (timedelta(days=3, hours=4, minutes=59), "3 days 4 h"),
        (timedelta(hours=5, minutes=12, seconds=59), "5 h 12 min"),
        (timedelta(hours=1), "1 h"),
        (timedelta(minutes=45, seconds=30), "45 min"),
        (timedelta(seconds=59), "under 1 min"),
        (timedelta(0), "0 min"),
        (timedelta(minutes=-5), "0 min"),
    ],
)
def test_human_duration_says_at_most_two_units_rounded_down(delta, words):
    assert human_duration(delta) == words


def test_time_left_and_since_count_from_now():
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    assert time_left(now + timedelta(hours=47, minutes=59), now) == "1 day 23 h"
    assert time_left(now - timedelta(hours=1), now) == "0 min"  # overdue: nothing left
    assert time_since(now - timedelta(minutes=90), now) == "1 h 30 min"


def test_duration_filter_takes_a_timedelta_or_a_moment():
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    html = Template(
        "{% load pairup %}{{ paused|duration }} | {{ expires|duration:now }} | "
        "{{ read|since:now }} | [{{ missing|duration }}]"
    ).render(
        Context(
            {
                "paused": timedelta(days=1, seconds=86344, microseconds=607626),
                "expires": now + timedelta(minutes=45),
                "read": now - timedelta(days=2, hours=1),
                "missing": None,
                "now": now,
            }
        )
    )
    assert html == "1 day 23 h | 45 min | 2 days 1 h | []"


@pytest.mark.parametrize(
    ("text", "limit", "short"),
    [
        ("Short enough", 20, "Short enough"),
        ("Sam asks for your help: how do I negotiate equity", 30, "Sam asks for your help: how…"),
        ("Sam asks for your help: how do I negotiate equity", 28, "Sam asks for your help: how…"),
        ("Sam asks for your help: how do I negotiate equity", 27, "Sam asks for your help…"),
        ("one two", 7, "one two"),
        ("Supercalifragilisticexpialidocious", 10, "Supercali…"),
        ("Line one\nline two", 40, "Line one line two"),
    ],
)
def test_shorten_cuts_at_a_word_boundary_with_an_ellipsis(text, limit, short):
    assert shorten(text, limit) == short
    assert len(shorten(text, limit)) <= limit

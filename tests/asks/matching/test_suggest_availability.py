from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
import time_machine

from pairup.asks import services
from pairup.asks.matching.suggestions import suggest_mentors
from pairup.availability.services import availability_set
from tests.factories import make_mentor

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_a_mentor_free_soon_outranks_an_equal_one_with_no_free_time(program, mentee):
    free = make_mentor(program, topics={"negotiating-an-offer": "expert"}, display_name="Free Soon")
    busy = make_mentor(program, topics={"negotiating-an-offer": "expert"}, display_name="No Time")
    availability_set(user=free, timezone_name="Europe/London", weekly=[(1, time(14), time(15))])
    availability_set(user=busy, timezone_name="Europe/London", weekly=[])
    mentee.profile.timezone = "America/New_York"
    mentee.profile.save()
    with time_machine.travel(NOW, tick=False):
        ask = services.ask_create(
            program=program,
            mentee=mentee,
            topics=["negotiating-an-offer"],
            question="How do I negotiate a data science offer with equity?",
        )
        found = suggest_mentors(ask)
    assert [s.mentor for s in found] == [free, busy]
    # Tuesday 14:00 London is 09:00 in New York (before the US clock change on 8 March).
    assert any(r.startswith("Free Tue") and "09:00" in r for r in found[0].reasons), found[
        0
    ].reasons

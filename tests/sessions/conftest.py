from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
import time_machine

from pairup.asks import services as ask_services
from pairup.availability.services import availability_set

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def make_engagement(program, mentee, mentor, sessions=2, format="video", duration=None):
    with time_machine.travel(NOW, tick=False):
        ask = ask_services.ask_create(
            program=program,
            mentee=mentee,
            topics=["negotiating-an-offer"],
            sessions=sessions,
            question="How do I negotiate a data science offer with equity?",
            format=format,
            **({"duration": duration} if duration else {}),
        )
        invitation = ask_services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
        return ask_services.invitation_accept(invitation=invitation, by=mentor)


@pytest.fixture
def london_week(mentor):
    """The mentor offers Mon–Fri 09:00–17:00 London time, 10 min buffer."""
    return availability_set(
        user=mentor,
        timezone_name="Europe/London",
        weekly=[(d, time(9), time(17)) for d in range(5)],
        buffer_minutes=10,
    )


@pytest.fixture
def engagement(program, mentee, mentor, london_week):
    return make_engagement(program, mentee, mentor)

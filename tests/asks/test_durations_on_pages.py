"""Time left is said in words ("1 day 23 h left") on every page that shows it, never as a
raw timedelta ("1 day, 23:59:04.607626")."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from pairup.asks import services
from pairup.asks.models import Invitation

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
LEFT = timedelta(days=1, hours=23, minutes=59, seconds=4, microseconds=607626)
RAW = re.compile(r"\d+:\d\d:\d\d")  # what str(timedelta) looks like


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def invite(program, mentee, mentor):
    ask = services.ask_create(
        program=program,
        mentee=mentee,
        topics=["negotiating-an-offer"],
        question="How do I negotiate equity in a data-science offer from a startup?",
    )
    return services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_a_paused_clock_says_what_is_left_in_words(frozen, client, program, mentee, mentor):
    invitation = invite(program, mentee, mentor)
    services.invitation_clarify(invitation=invitation, by=mentor, body="Which country?")
    Invitation.objects.filter(pk=invitation.pk).update(remaining=LEFT)

    client.force_login(mentee)
    ask_page = text(client.get(invitation.ask.get_absolute_url()))
    assert "Clock paused with 1 day 23 h left until you answer" in ask_page
    assert not RAW.search(ask_page)

    client.force_login(mentor)
    triage = text(client.get(invitation.get_absolute_url()))
    assert "your clock is paused (1 day 23 h left)" in triage
    assert not RAW.search(triage)
    dashboard = text(client.get("/mentor/"))
    assert "Waiting for the mentee's answer (clock paused with 1 day 23 h left)" in dashboard
    home = text(client.get("/"))
    assert "clock paused with 1 day 23 h left" in home


def test_a_running_clock_says_what_is_left_in_words(frozen, client, program, mentee, mentor):
    invitation = invite(program, mentee, mentor)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=NOW + LEFT)

    client.force_login(mentee)
    assert "1 day 23 h left to answer" in text(client.get(invitation.ask.get_absolute_url()))
    assert "(1 day 23 h left)" in text(client.get("/asks/"))

    client.force_login(mentor)
    assert "1 day 23 h left to respond" in text(client.get(invitation.get_absolute_url()))
    assert "1 day 23 h left to respond" in text(client.get("/mentor/"))
    assert "1 day 23 h left to respond" in text(client.get("/"))

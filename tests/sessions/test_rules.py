"""Who may do what with sessions (pairup.sessions.rules): who × state → allowed?

The engagement and its session are real rows, booked through the services."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import AnonymousUser

from pairup.asks.services import engagement_close
from pairup.programs.models import Membership
from pairup.sessions import rules
from pairup.sessions.services import session_book
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

WHO = ("mentee", "mentor", "admin", "another mentee", "outsider", "anonymous")


@pytest.fixture
def people(program, mentee, mentor, admin, outsider):
    another = UserFactory()
    Membership.objects.create(program=program, user=another, is_mentee=True)
    return {
        "mentee": mentee,
        "mentor": mentor,
        "admin": admin,
        "another mentee": another,
        "outsider": outsider,
        "anonymous": AnonymousUser(),
    }


@pytest.fixture
def session(frozen, engagement, mentee):
    return session_book(
        engagement=engagement, by=mentee, start=datetime(2026, 3, 3, 10, tzinfo=UTC), duration=30
    )


@pytest.mark.parametrize(
    "who, see, book, change",
    [
        ("mentee", True, True, True),
        ("mentor", True, True, True),
        ("admin", False, False, False),  # admins read states elsewhere, never the session
        ("another mentee", False, False, False),
        ("outsider", False, False, False),
        ("anonymous", False, False, False),
    ],
)
def test_only_the_two_people_see_book_and_change(
    people, engagement, session, who, see, book, change
):
    user = people[who]
    assert (
        rules.can_see_session(user, session),
        rules.can_book(user, engagement),
        rules.can_change_session(user, session),
    ) == (see, book, change)


@pytest.mark.parametrize(
    "who, active, closed",
    [
        ("mentee", True, False),
        ("mentor", False, False),  # the mentor offers times; the mentee picks one
        ("admin", False, False),
        ("outsider", False, False),
        ("anonymous", False, False),
    ],
)
def test_the_mentee_of_an_active_engagement_picks_a_slot(
    people, engagement, mentee, who, active, closed
):
    user = people[who]
    assert rules.can_pick_slot(user, engagement) is active
    closed_engagement = engagement_close(engagement=engagement, by=mentee)
    assert rules.can_pick_slot(user, closed_engagement) is closed


@pytest.mark.parametrize(
    "who, held, no_show_mentee, no_show_mentor",
    [
        ("mentor", True, True, False),
        ("mentee", False, False, True),
        ("admin", False, False, False),
        ("outsider", False, False, False),
        ("anonymous", False, False, False),
    ],
)
def test_who_marks_which_outcome(people, session, who, held, no_show_mentee, no_show_mentor):
    user = people[who]
    assert (
        rules.can_mark_outcome(user, session, "held"),
        rules.can_mark_outcome(user, session, "no_show_mentee"),
        rules.can_mark_outcome(user, session, "no_show_mentor"),
        rules.can_mark_outcome(user, session, "cancelled"),  # not an outcome for anyone
    ) == (held, no_show_mentee, no_show_mentor, False)


@pytest.mark.parametrize("who, status", [("mentee", 200), ("mentor", 200), ("admin", 404)])
def test_the_session_page_follows_can_see_session(client, people, session, who, status):
    client.force_login(people[who])
    assert client.get(f"/sessions/{session.pk}/").status_code == status


@pytest.mark.parametrize("who, buttons", [("mentor", True), ("mentee", False)])
def test_the_held_button_is_shown_to_whom_the_rule_allows(
    client, frozen, people, session, who, buttons
):
    frozen.move_to(datetime(2026, 3, 3, 11, tzinfo=UTC))
    client.force_login(people[who])
    html = client.get(f"/sessions/{session.pk}/").content.decode()
    assert ("We met: mark as held" in html) is buttons
    assert ("Report that" in html) is not buttons

"""Invitations follow people: pausing, leaving, deleting an account and blocking re-route
pending invitations and close engagements, telling the people involved."""

from __future__ import annotations

import pytest

from pairup.accounts.services import account_delete
from pairup.asks import services
from pairup.asks.models import Ask, Engagement, Invitation
from pairup.notifications.models import Notification
from pairup.programs.models import Membership
from pairup.programs.services import membership_set_mentor_status, program_leave
from tests.factories import make_mentor

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

QUESTION = "How do I negotiate a data science offer with equity?"


@pytest.fixture
def second(program):
    return make_mentor(
        program, topics={"negotiating-an-offer": "experienced"}, display_name="Second Mentor"
    )


def _ask(program, mentee):
    return services.ask_create(
        program=program, mentee=mentee, topics=["negotiating-an-offer"], question=QUESTION
    )


def test_pausing_a_mentor_reroutes_their_pending_invitation(program, admin, mentee, mentor, second):
    ask = _ask(program, mentee)
    first = services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    membership_set_mentor_status(
        membership=Membership.objects.get(program=program, user=mentor), status="paused", by=admin
    )
    first.refresh_from_db()
    assert first.status == "withdrawn"
    assert Invitation.objects.get(ask=ask, status="pending").mentor == second
    assert Notification.objects.filter(
        user=mentee, kind="rerouted", text__contains="Second Mentor"
    ).exists()


def test_leaving_a_program_reroutes(program, mentee, mentor, second):
    ask = _ask(program, mentee)
    services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    program_leave(program=program, user=mentor)
    assert Invitation.objects.get(ask=ask, status="pending").mentor == second


def test_deleting_a_mentee_withdraws_their_invitation_and_tells_the_mentor(program, mentee, mentor):
    ask = _ask(program, mentee)
    services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    account_delete(user=mentee)
    assert not Ask.objects.filter(pk=ask.pk).exists()
    assert Notification.objects.filter(user=mentor, kind="withdrawn").exists()


def test_deleting_a_mentor_cancels_their_engagement_and_tells_the_mentee(program, mentee, mentor):
    ask = _ask(program, mentee)
    engagement = services.invitation_accept(
        invitation=services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee), by=mentor
    )
    account_delete(user=mentor)
    assert not Engagement.objects.filter(pk=engagement.pk).exists()
    assert Notification.objects.filter(
        user=mentee, kind="wrap_up", text__contains="cancelled your engagement"
    ).exists()


def test_mentor_blocking_a_mentee_declines_and_reroutes(program, mentee, mentor, second):
    ask = _ask(program, mentee)
    first = services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    services.block_create(by=mentor, blocked=mentee)
    first.refresh_from_db()
    assert first.status == "declined"
    assert Invitation.objects.get(ask=ask, status="pending").mentor == second


def test_blocked_mentor_is_never_suggested(program, mentee, mentor, second):
    from pairup.asks.matching.suggestions import suggest_mentors

    services.block_create(by=mentee, blocked=mentor)
    ask = _ask(program, mentee)
    assert [s.mentor for s in suggest_mentors(ask)] == [second]

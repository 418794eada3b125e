"""A mentor approved while their program had a mentor onboarding note is offered no ask
until they have read it: suggestions, invitations and the open board all say why."""

from __future__ import annotations

import pytest
from django.utils import timezone

from pairup.asks import services
from pairup.asks.matching.eligibility import eligibility_for_asks, mentor_eligibility
from pairup.asks.matching.suggestions import suggest_mentors
from pairup.core.errors import Forbidden, ServiceError
from pairup.programs.models import Membership, MentorStatus
from pairup.programs.services import membership_set_mentor_status, program_join
from pairup.programs.vetting.services import (
    mentor_onboarding_acknowledge,
    mentor_onboarding_set,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def newly_approved(program, admin):
    """A mentor who applied, was approved after the program wrote its onboarding note."""
    mentor_onboarding_set(program=program, by=admin, note="Read me first.")
    user = UserFactory(profile_fields={"languages": ["en"]})
    membership = program_join(
        program=program, user=user, as_mentor=True, invite_code=program.invite_code
    )
    membership_set_mentor_status(membership=membership, status=MentorStatus.APPROVED, by=admin)
    return Membership.objects.get(pk=membership.pk)


@pytest.fixture
def ask(program, mentee):
    return services.ask_create(
        program=program,
        mentee=mentee,
        topics=["negotiating-an-offer"],
        question="How do I negotiate a data science offer with equity?",
    )


def test_a_mentor_who_has_not_read_the_onboarding_may_not_take_asks(ask, newly_approved):
    verdict = mentor_eligibility(ask, newly_approved.user_id, timezone.now())
    assert (verdict.refusal, verdict.reason) == (
        "not_onboarded",
        "has not yet read the program's mentor onboarding",
    )
    assert newly_approved.user_id not in [s.mentor.pk for s in suggest_mentors(ask, k=50)]
    with pytest.raises(ServiceError, match="mentor onboarding") as refused:
        services.invitation_create(ask=ask, mentor_id=newly_approved.user_id, by=ask.mentee)
    assert refused.value.field == "mentor"


def test_the_board_says_the_same(ask, newly_approved):
    services.ask_post_to_board(ask=ask, by=ask.mentee)
    mentor = newly_approved.user
    assert eligibility_for_asks(mentor, [ask], timezone.now())[ask.pk].refusal == "not_onboarded"
    with pytest.raises(Forbidden, match="mentor onboarding"):
        services.board_offer(ask=ask, mentor=mentor)


def test_once_read_the_mentor_is_offered_asks(ask, newly_approved):
    mentor_onboarding_acknowledge(membership=newly_approved)
    assert mentor_eligibility(ask, newly_approved.user_id, timezone.now()).ok
    assert newly_approved.user_id in [s.mentor.pk for s in suggest_mentors(ask, k=50)]


def test_mentors_of_a_program_without_a_note_need_read_nothing(program, admin, ask):
    user = UserFactory(profile_fields={"languages": ["en"]})
    membership = program_join(
        program=program, user=user, as_mentor=True, invite_code=program.invite_code
    )
    membership_set_mentor_status(membership=membership, status=MentorStatus.APPROVED, by=admin)
    assert mentor_eligibility(ask, user.pk, timezone.now()).ok


def test_mentors_approved_before_the_note_was_written_stay_eligible(program, admin, mentor, ask):
    mentor_onboarding_set(program=program, by=admin, note="Read me first.")
    assert mentor_eligibility(ask, mentor.pk, timezone.now()).ok

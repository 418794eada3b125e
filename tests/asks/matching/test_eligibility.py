"""May this mentor take this ask? One rule, with a reason for every no, never a ranking."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from pairup.accounts.models import Profile
from pairup.asks import services
from pairup.asks.matching.eligibility import eligibility, eligibility_for_asks, mentor_eligibility
from pairup.asks.matching.suggestions import suggest_mentors
from pairup.asks.models import Ask, Block
from pairup.core.errors import Forbidden, ServiceError
from pairup.programs.models import Membership, MentorStatus
from tests.factories import UserFactory, make_mentor

pytestmark = pytest.mark.django_db


@pytest.fixture
def ask(program, mentee):
    return services.ask_create(
        program=program,
        mentee=mentee,
        topics=["negotiating-an-offer"],
        question="How do I negotiate a data science offer with equity?",
    )


def _refusal(ask, mentor):
    return mentor_eligibility(ask, mentor.pk, timezone.now()).refusal


def test_an_approved_free_mentor_may_take_the_ask(ask, mentor):
    verdict = mentor_eligibility(ask, mentor.pk, timezone.now())
    assert verdict.ok and verdict.reason == "" and verdict.room == 4


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        (lambda m, ask: Membership.objects.filter(user=m).delete(), "not_a_mentor"),
        (
            lambda m, ask: Membership.objects.filter(user=m).update(
                mentor_status=MentorStatus.PENDING
            ),
            "not_approved",
        ),
        (
            lambda m, ask: type(m).objects.filter(pk=m.pk).update(is_active=False),
            "inactive",
        ),
        (
            lambda m, ask: Membership.objects.filter(user=m).update(
                invitations_paused_until=timezone.now() + timedelta(days=3)
            ),
            "paused",
        ),
        (lambda m, ask: Block.objects.create(blocker=ask.mentee, blocked=m), "blocked"),
        (lambda m, ask: Block.objects.create(blocker=m, blocked=ask.mentee), "blocked"),
        (
            lambda m, ask: Profile.objects.filter(user=m).update(languages=["de"]),
            "no_shared_language",
        ),
        (lambda m, ask: Membership.objects.filter(user=m).update(monthly_cap=0), "at_cap"),
    ],
)
def test_each_reason_a_mentor_may_not_take_the_ask(ask, mentor, change, refusal):
    Profile.objects.filter(user=ask.mentee).update(languages=["en"])
    ask = Ask.objects.get(pk=ask.pk)
    change(mentor, ask)
    assert _refusal(ask, mentor) == refusal
    assert mentor.pk not in [s.mentor.pk for s in suggest_mentors(ask, k=None)]


def test_the_author_and_a_mentor_invited_before_may_not_take_it(program, ask, mentor, mentee):
    Membership.objects.filter(user=mentee).update(
        is_mentor=True, mentor_status=MentorStatus.APPROVED
    )
    assert _refusal(ask, mentee) == "own_ask"
    invitation = services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    services.invitation_decline(invitation=invitation, by=mentor, reason="no_time")
    assert _refusal(ask, mentor) == "already_invited"


def test_a_mentor_with_less_room_than_the_ask_needs_is_at_cap(program, mentee, mentor):
    Membership.objects.filter(user=mentor).update(monthly_cap=2)
    two = services.ask_create(
        program=program,
        mentee=mentee,
        topics=["negotiating-an-offer"],
        sessions=3,
        question="Three sessions to prepare a negotiation, please?",
    )
    assert _refusal(two, mentor) == "at_cap"


def test_eligibility_is_not_a_ranking_the_last_ranked_mentor_may_be_invited(program, ask):
    weak = make_mentor(program, display_name="Far Off", headline="Pastry chef")
    for _ in range(3):
        make_mentor(program, topics={"negotiating-an-offer": "expert"}, headline="Negotiator")
    ranked = [s.mentor.pk for s in suggest_mentors(ask, k=None)]
    assert ranked[-1] == weak.pk and len(ranked) == 4
    assert mentor_eligibility(ask, weak.pk, timezone.now()).ok
    invitation = services.invitation_create(ask=ask, mentor_id=weak.pk, by=ask.mentee)
    assert invitation.rank == len(ranked) - 1


def test_every_mentor_of_the_program_gets_an_answer_in_fixed_queries(
    program, ask, django_assert_max_num_queries
):
    for _ in range(5):
        make_mentor(program)
    # The pair rules add at most five (match rules, pools, managers twice, blocks).
    with django_assert_max_num_queries(14):
        answers = eligibility(ask, timezone.now())
    assert len(answers) == 5 and all(a.ok for a in answers.values())


def test_the_board_and_the_offer_give_the_same_answer(program, ask, mentor):
    services.ask_post_to_board(ask=ask, by=ask.mentee)
    Membership.objects.filter(user=mentor).update(monthly_cap=0)
    verdict = eligibility_for_asks(mentor, [ask], timezone.now())[ask.pk]
    assert verdict.refusal == "at_cap"
    with pytest.raises(Forbidden, match="no room left under the session caps"):
        services.board_offer(ask=ask, mentor=mentor)
    Membership.objects.filter(user=mentor).update(monthly_cap=None)
    assert eligibility_for_asks(mentor, [ask], timezone.now())[ask.pk].ok
    assert services.board_offer(ask=ask, mentor=mentor).mentor == mentor


def test_inviting_a_mentor_who_may_not_take_it_says_why(program, ask, mentor):
    stranger = UserFactory()
    with pytest.raises(ServiceError, match="not a mentor of this program") as refused:
        services.invitation_create(ask=ask, mentor_id=stranger.pk, by=ask.mentee)
    assert refused.value.code == "mentor_not_eligible" and refused.value.field == "mentor"

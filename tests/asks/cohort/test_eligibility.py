"""Cohort eligibility answers, for every ask and mentor at once, exactly what eligibility
answers pair by pair: the one rule, read in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from pairup.accounts.models import Profile
from pairup.asks import services
from pairup.asks.matching.eligibility import AskFacts, cohort_eligibility, eligibility
from pairup.asks.models import Ask, Block, Invitation
from pairup.programs.models import MatchRule, Membership, MentorStatus, Pool
from tests.factories import make_mentor

from .conftest import add_ask

pytestmark = pytest.mark.django_db


@pytest.fixture
def tangle(program, cohort):
    """Every reason at once: a block each way, an invitation before, a mentee who is also a
    mentor, a mentee speaking only German, 3-session asks beside a mentor with 2 sessions
    of room, a paused mentor and a pending one."""
    now = timezone.now()
    m = cohort.mentors
    asks = cohort.asks
    Block.objects.create(blocker=asks[0].mentee, blocked=m[0])
    Block.objects.create(blocker=m[1], blocked=asks[1].mentee)
    Invitation.objects.create(
        ask=asks[2], mentor=m[2], status="declined", created_at=now, responded_at=now
    )
    Membership.objects.filter(user=asks[3].mentee).update(
        is_mentor=True, mentor_status=MentorStatus.APPROVED
    )
    Profile.objects.filter(user=asks[4].mentee).update(languages=["de"])
    Membership.objects.filter(user=m[3]).update(monthly_cap=2)
    Membership.objects.filter(user=m[0]).update(invitations_paused_until=now + timedelta(days=2))
    outside = make_mentor(program, topics={"sql": "expert"}, languages=["de", "en"])
    big = add_ask(program, "sql", 99, languages=["en"])
    Ask.objects.filter(pk=big.pk).update(sessions=3)
    # A reporting line: one mentee's manager is a mentor.
    Profile.objects.filter(user=asks[5].mentee).update(manager_email=m[2].email)
    # Pools and a rule: people in "Paris" meet people in "Paris" only; everyone is there
    # but one mentor.
    paris = Pool.objects.create(program=program, name="Paris")
    MatchRule.objects.create(program=program, mentee_pool=paris, mentor_pool=paris)
    for membership in Membership.objects.filter(program=program).exclude(user=outside):
        membership.pools.add(paris)
    return now


def test_cohort_eligibility_agrees_with_eligibility_for_every_pair(
    program, tangle, django_assert_max_num_queries
):
    asks = list(
        Ask.objects.filter(program=program).select_related("mentee__profile").order_by("pk")
    )
    with django_assert_max_num_queries(20):
        cohort = cohort_eligibility([AskFacts.of(a) for a in asks], tangle)
    seen = set()
    for ask in asks:
        one_by_one = eligibility(ask, tangle)
        for mentor_id, verdict in one_by_one.items():
            assert cohort.refusal(ask.pk, mentor_id) == verdict.refusal, (ask.pk, mentor_id)
            seen.add(verdict.refusal)
    assert seen >= {
        None,
        "blocked",
        "already_invited",
        "own_ask",
        "no_shared_language",
        "at_cap",
        "paused",
        "not_approved",
        "pool_rule",
        "reporting_line",
    }


def test_the_queries_do_not_grow_with_the_cohort(program, cohort, django_assert_max_num_queries):
    for n in range(20):
        add_ask(program, "sql", 100 + n)
    asks = list(Ask.objects.filter(program=program).select_related("mentee__profile"))
    with django_assert_max_num_queries(20):
        cohort_eligibility([AskFacts.of(a) for a in asks], timezone.now())


def test_no_asks_no_answer():
    empty = cohort_eligibility([], timezone.now())
    assert (empty.mentors, empty.refused) == ({}, {})


def test_a_submitted_ask_is_eligible_as_the_services_see_it(program, cohort):
    ask = cohort.asks[0]
    services.ask_withdraw(ask=ask, by=ask.mentee)
    # Withdrawn asks leave the cohort; eligibility itself does not read the ask's state.
    from pairup.asks.matching.cohort import cohort_asks

    assert ask.pk not in set(cohort_asks(program).values_list("pk", flat=True))

"""A suggestion reads the program's mentors in a fixed number of queries whose text does not
grow with the number of mentors: the mentors are selected by a subquery of the program's
mentors, never by a list of their ids (at 3,000 mentors, building and sending those lists
cost about as much as the rest of the suggestion). The answers stay those of the list."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pairup.asks import services
from pairup.asks.matching.eligibility import eligibility, program_mentors
from pairup.asks.matching.records import mentor_expertise, mentor_history
from pairup.asks.matching.suggestions import responsiveness, suggest_mentors
from pairup.asks.models import Invitation, InvitationStatus
from pairup.availability.queries import free_windows
from pairup.availability.services import availability_set
from pairup.programs.models import Membership
from tests.factories import make_mentor

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
# Eligibility, responsiveness, topic paths, the mentors' records (past asks, free windows,
# expertise), the ask's record, the matching stamp of the semantic index: whatever the
# number of mentors.
SUGGESTION_QUERIES = 23


def _mentor(program, n):
    user = make_mentor(
        program, topics={"negotiating-an-offer": "expert"}, display_name=f"Mentor {n}"
    )
    availability_set(user=user, timezone_name="Europe/London", weekly=[(1, time(9), time(12))])
    return user


def _ask(program, mentee):
    return services.ask_create(
        program=program,
        mentee=mentee,
        topics=["negotiating-an-offer"],
        question="How do I negotiate a data science offer with equity?",
    )


def _suggest(ask):
    with CaptureQueriesContext(connection) as queries:
        found = suggest_mentors(ask, k=None, now=NOW)
    return found, [q["sql"] for q in queries.captured_queries]


def test_a_suggestion_costs_the_same_queries_for_one_mentor_and_for_three(program, mentee):
    with time_machine.travel(NOW, tick=False):
        _mentor(program, 1)
        ask = _ask(program, mentee)
        one, sql_one = _suggest(ask)
        _mentor(program, 2)
        _mentor(program, 3)
        three, sql_three = _suggest(ask)
    assert len(one) == 1 and len(three) == 3
    assert len(sql_one) == len(sql_three) == SUGGESTION_QUERIES
    # No list of the mentors' ids in any query: the same text but for ids of one length.
    assert [q.count(",") for q in sql_one] == [q.count(",") for q in sql_three]


def test_reads_by_the_program_s_mentors_answer_as_reads_by_the_list(program, mentee):
    """The subquery holds more people than asked about (every mentor of the program): the
    answers are still only about the ids asked, and the same as with the list."""
    with time_machine.travel(NOW, tick=False):
        asked = [_mentor(program, n) for n in range(2)]
        other = _mentor(program, 9)
        ask = _ask(program, mentee)
        for hours, m in enumerate([*asked, other], start=1):
            Invitation.objects.create(
                ask=ask,
                mentor=m,
                status=InvitationStatus.DECLINED,
                created_at=NOW - timedelta(hours=hours),
                responded_at=NOW,
            )
    ids = [m.pk for m in asked]
    among = program_mentors(program.pk)
    assert set(among.values_list("user_id", flat=True)) == {*ids, other.pk}
    profiles = [m.profile.pk for m in asked]

    by_list = responsiveness(program, ids)
    assert by_list and responsiveness(program, ids, among=among) == by_list
    assert free_windows(ids, mentee, NOW, among=among) == free_windows(ids, mentee, NOW)
    assert set(free_windows(ids, mentee, NOW, among=among)) == set(ids)
    assert mentor_history(program, ids, {}, among=among) == mentor_history(program, ids, {})
    assert mentor_expertise(profiles, among=among) == mentor_expertise(profiles)
    assert set(mentor_expertise(profiles, among=among)) == set(profiles)


def test_eligibility_of_the_whole_program_answers_as_mentor_by_mentor(program, mentee):
    with time_machine.travel(NOW, tick=False):
        mentors = [_mentor(program, n) for n in range(3)]
        Membership.objects.filter(user=mentors[1]).update(
            invitations_paused_until=datetime(2027, 1, 1, tzinfo=UTC)
        )
        ask = _ask(program, mentee)
        services.invitation_create(ask=ask, mentor_id=mentors[2].pk, by=mentee)
    whole = eligibility(ask, NOW)
    assert {pk: e.refusal for pk, e in whole.items()} == {
        mentors[0].pk: None,
        mentors[1].pk: "paused",
        mentors[2].pk: "already_invited",
    }
    for m in mentors:
        single = eligibility(ask, NOW, [m.pk])[m.pk]
        assert single.refusal == whole[m.pk].refusal
        assert single.room == whole[m.pk].room

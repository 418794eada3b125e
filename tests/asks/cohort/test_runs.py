"""A cohort run: the engine's exact assignment of live asks, under every hard rule of
eligibility, beside the greedy alternative, in a background task."""

from __future__ import annotations

from collections import Counter

import pytest
from django.utils import timezone

from pairup.asks.load import mentor_loads
from pairup.asks.models import Ask, Block, CohortRun, CohortRunStatus, Invitation, ProposedPair
from pairup.asks.services.cohort import cohort_round_create, cohort_round_join, cohort_run_start
from pairup.core.errors import Conflict, Forbidden
from pairup.programs.models import AuditEntry, Membership
from tests.factories import make_mentor

from .conftest import add_ask

pytestmark = pytest.mark.django_db


def test_a_run_proposes_a_mentor_for_each_ask_with_reasons_and_figures(cohort, admin, run_now):
    run = run_now(cohort.program, admin)
    assert run.status == CohortRunStatus.READY and run.progress == 100
    pairs = list(ProposedPair.objects.filter(run=run).order_by("ask_id"))
    assert [p.ask_id for p in pairs] == sorted(a.pk for a in cohort.asks)
    matched = [p for p in pairs if p.mentor_id]
    assert len(matched) == len(cohort.asks) and all(p.reasons for p in matched)
    # Each ask goes to the mentor who knows its topic (one per topic, room for two each).
    for p in matched:
        topic = Ask.objects.get(pk=p.ask_id).topics.get().name
        assert any(topic.lower() in r.lower() for r in p.reasons), (topic, p.reasons)
    figures = run.figures
    assert set(figures) == {"engine", "greedy"}
    assert figures["engine"]["matched"] == len(matched)
    assert figures["engine"]["total"] == pytest.approx(sum(p.score for p in matched), abs=1e-5)
    assert figures["engine"]["total"] >= figures["greedy"]["total"]
    assert set(figures["engine"]) >= {"gini", "top10_share", "cross_site_share"}
    assert run.inputs and set(run.seconds) >= {"engine", "greedy", "write"}
    entry = AuditEntry.objects.get(program=cohort.program, action="cohort_run_started")
    assert entry.actor == admin and entry.target_id == str(run.pk)


def test_a_blocked_pair_and_an_unapproved_mentor_are_never_proposed(
    program, cohort, admin, run_now
):
    # The only SQL mentor approved is blocked by the SQL asks' mentees; the other SQL
    # expert waits for approval: the SQL asks go to someone else or stay unmatched.
    sql_mentor = cohort.mentors[1]
    sql_asks = [a for a in cohort.asks if a.topics.get().slug == "sql"]
    for ask in sql_asks:
        Block.objects.create(blocker=ask.mentee, blocked=sql_mentor)
    run = run_now(program, admin)
    pairs = {p.ask_id: p.mentor_id for p in ProposedPair.objects.filter(run=run)}
    assert sql_asks and all(pairs[a.pk] not in (sql_mentor.pk, cohort.pending.pk) for a in sql_asks)
    assert cohort.pending.pk not in pairs.values()


def test_no_mentor_is_given_more_sessions_than_their_caps_allow(program, admin, run_now):
    mentor = make_mentor(program, topics={"sql": "expert"}, languages=["en"])
    Membership.objects.filter(user=mentor).update(monthly_cap=3)
    asks = [add_ask(program, "sql", n, languages=["en"]) for n in range(4)]
    Ask.objects.filter(pk__in=[a.pk for a in asks[:2]]).update(sessions=2)
    run = run_now(program, admin)
    given = ProposedPair.objects.filter(run=run, mentor=mentor)
    sessions = sum(p.ask.sessions for p in given)
    room = mentor_loads([mentor.pk], timezone.now())[mentor.pk].room(program.pk)
    assert 0 < sessions <= room == 3
    unmatched = ProposedPair.objects.filter(run=run, mentor__isnull=True)
    assert unmatched.count() == 4 - given.count()
    assert all(p.unmatched_reason for p in unmatched)


def test_nobody_eligible_is_said_with_the_rules_that_refuse(program, admin, run_now):
    lonely = add_ask(program, "sql", 1, languages=["ja"])
    make_mentor(program, topics={"sql": "expert"}, languages=["en"])
    run = run_now(program, admin)
    (pair,) = ProposedPair.objects.filter(run=run, ask=lonely)
    assert pair.mentor_id is None
    assert pair.unmatched_reason == (
        "no eligible mentor: no language in common with the mentee (1 mentor)"
    )
    assert run.figures["engine"]["unmatched_reasons"] == {"no eligible mentor": 1}


def test_a_round_run_matches_only_the_rounds_asks(program, cohort, admin, run_now):
    round = cohort_round_create(
        program=program, by=admin, name="May", deadline=timezone.now() + timezone.timedelta(days=2)
    )
    for ask in cohort.asks[:2]:
        cohort_round_join(round=round, ask=ask, by=ask.mentee)
    run = run_now(program, admin, round=round)
    assert sorted(ProposedPair.objects.filter(run=run).values_list("ask_id", flat=True)) == sorted(
        a.pk for a in cohort.asks[:2]
    )
    assert run.cohort_label == "May"


def test_asks_waiting_on_an_invitation_or_on_the_board_are_not_in_the_cohort(
    program, cohort, admin, run_now
):
    from pairup.asks import services

    waiting = cohort.asks[0]
    services.invitation_create(ask=waiting, mentor_id=cohort.mentors[0].pk, by=waiting.mentee)
    board = cohort.asks[1]
    services.ask_post_to_board(ask=board, by=board.mentee)
    run = run_now(program, admin)
    asks = set(ProposedPair.objects.filter(run=run).values_list("ask_id", flat=True))
    assert waiting.pk not in asks and board.pk not in asks and len(asks) == len(cohort.asks) - 2


def test_an_empty_cohort_gives_zeros(program, admin, run_now):
    run = run_now(program, admin)
    assert run.status == CohortRunStatus.READY
    assert run.figures["engine"]["matched"] == run.figures["greedy"]["matched"] == 0
    assert run.figures["engine"]["asks"] == 0 and not ProposedPair.objects.filter(run=run).exists()


def test_one_run_at_a_time_per_program(program, cohort, admin):
    # Without the commit (no worker here), the first run waits in the queue.
    first = cohort_run_start(program=program, by=admin)
    assert first.status == CohortRunStatus.QUEUED
    with pytest.raises(Conflict) as refused:
        cohort_run_start(program=program, by=admin)
    assert refused.value.code == "run_in_progress"
    assert CohortRun.objects.filter(program=program).count() == 1


def test_only_admins_start_runs(program, cohort, mentee, outsider):
    for person in (mentee, outsider):
        with pytest.raises(Forbidden):
            cohort_run_start(program=program, by=person)
    assert not CohortRun.objects.exists()


def test_the_run_invites_nobody(program, cohort, admin, run_now):
    run_now(program, admin)
    assert not Invitation.objects.exists()


def test_loads_spread_the_figures_count_every_mentor(program, cohort, admin, run_now):
    run = run_now(program, admin)
    loads = Counter(
        ProposedPair.objects.filter(run=run, mentor__isnull=False).values_list(
            "mentor_id", flat=True
        )
    )
    counts = run.figures["engine"]["load_counts"]
    assert sum(counts.values()) == run.figures["engine"]["mentors"] == len(cohort.mentors)
    assert counts.get("0", 0) == len(cohort.mentors) - len(loads)


def test_reading_a_cohort_takes_a_fixed_number_of_queries(program):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pairup.asks.matching.cohort import load_cohort, match_cohort

    counts = []
    for n in (2, 5):
        while Membership.objects.filter(program=program, is_mentor=True).count() < n:
            make_mentor(program, topics={"sql": "expert"}, bio="I tune slow queries.")
        while Ask.objects.filter(program=program).count() < n:
            add_ask(program, "sql", Ask.objects.count())
        with CaptureQueriesContext(connection) as queries:
            cohort = load_cohort(program, timezone.now())
            match_cohort(cohort)
        assert len(cohort.records) == len(cohort.mentors) == n
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_pool_rules_and_the_reporting_line_hold_in_the_proposal(program, cohort, admin, run_now):
    from pairup.accounts.models import Profile
    from pairup.programs.models import MatchRule, Pool

    sql_mentor, speaker = cohort.mentors[1], cohort.mentors[2]
    sql_asks = [a for a in cohort.asks if a.topics.get().slug == "sql"]
    speaking = [a for a in cohort.asks if a.topics.get().slug == "public-speaking"]
    # Everyone in "Staff" meets "Staff", but the SQL mentor is only in "Contractors".
    staff = Pool.objects.create(program=program, name="Staff")
    contractors = Pool.objects.create(program=program, name="Contractors")
    MatchRule.objects.create(program=program, mentee_pool=staff, mentor_pool=staff)
    for membership in Membership.objects.filter(program=program):
        pool = contractors if membership.user_id == sql_mentor.pk else staff
        membership.pools.add(pool)
    # The speaking mentor manages the first speaking mentee.
    Profile.objects.filter(user=speaking[0].mentee).update(manager_email=speaker.email)
    run = run_now(program, admin)
    pairs = {p.ask_id: p.mentor_id for p in ProposedPair.objects.filter(run=run)}
    assert sql_asks and all(pairs[a.pk] != sql_mentor.pk for a in sql_asks)
    assert sql_mentor.pk not in pairs.values()
    assert pairs[speaking[0].pk] != speaker.pk

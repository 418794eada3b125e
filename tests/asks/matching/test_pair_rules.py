"""Pools, match rules and the reporting line, enforced in one place (`eligibility.PairRules`)
and so on every path: suggestions, the directory (page and API), a mentor's page, the open
board (list, page, API, offer), invitations (service and API), and in bulk for cohort
matching."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pairup.accounts.models import Profile
from pairup.asks import queries, rules, services
from pairup.asks.matching.eligibility import (
    eligibility,
    eligibility_for_asks,
    matchable_mentors,
    mentor_eligibility,
    pair_rules,
)
from pairup.asks.matching.suggestions import suggest_mentors
from pairup.asks.models import Ask, Block
from pairup.core.errors import Forbidden, ServiceError
from pairup.programs.models import MatchRule, Membership, Pool
from tests.factories import ProgramFactory, UserFactory, make_mentor

pytestmark = pytest.mark.django_db

QUESTION = "How do I negotiate a data science offer with equity?"


@pytest.fixture
def london(program):
    return Pool.objects.create(program=program, name="London", kind="site")


@pytest.fixture
def new_york(program):
    return Pool.objects.create(program=program, name="New York", kind="site")


@pytest.fixture
def nadia(program):
    """A second mentor who knows the ask's topic, at another site."""
    return make_mentor(
        program,
        topics={"negotiating-an-offer": "expert"},
        display_name="Nadia Mentor",
        headline="Talent lead",
        site="New York",
        languages=["en"],
    )


@pytest.fixture
def ask(program, mentee):
    Profile.objects.filter(user=mentee).update(languages=["en"])
    return services.ask_create(
        program=program, mentee=mentee, topics=["negotiating-an-offer"], question=QUESTION
    )


def _put(pool, *users):
    pool.members.add(*Membership.objects.filter(program=pool.program, user__in=users))


def _suggested(ask) -> set[int]:
    return {s.mentor.pk for s in suggest_mentors(Ask.objects.get(pk=ask.pk), k=None)}


def _manages(manager, report, email=None):
    Profile.objects.filter(user=report).update(manager_email=email or manager.email)


# ------------------------------------------------------------------------- the rule


def test_without_rules_anyone_is_paired_with_anyone(ask, mentor, nadia, london):
    _put(london, mentor)  # pools alone change nothing
    assert _suggested(ask) == {mentor.pk, nadia.pk}


def test_a_rule_pairs_only_the_pools_it_joins(ask, mentee, mentor, nadia, london, new_york):
    _put(london, mentee, mentor)
    _put(new_york, nadia)
    MatchRule.objects.create(program=ask.program, mentee_pool=london, mentor_pool=london)
    assert mentor_eligibility(ask, mentor.pk, timezone.now()).ok
    refused = mentor_eligibility(ask, nadia.pk, timezone.now())
    assert refused.refusal == "pool_rule"
    assert refused.reason == "the program's match rules do not pair these pools"
    assert _suggested(ask) == {mentor.pk}


def test_a_rule_goes_one_way(program, mentee, mentor, london, new_york):
    """Mentees in London may meet mentors in New York; not the other way round."""
    _put(london, mentee)
    _put(new_york, mentor)
    MatchRule.objects.create(program=program, mentee_pool=london, mentor_pool=new_york)
    rules_ = pair_rules(program)
    assert rules_.allows(mentee.pk, mentor.pk)
    assert rules_.refusal(mentor.pk, mentee.pk) == "pool_rule"


def test_with_rules_someone_in_no_pool_is_paired_with_nobody(ask, mentee, mentor, london):
    _put(london, mentor)
    MatchRule.objects.create(program=ask.program, mentee_pool=london, mentor_pool=london)
    assert mentor_eligibility(ask, mentor.pk, timezone.now()).refusal == "pool_rule"
    _put(london, mentee)
    assert mentor_eligibility(ask, mentor.pk, timezone.now()).ok


def test_a_member_in_several_pools_is_paired_through_any_of_them(
    program, mentee, mentor, london, new_york
):
    _put(london, mentee)
    _put(new_york, mentee, mentor)
    MatchRule.objects.create(program=program, mentee_pool=new_york, mentor_pool=new_york)
    assert pair_rules(program).allows(mentee.pk, mentor.pk)


def test_the_rules_of_another_program_do_not_apply(program, mentee, mentor, london):
    other = ProgramFactory()
    there = Pool.objects.create(program=other, name="Elsewhere")
    MatchRule.objects.create(program=other, mentee_pool=there, mentor_pool=there)
    _put(london, mentee)
    assert pair_rules(program).allows(mentee.pk, mentor.pk)


@pytest.mark.parametrize(
    "who", ["mentee's manager is the mentor", "mentor's manager is the mentee"]
)
def test_nobody_is_paired_with_their_manager_either_way(ask, mentee, mentor, nadia, who):
    if who.startswith("mentee"):
        _manages(mentor, mentee, email=mentor.email.upper())  # compared without case
    else:
        _manages(mentee, mentor)
    refused = mentor_eligibility(ask, mentor.pk, timezone.now())
    assert (refused.refusal, refused.reason) == ("reporting_line", "one reports to the other")
    assert _suggested(ask) == {nadia.pk}


def test_a_manager_outside_the_program_changes_nothing(ask, mentee, mentor):
    boss = UserFactory(email="boss@example.org")
    _manages(boss, mentee)
    assert mentor_eligibility(ask, mentor.pk, timezone.now()).ok


# ----------------------------------------------------------------------- invitations


def test_inviting_a_mentor_the_rules_keep_apart_is_refused_naming_the_rule(
    ask, mentee, mentor, london, new_york
):
    _put(new_york, mentee)
    _put(london, mentor)
    MatchRule.objects.create(program=ask.program, mentee_pool=london, mentor_pool=london)
    with pytest.raises(ServiceError, match="match rules do not pair these pools") as refused:
        services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    assert (refused.value.code, refused.value.field) == ("mentor_not_eligible", "mentor")
    assert not ask.invitations.exists()


def test_inviting_ones_manager_over_the_api_is_422_naming_the_rule(api, ask, mentee, mentor):
    _manages(mentor, mentee)
    response = api(mentee).post(f"/asks/{ask.pk}/invitations", {"mentor": mentor.pk})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "mentor_not_eligible"
    assert body["errors"] == [
        {
            "field": "mentor",
            "message": "This mentor cannot take this ask: one reports to the other.",
        }
    ]


# ----------------------------------------------------------------------------- board


@pytest.fixture
def board_ask(ask, mentee):
    return services.ask_post_to_board(ask=ask, by=mentee)


def test_the_board_hides_an_ask_from_the_mentees_manager(board_ask, mentee, mentor, nadia):
    _manages(mentor, mentee)
    assert list(queries.board_asks(mentor)) == []
    assert list(queries.board_asks(nadia)) == [board_ask]
    assert not rules.can_see_ask(mentor, board_ask)
    with pytest.raises(Forbidden, match="one reports to the other"):
        services.board_offer(ask=board_ask, mentor=mentor)


def test_the_board_page_and_api_follow_the_pool_rules(
    api, board_ask, mentee, mentor, nadia, london, new_york
):
    _put(london, mentee, mentor)
    _put(new_york, nadia)
    MatchRule.objects.create(program=board_ask.program, mentee_pool=london, mentor_pool=london)
    web = Client()
    web.force_login(nadia)
    assert QUESTION not in web.get("/board/").content.decode()
    assert web.get(f"/asks/{board_ask.pk}/").status_code == 404
    assert api(nadia).get("/board").json()["count"] == 0
    assert api(nadia).post(f"/asks/{board_ask.pk}/offer").status_code == 404
    web.force_login(mentor)
    assert QUESTION in web.get("/board/").content.decode()
    assert api(mentor).get("/board").json()["count"] == 1


def test_the_board_reads_pair_rules_in_fixed_queries(
    program, mentee, mentor, london, django_assert_max_num_queries
):
    """Asks of several mentees in two programs: the same reads as one ask in one."""
    other = ProgramFactory()
    Membership.objects.create(program=other, user=mentor, is_mentor=True, mentor_status="approved")
    MatchRule.objects.create(program=program, mentee_pool=london, mentor_pool=london)
    _put(london, mentor)
    asks = []
    for i, where in enumerate([program, program, other]):
        person = UserFactory(profile_fields={"languages": ["en"]})
        Membership.objects.create(program=where, user=person, is_mentee=True)
        if where == program and i == 0:
            _put(london, person)
        ask = services.ask_create(
            program=where, mentee=person, topics=["sql"], question=f"How do I join tables {i}?"
        )
        asks.append(services.ask_post_to_board(ask=ask, by=person))
    board = list(queries.board_asks(mentor))
    assert [a.pk for a in board] == [asks[2].pk, asks[0].pk]  # newest first; asks[1] in no pool
    with django_assert_max_num_queries(12):
        verdicts = eligibility_for_asks(mentor, board, timezone.now())
    assert [verdicts[a.pk].ok for a in board] == [True, True]


# ------------------------------------------------------------------------- directory


def test_the_directory_lists_to_a_mentee_only_the_mentors_they_may_meet(
    api, program, mentee, mentor, nadia, admin, london, new_york
):
    _put(london, mentee, mentor)
    _put(new_york, nadia)
    MatchRule.objects.create(program=program, mentee_pool=london, mentor_pool=london)
    web = Client()
    web.force_login(mentee)
    page = web.get("/p/acme/mentors/").content.decode()
    assert "Priya Mentor" in page and "Nadia Mentor" not in page
    searched = web.get("/p/acme/mentors/", {"q": "negotiating offer"}).content.decode()
    assert "Priya Mentor" in searched and "Nadia Mentor" not in searched
    listed = api(mentee).get("/programs/acme/mentors").json()
    assert [m["display_name"] for m in listed["items"]] == ["Priya Mentor"]
    searched_api = api(mentee).get("/programs/acme/mentors", q="negotiating offer").json()
    assert [m["display_name"] for m in searched_api["items"]] == ["Priya Mentor"]
    # An admin who is no mentee sees every mentor: they run the program.
    everyone = api(admin).get("/programs/acme/mentors").json()
    assert sorted(m["display_name"] for m in everyone["items"]) == ["Nadia Mentor", "Priya Mentor"]


def test_the_directory_hides_the_mentees_manager_and_blocked_mentors(api, mentee, mentor, nadia):
    _manages(mentor, mentee)
    assert [m["id"] for m in api(mentee).get("/programs/acme/mentors").json()["items"]] == [
        nadia.pk
    ]
    Block.objects.create(blocker=nadia, blocked=mentee)
    assert api(mentee).get("/programs/acme/mentors").json()["count"] == 0


def test_a_mentor_who_is_also_a_mentee_still_finds_their_own_card(
    api, program, mentor, london, new_york
):
    Membership.objects.filter(user=mentor).update(is_mentee=True)
    _put(new_york, mentor)
    MatchRule.objects.create(program=program, mentee_pool=london, mentor_pool=london)
    assert [m["id"] for m in api(mentor).get("/programs/acme/mentors").json()["items"]] == [
        mentor.pk
    ]


def test_matchable_mentors_answers_for_a_mentee_whatever_the_ask(
    program, mentee, mentor, nadia, london
):
    assert matchable_mentors(program, mentee.pk, [mentor.pk, nadia.pk]) == {mentor.pk, nadia.pk}
    _put(london, mentee, mentor)
    MatchRule.objects.create(program=program, mentee_pool=london, mentor_pool=london)
    assert matchable_mentors(program, mentee.pk, [mentor.pk, nadia.pk]) == {mentor.pk}


@pytest.mark.parametrize("count", [1, 3])
def test_the_directory_with_rules_and_managers_reads_the_same_for_1_or_3_mentors(
    client, program, mentee, london, count, django_assert_num_queries
):
    """Rules, pools and managers all present: every read the pair rules can make."""
    _put(london, mentee)
    MatchRule.objects.create(program=program, mentee_pool=london, mentor_pool=london)
    boss = make_mentor(program, display_name="Boss")
    _manages(boss, mentee)
    for i in range(count):
        _put(london, make_mentor(program, display_name=f"Mentor {i}"))
    client.force_login(mentee)
    client.get("/p/acme/mentors/")  # warm the session
    # Signed-in person, program, filters (3), the pair rules at their fullest (6: listed ids,
    # rules, pools, who has a manager, the managers, blocks), the page, cards and free times.
    with django_assert_num_queries(27):
        response = client.get("/p/acme/mentors/")
    assert response.content.decode().count('class="card mentor"') == count


# ---------------------------------------------------------------------- mentor page


def test_a_mentors_page_offers_no_invitation_the_rules_would_refuse(
    client, ask, mentee, mentor, nadia
):
    _manages(mentor, mentee)
    client.force_login(mentee)
    page = client.get(f"/p/acme/mentors/{mentor.pk}/").content.decode()
    assert "Invite to my open ask" not in page
    assert "This program does not pair you with Priya Mentor: one reports to the other." in page
    other = client.get(f"/p/acme/mentors/{nadia.pk}/").content.decode()
    assert "Invite to my open ask" in other and "does not pair you" not in other


# -------------------------------------------------------------------------- in bulk


def test_pair_rules_of_a_whole_program_read_in_five_queries(
    program, london, new_york, django_assert_num_queries
):
    """What cohort matching calls: every mentee × every mentor, a fixed number of reads."""
    MatchRule.objects.create(program=program, mentee_pool=london, mentor_pool=new_york)
    mentees, mentors = [], []
    for i in range(6):
        person = UserFactory()
        Membership.objects.create(program=program, user=person, is_mentee=True)
        _put(london if i % 2 else new_york, person)
        mentees.append(person)
        mentor = make_mentor(program)
        _put(new_york, mentor)
        mentors.append(mentor)
    _manages(mentors[1], mentees[1])
    Block.objects.create(blocker=mentees[3], blocked=mentors[0])
    with django_assert_num_queries(5):  # rules, pools, who has a manager, managers, blocks
        rules_ = pair_rules(program)
    allowed = {(a.pk, m.pk) for a in mentees for m in mentors if rules_.allows(a.pk, m.pk)}
    expected = {
        (a.pk, m.pk)
        for i, a in enumerate(mentees)
        for j, m in enumerate(mentors)
        if i % 2 and (i, j) not in {(1, 1), (3, 0)}
    }
    assert allowed == expected
    assert rules_.refusal(mentees[1].pk, mentors[1].pk) == "reporting_line"
    assert rules_.refusal(mentees[3].pk, mentors[0].pk) == "blocked"
    assert rules_.refusal(mentees[0].pk, mentors[0].pk) == "pool_rule"


def test_eligibility_with_rules_reads_the_same_for_1_or_5_mentors(program, ask, mentee, london):
    MatchRule.objects.create(program=program, mentee_pool=london, mentor_pool=london)
    _put(london, mentee)
    boss = make_mentor(program)
    _put(london, boss)
    _manages(boss, mentee)
    counts = []
    for extra in (1, 4):
        for _ in range(extra):
            _put(london, make_mentor(program))
        with CaptureQueriesContext(connection) as captured:
            answers = eligibility(ask, timezone.now())
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert sum(a.ok for a in answers.values()) == 5 and answers[boss.pk].refusal == "reporting_line"

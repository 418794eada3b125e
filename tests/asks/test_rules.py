"""Who may do what with asks, invitations, engagements and their wrap-up
(pairup.asks.rules): who × state → allowed?

Every object is a real row made through the services: an ask invited to the mentor, an ask
on the open board, an engagement the mentor accepted, its thanks, feedback and a report."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from pairup.asks import rules
from pairup.asks import services as asks
from pairup.programs.models import Membership, MentorStatus
from tests.factories import UserFactory, make_mentor

pytestmark = pytest.mark.django_db

QUESTION = "How do I negotiate a data science offer with equity?"


@pytest.fixture
def people(program, mentee, mentor, admin, outsider):
    """The personas, plus a second approved mentor, a mentor waiting for approval and a
    second mentee of the same program."""
    pending = UserFactory()
    Membership.objects.create(
        program=program, user=pending, is_mentor=True, mentor_status=MentorStatus.PENDING
    )
    another = UserFactory()
    Membership.objects.create(program=program, user=another, is_mentee=True)
    return {
        "mentee": mentee,
        "mentor": mentor,
        "other mentor": make_mentor(program, topics={"negotiating-an-offer": "expert"}),
        "pending mentor": pending,
        "another mentee": another,
        "admin": admin,
        "outsider": outsider,
        "anonymous": AnonymousUser(),
    }


def new_ask(program, mentee):
    return asks.ask_create(
        program=program, mentee=mentee, topics=["negotiating-an-offer"], question=QUESTION
    )


@pytest.fixture
def invitation(program, mentee, mentor):
    return asks.invitation_create(ask=new_ask(program, mentee), mentor_id=mentor.pk, by=mentee)


@pytest.fixture
def board_ask(program, mentee):
    return asks.ask_post_to_board(ask=new_ask(program, mentee), by=mentee)


@pytest.fixture
def engagement(invitation, mentor):
    return asks.invitation_accept(invitation=invitation, by=mentor)


@pytest.fixture
def completed(engagement, mentor):
    """The engagement marked done: wrap-up (feedback, thanks) is open."""
    return asks.engagement_close(engagement=engagement, by=mentor)


# ------------------------------------------------------------------------------- asks


@pytest.mark.parametrize(
    "who, invited, on_board, withdrawn_from_board",
    [
        ("mentee", True, True, True),
        ("mentor", True, True, False),  # invited to the first; approved, so sees the board
        ("other mentor", False, True, False),
        ("pending mentor", False, False, False),
        ("another mentee", False, False, False),
        ("admin", False, False, False),  # admins see states on the program's pages only
        ("outsider", False, False, False),
        ("anonymous", False, False, False),
    ],
)
def test_can_see_ask(
    people, program, mentee, invitation, board_ask, who, invited, on_board, withdrawn_from_board
):
    user = people[who]
    withdrawn = asks.ask_withdraw(
        ask=asks.ask_post_to_board(ask=new_ask(program, mentee), by=mentee), by=mentee
    )
    assert (
        rules.can_see_ask(user, invitation.ask),
        rules.can_see_ask(user, board_ask),
        rules.can_see_ask(user, withdrawn),
    ) == (invited, on_board, withdrawn_from_board)


@pytest.mark.parametrize(
    "who, allowed",
    [
        ("mentee", True),
        ("mentor", False),
        ("other mentor", False),
        ("admin", False),
        ("outsider", False),
        ("anonymous", False),
    ],
)
def test_only_the_author_edits_and_invites(people, invitation, board_ask, who, allowed):
    user = people[who]
    for ask in (invitation.ask, board_ask):
        assert (rules.can_edit_ask(user, ask), rules.can_invite(user, ask)) == (allowed, allowed)


def test_the_author_sees_their_ask_without_a_query(mentee, board_ask, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert rules.can_see_ask(mentee, board_ask)


def test_a_mentor_sees_a_board_ask_in_five_reads(people, board_ask, django_assert_num_queries):
    # Invited? then the membership, then the pair rules (match rules, managers, blocks).
    with django_assert_num_queries(5):
        assert rules.can_see_ask(people["other mentor"], board_ask)


# ------------------------------------------------------------------------ invitations


@pytest.mark.parametrize(
    "who, see, answer, withdraw, answer_question",
    [
        ("mentee", True, False, True, True),
        ("mentor", True, True, False, False),
        ("other mentor", False, False, False, False),
        ("another mentee", False, False, False, False),
        ("admin", False, False, False, False),
        ("outsider", False, False, False, False),
        ("anonymous", False, False, False, False),
    ],
)
def test_invitation_rules(people, invitation, who, see, answer, withdraw, answer_question):
    user = people[who]
    assert (
        rules.can_see_invitation(user, invitation),
        rules.can_answer_invitation(user, invitation),
        rules.can_withdraw_invitation(user, invitation),
        rules.can_answer_clarification(user, invitation),
    ) == (see, answer, withdraw, answer_question)


# ------------------------------------------------------------------------ engagements


@pytest.mark.parametrize(
    "who, see, take_part, thank",
    [
        ("mentee", True, True, True),
        ("mentor", True, True, False),
        ("other mentor", False, False, False),
        ("another mentee", False, False, False),
        ("admin", False, False, False),  # never the thread
        ("outsider", False, False, False),
        ("anonymous", False, False, False),
    ],
)
def test_engagement_rules(people, engagement, who, see, take_part, thank):
    user = people[who]
    assert (
        rules.can_see_engagement(user, engagement),
        rules.can_take_part(user, engagement),
        rules.can_thank(user, engagement),
    ) == (see, take_part, thank)


@pytest.mark.parametrize(
    "who, allowed",
    [("mentor", True), ("mentee", False), ("admin", False), ("outsider", False)],
)
def test_only_the_thanked_mentor_places_the_thanks(people, completed, mentee, who, allowed):
    thanks = asks.thanks_send(engagement=completed, by=mentee, body="Thank you!")
    assert rules.can_place_thanks(people[who], thanks) is allowed


@pytest.mark.parametrize(
    "who, shared, private",
    [
        ("mentee", True, True),  # the author
        ("mentor", True, False),  # the other person: only when shared
        ("admin", False, False),  # admins read it on the admin pages, not through this rule
        ("outsider", False, False),
        ("anonymous", False, False),
    ],
)
def test_can_read_feedback(people, completed, mentee, who, shared, private):
    mine = asks.feedback_give(engagement=completed, by=mentee, rating=5, applied="x", shared=True)
    user = people[who]
    assert rules.can_read_feedback(user, mine) is shared
    mine.shared = False
    assert rules.can_read_feedback(user, mine) is private


# ----------------------------------------------------------------------------- safety


@pytest.mark.parametrize(
    "who, allowed",
    [
        ("admin", True),
        ("mentee", False),  # the reporter
        ("mentor", False),
        ("outsider", False),  # an admin, of another program
    ],
)
def test_only_the_programs_admins_resolve_a_report(people, engagement, mentee, who, allowed):
    report = asks.report_create(engagement=engagement, by=mentee, reason="Rude")
    assert rules.can_resolve_report(people[who], report) is allowed


# ------------------------------------------------------------------ the pages follow


@pytest.mark.parametrize(
    "who, thank_form, place_form",
    [("mentee", True, False), ("mentor", False, False)],
)
def test_the_engagement_page_offers_thanks_by_the_rules(
    client, people, completed, who, thank_form, place_form
):
    client.force_login(people[who])
    html = client.get(f"/engagements/{completed.pk}/").content.decode()
    assert ("Send thanks" in html) is thank_form
    assert ("on my profile" in html) is place_form


@pytest.mark.parametrize(
    "who, place_form",
    [("mentee", False), ("mentor", True)],
)
def test_the_thanked_mentor_is_offered_to_place_the_thanks(
    client, people, completed, mentee, who, place_form
):
    asks.thanks_send(engagement=completed, by=mentee, body="Thank you!")
    client.force_login(people[who])
    html = client.get(f"/engagements/{completed.pk}/").content.decode()
    assert ("Show this thank-you on my profile" in html) is place_form


@pytest.mark.parametrize("who, warned", [("mentee", False), ("mentor", True), ("admin", True)])
def test_the_ask_form_warns_whom_the_rule_refuses(client, people, program, who, warned):
    client.force_login(people[who])
    html = client.get(f"/p/{program.slug}/asks/new/").content.decode()
    assert ("as a mentee to write an ask" in html) is warned


@pytest.mark.parametrize(
    "who, offered",
    [("mentee", True), ("another mentee", True), ("mentor", False), ("admin", False)],
)
def test_a_mentors_page_offers_to_ask_by_the_rule(client, people, program, mentor, who, offered):
    client.force_login(people[who])
    html = client.get(f"/p/{program.slug}/mentors/{mentor.pk}/").content.decode()
    assert (">Write an ask</a>" in html) is offered


@pytest.mark.parametrize("who, status", [("mentee", 404), ("mentor", 302), ("outsider", 404)])
def test_placing_thanks_follows_the_rule(client, people, completed, mentee, who, status):
    thanks = asks.thanks_send(engagement=completed, by=mentee, body="Thank you!")
    client.force_login(people[who])
    response = client.post(f"/thanks/{thanks.pk}/profile/", {"show": "1"})
    assert response.status_code == status
    thanks.refresh_from_db()
    assert thanks.on_profile is (status == 302)

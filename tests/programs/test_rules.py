"""Who may do what in a program (pairup.programs.rules): who × membership → allowed?

The standing each rule is asked about is read from the real database with membership_of,
as the views, the API and the services read it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from pairup.programs import rules
from pairup.programs.models import Membership, MentorStatus
from pairup.programs.queries import membership_of
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

# A person's roles in the program (None: a member of another program only).
ROLES: dict[str, dict[str, object] | None] = {
    "mentee": {"is_mentee": True},
    "mentor": {"is_mentor": True, "mentor_status": MentorStatus.APPROVED},
    "pending mentor": {"is_mentor": True, "mentor_status": MentorStatus.PENDING},
    "paused mentor": {"is_mentor": True, "mentor_status": MentorStatus.PAUSED},
    "mentee and mentor": {
        "is_mentee": True,
        "is_mentor": True,
        "mentor_status": MentorStatus.APPROVED,
    },
    "admin": {"is_admin": True},
    "outsider": None,
}


def person(program, other_program, who: str):
    """A new user with the roles of `who` in `program` (the outsider: in `other_program`)."""
    user = UserFactory()
    roles = ROLES[who]
    if roles is None:
        MembershipFactory(program=other_program, user=user, is_mentee=True, is_admin=True)
    else:
        Membership.objects.create(program=program, user=user, **{"is_mentee": False, **roles})
    return user


@pytest.mark.parametrize(
    "who, see, admin, write, board",
    [
        ("mentee", True, False, True, False),
        ("mentor", True, False, False, True),
        ("pending mentor", True, False, False, False),
        ("paused mentor", True, False, False, False),
        ("mentee and mentor", True, False, True, True),
        ("admin", True, True, False, False),
        ("outsider", False, False, False, False),
    ],
)
def test_program_rules_by_role(program, other_program, who, see, admin, write, board):
    member = membership_of(person(program, other_program, who), program)
    assert (
        rules.can_see_program(member),
        rules.can_admin_program(member),
        rules.can_write_ask(member),
        rules.can_see_board(member),
    ) == (see, admin, write, board)


def test_membership_of_nobody_signed_in_is_none_without_a_query(program, django_assert_num_queries):
    with django_assert_num_queries(0):
        member = membership_of(AnonymousUser(), program)
    assert member is None
    assert not rules.can_see_program(member)


def test_membership_of_takes_a_program_or_its_id(program, mentee):
    assert membership_of(mentee, program) == membership_of(mentee, program.pk)
    assert membership_of(mentee, program).user == mentee


@pytest.mark.parametrize(
    "viewer, mentor, allowed",
    [
        ("mentee", "mentor", True),
        ("mentee", "pending mentor", False),
        ("mentee", "paused mentor", False),
        ("mentee", "mentee", False),  # not a mentor at all
        ("mentor", "mentor", True),
        ("admin", "mentor", True),
        ("admin", "pending mentor", True),
        ("admin", "paused mentor", True),
        ("admin", "mentee", False),
        ("outsider", "mentor", False),
    ],
)
def test_can_see_mentor(program, other_program, viewer, mentor, allowed):
    seen = membership_of(person(program, other_program, mentor), program)
    member = membership_of(person(program, other_program, viewer), program)
    assert rules.can_see_mentor(member, seen) is allowed


@pytest.mark.parametrize("status", [MentorStatus.PENDING, MentorStatus.PAUSED])
def test_a_mentor_sees_their_own_page_before_approval_and_when_paused(program, status):
    user = UserFactory()
    own = Membership.objects.create(
        program=program, user=user, is_mentor=True, mentor_status=status
    )
    assert rules.can_see_mentor(own, own)


def test_a_member_of_another_program_does_not_see_its_mentors(program, other_program, mentor):
    seen = membership_of(mentor, program)
    elsewhere = MembershipFactory(program=other_program, is_admin=True)
    assert not rules.can_see_mentor(elsewhere, seen)


@pytest.mark.parametrize(
    "viewer, allowed",
    [
        ("mentee", True),
        ("mentee and mentor", True),
        ("mentor", False),
        ("admin", False),
        ("outsider", False),
    ],
)
def test_can_ask_mentor(program, other_program, mentor, viewer, allowed):
    seen = membership_of(mentor, program)
    member = membership_of(person(program, other_program, viewer), program)
    assert rules.can_ask_mentor(member, seen) is allowed


def test_nobody_asks_themself_from_their_own_page(program):
    both = Membership.objects.create(
        program=program,
        user=UserFactory(),
        is_mentee=True,
        is_mentor=True,
        mentor_status=MentorStatus.APPROVED,
    )
    assert rules.can_write_ask(both)
    assert not rules.can_ask_mentor(both, both)


@pytest.mark.parametrize("who", ["mentee", "mentor", "pending mentor", "outsider"])
def test_only_admins_set_a_mentor_status_through_the_service(program, other_program, mentor, who):
    from pairup.core.errors import Forbidden
    from pairup.programs.services import membership_set_mentor_status

    target = membership_of(mentor, program)
    with pytest.raises(Forbidden) as refused:
        membership_set_mentor_status(
            membership=target, status=MentorStatus.PAUSED, by=person(program, other_program, who)
        )
    assert refused.value.detail == "Only this program's admins can do that."
    target.refresh_from_db()
    assert target.mentor_status == MentorStatus.APPROVED


@pytest.mark.parametrize(
    "who, cards",
    [
        ("mentee", ["Write an ask", "Find a mentor"]),
        ("mentor", ["Find a mentor"]),
        ("admin", ["Find a mentor", "Asks and reports", "Members"]),
        ("mentee and mentor", ["Write an ask", "Find a mentor"]),
    ],
)
def test_the_program_page_offers_what_the_rules_allow(client, program, other_program, who, cards):
    client.force_login(person(program, other_program, who))
    html = client.get(f"/p/{program.slug}/").content.decode()
    offered = [
        c
        for c in ("Write an ask", "Find a mentor", "Asks and reports", "Members")
        if f">{c}</a></h2>" in html
    ]
    assert offered == cards

"""Who may set availability (pairup.availability.rules): who × memberships → allowed?"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from pairup.availability.rules import can_set_availability
from pairup.programs.models import Membership, MentorStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MENTEE = {"is_mentee": True}
ADMIN = {"is_admin": True}
APPROVED = {"is_mentor": True, "mentor_status": MentorStatus.APPROVED}
PENDING = {"is_mentor": True, "mentor_status": MentorStatus.PENDING}
PAUSED = {"is_mentor": True, "mentor_status": MentorStatus.PAUSED}


@pytest.mark.parametrize(
    "here, elsewhere, allowed",
    [
        (None, None, False),  # signed in, a member of no program
        (MENTEE, None, False),
        (ADMIN, None, False),
        (APPROVED, None, True),
        (PENDING, None, True),  # waiting for approval: gets ready meanwhile
        (PAUSED, None, True),
        (MENTEE, APPROVED, True),  # a mentor in any program
        (MENTEE, ADMIN, False),
    ],
)
def test_can_set_availability(program, other_program, here, elsewhere, allowed):
    user = UserFactory()
    for where, roles in ((program, here), (other_program, elsewhere)):
        if roles is not None:
            Membership.objects.create(program=where, user=user, **roles)
    assert can_set_availability(user) is allowed


def test_nobody_signed_in_sets_availability(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert not can_set_availability(AnonymousUser())


@pytest.mark.parametrize("roles, status", [(MENTEE, 404), (PENDING, 200), (APPROVED, 200)])
def test_the_availability_page_follows_the_rule(client, program, roles, status):
    user = UserFactory()
    Membership.objects.create(program=program, user=user, **roles)
    client.force_login(user)
    assert client.get("/availability/").status_code == status

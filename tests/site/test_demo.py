from __future__ import annotations

import pytest
from django.contrib.auth import authenticate

from pairup.accounts.models import User
from pairup.programs.models import Membership, MentorStatus, Program
from pairup.site.demo import demo_load

pytestmark = pytest.mark.django_db


def _snapshot() -> list[tuple]:
    return list(
        Membership.objects.order_by("pk").values_list(
            "pk",
            "program__slug",
            "user__email",
            "user__profile__display_name",
            "user__profile__site",
            "is_mentor",
            "mentor_status",
        )
    )


def test_demo_builds_the_promised_people_and_is_idempotent():
    assert demo_load() is True
    acme = Program.objects.get(slug="acme-mentoring")
    approved = Membership.objects.filter(
        program=acme, is_mentor=True, mentor_status=MentorStatus.APPROVED
    )
    mentees = Membership.objects.filter(program=acme, is_mentee=True, is_mentor=False)
    assert 28 <= approved.count() <= 32
    assert 78 <= mentees.count() <= 82
    assert set(acme.memberships.values_list("user__profile__site", flat=True)) >= {
        "London",
        "New York",
        "Bengaluru",
    }
    for email in [
        "admin@demo.pairup",
        "mentor@demo.pairup",
        "mentee@demo.pairup",
        "outsider@demo.pairup",
    ]:
        assert authenticate(email=email, password="pairup-demo") is not None
    assert Membership.objects.get(user__email="admin@demo.pairup", program=acme).is_admin
    assert Membership.objects.get(user__email="mentor@demo.pairup").is_approved_mentor
    assert not Membership.objects.filter(user__email="outsider@demo.pairup", program=acme).exists()
    before, users = _snapshot(), User.objects.count()
    assert demo_load() is False
    assert _snapshot() == before and User.objects.count() == users


def test_demo_is_deterministic(django_db_blocker):
    demo_load()
    first = _snapshot()
    Program.objects.all().delete()
    User.objects.all().delete()
    demo_load()
    second = _snapshot()
    assert [row[1:] for row in first] == [row[1:] for row in second]

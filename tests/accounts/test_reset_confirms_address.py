"""Setting a password from an emailed reset link confirms the account's address, when the
account has just that one (as an account a roster import made has)."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import password_reset

from pairup.accounts.services import user_create

pytestmark = pytest.mark.django_db


def test_a_reset_confirms_the_only_address():
    user = user_create(email="new@example.org", password_hash="!")
    password_reset.send(sender=type(user), request=None, user=user)
    assert EmailAddress.objects.get(user=user).verified


def test_a_reset_confirms_nothing_when_the_link_may_have_gone_to_another_address():
    user = user_create(email="new@example.org", password_hash="!")
    EmailAddress.objects.create(user=user, email="second@example.org", verified=False)
    password_reset.send(sender=type(user), request=None, user=user)
    assert not EmailAddress.objects.filter(user=user, verified=True).exists()

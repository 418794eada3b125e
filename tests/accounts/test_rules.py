"""Who may do what with accounts' tokens (pairup.accounts.rules): who × token → allowed?"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from pairup.accounts.models import ApiToken
from pairup.accounts.rules import can_revoke_token
from pairup.accounts.services import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "who, allowed",
    [("mentee", True), ("mentor", False), ("admin", False), ("anonymous", False)],
)
def test_only_the_owner_revokes_a_token(mentee, mentor, admin, who, allowed):
    token, _ = api_token_create(user=mentee, name="laptop")
    user = {"mentee": mentee, "mentor": mentor, "admin": admin, "anonymous": AnonymousUser()}[who]
    assert can_revoke_token(user, token) is allowed


def test_revoking_someone_elses_token_is_404_and_keeps_it(mentee, mentor):
    token, _ = api_token_create(user=mentee, name="laptop")
    with pytest.raises(Http404):
        api_token_revoke(user=mentor, token_id=token.pk)
    assert ApiToken.objects.filter(pk=token.pk).exists()
    api_token_revoke(user=mentee, token_id=token.pk)
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_revoking_a_token_that_does_not_exist_is_404(mentee):
    with pytest.raises(Http404):
        api_token_revoke(user=mentee, token_id=999_999)

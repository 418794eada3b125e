from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail

from pairup.accounts.models import ApiToken, Profile, User
from pairup.accounts.services import account_deleting, api_token_create
from pairup.programs.models import Membership

pytestmark = pytest.mark.django_db


def test_signup_sends_verification_and_verifying_signs_in(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "New@Example.org",
            "password1": "a-long-passphrase",
            "password2": "a-long-passphrase",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new@example.org")
    assert Profile.objects.filter(user=user).exists()
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    # The link points at SITE_URL (the public address), not the host the request came to.
    link = re.search(
        rf"{re.escape(settings.SITE_URL)}(/accounts/confirm-email/\S+/)", mail.outbox[0].body
    ).group(1)
    confirm = client.post(link)
    assert confirm.status_code == 302
    assert EmailAddress.objects.get(user=user).verified


def test_signup_with_a_taken_email_shows_the_error_beside_the_field(client, mentee):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "mentee@example.org",
            "password1": "a-long-passphrase",
            "password2": "a-long-passphrase",
        },
    )
    assert response.status_code == 200
    assert "A user is already registered with this email address." in response.content.decode()
    assert User.objects.filter(email="mentee@example.org").count() == 1


def test_unverified_user_cannot_sign_in(client):
    user = User.objects.create_user("fresh@example.org", "a-long-passphrase")
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    response = client.post(
        "/accounts/login/", {"login": "fresh@example.org", "password": "a-long-passphrase"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session


def test_sign_in_is_slowed_down_per_address_and_account(client, mentee, password):
    # More in tests/accounts/test_signin_protection.py: other addresses are not held back.
    for _ in range(5):
        client.post("/accounts/login/", {"login": "mentee@example.org", "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"login": "mentee@example.org", "password": password}
    )
    assert response.status_code == 429
    wait = int(response["Retry-After"])
    assert 295 <= wait <= 300
    assert f"Too many failed sign-in attempts. Try again in {wait} seconds." in (
        response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_account_delete_removes_the_person_and_their_data(client, mentee):
    api_token_create(user=mentee)
    seen = []
    account_deleting.connect(
        lambda sender, user, **kw: seen.append(user.pk), weak=False, dispatch_uid="t"
    )
    try:
        client.force_login(mentee)
        wrong = client.post("/account/delete/", {"confirm": "delete"})
        assert wrong.status_code == 200 and "Type the word DELETE" in wrong.content.decode()
        assert User.objects.filter(pk=mentee.pk).exists()
        response = client.post("/account/delete/", {"confirm": "DELETE"})
    finally:
        account_deleting.disconnect(dispatch_uid="t")
    assert response.status_code == 302
    assert seen == [mentee.pk]
    assert not User.objects.filter(pk=mentee.pk).exists()
    assert not Profile.objects.filter(user_id=mentee.pk).exists()
    assert not Membership.objects.filter(user_id=mentee.pk).exists()
    assert not ApiToken.objects.filter(user_id=mentee.pk).exists()


def test_profile_form_shows_unknown_timezone_error_beside_field(client, mentee):
    client.force_login(mentee)
    response = client.post(
        "/profile/",
        {
            "display_name": "Sam",
            "headline": "x",
            "timezone": "Nowhere/City",
            "expertise-TOTAL_FORMS": "0",
            "expertise-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_timezone_error"' in html and "is not a time zone we know" in html
    mentee.profile.refresh_from_db()
    assert mentee.profile.timezone == "UTC"


def test_profile_form_saves_expertise(client, mentee):
    client.force_login(mentee)
    response = client.post(
        "/profile/",
        {
            "display_name": "Sam",
            "headline": "Analyst",
            "timezone": "Europe/London",
            "languages": ["en"],
            "goals": ["sql"],
            "expertise-TOTAL_FORMS": "2",
            "expertise-INITIAL_FORMS": "0",
            "expertise-0-topic": "public-speaking",
            "expertise-0-level": "expert",
            "expertise-1-topic": "",
            "expertise-1-level": "familiar",
        },
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user=mentee)
    assert profile.timezone == "Europe/London"
    assert list(profile.expertise.values_list("topic__slug", "level")) == [
        ("public-speaking", "expert")
    ]
    assert list(profile.goals.values_list("slug", flat=True)) == ["sql"]


def test_user_create_writes_the_account_profile_and_verified_address():
    from pairup.accounts.services import user_create

    user = user_create(email=" Ada@Example.ORG", password="a-long-enough-passphrase")
    assert user.email == "ada@example.org" and user.check_password("a-long-enough-passphrase")
    assert Profile.objects.filter(user=user).exists()
    assert list(
        EmailAddress.objects.filter(user=user).values_list("email", "verified", "primary")
    ) == [("ada@example.org", False, True)]
    other = user_create(email="bo@example.org", password_hash=user.password, email_verified=True)
    assert other.password == user.password
    assert EmailAddress.objects.get(user=other).verified is True
    assert mail.outbox == []


def test_user_create_refuses_a_weak_password_a_taken_email_or_no_password():
    from django.core.exceptions import ValidationError

    from pairup.accounts.services import user_create
    from pairup.core.errors import ServiceError

    with pytest.raises(ServiceError) as weak:
        user_create(email="ada@example.org", password="short")
    assert weak.value.field == "password"
    with pytest.raises(ServiceError):
        user_create(email="ada@example.org")
    user_create(email="ada@example.org", password="a-long-enough-passphrase")
    with pytest.raises(ValidationError) as taken:
        user_create(email="ADA@example.org", password="a-long-enough-passphrase")
    assert "email" in taken.value.message_dict
    assert User.objects.count() == 1 and EmailAddress.objects.count() == 1

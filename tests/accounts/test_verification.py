"""Verifying an email address in one click: the emailed link verifies as it opens (no
Confirm button), signs the person in only in the browser that signed up, and sends them on
to the first-run guide. A used or expired link says so and what to do."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from pairup.accounts.models import User

pytestmark = pytest.mark.django_db

PASSPHRASE = "a-long-passphrase-42"


def sign_up(client: Client, email: str = "nina@example.org") -> str:
    """Sign up through the web form; the path of the emailed confirmation link."""
    response = client.post(
        "/accounts/signup/", {"email": email, "password1": PASSPHRASE, "password2": PASSPHRASE}
    )
    assert response.status_code == 302
    body = mail.outbox[-1].body
    return re.search(rf"{re.escape(settings.SITE_URL)}(/accounts/confirm-email/\S+/)", body).group(
        1
    )


def test_opening_the_emailed_link_verifies_signs_in_and_starts_the_guide(client):
    link = sign_up(client)
    response = client.get(link)
    user = User.objects.get(email="nina@example.org")
    assert EmailAddress.objects.get(user=user).verified
    assert response.status_code == 302
    assert response["Location"] == "/welcome/"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/welcome/")["Location"] == "/welcome/you/"


def test_the_verification_page_has_no_confirm_button(client):
    link = sign_up(client)
    # What the person sees while waiting: what comes next, not a form.
    html = client.get("/accounts/confirm-email/").content.decode()
    assert "Check your email" in html and "<form" not in html.split("<main", 1)[1]
    assert client.get(link).status_code == 302  # straight through, nothing to click


def test_the_link_opened_in_another_browser_verifies_but_signs_nobody_in(client):
    link = sign_up(client)
    elsewhere = Client()  # a mail scanner, or the link forwarded to someone else
    response = elsewhere.get(link)
    user = User.objects.get(email="nina@example.org")
    assert EmailAddress.objects.get(user=user).verified
    assert "_auth_user_id" not in elsewhere.session
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    # The person then signs in with their password and picks the guide up.
    signed_in = elsewhere.post("/accounts/login/", {"login": user.email, "password": PASSPHRASE})
    assert signed_in["Location"] == "/"
    assert elsewhere.get("/")["Location"] == "/welcome/you/"


def test_a_used_link_says_so_and_signs_nobody_in(client):
    link = sign_up(client)
    client.get(link)
    again = Client()
    response = again.get(link)
    html = response.content.decode()
    assert response.status_code == 200
    assert "This link has expired or was used already" in html
    assert "Sign in" in html
    assert "_auth_user_id" not in again.session


def test_an_expired_link_verifies_nothing(client):
    link = sign_up(client)
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        response = Client().get(link)
    assert "This link has expired or was used already" in response.content.decode()
    assert not EmailAddress.objects.get(email="nina@example.org").verified


def test_signing_in_unverified_sends_a_fresh_link(client):
    sign_up(client)
    sent = len(mail.outbox)
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        response = Client().post(
            "/accounts/login/", {"login": "nina@example.org", "password": PASSPHRASE}
        )
    assert response["Location"] == "/accounts/confirm-email/"
    assert len(mail.outbox) == sent + 1
    assert "/accounts/confirm-email/" in mail.outbox[-1].body

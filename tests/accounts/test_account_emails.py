"""Account emails (allauth's) name PairUp, the reader's program and, once given, their name,
and link to SITE_URL: never "Hello from 127.0.0.1:8344!" to "user Member 121"."""

from __future__ import annotations

import re

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db

SITE = "https://mentoring.example.org"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


def sign_up(client, url="/accounts/signup/", email="new@example.org"):
    response = client.post(
        url, {"email": email, "password1": "a-long-passphrase", "password2": "a-long-passphrase"}
    )
    assert response.status_code == 302
    (message,) = mail.outbox
    return message


def test_the_verification_email_names_pairup_and_links_to_the_site(client):
    message = sign_up(client)
    assert message.subject == "[PairUp] Confirm your email address"
    body = message.body
    assert body.startswith("Hello,\n\nThis address was given to sign up to PairUp")
    assert re.search(rf"^{re.escape(SITE)}/accounts/confirm-email/\S+/$", body, re.M)
    for wrong in ("testserver", "Hello from", "Member ", "user "):
        assert wrong not in body
    assert body.rstrip().endswith(f"PairUp\n{SITE}")


def test_signing_up_from_an_invite_link_names_the_program(client, program):
    message = sign_up(client, f"/accounts/signup/?next=/join/{program.invite_code}/")
    assert message.subject == "[PairUp] Confirm your email address for Acme Mentoring"
    assert "This address was given to join Acme Mentoring on PairUp" in message.body
    assert message.body.rstrip().endswith(f"PairUp · mentoring for Acme Mentoring\n{SITE}")


def test_a_wrong_invite_code_names_no_program(client, program):
    message = sign_up(client, "/accounts/signup/?next=/join/not-a-code/")
    assert message.subject == "[PairUp] Confirm your email address"


def test_the_password_reset_email_greets_the_person_by_name(client, mentee):
    client.post("/accounts/password/reset/", {"email": mentee.email})
    (message,) = mail.outbox
    assert message.subject == "[PairUp] Reset your PairUp password"
    assert message.body.startswith("Hello Sam Mentee,\n\n")
    assert re.search(rf"^{re.escape(SITE)}/accounts/password/reset/key/\S+/$", message.body, re.M)
    assert message.body.rstrip().endswith(f"PairUp · mentoring for Acme Mentoring\n{SITE}")
    assert "testserver" not in message.body

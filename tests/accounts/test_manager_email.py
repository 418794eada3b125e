"""The reporting line on a person's own profile: their manager's email, on the profile page
and at /api/v1/me/profile (matching never pairs them with that person, either way)."""

from __future__ import annotations

import pytest
from django.test import Client

from pairup.accounts.models import Profile
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _form(profile: Profile, **changes: str) -> dict[str, object]:
    data: dict[str, object] = {
        "display_name": profile.display_name,
        "headline": profile.headline,
        "bio": profile.bio,
        "timezone": profile.timezone,
        "site": profile.site,
        "tags": "",
        "manager_email": "",
        "expertise-TOTAL_FORMS": "0",
        "expertise-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


def test_the_profile_page_saves_the_managers_email_without_case():
    person = UserFactory(email="sam@example.org")
    client = Client()
    client.force_login(person)
    assert 'name="manager_email"' in client.get("/profile/").content.decode()
    response = client.post("/profile/", _form(person.profile, manager_email=" Boss@Example.org "))
    assert response.status_code == 302
    assert Profile.objects.get(user=person).manager_email == "boss@example.org"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("sam@example.org", "This is your own email address"),
        ("not an address", "Enter a valid email address."),
    ],
)
def test_the_profile_page_shows_a_bad_managers_email_beside_the_field(value, message):
    person = UserFactory(email="sam@example.org")
    client = Client()
    client.force_login(person)
    response = client.post("/profile/", _form(person.profile, manager_email=value))
    page = response.content.decode()
    assert response.status_code == 200 and 'id="id_manager_email_error"' in page
    assert message in page
    assert Profile.objects.get(user=person).manager_email == ""


def test_the_api_reads_sets_and_clears_the_managers_email(api):
    person = UserFactory(email="sam@example.org")
    client = api(person)
    assert client.get("/me/profile").json()["manager_email"] == ""
    response = client.patch("/me/profile", {"manager_email": "Boss@Example.org"})
    assert response.status_code == 200 and response.json()["manager_email"] == "boss@example.org"
    cleared = client.patch("/me/profile", {"manager_email": None})
    assert cleared.json()["manager_email"] == ""


@pytest.mark.parametrize("value", ["sam@example.org", "SAM@example.org", "nobody"])
def test_the_api_refuses_a_bad_managers_email_naming_the_field(api, value):
    person = UserFactory(email="sam@example.org")
    response = api(person).patch("/me/profile", {"manager_email": value, "headline": "New"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["manager_email"]
    profile = Profile.objects.get(user=person)
    assert (profile.manager_email, profile.headline) == ("", "Works here")

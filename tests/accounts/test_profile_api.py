from __future__ import annotations

import pytest

from pairup.accounts.models import Expertise

pytestmark = pytest.mark.django_db


def test_profile_patch_sets_fields_expertise_and_goals(api, mentee):
    client = api(mentee)
    response = client.patch(
        "/me/profile",
        {
            "display_name": "Sam",
            "timezone": "America/New_York",
            "languages": ["en", "es"],
            "expertise": [{"topic": "sql", "level": "expert"}],
            "goals": ["public-speaking", "negotiating-an-offer"],
            "tags": ["Fintech", "fintech", " remote "],
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["display_name"] == "Sam"
    assert body["timezone"] == "America/New_York"
    assert body["languages"] == ["en", "es"]
    assert body["expertise"] == [{"topic": "sql", "level": "expert"}]
    assert body["goals"] == ["negotiating-an-offer", "public-speaking"]
    assert body["tags"] == ["fintech", "remote"]
    assert client.get("/me/profile").json() == body


def test_profile_patch_unknown_timezone_is_422_and_writes_nothing(api, mentee):
    response = api(mentee).patch("/me/profile", {"timezone": "Mars/Olympus", "headline": "new"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "timezone"
    mentee.profile.refresh_from_db()
    assert (mentee.profile.timezone, mentee.profile.headline) == ("UTC", "Works here")


def test_profile_patch_unknown_topic_is_422_and_keeps_old_expertise(api, mentor):
    before = list(
        Expertise.objects.filter(profile=mentor.profile).values_list("topic__slug", "level")
    )
    response = api(mentor).patch(
        "/me/profile",
        {"headline": "changed", "expertise": [{"topic": "basket-weaving", "level": "expert"}]},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "expertise", "message": "Unknown topic: basket-weaving."}
    ]
    mentor.profile.refresh_from_db()
    assert mentor.profile.headline == "Data scientist"
    assert (
        list(Expertise.objects.filter(profile=mentor.profile).values_list("topic__slug", "level"))
        == before
    )


def test_profile_patch_bad_level_is_422(api, mentor):
    response = api(mentor).patch("/me/profile", {"expertise": [{"topic": "sql", "level": "guru"}]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "expertise.0.level"


def test_profile_patch_unknown_language_is_422(api, mentee):
    response = api(mentee).patch("/me/profile", {"languages": ["en", "klingon"]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "languages"
    mentee.profile.refresh_from_db()
    assert mentee.profile.languages == []


def test_me_never_shows_other_peoples_email(api, mentee, mentor, program):
    body = api(mentee).get(f"/programs/{program.slug}/mentors").content.decode()
    assert mentor.email not in body

from __future__ import annotations

import pytest

from pairup.accounts.models import ApiToken, hash_token

pytestmark = pytest.mark.django_db


def test_token_endpoint_returns_a_token_that_authenticates(api, mentee, password):
    response = api().post("/auth/token", {"email": "MENTEE@example.org", "password": password})
    assert response.status_code == 200
    raw = response.json()["token"]
    token = ApiToken.objects.get(user=mentee)
    assert token.key_hash == hash_token(raw) and raw not in token.key_hash
    me = api().client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert me.status_code == 200
    assert me.json()["email"] == "mentee@example.org"


def test_token_endpoint_wrong_password_is_422_naming_the_field(api, mentee):
    response = api().post("/auth/token", {"email": "mentee@example.org", "password": "nope"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": "Email or password is wrong.",
        "code": "invalid_credentials",
        "errors": [{"field": "password", "message": "Email or password is wrong."}],
    }
    assert not ApiToken.objects.exists()


def test_token_endpoint_slows_an_address_down_after_repeated_failures(api, mentee, password):
    client = api()
    for _ in range(5):
        assert (
            client.post("/auth/token", {"email": "mentee@example.org", "password": "x"}).status_code
            == 422
        )
    locked = client.post("/auth/token", {"email": "mentee@example.org", "password": password})
    assert locked.status_code == 429
    assert locked.json()["code"] == "rate_limited"
    assert 295 <= int(locked["Retry-After"]) <= 300
    assert not ApiToken.objects.exists()


def test_token_endpoint_is_rate_limited_per_client(api, mentee, password, settings):
    client = api()
    statuses = [
        client.post("/auth/token", {"email": f"nobody{i}@example.org", "password": "x"}).status_code
        for i in range(12)
    ]
    assert statuses[:10] == [422] * 10
    assert statuses[10:] == [429, 429]


def test_missing_field_is_422_naming_it(api):
    response = api().post("/auth/token", {"email": "a@example.org"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert [e["field"] for e in body["errors"]] == ["password"]


def test_no_credentials_is_401_json(api):
    response = api().get("/me")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_bad_token_is_401(api):
    response = api().client.get("/api/v1/me", headers={"Authorization": "Bearer pu_nonsense"})
    assert response.status_code == 401


def test_tokens_are_listed_and_revoked(api, mentee):
    client = api(mentee)
    listing = client.get("/auth/tokens").json()
    assert listing["count"] == 1 and listing["page"] == 1 and listing["pages"] == 1
    token_id = listing["items"][0]["id"]
    assert client.delete(f"/auth/tokens/{token_id}").status_code == 204
    assert not ApiToken.objects.filter(pk=token_id).exists()
    assert client.get("/me").status_code == 401


def test_revoking_someone_elses_token_is_404_and_keeps_it(api, mentee, mentor):
    other, _ = __import__("pairup.accounts.services", fromlist=["x"]).api_token_create(user=mentor)
    response = api(mentee).delete(f"/auth/tokens/{other.pk}")
    assert response.status_code == 404
    assert ApiToken.objects.filter(pk=other.pk).exists()


def test_session_auth_needs_csrf_for_writes(client, mentee):
    client.force_login(mentee)
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(mentee)
    assert strict.get("/api/v1/me").status_code == 200
    refused = strict.patch(
        "/api/v1/me/profile", data={"headline": "x"}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    mentee.profile.refresh_from_db()
    assert mentee.profile.headline == "Works here"


def test_openapi_schema_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/programs/{slug}/mentors" in paths and "/api/v1/auth/token" in paths

"""The API's error responses are in its OpenAPI schema, all with the one `Error` body."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

ERROR = {"$ref": "#/components/schemas/Error"}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def errors_of(schema: dict[str, Any], method: str, path: str) -> list[int]:
    responses = schema["paths"]["/api/v1" + path][method]["responses"]
    return sorted(int(status) for status in responses if int(status) >= 400)


def test_error_component_is_the_one_error_shape(schema):
    components = schema["components"]["schemas"]
    assert components["Error"]["required"] == ["detail", "code", "errors"]
    assert components["Error"]["properties"]["errors"] == {
        "items": {"$ref": "#/components/schemas/ErrorField"},
        "title": "Errors",
        "type": "array",
    }
    assert components["ErrorField"]["required"] == ["field", "message"]


def test_every_error_response_refers_to_the_error_component(schema):
    seen = 0
    for item in schema["paths"].values():
        for operation in item.values():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    assert response["content"] == {"application/json": {"schema": ERROR}}
                    assert response["description"]
                    seen += 1
    assert seen > 200


@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        ("get", "/me", [401]),  # nothing to look up, no input
        ("get", "/topics", [401, 404, 422]),  # a page past the end is 404
        ("get", "/asks/{ask_id}", [401, 404, 422]),
        ("post", "/asks", [400, 401, 403, 404, 409, 413, 422]),  # declared: 404 and 409
        ("patch", "/me/profile", [400, 401, 403, 413, 422]),
        ("get", "/me/availability", [401, 404]),  # declared: none set yet
        ("post", "/invitations/{invitation_id}/accept", [401, 403, 404, 409, 422]),
        (
            "post",
            "/engagements/{engagement_id}/sessions",
            [400, 401, 403, 404, 409, 413, 422],
        ),
        ("post", "/auth/token", [400, 413, 422, 429]),  # no sign-in; throttled
    ],
)
def test_error_statuses_follow_the_operation_shape(schema, method, path, statuses):
    assert errors_of(schema, method, path) == statuses


def test_throttled_operation_documents_retry_after(schema):
    response = schema["paths"]["/api/v1/auth/token"]["post"]["responses"]["429"]
    assert response["headers"]["Retry-After"]["schema"] == {"type": "integer"}


def test_ics_download_documents_its_content_type(schema):
    ok = schema["paths"]["/api/v1/sessions/{session_id}.ics"]["get"]["responses"]["200"]
    assert list(ok["content"]) == ["text/calendar"]


def test_paths_that_integrations_use_are_unchanged(schema):
    assert {
        "/me",
        "/me/profile",
        "/me/sessions",
        "/programs",
        "/programs/{slug}/mentors",
        "/topics",
        "/asks",
        "/asks/{ask_id}",
        "/asks/{ask_id}/suggestions",
        "/asks/{ask_id}/invitations",
        "/invitations/{invitation_id}/accept",
        "/engagements/{engagement_id}/messages",
        "/engagements/{engagement_id}/sessions",
        "/mentors/{mentor_id}/slots",
        "/sessions/{session_id}.ics",
    } <= {path.removeprefix("/api/v1") for path in schema["paths"]}


@pytest.mark.django_db
def test_a_documented_error_has_the_documented_body(api, mentee, schema):
    response = api(mentee).get("/asks/999999")
    assert response.status_code == 404
    assert "404" in schema["paths"]["/api/v1/asks/{ask_id}"]["get"]["responses"]
    assert response.json() == {"detail": "No such ask", "code": "not_found", "errors": []}

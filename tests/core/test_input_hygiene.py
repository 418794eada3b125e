"""Input hygiene (issue 10): no control characters in stored text, explicit nulls that mean
something, and bodies over Django's limit refused with 413 - never a 500."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.test import Client

from pairup.accounts.models import Profile
from pairup.asks import services
from pairup.asks.models import Ask, Message
from pairup.core.errors import ServiceError
from pairup.core.schemas import Input
from tests.sessions.conftest import make_engagement

pytestmark = pytest.mark.django_db

NUL = "a\x00b"
NUL_MESSAGE = "Remove the invisible control character U+0000 (at character 2)."
ONE_LINE = "Keep this to one line: remove the line break."


@pytest.fixture
def engagement(program, mentee, mentor):
    return make_engagement(program, mentee, mentor)


def _nul_request(case, api, mentee, mentor, engagement):
    """The six endpoints where a NUL byte gave 500 on PostgreSQL."""
    if case == "token":
        return api().post("/auth/token", {"email": "a\x00@x.org", "password": "x"}), "email"
    if case == "display_name":
        return api(mentee).patch("/me/profile", {"display_name": NUL}), "display_name"
    if case == "bio":
        return api(mentee).patch("/me/profile", {"bio": NUL}), "bio"
    if case == "message":
        return api(mentee).post(f"/engagements/{engagement.pk}/messages", {"body": NUL}), "body"
    if case == "ask":
        body = {
            "program": "acme",
            "topics": ["sql"],
            "question": "How do I write a window function?\x00",
        }
        return api(mentee).post("/asks", body), "question"
    assert case == "directory"
    return api(mentee).get("/programs/acme/mentors", q=NUL), "q"


SIX_ENDPOINTS = ["token", "display_name", "bio", "message", "ask", "directory"]


def _assert_nul_refused(case, api, mentee, mentor, engagement):
    messages_before = Message.objects.count()
    asks_before = Ask.objects.count()
    response, field = _nul_request(case, api, mentee, mentor, engagement)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"] == [{"field": field, "message": body["errors"][0]["message"]}]
    assert "U+0000" in body["errors"][0]["message"]
    mentee.profile.refresh_from_db()
    assert "\x00" not in mentee.profile.display_name + mentee.profile.bio
    assert (Message.objects.count(), Ask.objects.count()) == (messages_before, asks_before)


@pytest.mark.parametrize("case", SIX_ENDPOINTS)
def test_nul_byte_is_422_naming_the_field(case, api, mentee, mentor, engagement):
    _assert_nul_refused(case, api, mentee, mentor, engagement)


@pytest.mark.postgres
@pytest.mark.parametrize("case", SIX_ENDPOINTS)
def test_nul_byte_is_422_not_500_on_postgresql(case, api, mentee, mentor, engagement):
    _assert_nul_refused(case, api, mentee, mentor, engagement)


@pytest.mark.postgres
def test_nul_byte_in_every_directory_filter_is_422_on_postgresql(api, mentee, mentor):
    for param in ("q", "topic", "site", "language"):
        response = api(mentee).get("/programs/acme/mentors", **{param: NUL})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == param


def test_other_control_characters_are_refused_and_line_breaks_only_in_multiline_text(api, mentee):
    client = api(mentee)
    escape = client.patch("/me/profile", {"headline": "Data\x1b[31m scientist"})
    assert escape.status_code == 422
    assert escape.json()["errors"] == [
        {
            "field": "headline",
            "message": "Remove the invisible control character U+001B (at character 5).",
        }
    ]
    for field in ("display_name", "headline", "site"):
        response = client.patch("/me/profile", {field: "Sam\r\nBcc: evil@example.org"})
        assert response.status_code == 422
        assert response.json()["errors"] == [{"field": field, "message": ONE_LINE}]
    tags = client.patch("/me/profile", {"tags": ["ok", "two\nlines"]})
    assert tags.json()["errors"] == [{"field": "tags", "message": ONE_LINE}]
    bio = "First line\r\nSecond line\n\tindented"
    ok = client.patch("/me/profile", {"bio": bio})
    assert ok.status_code == 200
    assert Profile.objects.get(user=mentee).bio == bio


def test_control_characters_in_messages_keep_line_breaks_but_refuse_nul(api, mentee, engagement):
    client = api(mentee)
    ok = client.post(f"/engagements/{engagement.pk}/messages", {"body": "Hi,\n\tthanks!"})
    assert ok.status_code == 201
    assert Message.objects.get().body == "Hi,\n\tthanks!"
    bad = client.post(f"/engagements/{engagement.pk}/messages", {"body": "bell\x07"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "body"


def test_services_refuse_control_characters_whatever_the_door(mentee, mentor, engagement):
    # The CLI and the web call services directly: the same rule holds there.
    with pytest.raises(ServiceError) as exc:
        services.message_post(engagement=engagement, by=mentee, body=NUL)
    assert (exc.value.field, exc.value.code, exc.value.detail) == (
        "body",
        "control_character",
        NUL_MESSAGE,
    )
    from pairup.accounts.services import profile_update

    with pytest.raises(ServiceError) as exc:
        profile_update(user=mentee, fields={"display_name": "Sam\nEvil"})
    assert (exc.value.field, exc.value.detail) == ("display_name", ONE_LINE)


def test_profile_form_shows_line_break_in_name_beside_the_field(client, mentee):
    client.force_login(mentee)
    response = client.post(
        "/profile/",
        {
            "display_name": "Sam\r\nBcc: evil@example.org",
            "headline": "Works here",
            "bio": "Line one\r\nline two",
            "timezone": "UTC",
            "expertise-TOTAL_FORMS": "0",
            "expertise-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"display_name": [ONE_LINE]}
    mentee.profile.refresh_from_db()
    assert mentee.profile.display_name == "Sam Mentee"


def test_directory_page_with_nul_in_search_shows_the_error_beside_search(client, mentee, mentor):
    client.force_login(mentee)
    response = client.get("/p/acme/mentors/", {"q": NUL})
    assert response.status_code == 200
    assert response.context["form"].errors["q"] == ["Null characters are not allowed.", NUL_MESSAGE]


def test_every_api_body_schema_derives_from_input():
    """A new body schema that forgot the base would let control characters through."""
    from pairup.site.api import api

    bodies = []
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    if model.__ninja_param_source__ != "body":
                        continue
                    for field in model.model_fields.values():
                        bodies.append((operation.view_func.__name__, field.annotation))
    assert len(bodies) >= 20
    assert [(view, schema) for view, schema in bodies if not issubclass(schema, Input)] == []


def test_unknown_json_fields_stay_ignored(api, mentee):
    response = api(mentee).patch("/me/profile", {"headline": "New", "favourite_colour": "x\x00"})
    assert response.status_code == 200
    assert response.json()["headline"] == "New"


# ------------------------------------------------------------------------ explicit null

TEXT_FIELDS = ["display_name", "headline", "bio", "site"]
LIST_FIELDS = ["tags", "languages", "expertise", "goals"]


@pytest.mark.parametrize("field", TEXT_FIELDS + LIST_FIELDS)
def test_profile_patch_null_clears_the_field(field, api, mentor):
    client = api(mentor)
    client.patch(
        "/me/profile", {"bio": "Bio", "tags": ["sql"], "goals": ["sql"], "languages": ["en"]}
    )
    response = client.patch("/me/profile", {field: None})
    assert response.status_code == 200, response.content
    expected = "" if field in TEXT_FIELDS else []
    assert response.json()[field] == expected
    assert client.get("/me/profile").json()[field] == expected


def test_profile_patch_null_timezone_is_422(api, mentee):
    response = api(mentee).patch("/me/profile", {"timezone": None})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "timezone", "message": "Input should be a valid string"}
    ]


@pytest.fixture
def ask(program, mentee):
    from pairup.asks.services import ask_create

    return ask_create(
        program=program,
        mentee=mentee,
        topics=["sql"],
        question="How do I write a window function in SQL?",
        tried="Read the docs",
    )


@pytest.mark.parametrize("field", ["kind", "topics", "question", "format", "duration", "sessions"])
def test_ask_patch_null_for_a_required_field_is_422_and_changes_nothing(field, api, mentee, ask):
    response = api(mentee).patch(f"/asks/{ask.pk}", {field: None, "tried": "changed"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    ask.refresh_from_db()
    assert ask.tried == "Read the docs"


def test_ask_patch_null_clears_tried_and_by(api, mentee, ask):
    response = api(mentee).patch(f"/asks/{ask.pk}", {"tried": None, "by": None})
    assert response.status_code == 200
    assert (response.json()["tried"], response.json()["by"]) == ("", None)


# ------------------------------------------------------------------------- body too large


def test_json_body_over_the_limit_is_413_in_the_error_shape(api, mentee):
    payload = json.dumps({"bio": "x" * 2_700_000})
    client = api(mentee)
    response = client.client.patch(
        "/api/v1/me/profile", payload, content_type="application/json", headers=client.headers
    )
    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request body is too large: send at most 2.5 MB at once.",
        "code": "payload_too_large",
        "errors": [],
    }


def test_anonymous_json_body_over_the_limit_is_413(client):
    response = client.post(
        "/api/v1/auth/token",
        json.dumps({"email": "a@x.org", "password": "x" * 2_700_000}),
        content_type="application/json",
    )
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_web_form_over_the_limit_is_a_413_page(mentee):
    client = Client()
    client.force_login(mentee)
    response = client.post("/profile/", {"display_name": "Sam", "bio": "x" * 2_700_000})
    assert response.status_code == 413
    assert b"That was too much to send at once" in response.content
    mentee.profile.refresh_from_db()
    assert mentee.profile.display_name == "Sam Mentee"


# ------------------------------------------------------------------------------- emails


def test_notification_about_a_name_with_line_breaks_is_sent_on_one_line(
    mentee, mentor, engagement, django_capture_on_commit_callbacks, mailoutbox
):
    # A row from before names were checked: the email must still go out.
    Profile.objects.filter(user=mentee).update(display_name="Sam\r\nBcc: evil@example.org")
    mentee.refresh_from_db()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.message_post(engagement=engagement, by=mentee, body="Hello")
    assert len(mailoutbox) == 1
    sent = mailoutbox[0]
    assert sent.to == [mentor.email]
    assert sent.subject == "[PairUp] New message from Sam Bcc: evil@example.org"
    assert sent.message()["Bcc"] is None


def test_session_email_subject_with_line_breaks_is_sent_on_one_line():
    from pairup.sessions.tasks import send_session_email

    mail.outbox.clear()
    send_session_email.call(
        to="a@example.org",
        subject="Session cancelled: ill\r\nBcc: x@example.org",
        body="Sorry",
        method="CANCEL",
        ics="BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
    )
    assert [m.subject for m in mail.outbox] == [
        "[PairUp] Session cancelled: ill Bcc: x@example.org"
    ]

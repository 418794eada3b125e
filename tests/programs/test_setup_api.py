"""A program's setup over /api/v1: templates, create, settings, own topics and the audit log,
with the API's one error shape (422 naming the field; 404 for another program's admin)."""

from __future__ import annotations

import pytest

from pairup.programs.models import AuditEntry, Membership, Program
from pairup.programs.services import program_update
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_templates_are_listed_with_their_purpose_and_policy(api, mentee):
    response = api(mentee).get("/program-templates")
    assert response.status_code == 200
    templates = {t["key"]: t for t in response.json()}
    assert templates["informational_interviews"]["policy"]["cross_site_bonus"] == 1.0
    assert templates["speed_mentoring"]["event"] is True
    assert templates["blank"]["policy"] == {}
    assert all(t["purpose"] for t in templates.values())


def test_staff_create_a_program_from_a_template(api):
    staff = UserFactory(is_staff=True)
    response = api(staff).post("/programs", {"name": "Drive 2027", "template": "topic_drive"})
    assert response.status_code == 201
    body = response.json()
    assert body["slug"] == "drive-2027" and body["template"] == "topic_drive"
    assert body["matching_objective"] == "most_matched" and body["session_lengths"] == [30, 45]
    program = Program.objects.get(slug="drive-2027")
    assert Membership.objects.get(program=program, user=staff).is_admin
    assert AuditEntry.objects.get(program=program).via == "api"


def test_creating_a_program_is_403_for_others_unless_self_service(api, settings, mentee):
    response = api(mentee).post("/programs", {"name": "Mine"})
    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"
    settings.PAIRUP_SELF_SERVICE_PROGRAMS = True
    assert api(mentee).post("/programs", {"name": "Mine"}).status_code == 201


def test_create_errors_name_the_field(api, program):
    staff = UserFactory(is_staff=True)
    client = api(staff)
    taken = client.post("/programs", {"name": "Acme", "slug": program.slug})
    assert taken.status_code == 409
    assert taken.json()["errors"] == [
        {"field": "slug", "message": "The address acme is taken: choose another."}
    ]
    unknown = client.post("/programs", {"name": "X", "template": "nope"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "template"


def test_admins_read_and_change_the_settings(api, program, admin):
    client = api(admin)
    settings = client.get(f"/programs/{program.slug}/settings").json()
    assert settings["mentor_monthly_cap"] == 4 and settings["topics"] == []
    response = client.patch(
        f"/programs/{program.slug}/settings",
        {"mentor_monthly_cap": 6, "topics": ["sql"], "matching_objective": "most_matched"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["mentor_monthly_cap"] == 6 and body["topics"] == ["sql"]
    entry = AuditEntry.objects.get(program=program, action="program_updated")
    assert entry.via == "api"
    assert entry.after == {
        "mentor_monthly_cap": 6,
        "matching_objective": "most_matched",
        "topics": ["sql"],
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"mentor_monthly_cap": 0}, "mentor_monthly_cap"),
        ({"mentor_monthly_cap": "many"}, "mentor_monthly_cap"),
        ({"session_lengths": [20]}, "session_lengths"),
        ({"video_url_template": "ftp://x/{room}"}, "video_url_template"),
        ({"matching_objective": "fastest"}, "matching_objective"),
        ({"name": None}, "name"),
        ({"name": "A\u0007"}, "name"),
        ({"topics": ["nope"]}, "topics"),
    ],
)
def test_a_bad_setting_is_422_naming_it_and_nothing_changes(api, program, admin, body, field):
    response = api(admin).patch(f"/programs/{program.slug}/settings", {"max_open_asks": 9, **body})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    program.refresh_from_db()
    assert program.max_open_asks == 3
    assert not AuditEntry.objects.filter(program=program).exists()


@pytest.mark.parametrize("who", ["mentee", "mentor", "outsider"])
def test_settings_topics_and_audit_are_404_for_anyone_but_its_admins(request, api, program, who):
    client = api(request.getfixturevalue(who))
    base = f"/programs/{program.slug}"
    assert client.get(f"{base}/settings").status_code == 404
    assert client.patch(f"{base}/settings", {"name": "Mine"}).status_code == 404
    assert client.post(f"{base}/topics", {"name": "Mine"}).status_code == 404
    assert client.delete(f"{base}/topics/acme-x").status_code == 404
    assert client.get(f"{base}/audit").status_code == 404
    program.refresh_from_db()
    assert program.name == "Acme Mentoring" and not program.topics.exists()


def test_own_topics_over_the_api(api, program, admin):
    client = api(admin)
    response = client.post(f"/programs/{program.slug}/topics", {"name": "Onboarding"})
    assert response.status_code == 201
    assert response.json() == {"slug": "acme-onboarding", "name": "Onboarding", "description": ""}
    settings = client.get(f"/programs/{program.slug}/settings").json()
    assert settings["own_topics"] == [response.json()]
    again = client.post(f"/programs/{program.slug}/topics", {"name": "Onboarding"})
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "name"
    assert client.delete(f"/programs/{program.slug}/topics/acme-onboarding").status_code == 204
    assert client.delete(f"/programs/{program.slug}/topics/acme-onboarding").status_code == 404


def test_the_audit_log_over_the_api(api, program, admin):
    program_update(program=program, by=admin, max_open_asks=5)
    program_update(program=program, by=admin, is_open=True)
    client = api(admin)
    body = client.get(f"/programs/{program.slug}/audit").json()
    assert body["count"] == 2 and body["page"] == 1
    newest = body["items"][0]
    assert newest["action"] == "program_updated" and newest["action_name"] == "Settings changed"
    assert (newest["before"], newest["after"]) == ({"is_open": False}, {"is_open": True})
    assert newest["actor"] == admin.pk and newest["actor_name"] == "Alex Admin"
    filtered = client.get(f"/programs/{program.slug}/audit", via="api").json()
    assert filtered["count"] == 0
    bad = client.get(f"/programs/{program.slug}/audit", via="fax")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "via"
    assert client.get(f"/programs/{program.slug}/audit", page=5).status_code == 404

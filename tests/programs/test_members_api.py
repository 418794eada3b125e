"""The members API: the list with the page's filters and counts, the CSV export, roles and
mentor status, removal, invitations (one, many, list, resend, revoke); same shapes and errors
as the rest of /api/v1, and 404 for anyone but the program's admins."""

from __future__ import annotations

import csv
import io

import pytest
from django.core import mail

from pairup.programs.member_services import member_invite
from pairup.programs.models import AuditEntry, MemberInvitation, Membership, Pool

pytestmark = pytest.mark.django_db


def _m(program, user) -> Membership:
    return Membership.objects.get(program=program, user=user)


def test_list_with_filters_counts_and_pages(api, program, admin, mentee, mentor):
    pool = Pool.objects.create(program=program, name="London office")
    _m(program, mentor).pools.add(pool)
    body = api(admin).get(f"/programs/{program.slug}/members").json()
    assert (body["count"], body["page"], body["pages"]) == (3, 1, 1)
    assert body["counts"] == {
        "everyone": 3,
        "mentors": 1,
        "mentees": 1,
        "admins": 1,
        "pending": 0,
        "approved": 1,
        "paused": 0,
        "offboarded": 0,
    }
    assert [m["display_name"] for m in body["items"]] == [
        "Alex Admin",
        "Priya Mentor",
        "Sam Mentee",
    ]
    priya = body["items"][1]
    assert priya == {
        "id": _m(program, mentor).pk,
        "user_id": mentor.pk,
        "display_name": "Priya Mentor",
        "email": mentor.email,
        "site": "London",
        "roles": ["mentor"],
        "mentor_status": "approved",
        "pools": [{"id": pool.pk, "name": "London office"}],
        "joined_at": priya["joined_at"],
        "last_active_at": None,
    }
    only = api(admin).get(f"/programs/{program.slug}/members", pool=pool.pk, q="priya").json()
    assert [m["display_name"] for m in only["items"]] == ["Priya Mentor"]


def test_a_bad_filter_is_422_naming_it(api, program, admin):
    response = api(admin).get(f"/programs/{program.slug}/members", role="wizard")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and body["errors"][0]["field"] == "role"
    response = api(admin).get(f"/programs/{program.slug}/members", pool="999")
    assert response.json()["errors"][0]["field"] == "pool"


def test_csv_export(api, program, admin, mentee):
    response = api(admin).get(f"/programs/{program.slug}/members.csv", role="mentee")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r[:3] for r in rows[1:]] == [["mentee@example.org", "Sam Mentee", "mentee"]]


def test_everyone_but_the_programs_admins_gets_404(api, program, admin, mentee, outsider):
    member = _m(program, mentee)
    (invitation,) = member_invite(
        program=program, emails=["a@example.org"], roles=["mentee"], by=admin
    )
    for person in (mentee, outsider):
        client = api(person)
        base = f"/programs/{program.slug}"
        assert client.get(f"{base}/members").status_code == 404
        assert client.get(f"{base}/members.csv").status_code == 404
        assert client.patch(f"{base}/members/{member.pk}", {"roles": ["admin"]}).status_code == 404
        assert client.delete(f"{base}/members/{member.pk}").status_code == 404
        assert client.get(f"{base}/invitations").status_code == 404
        assert client.post(f"{base}/invitations/{invitation.pk}/revoke").status_code == 404
    # The outsider is an admin of Globex: a member of Acme named through Globex is 404 too.
    response = api(outsider).patch(f"/programs/globex/members/{member.pk}", {"roles": ["admin"]})
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert _m(program, mentee).roles == ["mentee"]


def test_patch_roles_and_status(api, program, admin, mentee, mentor):
    client = api(admin)
    response = client.patch(
        f"/programs/{program.slug}/members/{_m(program, mentee).pk}",
        {"roles": ["mentee", "mentor"]},
    )
    assert response.status_code == 200
    assert response.json()["roles"] == ["mentor", "mentee"]
    assert response.json()["mentor_status"] == "pending"
    response = client.patch(
        f"/programs/{program.slug}/members/{_m(program, mentor).pk}", {"mentor_status": "paused"}
    )
    assert response.json()["mentor_status"] == "paused"
    assert AuditEntry.objects.filter(action="mentor_paused").exists()


def test_patch_refuses_the_last_admin_with_409_naming_them(api, program, admin):
    response = api(admin).patch(
        f"/programs/{program.slug}/members/{_m(program, admin).pk}", {"roles": ["mentee"]}
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "last_admin"
    assert body["errors"] == [
        {
            "field": "roles",
            "message": "Alex Admin is the last admin of Acme Mentoring: "
            "make another member an admin first.",
        }
    ]
    assert _m(program, admin).is_admin


def test_patch_mentor_status_of_a_non_mentor_is_409(api, program, admin, mentee):
    response = api(admin).patch(
        f"/programs/{program.slug}/members/{_m(program, mentee).pk}", {"mentor_status": "paused"}
    )
    assert response.status_code == 409 and response.json()["errors"][0]["field"] == "mentor_status"
    response = api(admin).patch(
        f"/programs/{program.slug}/members/{_m(program, mentee).pk}",
        {"roles": ["mentor"], "mentor_status": "sleeping"},
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "mentor_status"
    assert _m(program, mentee).roles == ["mentee"]  # nothing half-written


def test_delete_removes_and_says_what_was_closed(api, program, admin, mentee):
    response = api(admin).delete(f"/programs/{program.slug}/members/{_m(program, mentee).pk}")
    assert response.status_code == 200
    assert response.json() == {
        "removed": "Sam Mentee",
        "invitations_rerouted": 0,
        "engagements_closed": 0,
        "asks_closed": 0,
    }
    assert not Membership.objects.filter(user=mentee).exists()
    response = api(admin).delete(f"/programs/{program.slug}/members/{_m(program, admin).pk}")
    assert response.status_code == 409 and response.json()["errors"][0]["field"] == "member"


def test_invite_one(api, program, admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(admin).post(
            f"/programs/{program.slug}/invitations",
            {"email": "Ana@Example.org", "roles": ["mentor"], "valid_days": 30},
        )
    assert response.status_code == 201
    body = response.json()
    assert (body["email"], body["roles"], body["status"], body["invited_by"]) == (
        "ana@example.org",
        ["mentor"],
        "pending",
        "Alex Admin",
    )
    assert "token" not in body and len(mail.outbox) == 1
    response = api(admin).post(
        f"/programs/{program.slug}/invitations", {"email": "nope", "roles": ["mentor"]}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "email", "message": "“nope” is not an email address."}
    ]
    response = api(admin).post(
        f"/programs/{program.slug}/invitations",
        {"email": "b@example.org", "roles": ["mentor"], "valid_days": 0},
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "valid_days"


def test_invite_many_names_each_bad_item_and_sends_nothing(api, program, admin, mentee):
    response = api(admin).post(
        f"/programs/{program.slug}/invitations/bulk",
        {
            "emails": ["a@example.org", "bad", "mentee@example.org", "a@example.org"],
            "roles": ["mentee"],
        },
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_emails"
    assert body["errors"] == [
        {"field": "emails.1", "message": "“bad” is not an email address."},
        {"field": "emails.2", "message": "mentee@example.org is already a member."},
        {"field": "emails.3", "message": "a@example.org is listed twice."},
    ]
    assert not MemberInvitation.objects.exists() and mail.outbox == []
    response = api(admin).post(
        f"/programs/{program.slug}/invitations/bulk",
        {"emails": ["a@example.org", "b@example.org"], "roles": ["mentee", "admin"]},
    )
    assert response.status_code == 201
    assert [i["email"] for i in response.json()["items"]] == ["a@example.org", "b@example.org"]


def test_list_resend_and_revoke_invitations(api, program, admin):
    client = api(admin)
    client.post(
        f"/programs/{program.slug}/invitations/bulk",
        {"emails": ["a@example.org", "b@example.org"], "roles": ["mentee"]},
    )
    listed = client.get(f"/programs/{program.slug}/invitations", status="pending").json()
    assert listed["count"] == 2
    first = listed["items"][0]["id"]
    revoked = client.post(f"/programs/{program.slug}/invitations/{first}/revoke")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    again = client.post(f"/programs/{program.slug}/invitations/{first}/revoke")
    assert again.status_code == 409 and again.json()["code"] == "invitation_closed"
    assert client.post(f"/programs/{program.slug}/invitations/{first}/resend").status_code == 409
    second = listed["items"][1]["id"]
    resent = client.post(f"/programs/{program.slug}/invitations/{second}/resend").json()
    assert resent["times_sent"] == 2
    assert (
        client.get(f"/programs/{program.slug}/invitations", status="revoked").json()["count"] == 1
    )
    bad = client.get(f"/programs/{program.slug}/invitations", status="lost")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "status"

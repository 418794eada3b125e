from __future__ import annotations

import pytest

from pairup.programs.models import Membership, MentorStatus

pytestmark = pytest.mark.django_db


def test_join_by_invite_link_as_mentor_waits_for_approval(client, program, mentee):
    client.force_login(mentee)
    response = client.post(f"/join/{program.invite_code}/", {"as_mentor": "on"})
    assert response.status_code == 302
    membership = Membership.objects.get(program=program, user=mentee)
    assert (membership.is_mentee, membership.is_mentor, membership.mentor_status) == (
        True,
        True,
        "pending",
    )


def test_join_without_a_role_shows_an_error_and_writes_nothing(client, other_program, mentee):
    client.force_login(mentee)
    response = client.post(f"/join/{other_program.invite_code}/", {})
    assert response.status_code == 200
    assert "Choose at least one role." in response.content.decode()
    assert not Membership.objects.filter(program=other_program, user=mentee).exists()


def test_bad_invite_code_is_404(client, mentee):
    client.force_login(mentee)
    assert client.get("/join/not-a-code/").status_code == 404


def test_admin_approves_and_pauses_a_mentor(client, program, admin, mentor):
    membership = Membership.objects.get(program=program, user=mentor)
    client.force_login(admin)
    client.post(f"/p/{program.slug}/members/{membership.pk}/status/", {"status": "paused"})
    membership.refresh_from_db()
    assert membership.mentor_status == MentorStatus.PAUSED
    client.post(f"/p/{program.slug}/members/{membership.pk}/status/", {"status": "approved"})
    membership.refresh_from_db()
    assert membership.mentor_status == MentorStatus.APPROVED


def test_non_admin_cannot_see_members_or_change_status(client, program, mentee, mentor):
    membership = Membership.objects.get(program=program, user=mentor)
    client.force_login(mentee)
    assert client.get(f"/p/{program.slug}/members/").status_code == 404
    response = client.post(
        f"/p/{program.slug}/members/{membership.pk}/status/", {"status": "paused"}
    )
    assert response.status_code == 404
    membership.refresh_from_db()
    assert membership.mentor_status == MentorStatus.APPROVED


def test_admin_of_another_program_cannot_change_status(client, program, outsider, mentor):
    membership = Membership.objects.get(program=program, user=mentor)
    client.force_login(outsider)
    assert (
        client.post(f"/p/globex/members/{membership.pk}/status/", {"status": "paused"}).status_code
        == 404
    )
    membership.refresh_from_db()
    assert membership.mentor_status == MentorStatus.APPROVED


def test_invite_code_form_leads_to_the_join_page(client, program, mentee):
    client.force_login(mentee)
    response = client.post("/programs/", {"code": f"  {program.invite_code} "})
    assert response.status_code == 302
    assert response["Location"] == f"/join/{program.invite_code}/"


def test_unknown_invite_code_shows_error_beside_the_field(client, mentee):
    client.force_login(mentee)
    response = client.post("/programs/", {"code": "nope"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_code_error"' in html and "No program has this invite code" in html


def test_outsider_program_list_shows_only_their_program(api, outsider, program):
    body = api(outsider).get("/programs").json()
    assert [p["slug"] for p in body["items"]] == ["globex"]

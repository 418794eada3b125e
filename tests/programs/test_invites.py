"""Invite links and open programs: a link that is wrong, expired or replaced says so and
what to do; admins replace a link (optionally with an end date); open programs are listed
and joined without one; a closed program is never joined without its current code."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from pairup.core.errors import Forbidden, ServiceError
from pairup.programs.models import Membership, Program, RetiredInvite
from pairup.programs.queries import InviteState, invite_lookup
from pairup.programs.services import program_invite_rotate, program_join
from tests.factories import ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_program() -> Program:
    return ProgramFactory(name="Open Circle", slug="open-circle", is_open=True)


def test_lookup_tells_valid_unknown_expired_and_replaced_apart(program, admin):
    now = timezone.now()
    assert invite_lookup(program.invite_code).state == InviteState.VALID
    assert invite_lookup("no-such-code").state == InviteState.UNKNOWN
    assert invite_lookup("").state == InviteState.UNKNOWN
    assert invite_lookup("bad\x00code").state == InviteState.UNKNOWN
    old = program.invite_code
    program = program_invite_rotate(program=program, by=admin, valid_days=7, now=now)
    replaced = invite_lookup(old)
    assert (replaced.state, replaced.program, replaced.since) == (
        InviteState.REPLACED,
        program,
        now,
    )
    assert invite_lookup(program.invite_code, now=now + timedelta(days=6)).valid
    expired = invite_lookup(program.invite_code, now=now + timedelta(days=7))
    assert (expired.state, expired.since) == (InviteState.EXPIRED, now + timedelta(days=7))


def test_only_admins_replace_a_link(program, mentee):
    old = program.invite_code
    with pytest.raises(Forbidden):
        program_invite_rotate(program=program, by=mentee)
    program.refresh_from_db()
    assert program.invite_code == old
    assert not RetiredInvite.objects.exists()


def test_a_link_lasts_1_to_365_days(program, admin):
    with pytest.raises(ServiceError) as refused:
        program_invite_rotate(program=program, by=admin, valid_days=400)
    assert refused.value.field == "valid_days"


def test_joining_a_closed_program_needs_its_current_code(program, admin):
    user = UserFactory()
    with pytest.raises(Forbidden) as refused:
        program_join(program=program, user=user, as_mentee=True)
    assert refused.value.code == "invite_required"
    old = program.invite_code
    program = program_invite_rotate(program=program, by=admin)
    with pytest.raises(ServiceError) as refused:
        program_join(program=program, user=user, as_mentee=True, invite_code=old)
    assert refused.value.code == "invite_replaced"
    other = ProgramFactory()
    with pytest.raises(ServiceError) as refused:
        program_join(program=program, user=user, as_mentee=True, invite_code=other.invite_code)
    assert refused.value.code == "invite_unknown"
    assert not Membership.objects.filter(user=user).exists()
    program_join(program=program, user=user, as_mentee=True, invite_code=program.invite_code)
    assert Membership.objects.filter(user=user, program=program).exists()


def test_an_open_program_is_joined_without_a_code(open_program):
    user = UserFactory()
    membership = program_join(program=open_program, user=user, as_mentee=True)
    assert membership.program == open_program


# ---------------------------------------------------------------------------- the pages


def test_a_wrong_link_says_so_and_what_to_do(client, mentee):
    client.force_login(mentee)
    response = client.get("/join/not-a-code/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "This invite link does not work" in html
    assert "ask the person who invited you to send it again" in html
    assert 'name="code"' in html  # and a box to try another code


def test_an_expired_link_says_so_and_what_to_do(client, program, admin, mentee):
    program_invite_rotate(program=program, by=admin, valid_days=7)
    program.refresh_from_db()
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        client.force_login(mentee)
        response = client.get(f"/join/{program.invite_code}/")
        post = client.post(f"/join/{program.invite_code}/", {"as_mentor": "on"})
    html = response.content.decode()
    assert response.status_code == 410
    assert "This invite link has expired" in html
    assert f"Ask the admins of {program.name}" in html
    assert post.status_code == 410
    assert not Membership.objects.filter(program=program, user=mentee, is_mentor=True).exists()


def test_a_replaced_link_says_so_and_what_to_do(client, program, admin):
    old = program.invite_code
    program_invite_rotate(program=program, by=admin)
    response = Client().get(f"/join/{old}/")  # even before signing in
    html = response.content.decode()
    assert response.status_code == 410
    assert "This invite link was replaced" in html
    assert "Ask them (whoever sent you this link) for the new link" in html
    assert "Sign in" in html


def test_a_visitor_with_a_link_is_invited_to_sign_up(program):
    visitor = Client()
    response = visitor.get(f"/join/{program.invite_code}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f"<h1>{program.name}</h1>" in html
    assert 'href="/accounts/signup/"' in html
    assert f'href="/accounts/login/?next=/join/{program.invite_code}/"' in html
    posted = visitor.post(f"/join/{program.invite_code}/", {"as_mentee": "on"})
    assert posted["Location"].startswith("/accounts/login/")


def test_someone_new_joining_by_link_goes_back_to_the_guide(client, program):
    user = UserFactory(profile_fields={"welcomed_at": None})
    client.force_login(user)
    response = client.post(f"/join/{program.invite_code}/", {"as_mentee": "on"})
    assert response["Location"] == "/"
    assert client.get("/")["Location"] == "/welcome/you/"


def test_the_programs_page_lists_open_programs(client, mentee, open_program, other_program):
    client.force_login(mentee)
    html = client.get("/programs/").content.decode()
    assert "Open to everyone" in html and "Open Circle" in html
    assert "Globex Mentors" not in html
    response = client.post("/p/open-circle/join/", {"as_mentee": "on"})
    assert response["Location"] == "/p/open-circle/"
    assert Membership.objects.filter(user=mentee, program=open_program).exists()
    html = client.get("/programs/").content.decode()
    assert "Open to everyone" not in html  # a member now: no longer offered


def test_a_closed_program_cannot_be_joined_as_if_open(client, outsider, program):
    client.force_login(outsider)
    assert client.get(f"/p/{program.slug}/join/").status_code == 404
    assert client.post(f"/p/{program.slug}/join/", {"as_mentee": "on"}).status_code == 404
    assert not Membership.objects.filter(user=outsider, program=program).exists()


def test_the_programs_page_says_why_a_code_does_not_work(client, mentee, program, admin):
    old = program.invite_code
    program_invite_rotate(program=program, by=admin)
    client.force_login(mentee)
    html = client.post("/programs/", {"code": old}).content.decode()
    assert 'id="id_code_error"' in html and "was replaced by a new one" in html


def test_admin_makes_a_new_link_on_the_members_page(client, program, admin):
    old = program.invite_code
    client.force_login(admin)
    page = client.get(f"/p/{program.slug}/members/").content.decode()
    assert "Works until you replace it." in page
    response = client.post(f"/p/{program.slug}/members/invite/", {"valid_days": "30"})
    assert response["Location"] == f"/p/{program.slug}/members/"
    program.refresh_from_db()
    assert program.invite_code != old
    assert program.invite_expires_at is not None
    assert RetiredInvite.objects.get(code=old).program == program
    page = client.get(f"/p/{program.slug}/members/").content.decode()
    assert f"/join/{program.invite_code}/" in page and "Works until" in page


def test_a_member_cannot_make_a_new_link(client, program, mentee):
    old = program.invite_code
    client.force_login(mentee)
    assert client.post(f"/p/{program.slug}/members/invite/", {}).status_code == 404
    program.refresh_from_db()
    assert program.invite_code == old

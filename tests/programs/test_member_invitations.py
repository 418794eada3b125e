"""Personal invitations: admins invite one person or a pasted list by email (a bad line is
named and nothing is sent), resend and revoke; the person opens their link, signs up or
signs in with that address, and joins with the roles chosen, once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.utils import timezone

from pairup.accounts.emails import account_email_programs
from pairup.accounts.models import User
from pairup.core.errors import Conflict, Forbidden, ItemErrors, ServiceError
from pairup.programs.member_queries import PersonalInviteState, member_invitation_lookup
from pairup.programs.member_services import (
    member_invitation_accept,
    member_invitation_resend,
    member_invitation_revoke,
    member_invite,
)
from pairup.programs.models import AuditEntry, MemberInvitation, Membership, MentorApplication
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s]+/invite/([A-Za-z0-9_-]+)/")


def _invite(program, admin, emails, roles=("mentee",), capture=None, **kw):
    if capture is None:
        return member_invite(program=program, emails=emails, roles=roles, by=admin, **kw)
    with capture(execute=True):
        return member_invite(program=program, emails=emails, roles=roles, by=admin, **kw)


def _token(message) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(1)


def test_a_pasted_list_invites_each_person_by_email(
    program, admin, django_capture_on_commit_callbacks
):
    invited = _invite(
        program,
        admin,
        ["ana@example.org", "", "  Bo Berg <BO@Example.org>,", "cy@example.org;"],
        roles=["mentor", "mentee"],
        capture=django_capture_on_commit_callbacks,
    )
    assert [i.email for i in invited] == ["ana@example.org", "bo@example.org", "cy@example.org"]
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ana@example.org",
        "bo@example.org",
        "cy@example.org",
    ]
    message = mail.outbox[0]
    assert message.subject == "[PairUp] Alex Admin invites you to Acme Mentoring"
    assert "join Acme Mentoring on PairUp as a mentor and a mentee" in message.body
    token = _token(message)
    # Only the token's hash is kept.
    assert not MemberInvitation.objects.filter(token_hash=token).exists()
    assert member_invitation_lookup(token).invitation == invited[0]
    assert AuditEntry.objects.filter(action="member_invited").count() == 3


def test_bad_lines_are_named_and_nothing_is_sent(
    program, admin, mentee, django_capture_on_commit_callbacks
):
    _invite(program, admin, ["waiting@example.org"])
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ItemErrors) as refused:
        member_invite(
            program=program,
            emails=[
                "good@example.org",
                "not an address",
                "",
                "GOOD@example.org",
                "mentee@example.org",
                "waiting@example.org",
            ],
            roles=["mentee"],
            by=admin,
        )
    assert refused.value.items == [
        (1, "“not an address” is not an email address."),
        (3, "good@example.org is listed twice."),
        (4, "mentee@example.org is already a member."),
        (5, "waiting@example.org has an invitation waiting for an answer: resend that one."),
    ]
    assert refused.value.detail == "Nothing was sent: 4 addresses to fix."
    assert list(MemberInvitation.objects.values_list("email", flat=True)) == ["waiting@example.org"]
    assert mail.outbox == []


def test_the_page_names_bad_lines_by_number(client, program, admin):
    client.force_login(admin)
    response = client.post(
        f"/p/{program.slug}/members/invitations/",
        {
            "emails": "ana@example.org\nnope\n\nana@example.org",
            "roles": ["mentee"],
            "valid_days": "14",
        },
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "Line 2: “nope” is not an email address." in html
    assert "Line 4: ana@example.org is listed twice." in html
    assert 'id="id_emails_error"' in html
    assert not MemberInvitation.objects.exists()


def test_the_page_invites_and_lists_the_waiting_invitations(
    client, program, admin, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/p/{program.slug}/members/invitations/",
            {"emails": "ana@example.org", "roles": ["mentor", "admin"], "valid_days": "7"},
            follow=True,
        )
    html = response.content.decode()
    assert "Invitation sent to 1 person." in html
    assert "ana@example.org" in html and "mentor, admin" in html
    invitation = MemberInvitation.objects.get()
    assert invitation.expires_at - invitation.sent_at == timedelta(days=7)
    assert len(mail.outbox) == 1


def test_roles_and_days_are_checked(program, admin):
    with pytest.raises(ServiceError) as refused:
        _invite(program, admin, ["a@example.org"], roles=[])
    assert refused.value.field == "roles"
    with pytest.raises(ServiceError) as refused:
        _invite(program, admin, ["a@example.org"], valid_days=400)
    assert refused.value.field == "valid_days"
    with pytest.raises(ServiceError) as refused:
        _invite(program, admin, ["", "  "])
    assert refused.value.field == "emails"
    with pytest.raises(Forbidden):
        _invite(program, UserFactory(), ["a@example.org"])
    assert not MemberInvitation.objects.exists()


def _sign_up(client: Client, email: str, token: str):
    return client.post(
        f"/accounts/signup/?next=/invite/{token}/",
        {"email": email, "password1": PASSWORD, "password2": PASSWORD},
    )


def test_a_newcomer_signs_up_from_the_link_and_joins_with_the_roles(
    program, admin, django_capture_on_commit_callbacks
):
    _invite(
        program,
        admin,
        ["newcomer@example.org"],
        roles=["mentor"],
        capture=django_capture_on_commit_callbacks,
    )
    token = _token(mail.outbox[0])
    visitor = Client()
    page = visitor.get(f"/invite/{token}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Alex Admin invites you" in html and "You join as a mentor." in html
    assert "newcomer@example.org" in html
    # The address the link went to needs no confirmation email: the link proved it.
    response = _sign_up(visitor, "newcomer@example.org", token)
    assert response.status_code == 302 and response["Location"] == f"/invite/{token}/"
    user = User.objects.get(email="newcomer@example.org")
    assert EmailAddress.objects.get(user=user).verified
    assert visitor.get(f"/invite/{token}/").status_code == 200
    joined = visitor.post(f"/invite/{token}/")
    assert joined.status_code == 302 and joined["Location"] == "/"  # into the first-run guide
    membership = Membership.objects.get(program=program, user=user)
    assert (membership.roles, membership.mentor_status) == (["mentor"], "pending")
    assert MentorApplication.objects.filter(program=program, user=user).exists()  # queued
    invitation = MemberInvitation.objects.get()
    assert (invitation.accepted_by, invitation.accepted_at is not None) == (user, True)
    entry = AuditEntry.objects.get(action="invitation_accepted")
    assert entry.actor == user and entry.after == {"roles": ["mentor"]}
    # A link joins once.
    again = visitor.get(f"/invite/{token}/")
    assert again.status_code == 410 and "was used already" in again.content.decode()


def test_someone_who_joined_meanwhile_gets_the_invited_roles_added(
    program, admin, django_capture_on_commit_callbacks
):
    _invite(
        program,
        admin,
        ["Kim@Example.org"],
        roles=["admin"],
        capture=django_capture_on_commit_callbacks,
    )
    kim = UserFactory(email="kim@example.org")
    Membership.objects.create(program=program, user=kim, is_mentee=True)  # by the program link
    membership = member_invitation_accept(token=_token(mail.outbox[0]), user=kim)
    assert membership.roles == ["mentee", "admin"]
    assert AuditEntry.objects.get(action="invitation_accepted").before == {"roles": ["mentee"]}


def test_someone_signed_in_with_another_address_is_told_whose_it_is(
    client, program, admin, mentor, django_capture_on_commit_callbacks
):
    _invite(program, admin, ["ana@example.org"], capture=django_capture_on_commit_callbacks)
    token = _token(mail.outbox[0])
    client.force_login(mentor)
    response = client.get(f"/invite/{token}/")
    assert response.status_code == 403
    assert "a•••@example.org" in response.content.decode()
    assert client.post(f"/invite/{token}/").status_code == 403
    with pytest.raises(Forbidden) as refused:
        member_invitation_accept(token=token, user=mentor)
    assert refused.value.code == "invite_other_address"
    assert not Membership.objects.filter(user=mentor, is_mentee=True).exists()


def test_another_verified_address_of_the_account_works(
    program, admin, mentor, django_capture_on_commit_callbacks
):
    EmailAddress.objects.create(user=mentor, email="priya@work.example", verified=True)
    _invite(program, admin, ["priya@work.example"], capture=django_capture_on_commit_callbacks)
    membership = member_invitation_accept(token=_token(mail.outbox[0]), user=mentor)
    assert membership.roles == ["mentor", "mentee"]


def test_resend_makes_a_new_link_and_the_old_one_stops(
    program, admin, django_capture_on_commit_callbacks
):
    (invitation,) = _invite(
        program, admin, ["ana@example.org"], capture=django_capture_on_commit_callbacks
    )
    old = _token(mail.outbox[0])
    with django_capture_on_commit_callbacks(execute=True):
        member_invitation_resend(invitation=invitation, by=admin)
    new = _token(mail.outbox[1])
    assert old != new
    assert member_invitation_lookup(old).state == PersonalInviteState.UNKNOWN
    assert member_invitation_lookup(new).valid
    invitation.refresh_from_db()
    assert invitation.times_sent == 2
    assert Client().get(f"/invite/{old}/").status_code == 404
    assert AuditEntry.objects.filter(action="invitation_resent").count() == 1


def test_revoked_and_expired_links_say_so(program, admin, django_capture_on_commit_callbacks):
    first, second = _invite(
        program,
        admin,
        ["ana@example.org", "bo@example.org"],
        capture=django_capture_on_commit_callbacks,
    )
    tokens = {m.to[0]: _token(m) for m in mail.outbox}
    member_invitation_revoke(invitation=first, by=admin)
    revoked = Client().get(f"/invite/{tokens['ana@example.org']}/")
    assert revoked.status_code == 410 and "taken back" in revoked.content.decode()
    MemberInvitation.objects.filter(pk=second.pk).update(expires_at=timezone.now())
    expired = Client().get(f"/invite/{tokens['bo@example.org']}/")
    assert expired.status_code == 410 and "has expired" in expired.content.decode()
    user = UserFactory(email="bo@example.org")
    with pytest.raises(ServiceError) as refused:
        member_invitation_accept(token=tokens["bo@example.org"], user=user)
    assert refused.value.code == "invite_expired"
    with pytest.raises(Conflict):
        member_invitation_revoke(invitation=first, by=admin)
    assert AuditEntry.objects.filter(action="invitation_revoked").count() == 1


def test_an_expired_invitation_is_renewed_by_inviting_again(
    program, admin, django_capture_on_commit_callbacks
):
    (first,) = _invite(program, admin, ["ana@example.org"])
    MemberInvitation.objects.filter(pk=first.pk).update(expires_at=timezone.now())
    (again,) = _invite(
        program,
        admin,
        ["ana@example.org"],
        roles=["mentor"],
        capture=django_capture_on_commit_callbacks,
    )
    assert again.pk == first.pk and again.roles == ["mentor"] and again.times_sent == 2
    assert member_invitation_lookup(_token(mail.outbox[0])).valid


def test_resend_and_revoke_from_the_page(
    client, program, admin, django_capture_on_commit_callbacks
):
    (invitation,) = _invite(program, admin, ["ana@example.org"])
    client.force_login(admin)
    base = f"/p/{program.slug}/members/invitations/{invitation.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{base}/resend/", follow=True)
    assert "Sent again to ana@example.org, with a new link." in response.content.decode()
    assert len(mail.outbox) == 1
    response = client.post(f"{base}/revoke/", follow=True)
    assert "no longer works" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    listed = client.get(f"/p/{program.slug}/members/invitations/", {"status": "revoked"})
    assert "ana@example.org" in listed.content.decode()


def test_an_admin_of_another_program_cannot_touch_invitations(client, program, admin, outsider):
    (invitation,) = _invite(program, admin, ["ana@example.org"])
    client.force_login(outsider)
    assert client.post(f"/p/globex/members/invitations/{invitation.pk}/revoke/").status_code == 404
    assert client.get(f"/p/{program.slug}/members/invitations/").status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_signing_up_from_the_link_with_another_address_keeps_the_invited_one(
    program, admin, django_capture_on_commit_callbacks
):
    """allauth's invitation hook: the address the link went to becomes the account's
    verified primary address; the other one typed waits for its own confirmation."""
    _invite(program, admin, ["ana@example.org"], capture=django_capture_on_commit_callbacks)
    token = _token(mail.outbox[0])
    visitor = Client()
    visitor.get(f"/invite/{token}/")
    _sign_up(visitor, "ana.private@example.net", token)
    user = User.objects.get(email="ana@example.org")
    assert set(EmailAddress.objects.filter(user=user).values_list("email", "verified")) == {
        ("ana@example.org", True),
        ("ana.private@example.net", False),
    }
    visitor.post(f"/invite/{token}/")
    assert Membership.objects.filter(program=program, user=user).exists()


def test_account_emails_name_the_program_of_a_personal_invitation(
    program, admin, django_capture_on_commit_callbacks
):
    _invite(program, admin, ["ana@example.org"], capture=django_capture_on_commit_callbacks)
    token = _token(mail.outbox[0])
    answers = account_email_programs.send(sender=User, user=None, next_url=f"/invite/{token}/")
    assert [names for _, names in answers] == [["Acme Mentoring"]]

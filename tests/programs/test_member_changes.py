"""Admins change members' roles and remove members: the last admin stays (409 naming them),
a mentor who stops mentoring has their invitations re-routed, and removing someone settles
what they leave behind (invitations re-routed, engagements closed with a notice, asks
withdrawn) in the same transaction; every action is in the audit log."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone

from pairup.asks import services as asks
from pairup.asks.models import Ask, Engagement, Invitation
from pairup.availability import queries as availability_queries
from pairup.availability import services as availability_services
from pairup.core.errors import Conflict, Forbidden, ServiceError
from pairup.notifications.models import Notification
from pairup.programs.member_services import member_remove, member_set_roles
from pairup.programs.models import (
    ApplicationState,
    AuditEntry,
    Membership,
    MentorApplication,
    MentorStatus,
)
from pairup.programs.services import member_removed
from pairup.sessions import services as sessions
from pairup.sessions.models import Session
from tests.factories import UserFactory, make_mentor

pytestmark = pytest.mark.django_db

QUESTION = "How do I negotiate a data science offer with equity?"


def _m(program, user) -> Membership:
    return Membership.objects.get(program=program, user=user)


@pytest.fixture
def second(program):
    return make_mentor(
        program, topics={"negotiating-an-offer": "experienced"}, display_name="Second Mentor"
    )


def _ask(program, mentee):
    return asks.ask_create(
        program=program, mentee=mentee, topics=["negotiating-an-offer"], question=QUESTION
    )


def _engaged(program, mentee, mentor) -> Engagement:
    invitation = asks.invitation_create(ask=_ask(program, mentee), mentor_id=mentor.pk, by=mentee)
    return asks.invitation_accept(invitation=invitation, by=mentor)


# ----------------------------------------------------------------------------- roles


def test_admin_gives_roles_and_the_log_has_before_and_after(program, admin, mentee):
    member = member_set_roles(membership=_m(program, mentee), roles=["mentee", "admin"], by=admin)
    assert (member.is_mentee, member.is_admin, member.is_mentor) == (True, True, False)
    entry = AuditEntry.objects.get(action="member_roles_changed")
    assert (entry.actor, entry.before, entry.after) == (
        admin,
        {"roles": ["mentee"]},
        {"roles": ["mentee", "admin"]},
    )
    assert entry.summary == "Made Sam Mentee a mentee and an admin"


def test_a_new_mentor_waits_for_approval_when_the_program_vets(program, admin, mentee):
    member = member_set_roles(membership=_m(program, mentee), roles=["mentee", "mentor"], by=admin)
    assert member.mentor_status == MentorStatus.PENDING
    program.mentors_need_approval = False
    program.save()
    member = member_set_roles(membership=member, roles=["mentee"], by=admin)
    member = member_set_roles(membership=member, roles=["mentor"], by=admin)
    assert member.mentor_status == MentorStatus.APPROVED


def test_the_last_admin_keeps_the_role_409_naming_them(program, admin, mentee):
    with pytest.raises(Conflict) as refused:
        member_set_roles(membership=_m(program, admin), roles=["mentee"], by=admin)
    assert refused.value.code == "last_admin" and refused.value.field == "roles"
    assert "Alex Admin is the last admin of Acme Mentoring" in refused.value.detail
    assert _m(program, admin).is_admin
    # With a second admin, the first may step down.
    member_set_roles(membership=_m(program, mentee), roles=["mentee", "admin"], by=admin)
    member_set_roles(membership=_m(program, admin), roles=["mentee"], by=admin)
    assert not _m(program, admin).is_admin


def test_a_member_keeps_at_least_one_role(program, admin, mentee):
    with pytest.raises(ServiceError) as refused:
        member_set_roles(membership=_m(program, mentee), roles=[], by=admin)
    assert refused.value.field == "roles" and refused.value.code == "no_role"
    with pytest.raises(ServiceError) as refused:
        member_set_roles(membership=_m(program, mentee), roles=["boss"], by=admin)
    assert refused.value.field == "roles"


def test_only_admins_change_roles(program, mentee, mentor):
    with pytest.raises(Forbidden):
        member_set_roles(membership=_m(program, mentee), roles=["mentee", "admin"], by=mentor)
    assert not _m(program, mentee).is_admin
    assert not AuditEntry.objects.exists()


def test_a_mentor_who_stops_mentoring_has_invitations_rerouted(
    program, admin, mentee, mentor, second
):
    ask = _ask(program, mentee)
    first = asks.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    member_set_roles(membership=_m(program, mentor), roles=["mentee"], by=admin)
    first.refresh_from_db()
    assert first.status == "withdrawn"
    assert Invitation.objects.get(ask=ask, status="pending").mentor == second


def test_roles_page_shows_the_last_admin_refusal_beside_the_field(client, program, admin):
    client.force_login(admin)
    member = _m(program, admin)
    response = client.post(f"/p/{program.slug}/members/{member.pk}/", {"roles": ["mentee"]})
    html = response.content.decode()
    assert response.status_code == 409
    assert 'id="id_roles_error"' in html and "is the last admin" in html


def test_roles_page_saves(client, program, admin, mentee):
    client.force_login(admin)
    member = _m(program, mentee)
    response = client.post(
        f"/p/{program.slug}/members/{member.pk}/", {"roles": ["mentee", "mentor"]}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.roles == ["mentor", "mentee"] and member.mentor_status == "pending"


def test_an_admin_of_another_program_gets_404_on_a_member(client, program, outsider, mentee):
    client.force_login(outsider)
    member = _m(program, mentee)
    assert client.get(f"/p/{program.slug}/members/{member.pk}/").status_code == 404
    assert client.get(f"/p/globex/members/{member.pk}/").status_code == 404
    assert client.post(f"/p/globex/members/{member.pk}/remove/").status_code == 404
    assert Membership.objects.filter(pk=member.pk).exists()


# ---------------------------------------------------------------------------- removal


def test_removing_a_mentor_reroutes_and_closes_their_engagements(
    program, admin, mentee, mentor, second
):
    other_mentee = UserFactory(profile_fields={"display_name": "Kim Mentee"})
    Membership.objects.create(program=program, user=other_mentee, is_mentee=True)
    engagement = _engaged(program, mentee, mentor)
    waiting = _ask(program, other_mentee)
    asks.invitation_create(ask=waiting, mentor_id=mentor.pk, by=other_mentee)

    removal = member_remove(membership=_m(program, mentor), by=admin)

    assert (removal.invitations_rerouted, removal.engagements_closed, removal.asks_closed) == (
        1,
        1,
        0,
    )
    assert not Membership.objects.filter(program=program, user=mentor).exists()
    assert Invitation.objects.get(ask=waiting, status="pending").mentor == second
    assert Notification.objects.filter(
        user=other_mentee, kind="rerouted", text__contains="Priya Mentor has left Acme Mentoring"
    ).exists()
    engagement.refresh_from_db()
    assert engagement.status == "cancelled"
    assert engagement.cancel_reason == "Priya Mentor has left the program."
    notice = Notification.objects.get(user=mentee, kind="wrap_up")
    assert notice.text == (
        "Priya Mentor has left Acme Mentoring, so your engagement with them is closed. "
        "Write your ask again and we will suggest other mentors."
    )
    entry = AuditEntry.objects.get(action="member_removed")
    assert entry.before["roles"] == ["mentor"] and entry.before["email"] == mentor.email
    assert entry.after == {"invitations_rerouted": 1, "engagements_closed": 1, "asks_closed": 0}


def test_removing_a_mentee_withdraws_their_asks_and_closes_engagements(
    program, admin, mentee, mentor, second
):
    engagement = _engaged(program, mentee, mentor)
    open_ask = _ask(program, mentee)
    invitation = asks.invitation_create(ask=open_ask, mentor_id=second.pk, by=mentee)
    removal = member_remove(membership=_m(program, mentee), by=admin)
    assert (removal.engagements_closed, removal.asks_closed) == (1, 1)
    open_ask.refresh_from_db()
    invitation.refresh_from_db()
    engagement.refresh_from_db()
    assert (open_ask.status, invitation.status, engagement.status) == (
        "withdrawn",
        "withdrawn",
        "cancelled",
    )
    assert Notification.objects.filter(
        user=second,
        kind="withdrawn",
        text="Sam Mentee has left Acme Mentoring: their ask is withdrawn.",
    ).exists()
    assert Notification.objects.filter(
        user=mentor,
        kind="wrap_up",
        text="Sam Mentee has left Acme Mentoring, so your engagement with them is closed.",
    ).exists()


def test_removing_cancels_the_sessions_booked_ahead(program, admin, mentee, mentor):
    availability_services.availability_set(
        user=mentor,
        timezone_name="UTC",
        weekly=[(day, time(0), time(23, 30)) for day in range(7)],
        min_notice_minutes=0,
    )
    engagement = _engaged(program, mentee, mentor)
    now = timezone.now()
    start, _ = availability_queries.free_slots(
        mentor=mentor,
        mentee=mentee,
        duration=30,
        start=now + timedelta(days=1),
        end=now + timedelta(days=3),
        now=now,
    )[0]
    session = sessions.session_book(engagement=engagement, by=mentee, start=start, duration=30)
    member_remove(membership=_m(program, mentor), by=admin)
    session.refresh_from_db()
    assert session.status == "cancelled"
    assert Session.objects.filter(engagement=engagement, status="booked").count() == 0


def test_removal_is_all_or_nothing(program, admin, mentee, mentor):
    engagement = _engaged(program, mentee, mentor)

    def fail(**kwargs):
        raise RuntimeError("a later receiver fails")

    member_removed.connect(fail, dispatch_uid="test-fail")
    try:
        with pytest.raises(RuntimeError):
            member_remove(membership=_m(program, mentor), by=admin)
    finally:
        member_removed.disconnect(dispatch_uid="test-fail")
    engagement.refresh_from_db()
    assert engagement.status == "active"
    assert Membership.objects.filter(program=program, user=mentor).exists()
    assert not AuditEntry.objects.filter(action="member_removed").exists()


def test_the_last_admin_is_not_removed(program, admin):
    with pytest.raises(Conflict) as refused:
        member_remove(membership=_m(program, admin), by=admin)
    assert refused.value.code == "last_admin"
    assert "Alex Admin is the last admin" in refused.value.detail
    assert _m(program, admin)


def test_only_admins_remove(program, mentee, mentor):
    with pytest.raises(Forbidden):
        member_remove(membership=_m(program, mentee), by=mentor)
    assert _m(program, mentee)


def test_remove_from_the_page_says_what_was_closed(client, program, admin, mentee, mentor):
    _engaged(program, mentee, mentor)
    _ask(program, mentee)
    client.force_login(admin)
    response = client.post(
        f"/p/{program.slug}/members/{_m(program, mentee).pk}/remove/", follow=True
    )
    assert response.redirect_chain[-1][0] == f"/p/{program.slug}/members/"
    assert (
        "Sam Mentee is no longer a member of Acme Mentoring: 1 engagement closed, "
        "1 open ask withdrawn." in response.content.decode()
    )
    assert not Ask.objects.filter(mentee=mentee, status="open").exists()


def test_the_member_page_shows_their_facts(client, program, admin, mentor):
    client.force_login(admin)
    html = client.get(f"/p/{program.slug}/members/{_m(program, mentor).pk}/").content.decode()
    assert "Priya Mentor" in html and mentor.email in html
    assert "Pause as a mentor" in html and "Remove Priya Mentor" in html
    assert "never signed in" in html


def test_a_member_made_a_mentor_joins_the_approval_queue(program, admin, mentee):
    member_set_roles(membership=_m(program, mentee), roles=["mentee", "mentor"], by=admin)
    application = MentorApplication.objects.get(program=program, user=mentee)
    assert application.state in ApplicationState.open()

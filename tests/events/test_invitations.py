"""Invitations to an event by email: chosen members and whole pools, once per person and
event, never to someone registered already, only while published, only of the program."""

from __future__ import annotations

import pytest
from django.core import mail

from pairup.core.errors import Conflict, Forbidden, NotFound, ServiceError
from pairup.events.invitations import event_invite
from pairup.events.models import EventInvitation
from pairup.events.registrations import registration_create
from pairup.programs.models import AuditEntry
from pairup.programs.pools import pool_create, pool_members_add
from tests.events.setup_helpers import new_event, published
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_members_and_pools_are_invited_once(
    program, admin, mentee, mentor, django_capture_on_commit_callbacks
):
    event = published(program, admin)
    extra = MembershipFactory(program=program).user
    pool = pool_create(program=program, by=admin, name="London")
    pool_members_add(
        pool=pool, by=admin, members=program.memberships.filter(user__in=[mentor, extra, admin])
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = event_invite(event=event, by=admin, users=[mentee], pools=[pool], note="Join us")
    assert sorted(u.pk for u in result.sent) == sorted([mentee.pk, mentor.pk, extra.pk])
    assert sorted(m.to[0] for m in mail.outbox) == sorted([mentee.email, mentor.email, extra.email])
    message = next(m for m in mail.outbox if m.to == [mentee.email])
    assert message.subject == "[PairUp] Alex Admin invites you to Spring speed mentoring"
    assert "Join us" in message.body
    assert AuditEntry.objects.get(action="event_invitations_sent").after == {
        "invited": 3,
        "pools": ["London"],
    }
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = event_invite(event=event, by=admin, users=[mentee, mentor], pools=[pool])
    assert (again.sent, again.invited_before, mail.outbox) == ([], 3, [])
    assert EventInvitation.objects.filter(event=event).count() == 3


def test_someone_registered_is_not_invited(program, admin, mentee):
    event = published(program, admin)
    registration_create(event=event, user=mentee, role="mentee")
    result = event_invite(event=event, by=admin, users=[mentee])
    assert (result.sent, result.registered) == ([], 1)


def test_invitations_need_a_published_event_its_organiser_and_its_members(
    program, admin, mentee, outsider, other_program
):
    draft = new_event(program, admin)
    with pytest.raises(Conflict):
        event_invite(event=draft, by=admin, users=[mentee])
    event = published(program, admin, title="Published")
    with pytest.raises(Forbidden):
        event_invite(event=event, by=mentee, users=[mentee])
    with pytest.raises(ServiceError) as stranger:
        event_invite(event=event, by=admin, users=[outsider])
    assert stranger.value.field == "members"
    foreign = pool_create(program=other_program, by=outsider, name="Globex people")
    with pytest.raises(NotFound):
        event_invite(event=event, by=admin, pools=[foreign])
    with pytest.raises(ServiceError) as nobody:
        event_invite(event=event, by=admin)
    assert nobody.value.field == "members"

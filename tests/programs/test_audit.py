"""The audit log: each admin action writes one entry with who, through what and the
change; entries are never changed or deleted."""

from __future__ import annotations

import pytest
from django.test import Client

from pairup.core.channel import COMMAND_LINE, channel
from pairup.programs.models import AuditEntry, Membership, MentorStatus
from pairup.programs.services import (
    membership_set_mentor_status,
    program_create,
    program_invite_rotate,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_creating_a_program_records_its_first_policy():
    founder = UserFactory(profile_fields={"display_name": "Fay Founder"})
    program = program_create(name="Flash", slug="flash", admin=founder, mentor_monthly_cap=2)
    entry = AuditEntry.objects.get(program=program)
    assert entry.action == "program_created"
    assert entry.actor == founder and entry.actor_name == "Fay Founder"
    assert entry.after == {"name": "Flash", "slug": "flash", "mentor_monthly_cap": 2}
    assert entry.before is None


def test_approving_a_mentor_records_before_and_after(program, admin):
    applicant = UserFactory(profile_fields={"display_name": "Ana Lima"})
    member = Membership.objects.create(
        program=program, user=applicant, is_mentor=True, mentor_status=MentorStatus.PENDING
    )
    membership_set_mentor_status(membership=member, status=MentorStatus.APPROVED, by=admin)
    entry = AuditEntry.objects.get(program=program, action="mentor_approved")
    assert entry.summary == "Approved Ana Lima as a mentor"
    assert entry.before == {"mentor_status": "pending"}
    assert entry.after == {"mentor_status": "approved"}
    assert (entry.target_type, entry.target_id) == ("membership", str(member.pk))


def test_a_refused_action_writes_no_entry(program, mentee):
    from pairup.core.errors import Forbidden

    with pytest.raises(Forbidden):
        program_invite_rotate(program=program, by=mentee)
    assert not AuditEntry.objects.filter(program=program).exists()


def test_the_channel_is_recorded(program, admin):
    with channel(COMMAND_LINE):
        program_invite_rotate(program=program, by=admin)
    assert AuditEntry.objects.get(program=program).via == "cli"


def test_a_web_page_action_is_recorded_as_web(program, admin):
    client = Client()
    client.force_login(admin)
    response = client.post(f"/p/{program.slug}/members/invite/", {"valid_days": ""})
    assert response.status_code in (200, 302)
    entry = AuditEntry.objects.get(program=program, action="invite_rotated")
    assert entry.via == "web"
    # The codes stay out of the log, which every admin reads.
    program.refresh_from_db()
    assert program.invite_code not in str(entry.after)


def test_entries_are_never_changed_or_deleted(program, admin):
    program_invite_rotate(program=program, by=admin)
    entry = AuditEntry.objects.get(program=program)
    entry.summary = "Nothing happened"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()
    assert AuditEntry.objects.get(pk=entry.pk).summary == "Replaced the invite link"

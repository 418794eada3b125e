"""Program and membership changes: the only place that writes programs and memberships."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

from pairup.accounts.models import User
from pairup.core.errors import Conflict, Forbidden, ServiceError

from . import rules
from .models import Membership, MentorStatus, Program
from .queries import membership_of

# Sent (inside the transaction) when a mentor stops taking asks in a program: paused by an
# admin or left. Asks connects here to withdraw and re-route pending invitations.
mentor_unavailable = Signal()


def program_create(*, name: str, slug: str, admin: User, **policy: object) -> Program:
    """Create a program with `admin` as its first admin."""
    program = Program(name=name, slug=slug, **policy)
    program.full_clean()
    with transaction.atomic():
        program.save()
        Membership.objects.create(program=program, user=admin, is_admin=True)
    return program


@transaction.atomic
def program_join(
    *, program: Program, user: User, as_mentor: bool = False, as_mentee: bool = False
) -> Membership:
    """Join (or add roles in) a program through its invite. A new mentor waits for approval
    when the program vets mentors."""
    if not (as_mentor or as_mentee):
        raise ServiceError("Choose to join as a mentor, a mentee or both.", field="role")
    membership, created = Membership.objects.select_for_update().get_or_create(
        program=program, user=user, defaults={"is_mentor": as_mentor, "is_mentee": as_mentee}
    )
    if not created:
        membership.is_mentor = membership.is_mentor or as_mentor
        membership.is_mentee = membership.is_mentee or as_mentee
    if as_mentor and (created or membership.mentor_status == MentorStatus.PENDING):
        membership.mentor_status = (
            MentorStatus.PENDING if program.mentors_need_approval else MentorStatus.APPROVED
        )
    membership.save()
    return membership


def _require_admin(program: Program, user: User) -> None:
    if not rules.can_admin_program(membership_of(user, program)):
        raise Forbidden("Only this program's admins can do that.")


@transaction.atomic
def membership_set_mentor_status(*, membership: Membership, status: str, by: User) -> Membership:
    """Approve, pause or re-approve a mentor. Only the program's admins may."""
    _require_admin(membership.program, by)
    if not membership.is_mentor:
        raise Conflict("This member is not a mentor.", code="not_a_mentor")
    if status not in MentorStatus.values:
        raise ServiceError(f"Unknown mentor status {status!r}.", field="status")
    membership.mentor_status = status
    membership.save(update_fields=["mentor_status"])
    if status != MentorStatus.APPROVED:
        mentor_unavailable.send(sender=Membership, membership=membership)
    return membership


@transaction.atomic
def program_leave(*, program: Program, user: User) -> None:
    """Leave a program: pending invitations are withdrawn and re-routed first."""
    membership = Membership.objects.select_for_update().filter(program=program, user=user).first()
    if membership is None:
        raise Conflict("You are not a member of this program.", code="not_a_member")
    if membership.is_mentor:
        mentor_unavailable.send(sender=Membership, membership=membership)
    membership.delete()


def program_find_by_invite(code: str) -> Program | None:
    return Program.objects.filter(invite_code=code).first()

"""Who may do what in a program: each rule declared once, used by views, the API and
services alike (and by the apps above, which import this module).

A person's standing in a program is their `Membership` there, or None when they are not a
member: callers read it once with `queries.membership_of(user, program)` (or already hold it
from `get_program_for_user`), so each rule is a pure function that reads nothing more.
"""

from __future__ import annotations

from typing import TypeGuard

from django.conf import settings

from pairup.accounts.models import User

from .models import Membership, MentorStatus, Program


def can_join_without_invite(program: Program) -> bool:
    """Anyone signed in may join an open program; any other only through its invite code
    (`queries.invite_lookup` says whether a code lets them in)."""
    return program.is_open


def can_see_program(member: Membership | None) -> TypeGuard[Membership]:
    """Members, and only members, see a program: its page, directory and mentors."""
    return member is not None


def can_admin_program(member: Membership | None) -> bool:
    """The program's admins run it: members, mentor approval, its asks and reports."""
    return member is not None and member.is_admin


def can_write_ask(member: Membership | None) -> bool:
    """A program's mentees write asks in it."""
    return member is not None and member.is_mentee


def can_see_board(member: Membership | None) -> bool:
    """The program's approved mentors see its open board of asks."""
    return member is not None and member.is_approved_mentor


def can_see_mentor(viewer: Membership | None, mentor: Membership) -> bool:
    """Members see the program's approved mentors; admins and the mentor themself also
    one who waits for approval or is paused."""
    return (
        viewer is not None
        and viewer.program_id == mentor.program_id
        and mentor.is_mentor
        and (mentor.is_approved_mentor or viewer.is_admin or viewer.user_id == mentor.user_id)
    )


def can_ask_mentor(viewer: Membership | None, mentor: Membership) -> bool:
    """A mentee may start an ask from a mentor's page, except from their own."""
    return can_write_ask(viewer) and viewer is not None and viewer.user_id != mentor.user_id


def can_answer_application(member: Membership | None) -> bool:
    """A mentor waiting for approval answers the program's application questions and the
    admins' requests for more."""
    return member is not None and member.is_mentor and member.mentor_status == MentorStatus.PENDING


def can_read_onboarding(member: Membership | None) -> bool:
    """A program's mentors, whatever their status, and its admins read its mentor
    onboarding."""
    return member is not None and (member.is_mentor or member.is_admin)


def needs_onboarding(member: Membership | None) -> bool:
    """An approved mentor who has not yet acknowledged the onboarding note they were
    approved under: offered no ask until they have (asks.matching.eligibility reads the
    same flag)."""
    return member is not None and member.is_approved_mentor and member.onboarding_due


def can_create_program(user: User) -> bool:
    """Site staff start programs; anyone signed in may too when the operator allows
    self-service programs (PAIRUP_SELF_SERVICE_PROGRAMS). Whoever starts one is its first
    admin."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_staff or settings.PAIRUP_SELF_SERVICE_PROGRAMS


def can_see_audit_log(member: Membership | None) -> bool:
    """A program's admins, and only they, read its audit log; nobody edits it."""
    return can_admin_program(member)


def can_choose_pools(member: Membership | None) -> TypeGuard[Membership]:
    """A member chooses for themself among the program's self-selected pools (its admins
    put anyone in any pool)."""
    return member is not None


def can_manage_identity_fields(member: Membership | None) -> bool:
    """A program's admins define its optional self-identification questions (and see only
    the aggregates on the insights dashboard, never anyone's answers)."""
    return can_admin_program(member)


def can_answer_identity(member: Membership | None) -> TypeGuard[Membership]:
    """Every member may answer the program's self-identification questions, for themself
    only, or withdraw."""
    return member is not None

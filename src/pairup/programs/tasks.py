"""Background jobs of programs: emails that go out after an import commits, and personal
invitations."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from pairup.accounts.emails import account_email_context, listed_names, password_set_url
from pairup.accounts.models import User
from pairup.core.validators import one_line

from .models import Membership, Program

logger = logging.getLogger(__name__)


def roster_invitation_message(program: Program, user: User) -> EmailMessage:
    """The email that invites someone a roster import brought in to set a password and sign
    in (the link is allauth's password reset from a key: it stops working once used)."""
    membership = Membership.objects.filter(program=program, user=user).first()
    roles = membership.roles if membership is not None else []
    context = {
        "user": user,
        "program_name": program.name,
        "roles": listed_names([f"a {r}" if r != "admin" else "an admin" for r in roles]),
        "password_set_url": password_set_url(user),
        "login_url": settings.SITE_URL + reverse("account_login"),
        "link_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    context |= account_email_context(request=None, email=user.email, context=context)
    subject = render_to_string("programs/email/roster_invitation_subject.txt", context)
    body = render_to_string("programs/email/roster_invitation_message.txt", context)
    return EmailMessage(
        subject=f"[PairUp] {one_line(subject)}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )


@task()
def send_roster_invitations(*, program_id: int, user_ids: list[int]) -> None:
    """Invite the people a roster import made accounts for. Someone who has set a
    password meanwhile (through "Forgot your password?") is not invited again; one address
    that fails does not stop the others."""
    program = Program.objects.filter(pk=program_id).first()
    if program is None:
        return
    for user in User.objects.filter(pk__in=user_ids, is_active=True).select_related("profile"):
        if user.has_usable_password():
            continue
        try:
            roster_invitation_message(program, user).send()
        except Exception:  # logged, and the others still go out
            logger.exception("Roster invitation to user %s in %s failed", user.pk, program.slug)


@task()
def send_member_invitation_email(*, to: str, subject: str, body: str) -> None:
    """A personal invitation to join a program, to an address that may have no account yet
    (so no in-app notice, no unsubscribe: it is one email an admin chose to send)."""
    EmailMessage(
        subject=f"[PairUp] {one_line(subject)}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    ).send()

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django_tasks import task

from pairup.core.validators import one_line


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

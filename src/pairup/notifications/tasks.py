from __future__ import annotations

import base64

from django.conf import settings
from django.core.mail import EmailMessage
from django_tasks import task

from pairup.core.validators import one_line


@task()
def send_notification_email(
    *,
    to: str,
    subject: str,
    body: str,
    unsubscribe: str,
    kind_label: str,
    attachment: dict[str, str] | None = None,
) -> None:
    footer = (
        f"\n--\nYou get this email because of: {kind_label}.\nStop these emails: {unsubscribe}\n"
    )
    message = EmailMessage(
        subject=f"[PairUp] {one_line(subject)}",
        body=body + footer,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    if attachment is not None:
        content = base64.b64decode(attachment["content"])
        message.attach(attachment["filename"], content, attachment["mimetype"])
    message.send()

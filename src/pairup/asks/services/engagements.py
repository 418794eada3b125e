"""Engagements: the private thread and shared resources of one mentee and one mentor, and whether each shares contact details. Only the two participants act on an engagement; program admins never read its messages unless a participant reports chosen ones."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from pairup.accounts.models import User
from pairup.asks.models import (
    Engagement,
    Message,
    Resource,
)
from pairup.asks.queries import is_blocked
from pairup.core import limits
from pairup.core.errors import Conflict, ServiceError
from pairup.core.validators import clean_text
from pairup.notifications.models import Kind
from pairup.notifications.services import notify

from .guards import lock_engagement, participant_role, require_active


@transaction.atomic
def message_post(
    *, engagement: Engagement, by: User, body: str, now: datetime | None = None
) -> Message:
    engagement = lock_engagement(engagement)
    participant_role(engagement, by)
    require_active(engagement, "send messages")
    body = clean_text(body, field="body", max_length=limits.MESSAGE_MAX_LENGTH, multiline=True)
    if not body:
        raise ServiceError("Write a message.", field="body")
    other = engagement.other(by)
    if is_blocked(by, other):  # type: ignore[arg-type]
        raise Conflict("Messages are off between you two.", code="blocked")
    message = Message.objects.create(
        engagement=engagement, author=by, body=body, created_at=now or timezone.now()
    )
    notify(
        user=other,  # type: ignore[arg-type]
        kind=Kind.MESSAGE,
        text=f"New message from {by.display_name}",
        url=engagement.get_absolute_url(),
        email_body=f"{by.display_name} sent you a message in PairUp. Read and reply in your thread.",
    )
    return message


@transaction.atomic
def resource_add(
    *,
    engagement: Engagement,
    by: User,
    title: str,
    url: str,
    note: str = "",
    now: datetime | None = None,
) -> Resource:
    engagement = lock_engagement(engagement)
    participant_role(engagement, by)
    require_active(engagement, "share resources")
    resource = Resource(
        engagement=engagement,
        author=by,
        title=clean_text(title, field="title", max_length=limits.RESOURCE_TITLE_MAX_LENGTH),
        url=clean_text(url, field="url", max_length=limits.RESOURCE_URL_MAX_LENGTH),
        note=clean_text(note, field="note", max_length=limits.RESOURCE_NOTE_MAX_LENGTH),
        created_at=now or timezone.now(),
    )
    resource.full_clean()
    resource.save()
    return resource


@transaction.atomic
def contact_share(*, engagement: Engagement, by: User, share: bool) -> Engagement:
    """Each side chooses to share their email; it is shown only when both have."""
    engagement = lock_engagement(engagement)
    role = participant_role(engagement, by)
    field = "mentee_shares_contact" if role == "mentee" else "mentor_shares_contact"
    setattr(engagement, field, share)
    engagement.save(update_fields=[field])
    return engagement

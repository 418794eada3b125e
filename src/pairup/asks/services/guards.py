"""What every service of the asks app starts with: lock the row it changes (always the ask
before its invitation, so two people acting at once never deadlock), and check that the
person acting takes part and that the engagement is still open."""

from __future__ import annotations

from typing import cast

from pairup.accounts.models import User
from pairup.asks import rules
from pairup.asks.models import (
    Ask,
    Engagement,
    EngagementStatus,
    Invitation,
)
from pairup.core.errors import Conflict, Forbidden


def lock_ask(ask: Ask) -> Ask:
    return Ask.objects.select_for_update().get(pk=ask.pk)


def lock_invitation(invitation: Invitation | int) -> Invitation:
    """Lock the invitation's ask, then the invitation: every path locks in this order, so a
    mentee withdrawing and a mentor accepting at once never deadlock."""
    pk = invitation if isinstance(invitation, int) else invitation.pk
    ask_id = Invitation.objects.filter(pk=pk).values_list("ask_id", flat=True).get()
    list(Ask.objects.select_for_update().filter(pk=ask_id).values_list("pk", flat=True))
    return (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("ask__program", "ask__mentee", "mentor")
        .get(pk=pk)
    )


def participant_role(engagement: Engagement, by: User) -> str:
    """`by`'s role in the engagement; Forbidden unless `rules.can_take_part`."""
    if not rules.can_take_part(by, engagement):
        raise Forbidden("Only the mentee and the mentor of this engagement can do that.")
    return cast(str, engagement.role_of(by))


def require_active(engagement: Engagement, what: str) -> None:
    if engagement.status != EngagementStatus.ACTIVE:
        raise Conflict(
            f"This engagement is {engagement.get_status_display().lower()}: "
            f"you can no longer {what}.",
            code="engagement_closed",
        )


def lock_engagement(engagement: Engagement) -> Engagement:
    return (
        Engagement.objects.select_for_update()
        .select_related("mentee", "mentor", "ask")
        .get(pk=engagement.pk)
    )

"""Safety: report the other person (only the chosen messages become visible to admins), block someone, and the admins' resolution of a report."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from pairup.accounts.models import User
from pairup.asks import rules
from pairup.asks.models import (
    LIVE_INVITATION,
    Block,
    Engagement,
    Invitation,
    InvitationStatus,
    Message,
    Report,
)
from pairup.core import limits
from pairup.core.errors import Conflict, Forbidden, ServiceError
from pairup.core.validators import check_count, clean_text
from pairup.notifications.models import Kind
from pairup.notifications.services import notify
from pairup.programs.models import Membership

from .guards import lock_engagement, lock_invitation, participant_role
from .invitations import reroute


@transaction.atomic
def report_create(
    *,
    engagement: Engagement,
    by: User,
    reason: str,
    message_ids: list[int] | None = None,
    now: datetime | None = None,
) -> Report:
    """Report the other person. Only the messages chosen here become visible to admins."""
    engagement = lock_engagement(engagement)
    participant_role(engagement, by)
    reason = clean_text(reason, field="reason", max_length=limits.REPORT_MAX_LENGTH, multiline=True)
    if not reason:
        raise ServiceError("Say briefly what happened.", field="reason")
    ids = list(dict.fromkeys(message_ids or []))
    check_count(ids, field="messages", max_items=limits.REPORT_MESSAGES_MAX, what="messages")
    chosen = list(Message.objects.filter(engagement=engagement, pk__in=ids))
    if len(chosen) != len(ids):
        raise ServiceError("Choose messages from this conversation only.", field="messages")
    report = Report.objects.create(
        engagement=engagement,
        reporter=by,
        reported=engagement.other(by),  # type: ignore[misc]
        reason=reason,
        created_at=now or timezone.now(),
    )
    report.messages.set(chosen)
    admins = Membership.objects.filter(
        program_id=engagement.program_id, is_admin=True
    ).select_related("user")
    for admin in admins:
        notify(
            user=admin.user,
            kind=Kind.REPORT,
            text="A member reported a problem in an engagement.",
            url=f"/p/{engagement.program.slug}/reports/{report.pk}/",
        )
    return report


@transaction.atomic
def block_create(*, by: User, blocked: User) -> Block:
    """Block someone: no more asks, invitations or messages between the two. Pending
    invitations between them are withdrawn or declined."""
    if by.pk == blocked.pk:
        raise ServiceError("You cannot block yourself.", field="user")
    block, _ = Block.objects.get_or_create(blocker=by, blocked=blocked)
    now = timezone.now()

    live = Invitation.objects.filter(
        status__in=LIVE_INVITATION, ask__mentee__in=[by, blocked], mentor__in=[by, blocked]
    ).values_list("pk", flat=True)
    for pk in list(live):
        invitation = lock_invitation(pk)
        if not invitation.is_live:
            continue
        mentor_blocked = invitation.mentor_id == by.pk
        invitation.status = (
            InvitationStatus.DECLINED if mentor_blocked else InvitationStatus.WITHDRAWN
        )
        invitation.responded_at = now
        invitation.expires_at = None
        invitation.save(update_fields=["status", "responded_at", "expires_at"])
        if mentor_blocked:
            # The mentee still deserves a mentor: the next suggestion is invited.
            reroute(invitation.ask, now, f"{invitation.mentor.display_name} cannot take your ask.")
    return block


@transaction.atomic
def report_resolve(*, report: Report, by: User, now: datetime | None = None) -> Report:
    """A program admin closes a report once handled (e.g. after pausing someone)."""
    if not rules.can_resolve_report(by, report):
        raise Forbidden("Only this program's admins resolve reports.")
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.resolved_at is not None:
        raise Conflict("This report is resolved already.", code="report_resolved")
    report.resolved_at = now or timezone.now()
    report.save(update_fields=["resolved_at"])
    return report

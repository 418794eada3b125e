from __future__ import annotations

from typing import Any

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from pairup.accounts.services import account_deleting
from pairup.asks.services.wrapup import engagement_closed
from pairup.availability.services import commitments_forget
from pairup.programs.services import mentor_unavailable

from .models import Session
from .services import sessions_cancel_for_closing, sessions_cancel_future


@receiver(account_deleting)
def on_account_deleting(sender: Any, user: Any, **kwargs: Any) -> None:
    sessions_cancel_future(user=user, reason="The other person deleted their account.")


@receiver(mentor_unavailable)
def on_mentor_unavailable(sender: Any, membership: Any, **kwargs: Any) -> None:
    sessions_cancel_future(
        user=membership.user,
        program_id=membership.program_id,
        role="mentor",
        reason="The mentor is not available any more.",
    )


@receiver(engagement_closed)
def on_engagement_closed(
    sender: Any,
    engagement: Any,
    by: Any,
    cancelled: bool,
    reason: str,
    now: Any,
    handed_over: bool = False,
    **kwargs: Any,
) -> int:
    return sessions_cancel_for_closing(
        engagement=engagement,
        by=by,
        cancelled=cancelled,
        reason=reason,
        now=now,
        handed_over=handed_over,
    )


@receiver(pre_delete, sender=Session)
def on_session_deleting(sender: Any, instance: Session, **kwargs: Any) -> None:
    # Commitments name their session by number only (availability sits below sessions), so
    # no database cascade reaches them: forget them here, with the session.
    commitments_forget(session_ids=[instance.pk])

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from pairup.accounts.services import account_deleting
from pairup.programs.services import mentor_unavailable

from .services import sessions_cancel_future


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

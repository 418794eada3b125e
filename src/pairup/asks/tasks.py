from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django_tasks import default_task_backend, task

from pairup.core.quiet import is_quiet

if TYPE_CHECKING:
    from .models import CohortRun, Invitation


@task()
def expire_invitations() -> int:
    """Expire invitations past their window and re-route their asks (idempotent)."""
    from .services import invitations_expire

    return invitations_expire()


def expire_invitation_later(invitation: Invitation) -> None:
    """Queue the expiry check for when the window closes, where the backend can defer.
    `pairup expire-invitations` (cron) covers backends that cannot, and
    invitations written `quietly()` (the demo)."""
    if invitation.expires_at is None or not default_task_backend.supports_defer or is_quiet():
        return
    run_after = invitation.expires_at
    transaction.on_commit(lambda: expire_invitations.using(run_after=run_after).enqueue())


@task()
def run_cohort(run_id: int) -> None:
    """Match a cohort run's asks and store the proposal (see services.cohort)."""
    from .services.cohort import cohort_run_execute

    cohort_run_execute(run_id=run_id)


def run_cohort_later(run: CohortRun) -> None:
    """Queue the run's matching after commit: `pairup worker` runs it (tests run it inline)."""
    pk = run.pk
    transaction.on_commit(lambda: run_cohort.enqueue(run_id=pk))

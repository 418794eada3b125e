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


# Vectors of the texts matching reads (semantic relevance): encoded in the background after
# the change commits, so the next suggestion finds them stored. Only texts whose key is new
# are encoded (`embedding.embed_documents`: the engine's own way to key and cut a text, so
# matching finds exactly these). In the lexical mode nothing is queued.


@task()
def embed_asks(ask_ids: list[int]) -> int:
    """Store the vectors of these asks' texts; the number of texts looked at."""
    from pairup.core.vectors import store_vectors

    from .matching.vectors import ask_texts
    from .models import Ask

    if not ask_ids:
        return 0
    return store_vectors(
        ask_texts(Ask.objects.filter(pk__in=ask_ids).order_by("pk").prefetch_related("topics"))
    )


@task()
def embed_mentor(user_id: int) -> int:
    """Store the vectors of a mentor's profile text and past asks, in every program where
    they mentor; the number of texts looked at."""
    from pairup.core.vectors import store_vectors

    from .matching.vectors import mentor_programs, mentor_texts

    return store_vectors(
        text for program in mentor_programs(user_id) for text in mentor_texts(program, [user_id])
    )


def embed_ask_later(ask_id: int) -> None:
    """Queue the ask's vector after commit (`pairup worker` runs it; tests run it inline)."""
    from pairup.core.vectors import embeds_on_save

    if embeds_on_save():
        transaction.on_commit(lambda: embed_asks.enqueue(ask_ids=[ask_id]))


def embed_mentor_later(user_id: int, *, only_if_mentor: bool = False) -> None:
    """Queue the refresh of a mentor's vectors after commit: their profile or history
    changed. `only_if_mentor`: nothing for someone who mentors nowhere once the change has
    committed (a mentee's profile; a new mentor's membership commits with it)."""
    from pairup.core.vectors import embeds_on_save

    if not embeds_on_save():
        return

    def enqueue() -> None:
        from pairup.programs.models import Membership

        if (
            only_if_mentor
            and not Membership.objects.filter(user_id=user_id, is_mentor=True).exists()
        ):
            return
        embed_mentor.enqueue(user_id=user_id)

    transaction.on_commit(enqueue)

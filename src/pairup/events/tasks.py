"""Background work of events: the vectors of a registration's texts (semantic relevance),
encoded after the registration commits, so the schedule, the buddy groups or a live
re-seat find them stored instead of encoding a conference's texts when an organiser
clicks (and never while the event's row is locked)."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from pairup.core.vectors import embeds_on_save, store_vectors

from .models import Event
from .scheduling.records import event_texts


@task()
def embed_registrations(event_id: int, registration_ids: list[int]) -> int:
    """Store the vectors of these registrations' texts (`event_texts`: the ask a mentee
    brings, a mentor's text, whichever side an "either" takes); the number of texts looked
    at. Registrations no longer registered have none."""
    event = Event.objects.filter(pk=event_id).select_related("program").first()
    if event is None:
        return 0
    return store_vectors(event_texts(event, registration_ids))


def embed_registration_later(event_id: int, registration_id: int) -> None:
    """Queue the registration's vectors after commit (`pairup worker` runs it; tests run it
    inline); nothing in the lexical mode or when writing `quietly()`."""
    if embeds_on_save():
        transaction.on_commit(
            lambda: embed_registrations.enqueue(
                event_id=event_id, registration_ids=[registration_id]
            )
        )

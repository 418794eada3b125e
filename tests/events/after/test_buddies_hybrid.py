"""Conference buddies with hybrid relevance (the real model), as every event's schedule:
a mentee is paired with the mentor whose profile means what they want, even where their
words share nothing and another mentor shares a word."""

from __future__ import annotations

import pytest

from pairup.core.vectors import relevance_backend
from pairup.events.buddies import services
from pairup.events.models import BuddyShare, Seat
from tests.factories import make_mentor
from tests.vector_reads import EncodesUnderLock

from .conftest import make_mentee, register
from .test_buddies import buddy_event

pytestmark = [pytest.mark.django_db, pytest.mark.semantic]


def pairs(schedule) -> set[tuple[int, int]]:
    return set(Seat.objects.filter(schedule=schedule).values_list("mentee_id", "mentor_id"))


def test_buddies_are_paired_by_what_their_words_mean(
    program, admin, conference_dates, monkeypatch
) -> None:
    event = buddy_event(program, conference_dates, BuddyShare.ONE)
    indexer = make_mentor(program, display_name="Ida", bio="Database performance tuning.")
    speaker = make_mentor(
        program, display_name="Sol", bio="Stage presence coach: I help you finish a talk."
    )
    ida = register(event, indexer, "mentor", languages=["en"])
    sol = register(event, speaker, "mentor", languages=["en"])
    nell = register(
        event,
        make_mentee(program, "Nell"),
        "mentee",
        want="I get nervous presenting at conferences",
        languages=["en"],
    )
    quinn = register(
        event,
        make_mentee(program, "Quinn"),
        "mentee",
        want="My SQL query takes minutes to finish",
        languages=["en"],
    )

    hybrid = services.buddies_form(event=event, by=admin)
    assert pairs(hybrid) == {(nell.pk, sol.pk), (quinn.pk, ida.pk)}

    # By words alone the shared "finish" wins: the semantic index made the difference.
    monkeypatch.setenv("PAIRUP_RELEVANCE", "lexical")
    lexical = services.buddies_form(event=event, by=admin)
    assert pairs(lexical) == {(nell.pk, ida.pk), (quinn.pk, sol.pk)}


def test_texts_are_encoded_before_the_event_is_locked(
    program, admin, conference_dates, monkeypatch
) -> None:
    # Registering waits for the event's row lock: forming the groups encodes the
    # registrations' texts first and only reads vectors while it holds the lock.
    event = buddy_event(program, conference_dates, BuddyShare.ONE)
    register(event, make_mentor(program, display_name="Ida", bio="Query tuning."), "mentor")
    register(event, make_mentee(program, "Nell"), "mentee", want="Nervous before talks")
    backend = relevance_backend()
    assert backend is not None
    embedder = backend[0]
    watch = EncodesUnderLock(monkeypatch, embedder, services, "_lock_event")
    services.buddies_form(event=event, by=admin)
    watch.assert_encoded_before_the_lock(at_least=2)

"""The texts of events in use for `pairup embed` and its `--prune`: the ones a schedule of an
event not ended embeds (`records.event_texts`), whichever side an "either" takes."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from pairup.core.models import TextVector
from pairup.core.vectors import relevance_backend, texts_in_use
from pairup.engine.embedding import document_chunks, embed_documents, text_key
from pairup.events.models import EventState, RegistrationRole
from pairup.events.registrations import registration_create
from pairup.events.scheduling.records import event_texts, load_event_records
from pairup.programs.models import Program
from tests.events.schedule_helpers import make_event, new_mentee, new_mentor, register
from tests.events.setup_helpers import published
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def records_texts(event) -> set[str]:
    records = load_event_records(event, timezone.now())
    return {a.text for a in records.mentees} | {m.text for m in records.mentors}


@pytest.fixture
def events(program):
    """An event to come: a mentee, a program mentor registered for a topic outside their
    expertise, a member who mentors there but not in the program, an "either"; and an ended
    event with a mentee of its own."""
    coming = make_event(program)
    register(
        coming,
        new_mentee(program, "Mia Mentee"),
        topics=("sql",),
        want="Learn to read a query plan before my review.",
    )
    register(
        coming,
        new_mentor(program, "Max Mentor", bio="Hiring and offers."),
        RegistrationRole.MENTOR,
        topics=("sql",),
    )
    guest = UserFactory(profile_fields={"display_name": "Gus Guest", "bio": "Cloud costs."})
    register(coming, guest, RegistrationRole.MENTOR, topics=("sql",))
    register(
        coming,
        new_mentee(program, "Eve Either", bio="Data pipelines."),
        RegistrationRole.EITHER,
        topics=("sql",),
        want="Trade notes on pipelines.",
    )
    ended = make_event(program, slug="winter-speed", state=EventState.ENDED)
    register(
        ended,
        new_mentee(program, "Old Oona"),
        topics=("sql",),
        want="Prepare a talk on dashboards that nobody reads.",
    )
    return coming, ended


def test_texts_in_use_are_what_a_schedule_of_an_event_not_ended_embeds(events):
    coming, ended = events

    in_use = set(texts_in_use(Program.objects.all()))

    assert records_texts(coming) <= in_use  # mentees, mentors, the guest, the either's side
    either = {"Trade notes on pipelines.  SQL"}  # as a mentee; as a mentor: their profile
    assert either <= in_use
    assert any("Data pipelines." in t and t.endswith("\nSQL") for t in in_use)
    assert not records_texts(ended) & in_use


def test_texts_in_use_of_one_program_leave_other_programs_events_out(events, other_program):
    assert texts_in_use(Program.objects.filter(pk=other_program.pk)) == []


@pytest.mark.semantic
def test_prune_keeps_the_vectors_of_events_not_ended_and_drops_those_of_ended_ones(events):
    coming, ended = events
    embedder, store = relevance_backend() or (None, None)
    assert embedder is not None and store is not None
    # As a schedule of each stored them (a solve encodes what it lacks).
    embed_documents(embedder, sorted(records_texts(coming) | records_texts(ended)), store)

    out = StringIO()
    call_command("embed", "--prune", stdout=out, stderr=StringIO())

    stored = set(TextVector.objects.values_list("key", flat=True))
    keys = {text_key(c) for c in document_chunks(sorted(records_texts(coming)))}
    assert keys <= stored
    old = {text_key(c) for c in document_chunks(sorted(records_texts(ended)))}
    assert not old & stored
    assert out.getvalue().splitlines()[1].endswith(" no text has any more deleted.")


@pytest.mark.semantic
def test_a_registration_stores_its_texts_after_commit_and_the_solve_encodes_nothing(
    program, mentee, mentor, admin, django_capture_on_commit_callbacks, monkeypatch
):
    event = published(program, admin, capacity=20)
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(
            event=event, user=mentee, role="mentee", want="Rehearse a conference talk."
        )
        registration_create(event=event, user=mentor, role="mentor")

    stored = set(TextVector.objects.values_list("key", flat=True))
    assert {text_key(c) for c in document_chunks(sorted(records_texts(event)))} <= stored

    # Scheduling the event now reads those vectors and encodes none.
    embedder, _ = relevance_backend() or (None, None)
    assert embedder is not None
    monkeypatch.setattr(embedder, "encode", lambda texts: pytest.fail(f"encoded {texts}"))
    assert load_event_records(event, timezone.now()).semantic() is not None


def test_a_registration_in_the_lexical_mode_stores_no_vector(
    program, mentee, admin, django_capture_on_commit_callbacks
):
    event = published(program, admin, capacity=20)
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(event=event, user=mentee, role="mentee", want="A talk.")
    assert not TextVector.objects.exists()


def test_the_texts_of_some_registrations_are_theirs_among_the_events(events):
    coming, _ = events
    everyone = event_texts(coming)
    ids = list(coming.registrations.order_by("pk").values_list("pk", flat=True))
    parts = [event_texts(coming, [pk]) for pk in ids]
    assert all(part and set(part) <= set(everyone) for part in parts)
    assert sorted(t for part in parts for t in part) == sorted(everyone)
    assert event_texts(coming, []) == []

"""Hybrid relevance on the real database with the real model (issue 16): texts are encoded
once and their vectors reused, a profile edit refreshes them, rankings repeat exactly, and
the lexical mode (PAIRUP_RELEVANCE=lexical, or no model) still suggests.

The model is loaded once per test process (`core.vectors`); every other test runs lexical
(tests/conftest.py `_lexical_unless_semantic`). Encodes are counted on the real embedder
through a wrapper that passes every call on."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from pairup.accounts.services import profile_update
from pairup.asks import services
from pairup.asks.matching.suggestions import suggest_mentors
from pairup.asks.matching.vectors import mentor_texts
from pairup.core import vectors
from pairup.core.models import TextVector
from pairup.engine.embedding import normalise_text, text_key
from tests.factories import make_mentor
from tests.vector_reads import count_vector_reads

pytestmark = pytest.mark.django_db

PAST = "How do I negotiate a counter-offer by email without sounding greedy?"
ASK = "They offered me less than I hoped: how should I push back on the salary by email?"


class CountingEmbedder:
    """The real embedder, every text it is asked to encode written down."""

    def __init__(self, real: vectors.Embedder) -> None:
        self.real = real
        self.version = real.version
        self.dim = real.dim
        self.texts: list[str] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.texts.extend(texts)
        return self.real.encode(texts)


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> CountingEmbedder:
    real = vectors._embedder()  # the process's one loaded model
    assert real is not None
    wrapper = CountingEmbedder(real)
    monkeypatch.setattr(vectors, "_embedder", lambda: wrapper)
    return wrapper


@pytest.fixture
def people(program, mentee, django_capture_on_commit_callbacks):
    """Two mentors who know the same topics: Nadia helped with a counter-offer by email
    before, Omar's profile is about public speaking."""
    with django_capture_on_commit_callbacks(execute=True):
        nadia = make_mentor(
            program,
            topics={"negotiating-an-offer": "experienced"},
            display_name="Nadia Negotiator",
            bio="Hiring manager for ten years.",
        )
        omar = make_mentor(
            program,
            topics={"negotiating-an-offer": "experienced"},
            display_name="Omar Orator",
            bio="I coach people to speak at conferences and in all-hands meetings.",
        )
        past = services.ask_create(
            program=program, mentee=mentee, topics=["negotiating-an-offer"], question=PAST
        )
        invitation = services.invitation_create(ask=past, mentor_id=nadia.pk, by=mentee)
        engagement = services.invitation_accept(invitation=invitation, by=nadia)
        services.engagement_close(engagement=engagement, by=nadia)
    return nadia, omar


def ranking(ask) -> list[tuple[int, float, tuple[str, ...]]]:
    return [(s.mentor.pk, s.score, s.reasons) for s in suggest_mentors(ask)]


@pytest.mark.semantic
def test_texts_are_encoded_once_when_saved_and_reused_by_suggestions(
    program, mentee, counting, people, django_capture_on_commit_callbacks
):
    nadia, omar = people
    # The background tasks stored each mentor's profile and past asks as they were saved.
    stored = set(TextVector.objects.values_list("key", flat=True))
    wanted = {text_key(t) for t in mentor_texts(program, [nadia.pk, omar.pk])}
    assert wanted <= stored

    with django_capture_on_commit_callbacks(execute=True):
        ask = services.ask_create(
            program=program, mentee=mentee, topics=["negotiating-an-offer"], question=ASK
        )
    # The ask itself was embedded when saved, and only it.
    assert [t for t in counting.texts if ASK[:20] in t] == [
        normalise_text(f"{ASK}  Negotiating an offer")
    ]
    encoded = len(counting.texts)

    first = ranking(ask)
    second = ranking(ask)

    assert len(counting.texts) == encoded  # everything was stored: nothing encoded again
    assert len(counting.texts) == len(set(counting.texts))  # no text ever encoded twice
    assert first == second
    assert [pk for pk, _, _ in first] == [nadia.pk, omar.pk]
    # The reason quotes the past question alone, not its topics or what was tried.
    assert f"Helped with a similar ask: ‘{PAST}’" in first[0][2]


@pytest.mark.semantic
def test_rankings_repeat_exactly_when_every_vector_is_encoded_again(
    program, mentee, counting, people
):
    ask = services.ask_create(
        program=program, mentee=mentee, topics=["negotiating-an-offer"], question=ASK
    )
    from_store = ranking(ask)
    TextVector.objects.all().delete()
    encoded = len(counting.texts)

    fresh = ranking(ask)

    assert len(counting.texts) > encoded  # the lost vectors were encoded and stored again
    assert fresh == from_store
    assert TextVector.objects.count() > 0


@pytest.mark.semantic
def test_a_profile_edit_stores_the_new_profile_vector_only(
    program, mentee, counting, people, django_capture_on_commit_callbacks
):
    _, omar = people
    before = len(counting.texts)

    with django_capture_on_commit_callbacks(execute=True):
        profile_update(
            user=omar,
            fields={"bio": "I negotiated my own salary three times and coach others to."},
        )

    new_profile = mentor_texts(program, [omar.pk])[0]
    assert "negotiated my own salary" in new_profile
    assert counting.texts[before:] == [normalise_text(new_profile)]
    assert TextVector.objects.filter(
        key=text_key(new_profile), model_version=counting.version
    ).exists()


@pytest.mark.semantic
def test_a_profile_save_that_changes_no_words_encodes_nothing(
    counting, people, django_capture_on_commit_callbacks
):
    nadia, _ = people
    before = len(counting.texts)

    with django_capture_on_commit_callbacks(execute=True):
        profile_update(user=nadia, fields={"timezone": "Europe/Paris"})

    assert counting.texts[before:] == []


def test_lexical_mode_suggests_and_stores_no_vector(program, mentee, people):
    # Not marked `semantic`: PAIRUP_RELEVANCE=lexical, as for every other test.
    nadia, omar = people
    ask = services.ask_create(
        program=program, mentee=mentee, topics=["negotiating-an-offer"], question=ASK
    )

    found = suggest_mentors(ask)

    assert vectors.relevance_backend() is None
    assert vectors.relevance_in_words() == "lexical (PAIRUP_RELEVANCE=lexical)"
    assert {s.mentor.pk for s in found} == {nadia.pk, omar.pk}
    assert all(s.reasons for s in found)
    assert TextVector.objects.count() == 0


@pytest.mark.semantic
def test_without_the_model_relevance_falls_back_to_lexical(
    program, mentee, people, monkeypatch: pytest.MonkeyPatch
):
    # As when the model package is not installed: `load_embedder` gives None.
    monkeypatch.setattr(vectors, "_embedder", lambda: None)
    nadia, omar = people
    ask = services.ask_create(
        program=program, mentee=mentee, topics=["negotiating-an-offer"], question=ASK
    )
    kept = TextVector.objects.count()

    found = suggest_mentors(ask)

    assert vectors.relevance_backend() is None
    assert vectors.relevance_in_words() == (
        "lexical (the sentence-embedding model is not installed)"
    )
    assert {s.mentor.pk for s in found} == {nadia.pk, omar.pk}
    assert TextVector.objects.count() == kept


@pytest.mark.semantic
def test_suggestions_reuse_the_kept_vectors_and_see_an_edit_at_once(
    program, mentee, people, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks
):
    """The program's semantic index is kept between suggestions (core.vectors.KEPT): a
    second suggestion reads no mentor's vector again, and every suggestion equals the one a
    freshly built index gives, after a profile edit and a new past ask too."""
    nadia, omar = people
    ask = services.ask_create(
        program=program, mentee=mentee, topics=["negotiating-an-offer"], question=ASK
    )
    read = count_vector_reads(monkeypatch)

    def fresh_ranking() -> list[tuple[int, float, tuple[str, ...]]]:
        vectors.KEPT.clear()
        return ranking(ask)

    first = fresh_ranking()  # (inviting in `people` suggested, hence kept, already)
    mentors = {text_key(t) for t in mentor_texts(program, [nadia.pk, omar.pk])}
    assert mentors <= set(read)
    read.clear()

    again = ranking(ask)

    assert again == first
    assert not mentors & set(read)  # only the ask's own vector was looked up
    assert again == fresh_ranking()
    omar_score = next(s for pk, s, _ in first if pk == omar.pk)

    with django_capture_on_commit_callbacks(execute=True):
        profile_update(
            user=omar,
            fields={"bio": "I negotiated my own salary three times and coach others to."},
        )
    read.clear()
    edited = ranking(ask)

    assert next(s for pk, s, _ in edited if pk == omar.pk) > omar_score
    # Omar's new profile was read, Nadia's unchanged texts were not.
    nadia_texts = {text_key(t) for t in mentor_texts(program, [nadia.pk])}
    assert text_key(mentor_texts(program, [omar.pk])[0]) in read
    assert not nadia_texts & set(read)
    assert edited == fresh_ranking()

    # A new past ask of Omar's is seen at once too.
    ranking(ask)
    with django_capture_on_commit_callbacks(execute=True):
        past = services.ask_create(
            program=program,
            mentee=mentee,
            topics=["negotiating-an-offer"],
            question="Pushing back on a lowball salary offer over email",
        )
        invitation = services.invitation_create(ask=past, mentor_id=omar.pk, by=mentee)
        services.invitation_accept(invitation=invitation, by=omar)
    helped = ranking(ask)

    assert helped != edited
    assert helped == fresh_ranking()

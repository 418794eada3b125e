"""A short list of suggestions never pads with mentors whose only merit is free time and
room under their caps; when nobody eligible matches the ask, those show, labelled so."""

from __future__ import annotations

import pytest

from pairup.asks import services
from pairup.asks.matching.suggestions import NO_TOPICAL_MATCH, suggest_mentors
from tests.factories import make_mentor

pytestmark = pytest.mark.django_db


def _ask(program, mentee, question, topics):
    return services.ask_create(program=program, mentee=mentee, topics=topics, question=question)


def test_suggestions_hold_only_mentors_with_a_topical_reason(program, mentee, mentor):
    bystander = make_mentor(
        program, display_name="Gus Gardener", headline="Grows tomatoes", languages=["en"]
    )
    ask = _ask(
        program, mentee, "How do I negotiate a data science offer?", ["negotiating-an-offer"]
    )
    shown = suggest_mentors(ask, k=5)
    assert [s.mentor for s in shown] == [mentor]
    assert all(s.topical for s in shown)
    # Inviting still sees every eligible mentor.
    assert {s.mentor for s in suggest_mentors(ask, k=None)} == {mentor, bystander}


def test_when_nobody_matches_the_eligible_show_labelled(program, mentee, mentor):
    ask = _ask(program, mentee, "Which beehive suits a city balcony garden?", ["public-speaking"])
    shown = suggest_mentors(ask, k=5)
    assert [s.mentor for s in shown] == [mentor]
    assert shown[0].reasons[0] == NO_TOPICAL_MATCH
    assert not shown[0].topical


def test_equal_scores_keep_the_engines_order_not_the_mentors_ids(
    program, mentee, mentor, monkeypatch
):
    """The engine orders equal scores by more than the mentor (in hybrid mode, the nearest
    cosine first): the page keeps that order, so the short list (k) is the head of the
    long one (k=None) and a re-route with k=1 picks the first of the page."""
    from pairup.asks.matching import suggestions
    from pairup.engine.records import Suggestion

    later = make_mentor(program, display_name="Lena Later", languages=["en"])
    assert later.pk > mentor.pk

    def engine_order(ask, index, k, policy):  # the engine's own tie order, later first
        return [
            Suggestion(str(later.pk), 0.5, {}, ("Knows the topic",)),
            Suggestion(str(mentor.pk), 0.5, {}, ("Knows the topic",)),
        ][:k]

    monkeypatch.setattr(suggestions, "recommend", engine_order)
    ask = _ask(
        program, mentee, "How do I negotiate a data science offer?", ["negotiating-an-offer"]
    )
    assert [s.mentor for s in suggest_mentors(ask, k=None)] == [later, mentor]
    assert [s.mentor for s in suggest_mentors(ask, k=1)] == [later]

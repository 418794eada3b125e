"""Topics suggested from an ask's question over the shipped taxonomy (what the demo has):
one ranking function, `asks.matching.topics.suggest_topics`, for the form and the service."""

from __future__ import annotations

import pytest

from pairup.asks.matching.topics import inferred_topics, suggest_topics
from pairup.topics.models import Topic
from pairup.topics.taxonomy import load_synonyms

pytestmark = pytest.mark.django_db


def slugs(suggestions) -> list[str]:
    return [s.topic.slug for s in suggestions]


def test_a_salary_question_suggests_negotiating_an_offer_first():
    found = suggest_topics("How do I negotiate a job offer salary")
    assert slugs(found)[:2] == ["negotiating-an-offer", "negotiation"]
    assert found[0].words == ("negotiate", "offer", "salary")
    assert found[0].confident and not found[1].confident
    assert [t.slug for t in inferred_topics("How do I negotiate a job offer salary")] == [
        "negotiating-an-offer"
    ]


@pytest.mark.parametrize(
    ("question", "inferred"),
    [
        ("I am nervous about presenting at the all hands", ["public-speaking"]),
        ("My SQL queries are slow, how do I speed them up?", ["sql"]),
        (
            "How do I give my first piece of critical feedback to a peer who is senior to me?",
            ["giving-feedback"],
        ),
        ("How do I become a manager for the first time?", ["leading-a-team"]),
        ("how do I ask for a raise", ["promotion", "compensation"]),
        # Vague: no topic clearly (the issue's own example of a vague ask).
        ("Can you help with my career?", []),
        ("I would like some advice please", []),
    ],
)
def test_the_confident_topics_of_plain_questions(question, inferred):
    assert [t.slug for t in inferred_topics(question)] == inferred


def test_synonyms_come_from_the_taxonomy_and_an_admin_may_add_some():
    assert "counteroffer" in Topic.objects.get(slug="negotiating-an-offer").synonyms
    assert inferred_topics("Any origami folders around?") == []
    Topic.objects.filter(slug="side-projects").update(synonyms="origami")
    assert [t.slug for t in inferred_topics("Any origami folders around?")] == ["side-projects"]
    # Loading the taxonomy's synonyms again keeps what an admin wrote.
    load_synonyms(Topic)
    assert Topic.objects.get(slug="side-projects").synonyms == "origami"


def test_suggestions_read_the_taxonomy_in_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        suggest_topics("How do I negotiate a job offer salary")
    with django_assert_num_queries(0):
        assert suggest_topics("   ") == []

"""suggest_topics: the topics a question is about, from its words, without a database."""

from __future__ import annotations

from pairup.engine import TopicText, suggest_topics

TOPICS = [
    TopicText("career", "Career moves", "", "Getting, growing in and changing jobs"),
    TopicText(
        "negotiating-an-offer",
        "Negotiating an offer",
        "salary, pay, counteroffer",
        "Salary, equity, start date, terms",
    ),
    TopicText("career-goals", "Setting career goals", "goals, ambition", "Where do I want to be"),
    TopicText(
        "public-speaking", "Public speaking", "presenting, talk, nervous", "Talks, stage nerves"
    ),
    TopicText("negotiation", "Negotiation", "bargaining", "Getting to yes at work"),
    TopicText("networking", "Networking", "contacts", "Relationships that help a career"),
    TopicText("sql", "SQL", "database, queries", "Querying relational databases"),
]


def slugs(found) -> list:
    return [m.topic_id for m in found]


def test_a_question_suggests_the_topics_its_words_name_best_first():
    found = suggest_topics("How do I negotiate a job offer salary?", TOPICS)
    # "job" is in the career group's description ("jobs"): suggested, far behind.
    assert slugs(found) == ["negotiating-an-offer", "negotiation", "career"]
    best = found[0]
    # "negotiate" reaches "Negotiating" through its word family; the matched words are named.
    assert best.words == ("negotiate", "offer", "salary")
    assert best.confident and not found[1].confident


def test_a_name_or_synonym_counts_more_than_the_description():
    # "relational" is only in the SQL topic's description, "database" among its synonyms.
    by_description = suggest_topics("Relational?", TOPICS)
    by_synonym = suggest_topics("My database", TOPICS)
    assert slugs(by_description) == slugs(by_synonym) == ["sql"]
    assert (by_description[0].score, by_synonym[0].score) == (0.5, 1.0)
    assert by_synonym[0].confident and not by_description[0].confident


def test_a_vague_question_suggests_nothing_confident():
    # Stop words and ask filler ("help", "advice", "please") name no topic.
    assert suggest_topics("I would like some help and advice, please", TOPICS) == []
    # A word several topics share suggests them all, none clearly.
    found = suggest_topics("Can you help with my career?", TOPICS)
    assert set(slugs(found)) == {"career", "career-goals", "networking"}
    assert not any(m.confident for m in found)


def test_at_most_two_confident_topics_and_only_near_the_best():
    three = suggest_topics("SQL queries, salary counteroffer, presenting talk nervous", TOPICS)
    assert slugs(three)[:3] == ["public-speaking", "negotiating-an-offer", "sql"]
    assert [m.confident for m in three] == [True, True, False]
    # A talk is a topic of its own (1.0) but far behind SQL (3.0): not chosen.
    weak = suggest_topics("SQL database queries and a talk", TOPICS)
    assert [(m.topic_id, m.score, m.confident) for m in weak] == [
        ("sql", 3.0, True),
        ("public-speaking", 1.0, False),
    ]


def test_same_input_same_output_and_ties_in_the_order_given():
    text = "career"
    assert suggest_topics(text, TOPICS) == suggest_topics(text, TOPICS)
    assert slugs(suggest_topics(text, TOPICS))[:2] == ["career", "career-goals"]
    assert slugs(suggest_topics(text, list(reversed(TOPICS))))[:2] == ["career-goals", "career"]


def test_limit_and_empty_inputs():
    assert len(suggest_topics("career salary sql talk", TOPICS, limit=2)) == 2
    assert suggest_topics("", TOPICS) == []
    assert suggest_topics("salary", []) == []

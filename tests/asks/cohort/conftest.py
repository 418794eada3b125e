"""A small program to match as a cohort: mentors who know different topics, one waiting
for approval, and mentees with an open ask each (no invitation yet)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from pairup.accounts.models import User
from pairup.asks import services
from pairup.asks.models import Ask, CohortRun
from pairup.asks.services.cohort import cohort_run_start
from pairup.programs.models import Membership, MentorStatus, Program
from tests.factories import UserFactory, make_mentor

TOPICS = ["negotiating-an-offer", "sql", "public-speaking", "interview-prep"]


@dataclass
class Cohort:
    program: Program
    mentors: list[User]
    pending: User
    mentees: list[User]
    asks: list[Ask]


def add_ask(program: Program, topic: str, n: int, **profile: object) -> Ask:
    mentee = UserFactory(profile_fields={"display_name": f"Mentee {n}", **profile})
    Membership.objects.create(program=program, user=mentee, is_mentee=True)
    return services.ask_create(
        program=program,
        mentee=mentee,
        topics=[topic],
        question=f"How do I get better at {topic.replace('-', ' ')}, question {n}?",
    )


@pytest.fixture
def cohort(program: Program) -> Cohort:
    mentors = [
        make_mentor(
            program,
            topics={topic: "expert"},
            display_name=f"Mentor {topic}",
            site="London" if i % 2 else "Paris",
            languages=["en"],
        )
        for i, topic in enumerate(TOPICS)
    ]
    pending = make_mentor(program, topics={"sql": "expert"}, display_name="Pending Mentor")
    Membership.objects.filter(user=pending).update(mentor_status=MentorStatus.PENDING)
    asks = [
        add_ask(program, TOPICS[i % len(TOPICS)], i, site="Paris", languages=["en"])
        for i in range(6)
    ]
    return Cohort(program, mentors, pending, [a.mentee for a in asks], asks)


@pytest.fixture
def run_now(django_capture_on_commit_callbacks):
    """Start a cohort run and let its task run inline (after commit); the run, reloaded."""

    def start(program: Program, by: User | None, **kwargs: object) -> CohortRun:
        with django_capture_on_commit_callbacks(execute=True):
            run = cohort_run_start(program=program, by=by, **kwargs)
        run.refresh_from_db()
        return run

    return start

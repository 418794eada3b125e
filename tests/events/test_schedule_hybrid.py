"""An event's schedule with hybrid relevance (the real model): people whose words share
nothing still meet the mentor whose profile means what they want."""

from __future__ import annotations

import pytest
from django.utils import timezone

from pairup.events.models import RegistrationRole
from pairup.events.scheduling.records import load_event_records
from pairup.events.scheduling.solve import pair_score_row
from pairup.events.services_schedule import event_schedule_solve

from .schedule_helpers import make_event, new_mentee, new_mentor, register

pytestmark = [pytest.mark.django_db, pytest.mark.semantic]


def test_hybrid_relevance_seats_people_by_what_their_words_mean(program) -> None:
    event = make_event(program, rounds=1, seats_per_mentor=1)
    indexer = new_mentor(program, "Ida", bio="Database performance tuning and indexing.")
    speaker = new_mentor(program, "Sol", bio="Stage presence and storytelling coach.")
    nervous = new_mentee(program, "Nell")
    slow = new_mentee(program, "Quinn")
    ida = register(event, indexer, RegistrationRole.MENTOR, languages=("en",))
    sol = register(event, speaker, RegistrationRole.MENTOR, languages=("en",))
    nell = register(
        event, nervous, want="I get nervous presenting at conferences", languages=("en",)
    )
    quinn = register(event, slow, want="My SQL query takes minutes to finish", languages=("en",))

    records = load_event_records(event, timezone.now())
    assert records.semantic() is not None
    nell_scores = pair_score_row(records, nell.pk)
    quinn_scores = pair_score_row(records, quinn.pk)
    schedule = event_schedule_solve(event=event, by=None)

    assert nell_scores[sol.pk] > nell_scores[ida.pk]
    assert quinn_scores[ida.pk] > quinn_scores[sol.pk]
    met = set(schedule.seats.values_list("mentee_id", "mentor_id"))
    assert met == {(nell.pk, sol.pk), (quinn.pk, ida.pk)}

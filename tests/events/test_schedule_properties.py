"""Property: on random events read from the database, a solved schedule has no repeat,
respects every mentor's seats, and spreads sit-outs within one round wherever every pair is
allowed."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pairup.events.services_schedule import event_schedule_solve

from .schedule_helpers import speed_event

pytestmark = pytest.mark.django_db


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    mentees=st.integers(1, 7),
    mentors=st.integers(1, 3),
    rounds=st.integers(1, 4),
    seats=st.integers(1, 2),
)
def test_random_events_have_no_repeat_and_even_sit_outs(
    program, mentees: int, mentors: int, rounds: int, seats: int
) -> None:
    event, e_regs, m_regs = speed_event(
        program, mentees=mentees, mentors=mentors, rounds=rounds, seats_per_mentor=seats
    )
    try:
        schedule = event_schedule_solve(event=event, by=None)
        seats_list = list(schedule.seats.all())
        assert max(Counter((s.mentor_id, s.mentee_id) for s in seats_list).values(), default=1) == 1
        assert max(Counter((s.round, s.mentor_id) for s in seats_list).values(), default=0) <= seats
        assert max(Counter((s.round, s.mentee_id) for s in seats_list).values(), default=0) <= 1
        met = Counter(s.mentee_id for s in seats_list)
        sitouts = [rounds - met[r.pk] for r in e_regs]
        assert max(sitouts) - min(sitouts) <= 1
        # As many meetings as seats, people and distinct pairs allow.
        assert len(seats_list) == min(rounds * mentors * seats, mentees * min(rounds, mentors))
        f = schedule.figures
        assert (f["repeats"], f["sitouts_min"], f["sitouts_max"]) == (0, min(sitouts), max(sitouts))
    finally:
        event.delete()
        for r in (*e_regs, *m_regs):
            r.user.delete()

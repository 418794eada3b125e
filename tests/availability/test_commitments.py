"""Committed time lives in availability: written only through its services, subtracted from
free slots and free windows, and refused when it overlaps (by the database on PostgreSQL).
A commitment names its session by number, so availability works without the sessions app."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pairup.availability.models import Commitment
from pairup.availability.queries import busy_intervals, free_slots, free_windows
from pairup.availability.services import (
    commitment_hold,
    commitment_move,
    commitment_release,
    commitments_forget,
)
from pairup.core.errors import Conflict

from .conftest import NOW

pytestmark = pytest.mark.django_db

TEN = datetime(2026, 3, 3, 10, tzinfo=UTC)  # Tuesday 10:00 London (GMT)


def _starts(mentor, mentee=None) -> list[datetime]:
    day = datetime(2026, 3, 3, tzinfo=UTC)
    found = free_slots(
        mentor=mentor, mentee=mentee, duration=30, start=day, end=day + timedelta(days=1), now=NOW
    )
    return [start for start, _ in found]


def test_a_held_commitment_is_taken_out_of_both_peoples_free_slots(london_week, mentor, mentee):
    assert TEN in _starts(mentor, mentee)

    rows = commitment_hold(
        session_id=4242,
        people=[(mentee, "mentee"), (mentor, "mentor")],
        start=TEN,
        end=TEN + timedelta(minutes=30),
    )

    assert sorted((r.user_id, r.role, r.session_id, r.booked) for r in rows) == sorted(
        [(mentee.pk, "mentee", 4242, True), (mentor.pk, "mentor", 4242, True)]
    )
    starts = _starts(mentor, mentee)
    # The 30 minutes and the mentor's 10-minute buffer either side are gone, nothing more.
    assert [t for t in starts if TEN - timedelta(hours=1) <= t <= TEN + timedelta(hours=1)] == [
        TEN - timedelta(hours=1),
        TEN - timedelta(minutes=45),
        TEN + timedelta(minutes=45),
        TEN + timedelta(hours=1),
    ]
    assert busy_intervals(mentee, TEN, TEN + timedelta(hours=1)) == [
        (TEN, TEN + timedelta(minutes=30))
    ]
    assert busy_intervals(mentee, TEN, TEN + timedelta(hours=1), exclude_session=4242) == []


def test_moving_and_releasing_a_commitment_frees_its_old_time(london_week, mentor, mentee):
    people = [(mentee, "mentee"), (mentor, "mentor")]
    commitment_hold(session_id=7, people=people, start=TEN, end=TEN + timedelta(minutes=30))

    assert (
        commitment_move(
            session_id=7, start=TEN + timedelta(hours=2), end=TEN + timedelta(hours=2, minutes=30)
        )
        == 2
    )
    assert TEN in _starts(mentor, mentee)
    assert TEN + timedelta(hours=2) not in _starts(mentor, mentee)

    assert commitment_release(session_id=7) == 2
    assert TEN + timedelta(hours=2) in _starts(mentor, mentee)
    assert list(Commitment.objects.values_list("booked", flat=True)) == [False, False]

    assert commitments_forget(session_ids=[7]) == 2
    assert not Commitment.objects.exists()


def test_free_windows_subtract_the_mentors_and_the_mentees_commitments(london_week, mentor, mentee):
    before = free_windows([mentor.pk], mentee, NOW)[mentor.pk]
    assert any(a <= TEN and TEN + timedelta(minutes=30) <= b for a, b in before)

    commitment_hold(
        session_id=1, people=[(mentee, "mentee")], start=TEN, end=TEN + timedelta(minutes=30)
    )

    after = free_windows([mentor.pk], mentee, NOW)[mentor.pk]
    assert not any(a < TEN + timedelta(minutes=30) and b > TEN for a, b in after)


@pytest.mark.postgres
def test_an_overlapping_hold_is_refused_by_the_database_as_slot_taken(mentor, mentee):
    # No checks before it: only the exclusion constraint can refuse this one.
    commitment_hold(
        session_id=1, people=[(mentor, "mentor")], start=TEN, end=TEN + timedelta(minutes=30)
    )

    with pytest.raises(Conflict) as refused:
        commitment_hold(
            session_id=2,
            people=[(mentee, "mentee"), (mentor, "mentee")],
            start=TEN + timedelta(minutes=15),
            end=TEN + timedelta(minutes=45),
        )

    assert refused.value.code == "slot_taken"
    assert list(Commitment.objects.values_list("session_id", "user_id")) == [(1, mentor.pk)]

"""On PostgreSQL, concurrent bookings never double-book anyone, in any role."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection, connections

from pairup.core.errors import ServiceError
from pairup.programs.models import Membership
from pairup.sessions.models import Session
from pairup.sessions.services import session_book
from tests.factories import UserFactory

from .conftest import NOW, make_engagement

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _race(jobs):
    """Run each job in its own thread with its own connection; return the outcomes."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(i, job):
        try:
            with time_machine.travel(NOW, tick=False):
                barrier.wait()
                results[i] = ("booked", job())
        except ServiceError as exc:
            results[i] = exc.status
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _mentees(program, n):
    people = []
    for i in range(n):
        user = UserFactory(email=f"racer{i}@example.org")
        Membership.objects.create(program=program, user=user, is_mentee=True)
        people.append(user)
    return people


def test_twenty_concurrent_bookings_of_one_slot_give_exactly_one_session(
    program, mentor, london_week
):
    assert connection.vendor == "postgresql"
    program.mentor_monthly_cap = 40
    program.save()
    mentees = _mentees(program, 20)
    engagements = [make_engagement(program, m, mentor, sessions=1) for m in mentees]
    start = datetime(2026, 3, 3, 10, tzinfo=UTC)
    jobs = [
        (lambda e=e, m=m: session_book(engagement=e, by=m, start=start, duration=30).pk)
        for e, m in zip(engagements, mentees, strict=True)
    ]
    results = _race(jobs)
    assert sum(isinstance(r, tuple) for r in results) == 1
    assert [r for r in results if not isinstance(r, tuple)] == [409] * 19
    assert Session.objects.count() == 1


def test_overlapping_slots_across_two_roles_never_both_succeed(
    program, mentee, mentor, london_week
):
    """`mentee` mentors someone else too: a session as mentor and one as mentee may not overlap."""
    from datetime import time

    from pairup.availability.services import availability_set

    Membership.objects.filter(program=program, user=mentee).update(
        is_mentor=True, mentor_status="approved"
    )
    availability_set(
        user=mentee,
        timezone_name="Europe/London",
        weekly=[(d, time(9), time(17)) for d in range(5)],
    )
    learner = _mentees(program, 1)[0]
    as_mentee = make_engagement(program, mentee, mentor, sessions=1)
    as_mentor = make_engagement(program, learner, mentee, sessions=1)
    for attempt in range(5):
        Session.objects.all().delete()
        results = _race(
            [
                lambda: (
                    session_book(
                        engagement=as_mentee,
                        by=mentee,
                        start=datetime(2026, 3, 3, 10, tzinfo=UTC),
                        duration=30,
                    ).pk
                ),
                lambda: (
                    session_book(
                        engagement=as_mentor,
                        by=learner,
                        start=datetime(2026, 3, 3, 10, 15, tzinfo=UTC),
                        duration=30,
                    ).pk
                ),
            ]
        )
        assert sorted(r == 409 for r in results) == [False, True], (attempt, results)
        assert sum(isinstance(r, tuple) for r in results) == 1
        assert Session.objects.count() == 1


def test_the_database_itself_refuses_overlapping_booked_rows(program, mentee, mentor, london_week):
    from django.db import IntegrityError, transaction

    from pairup.availability.models import Commitment

    engagement = make_engagement(program, mentee, mentor, sessions=2)
    with time_machine.travel(NOW, tick=False):
        session_book(
            engagement=engagement,
            by=mentee,
            start=datetime(2026, 3, 3, 10, tzinfo=UTC),
            duration=30,
        )
    twin = Session.objects.create(
        engagement=engagement,
        start=datetime(2026, 3, 3, 10, 15, tzinfo=UTC),
        end=datetime(2026, 3, 3, 10, 45, tzinfo=UTC),
        uid="twin@pairup",
        created_at=NOW,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Commitment.objects.create(
            session_id=twin.pk, user=mentor, role="mentor", start=twin.start, end=twin.end
        )
    # A cancelled (not booked) row may overlap.
    Commitment.objects.create(
        session_id=twin.pk, user=mentor, role="mentor", start=twin.start, end=twin.end, booked=False
    )

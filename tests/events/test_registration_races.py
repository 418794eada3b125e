"""Registration under concurrency, on PostgreSQL (`make test-pg`): the event's row lock
serves people taking the last places one after the other, so capacity holds and the
waitlist keeps its order; a cancellation and a registration at once promote exactly one."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from pairup.events.models import Registration, RegistrationStatus
from pairup.events.registrations import registration_cancel, registration_create
from tests.events.setup_helpers import published
from tests.factories import MembershipFactory

# serialized_rollback like every transactional test here: a flush without it re-creates the
# content types, and the next serialized test in the same worker fails to load its own.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _together(calls: list[Callable[[], Any]]) -> list[Any]:
    results: list[Any] = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(i: int) -> None:
        try:
            start.wait()
            results[i] = calls[i]()
        except Exception as exc:  # noqa: BLE001 - the test reports it
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_twenty_people_at_once_for_five_places(program, admin) -> None:
    assert connection.vendor == "postgresql"
    event = published(program, admin, capacity=5)
    people = [MembershipFactory(program=program).user for _ in range(20)]
    results = _together(
        [
            (lambda u=u: registration_create(event=event, user=u, role="mentee").status)
            for u in people
        ]
    )
    assert sorted(results) == ["registered"] * 5 + ["waitlisted"] * 15
    assert Registration.objects.filter(status=RegistrationStatus.REGISTERED).count() == 5


def test_one_person_twice_at_once_registers_once(program, admin, mentee) -> None:
    event = published(program, admin)
    results = _together(
        [lambda: registration_create(event=event, user=mentee, role="mentee").status] * 4
    )
    assert results.count("registered") == 1
    assert all(getattr(r, "code", "") == "already_registered" for r in results if r != "registered")


def test_cancellations_at_once_promote_the_waitlist_in_order(program, admin) -> None:
    event = published(program, admin, capacity=3)
    people = [MembershipFactory(program=program).user for _ in range(6)]
    regs = [registration_create(event=event, user=u, role="mentee") for u in people]
    results = _together(
        [(lambda r=r: registration_cancel(registration=r, by=r.user)) for r in regs[:3]]
    )
    assert not [r for r in results if isinstance(r, Exception)]
    statuses = [Registration.objects.get(pk=r.pk).status for r in regs]
    assert statuses == ["cancelled"] * 3 + ["registered"] * 3

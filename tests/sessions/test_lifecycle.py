"""A deleted account or a paused mentor cancels their future sessions with notice: the
other person gets a CANCEL email with the .ics for the same event."""

from __future__ import annotations

from datetime import UTC, datetime

import icalendar
import pytest
import time_machine
from django.core import mail

from pairup.accounts.services import account_delete
from pairup.availability.models import Commitment
from pairup.programs.models import Membership
from pairup.programs.services import membership_set_mentor_status
from pairup.sessions.models import Session, SessionChange
from pairup.sessions.services import session_book
from tests.factories import make_mentor

from .conftest import NOW, make_engagement

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _book(engagement, by, start):
    with time_machine.travel(NOW, tick=False):
        session = session_book(engagement=engagement, by=by, start=start, duration=30)
    return session


def _cancel_event(message) -> icalendar.Event:
    name, content, mimetype = message.attachments[0]
    assert mimetype.startswith("text/calendar; method=CANCEL")
    calendar = icalendar.Calendar.from_ical(content)
    assert str(calendar["method"]) == "CANCEL"
    return next(iter(calendar.walk("VEVENT")))


def test_deleting_an_account_cancels_their_future_sessions_and_tells_the_other_person(
    frozen, engagement, mentee, mentor
):
    session = _book(engagement, mentee, datetime(2026, 3, 3, 10, tzinfo=UTC))
    uid = session.uid
    mail.outbox.clear()

    account_delete(user=mentee)

    to_mentor = [m for m in mail.outbox if m.to == [mentor.email]]
    cancels = [m for m in to_mentor if m.subject.startswith("[PairUp] Session cancelled")]
    assert len(cancels) == 1
    assert "The other person deleted their account." in cancels[0].subject
    event = _cancel_event(cancels[0])
    assert (str(event["uid"]), int(event["sequence"]), str(event["status"])) == (
        uid,
        1,
        "CANCELLED",
    )
    assert event.decoded("dtstart") == datetime(2026, 3, 3, 10, tzinfo=UTC)
    # Their engagement (and its sessions) went with the account: nothing booked is left.
    assert not Session.objects.filter(status="booked").exists()
    # The mentor's committed time went with the session, not only the deleted mentee's.
    assert not Commitment.objects.exists()


def test_pausing_a_mentor_cancels_their_future_sessions_in_that_program_only(
    frozen, program, other_program, engagement, mentee, mentor, admin
):
    future = _book(engagement, mentee, datetime(2026, 3, 3, 10, tzinfo=UTC))
    # The same mentor also mentors in another program, where they are not paused.
    Membership.objects.create(
        program=other_program, user=mentor, is_mentor=True, mentor_status="approved"
    )
    elsewhere_mentee = make_mentor(other_program, display_name="Elsewhere")
    Membership.objects.filter(user=elsewhere_mentee).update(is_mentee=True)
    elsewhere = make_engagement(other_program, elsewhere_mentee, mentor, sessions=1)
    kept = _book(elsewhere, elsewhere_mentee, datetime(2026, 3, 4, 10, tzinfo=UTC))
    mail.outbox.clear()

    membership = Membership.objects.get(program=program, user=mentor)
    membership_set_mentor_status(membership=membership, status="paused", by=admin)

    future.refresh_from_db()
    kept.refresh_from_db()
    assert (future.status, future.cancel_reason, future.cancelled_by) == (
        "cancelled",
        "The mentor is not available any more.",
        None,
    )
    assert kept.status == "booked"
    assert list(SessionChange.objects.filter(session=future).values_list("kind", flat=True)) == [
        "booked",
        "cancelled",
    ]
    to_mentee = [
        m
        for m in mail.outbox
        if m.to == [mentee.email] and m.subject.startswith("[PairUp] Session cancelled")
    ]
    assert len(to_mentee) == 1
    event = _cancel_event(to_mentee[0])
    assert (str(event["uid"]), int(event["sequence"])) == (future.uid, 1)
    assert not [m for m in mail.outbox if m.to == [elsewhere_mentee.email]]


def test_pausing_leaves_past_sessions_alone(frozen, program, engagement, mentee, mentor, admin):
    session = _book(engagement, mentee, datetime(2026, 3, 3, 10, tzinfo=UTC))
    frozen.move_to(datetime(2026, 3, 3, 11, tzinfo=UTC))
    membership = Membership.objects.get(program=program, user=mentor)
    membership_set_mentor_status(membership=membership, status="paused", by=admin)
    session.refresh_from_db()
    assert session.status == "booked"  # already over: its outcome is still to be marked

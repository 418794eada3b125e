"""Outcomes, one-tap feedback and the wrap-up, through the API on a frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pairup.asks.models import EngagementStatus
from pairup.notifications.models import Notification
from pairup.programs.models import Membership
from pairup.sessions.models import Session, SessionChange, SessionFeedback
from pairup.sessions.queries import no_show_counts
from tests.factories import UserFactory

from .conftest import make_engagement

pytestmark = pytest.mark.django_db

AFTER = datetime(2026, 3, 3, 10, 31, tzinfo=UTC)  # just after a 10:00-10:30 session


def _book(api, who, engagement, start="2026-03-03T10:00:00Z"):
    response = api(who).post(
        f"/engagements/{engagement.pk}/sessions", {"start": start, "duration": 30}
    )
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def _outcome(api, who, session_id, outcome):
    return api(who).post(f"/sessions/{session_id}/outcome", {"outcome": outcome})


def _status(session_id) -> str:
    return Session.objects.get(pk=session_id).status


def test_outcome_before_the_end_is_409(api, frozen, engagement, mentee, mentor):
    session_id = _book(api, mentee, engagement)
    frozen.move_to(datetime(2026, 3, 3, 10, 29, tzinfo=UTC))
    response = _outcome(api, mentor, session_id, "held")
    assert (response.status_code, response.json()["code"]) == (409, "not_ended")
    assert _status(session_id) == "booked"


@pytest.mark.parametrize("outcome", ["held", "no_show_mentee"])
def test_the_mentor_marks_held_or_a_mentee_no_show_once(
    api, frozen, engagement, mentee, mentor, outcome
):
    session_id = _book(api, mentee, engagement)
    frozen.move_to(AFTER)
    response = _outcome(api, mentor, session_id, outcome)
    assert response.status_code == 200 and response.json()["status"] == outcome
    assert _status(session_id) == outcome
    assert list(SessionChange.objects.values_list("kind", "by")) == [
        ("booked", mentee.pk),
        (outcome, mentor.pk),
    ]
    again = _outcome(api, mentor, session_id, "held")
    assert (again.status_code, again.json()["code"]) == (409, "outcome_recorded")
    assert _status(session_id) == outcome


def test_the_mentor_cannot_report_themselves_absent(api, frozen, engagement, mentee, mentor):
    session_id = _book(api, mentee, engagement)
    frozen.move_to(AFTER)
    assert _outcome(api, mentor, session_id, "no_show_mentor").status_code == 403
    assert _status(session_id) == "booked"


def test_the_mentee_reports_a_mentor_no_show_and_nothing_else(
    api, frozen, engagement, mentee, mentor
):
    session_id = _book(api, mentee, engagement)
    frozen.move_to(AFTER)
    for outcome in ("held", "no_show_mentee"):
        assert _outcome(api, mentee, session_id, outcome).status_code == 403
    assert _status(session_id) == "booked"
    response = _outcome(api, mentee, session_id, "no_show_mentor")
    assert response.status_code == 200 and _status(session_id) == "no_show_mentor"
    again = _outcome(api, mentee, session_id, "no_show_mentor")
    assert (again.status_code, again.json()["code"]) == (409, "outcome_recorded")
    # The mentor cannot overwrite it with "held" either.
    assert _outcome(api, mentor, session_id, "held").status_code == 409


def test_an_unknown_outcome_is_422_and_an_outsider_404(
    api, frozen, engagement, mentee, mentor, outsider
):
    session_id = _book(api, mentee, engagement)
    frozen.move_to(AFTER)
    assert _outcome(api, mentor, session_id, "great").status_code == 422
    assert _outcome(api, outsider, session_id, "held").status_code == 404
    assert _status(session_id) == "booked"


def test_one_tap_feedback_after_held_once_each(api, frozen, engagement, mentee, mentor):
    session_id = _book(api, mentee, engagement)
    frozen.move_to(AFTER)
    early = api(mentee).post(f"/sessions/{session_id}/feedback", {"rating": 5})
    assert (early.status_code, early.json()["code"]) == (409, "not_held")
    _outcome(api, mentor, session_id, "held")

    first = api(mentee).post(f"/sessions/{session_id}/feedback", {"rating": 5, "comment": "Clear"})
    assert first.status_code == 201 and first.json()["rating"] == 5
    twice = api(mentee).post(f"/sessions/{session_id}/feedback", {"rating": 1})
    assert (twice.status_code, twice.json()["code"]) == (409, "feedback_given")
    assert api(mentor).post(f"/sessions/{session_id}/feedback", {"rating": 4}).status_code == 201
    assert api(mentor).post(f"/sessions/{session_id}/feedback", {"rating": 3}).status_code == 409
    assert sorted(SessionFeedback.objects.values_list("author_id", "rating", "comment")) == sorted(
        [(mentee.pk, 5, "Clear"), (mentor.pk, 4, "")]
    )


def test_feedback_rating_out_of_range_is_422(api, frozen, program, mentee, mentor, london_week):
    engagement = make_engagement(program, mentee, mentor, sessions=1)
    session_id = _book(api, mentee, engagement)
    frozen.move_to(AFTER)
    _outcome(api, mentor, session_id, "held")
    for rating in (0, 6):
        response = api(mentee).post(f"/sessions/{session_id}/feedback", {"rating": rating})
        assert response.status_code == 422
    assert not SessionFeedback.objects.exists()


def _wrap_ups(user) -> list[str]:
    return list(
        Notification.objects.filter(user=user, kind="wrap_up").values_list("text", flat=True)
    )


def test_wrap_up_opens_when_the_last_agreed_session_is_held(
    api, frozen, engagement, mentee, mentor
):
    first = _book(api, mentee, engagement, "2026-03-03T10:00:00Z")
    second = _book(api, mentee, engagement, "2026-03-05T10:00:00Z")
    frozen.move_to(AFTER)
    _outcome(api, mentor, first, "held")
    engagement.refresh_from_db()
    assert engagement.status == EngagementStatus.ACTIVE
    assert _wrap_ups(mentee) == []

    frozen.move_to(datetime(2026, 3, 5, 11, tzinfo=UTC))
    assert _outcome(api, mentor, second, "held").status_code == 200
    engagement.refresh_from_db()
    assert engagement.status == EngagementStatus.COMPLETED
    assert engagement.closed_at == datetime(2026, 3, 5, 11, tzinfo=UTC)
    assert _wrap_ups(mentee) == ["Wrap-up is due: how did it go?"]
    assert _wrap_ups(mentor) == ["Wrap-up is due: how did it go?"]


def test_a_no_show_does_not_open_the_wrap_up(api, frozen, program, mentee, mentor, london_week):
    engagement = make_engagement(program, mentee, mentor, sessions=1)
    session_id = _book(api, mentee, engagement)
    frozen.move_to(AFTER)
    _outcome(api, mentor, session_id, "no_show_mentee")
    engagement.refresh_from_db()
    assert engagement.status == EngagementStatus.ACTIVE


def _second_mentee(program, email):
    user = UserFactory(email=email)
    Membership.objects.create(program=program, user=user, is_mentee=True)
    return user


def test_no_shows_are_counted_per_person(
    api, frozen, program, other_program, mentee, mentor, london_week
):
    """Sam misses one session; Priya misses one with Kim; a held session counts nothing."""
    kim = _second_mentee(program, "kim@example.org")
    lee = _second_mentee(program, "lee@example.org")
    sam_engagement = make_engagement(program, mentee, mentor, sessions=1)
    kim_engagement = make_engagement(program, kim, mentor, sessions=1)
    lee_engagement = make_engagement(program, lee, mentor, sessions=1)
    sam = _book(api, mentee, sam_engagement, "2026-03-03T10:00:00Z")
    kim_session = _book(api, kim, kim_engagement, "2026-03-03T11:00:00Z")
    lee_session = _book(api, lee, lee_engagement, "2026-03-03T12:00:00Z")
    frozen.move_to(datetime(2026, 3, 3, 13, tzinfo=UTC))
    assert no_show_counts(program) == {}

    _outcome(api, mentor, sam, "no_show_mentee")
    _outcome(api, kim, kim_session, "no_show_mentor")
    _outcome(api, mentor, lee_session, "held")

    assert no_show_counts(program) == {
        mentee.pk: {"no_show_mentee": 1, "no_show_mentor": 0},
        mentor.pk: {"no_show_mentee": 0, "no_show_mentor": 1},
    }
    assert no_show_counts(other_program) == {}

"""Who met whom, and rating each conversation: only the rounds played, never with someone
absent, and only by the conversation's two people."""

from __future__ import annotations

import pytest
from django.http import Http404

from pairup.core.errors import NotFound, ServiceError
from pairup.events.after import services
from pairup.events.after.met import conversations_of, rounds_played
from pairup.events.models import (
    Attendance,
    ConversationRating,
    EventState,
    LivePhase,
)

pytestmark = pytest.mark.django_db


def names(event, user) -> list[tuple[int, str]]:
    return [(c.seat.round, c.other_user.display_name) for c in conversations_of(event, user)]


def test_an_ended_event_counts_every_round(speed, mentee) -> None:
    assert rounds_played(speed.event) is None
    assert names(speed.event, mentee) == [(0, "Priya Mentor"), (1, "Mo Mentor-to-be")]


def test_a_live_event_counts_only_the_rounds_played(speed, mentee) -> None:
    event = speed.event
    event.state, event.live_phase, event.live_round = EventState.LIVE, LivePhase.ROUND, 0
    event.save()
    assert names(event, mentee) == [(0, "Priya Mentor")]
    event.live_phase, event.live_round = LivePhase.ENDED, 1
    event.save()
    assert len(names(event, mentee)) == 2


def test_nothing_is_held_before_the_event(speed, mentee) -> None:
    speed.event.state = EventState.PUBLISHED
    speed.event.save()
    assert names(speed.event, mentee) == []


def test_a_round_played_was_met_whoever_is_absent_now(speed, mentee) -> None:
    """Attendance is today's, not each round's: Mo, marked absent after both rounds, still
    met Sam in round 2 (the same rule the re-seat keeps as what happened)."""
    speed.mentor2.attendance = Attendance.ABSENT
    speed.mentor2.save()
    assert names(speed.event, mentee) == [(0, "Priya Mentor"), (1, "Mo Mentor-to-be")]


def test_the_rounds_played_are_the_live_clocks_not_the_stored_round(speed, mentee) -> None:
    """The clock moved on to round 2 by itself (round 1's time is up): the stored round
    still says round 1, the live room (and so who met whom) says round 2."""
    from datetime import timedelta

    from django.utils import timezone

    event = speed.event
    event.state, event.live_phase, event.live_round = EventState.LIVE, LivePhase.ROUND, 0
    event.round_minutes, event.break_minutes = 10, 0
    event.live_phase_ends_at = timezone.now() - timedelta(minutes=1)
    event.save()
    assert rounds_played(event) == 2
    assert names(event, mentee) == [(0, "Priya Mentor"), (1, "Mo Mentor-to-be")]


def test_only_the_two_people_of_a_conversation_rate_it(speed, mentee, mentor) -> None:
    seat = speed.seat(0, speed.mentor)  # Priya with Sam
    services.conversation_rate(event=speed.event, seat_id=seat.pk, by=mentee, rating=4)
    services.conversation_rate(event=speed.event, seat_id=seat.pk, by=mentor, rating=5)
    with pytest.raises(NotFound):  # Kim was not at that table
        services.conversation_rate(
            event=speed.event, seat_id=seat.pk, by=speed.mentee2.user, rating=1
        )
    assert sorted(ConversationRating.objects.values_list("rater_id", "rating")) == sorted(
        [(mentee.pk, 4), (mentor.pk, 5)]
    )


def test_a_rating_can_be_changed_and_stays_within_one_to_five(speed, mentee) -> None:
    seat = speed.seat(0, speed.mentor)
    services.conversation_rate(event=speed.event, seat_id=seat.pk, by=mentee, rating=2)
    services.conversation_rate(event=speed.event, seat_id=seat.pk, by=mentee, rating=5)
    assert list(ConversationRating.objects.values_list("rating", flat=True)) == [5]
    for bad in (0, 6, True):
        with pytest.raises(ServiceError) as refused:
            services.conversation_rate(event=speed.event, seat_id=seat.pk, by=mentee, rating=bad)
        assert refused.value.field == "rating"


def test_a_round_not_played_cannot_be_rated(speed, mentee) -> None:
    event = speed.event
    event.state, event.live_phase, event.live_round = EventState.LIVE, LivePhase.ROUND, 0
    event.save()
    with pytest.raises(NotFound):
        services.conversation_rate(
            event=event, seat_id=speed.seat(1, speed.mentor2).pk, by=mentee, rating=3
        )


def test_the_page_rates_with_one_tap_and_refuses_a_stranger(speed, mentee, client) -> None:
    seat = speed.seat(0, speed.mentor)
    client.force_login(mentee)
    page = client.get(f"/events/{speed.event.slug}/met/")
    assert page.status_code == 200
    assert b"Priya Mentor" in page.content and b"Mo Mentor-to-be" in page.content
    done = client.post(f"/events/{speed.event.slug}/met/{seat.pk}/rate/", {"rating": "4"})
    assert done.status_code == 302 and done["Location"].endswith(f"#seat-{seat.pk}")
    partial = client.post(
        f"/events/{speed.event.slug}/met/{seat.pk}/rate/", {"rating": "3"}, HTTP_HX_REQUEST="true"
    )
    assert partial.status_code == 200
    assert b"You rated it 3 of 5" in partial.content and b"<html" not in partial.content
    client.force_login(speed.mentee2.user)
    stranger = client.post(f"/events/{speed.event.slug}/met/{seat.pk}/rate/", {"rating": "1"})
    assert stranger.status_code == 404
    assert ConversationRating.objects.get().rating == 3


def test_an_event_of_another_program_is_a_404(speed, outsider, client) -> None:
    client.force_login(outsider)
    assert client.get(f"/events/{speed.event.slug}/met/").status_code == 404
    seat = speed.seat(0, speed.mentor)
    assert (
        client.post(f"/events/{speed.event.slug}/met/{seat.pk}/rate/", {"rating": "5"}).status_code
        == 404
    )
    with pytest.raises(Http404):
        from pairup.events.queries import event_access

        event_access(outsider, speed.event.slug)

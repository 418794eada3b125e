"""Follow-up: one click writes an ask in the event's program addressed to someone met and
invites them, through the asks' services, so it runs as any engagement; the asks' rules
apply and a refusal names the rule, with nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from pairup.asks import services as asks
from pairup.asks.models import Ask, AskStatus, Invitation, InvitationStatus
from pairup.core.errors import Conflict, Forbidden, ServiceError
from pairup.events.after import services
from pairup.events.models import EventFollowUp
from pairup.notifications.models import Notification
from pairup.programs.models import MentorStatus

pytestmark = pytest.mark.django_db


def test_one_click_writes_an_ask_and_invites_the_mentor_met(speed, mentee, mentor) -> None:
    seat = speed.seat(0, speed.mentor)
    follow_up = services.follow_up_create(event=speed.event, seat_id=seat.pk, by=mentee)
    ask = follow_up.ask
    assert (ask.program, ask.mentee, ask.status) == (speed.event.program, mentee, AskStatus.OPEN)
    assert "Spring speed mentoring" in ask.question
    assert [t.slug for t in ask.topics.all()] == ["negotiating-an-offer"]  # Priya's topic
    invitation = Invitation.objects.get(ask=ask)
    assert (invitation.mentor, invitation.status) == (mentor, InvitationStatus.PENDING)
    assert Notification.objects.filter(user=mentor, kind="invited").exists()
    assert (follow_up.event, follow_up.seat, follow_up.asker, follow_up.invited) == (
        speed.event,
        seat,
        mentee,
        mentor,
    )
    # It then runs as a normal engagement.
    engagement = asks.invitation_accept(invitation=invitation, by=mentor)
    assert engagement.ask == ask and engagement.mentor == mentor


def test_a_follow_up_written_as_of_a_time_is_dated_then(speed, mentee) -> None:
    """`now` dates the ask and its invitation alike (the demo writes its past event's
    follow-ups as of the day after), not the ask by the clock."""
    at = timezone.now() - timedelta(days=3)
    seat = speed.seat(0, speed.mentor)
    follow_up = services.follow_up_create(event=speed.event, seat_id=seat.pk, by=mentee, now=at)
    ask = Ask.objects.get(pk=follow_up.ask_id)
    invitation = Invitation.objects.get(ask=ask)
    assert (follow_up.created_at, ask.created_at, invitation.created_at) == (at, at, at)


def test_a_second_follow_up_to_the_same_person_is_refused(speed, mentee) -> None:
    seat = speed.seat(0, speed.mentor)
    services.follow_up_create(event=speed.event, seat_id=seat.pk, by=mentee)
    with pytest.raises(Conflict) as refused:
        services.follow_up_create(event=speed.event, seat_id=seat.pk, by=mentee)
    assert refused.value.code == "follow_up_exists"
    assert Ask.objects.count() == 1


def test_someone_who_is_not_a_mentor_cannot_be_invited(speed, mentee) -> None:
    # Mo sat as a mentor at the event but is only a mentee of the program.
    seat = speed.seat(1, speed.mentor2)
    with pytest.raises(ServiceError) as refused:
        services.follow_up_create(event=speed.event, seat_id=seat.pk, by=mentee)
    assert refused.value.code == "mentor_not_eligible"
    assert refused.value.detail == (
        "Mo Mentor-to-be cannot take a follow-up ask: not a mentor of this program."
    )
    assert not Ask.objects.exists() and not EventFollowUp.objects.exists()


def test_a_mentor_not_yet_approved_is_refused_naming_the_rule(speed, mentee, mentor) -> None:
    membership = mentor.memberships.get()
    membership.mentor_status = MentorStatus.PENDING
    membership.save()
    with pytest.raises(ServiceError) as refused:
        services.follow_up_create(
            event=speed.event, seat_id=speed.seat(0, speed.mentor).pk, by=mentee
        )
    assert "not yet approved as a mentor of this program" in refused.value.detail
    assert not Ask.objects.exists()


def test_a_mentor_who_is_no_mentee_of_the_program_writes_no_ask(speed, mentor) -> None:
    with pytest.raises(Forbidden) as refused:
        services.follow_up_create(
            event=speed.event, seat_id=speed.seat(0, speed.mentor).pk, by=mentor
        )
    assert refused.value.code == "not_a_mentee"
    assert "join it as a mentee" in refused.value.detail
    assert not Ask.objects.exists()


def test_a_block_between_them_refuses_the_follow_up(speed, mentee, mentor) -> None:
    asks.block_create(by=mentor, blocked=mentee)
    with pytest.raises(ServiceError) as refused:
        services.follow_up_create(
            event=speed.event, seat_id=speed.seat(0, speed.mentor).pk, by=mentee
        )
    assert "a block stands between mentor and mentee" in refused.value.detail


def test_the_page_offers_what_is_possible(speed, mentee, client) -> None:
    client.force_login(mentee)
    page = client.get(f"/events/{speed.event.slug}/met/").content.decode()
    assert "Ask Priya Mentor for a follow-up session" in page
    assert "No follow-up ask to Mo Mentor-to-be: not a mentor of this program." in page


def test_the_form_sends_an_edited_follow_up(speed, mentee, mentor, client) -> None:
    seat = speed.seat(0, speed.mentor)
    client.force_login(mentee)
    url = f"/events/{speed.event.slug}/met/{seat.pk}/follow-up/"
    form = client.get(url)
    assert form.status_code == 200 and b"Following up on our conversation" in form.content
    short = client.post(
        url,
        {
            "question": "Hi",
            "topics": ["sql"],
            "kind": "advice",
            "format": "video",
            "duration": "30",
            "sessions": "1",
        },
    )
    assert short.status_code == 200 and b"at least 15 characters" in short.content
    sent = client.post(
        url,
        {
            "question": "How do I anchor a salary negotiation?",
            "topics": ["sql"],
            "kind": "advice",
            "format": "chat",
            "duration": "45",
            "sessions": "1",
        },
    )
    ask = Ask.objects.get()
    assert sent.status_code == 302 and sent["Location"] == f"/asks/{ask.pk}/"
    assert (ask.format, ask.duration, ask.question) == (
        "chat",
        45,
        "How do I anchor a salary negotiation?",
    )
    assert Invitation.objects.get(ask=ask).mentor == mentor


def test_the_one_click_refusal_comes_back_as_a_message(speed, mentee, client) -> None:
    seat = speed.seat(1, speed.mentor2)
    client.force_login(mentee)
    answer = client.post(
        f"/events/{speed.event.slug}/met/{seat.pk}/follow-up/", {"quick": "1"}, follow=True
    )
    assert b"not a mentor of this program" in answer.content
    assert not Ask.objects.exists()

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from pairup.asks import services
from pairup.asks.matching.suggestions import suggest_mentors
from pairup.asks.models import AskStatus, EngagementStatus, Invitation, InvitationStatus
from pairup.notifications.models import Notification
from tests.factories import make_mentor

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_core_loop_from_ask_to_thanks(program, mentee, mentor):
    other = make_mentor(program, topics={"public-speaking": "expert"}, display_name="Ravi")
    ask = services.ask_create(
        program=program,
        mentee=mentee,
        topics=["negotiating-an-offer"],
        question="How do I negotiate a data science offer with equity?",
        duration=30,
        sessions=2,
    )
    found = suggest_mentors(ask)
    assert [s.mentor for s in found][:1] == [mentor]
    assert found[0].reasons
    invitation = services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    assert invitation.status == InvitationStatus.PENDING
    assert mail.outbox[-1].to == [mentor.email]
    assert "List-Unsubscribe" in mail.outbox[-1].extra_headers
    services.invitation_clarify(invitation=invitation, by=mentor, body="Which country?")
    invitation.refresh_from_db()
    assert invitation.status == "awaiting_mentee" and invitation.expires_at is None
    services.invitation_answer(invitation=invitation, by=mentee, body="Germany")
    engagement = services.invitation_accept(invitation=invitation, by=mentor)
    ask.refresh_from_db()
    assert ask.status == AskStatus.ENGAGED
    services.message_post(engagement=engagement, by=mentee, body="Hello!")
    services.resource_add(
        engagement=engagement, by=mentor, title="Levels", url="https://example.org/levels"
    )
    services.engagement_close(engagement=engagement, by=mentor)
    services.feedback_give(
        engagement=engagement, by=mentee, rating=5, applied="Ask for a higher base", shared=True
    )
    services.feedback_give(engagement=engagement, by=mentor, notes="Well prepared")
    services.thanks_send(engagement=engagement, by=mentee, body="Thank you!")
    engagement.refresh_from_db()
    assert engagement.status == EngagementStatus.COMPLETED
    assert Notification.objects.filter(user=mentor, kind="thanks").count() == 1
    assert other.pk not in [i.mentor_id for i in Invitation.objects.all()]


def test_expiry_reroutes_to_next(program, mentee, mentor):
    second = make_mentor(
        program, topics={"negotiating-an-offer": "experienced"}, display_name="Second"
    )
    ask = services.ask_create(
        program=program,
        mentee=mentee,
        topics=["negotiating-an-offer"],
        question="How do I negotiate a data science offer with equity?",
    )
    first = services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    later = timezone.now() + timedelta(hours=49)
    assert services.invitations_expire(now=later) == 1
    assert services.invitations_expire(now=later) == 0
    first.refresh_from_db()
    assert first.status == "expired"
    live = Invitation.objects.get(ask=ask, status="pending")
    assert live.mentor == second

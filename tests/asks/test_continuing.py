"""Proposing to continue: one side proposes, the other proposing too makes it mutual
(what the program's insights count as "both proposed continuing")."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pairup.asks import services
from pairup.core.errors import Conflict
from pairup.notifications.models import Notification

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def engagement(program, mentee, mentor):
    ask = services.ask_create(
        program=program,
        mentee=mentee,
        topics=["negotiating-an-offer"],
        question="How do I negotiate a data science offer with equity?",
    )
    invitation = services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    return services.invitation_accept(invitation=invitation, by=mentor)


def test_the_other_side_proposing_too_makes_it_mutual(engagement, mentee, mentor):
    services.continue_propose(engagement=engagement, by=mentee)
    engagement.refresh_from_db()
    assert (engagement.continue_proposed_by_id, engagement.continue_agreed_at) == (mentee.pk, None)
    with pytest.raises(Conflict) as again:
        services.continue_propose(engagement=engagement, by=mentee)
    assert again.value.code == "already_proposed"
    services.continue_propose(engagement=engagement, by=mentor, now=NOW)
    engagement.refresh_from_db()
    assert (engagement.continue_proposed_by_id, engagement.continue_agreed_at) == (mentee.pk, NOW)
    assert Notification.objects.filter(user=mentee, text__contains="continue too").count() == 1
    with pytest.raises(Conflict) as third:
        services.continue_propose(engagement=engagement, by=mentor)
    assert third.value.code == "already_agreed"


def test_the_engagement_page_offers_to_agree_to_the_other_sides_proposal(
    client, engagement, mentee, mentor
):
    services.continue_propose(engagement=engagement, by=mentee)
    client.force_login(mentor)
    html = client.get(engagement.get_absolute_url()).content.decode()
    assert "I would like to continue too" in html
    client.post(f"/engagements/{engagement.pk}/continue/")
    engagement.refresh_from_db()
    assert engagement.continue_agreed_at is not None
    html = client.get(engagement.get_absolute_url()).content.decode()
    assert "You both proposed to continue" in html and "continue too</button>" not in html

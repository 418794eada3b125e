"""State bugs found when people tried it: the mentor may accept while their question waits
for the mentee; a pause says that it hands other invitations on before it does; thanks come
after a session (or at wrap-up), not before anything happened."""

from __future__ import annotations

import pytest

from pairup.asks import services
from pairup.asks.models import InvitationStatus
from pairup.core.errors import Conflict
from pairup.programs.models import Membership
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _ask(program, mentee, n=0):
    return services.ask_create(
        program=program,
        mentee=mentee,
        topics=["negotiating-an-offer"],
        question=f"How do I negotiate offer number {n} with a startup?",
    )


def test_the_mentor_may_accept_while_their_question_waits(client, program, mentee, mentor):
    invitation = services.invitation_create(
        ask=_ask(program, mentee), mentor_id=mentor.pk, by=mentee
    )
    services.invitation_clarify(invitation=invitation, by=mentor, body="Which country?")
    client.force_login(mentor)
    page = client.get(invitation.get_absolute_url()).content.decode()
    assert f'action="/invitations/{invitation.pk}/accept/"' in page
    response = client.post(f"/invitations/{invitation.pk}/accept/", follow=True)
    assert response.status_code == 200
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED
    assert invitation.ask.engagement.mentor_id == mentor.pk


def test_the_decline_form_warns_that_a_pause_hands_other_invitations_on(
    client, program, mentee, mentor
):
    invitation = services.invitation_create(
        ask=_ask(program, mentee), mentor_id=mentor.pk, by=mentee
    )
    client.force_login(mentor)
    assert "pause-warning" not in client.get(invitation.get_absolute_url()).content.decode()
    other = UserFactory(profile_fields={"display_name": "Olu Other"})
    Membership.objects.create(program=program, user=other, is_mentee=True)
    services.invitation_create(ask=_ask(program, other, 1), mentor_id=mentor.pk, by=other)
    page = client.get(invitation.get_absolute_url()).content.decode()
    assert "Pausing also hands your 1 other pending invitation in Acme Mentoring" in page


def test_thanks_wait_for_a_session_or_the_wrap_up(client, api, program, mentee, mentor):
    invitation = services.invitation_create(
        ask=_ask(program, mentee), mentor_id=mentor.pk, by=mentee
    )
    engagement = services.invitation_accept(invitation=invitation, by=mentor)
    with pytest.raises(Conflict) as early:
        services.thanks_send(engagement=engagement, by=mentee, body="Thanks!")
    assert early.value.code == "too_early"
    response = api(mentee).post(f"/engagements/{engagement.pk}/thanks", {"body": "Thanks!"})
    assert response.status_code == 409 and response.json()["code"] == "too_early"
    client.force_login(mentee)
    page = client.get(engagement.get_absolute_url()).content.decode()
    assert "Send thanks" not in page and "after your first session" in page
    services.engagement_close(engagement=engagement, by=mentee)
    page = client.get(engagement.get_absolute_url()).content.decode()
    assert "Send thanks" in page
    thanks = services.thanks_send(engagement=engagement, by=mentee, body="Thanks!")
    assert thanks.engagement_id == engagement.pk

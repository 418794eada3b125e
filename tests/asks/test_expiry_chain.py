"""The expiry chain on a frozen clock: an unanswered invitation expires after the program's
window, the ask goes to the next suggested mentor, the mentee is told each time, a
clarifying question stops the clock, and the answer starts a fresh window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from pairup.asks.models import Ask, Invitation
from pairup.notifications.models import Notification
from tests.factories import make_mentor

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ASK = {
    "program": "acme",
    "topics": ["negotiating-an-offer"],
    "question": "How do I negotiate a data science offer with equity?",
    "duration": 30,
    "sessions": 1,
}


def expire() -> str:
    out = StringIO()
    call_command("expire_invitations", stdout=out)
    return out.getvalue().strip()


def suggested_ids(client, ask_id: int) -> list[int]:
    response = client.get(f"/asks/{ask_id}/suggestions")
    assert response.status_code == 200
    return [s["mentor"]["id"] for s in response.json()]


def test_expiry_chain_reroutes_tells_the_mentee_and_pauses_for_questions(api, program, mentee):
    first = make_mentor(
        program,
        topics={"negotiating-an-offer": "expert", "interview-prep": "expert"},
        display_name="Ada First",
        bio="I negotiate data science offers with equity for a living.",
    )
    second = make_mentor(
        program, topics={"negotiating-an-offer": "experienced"}, display_name="Ben Second"
    )
    third = make_mentor(
        program, topics={"negotiating-an-offer": "familiar"}, display_name="Cy Third"
    )
    as_mentee = api(mentee)

    with time_machine.travel(T0, tick=False):
        ask_id = as_mentee.post("/asks", ASK).json()["id"]
        assert suggested_ids(as_mentee, ask_id) == [first.pk, second.pk, third.pk]
        invited = as_mentee.post(f"/asks/{ask_id}/invitations", {"mentor": first.pk}).json()
        assert invited["expires_at"] == "2026-03-04T09:00:00Z"  # the program's 48 h

    # One second before the window closes nothing happens; at the deadline it expires.
    with time_machine.travel(T0 + timedelta(hours=48) - timedelta(seconds=1), tick=False):
        assert expire() == "Expired 0 invitations."
    outbox = len(mail.outbox)
    with time_machine.travel(T0 + timedelta(hours=48), tick=False):
        assert expire() == "Expired 1 invitation."
        assert expire() == "Expired 0 invitations."  # idempotent
        assert Invitation.objects.get(pk=invited["id"]).status == "expired"
        live = Invitation.objects.get(ask_id=ask_id, status="pending")
        assert live.mentor == second
        told = Notification.objects.get(user=mentee, kind="rerouted")
        assert told.text == (
            "Ada First did not answer within 48 hours. We invited Ben Second instead."
        )
        assert sorted(m.to[0] for m in mail.outbox[outbox:]) == sorted([mentee.email, second.email])
        assert any("We invited Ben Second" in m.subject for m in mail.outbox[outbox:])
        # The mentor who let it expire is never suggested for this ask again, and cannot
        # accept any more.
        assert first.pk not in suggested_ids(as_mentee, ask_id)
        late = api(first).post(f"/invitations/{invited['id']}/accept")
        assert late.status_code == 409 and late.json()["code"] == "invitation_not_pending"
        assert as_mentee.get(f"/asks/{ask_id}").json()["invitation"]["id"] == live.pk

    # The second mentor asks a question: the clock stops for as long as the mentee takes.
    asked_at = T0 + timedelta(hours=50)
    with time_machine.travel(asked_at, tick=False):
        clarify = api(second).post(f"/invitations/{live.pk}/clarify", {"body": "Which country?"})
        assert clarify.status_code == 200
        assert clarify.json()["status"] == "awaiting_mentee"
        assert clarify.json()["expires_at"] is None
    with time_machine.travel(asked_at + timedelta(days=9), tick=False):
        assert expire() == "Expired 0 invitations."
        live.refresh_from_db()
        assert live.status == "awaiting_mentee"
        # ... and the second mentor is still the one the ask waits for.
        assert second.pk not in suggested_ids(as_mentee, ask_id)

    answered_at = asked_at + timedelta(days=10)
    with time_machine.travel(answered_at, tick=False):
        answer = as_mentee.post(f"/invitations/{live.pk}/answer", {"body": "Germany"})
        assert answer.status_code == 200
        assert answer.json()["status"] == "pending"
        # A fresh 48 h window from the answer, not what was left before the question.
        live.refresh_from_db()
        assert live.expires_at == answered_at + timedelta(hours=48)

    with time_machine.travel(answered_at + timedelta(hours=47, minutes=59), tick=False):
        assert expire() == "Expired 0 invitations."
    outbox = len(mail.outbox)
    with time_machine.travel(answered_at + timedelta(hours=48), tick=False):
        assert expire() == "Expired 1 invitation."
        assert expire() == "Expired 0 invitations."
        live.refresh_from_db()
        assert live.status == "expired"
        third_invitation = Invitation.objects.get(ask_id=ask_id, status="pending")
        assert third_invitation.mentor == third
        texts = list(
            Notification.objects.filter(user=mentee, kind="rerouted")
            .order_by("pk")
            .values_list("text", flat=True)
        )
        assert texts[-1] == (
            "Ben Second did not answer within 48 hours. We invited Cy Third instead."
        )
        assert len(texts) == 2
        assert sorted(m.to[0] for m in mail.outbox[outbox:]) == sorted([mentee.email, third.email])
        # Neither mentor who let it expire comes back; the third is the one invited now.
        assert suggested_ids(as_mentee, ask_id) == []

    # The third mentor accepts in time; the chain ends in an engagement.
    with time_machine.travel(answered_at + timedelta(hours=49), tick=False):
        accepted = api(third).post(f"/invitations/{third_invitation.pk}/accept")
        assert accepted.status_code == 201
        assert Ask.objects.get(pk=ask_id).status == "engaged"
        assert expire() == "Expired 0 invitations."


def test_last_mentor_expiring_tells_the_mentee_to_try_the_board(api, program, mentee, mentor):
    as_mentee = api(mentee)
    with time_machine.travel(T0, tick=False):
        ask_id = as_mentee.post("/asks", ASK).json()["id"]
        as_mentee.post(f"/asks/{ask_id}/invitations", {"mentor": mentor.pk})
    outbox = len(mail.outbox)
    with time_machine.travel(T0 + timedelta(hours=60), tick=False):
        assert expire() == "Expired 1 invitation."
        assert not Invitation.objects.filter(ask_id=ask_id, status="pending").exists()
        told = Notification.objects.get(user=mentee, kind="rerouted")
        assert "post it on the open board?" in told.text
        assert [m.to[0] for m in mail.outbox[outbox:]] == [mentee.email]
        assert Ask.objects.get(pk=ask_id).status == "open"
        assert expire() == "Expired 0 invitations."

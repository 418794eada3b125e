"""Every (state × action × persona) through /api/v1.

For each case: build the state with the real services, snapshot the rows, call the API as
the persona, then assert the status code and either the exact change (rows, notifications,
emails) or, on refusal, that nothing changed and nobody was told.

Personas: the mentee who wrote the ask, the mentor invited to it, a peer (another approved
mentor of the same program, who matches the ask too), the program's admin, and an outsider
from another program. Non-participants always get 404: they must not learn the thing exists.
A participant acting in the other side's role (the mentee accepting, the mentor answering)
gets 403: they can see the thing, they just may not do that.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from pairup.asks import services
from pairup.asks.models import (
    Ask,
    Block,
    Clarification,
    Engagement,
    Feedback,
    Invitation,
    Message,
    Report,
    Resource,
    ThankYou,
)
from pairup.notifications.models import Notification
from pairup.programs.models import Membership
from tests.factories import make_mentor

pytestmark = pytest.mark.django_db

PERSONAS = ["mentee", "mentor", "peer", "admin", "outsider"]
NON_PARTICIPANTS = ["peer", "admin", "outsider"]

# States, each built from the one before it with the real services.
INVITATION_STATES = [
    "pending",  # ask open, invitation waiting for the mentor
    "awaiting_mentee",  # the mentor asked a clarifying question
    "overdue",  # still pending, but its window has passed (the job has not run yet)
    "expired",
    "declined",
    "ask_withdrawn",
    "engaged",  # ask engaged, engagement active
    "completed",
    "cancelled",
]
ALL_STATES = ["draft", *INVITATION_STATES]
ENGAGEMENT_STATES = ["engaged", "completed", "cancelled"]

# (mentee's status, invited mentor's status) per action and state; everyone else gets 404.
EXPECTED: dict[str, dict[str, tuple[int, int]]] = {
    "accept": {
        "pending": (403, 201),
        "awaiting_mentee": (403, 201),  # the mentor need not wait for the answer
        "overdue": (403, 409),
        "expired": (403, 409),
        "declined": (403, 409),
        "ask_withdrawn": (403, 409),
        "engaged": (403, 409),
        "completed": (403, 409),
        "cancelled": (403, 409),
    },
    "decline": {
        "pending": (403, 200),
        "awaiting_mentee": (403, 200),
        "overdue": (403, 409),
        "expired": (403, 409),
        "declined": (403, 409),
        "ask_withdrawn": (403, 409),
        "engaged": (403, 409),
        "completed": (403, 409),
        "cancelled": (403, 409),
    },
    "clarify": {
        "pending": (403, 200),
        "awaiting_mentee": (403, 409),
        "overdue": (403, 409),
        "expired": (403, 409),
        "declined": (403, 409),
        "ask_withdrawn": (403, 409),
        "engaged": (403, 409),
        "completed": (403, 409),
        "cancelled": (403, 409),
    },
    "answer": {
        "pending": (409, 403),
        "awaiting_mentee": (200, 403),
        "overdue": (409, 403),
        "expired": (409, 403),
        "declined": (409, 403),
        "ask_withdrawn": (409, 403),
        "engaged": (409, 403),
        "completed": (409, 403),
        "cancelled": (409, 403),
    },
    "withdraw": {  # the invitation
        "pending": (200, 403),
        "awaiting_mentee": (200, 403),
        "overdue": (200, 403),
        "expired": (409, 403),
        "declined": (409, 403),
        "ask_withdrawn": (409, 403),
        "engaged": (409, 403),
        "completed": (409, 403),
        "cancelled": (409, 403),
    },
    "invite": {  # the mentee invites the peer; the mentor cannot see it as theirs: 404
        "draft": (409, 404),
        "pending": (409, 404),
        "awaiting_mentee": (409, 404),
        "overdue": (409, 404),
        "expired": (201, 404),
        "declined": (201, 404),
        "ask_withdrawn": (409, 404),
        "engaged": (409, 404),
        "completed": (409, 404),
        "cancelled": (409, 404),
    },
    "withdraw_ask": {
        "draft": (200, 404),
        "pending": (200, 404),
        "awaiting_mentee": (200, 404),
        "overdue": (200, 404),
        "expired": (200, 404),
        "declined": (200, 404),
        "ask_withdrawn": (409, 404),
        "engaged": (409, 404),
        "completed": (409, 404),
        "cancelled": (409, 404),
    },
    "message": {
        "engaged": (201, 201),
        "completed": (409, 409),
        "cancelled": (409, 409),
    },
    "feedback": {
        "engaged": (409, 409),
        "completed": (201, 201),
        "cancelled": (409, 409),
    },
    "thanks": {
        # Before any session has taken place the mentee is asked to wait (too_early).
        "engaged": (409, 403),
        "completed": (201, 403),
        "cancelled": (409, 403),
    },
}


def _cases() -> list[Any]:
    cases = []
    for action, states in EXPECTED.items():
        for state, (as_mentee, as_mentor) in states.items():
            for persona in PERSONAS:
                status = {"mentee": as_mentee, "mentor": as_mentor}.get(persona, 404)
                cases.append(
                    pytest.param(
                        state, action, persona, status, id=f"{state}-{action}-{persona}-{status}"
                    )
                )
    return cases


@pytest.fixture
def peer(program):
    return make_mentor(
        program,
        topics={"negotiating-an-offer": "experienced"},
        display_name="Ravi Peer",
        languages=["en"],
    )


def build(state: str, program, mentee, mentor, peer) -> dict[str, Any]:
    """The world in `state`. The peer is paused while it is built, so that declines and
    expiries in the set-up re-route to nobody; then the peer is available again."""
    paused = Membership.objects.filter(program=program, user=peer)
    paused.update(invitations_paused_until=timezone.now() + timedelta(days=30))
    ask = services.ask_create(
        program=program,
        mentee=mentee,
        topics=["negotiating-an-offer"],
        question="How do I negotiate a data science offer with equity?",
        submit=state != "draft",
    )
    invitation = engagement = None
    if state != "draft":
        invitation = services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    if state == "awaiting_mentee":
        services.invitation_clarify(invitation=invitation, by=mentor, body="Which country?")
    elif state == "overdue":
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
    elif state == "expired":
        assert services.invitations_expire(now=timezone.now() + timedelta(hours=49)) == 1
    elif state == "declined":
        services.invitation_decline(invitation=invitation, by=mentor, reason="not_my_topic")
    elif state == "ask_withdrawn":
        services.ask_withdraw(ask=ask, by=mentee)
    elif state in ENGAGEMENT_STATES:
        engagement = services.invitation_accept(invitation=invitation, by=mentor)
        if state == "completed":
            services.engagement_close(engagement=engagement, by=mentor)
        elif state == "cancelled":
            services.engagement_close(engagement=engagement, by=mentee, cancel=True, reason="Ill")
    paused.update(invitations_paused_until=None)
    return {"ask": ask, "invitation": invitation, "engagement": engagement}


def request_for(action: str, world: dict[str, Any], persona: str, peer) -> tuple[str, dict]:
    inv = world["invitation"].pk if world["invitation"] else None
    e = world["engagement"].pk if world["engagement"] else None
    ask = world["ask"].pk
    return {
        "accept": (f"/invitations/{inv}/accept", {}),
        "decline": (f"/invitations/{inv}/decline", {"reason": "no_time", "note": "Busy"}),
        "clarify": (f"/invitations/{inv}/clarify", {"body": "Which country?"}),
        "answer": (f"/invitations/{inv}/answer", {"body": "Germany"}),
        "withdraw": (f"/invitations/{inv}/withdraw", {}),
        "invite": (f"/asks/{ask}/invitations", {"mentor": peer.pk}),
        "withdraw_ask": (f"/asks/{ask}/withdraw", {}),
        "message": (f"/engagements/{e}/messages", {"body": "Hello there"}),
        "feedback": (
            f"/engagements/{e}/feedback",
            {"rating": 5, "applied": "Ask for more equity"}
            if persona == "mentee"
            else {"notes": "Well prepared"},
        ),
        "thanks": (f"/engagements/{e}/thanks", {"body": "Thank you!"}),
    }[action]


def snapshot(program) -> dict[str, list[dict[str, Any]]]:
    """Every row an action could touch."""

    def rows(model, **filters):
        return list(model.objects.filter(**filters).order_by("pk").values())

    return {
        "asks": rows(Ask),
        "invitations": rows(Invitation),
        "clarifications": rows(Clarification),
        "engagements": rows(Engagement),
        "messages": rows(Message),
        "resources": rows(Resource),
        "feedback": rows(Feedback),
        "thanks": rows(ThankYou),
        "reports": rows(Report),
        "blocks": rows(Block),
        "notifications": rows(Notification),
        "memberships": rows(Membership, program=program),
    }


def new_notifications(before: dict) -> set[tuple[str, str]]:
    seen = {n["id"] for n in before["notifications"]}
    return {
        (n.user.email, n.kind)
        for n in Notification.objects.select_related("user")
        if n.pk not in seen
    }


@pytest.mark.parametrize(("state", "action", "persona", "expected"), _cases())
def test_state_action_persona(
    state,
    action,
    persona,
    expected,
    api,
    program,
    mentee,
    mentor,
    peer,
    admin,
    outsider,
    django_capture_on_commit_callbacks,
):
    people = {"mentee": mentee, "mentor": mentor, "peer": peer, "admin": admin}
    people["outsider"] = outsider
    actor = people[persona]
    world = build(state, program, mentee, mentor, peer)
    client = api(actor)
    path, body = request_for(action, world, persona, peer)
    before = snapshot(program)
    outbox = len(mail.outbox)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, body)

    assert response.status_code == expected, response.json()
    sent = sorted(m.to[0] for m in mail.outbox[outbox:])
    if expected >= 400:
        payload = response.json()
        assert set(payload) == {"detail", "code", "errors"}
        assert payload["code"] == {
            403: "forbidden",
            404: "not_found",
        }.get(expected, payload["code"])
        assert snapshot(program) == before, "a refused action changed rows"
        assert sent == []
        return

    notes = new_notifications(before)
    world_ask = Ask.objects.get(pk=world["ask"].pk)
    inv = Invitation.objects.get(pk=world["invitation"].pk) if world["invitation"] else None
    if action == "accept":
        engagement = Engagement.objects.get(ask=world_ask)
        assert (inv.status, world_ask.status, engagement.status) == (
            "accepted",
            "engaged",
            "active",
        )
        assert (engagement.mentor, engagement.mentee) == (mentor, mentee)
        assert response.json()["id"] == engagement.pk
        assert notes == {(mentee.email, "accepted")}
        assert sent == [mentee.email]
    elif action == "decline":
        assert (inv.status, inv.decline_reason, inv.decline_note) == ("declined", "no_time", "Busy")
        rerouted = Invitation.objects.get(ask=world_ask, status="pending")
        assert rerouted.mentor == peer  # re-routed to the next suggested mentor
        assert notes == {(peer.email, "invited"), (mentee.email, "rerouted")}
        assert sent == sorted([peer.email, mentee.email])
    elif action == "clarify":
        assert (inv.status, inv.expires_at) == ("awaiting_mentee", None)
        assert inv.remaining is not None and inv.remaining > timedelta(hours=47)
        assert inv.clarifications.last().body == "Which country?"
        assert notes == {(mentee.email, "clarify")}
        assert sent == [mentee.email]
    elif action == "answer":
        assert inv.status == "pending" and inv.remaining is None
        assert inv.expires_at > timezone.now() + timedelta(hours=47)
        assert inv.clarifications.last().author == mentee
        assert notes == {(mentor.email, "clarify")}
        assert sent == [mentor.email]
    elif action == "withdraw":
        assert inv.status == "withdrawn" and inv.expires_at is None
        assert world_ask.status == "open"
        assert notes == {(mentor.email, "withdrawn")}
        assert sent == [mentor.email]
    elif action == "invite":
        new = Invitation.objects.get(ask=world_ask, mentor=peer)
        assert new.status == "pending" and response.json()["id"] == new.pk
        assert notes == {(peer.email, "invited")}
        assert sent == [peer.email]
    elif action == "withdraw_ask":
        assert world_ask.status == "withdrawn"
        was_live = state in ("pending", "awaiting_mentee", "overdue")
        if was_live:
            assert inv.status == "withdrawn"
        assert notes == ({(mentor.email, "withdrawn")} if was_live else set())
        assert sent == ([mentor.email] if was_live else [])
    elif action == "message":
        other = mentor if persona == "mentee" else mentee
        message = Message.objects.get()
        assert (message.author, message.body) == (actor, "Hello there")
        assert notes == {(other.email, "message")}
        assert sent == [other.email]
    elif action == "feedback":
        feedback = Feedback.objects.get()
        assert (feedback.author, feedback.role) == (actor, persona)
        assert feedback.rating == (5 if persona == "mentee" else None)
        assert notes == set() and sent == []
    elif action == "thanks":
        thanks = ThankYou.objects.get()
        assert (thanks.engagement_id, thanks.body) == (world["engagement"].pk, "Thank you!")
        assert notes == {(mentor.email, "thanks")}
        assert sent == [mentor.email]
    else:  # pragma: no cover
        raise AssertionError(action)

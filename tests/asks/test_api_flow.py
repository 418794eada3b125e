"""The core loop through /api/v1: ask → suggestions → invite → clarify → accept → thread →
close → feedback → thanks, with the exact bodies a client sees."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from pairup.asks.models import Ask, Engagement, Invitation, Message
from tests.factories import make_mentor

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ASK = {
    "program": "acme",
    "kind": "advice",
    "topics": ["negotiating-an-offer"],
    "question": "How do I negotiate a data science offer with equity?",
    "tried": "Read two blog posts",
    "format": "video",
    "duration": 30,
    "sessions": 2,
}


def test_core_loop_through_the_api(api, program, mentee, mentor):
    as_mentee, as_mentor = api(mentee), api(mentor)
    by = (timezone.localdate() + timedelta(days=7)).isoformat()
    created = as_mentee.post("/asks", {**ASK, "by": by})
    assert created.status_code == 201, created.json()
    body = created.json()
    ask = Ask.objects.get()
    assert body["id"] == ask.pk and body["status"] == "open" and body["by"] == by
    assert body["topics"] == ["negotiating-an-offer"] and body["invitation"] is None
    assert ask.sessions == 2 and ask.mentee == mentee

    listed = as_mentee.get("/asks").json()
    assert (listed["count"], listed["page"], listed["pages"]) == (1, 1, 1)
    assert [a["id"] for a in listed["items"]] == [ask.pk]

    suggestions = as_mentee.get(f"/asks/{ask.pk}/suggestions").json()
    assert suggestions[0]["mentor"] == {
        "id": mentor.pk,
        "display_name": "Priya Mentor",
        "headline": "Data scientist",
        "site": "London",
    }
    assert suggestions[0]["reasons"] and suggestions[0]["responsiveness"]

    invited = as_mentee.post(f"/asks/{ask.pk}/invitations", {"mentor": mentor.pk})
    assert invited.status_code == 201, invited.json()
    inv = Invitation.objects.get()
    assert invited.json()["id"] == inv.pk and inv.status == "pending"
    assert mail.outbox[-1].to == [mentor.email]
    waiting = as_mentor.get("/invitations").json()
    assert [i["id"] for i in waiting["items"]] == [inv.pk]
    assert waiting["items"][0]["expires_at"] is not None
    assert as_mentee.get(f"/asks/{ask.pk}").json()["invitation"]["id"] == inv.pk

    q = as_mentor.post(f"/invitations/{inv.pk}/clarify", {"body": "Which country?"})
    assert q.status_code == 200 and q.json()["status"] == "awaiting_mentee"
    a = as_mentee.post(f"/invitations/{inv.pk}/answer", {"body": "Germany"})
    assert a.status_code == 200 and a.json()["status"] == "pending"
    assert [c["body"] for c in a.json()["clarifications"]] == ["Which country?", "Germany"]

    accepted = as_mentor.post(f"/invitations/{inv.pk}/accept")
    assert accepted.status_code == 201, accepted.json()
    engagement = Engagement.objects.get()
    e = accepted.json()
    assert e["id"] == engagement.pk and e["status"] == "active" and e["role"] == "mentor"
    assert e["mentee"]["email"] is None and e["mentor"]["email"] is None

    sent = as_mentee.post(f"/engagements/{engagement.pk}/messages", {"body": "Hello!"})
    assert sent.status_code == 201
    assert Message.objects.get().body == "Hello!"
    thread = as_mentor.get(f"/engagements/{engagement.pk}/messages").json()
    assert [m["body"] for m in thread["items"]] == ["Hello!"]

    res = as_mentor.post(
        f"/engagements/{engagement.pk}/resources",
        {"title": "Levels", "url": "https://example.org/levels"},
    )
    assert res.status_code == 201
    bad = as_mentor.post(
        f"/engagements/{engagement.pk}/resources", {"title": "x", "url": "not a url"}
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "url"

    closed = as_mentor.post(f"/engagements/{engagement.pk}/close", {"cancel": False})
    assert closed.status_code == 200 and closed.json()["status"] == "completed"
    fb = as_mentee.post(
        f"/engagements/{engagement.pk}/feedback",
        {"rating": 5, "applied": "Ask for a higher base", "shared": True},
    )
    assert fb.status_code == 201 and fb.json()["rating"] == 5
    again = as_mentee.post(f"/engagements/{engagement.pk}/feedback", {"rating": 4})
    assert again.status_code == 409 and again.json()["code"] == "feedback_given"
    thanks = as_mentee.post(f"/engagements/{engagement.pk}/thanks", {"body": "Thank you!"})
    assert thanks.status_code == 201

    detail = as_mentor.get(f"/engagements/{engagement.pk}").json()
    assert detail["thanks"]["body"] == "Thank you!"
    assert [f["rating"] for f in detail["feedback"]] == [5]
    assert [r["title"] for r in detail["resources"]] == ["Levels"]
    mine = as_mentor.get("/engagements").json()
    assert [x["id"] for x in mine["items"]] == [engagement.pk]


def test_contact_is_shown_only_when_both_share(api, program, mentee, mentor):
    as_mentee, as_mentor = api(mentee), api(mentor)
    ask_id = as_mentee.post("/asks", ASK).json()["id"]
    inv = as_mentee.post(f"/asks/{ask_id}/invitations", {"mentor": mentor.pk}).json()["id"]
    eid = as_mentor.post(f"/invitations/{inv}/accept").json()["id"]

    one = as_mentee.post(f"/engagements/{eid}/contact", {"share": True}).json()
    assert one["contact"] == {"me": True, "other": False}
    assert one["mentor"]["email"] is None and one["mentee"]["email"] is None
    assert as_mentor.get(f"/engagements/{eid}").json()["mentee"]["email"] is None

    both = as_mentor.post(f"/engagements/{eid}/contact", {"share": True}).json()
    assert both["contact"] == {"me": True, "other": True}
    assert both["mentee"]["email"] == mentee.email
    assert as_mentee.get(f"/engagements/{eid}").json()["mentor"]["email"] == mentor.email

    as_mentee.post(f"/engagements/{eid}/contact", {"share": False})
    assert as_mentor.get(f"/engagements/{eid}").json()["mentee"]["email"] is None


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"topics": ["no-such-topic"]}, "topics", "unknown_topic"),
        ({"duration": 25}, "duration", "invalid_duration"),
        ({"duration": 60}, "duration", "invalid_duration"),  # not offered by this program
        ({"by": "2000-01-01"}, "by", "invalid_date"),
        ({"format": "carrier_pigeon"}, "format", "invalid"),
        ({"sessions": 4}, "sessions", "invalid_sessions"),
        ({"question": "help"}, "question", "question_too_short"),
        ({"by": "next tuesday"}, "by", "invalid"),
    ],
    ids=[
        "unknown-topic",
        "bad-duration",
        "length-not-offered",
        "past-date",
        "bad-format",
        "too-many-sessions",
        "short-question",
        "unparsable-date",
    ],
)
def test_ask_validation_is_422_naming_the_field(api, program, mentee, change, field, code):
    response = api(mentee).post("/asks", {**ASK, **change})
    assert response.status_code == 422, response.json()
    body = response.json()
    assert body["code"] == code
    assert [e["field"] for e in body["errors"]] == [field]
    assert not Ask.objects.exists()


def test_draft_patch_submit_board_offer(api, program, mentee, mentor):
    as_mentee = api(mentee)
    draft = as_mentee.post("/asks", {**ASK, "draft": True}).json()
    assert draft["status"] == "draft"
    patched = as_mentee.patch(f"/asks/{draft['id']}", {"duration": 45, "topics": ["sql"]})
    assert patched.status_code == 200
    assert (patched.json()["duration"], patched.json()["topics"]) == (45, ["sql"])
    bad = as_mentee.patch(f"/asks/{draft['id']}", {"duration": 20})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "duration"
    assert Ask.objects.get().duration == 45
    # the mentor cannot see a draft that nobody offered them
    assert api(mentor).get(f"/asks/{draft['id']}").status_code == 404
    assert as_mentee.post(f"/asks/{draft['id']}/submit").json()["status"] == "open"
    assert as_mentee.post(f"/asks/{draft['id']}/submit").status_code == 409
    assert as_mentee.post(f"/asks/{draft['id']}/board").json()["route"] == "board"
    board = api(mentor).get("/board").json()
    assert [a["id"] for a in board["items"]] == [draft["id"]]
    offer = api(mentor).post(f"/asks/{draft['id']}/offer")
    assert offer.status_code == 201, offer.json()
    assert Engagement.objects.get().mentor == mentor
    assert Ask.objects.get().status == "engaged"
    assert api(mentor).post(f"/asks/{draft['id']}/offer").status_code in (404, 409)


def test_unboard_and_withdraw(api, program, mentee, mentor):
    make_mentor(program, topics={"negotiating-an-offer": "expert"})
    as_mentee = api(mentee)
    ask_id = as_mentee.post("/asks", ASK).json()["id"]
    assert as_mentee.post(f"/asks/{ask_id}/unboard").status_code == 409
    as_mentee.post(f"/asks/{ask_id}/board")
    assert as_mentee.post(f"/asks/{ask_id}/unboard").json()["route"] == "invite"
    as_mentee.post(f"/asks/{ask_id}/invitations", {"mentor": mentor.pk})
    assert as_mentee.post(f"/asks/{ask_id}/board").status_code == 409
    withdrawn = as_mentee.post(f"/asks/{ask_id}/withdraw")
    assert withdrawn.json()["status"] == "withdrawn"
    assert Invitation.objects.get().status == "withdrawn"


def test_patch_sets_and_clears_the_by_date(api, program, mentee):
    as_mentee = api(mentee)
    ask_id = as_mentee.post("/asks", ASK).json()["id"]
    by = (timezone.localdate() + timedelta(days=3)).isoformat()
    set_ = as_mentee.patch(f"/asks/{ask_id}", {"by": by})
    assert set_.status_code == 200, set_.json()
    assert set_.json()["by"] == by and Ask.objects.get().by.isoformat() == by
    past = as_mentee.patch(f"/asks/{ask_id}", {"by": "2001-01-01"})
    assert past.status_code == 422 and past.json()["errors"][0]["field"] == "by"
    cleared = as_mentee.patch(f"/asks/{ask_id}", {"by": None})
    assert cleared.status_code == 200 and cleared.json()["by"] is None
    assert Ask.objects.get().by is None

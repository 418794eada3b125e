"""After the event and conference buddies over /api/v1: the same rules as the pages, the
one error shape, and 404 for anything of another program or not one's own."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pairup.asks.models import Ask
from pairup.events.buddies.services import conference_end
from pairup.events.models import BuddyThread

from .test_buddies import buddy_event, people

pytestmark = pytest.mark.django_db


def test_the_people_met_with_rating_and_stay_in_touch(api, speed, mentee, mentor) -> None:
    sam, priya = api(mentee), api(mentor)
    seat = speed.seat(0, speed.mentor).pk
    base = f"/events/{speed.event.slug}/met"
    listed = sam.get(base).json()
    assert [(m["round"], m["person"]["name"]) for m in listed] == [
        (1, "Priya Mentor"),
        (2, "Mo Mentor-to-be"),
    ]
    assert listed[0]["follow_up"]["possible"] is True
    assert listed[1]["follow_up"] == {
        "ask_id": None,
        "ask_status": None,
        "engagement_id": None,
        "possible": False,
        "refusal": "not a mentor of this program",
    }
    assert sam.put(f"{base}/{seat}/rating", {"rating": 4}).json() == {"seat_id": seat, "rating": 4}
    bad = sam.put(f"{base}/{seat}/rating", {"rating": 9})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "rating"
    kim = api(speed.mentee2.user)
    assert kim.put(f"{base}/{seat}/rating", {"rating": 1}).status_code == 404
    one = sam.put(f"{base}/{seat}/stay-in-touch", {"yes": True}).json()
    assert one == {"mine": True, "mutual": False, "contact": None}
    assert priya.get(base).json()[0]["stay_in_touch"]["contact"] is None
    both = priya.put(f"{base}/{seat}/stay-in-touch", {"yes": True}).json()
    assert both["mutual"] is True and both["contact"]["email"] == mentee.email
    taken_back = sam.put(f"{base}/{seat}/stay-in-touch", {"yes": False})
    assert taken_back.status_code == 409 and taken_back.json()["code"] == "already_mutual"


def test_a_follow_up_and_its_refusal(api, speed, mentee, mentor) -> None:
    sam = api(mentee)
    base = f"/events/{speed.event.slug}/met"
    refused = sam.post(f"{base}/{speed.seat(1, speed.mentor2).pk}/follow-up", {})
    assert refused.status_code == 422
    assert refused.json()["code"] == "mentor_not_eligible"
    assert refused.json()["errors"] == [{"field": "invited", "message": refused.json()["detail"]}]
    made = sam.post(
        f"{base}/{speed.seat(0, speed.mentor).pk}/follow-up", {"format": "chat", "duration": 45}
    )
    assert made.status_code == 201, made.json()
    ask = Ask.objects.get()
    assert made.json()["ask_id"] == ask.pk and made.json()["invited"] == "Priya Mentor"
    assert (ask.format, ask.duration) == ("chat", 45)
    assert (
        api(mentor).post(f"{base}/{speed.seat(0, speed.mentor).pk}/follow-up", {}).json()["code"]
        == "not_a_mentee"
    )


def test_the_summary_is_for_organisers(api, speed, admin, mentee, outsider) -> None:
    url = f"/events/{speed.event.slug}/summary"
    figures = api(admin).get(url).json()
    assert figures["meetings_held"] == 4 and figures["ratings"] == dict.fromkeys("12345", 0)
    assert api(mentee).get(url).status_code == 404
    assert api(outsider).get(url).status_code == 404
    assert api(outsider).get(f"/events/{speed.event.slug}/met").status_code == 404


def test_buddies_preview_publish_and_thread(
    api, program, admin, mentee, outsider, conference_dates, time_machine
) -> None:
    event = buddy_event(program, conference_dates)
    found = people(program, event, 2, 3)
    org = api(admin)
    base = f"/events/{event.slug}/buddies"
    assert org.get(base).json() == {"draft": None, "published": None}
    draft = org.post(base)
    assert draft.status_code == 201
    assert (draft.json()["pairs"], draft.json()["trios"]) == (1, 1)
    assert api(mentee).post(base).status_code == 404  # not an organiser: nothing to see
    published = org.post(f"{base}/publish").json()
    assert published["state"] == "published" and len(published["groups"]) == 2
    member = found["mentees"][0].user
    mine = api(member).get(f"{base}/mine").json()
    (thread,) = mine
    assert thread["open"] is True and any(m["me"] for m in thread["members"])
    messages = f"{base}/threads/{thread['id']}/messages"
    assert api(member).get(messages).json()["items"][0]["kind"] == "intro"
    sent = api(member).post(messages, {"body": "Hello buddies"})
    assert sent.status_code == 201 and sent.json()["mine"] is True
    stranger = next(
        r.user
        for r in found["mentees"]
        if not BuddyThread.objects.filter(pk=thread["id"], members=r.user).exists()
    )
    for person in (stranger, admin, outsider):
        assert api(person).get(messages).status_code == 404
        assert api(person).post(messages, {"body": "hi"}).status_code == 404
    time_machine.move_to(conference_end(event) + timedelta(minutes=1))
    late = api(member).post(messages, {"body": "Still there?"})
    assert late.status_code == 409 and late.json()["code"] == "thread_closed"
    thanks = api(member).post(f"{base}/threads/{thread['id']}/thanks", {"body": "Thank you!"})
    assert thanks.status_code == 201 and thanks.json()["kind"] == "thanks"
    assert api(member).get(f"{base}/mine").json()[0]["can_thank"] is False

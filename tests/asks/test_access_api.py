"""Who sees what through /api/v1: admins see engagement states and ratings but never a
thread; outsiders (another program) and mentors who were never invited get 404 for every
ask, invitation and engagement endpoint, and their lists stay empty."""

from __future__ import annotations

import pytest

from pairup.asks import services
from pairup.asks.models import Ask, Engagement, Feedback, Message
from tests.factories import make_mentor

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(program, mentee, mentor):
    """A completed engagement (with a thread, a resource, private and shared feedback and a
    thank-you), plus a second ask of the mentee waiting on the mentor."""
    ask = services.ask_create(
        program=program,
        mentee=mentee,
        topics=["negotiating-an-offer"],
        question="How do I negotiate a data science offer with equity?",
    )
    invitation = services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    engagement = services.invitation_accept(invitation=invitation, by=mentor)
    message = services.message_post(
        engagement=engagement, by=mentee, body="My secret salary is 90k"
    )
    services.resource_add(
        engagement=engagement, by=mentor, title="Guide", url="https://example.org/g"
    )
    services.engagement_close(engagement=engagement, by=mentor)
    services.feedback_give(
        engagement=engagement, by=mentee, rating=4, applied="Counter at 100k", shared=False
    )
    services.feedback_give(engagement=engagement, by=mentor, notes="Well prepared", shared=True)
    services.thanks_send(engagement=engagement, by=mentee, body="Thanks a lot")
    waiting = services.ask_create(
        program=program,
        mentee=mentee,
        topics=["sql"],
        question="How do I write a window function in SQL?",
    )
    pending = services.invitation_create(ask=waiting, mentor_id=mentor.pk, by=mentee)
    return {
        "ask": ask,
        "invitation": invitation,
        "engagement": engagement,
        "message": message,
        "waiting": waiting,
        "pending": pending,
    }


def _reads(world) -> list[str]:
    e, i, p = world["engagement"].pk, world["invitation"].pk, world["pending"].pk
    a, w = world["ask"].pk, world["waiting"].pk
    return [
        f"/asks/{a}",
        f"/asks/{w}",
        f"/asks/{w}/suggestions",
        f"/invitations/{i}",
        f"/invitations/{p}",
        f"/engagements/{e}",
        f"/engagements/{e}/messages",
    ]


def _writes(world) -> list[tuple[str, dict]]:
    e, p, w = world["engagement"].pk, world["pending"].pk, world["waiting"].pk
    m = world["message"].pk
    return [
        (f"/asks/{w}/withdraw", {}),
        (f"/asks/{w}/board", {}),
        (f"/asks/{w}/offer", {}),
        (f"/asks/{w}/invitations", {"mentor": 1}),
        (f"/invitations/{p}/accept", {}),
        (f"/invitations/{p}/decline", {"reason": "no_time"}),
        (f"/invitations/{p}/clarify", {"body": "?"}),
        (f"/invitations/{p}/withdraw", {}),
        (f"/engagements/{e}/messages", {"body": "hi"}),
        (f"/engagements/{e}/resources", {"title": "x", "url": "https://example.org"}),
        (f"/engagements/{e}/close", {}),
        (f"/engagements/{e}/feedback", {"rating": 1}),
        (f"/engagements/{e}/thanks", {"body": "x"}),
        (f"/engagements/{e}/contact", {"share": True}),
        (f"/engagements/{e}/report", {"reason": "x", "messages": [m]}),
        (f"/engagements/{e}/block", {}),
    ]


@pytest.mark.parametrize("who", ["outsider", "admin", "peer"])
def test_non_participants_get_404_everywhere(api, program, world, who, admin, outsider):
    person = {
        "outsider": outsider,
        "admin": admin,
        "peer": make_mentor(program, topics={"sql": "expert"}, display_name="Peer"),
    }[who]
    client = api(person)
    for path in _reads(world):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"
        assert "secret" not in response.content.decode()
    for path, body in _writes(world):
        response = client.post(path, body)
        assert response.status_code == 404, (path, response.json())
    assert client.patch(f"/asks/{world['waiting'].pk}", {"question": "x" * 20}).status_code == 404
    for path in ("/asks", "/invitations", "/engagements", "/board"):
        assert client.get(path).json()["count"] == 0, path
    # Nothing changed.
    assert Message.objects.count() == 1
    assert Ask.objects.get(pk=world["waiting"].pk).status == "open"
    assert Engagement.objects.get().status == "completed"


def test_admin_sees_states_and_ratings_not_messages(api, program, world, mentee, mentor, admin):
    response = api(admin).get("/programs/acme/engagements")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert item["id"] == world["engagement"].pk
    assert item["status"] == "completed"
    assert item["mentee"] == {"id": mentee.pk, "display_name": "Sam Mentee"}
    assert item["mentor"] == {"id": mentor.pk, "display_name": "Priya Mentor"}
    assert item["thanked"] is True
    # Feedback private to admins is there for the admin, with the rating.
    assert [(f["role"], f["rating"], f["shared"]) for f in item["feedback"]] == [
        ("mentee", 4, False),
        ("mentor", None, True),
    ]
    text = response.content.decode()
    assert "secret salary" not in text and "Guide" not in text
    assert "mentee@example.org" not in text and mentor.email not in text
    # The thread and the engagement page stay closed to the admin.
    e = world["engagement"].pk
    assert api(admin).get(f"/engagements/{e}/messages").status_code == 404
    assert api(admin).get(f"/engagements/{e}").status_code == 404
    # Filter by state.
    assert api(admin).get("/programs/acme/engagements", status="active").json()["count"] == 0


@pytest.mark.parametrize("who", ["mentee", "mentor", "outsider"])
def test_only_admins_of_that_program_see_its_engagements(api, world, who, mentee, mentor, outsider):
    person = {"mentee": mentee, "mentor": mentor, "outsider": outsider}[who]
    response = api(person).get("/programs/acme/engagements")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_outsiders_admin_role_elsewhere_gives_nothing_here(api, world, outsider):
    # The outsider is an admin of their own program: that sees nothing of acme's.
    assert api(outsider).get("/programs/globex/engagements").json()["count"] == 0


def test_participants_see_only_shared_feedback_of_the_other(api, world, mentee, mentor):
    e = world["engagement"].pk
    as_mentor = api(mentor).get(f"/engagements/{e}").json()
    assert [f["role"] for f in as_mentor["feedback"]] == ["mentor"]  # mentee's is private
    as_mentee = api(mentee).get(f"/engagements/{e}").json()
    assert [f["role"] for f in as_mentee["feedback"]] == ["mentee", "mentor"]
    assert Feedback.objects.count() == 2


def test_invited_mentor_sees_the_ask_but_not_the_mentees_other_invitations(
    api, program, world, mentor
):
    body = api(mentor).get(f"/asks/{world['waiting'].pk}").json()
    assert body["invitation"] is None  # only the mentee sees whom the ask waits on
    assert "mentee@example.org" not in str(body)
    assert api(mentor).get(f"/asks/{world['waiting'].pk}/suggestions").status_code == 404
    assert api(mentor).get("/asks").json()["count"] == 0  # "mine" = asks I wrote


def test_anonymous_gets_401(api, world):
    response = api().get(f"/engagements/{world['engagement'].pk}")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_report_makes_only_chosen_messages_visible_and_block_stops_messages(
    api, program, mentee, mentor, admin
):
    ask = services.ask_create(
        program=program,
        mentee=mentee,
        topics=["negotiating-an-offer"],
        question="How do I negotiate a data science offer with equity?",
    )
    invitation = services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    e = services.invitation_accept(invitation=invitation, by=mentor).pk
    first = api(mentor).post(f"/engagements/{e}/messages", {"body": "Rude message"}).json()
    api(mentor).post(f"/engagements/{e}/messages", {"body": "Another one"})
    report = api(mentee).post(
        f"/engagements/{e}/report", {"reason": "Rude", "messages": [first["id"]]}
    )
    assert report.status_code == 201 and report.json()["messages"] == [first["id"]]
    foreign = api(mentee).post(f"/engagements/{e}/report", {"reason": "x", "messages": [999999]})
    assert foreign.status_code == 422 and foreign.json()["errors"][0]["field"] == "messages"
    assert api(mentee).post(f"/engagements/{e}/block").json() == {"blocked": mentor.pk}
    refused = api(mentor).post(f"/engagements/{e}/messages", {"body": "Hello?"})
    assert refused.status_code == 409 and refused.json()["code"] == "blocked"
    assert Message.objects.count() == 2

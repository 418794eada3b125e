"""The mentor directory (web page /p/<slug>/mentors/ and GET /api/v1/programs/{slug}/mentors):
search ranked by the engine's relevance, filters, pages, the cards' next free time and
invite action, and turning a search that finds nobody into an ask."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
import time_machine

from pairup.asks import services
from pairup.asks.models import Invitation
from pairup.availability.services import availability_set
from pairup.programs.models import Membership, MentorStatus
from tests.factories import UserFactory, make_mentor

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday
PLAIN_QUESTION = "how do I negotiate a job offer"


def _names(response) -> list[str]:
    return [m["display_name"] for m in response.json()["items"]]


def _past_engagement(program, mentor, question: str) -> None:
    """A completed engagement: the mentor's history, which the search reads like suggestions."""
    asker = UserFactory(profile_fields={"display_name": "Past Mentee"})
    Membership.objects.create(program=program, user=asker, is_mentee=True)
    ask = services.ask_create(
        program=program, mentee=asker, topics=["data-analysis"], question=question
    )
    invitation = services.invitation_create(ask=ask, mentor_id=mentor.pk, by=asker)
    engagement = services.invitation_accept(invitation=invitation, by=mentor)
    services.engagement_close(engagement=engagement, by=mentor)


@pytest.fixture
def demo_like(program, mentor):
    """Mentors like the demo's: a talent lead who knows offers, a data scientist who has
    helped with salary negotiations, and mentors whose bios only share 'job' with the
    question. `mentor` (Priya) knows negotiating an offer."""
    talent = make_mentor(
        program,
        topics={"negotiating-an-offer": "expert", "job-applications": "experienced"},
        display_name="Paula Talent",
        headline="Talent acquisition lead · Bengaluru",
        bio="I have been on the other side of hundreds of offers and know what is "
        "negotiable. 12 years in the job. Ask me about negotiating an offer.",
        site="Bengaluru",
    )
    analyst = make_mentor(
        program,
        topics={"data-analysis": "expert"},
        display_name="Dana Analyst",
        headline="Data scientist · London",
        bio="I build pricing models. 8 years in the job.",
        site="London",
    )
    _past_engagement(program, analyst, "How do I negotiate salary and equity in an offer?")
    speaker = make_mentor(
        program,
        topics={"public-speaking": "expert"},
        display_name="Sol Speaker",
        headline="Sales director · New York",
        bio="I lead a team of twelve. 15 years in the job.",
        site="New York",
    )
    teacher = make_mentor(
        program,
        topics={"giving-feedback": "experienced"},
        display_name="Tess Teacher",
        headline="Teacher and SEL coach",
        bio="Fifteen years in classrooms. 20 years in the job.",
    )
    return {"talent": talent, "analyst": analyst, "speaker": speaker, "teacher": teacher}


# ------------------------------------------------------------------------ the search


def test_a_plain_question_finds_the_negotiation_mentors_best_first(api, mentee, demo_like):
    client = api(mentee)
    url = "/programs/acme/mentors"
    # Best first: the analyst has helped with this very question (a past ask is the
    # engine's best evidence, as in suggestions); the talent lead's bio and topics are all
    # about offers; Priya only lists the topic. Bios that share only "job" are left out.
    assert _names(client.get(url, q=PLAIN_QUESTION)) == [
        "Dana Analyst",
        "Paula Talent",
        "Priya Mentor",
    ]
    # Every form of the word, and what the topic covers ("Salary, equity, start date, terms").
    for q in ("negotiate", "negotiation", "negotiating", "Negotiations"):
        assert set(_names(client.get(url, q=q))) == {
            "Paula Talent",
            "Priya Mentor",
            "Dana Analyst",
        }, q
    assert set(_names(client.get(url, q="salary"))) == {
        "Paula Talent",
        "Priya Mentor",
        "Dana Analyst",
    }
    # A word still being typed, and a name.
    assert set(_names(client.get(url, q="negot"))) == {
        "Paula Talent",
        "Priya Mentor",
        "Dana Analyst",
    }
    assert _names(client.get(url, q="priya")) == ["Priya Mentor"]


def test_the_web_page_ranks_as_the_api_does(client, mentee, demo_like):
    client.force_login(mentee)
    body = client.get("/p/acme/mentors/", {"q": PLAIN_QUESTION}).content.decode()
    assert "3 mentors, best match first" in body
    first, second, third = (body.index(n) for n in ("Dana Analyst", "Paula Talent", "Priya Mentor"))
    assert first < second < third
    assert "Sol Speaker" not in body and "Tess Teacher" not in body


def test_a_word_everyone_has_still_lists_everyone_alone(api, mentee, mentor, demo_like):
    names = _names(api(mentee).get("/programs/acme/mentors", q="job"))
    assert len(names) == 4 and names[0] == "Paula Talent"  # "job applications" too


def test_filters_still_apply_to_a_search(api, mentee, mentor, demo_like):
    client = api(mentee)
    url = "/programs/acme/mentors"
    assert _names(client.get(url, q="negotiate", site="london")) == ["Dana Analyst", "Priya Mentor"]
    assert _names(client.get(url, q="negotiate", topic="negotiating-an-offer")) == [
        "Paula Talent",
        "Priya Mentor",
    ]
    assert _names(client.get(url, q="negotiate", topic="career")) == [
        "Paula Talent",
        "Priya Mentor",
    ]  # a parent topic
    assert _names(client.get(url, q="negotiate", language="fr")) == ["Priya Mentor"]
    assert _names(client.get(url, q="negotiate", site="new york")) == []


def test_without_words_the_list_is_alphabetical(api, mentee, mentor, demo_like):
    assert _names(api(mentee).get("/programs/acme/mentors")) == [
        "Dana Analyst",
        "Paula Talent",
        "Priya Mentor",
        "Sol Speaker",
        "Tess Teacher",
    ]


def test_a_search_leaves_out_mentors_not_approved(api, program, mentee, mentor):
    pending = make_mentor(
        program, topics={"negotiating-an-offer": "expert"}, display_name="Pending Pat"
    )
    Membership.objects.filter(user=pending).update(mentor_status=MentorStatus.PENDING)
    assert _names(api(mentee).get("/programs/acme/mentors", q="negotiate")) == ["Priya Mentor"]


def test_a_search_keeps_its_order_across_pages(api, program, mentee):
    for i in range(25):
        strong = "Negotiation coach: salary negotiation, negotiation of offers."
        weak = "Many roles over a long career; I once took a negotiation course, among others."
        make_mentor(program, display_name=f"Mentor {i:02d}", bio=strong if i % 5 == 4 else weak)
    client = api(mentee)
    first = client.get("/programs/acme/mentors", q="negotiation").json()
    second = client.get("/programs/acme/mentors", q="negotiation", page=2).json()
    assert (first["count"], first["pages"], len(first["items"]), len(second["items"])) == (
        25,
        2,
        20,
        5,
    )
    ids = [m["id"] for m in first["items"] + second["items"]]
    assert len(set(ids)) == 25
    # The five coaches come first.
    assert {m["display_name"][-2:] for m in first["items"][:5]} == {"04", "09", "14", "19", "24"}


# ----------------------------------------------------------------- the API's promises


def test_directory_lists_only_approved_mentors_in_the_same_shape(api, program, mentee, mentor):
    pending = make_mentor(program, display_name="Pending Pat")
    Membership.objects.filter(user=pending).update(mentor_status=MentorStatus.PENDING)
    for q in ("", "negotiating"):
        body = api(mentee).get("/programs/acme/mentors", q=q).json()
        assert body == {
            "items": [
                {
                    "id": mentor.pk,
                    "display_name": "Priya Mentor",
                    "headline": "Data scientist",
                    "bio": "",
                    "site": "London",
                    "timezone": mentor.profile.timezone,
                    "languages": ["en", "fr"],
                    "expertise": [
                        {
                            "topic": "negotiating-an-offer",
                            "name": "Negotiating an offer",
                            "level": "expert",
                        },
                        {"topic": "sql", "name": "SQL", "level": "experienced"},
                    ],
                }
            ],
            "count": 1,
            "page": 1,
            "pages": 1,
        }, q


def test_directory_filters_by_text_topic_site_and_language(api, program, mentee, mentor):
    make_mentor(
        program,
        topics={"public-speaking": "expert"},
        display_name="Ravi Speaker",
        site="New York",
        languages=["es"],
        bio="I coach keynote talks",
    )
    client = api(mentee)
    url = f"/programs/{program.slug}/mentors"
    assert _names(client.get(url, q="keynote")) == ["Ravi Speaker"]
    assert _names(client.get(url, q="negotiating")) == ["Priya Mentor"]
    assert _names(client.get(url, topic="sql")) == ["Priya Mentor"]
    assert _names(client.get(url, topic="soft-skills")) == ["Ravi Speaker"]  # parent topic
    assert _names(client.get(url, site="new york")) == ["Ravi Speaker"]
    assert _names(client.get(url, language="fr")) == ["Priya Mentor"]
    assert _names(client.get(url, language="es", q="ravi")) == ["Ravi Speaker"]


def test_directory_unknown_topic_is_422(api, program, mentee):
    response = api(mentee).get(f"/programs/{program.slug}/mentors", topic="alchemy")
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "topic", "message": "Unknown topic 'alchemy'."}]


def test_directory_page_past_the_end_is_404_naming_page(api, program, mentee, mentor):
    for q in ("", "negotiating"):
        response = api(mentee).get(f"/programs/{program.slug}/mentors", q=q, page=5)
        assert response.status_code == 404
        body = response.json()
        assert body["code"] == "page_out_of_range"
        assert body["errors"][0]["field"] == "page"


def test_directory_paginates(api, program, mentee):
    for i in range(25):
        make_mentor(program, display_name=f"Mentor {i:02d}")
    client = api(mentee)
    first = client.get(f"/programs/{program.slug}/mentors").json()
    second = client.get(f"/programs/{program.slug}/mentors", page=2).json()
    assert (first["count"], first["pages"], len(first["items"]), len(second["items"])) == (
        25,
        2,
        20,
        5,
    )
    assert first["items"][0]["display_name"] == "Mentor 00"
    assert second["items"][-1]["display_name"] == "Mentor 24"


def test_outsider_gets_404_for_another_programs_directory(api, client, program, outsider, mentor):
    response = api(outsider).get(f"/programs/{program.slug}/mentors", q="negotiate")
    assert response.status_code == 404
    assert "Priya" not in response.content.decode()
    client.force_login(outsider)
    assert client.get(f"/p/{program.slug}/mentors/", {"q": "negotiate"}).status_code == 404


def test_the_endpoint_keeps_its_name_in_the_schema(api, mentee):
    schema = api(mentee).get("/openapi.json").json()
    operation = schema["paths"]["/api/v1/programs/{slug}/mentors"]["get"]
    assert (operation["operationId"], operation["tags"]) == (
        "pairup_programs_api_mentor_list",
        ["programs"],
    )


# ------------------------------------------------------- nobody found: ask it instead


def test_a_search_that_finds_nobody_offers_to_ask_it_as_a_question(client, mentee, mentor):
    client.force_login(mentee)
    body = client.get("/p/acme/mentors/", {"q": "kubernetes on a budget?"}).content.decode()
    assert "No mentor matches “kubernetes on a budget?”" in body
    assert 'href="/p/acme/asks/new/?question=kubernetes%20on%20a%20budget%3F"' in body
    assert "Ask this as a question" in body
    form = client.get("/p/acme/asks/new/", {"question": "kubernetes on a budget?"})
    assert form.context["form"]["question"].value() == "kubernetes on a budget?"
    assert "kubernetes on a budget?</textarea>" in form.content.decode()


def test_the_ask_link_is_only_for_those_who_may_ask(client, program, mentor):
    only_mentor = make_mentor(program, display_name="Only Mentor")
    client.force_login(only_mentor)
    body = client.get("/p/acme/mentors/", {"q": "kubernetes"}).content.decode()
    assert "No mentor matches" in body and "Ask this as a question" not in body
    client.force_login(mentor)
    body = client.get("/p/acme/mentors/").content.decode()  # no words: nothing to ask
    assert "Ask this as a question" not in body


def test_the_ask_form_ignores_a_question_it_could_not_store(client, mentee):
    client.force_login(mentee)
    form = client.get("/p/acme/asks/new/", {"question": "bad\x00words"})
    assert form.context["form"]["question"].value() in ("", None)


# -------------------------------------------------------- cards: time and invitation


def test_cards_show_the_next_free_time_in_the_viewers_zone(client, program, mentee, mentor):
    mentee.profile.timezone = "America/New_York"
    mentee.profile.save()
    availability_set(
        user=mentor,
        timezone_name="Europe/London",
        weekly=[(d, time(9), time(17)) for d in range(5)],
    )
    make_mentor(program, display_name="Una Unknown")
    client.force_login(mentee)
    with time_machine.travel(NOW, tick=False):
        body = client.get("/p/acme/mentors/").content.decode()
    # Monday 08:00 UTC with 12 hours' notice: Tuesday 09:00 London is 04:00 in New York,
    # before the mentee's day starts at 08:00 (13:00 London).
    assert 'Next free: <time datetime="2026-03-03T08:00:00-05:00">Tue 08:00</time>' in body
    card = body[body.index("Una Unknown") :]
    assert "Next free" not in card[: card.index("</li>")]


def test_cards_say_when_a_mentor_has_no_time_or_room(client, program, mentee, mentor):
    availability_set(user=mentor, timezone_name="Europe/London", weekly=[(0, time(9), time(10))])
    busy = make_mentor(program, display_name="Busy Ben")
    availability_set(
        user=busy, timezone_name="Europe/London", weekly=[(0, time(9), time(17))], weekly_cap=0
    )
    client.force_login(mentee)
    with time_machine.travel(NOW, tick=False):
        body = client.get("/p/acme/mentors/").content.decode()
    assert "Next free: <time" in body  # Priya: next Monday, with its date
    assert ">Mon 9 Mar, 09:00</time>" in body
    assert "No room under their caps right now" in body  # Ben


def _open_ask(program, mentee):
    return services.ask_create(
        program=program,
        mentee=mentee,
        topics=["negotiating-an-offer"],
        question="How do I negotiate equity in my first offer?",
    )


def test_no_invite_action_without_an_open_ask(client, program, mentee, mentor):
    client.force_login(mentee)
    body = client.get("/p/acme/mentors/").content.decode()
    assert "Invite to my ask" not in body
    draft = services.ask_create(
        program=program,
        mentee=mentee,
        topics=["negotiating-an-offer"],
        question="A draft, not yet open",
        submit=False,
    )
    assert draft.status == "draft"
    assert "Invite to my ask" not in client.get("/p/acme/mentors/").content.decode()


def test_an_open_ask_offers_inviting_each_mentor_to_it(client, program, mentee, mentor):
    ask = _open_ask(program, mentee)
    client.force_login(mentee)
    body = client.get("/p/acme/mentors/").content.decode()
    assert f'action="/asks/{ask.pk}/invite/"' in body
    assert f'name="mentor" value="{mentor.pk}"' in body
    assert "Invite to my ask" in body
    response = client.post(f"/asks/{ask.pk}/invite/", {"mentor": mentor.pk}, follow=True)
    assert Invitation.objects.get(ask=ask).mentor == mentor
    assert "Invitation sent" in response.content.decode()
    # Now the ask waits on Priya: no button, a note saying why.
    body = client.get("/p/acme/mentors/").content.decode()
    assert "Invite to my ask" not in body
    assert "waits on Priya Mentor’s answer" in body


def test_inviting_from_the_directory_is_refused_as_on_the_ask_page(client, program, mentee, mentor):
    mentee.profile.languages = ["de"]
    mentee.profile.save()
    ask = _open_ask(program, mentee)
    client.force_login(mentee)
    assert f'name="mentor" value="{mentor.pk}"' in client.get("/p/acme/mentors/").content.decode()
    response = client.post(f"/asks/{ask.pk}/invite/", {"mentor": mentor.pk}, follow=True)
    assert not Invitation.objects.filter(ask=ask).exists()
    assert (
        "This mentor cannot take this ask: no language in common with the mentee."
        in response.content.decode()
    )


def test_the_invite_action_is_not_offered_on_ones_own_card(client, program, mentee):
    both = make_mentor(program, display_name="Mo Both")
    Membership.objects.filter(user=both).update(is_mentee=True)
    ask = _open_ask(program, both)
    other = make_mentor(program, display_name="Ann Other")
    client.force_login(both)
    body = client.get("/p/acme/mentors/").content.decode()
    assert f'name="mentor" value="{other.pk}"' in body
    assert f'name="mentor" value="{both.pk}"' not in body
    assert ask.pk


def test_a_profile_offers_inviting_to_the_open_ask(client, program, mentee, mentor):
    client.force_login(mentee)
    body = client.get(f"/p/acme/mentors/{mentor.pk}/").content.decode()
    assert "Write an ask" in body and "Invite to my open ask" not in body
    ask = _open_ask(program, mentee)
    body = client.get(f"/p/acme/mentors/{mentor.pk}/").content.decode()
    assert "Write an ask" in body and "Invite to my open ask" in body
    assert f'action="/asks/{ask.pk}/invite/"' in body
    client.post(f"/asks/{ask.pk}/invite/", {"mentor": mentor.pk})
    assert Invitation.objects.get(ask=ask).mentor == mentor


# ------------------------------------------------------------------------ query counts


def _crowd(program, count: int) -> None:
    for i in range(count):
        user = make_mentor(
            program,
            topics={"sql": "expert", "python": "familiar"},
            display_name=f"M{i}",
            bio="I help with SQL and negotiating",
        )
        availability_set(
            user=user,
            timezone_name="Europe/London",
            weekly=[(d, time(9), time(17)) for d in range(5)],
        )


@pytest.mark.parametrize("count", [1, 3])
@pytest.mark.parametrize("q", ["", "negotiating sql"])
def test_directory_page_query_count_does_not_grow(
    client, program, mentee, count, q, django_assert_num_queries
):
    _crowd(program, count)
    _open_ask(program, mentee)
    client.force_login(mentee)
    client.get("/p/acme/mentors/")  # warm the session
    # Sign-in (3), the program, the form's sites and topics, the page and its cards' topics
    # (3; with words 3 more to rank: the filtered mentors, their past asks, their topics'
    # words), free time and room (10), the viewer's open asks (2), the nav's unread count;
    # and for a mentee, whom the program pairs them with (4: the listed ids, the match
    # rules, managers, blocks).
    with django_assert_num_queries(30 if q else 27):
        response = client.get("/p/acme/mentors/", {"q": q})
    assert response.content.decode().count('class="card mentor"') == count


@pytest.mark.parametrize("count", [1, 3])
@pytest.mark.parametrize("q", ["", "negotiating sql"])
def test_directory_api_query_count_does_not_grow(
    api, program, mentee, count, q, django_assert_num_queries
):
    _crowd(program, count)
    client = api(mentee)
    # Whom the program pairs the mentee with: 4 of them (see the page's count above).
    with django_assert_num_queries(13 if q else 10):
        body = client.get("/programs/acme/mentors", q=q).json()
    assert body["count"] == count

"""An ask's topics: suggested from the question as the mentee types, chosen as chips, and
no longer required when the question names them clearly (web, API and service alike)."""

from __future__ import annotations

import re

import pytest

from pairup.asks import services
from pairup.asks.models import Ask
from pairup.core.errors import ServiceError
from pairup.programs.models import Membership
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CLEAR = "How do I negotiate a job offer salary with a startup?"
VAGUE = "Can you help me with my career, please?"


def topics_of(ask: Ask) -> list[str]:
    return [t.slug for t in ask.topics.all()]


def form_post(**overrides):
    data = {
        "question": CLEAR,
        "tried": "",
        "kind": "advice",
        "format": "video",
        "duration": "30",
        "sessions": "1",
        "by": "",
        "submit": "open",
    }
    data.update(overrides)
    return data


# ----------------------------------------------------------------------------- service


def test_an_ask_without_topics_takes_those_its_question_names(program, mentee):
    ask = services.ask_create(program=program, mentee=mentee, question=CLEAR)
    assert topics_of(ask) == ["negotiating-an-offer"]


def test_topics_given_are_kept_as_given(program, mentee):
    ask = services.ask_create(program=program, mentee=mentee, question=CLEAR, topics=["sql"])
    assert topics_of(ask) == ["sql"]


def test_a_vague_ask_without_topics_is_refused_naming_topics(program, mentee):
    with pytest.raises(ServiceError) as refused:
        services.ask_create(program=program, mentee=mentee, question=VAGUE, topics=[])
    assert (refused.value.field, refused.value.code) == ("topics", "no_topic")
    assert not Ask.objects.exists()


def test_an_edit_that_clears_the_topics_takes_those_of_the_new_question(program, mentee):
    ask = services.ask_create(program=program, mentee=mentee, question=CLEAR, topics=["sql"])
    services.ask_update(
        ask=ask, by=mentee, topics=[], question="I am nervous about presenting to the board"
    )
    assert topics_of(ask) == ["public-speaking"]
    services.ask_update(ask=ask, by=mentee, question=CLEAR)  # topics left out: kept
    assert topics_of(ask) == ["public-speaking"]


# ----------------------------------------------------------------------------- web


def test_the_ask_form_offers_topics_as_chips_with_suggestions(client, program, mentee):
    client.force_login(mentee)
    html = client.get(f"/p/{program.slug}/asks/new/").content.decode()
    assert "data-chips" in html and '<select name="topics"' not in html
    assert 'type="checkbox" name="topics" value="negotiating-an-offer"' in html
    # The suggestions refresh from the question as it is typed (htmx).
    assert f'hx-get="/p/{program.slug}/asks/new/topics/"' in html
    assert 'hx-trigger="input delay:400ms from:#id_question"' in html


def test_suggestions_for_the_words_typed_so_far(client, program, mentee):
    client.force_login(mentee)
    response = client.get(f"/p/{program.slug}/asks/new/topics/", {"question": CLEAR})
    html = response.content.decode()
    assert response.status_code == 200
    suggested = [
        line.split('data-add-topic="')[1].split('"')[0]
        for line in html.splitlines()
        if "data-add-topic" in line
    ]
    assert suggested[:2] == ["negotiating-an-offer", "negotiation"]
    assert "If you choose none, we take <strong>Negotiating an offer</strong>." in html
    vague = client.get(f"/p/{program.slug}/asks/new/topics/", {"question": VAGUE})
    assert "names no topic clearly yet: pick at least one" in vague.content.decode()


def test_suggestions_are_for_members_only(client, program, outsider):
    url = f"/p/{program.slug}/asks/new/topics/"
    assert client.get(url, {"question": CLEAR}).status_code == 302  # to sign in
    client.force_login(outsider)
    assert client.get(url, {"question": CLEAR}).status_code == 404


def test_without_javascript_the_form_names_the_suggestions(client, program, mentee):
    # "Ask this as a question" from the directory: the page itself lists the suggestions.
    client.force_login(mentee)
    html = client.get(f"/p/{program.slug}/asks/new/", {"question": CLEAR}).content.decode()
    assert '<p class="suggest-plain">Negotiating an offer · Negotiation' in html


def test_an_ask_written_without_topics_opens_with_the_inferred_ones(client, program, mentee):
    client.force_login(mentee)
    response = client.post(f"/p/{program.slug}/asks/new/", form_post())
    ask = Ask.objects.get()
    assert response["Location"] == f"/asks/{ask.pk}/"
    assert topics_of(ask) == ["negotiating-an-offer"]


def test_a_vague_ask_without_topics_says_so_beside_the_topics(client, program, mentee):
    client.force_login(mentee)
    response = client.post(f"/p/{program.slug}/asks/new/", form_post(question=VAGUE))
    html = response.content.decode()
    assert (
        '<p class="error" id="id_topics_error">Pick at least one topic: your question does not '
        "name one clearly enough for us to choose it.</p>"
    ) in html
    assert 'aria-describedby="id_topics_error id_topics_help"' in html
    assert not Ask.objects.exists()
    # Picking one is enough.
    client.post(f"/p/{program.slug}/asks/new/", form_post(question=VAGUE, topics=["career-goals"]))
    assert topics_of(Ask.objects.get()) == ["career-goals"]


def test_editing_an_ask_may_leave_the_topics_to_the_question(client, program, mentee):
    ask = services.ask_create(program=program, mentee=mentee, question=VAGUE, topics=["sql"])
    client.force_login(mentee)
    html = client.get(f"/asks/{ask.pk}/edit/").content.decode()
    assert re.findall(r'<input[^>]*name="topics" value="([^"]+)"[^>]*checked', html) == ["sql"]
    # Un-ticking every chip leaves the topics to the new question.
    question = "My SQL queries are slow, how do I speed them up?"
    response = client.post(f"/asks/{ask.pk}/edit/", form_post(question=question, submit="save"))
    assert response.status_code == 302
    assert topics_of(ask) == ["sql"] and Ask.objects.get().question == question


def test_the_first_ask_of_the_guide_may_leave_the_topics_to_the_question(client, program):
    newcomer = UserFactory(email="nina@example.org", profile_fields={"welcomed_at": None})
    Membership.objects.create(program=program, user=newcomer, is_mentee=True)
    client.force_login(newcomer)
    response = client.post("/welcome/ask/", {**form_post(), "program": program.slug})
    ask = Ask.objects.get(mentee=newcomer)
    assert response["Location"] == f"/asks/{ask.pk}/"
    assert topics_of(ask) == ["negotiating-an-offer"]


# ----------------------------------------------------------------------------- API


ASK = {"program": "acme", "question": CLEAR, "duration": 30}


def test_api_ask_without_topics_takes_those_its_question_names(api, program, mentee):
    response = api(mentee).post("/asks", ASK)
    assert response.status_code == 201, response.json()
    assert response.json()["topics"] == ["negotiating-an-offer"]
    also = api(mentee).post("/asks", {**ASK, "topics": None})
    assert also.status_code == 201 and also.json()["topics"] == ["negotiating-an-offer"]


def test_api_vague_ask_without_topics_is_422_naming_topics(api, program, mentee):
    response = api(mentee).post("/asks", {**ASK, "question": VAGUE, "topics": []})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "no_topic"
    assert [e["field"] for e in body["errors"]] == ["topics"]
    assert not Ask.objects.exists()


def test_api_patch_with_empty_topics_takes_those_of_the_question(api, program, mentee):
    created = api(mentee).post("/asks", {**ASK, "topics": ["sql"]}).json()
    patched = api(mentee).patch(f"/asks/{created['id']}", {"topics": []})
    assert patched.status_code == 200, patched.json()
    assert patched.json()["topics"] == ["negotiating-an-offer"]


def test_openapi_says_topics_are_optional(api):
    schema = api().get("/openapi.json").json()["components"]["schemas"]["AskIn"]
    assert "topics" not in schema["required"]
    assert schema["required"] == ["program", "question"]

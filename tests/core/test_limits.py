"""Limits on every list and text (issue 10), enforced in services so web, API and CLI agree."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from pairup.accounts.services import profile_update
from pairup.asks import services
from pairup.asks.services import ask_create
from pairup.availability.models import DateOverride, WeeklyWindow
from pairup.availability.services import availability_set
from pairup.core import limits
from pairup.core.errors import ServiceError
from tests.sessions.conftest import make_engagement

pytestmark = pytest.mark.django_db


def _refusal(call) -> tuple[str | None, str, str]:
    with pytest.raises(ServiceError) as exc:
        call()
    return exc.value.field, exc.value.code, exc.value.detail


def test_tags_count_and_length_are_limited_in_the_service_and_the_api(api, mentee):
    too_many = [f"tag{i}" for i in range(limits.TAGS_MAX + 1)]
    assert _refusal(lambda: profile_update(user=mentee, fields={"tags": too_many})) == (
        "tags",
        "too_many",
        "At most 20 items, please (this has 21).",
    )
    long_tag = "x" * (limits.TAG_MAX_LENGTH + 1)
    assert _refusal(lambda: profile_update(user=mentee, fields={"tags": [long_tag]})) == (
        "tags",
        "too_long",
        "At most 40 characters, please (this has 41).",
    )
    response = api(mentee).patch("/me/profile", {"tags": ["t"] * 10_000})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "tags",
            "message": "List should have at most 20 items after validation, not 10000",
        }
    ]
    assert api(mentee).patch("/me/profile", {"tags": ["x" * 1_000_000]}).status_code == 422
    mentee.profile.refresh_from_db()
    assert mentee.profile.tags == []


def test_profile_form_refuses_too_many_tags_beside_the_field(client, mentee):
    client.force_login(mentee)
    response = client.post(
        "/profile/",
        {
            "display_name": "Sam",
            "headline": "Works here",
            "timezone": "UTC",
            "tags": ", ".join(f"t{i}" for i in range(limits.TAGS_MAX + 1)),
            "expertise-TOTAL_FORMS": "0",
            "expertise-INITIAL_FORMS": "0",
        },
    )
    assert response.context["form"].errors == {"tags": ["At most 20 tags, please."]}


def test_languages_expertise_and_goals_are_limited(api, mentee):
    from django.conf.locale import LANG_INFO

    codes = [c for c, info in LANG_INFO.items() if "name" in info][: limits.LANGUAGES_MAX + 1]
    response = api(mentee).patch("/me/profile", {"languages": codes})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "languages"
    field, code, _ = _refusal(lambda: profile_update(user=mentee, fields={"languages": codes}))
    assert (field, code) == ("languages", "too_many")
    assert _refusal(lambda: profile_update(user=mentee, goals=["sql"] * 21)) == (
        "goals",
        "too_many",
        "At most 20 topics, please (this has 21).",
    )
    many = [("sql", "expert")] * (limits.EXPERTISE_MAX + 1)
    assert _refusal(lambda: profile_update(user=mentee, expertise=many))[:2] == (
        "expertise",
        "too_many",
    )


def test_unknown_topics_error_names_the_first_few_and_counts_the_rest(api, mentee):
    topics = [f"no-such-topic-{i}" for i in range(10_000)]
    response = api(mentee).patch("/me/profile", {"goals": topics[:20]})
    assert response.status_code == 422
    # Over the count limit: one short error, not 10,000 names.
    big = api(mentee).patch("/me/profile", {"goals": topics})
    assert big.status_code == 422
    assert len(big.content) < 1000
    # Under the count limit but in a service that lists unknown ones: the first ten, then a count.
    field, code, detail = _refusal(lambda: profile_update(user=mentee, goals=topics[:20]))
    assert (field, code) == ("goals", "unknown_topic")
    assert detail == ("Unknown topic: " + ", ".join(topics[:10]) + " and 10 more.")


def test_many_invalid_items_give_a_short_error_body(api, mentee):
    response = api(mentee).patch(
        "/me/profile", {"expertise": [{"topic": "sql", "level": "guru"}] * 25}
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert len(errors) == limits.ERROR_ITEMS_LISTED + 1
    assert errors[-1] == {"field": "body", "message": "and 15 more errors"}


def test_ask_topics_and_text_lengths_are_limited(api, program, mentee):
    topics = ["sql", "public-speaking", "negotiating-an-offer", "feedback", "email-writing", "x"]
    question = "How do I write a window function in SQL?"
    assert _refusal(
        lambda: ask_create(program=program, mentee=mentee, topics=topics, question=question)
    ) == ("topics", "too_many", "At most 5 topics, please (this has 6).")
    long_question = "Why " + "x" * limits.ASK_QUESTION_MAX_LENGTH
    assert _refusal(
        lambda: ask_create(program=program, mentee=mentee, topics=["sql"], question=long_question)
    )[:2] == ("question", "too_long")
    response = api(mentee).post(
        "/asks", {"program": "acme", "topics": ["sql"] * 6, "question": question}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "topics"


def test_message_length_is_refused_not_cut(program, mentee, mentor):
    engagement = make_engagement(program, mentee, mentor)
    body = "x" * (limits.MESSAGE_MAX_LENGTH + 1)
    assert _refusal(lambda: services.message_post(engagement=engagement, by=mentee, body=body)) == (
        "body",
        "too_long",
        "At most 5,000 characters, please (this has 5,001).",
    )


def test_weekly_windows_are_capped(mentor):
    windows = [(0, time(9), time(10))] * (limits.WEEKLY_WINDOWS_MAX + 1)
    assert _refusal(lambda: availability_set(user=mentor, timezone_name="UTC", weekly=windows)) == (
        "weekly",
        "too_many",
        "At most 70 weekly windows, please (this has 71).",
    )


def test_duplicated_and_overlapping_windows_are_stored_merged(mentor):
    availability_set(
        user=mentor,
        timezone_name="Europe/London",
        weekly=[(0, time(9), time(12))] * 40
        + [(0, time(11), time(13)), (0, time(13), time(14)), (0, time(16), time(17))]
        + [(1, time(22), time(0)), (1, time(20), time(23))],
        overrides=[(date(2026, 4, 1), time(9), time(11))] * 5
        + [(date(2026, 4, 1), time(10), time(12))],
    )
    assert list(
        WeeklyWindow.objects.filter(availability__user=mentor)
        .order_by("weekday", "start")
        .values_list("weekday", "start", "end")
    ) == [
        (0, time(9), time(14)),
        (0, time(16), time(17)),
        (1, time(20), time(0)),
    ]
    assert list(
        DateOverride.objects.filter(availability__user=mentor).values_list("date", "start", "end")
    ) == [(date(2026, 4, 1), time(9), time(12))]


def test_date_overrides_are_capped(mentor):
    start = date(2026, 4, 1)
    rows = [(start + timedelta(days=i), None, None) for i in range(limits.OVERRIDES_MAX + 1)]
    assert _refusal(
        lambda: availability_set(
            user=mentor, timezone_name="UTC", weekly=[(0, time(9), time(17))], overrides=rows
        )
    ) == ("overrides", "too_many", "At most 400 date overrides, please (this has 401).")


def test_availability_api_refuses_ten_thousand_windows(api, mentor):
    response = api(mentor).client.put(
        "/api/v1/me/availability",
        {"timezone": "UTC", "weekly": [{"weekday": 0, "start": "09:00", "end": "10:00"}] * 10_000},
        content_type="application/json",
        headers=api(mentor).headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "weekly", "message": "At most 70 weekly windows, please (this has 10,000)."}
    ]

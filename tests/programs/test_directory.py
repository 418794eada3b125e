from __future__ import annotations

import pytest

from pairup.programs.models import Membership, MentorStatus
from tests.factories import make_mentor

pytestmark = pytest.mark.django_db


def _names(response) -> list[str]:
    return [m["display_name"] for m in response.json()["items"]]


def test_directory_lists_only_approved_mentors(api, program, mentee, mentor):
    pending = make_mentor(program, display_name="Pending Pat")
    Membership.objects.filter(user=pending).update(mentor_status=MentorStatus.PENDING)
    body = api(mentee).get(f"/programs/{program.slug}/mentors").json()
    assert [m["display_name"] for m in body["items"]] == ["Priya Mentor"]
    assert body["items"][0]["expertise"] == [
        {"topic": "negotiating-an-offer", "name": "Negotiating an offer", "level": "expert"},
        {"topic": "sql", "name": "SQL", "level": "experienced"},
    ]
    assert (body["count"], body["page"], body["pages"]) == (1, 1, 1)


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
    response = api(mentee).get(f"/programs/{program.slug}/mentors", page=5)
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
    response = api(outsider).get(f"/programs/{program.slug}/mentors")
    assert response.status_code == 404
    assert "Priya" not in response.content.decode()
    client.force_login(outsider)
    assert client.get(f"/p/{program.slug}/mentors/").status_code == 404


def test_outsider_program_list_shows_only_their_program(api, outsider, program):
    body = api(outsider).get("/programs").json()
    assert [p["slug"] for p in body["items"]] == ["globex"]


@pytest.mark.parametrize("count", [1, 3])
def test_directory_page_query_count_does_not_grow(
    client, program, mentee, count, django_assert_num_queries
):
    for i in range(count):
        make_mentor(program, topics={"sql": "expert", "python": "familiar"}, display_name=f"M{i}")
    client.force_login(mentee)
    client.get(f"/p/{program.slug}/mentors/")  # warm the session
    with django_assert_num_queries(10):  # 9 + the nav's unread count (asks.context.nav)
        response = client.get(f"/p/{program.slug}/mentors/")
    assert response.content.decode().count('class="card mentor"') == count


@pytest.mark.parametrize("count", [1, 3])
def test_directory_api_query_count_does_not_grow(
    api, program, mentee, count, django_assert_num_queries
):
    for i in range(count):
        make_mentor(program, topics={"sql": "expert", "python": "familiar"}, display_name=f"M{i}")
    client = api(mentee)
    with django_assert_num_queries(6):
        body = client.get(f"/programs/{program.slug}/mentors").json()
    assert body["count"] == count

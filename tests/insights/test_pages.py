"""The insights dashboard (/p/<slug>/insights/) and its CSV downloads, for the program's
admins only."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import MembershipFactory, ProgramFactory, UserFactory

from .builders import NOW, small_events, small_program

pytestmark = pytest.mark.django_db

PAGE = "/p/acme/insights/"
RANGE = {"start": "2026-01-05", "end": "2026-01-19"}


@pytest.fixture
def small(program):
    return small_program(program)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def test_the_dashboard_shows_each_figure_with_its_table_and_csv_link(client, admin, small):
    client.force_login(admin)
    response = client.get(PAGE, RANGE)
    assert response.status_code == 200
    html = response.content.decode()
    for heading in (
        "From ask to completed",
        "Time to a first answer and to a match",
        "Sessions by week",
        "Ratings",
        "What mentees applied",
        "Mentor load",
        "Connections across sites",
        "Demand and supply by topic",
        "Thanks and continuing",
        "Events",
    ):
        assert f">{heading}</h2>" in html, heading
    for name in (
        "funnel",
        "response_times",
        "sessions",
        "ratings",
        "applied",
        "mentor_load",
        "cross_site",
        "topics",
        "thanks",
    ):
        assert f"/p/acme/insights/{name}.csv?start=2026-01-05&amp;end=2026-01-19" in html, name
    # The charts' data rides along as JSON (no inline script: CSP), the figures of the API.
    data = json.loads(re.search(r'id="insights-data"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert [s["count"] for s in data["figures"]["funnel"]["steps"]] == [4, 3, 2, 2, 1]
    assert "<script>" not in html and 'src="/static/vendor/chart.umd.min.js"' in html
    # The funnel's table, and the heat map's cells by level.
    assert '<th scope="row">Offered to a mentor</th><td class="num">3</td>' in html
    assert 'class="num heat-5">1</td>' in html and 'class="num heat-0">0</td>' in html
    assert "Gini coefficient</dt><dd>0.40</dd>" in html


def test_a_bad_range_is_said_beside_its_field_and_shows_no_figures(client, admin, small):
    client.force_login(admin)
    html = client.get(PAGE, {"start": "2026-01-19", "end": "2026-01-05"}).content.decode()
    assert 'id="id_start_error">Choose a start before the end.</p>' in html
    assert "From ask to completed" not in html
    html = client.get(PAGE, {"site": "Atlantis"}).content.decode()
    assert 'id="id_site_error"' in html


def test_only_the_programs_admins_open_the_dashboard(client, mentee, mentor, outsider, small):
    for person in (mentee, mentor, outsider):
        client.force_login(person)
        assert client.get(PAGE).status_code == 404
        assert client.get("/p/acme/insights/funnel.csv").status_code == 404
    client.logout()
    assert client.get(PAGE).status_code == 302  # to sign in


def test_the_program_page_links_to_insights_for_admins_only(client, admin, mentee, small):
    client.force_login(admin)
    assert 'href="/p/acme/insights/"' in client.get("/p/acme/").content.decode()
    client.force_login(mentee)
    assert 'href="/p/acme/insights/"' not in client.get("/p/acme/").content.decode()


def test_each_figure_downloads_as_csv_with_the_pages_filters(client, admin, small):
    client.force_login(admin)
    response = client.get("/p/acme/insights/funnel.csv", RANGE)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="acme-funnel-2026-01-05-2026-01-19.csv"'
    )
    assert _csv(response) == [
        ["Step", "Asks", "Lost", "Kept"],
        ["Asked", "4", "0", ""],
        ["Offered to a mentor", "3", "1", "0.75"],
        ["Accepted", "2", "1", "0.6667"],
        ["First session held", "2", "0", "1.0"],
        ["Completed", "1", "1", "0.5"],
    ]
    london = client.get("/p/acme/insights/cross_site.csv", {**RANGE, "site": "London"})
    # Named apart from the whole program's download of the same range.
    assert london["Content-Disposition"] == (
        'attachment; filename="acme-cross_site-2026-01-05-2026-01-19-london.csv"'
    )
    graduates = client.get("/p/acme/insights/funnel.csv", {**RANGE, "pool": small.pool.pk})
    assert graduates["Content-Disposition"] == (
        'attachment; filename="acme-funnel-2026-01-05-2026-01-19-graduates.csv"'
    )
    rows = _csv(london)
    assert rows == [["Mentee's site ↓ / mentor's site →", "London"], ["London", "1"]]
    rows = _csv(client.get("/p/acme/insights/sessions.csv", RANGE))
    assert rows[-1] == ["All weeks", "3", "1", "1", "1", "1", "0"]
    assert client.get("/p/acme/insights/nothing.csv").status_code == 404
    bad = client.get("/p/acme/insights/funnel.csv", {"pool": "x"})
    assert bad.status_code == 422 and bad.content.decode().startswith("pool: ")


def test_a_csv_cell_a_spreadsheet_would_run_is_written_as_text(client, program, admin):
    from .builders import ask, at, engage, person

    mentor = person(program, site="=HYPERLINK(1)", mentor=True)
    engage(ask(program, person(program, site="+1"), at(6), "sql", "engaged"), mentor, at(6, 1))
    client.force_login(admin)
    rows = _csv(client.get("/p/acme/insights/cross_site.csv", RANGE))
    assert [r[0] for r in rows[1:]] == ["'+1", "'=HYPERLINK(1)"]


def _queries(client, path: str, **kwargs) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path, RANGE, **kwargs).status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture
def once_and_thrice(client):
    """Two programs of one admin: the small program written once, and three times over."""
    admin = UserFactory()
    once, thrice = ProgramFactory(slug="once"), ProgramFactory(slug="thrice")
    for program, copies in ((once, 1), (thrice, 3)):
        MembershipFactory(program=program, user=admin, is_admin=True)
        for shift in range(copies):
            small_events(small_program(program, shift=shift))
    return admin


def _cold_and_warm(path_of, get) -> tuple[list[int], list[int]]:
    from django.core.cache import cache

    get(path_of("once"))  # warm whatever is cached per process
    cold, warm = [], []
    for slug in ("once", "thrice"):
        cache.clear()
        cold.append(get(path_of(slug)))
        warm.append(get(path_of(slug)))
    return cold, warm


def test_the_page_takes_a_fixed_number_of_queries_whatever_the_data(client, once_and_thrice):
    client.force_login(once_and_thrice)
    cold, warm = _cold_and_warm(
        lambda slug: f"/p/{slug}/insights/", lambda path: _queries(client, path)
    )
    assert cold[0] == cold[1] and warm[0] == warm[1]
    # Warm, the figures are two cache reads (the stamp and the entry), not ~30 queries.
    assert warm[0] < cold[0] - 25


def test_the_api_takes_a_fixed_number_of_queries_whatever_the_data(api, once_and_thrice):
    caller = api(once_and_thrice)

    def get(path: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = caller.get(path, start="2026-01-05", end="2026-01-19")
            assert response.status_code == 200
        return len(ctx.captured_queries)

    cold, warm = _cold_and_warm(lambda slug: f"/programs/{slug}/insights", get)
    assert cold[0] == cold[1] and warm[0] == warm[1]
    assert warm[0] < cold[0] - 25

"""GET /api/v1/programs/{slug}/insights: the figures as JSON for the program's admins,
404 for everyone else, 422 naming the parameter at fault."""

from __future__ import annotations

import pytest
import time_machine

from pairup.programs.models import Membership

from .builders import NOW, small_program

pytestmark = pytest.mark.django_db

KEYS = [
    "funnel",
    "response_times",
    "sessions",
    "ratings",
    "mentor_load",
    "cross_site",
    "topics",
    "thanks",
    "events",
]
URL = "/programs/acme/insights"


@pytest.fixture
def small(program):
    return small_program(program)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_an_admin_gets_every_figure_under_exactly_the_documented_keys(api, admin, small):
    response = api(admin).get(URL, start="2026-01-05", end="2026-01-19")
    assert response.status_code == 200
    body = response.json()
    assert list(body) == KEYS
    assert [s["count"] for s in body["funnel"]["steps"]] == [4, 3, 2, 2, 1]
    assert (body["mentor_load"]["gini"], body["mentor_load"]["top10_share"]) == (0.4, 0.6)
    assert body["cross_site"]["matrix"] == [[1, 0, 0], [0, 0, 0], [0, 1, 0]]
    assert body["events"] == []


def test_the_filters_narrow_the_figures(api, admin, small):
    london = api(admin).get(URL, start="2026-01-05", end="2026-01-19", site="London").json()
    assert london["funnel"]["steps"][0]["count"] == 2
    pool = api(admin).get(URL, start="2026-01-05", end="2026-01-19", pool=small.pool.pk).json()
    assert pool["funnel"]["steps"][0]["count"] == 1


def test_the_default_range_is_the_last_90_days(api, admin, small):
    body = api(admin).get(URL).json()
    # 90 days to 20 January 2026 take in every week from 20 October 2025.
    weeks = [w["week"] for w in body["sessions"]["weeks"]]
    assert (weeks[0], weeks[-1], len(weeks)) == ("2025-10-20", "2026-01-19", 14)
    assert body["funnel"]["steps"][0]["count"] == 5  # the December ask too


def test_anyone_but_the_programs_admins_gets_404(api, mentee, mentor, outsider, small):
    for person in (mentee, mentor, outsider):
        response = api(person).get(URL)
        assert response.status_code == 404, person
        assert response.json()["code"] == "not_found"
    assert api().get(URL).status_code == 401


def test_an_admin_of_another_program_gets_404(api, outsider, small):
    Membership.objects.filter(user=outsider).update(is_admin=True)
    assert api(outsider).get(URL).status_code == 404
    assert api(outsider).get("/programs/globex/insights").status_code == 200


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-01-19", "end": "2026-01-05"}, "start"),
        ({"start": "2026-01-05", "end": "2026-01-05"}, "start"),
        ({"start": "2020-01-01", "end": "2026-01-05"}, "start"),
        ({"start": "2026-02-30"}, "start"),
        ({"end": "yesterday"}, "end"),
        ({"start": "2026-03-01"}, "start"),  # after the default end (tomorrow)
        ({"site": "Atlantis"}, "site"),
        ({"site": "london"}, "site"),  # sites as members write them
        ({"pool": "999999"}, "pool"),
        ({"pool": "graduates"}, "pool"),
    ],
)
def test_bad_parameters_are_422_naming_the_field(api, admin, small, params, field):
    response = api(admin).get(URL, **params)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert [e["field"] for e in body["errors"]] == [field]
    assert body["detail"].startswith(f"{field}: ")


def test_a_pool_of_another_program_is_unknown(api, admin, small, other_program):
    other = small_program(other_program)
    response = api(admin).get(URL, pool=other.pool.pk)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "pool"


def test_the_operation_is_documented_with_its_own_schema_names(api):
    schema = api().get("/openapi.json").json()
    operation = schema["paths"]["/api/v1/programs/{slug}/insights"]["get"]
    assert {"start", "end", "site", "pool"} <= {p["name"] for p in operation["parameters"]}
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/InsightsOut")
    assert list(schema["components"]["schemas"]["InsightsOut"]["properties"]) == KEYS

"""Pools, match rules and the reporting line over /api/v1: the same shapes and errors as the
other endpoints (a page of items; {"detail", "code", "errors": [{"field", "message"}]}),
404 for anything of a program the caller does not admin, 422 naming the field."""

from __future__ import annotations

import pytest

from pairup.accounts.models import Profile
from pairup.programs.models import AuditEntry, MatchRule, Membership, Pool
from pairup.programs.pools import match_rule_create, pool_create, pool_members_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def london(program, admin):
    return pool_create(program=program, by=admin, name="London", kind="site")


@pytest.fixture
def interns(program, admin):
    return pool_create(program=program, by=admin, name="Interns", self_select=True)


def _fields(response) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


def test_an_admin_creates_lists_changes_and_deletes_a_pool(api, program, admin):
    client = api(admin)
    created = client.post("/programs/acme/pools", {"name": "New York", "kind": "site"})
    assert created.status_code == 201
    pool = created.json()
    assert pool == {
        "id": pool["id"],
        "name": "New York",
        "kind": "site",
        "description": "",
        "self_select": False,
        "members": 0,
    }
    listed = client.get("/programs/acme/pools").json()
    assert (listed["count"], listed["page"], listed["pages"]) == (1, 1, 1)
    assert listed["items"] == [pool]
    changed = client.patch(f"/programs/acme/pools/{pool['id']}", {"self_select": True})
    assert changed.json()["self_select"] is True and changed.json()["name"] == "New York"
    assert client.get(f"/programs/acme/pools/{pool['id']}").json()["self_select"] is True
    assert client.delete(f"/programs/acme/pools/{pool['id']}").status_code == 204
    assert not Pool.objects.exists()
    actions = set(AuditEntry.objects.filter(program=program).values_list("action", "via"))
    assert actions == {("pool_created", "api"), ("pool_changed", "api"), ("pool_deleted", "api")}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "london"}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 81}, "name"),
        ({"name": "Paris", "kind": "city"}, "kind"),
        ({"kind": "site"}, "name"),
    ],
)
def test_a_bad_pool_is_422_naming_the_field(api, admin, london, body, field):
    response = api(admin).post("/programs/acme/pools", body)
    assert response.status_code == 422 and _fields(response) == [field]
    assert Pool.objects.count() == 1


def test_members_see_only_the_pools_they_may_choose(api, mentee, london, interns):
    listed = api(mentee).get("/programs/acme/pools").json()
    assert [p["name"] for p in listed["items"]] == ["Interns"]
    assert api(mentee).get(f"/programs/acme/pools/{london.pk}").status_code == 404
    assert api(mentee).post("/programs/acme/pools", {"name": "Mine"}).status_code == 404


def test_an_admin_of_another_program_gets_404_everywhere(
    api, program, admin, outsider, mentee, london
):
    client = api(outsider)
    rule = match_rule_create(program=program, by=admin, mentee_pool=london, mentor_pool=london)
    for response in (
        client.get("/programs/acme/pools"),
        client.get(f"/programs/acme/pools/{london.pk}"),
        client.patch(f"/programs/acme/pools/{london.pk}", {"name": "Mine"}),
        client.delete(f"/programs/acme/pools/{london.pk}"),
        client.get(f"/programs/acme/pools/{london.pk}/members"),
        client.post(f"/programs/acme/pools/{london.pk}/members", {"members": [mentee.pk]}),
        client.get("/programs/acme/rules"),
        client.post("/programs/acme/rules", {"mentee_pool": london.pk, "mentor_pool": london.pk}),
        client.delete(f"/programs/acme/rules/{rule.pk}"),
        client.get(f"/programs/acme/members/{mentee.pk}/matching"),
        client.patch(f"/programs/acme/members/{mentee.pk}/matching", {"manager_email": ""}),
    ):
        assert response.status_code == 404, response.request["PATH_INFO"]
        assert response.json()["code"] == "not_found"
    assert Pool.objects.get(pk=london.pk).name == "London"
    assert MatchRule.objects.filter(pk=rule.pk).exists()


def test_a_pool_of_another_program_is_404_to_an_admin_here(api, admin, other_program, outsider):
    elsewhere = pool_create(program=other_program, by=outsider, name="Berlin")
    assert api(admin).get(f"/programs/acme/pools/{elsewhere.pk}").status_code == 404
    assert api(admin).delete(f"/programs/acme/pools/{elsewhere.pk}").status_code == 404


def test_an_admin_fills_a_pool_by_user_id(api, program, admin, mentee, mentor, london):
    client = api(admin)
    response = client.post(
        f"/programs/acme/pools/{london.pk}/members", {"members": [mentee.pk, mentor.pk]}
    )
    assert response.status_code == 200 and response.json()["members"] == 2
    members = client.get(f"/programs/acme/pools/{london.pk}/members").json()
    assert [m["display_name"] for m in members["items"]] == ["Priya Mentor", "Sam Mentee"]
    assert members["items"][0] == {
        "id": mentor.pk,
        "display_name": "Priya Mentor",
        "site": "London",
        "roles": ["mentor"],
    }
    gone = client.delete(f"/programs/acme/pools/{london.pk}/members/{mentee.pk}")
    assert gone.status_code == 204
    assert client.delete(f"/programs/acme/pools/{london.pk}/members/{mentee.pk}").status_code == 404
    assert [m.user for m in london.members.all()] == [mentor]


def test_someone_outside_the_program_is_422_naming_members(api, admin, outsider, london):
    response = api(admin).post(
        f"/programs/acme/pools/{london.pk}/members", {"members": [outsider.pk]}
    )
    assert response.status_code == 422 and _fields(response) == ["members"]
    assert response.json()["code"] == "not_a_member"
    assert not london.members.exists()


def test_an_admin_adds_lists_and_removes_rules(api, program, admin, london, interns):
    client = api(admin)
    created = client.post(
        "/programs/acme/rules", {"mentee_pool": interns.pk, "mentor_pool": london.pk}
    )
    assert created.status_code == 201
    rule = created.json()
    assert rule == {
        "id": rule["id"],
        "mentee_pool": {"id": interns.pk, "name": "Interns"},
        "mentor_pool": {"id": london.pk, "name": "London"},
        "text": "mentees in Interns may meet mentors in London",
    }
    assert client.get("/programs/acme/rules").json()["items"] == [rule]
    twice = client.post(
        "/programs/acme/rules", {"mentee_pool": interns.pk, "mentor_pool": london.pk}
    )
    assert twice.status_code == 409 and twice.json()["code"] == "rule_exists"
    assert client.delete(f"/programs/acme/rules/{rule['id']}").status_code == 204
    assert not MatchRule.objects.exists()


@pytest.mark.parametrize("side", ["mentee_pool", "mentor_pool"])
def test_a_rule_naming_a_pool_of_another_program_is_422_naming_the_side(
    api, admin, london, other_program, outsider, side
):
    elsewhere = pool_create(program=other_program, by=outsider, name="Berlin")
    body = {"mentee_pool": london.pk, "mentor_pool": london.pk, side: elsewhere.pk}
    response = api(admin).post("/programs/acme/rules", body)
    assert response.status_code == 422 and _fields(response) == [side]
    assert not MatchRule.objects.exists()


def test_an_admin_sets_a_members_pools_and_manager(api, program, admin, mentee, london):
    client = api(admin)
    response = client.patch(
        f"/programs/acme/members/{mentee.pk}/matching",
        {"pools": [london.pk], "manager_email": "Boss@Example.org"},
    )
    assert response.status_code == 200
    assert response.json() == {
        "id": mentee.pk,
        "pools": [{"id": london.pk, "name": "London"}],
        "manager_email": "boss@example.org",
    }
    assert client.get(f"/programs/acme/members/{mentee.pk}/matching").json() == response.json()
    only_pools = client.patch(f"/programs/acme/members/{mentee.pk}/matching", {"pools": []})
    assert only_pools.json()["manager_email"] == "boss@example.org"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"manager_email": "mentee@example.org"}, "manager_email"),
        ({"manager_email": "nobody"}, "manager_email"),
        ({"pools": [999999]}, "pools"),
    ],
)
def test_bad_matching_settings_are_422_naming_the_field(api, program, admin, mentee, body, field):
    response = api(admin).patch(f"/programs/acme/members/{mentee.pk}/matching", body)
    assert response.status_code == 422 and _fields(response) == [field]
    assert Profile.objects.get(user=mentee).manager_email == ""


def test_a_member_chooses_their_pools(api, program, admin, mentee, london, interns):
    pool_members_add(
        pool=london, by=admin, members=[Membership.objects.get(program=program, user=mentee)]
    )
    client = api(mentee)
    mine = client.get("/programs/acme/my-pools").json()
    assert mine["pools"] == [{"id": london.pk, "name": "London"}]
    assert [p["name"] for p in mine["choosable"]] == ["Interns"]
    chosen = client.put("/programs/acme/my-pools", {"pools": [interns.pk]})
    assert chosen.status_code == 200
    assert [p["name"] for p in chosen.json()["pools"]] == ["Interns", "London"]
    refused = client.put("/programs/acme/my-pools", {"pools": [london.pk]})
    assert refused.status_code == 422 and _fields(refused) == ["pools"]
    assert refused.json()["code"] == "not_self_select"

"""The pages of pools and match rules: the admins' pools page, a pool's page, a member's
matching settings; a member's own pools, at joining and afterwards. Errors beside the
field, nothing half-written, 404 for an admin of another program, and query counts that do
not grow with the rows."""

from __future__ import annotations

import pytest
from django.test import Client

from pairup.accounts.models import Profile
from pairup.programs.models import AuditEntry, MatchRule, Membership, Pool
from pairup.programs.pools import match_rule_create, pool_create, pool_members_add
from tests.factories import ProgramFactory, UserFactory, make_mentor

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _member(program, user):
    return Membership.objects.get(program=program, user=user)


@pytest.fixture
def london(program, admin):
    return pool_create(program=program, by=admin, name="London", kind="site")


@pytest.fixture
def interns(program, admin):
    return pool_create(
        program=program,
        by=admin,
        name="Interns",
        kind="initiative",
        description="Summer interns of 2026",
        self_select=True,
    )


# ---------------------------------------------------------------- the pools page


def test_the_pools_page_lists_pools_with_counts_and_the_rules_in_words(
    program, admin, mentee, mentor, london, interns
):
    pool_members_add(
        pool=london, by=admin, members=[_member(program, mentee), _member(program, mentor)]
    )
    make_mentor(program, display_name="Pooless")
    match_rule_create(program=program, by=admin, mentee_pool=interns, mentor_pool=london)
    page = _client(admin).get("/p/acme/pools/").content.decode()
    assert '<td data-label="Members">2</td>' in page and '<td data-label="Members">0</td>' in page
    assert "Mentees in <strong>Interns</strong> may meet mentors in <strong>London</strong>" in page
    # Mentees and mentors in no pool meet nobody while rules stand: the page says how many
    # (the admin, neither, is not counted).
    assert "1 member is in no pool, so matched with nobody while these rules stand." in page


def test_without_rules_the_page_says_anyone_meets_anyone(admin, london):
    page = _client(admin).get("/p/acme/pools/").content.decode()
    assert "No rules: anyone may be matched with anyone." in page


def test_the_program_page_links_admins_to_pools(admin, mentee):
    assert "/p/acme/pools/" in _client(admin).get("/p/acme/").content.decode()
    assert "/p/acme/pools/" not in _client(mentee).get("/p/acme/").content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/p/acme/pools/",
        "/p/acme/pools/{pool}/",
        "/p/acme/pools/members/{member}/",
    ],
)
def test_an_admin_of_another_program_gets_404(program, outsider, mentee, london, path):
    url = path.format(pool=london.pk, member=_member(program, mentee).pk)
    assert _client(outsider).get(url).status_code == 404
    assert _client(mentee).get(url).status_code == 404  # and so does a plain member


def test_a_pool_of_another_program_is_404_to_its_admin_in_this_one(
    program, admin, other_program, outsider
):
    elsewhere = pool_create(program=other_program, by=outsider, name="Berlin")
    client = _client(admin)
    assert client.get(f"/p/acme/pools/{elsewhere.pk}/").status_code == 404
    assert client.post(f"/p/acme/pools/{elsewhere.pk}/delete/").status_code == 404
    assert Pool.objects.filter(pk=elsewhere.pk).exists()


def test_creating_a_pool_from_the_page(program, admin):
    response = _client(admin).post(
        "/p/acme/pools/",
        {"name": "New York", "kind": "site", "description": "", "self_select": "on"},
    )
    pool = Pool.objects.get(program=program, name="New York")
    assert response.status_code == 302 and response["Location"] == f"/p/acme/pools/{pool.pk}/"
    assert pool.self_select is True
    assert AuditEntry.objects.get(program=program, action="pool_created").via == "web"


def test_a_taken_name_is_shown_beside_the_field(program, admin, london):
    response = _client(admin).post("/p/acme/pools/", {"name": "LONDON", "kind": "site"})
    page = response.content.decode()
    assert response.status_code == 422
    assert 'id="id_name_error"' in page and "has a pool named “LONDON” already" in page
    assert Pool.objects.filter(program=program).count() == 1


def test_adding_and_removing_a_rule_from_the_page(program, admin, london, interns):
    client = _client(admin)
    response = client.post(
        "/p/acme/pools/rules/", {"mentee_pool": interns.pk, "mentor_pool": london.pk}
    )
    assert response.status_code == 302
    rule = MatchRule.objects.get(program=program)
    assert (rule.mentee_pool, rule.mentor_pool) == (interns, london)
    again = client.post(
        "/p/acme/pools/rules/", {"mentee_pool": interns.pk, "mentor_pool": london.pk}
    )
    assert again.status_code == 422
    assert "may meet mentors in London already" in again.content.decode()
    assert client.post(f"/p/acme/pools/rules/{rule.pk}/delete/").status_code == 302
    assert not MatchRule.objects.exists()


def test_a_rule_naming_a_pool_of_another_program_is_refused_beside_the_field(
    program, admin, london, other_program, outsider
):
    elsewhere = pool_create(program=other_program, by=outsider, name="Berlin")
    response = _client(admin).post(
        "/p/acme/pools/rules/", {"mentee_pool": london.pk, "mentor_pool": elsewhere.pk}
    )
    assert response.status_code == 422
    assert 'id="id_mentor_pool_error"' in response.content.decode()
    assert not MatchRule.objects.exists()


@pytest.mark.parametrize("count", [1, 3])
def test_the_pools_page_reads_the_same_for_1_or_3_pools(
    program, admin, mentee, count, django_assert_num_queries
):
    pools = [pool_create(program=program, by=admin, name=f"Pool {i}") for i in range(count)]
    for pool in pools:
        pool_members_add(pool=pool, by=admin, members=[_member(program, mentee)])
        match_rule_create(program=program, by=admin, mentee_pool=pool, mentor_pool=pool)
    client = _client(admin)
    client.get("/p/acme/pools/")
    # Session, user, profile, membership; pools, rules, members in no pool; the nav's
    # unread count; the rule form's pools (one per select).
    with django_assert_num_queries(10):
        response = client.get("/p/acme/pools/")
    assert (
        response.content.decode().count('class="small ghost" aria-label="Remove the rule') == count
    )


# ---------------------------------------------------------------- a pool's page


def test_an_admin_finds_members_by_name_and_adds_them(program, admin, mentee, mentor, london):
    client = _client(admin)
    page = client.get(f"/p/acme/pools/{london.pk}/", {"q": "priya"}).content.decode()
    assert "Priya Mentor · London" in page and "Sam Mentee" not in page
    member = _member(program, mentor)
    response = client.post(
        f"/p/acme/pools/{london.pk}/members/", {"members": [member.pk], "q": "priya"}
    )
    assert response.status_code == 302 and response["Location"].endswith("?q=priya")
    assert list(london.members.all()) == [member]
    # Once in, they are listed, and the search no longer offers them.
    page = client.get(f"/p/acme/pools/{london.pk}/", {"q": "priya"}).content.decode()
    assert "Nobody outside London matches “priya”." in page
    client.post(f"/p/acme/pools/{london.pk}/members/{member.pk}/remove/")
    assert not london.members.exists()


def test_a_member_of_another_program_cannot_be_added(
    program, admin, outsider, other_program, london
):
    stranger = _member(other_program, outsider)
    _client(admin).post(f"/p/acme/pools/{london.pk}/members/", {"members": [stranger.pk]})
    assert not london.members.exists()


def test_renaming_a_pool_from_its_page(program, admin, london, interns):
    client = _client(admin)
    taken = client.post(f"/p/acme/pools/{london.pk}/", {"name": "interns", "kind": "site"})
    assert taken.status_code == 422 and 'id="id_name_error"' in taken.content.decode()
    ok = client.post(f"/p/acme/pools/{london.pk}/", {"name": "London HQ", "kind": "site"})
    assert ok.status_code == 302
    london.refresh_from_db()
    assert london.name == "London HQ"


def test_deleting_a_pool_from_its_page(program, admin, london):
    response = _client(admin).post(f"/p/acme/pools/{london.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/p/acme/pools/"
    assert not Pool.objects.filter(pk=london.pk).exists()


@pytest.mark.parametrize("count", [1, 3])
def test_a_pools_page_reads_the_same_for_1_or_3_members(
    program, admin, london, count, django_assert_num_queries
):
    members = [_member(program, make_mentor(program)) for _ in range(count)]
    pool_members_add(pool=london, by=admin, members=members)
    client = _client(admin)
    client.get(f"/p/acme/pools/{london.pk}/")
    # Session, user, profile, membership, pool; count and page of members; nav.
    with django_assert_num_queries(8):
        response = client.get(f"/p/acme/pools/{london.pk}/")
    assert response.content.decode().count("Take out</button>") == count


# ------------------------------------------------------------ a member's settings


def test_an_admin_sets_a_members_pools_and_manager(program, admin, mentee, london, interns):
    member = _member(program, mentee)
    client = _client(admin)
    page = client.get(f"/p/acme/pools/members/{member.pk}/").content.decode()
    assert "Interns — Summer interns of 2026" in page
    response = client.post(
        f"/p/acme/pools/members/{member.pk}/",
        {"pools": [london.pk, interns.pk], "manager_email": "Boss@Example.org"},
    )
    assert response.status_code == 302
    assert set(member.pools.all()) == {london, interns}
    assert Profile.objects.get(user=mentee).manager_email == "boss@example.org"


def test_a_members_own_email_as_manager_is_shown_beside_the_field(program, admin, mentee, london):
    member = _member(program, mentee)
    response = _client(admin).post(
        f"/p/acme/pools/members/{member.pk}/",
        {"pools": [london.pk], "manager_email": "mentee@example.org"},
    )
    page = response.content.decode()
    assert response.status_code == 422 and 'id="id_manager_email_error"' in page
    assert "Sam Mentee&#x27;s own email address" in page
    assert not member.pools.exists()  # nothing half-written


# ------------------------------------------------------------ a member's own pools


def test_joining_offers_the_self_selected_pools(program, london, interns):
    person = UserFactory()
    client = _client(person)
    page = client.get(f"/join/{program.invite_code}/").content.decode()
    assert "Interns — Summer interns of 2026" in page and "London" not in page
    response = client.post(
        f"/join/{program.invite_code}/", {"as_mentee": "on", "pools": [interns.pk]}
    )
    assert response.status_code == 302
    assert list(_member(program, person).pools.all()) == [interns]


def test_joining_with_a_pool_that_is_not_offered_is_refused(program, london, interns):
    person = UserFactory()
    response = _client(person).post(
        f"/join/{program.invite_code}/", {"as_mentee": "on", "pools": [london.pk]}
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Membership.objects.filter(user=person).exists()


def test_a_program_without_self_selected_pools_asks_nothing_at_joining(program, london):
    page = _client(UserFactory()).get(f"/join/{program.invite_code}/").content.decode()
    assert 'name="pools"' not in page


def test_a_member_changes_their_pools(program, admin, mentee, london, interns):
    member = _member(program, mentee)
    pool_members_add(pool=london, by=admin, members=[member])
    client = _client(mentee)
    assert "/p/acme/my-pools/" in client.get("/p/acme/").content.decode()
    page = client.get("/p/acme/my-pools/").content.decode()
    assert "The program's admins also put you in London." in page
    assert client.post("/p/acme/my-pools/", {"pools": [interns.pk]}).status_code == 302
    assert set(member.pools.all()) == {london, interns}
    assert client.post("/p/acme/my-pools/", {}).status_code == 302
    assert list(member.pools.all()) == [london]


def test_my_pools_is_404_where_there_is_nothing_to_choose(mentee, london):
    assert _client(mentee).get("/p/acme/my-pools/").status_code == 404


def test_the_first_run_guide_offers_an_open_programs_self_selected_pools():
    circle = ProgramFactory(name="Open Circle", slug="open-circle", is_open=True)
    founder = UserFactory()
    Membership.objects.create(program=circle, user=founder, is_admin=True)
    night = pool_create(program=circle, by=founder, name="Night shift", self_select=True)
    newcomer = UserFactory(profile_fields={"display_name": "", "welcomed_at": None})
    client = _client(newcomer)
    assert 'name="join-open-circle-pools"' in client.get("/welcome/program/").content.decode()
    response = client.post(
        "/welcome/program/",
        {
            "action": "join",
            "program": "open-circle",
            "join-open-circle-as_mentee": "on",
            "join-open-circle-pools": [night.pk],
        },
    )
    assert response["Location"] == "/welcome/ask/"
    assert list(Membership.objects.get(program=circle, user=newcomer).pools.all()) == [night]

"""Pools, match rules and the reporting line: the services (programs.pools). Only admins
change them; anything of another program is refused naming the field; each action writes
one audit entry with before and after, and a refused one writes nothing."""

from __future__ import annotations

import pytest

from pairup.accounts.models import Profile
from pairup.core.errors import Conflict, Forbidden, ServiceError
from pairup.programs.models import AuditEntry, MatchRule, Membership, Pool
from pairup.programs.pools import (
    match_rule_create,
    match_rule_delete,
    member_manager_set,
    member_matching_update,
    membership_pools_choose,
    membership_pools_set,
    pool_create,
    pool_delete,
    pool_get_or_create,
    pool_members_add,
    pool_members_remove,
    pool_update,
)
from pairup.programs.services import program_join
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _entries(program, action):
    return list(AuditEntry.objects.filter(program=program, action=action))


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
        description="Summer interns",
        self_select=True,
    )


# ------------------------------------------------------------------------------ pools


def test_an_admin_creates_a_pool_and_the_log_says_so(program, admin, london):
    assert (london.program, london.name, london.kind) == (program, "London", "site")
    (entry,) = _entries(program, "pool_created")
    assert entry.summary == "Created the pool London"
    assert entry.actor == admin and entry.target_id == str(london.pk)
    assert entry.after == {
        "name": "London",
        "kind": "site",
        "description": "",
        "self_select": False,
    }


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"name": "london"}, "name", "name_taken"),  # the same name, whatever the case
        ({"name": "   "}, "name", "required"),
        ({"name": "x" * 81}, "name", "too_long"),
        ({"name": "Paris", "kind": "city"}, "kind", "invalid_kind"),
        ({"name": "Paris", "description": "a\x00b"}, "description", "control_character"),
    ],
)
def test_a_bad_pool_is_refused_naming_the_field(program, admin, london, fields, field, code):
    with pytest.raises(ServiceError) as refused:
        pool_create(program=program, by=admin, **fields)
    assert (refused.value.field, refused.value.code) == (field, code)
    assert Pool.objects.filter(program=program).count() == 1
    assert len(_entries(program, "pool_created")) == 1


def test_only_admins_create_pools(program, mentee, outsider):
    for person in (mentee, outsider):
        with pytest.raises(Forbidden):
            pool_create(program=program, by=person, name="London")
    assert not Pool.objects.exists() and not AuditEntry.objects.exists()


def test_the_same_name_is_fine_in_another_program(program, other_program, outsider, london):
    pool = pool_create(program=other_program, by=outsider, name="London")
    assert pool.program == other_program


def test_a_pool_named_by_an_import_is_found_whatever_the_case_or_made(program, admin, london):
    assert pool_get_or_create(program=program, by=admin, name=" LONDON ") == (london, False)
    made, created = pool_get_or_create(program=program, by=admin, name="Paris", kind="site")
    assert created and (made.name, made.kind) == ("Paris", "site")
    assert len(_entries(program, "pool_created")) == 2


def test_renaming_a_pool_records_only_what_changed(program, admin, london):
    pool_update(pool=london, by=admin, name="London HQ", self_select=True)
    london.refresh_from_db()
    assert (london.name, london.self_select) == ("London HQ", True)
    (entry,) = _entries(program, "pool_changed")
    assert entry.summary == "Renamed the pool London to London HQ"
    assert entry.before == {"name": "London", "self_select": False}
    assert entry.after == {"name": "London HQ", "self_select": True}
    pool_update(pool=london, by=admin, name="London HQ")  # nothing changes: no entry
    assert len(_entries(program, "pool_changed")) == 1


def test_a_pool_cannot_take_the_name_of_another(program, admin, london, interns):
    with pytest.raises(ServiceError) as refused:
        pool_update(pool=interns, by=admin, name="LONDON")
    assert refused.value.field == "name"
    interns.refresh_from_db()
    assert interns.name == "Interns"


def test_an_admin_of_another_program_cannot_change_or_delete_a_pool(london, outsider):
    with pytest.raises(Forbidden):
        pool_update(pool=london, by=outsider, name="Mine")
    with pytest.raises(Forbidden):
        pool_delete(pool=london, by=outsider)
    assert Pool.objects.get(pk=london.pk).name == "London"


def test_deleting_a_pool_takes_its_rules_and_keeps_its_members(
    program, admin, mentee, london, interns
):
    pool_members_add(pool=london, by=admin, members=[_member(program, mentee)])
    match_rule_create(program=program, by=admin, mentee_pool=london, mentor_pool=interns)
    keep = match_rule_create(program=program, by=admin, mentee_pool=interns, mentor_pool=interns)
    pool_delete(pool=london, by=admin)
    assert list(MatchRule.objects.all()) == [keep]
    assert _member(program, mentee).pools.count() == 0
    (entry,) = _entries(program, "pool_deleted")
    assert entry.before == {
        "name": "London",
        "kind": "site",
        "description": "",
        "self_select": False,
        "members": 1,
        "rules": ["mentees in London may meet mentors in Interns"],
    }


# -------------------------------------------------------------------------- members


def test_an_admin_fills_and_empties_a_pool(program, admin, mentee, mentor, london):
    members = [_member(program, mentee), _member(program, mentor)]
    assert pool_members_add(pool=london, by=admin, members=members) == 2
    assert pool_members_add(pool=london, by=admin, members=members) == 0  # already in
    assert set(london.members.all()) == set(members)
    assert pool_members_remove(pool=london, by=admin, members=members[:1]) == 1
    assert list(london.members.all()) == members[1:]
    added, removed = (
        _entries(program, "pool_members_added"),
        _entries(program, "pool_members_removed"),
    )
    assert len(added) == 1 and added[0].after == {"members": [m.pk for m in members]}
    assert added[0].summary == "Added 2 members to the pool London"
    assert removed[0].summary == "Took Sam Mentee out of the pool London"
    assert removed[0].before == {"members": [members[0].pk]}


def test_a_member_of_another_program_is_refused(program, admin, outsider, london, other_program):
    stranger = _member(other_program, outsider)
    with pytest.raises(ServiceError) as refused:
        pool_members_add(pool=london, by=admin, members=[stranger])
    assert (refused.value.field, refused.value.code) == ("members", "not_a_member")
    assert not london.members.exists() and not _entries(program, "pool_members_added")


def test_an_admin_sets_all_of_a_members_pools(program, admin, mentee, london, interns):
    member = _member(program, mentee)
    membership_pools_set(membership=member, by=admin, pools=[london, interns])
    assert set(member.pools.all()) == {london, interns}
    membership_pools_set(membership=member, by=admin, pools=[interns])
    assert list(member.pools.all()) == [interns]
    entries = _entries(program, "member_pools_set")
    assert [e.after for e in entries] == [{"pools": ["Interns"]}, {"pools": ["Interns", "London"]}]


def test_a_pool_of_another_program_is_refused_for_a_member(
    program, admin, mentee, other_program, outsider
):
    elsewhere = pool_create(program=other_program, by=outsider, name="Berlin")
    with pytest.raises(ServiceError) as refused:
        membership_pools_set(membership=_member(program, mentee), by=admin, pools=[elsewhere])
    assert (refused.value.field, refused.value.code) == ("pools", "pool_of_another_program")


# ------------------------------------------------------------------- self-selected


def test_a_member_chooses_among_self_selected_pools_only(program, admin, mentee, london, interns):
    member = _member(program, mentee)
    membership_pools_set(membership=member, by=admin, pools=[london])
    membership_pools_choose(membership=member, by=mentee, pools=[interns])
    assert set(member.pools.all()) == {london, interns}  # the admin's pool stays
    with pytest.raises(ServiceError) as refused:
        membership_pools_choose(membership=member, by=mentee, pools=[london])
    assert (refused.value.field, refused.value.code) == ("pools", "not_self_select")
    membership_pools_choose(membership=member, by=mentee, pools=[])
    assert list(member.pools.all()) == [london]
    (chosen, left) = sorted(_entries(program, "pools_chosen"), key=lambda e: e.pk)
    assert chosen.actor == mentee and chosen.after == {"pools": ["Interns", "London"]}
    assert left.after == {"pools": ["London"]}


def test_nobody_chooses_pools_for_another_member(program, mentee, mentor, interns):
    with pytest.raises(Forbidden):
        membership_pools_choose(membership=_member(program, mentee), by=mentor, pools=[interns])
    assert not _member(program, mentee).pools.exists()


def test_joining_with_a_self_selected_pool(program, interns):
    person = UserFactory()
    member = program_join(
        program=program,
        user=person,
        as_mentee=True,
        invite_code=program.invite_code,
        pools=[interns],
    )
    assert list(member.pools.all()) == [interns]


def test_joining_with_a_pool_admins_assign_writes_nothing(program, london):
    person = UserFactory()
    with pytest.raises(ServiceError) as refused:
        program_join(
            program=program,
            user=person,
            as_mentee=True,
            invite_code=program.invite_code,
            pools=[london],
        )
    assert refused.value.field == "pools"
    assert not Membership.objects.filter(user=person).exists()


# ------------------------------------------------------------------------ rules


def test_an_admin_adds_and_removes_a_rule(program, admin, london, interns):
    rule = match_rule_create(program=program, by=admin, mentee_pool=interns, mentor_pool=london)
    (created,) = _entries(program, "match_rule_created")
    assert created.summary == "Rule added: mentees in Interns may meet mentors in London"
    assert created.after == {"mentee_pool": "Interns", "mentor_pool": "London"}
    with pytest.raises(Conflict) as twice:
        match_rule_create(program=program, by=admin, mentee_pool=interns, mentor_pool=london)
    assert twice.value.code == "rule_exists"
    match_rule_delete(rule=rule, by=admin)
    assert not MatchRule.objects.exists()
    (deleted,) = _entries(program, "match_rule_deleted")
    assert deleted.before == {"mentee_pool": "Interns", "mentor_pool": "London"}


@pytest.mark.parametrize("side", ["mentee_pool", "mentor_pool"])
def test_a_rule_with_a_pool_of_another_program_is_refused_naming_the_side(
    program, admin, london, other_program, outsider, side
):
    elsewhere = pool_create(program=other_program, by=outsider, name="Berlin")
    pools = {"mentee_pool": london, "mentor_pool": london, side: elsewhere}
    with pytest.raises(ServiceError) as refused:
        match_rule_create(program=program, by=admin, **pools)
    assert (refused.value.field, refused.value.code) == (side, "pool_of_another_program")
    assert not MatchRule.objects.exists()


def test_only_admins_add_or_remove_rules(program, admin, mentor, london):
    with pytest.raises(Forbidden):
        match_rule_create(program=program, by=mentor, mentee_pool=london, mentor_pool=london)
    rule = match_rule_create(program=program, by=admin, mentee_pool=london, mentor_pool=london)
    with pytest.raises(Forbidden):
        match_rule_delete(rule=rule, by=mentor)
    assert MatchRule.objects.filter(pk=rule.pk).exists()


# ---------------------------------------------------------------- reporting line


def test_an_admin_sets_a_members_manager(program, admin, mentee):
    member = _member(program, mentee)
    member_manager_set(membership=member, by=admin, manager_email="Boss@Example.org")
    assert Profile.objects.get(user=mentee).manager_email == "boss@example.org"
    (entry,) = _entries(program, "manager_set")
    assert entry.summary == "Set the manager of Sam Mentee"
    assert (entry.before, entry.after) == (
        {"manager_email": ""},
        {"manager_email": "boss@example.org"},
    )


@pytest.mark.parametrize(
    ("email", "code"), [("MENTEE@example.org", "own_email"), ("nobody", "invalid_email")]
)
def test_a_bad_manager_is_refused_naming_the_field(program, admin, mentee, email, code):
    with pytest.raises(ServiceError) as refused:
        member_manager_set(membership=_member(program, mentee), by=admin, manager_email=email)
    assert (refused.value.field, refused.value.code) == ("manager_email", code)
    assert Profile.objects.get(user=mentee).manager_email == ""
    assert not _entries(program, "manager_set")


def test_only_admins_set_a_manager(program, mentor, mentee):
    with pytest.raises(Forbidden):
        member_manager_set(
            membership=_member(program, mentee), by=mentor, manager_email="x@example.org"
        )


def test_matching_settings_change_together_or_not_at_all(
    program, admin, mentee, london, other_program, outsider
):
    elsewhere = pool_create(program=other_program, by=outsider, name="Berlin")
    member = _member(program, mentee)
    with pytest.raises(ServiceError):
        member_matching_update(
            membership=member, by=admin, manager_email="boss@example.org", pools=[elsewhere]
        )
    assert Profile.objects.get(user=mentee).manager_email == ""
    assert not AuditEntry.objects.filter(program=program, action="manager_set").exists()
    member_matching_update(
        membership=member, by=admin, manager_email="boss@example.org", pools=[london]
    )
    assert list(member.pools.all()) == [london]
    assert Profile.objects.get(user=mentee).manager_email == "boss@example.org"

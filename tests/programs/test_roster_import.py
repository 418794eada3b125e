"""Importing a roster (programs.roster_services.roster_import): all or nothing, members
updated rather than duplicated, the same file twice changes nothing, mentors wait for
approval when the program vets them, and invitations go out only after commit."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from pairup.accounts.models import Expertise, User
from pairup.core.errors import Forbidden
from pairup.programs.models import AuditEntry, Membership, MentorStatus, Pool, PoolKind
from pairup.programs.roster import read_roster_file
from pairup.programs.roster_services import RosterInvalid, roster_import

from .rosters import GOOD, csv_bytes, with_row, xlsx_bytes

pytestmark = pytest.mark.django_db


def sheet_of(rows, kind="csv"):
    data = csv_bytes(rows) if kind == "csv" else xlsx_bytes(rows)
    return read_roster_file(data, f"roster.{kind}")


def state(program):
    """Everything an import may write, to compare before and after."""
    return (
        sorted(User.objects.values_list("email", flat=True)),
        sorted(
            Membership.objects.filter(program=program).values_list(
                "user__email", "is_mentor", "is_mentee", "is_admin", "mentor_status"
            )
        ),
        sorted(Pool.objects.filter(program=program).values_list("name", flat=True)),
        sorted(
            Membership.pools.through.objects.filter(membership__program=program).values_list(
                "membership_id", "pool_id"
            )
        ),
        sorted(Expertise.objects.values_list("profile_id", "topic_id")),
        AuditEntry.objects.filter(program=program).count(),
    )


def test_importing_makes_accounts_members_and_pools(
    program, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        plan = roster_import(program=program, by=admin, sheet=sheet_of(GOOD))
    assert plan.counts() == {"created": 3, "updated": 0, "unchanged": 0, "invited": 3}
    ana = User.objects.get(email="ana@example.org")
    assert not ana.has_usable_password()
    assert not EmailAddress.objects.get(user=ana).verified
    profile = ana.profile
    assert (profile.display_name, profile.site, profile.manager_email, profile.timezone) == (
        "Ana Lima",
        "London",
        "mo@example.org",
        "Europe/London",
    )
    assert profile.languages == ["en", "pt"]
    assert profile.welcomed_at is None  # the first-run guide greets them
    assert sorted(e.topic.slug for e in profile.expertise.all()) == ["negotiating-an-offer", "sql"]
    assert [t.name for t in User.objects.get(email="ben@example.org").profile.goals.all()] == [
        "Public speaking"
    ]
    membership = Membership.objects.get(program=program, user=ana)
    assert membership.roles == ["mentor"]
    assert sorted(p.name for p in membership.pools.all()) == ["Data", "Women in Tech"]
    assert Pool.objects.get(program=program, name="Data").kind == PoolKind.TEAM
    assert Pool.objects.get(program=program, name="Women in Tech").kind == PoolKind.OTHER
    cy = Membership.objects.get(program=program, user__email="cy@example.org")
    assert cy.roles == ["mentor", "mentee"]
    assert cy.user.profile.timezone == "UTC"  # no time zone given: the default


def test_the_same_roster_twice_changes_nothing_the_second_time(program, admin):
    roster_import(program=program, by=admin, sheet=sheet_of(GOOD))
    before = state(program)
    plan = roster_import(program=program, by=admin, sheet=sheet_of(GOOD, "xlsx"))
    assert plan.counts() == {"created": 0, "updated": 0, "unchanged": 3, "invited": 0}
    after = state(program)
    # Only the second import's own audit entry is new.
    assert after[:-1] == before[:-1] and after[-1] == before[-1] + 1


def test_a_member_is_updated_not_duplicated(program, admin, mentee):
    rows = [
        ["email", "name", "roles", "site", "team", "languages"],
        [mentee.email.upper(), "Sam Mentee", "mentee;mentor", "Berlin", "Data", "de"],
    ]
    plan = roster_import(program=program, by=admin, sheet=sheet_of(rows))
    assert plan.counts() == {"created": 0, "updated": 1, "unchanged": 0, "invited": 0}
    assert Membership.objects.filter(program=program, user=mentee).count() == 1
    membership = Membership.objects.get(program=program, user=mentee)
    assert membership.roles == ["mentor", "mentee"]
    assert [p.name for p in membership.pools.all()] == ["Data"]
    mentee.profile.refresh_from_db()
    assert (mentee.profile.site, mentee.profile.languages) == ("Berlin", ["de"])
    assert User.objects.filter(email__iexact=mentee.email).count() == 1


def test_an_import_never_takes_a_role_or_a_value_away(program, admin, mentor):
    rows = [["email", "name", "roles", "site"], [mentor.email, "Priya Mentor", "mentee", ""]]
    roster_import(program=program, by=admin, sheet=sheet_of(rows))
    membership = Membership.objects.get(program=program, user=mentor)
    assert membership.roles == ["mentor", "mentee"]
    assert membership.mentor_status == MentorStatus.APPROVED
    mentor.profile.refresh_from_db()
    assert mentor.profile.site == "London"  # the empty cell left it as it was


def test_an_account_from_outside_the_program_keeps_its_own_profile(program, admin, outsider):
    rows = [["email", "name", "roles", "site"], [outsider.email, "Someone Else", "mentee", "Rome"]]
    plan = roster_import(program=program, by=admin, sheet=sheet_of(rows))
    assert plan.counts() == {"created": 1, "updated": 0, "unchanged": 0, "invited": 0}
    outsider.profile.refresh_from_db()
    assert outsider.profile.display_name == "Olivia Out"  # their own choice stands
    assert outsider.profile.site == "Rome"  # was empty: filled
    assert Membership.objects.get(program=program, user=outsider).roles == ["mentee"]


@pytest.mark.parametrize(("vetting", "status"), [(True, "pending"), (False, "approved")])
def test_imported_mentors_wait_for_approval_when_the_program_vets(program, admin, vetting, status):
    program.mentors_need_approval = vetting
    program.save()
    roster_import(program=program, by=admin, sheet=sheet_of(GOOD))
    statuses = dict(
        Membership.objects.filter(program=program, is_mentor=True).values_list(
            "user__email", "mentor_status"
        )
    )
    assert statuses == {"ana@example.org": status, "cy@example.org": status}


def test_a_mentee_who_becomes_a_mentor_by_import_waits_for_approval(program, admin, mentee):
    rows = [["email", "name", "roles"], [mentee.email, "Sam Mentee", "mentor"]]
    roster_import(program=program, by=admin, sheet=sheet_of(rows))
    assert Membership.objects.get(user=mentee).mentor_status == MentorStatus.PENDING


def test_one_bad_line_writes_nothing(program, admin, django_capture_on_commit_callbacks):
    before = state(program)
    rows = with_row(GOOD, 3, "timezone", "Mars/Olympus")
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RosterInvalid) as caught,
    ):
        roster_import(program=program, by=admin, sheet=sheet_of(rows))
    assert [(p.line, p.column) for p in caught.value.problems] == [(4, "timezone")]
    assert caught.value.detail == (
        "roster.csv: 1 bad line; nothing was imported. Fix them and import the file again."
    )
    assert state(program) == before
    assert callbacks == [] and mail.outbox == []


def test_existing_pools_are_joined_by_name_whatever_the_case(program, admin):
    data = Pool.objects.create(program=program, name="Data", kind=PoolKind.SITE)
    rows = with_row(GOOD, 1, "team", "DATA")
    plan = roster_import(program=program, by=admin, sheet=sheet_of(rows))
    assert plan.new_pools == ["Sales", "Women in Tech"]
    assert Pool.objects.filter(program=program, name__iexact="data").count() == 1
    assert data in Membership.objects.get(user__email="ana@example.org").pools.all()


def test_the_import_is_in_the_audit_log(program, admin):
    roster_import(program=program, by=admin, sheet=sheet_of(GOOD))
    entry = AuditEntry.objects.get(program=program, action="roster_imported")
    assert entry.actor == admin
    assert entry.summary == "Imported the roster roster.csv: 3 added, 0 updated, 0 unchanged"
    assert entry.after == {
        "file": "roster.csv",
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "invited": 3,
        "pools_created": ["Data", "Sales", "Women in Tech"],
    }


def test_only_the_programs_admins_may_import(program, mentee, outsider):
    for person in (mentee, outsider):
        with pytest.raises(Forbidden):
            roster_import(program=program, by=person, sheet=sheet_of(GOOD))
    assert not User.objects.filter(email="ana@example.org").exists()


def test_invitations_go_out_after_commit_only(program, admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        roster_import(program=program, by=admin, sheet=sheet_of(GOOD))
        assert mail.outbox == []  # not before the commit
    assert len(callbacks) == 1  # one task for up to 100 people
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ana@example.org",
        "ben@example.org",
        "cy@example.org",
    ]
    message = next(m for m in mail.outbox if m.to == ["ana@example.org"])
    assert message.subject == "[PairUp] You are invited to Acme Mentoring on PairUp"
    assert "Hello Ana Lima," in message.body
    assert "added you to it as a mentor" in message.body


def test_nobody_already_in_the_program_is_invited_again(
    program, admin, mentee, django_capture_on_commit_callbacks
):
    rows = [["email", "name", "roles"], [mentee.email, "Sam Mentee", "mentee"]]
    with django_capture_on_commit_callbacks(execute=True):
        roster_import(program=program, by=admin, sheet=sheet_of(rows))
        roster_import(program=program, by=admin, sheet=sheet_of(GOOD))
        roster_import(program=program, by=admin, sheet=sheet_of(GOOD))
    assert len(mail.outbox) == 3


def test_the_invitation_link_sets_a_password_and_signs_in(
    program, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        roster_import(program=program, by=admin, sheet=sheet_of(GOOD[:2]))
    [message] = mail.outbox
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", message.body).group(1)
    client = Client()
    response = client.get(link)
    assert response.status_code == 302  # allauth moves the key out of the address
    form_url = response["Location"]
    response = client.post(
        form_url, {"password1": "a-long-passphrase-42", "password2": "a-long-passphrase-42"}
    )
    assert response.status_code == 302
    ana = User.objects.get(email="ana@example.org")
    assert ana.check_password("a-long-passphrase-42")
    assert EmailAddress.objects.get(user=ana).verified  # the link proved the address
    response = client.post(
        "/accounts/login/", {"login": "ana@example.org", "password": "a-long-passphrase-42"}
    )
    assert response.status_code == 302
    assert client.get("/").wsgi_request.user == ana
    # The link works once.
    assert Client().get(link).context["token_fail"] is True


def test_someone_signing_up_during_the_import_makes_it_refuse(program, admin, monkeypatch):
    from pairup.accounts.services import user_create
    from pairup.core.errors import Conflict
    from pairup.programs import roster_services

    real_plan = roster_services.roster_plan

    def plan_then_a_sign_up(**kwargs):
        plan = real_plan(**kwargs)
        user_create(email="ben@example.org", password_hash="!")  # after the check
        return plan

    monkeypatch.setattr(roster_services, "roster_plan", plan_then_a_sign_up)
    with pytest.raises(Conflict) as caught:
        roster_import(program=program, by=admin, sheet=sheet_of(GOOD))
    assert caught.value.code == "roster_changed"
    assert not User.objects.filter(email="ana@example.org").exists()
    assert not Membership.objects.filter(program=program, user__email="ana@example.org").exists()

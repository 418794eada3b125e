"""The member list of a program's admins: search, filters, counts, pages, mentors waiting for
approval first, a fixed number of queries whatever the page's length, and the CSV export
with the same filters."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pairup.accounts.models import User
from pairup.programs.member_queries import (
    MemberFilters,
    program_member_counts,
    program_member_list,
    program_member_page,
)
from pairup.programs.models import Membership, MentorStatus, Pool
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _member(program, name, *, email=None, site="", **roles):
    user = UserFactory(
        email=email or f"{name.split()[0].lower()}@example.org",
        profile_fields={"display_name": name, "site": site},
    )
    return Membership.objects.create(program=program, user=user, **(roles or {"is_mentee": True}))


def _names(qs):
    return [m.user.profile.display_name for m in qs]


@pytest.fixture
def crowd(program, admin, mentee, mentor):
    """Alex Admin, Sam Mentee, Priya Mentor (London, approved) and four more."""
    london = Pool.objects.create(program=program, name="London office", kind="site")
    berlin = Pool.objects.create(program=program, name="Berlin office", kind="site")
    ana = _member(
        program, "Ana Lima", site="Berlin", is_mentor=True, mentor_status=MentorStatus.PENDING
    )
    zoe = _member(program, "Zoe Wait", is_mentor=True, mentor_status=MentorStatus.PENDING)
    bo = _member(program, "Bo Paused", is_mentor=True, mentor_status=MentorStatus.PAUSED)
    cy = _member(program, "Cy Newcomer", email="cy@elsewhere.net", site="Berlin")
    ana.pools.add(berlin)
    cy.pools.add(berlin)
    Membership.objects.get(program=program, user=mentor).pools.add(london)
    now = timezone.now()
    Membership.objects.filter(pk=cy.pk).update(joined_at=now - timedelta(days=2))
    Membership.objects.exclude(pk=cy.pk).update(joined_at=now - timedelta(days=200))
    User.objects.filter(pk=ana.user_id).update(last_login=now - timedelta(days=1))
    User.objects.filter(pk=bo.user_id).update(last_login=now - timedelta(days=120))
    return {"berlin": berlin, "london": london, "ana": ana, "zoe": zoe, "bo": bo, "cy": cy}


def test_mentors_waiting_for_approval_come_first_then_everyone_by_name(program, crowd):
    assert _names(program_member_list(program)) == [
        "Ana Lima",
        "Zoe Wait",
        "Alex Admin",
        "Bo Paused",
        "Cy Newcomer",
        "Priya Mentor",
        "Sam Mentee",
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (MemberFilters(q="lim"), ["Ana Lima"]),
        (MemberFilters(q="ELSEWHERE.net"), ["Cy Newcomer"]),  # the email, any case
        (MemberFilters(role="mentor"), ["Ana Lima", "Zoe Wait", "Bo Paused", "Priya Mentor"]),
        (MemberFilters(role="admin"), ["Alex Admin"]),
        (MemberFilters(status="paused"), ["Bo Paused"]),
        (MemberFilters(site="berlin"), ["Ana Lima", "Cy Newcomer"]),
        (MemberFilters(joined=7), ["Cy Newcomer"]),
        (MemberFilters(active="7"), ["Ana Lima"]),
        (MemberFilters(active="idle90"), ["Zoe Wait", "Alex Admin", "Bo Paused", "Cy Newcomer",
                                          "Priya Mentor", "Sam Mentee"]),
        (MemberFilters(active="never"), ["Zoe Wait", "Alex Admin", "Cy Newcomer",
                                         "Priya Mentor", "Sam Mentee"]),
        (MemberFilters(role="mentor", site="Berlin"), ["Ana Lima"]),
    ],
)  # fmt: skip
def test_each_filter_narrows_the_list(program, crowd, filters, expected):
    assert _names(program_member_list(program, filters)) == expected


def test_filter_by_pool(program, crowd):
    berlin = MemberFilters(pool=crowd["berlin"].pk)
    assert _names(program_member_list(program, berlin)) == ["Ana Lima", "Cy Newcomer"]


def test_counts_by_role_and_status(program, crowd):
    assert program_member_counts(program) == {
        "everyone": 7,
        "mentors": 4,
        "mentees": 2,
        "admins": 1,
        "pending": 2,
        "approved": 1,
        "paused": 1,
        "offboarded": 0,
    }


def test_the_page_filters_counts_and_shows_pools_email_and_last_active(
    client, program, admin, crowd
):
    client.force_login(admin)
    html = client.get(f"/p/{program.slug}/members/", {"site": "Berlin"}).content.decode()
    assert "1–2 of 2 members matching" in html
    assert "ana@example.org" in html and "cy@elsewhere.net" in html
    assert "Priya Mentor" not in html
    assert "Berlin office" in html
    assert "<strong>2</strong> waiting for approval" in html
    assert "<strong>7</strong> everyone" in html
    assert "never" in html  # Cy never signed in


def test_a_filter_in_error_is_named_beside_its_field(client, program, admin, crowd):
    client.force_login(admin)
    html = client.get(f"/p/{program.slug}/members/", {"role": "wizard"}).content.decode()
    assert 'id="id_role_error"' in html
    assert "1–7 of 7 members" in html  # the list, without the bad filter


def test_pages_of_fifty(client, program, admin):
    for i in range(55):
        _member(program, f"Member {i:02d}", email=f"m{i}@example.org")
    client.force_login(admin)
    page2 = client.get(f"/p/{program.slug}/members/", {"page": 2}).content.decode()
    assert "51–56 of 56 members" in page2 and "Page 2 of 2" in page2
    assert client.get(f"/p/{program.slug}/members/", {"page": 3}).status_code == 404


def test_a_page_holds_the_lists_members_in_its_order(program, admin, crowd):
    everyone = _names(program_member_list(program))
    pages = [_names(program_member_page(program, None, n, 3).object_list) for n in (1, 2, 3)]
    assert pages == [everyone[:3], everyone[3:6], everyone[6:]]


def test_htmx_gets_the_results_only(client, program, admin, crowd):
    client.force_login(admin)
    response = client.get(f"/p/{program.slug}/members/", {"q": "zoe"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<h1>" not in html and "Zoe Wait" in html and "Ana Lima" not in html


def test_only_the_programs_admins_see_it(client, program, mentee, outsider, crowd):
    for person in (mentee, outsider):
        client.force_login(person)
        assert client.get(f"/p/{program.slug}/members/").status_code == 404
        assert client.get(f"/p/{program.slug}/members/export.csv").status_code == 404


def _queries_for_the_page(client, program, admin) -> int:
    client.force_login(admin)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/p/{program.slug}/members/")
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_list_reads_a_fixed_number_of_queries(client, program, admin):
    """1 member, then 3 members (each with a site, pools and a sign-in): the same count."""
    pool = Pool.objects.create(program=program, name="London office")
    other = Pool.objects.create(program=program, name="Mentors' circle")
    Membership.objects.get(program=program, user=admin).pools.add(pool)
    one = _queries_for_the_page(client, program, admin)
    for i in range(2):
        m = _member(
            program,
            f"Mentor {i}",
            email=f"mentor{i}@example.org",
            site="London",
            is_mentor=True,
            mentor_status="approved",
        )
        m.pools.add(pool, other)
        User.objects.filter(pk=m.user_id).update(last_login=timezone.now())
    three = _queries_for_the_page(client, program, admin)
    assert Membership.objects.filter(program=program).count() == 3
    assert one == three


def _rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_csv_export_streams_the_filtered_list(client, program, admin, crowd):
    client.force_login(admin)
    response = client.get(f"/p/{program.slug}/members/export.csv", {"role": "mentor"})
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="{program.slug}-members-' in response["Content-Disposition"]
    rows = _rows(response)
    assert rows[0] == [
        "email",
        "name",
        "roles",
        "site",
        "pools",
        "mentor_status",
        "joined_at",
        "last_active_at",
    ]
    assert [r[1] for r in rows[1:]] == ["Ana Lima", "Zoe Wait", "Bo Paused", "Priya Mentor"]
    ana = rows[1]
    assert ana[:6] == [
        "ana@example.org",
        "Ana Lima",
        "mentor",
        "Berlin",
        "Berlin office",
        "pending",
    ]
    assert ana[7].endswith("+00:00")
    assert rows[3][7] != "" and rows[2][7] == ""  # Bo signed in once; Zoe never


def test_csv_export_writes_a_formula_as_text(client, program, admin):
    _member(program, "=HYPERLINK(1)", email="eve@example.org")
    client.force_login(admin)
    rows = _rows(client.get(f"/p/{program.slug}/members/export.csv", {"q": "eve@"}))
    assert rows[1][1] == "'=HYPERLINK(1)"

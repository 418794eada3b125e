"""Reading and checking a roster (programs.roster): every bad line is reported with its line
number (the header is line 1), our column and the reason; CSV and XLSX read alike."""

from __future__ import annotations

import io
import zipfile

import pytest

from pairup.core import limits
from pairup.core.errors import ServiceError
from pairup.programs.models import Membership, MentorStatus
from pairup.programs.roster import (
    Problem,
    RosterFileError,
    guess_mapping,
    read_roster_file,
    resolve_mapping,
)
from pairup.programs.roster_plan import roster_plan

from .rosters import GOOD, HEADER, csv_bytes, with_row, xlsx_bytes

pytestmark = pytest.mark.django_db


def problems_of(program, rows, kind="csv"):
    data = csv_bytes(rows) if kind == "csv" else xlsx_bytes(rows)
    sheet = read_roster_file(data, f"roster.{kind}")
    return roster_plan(program=program, sheet=sheet).problems


def test_a_good_roster_has_no_problems_and_counts_what_it_would_do(program):
    sheet = read_roster_file(csv_bytes(GOOD), "roster.csv")
    plan = roster_plan(program=program, sheet=sheet)
    assert plan.problems == []
    assert plan.counts() == {"created": 3, "updated": 0, "unchanged": 0, "invited": 3}
    assert plan.new_pools == ["Data", "Sales", "Women in Tech"]
    ana = plan.members[0]
    assert ana.line.roles == {"mentor"}
    assert ana.profile_fields["timezone"] == "Europe/London"
    assert ana.profile_fields["languages"] == ["en", "pt"]
    # Ben's "English" is the curated language's name; "Public speaking" a topic's name.
    ben = plan.members[1]
    assert ben.profile_fields["languages"] == ["en"]
    assert len(ben.add_goals) == 1 and ben.add_expertise == []


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_missing_required_column_is_reported_on_line_1(program, kind):
    rows = [[c for i, c in enumerate(r) if i != HEADER.index("roles")] for r in GOOD]
    assert problems_of(program, rows, kind) == [
        Problem(1, "roles", "missing: no column of the file gives it")
    ]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_bad_email_names_its_line_and_column(program, kind):
    rows = with_row(GOOD, 2, "email", "ben(at)example.org")
    assert problems_of(program, rows, kind) == [
        Problem(3, "email", "'ben(at)example.org' is not an email address")
    ]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_unknown_role_is_reported(program, kind):
    rows = with_row(GOOD, 1, "roles", "mentor;coach")
    assert problems_of(program, rows, kind) == [
        Problem(2, "roles", "unknown role 'coach': use mentor, mentee or admin")
    ]


def test_roles_joined_by_a_comma_get_a_hint(program):
    rows = with_row(GOOD, 1, "roles", "mentor, mentee")
    [problem] = problems_of(program, rows)
    assert problem.reason == (
        "unknown role 'mentor, mentee': use mentor, mentee or admin (join roles with ;)"
    )


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_bad_timezone_is_reported(program, kind):
    rows = with_row(GOOD, 3, "timezone", "Mars/Olympus")
    assert problems_of(program, rows, kind) == [
        Problem(
            4,
            "timezone",
            "'Mars/Olympus' is not a time zone we know: use an IANA name such as Europe/London",
        )
    ]


def test_a_timezone_in_other_letter_case_is_its_iana_name(program):
    rows = with_row(GOOD, 3, "timezone", "asia/seoul")
    plan = roster_plan(program=program, sheet=read_roster_file(csv_bytes(rows), "r.csv"))
    assert plan.members[2].profile_fields["timezone"] == "Asia/Seoul"


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_unknown_topic_is_an_error_naming_it(program, kind):
    rows = with_row(GOOD, 1, "topics", "sql;basket weaving")
    [problem] = problems_of(program, rows, kind)
    assert (problem.line, problem.column) == (2, "topics")
    assert problem.reason.startswith("unknown topic 'basket weaving'")


def test_a_topic_the_program_does_not_offer_is_an_error(program):
    """A program that chose part of the taxonomy takes only those topics from a roster,
    as its ask form and profiles do (programs.queries.program_topics)."""
    from pairup.topics.models import Topic

    program.topics.set(Topic.objects.filter(slug__in=["negotiating-an-offer", "public-speaking"]))
    [problem] = problems_of(program, GOOD)
    assert (problem.line, problem.column) == (2, "topics")
    assert problem.reason.startswith("unknown topic 'sql'")


def test_an_unknown_language_is_reported(program):
    rows = with_row(GOOD, 2, "languages", "en;Klingon")
    [problem] = problems_of(program, rows)
    assert (problem.line, problem.column) == (3, "languages")
    assert problem.reason.startswith("unknown language 'Klingon'")


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_duplicate_email_in_the_file_names_the_first_line(program, kind):
    rows = with_row(GOOD, 2, "email", "ANA@example.org")
    assert problems_of(program, rows, kind) == [
        Problem(3, "email", "ana@example.org is already on line 2")
    ]


def test_every_bad_line_is_reported_in_order(program):
    rows = with_row(GOOD, 1, "email", "")
    rows = with_row(rows, 2, "timezone", "Nowhere")
    rows = with_row(rows, 3, "manager_email", "cy@example.org")
    problems = problems_of(program, rows)
    assert [(p.line, p.column) for p in problems] == [
        (2, "email"),
        (3, "timezone"),
        (4, "manager_email"),
    ]
    assert problems[0].reason == "missing: this column is required"
    assert problems[2].reason == "a person cannot be their own manager"


def test_the_xlsx_and_the_csv_of_one_roster_read_the_same(program):
    csv_sheet = read_roster_file(csv_bytes(GOOD), "roster.csv")
    xlsx_sheet = read_roster_file(xlsx_bytes(GOOD), "roster.xlsx")
    assert xlsx_sheet.headers == csv_sheet.headers
    assert xlsx_sheet.rows == csv_sheet.rows
    bad = with_row(GOOD, 2, "email", "nope")
    assert problems_of(program, bad, "xlsx") == problems_of(program, bad, "csv")


def test_numbers_in_a_workbook_read_as_text(program):
    rows = [["email", "name", "roles", "site"], ["a@example.org", "Ana", "mentee", 42.0]]
    sheet = read_roster_file(xlsx_bytes(rows), "r.xlsx")
    assert sheet.rows == [(2, ["a@example.org", "Ana", "mentee", "42"])]


def test_blank_lines_keep_the_line_numbers_of_the_file(program):
    data = csv_bytes(GOOD[:2]) + b"\n,,,,,,,,,\n" + csv_bytes([with_row(GOOD, 2, "email", "x")[2]])
    sheet = read_roster_file(data, "roster.csv")
    assert [line for line, _ in sheet.rows] == [2, 5]
    assert [p.line for p in roster_plan(program=program, sheet=sheet).problems] == [5]


def test_a_semicolon_separated_csv_reads_like_a_comma_one():
    sheet = read_roster_file(csv_bytes(GOOD, delimiter=";"), "roster.csv")
    assert sheet.rows == read_roster_file(csv_bytes(GOOD), "roster.csv").rows


def test_a_line_with_more_cells_than_the_header_is_reported(program):
    data = csv_bytes(GOOD[:2]) + b"dee@example.org,Dee, Jr.,mentee,,,,,,,\n"
    problems = roster_plan(program=program, sheet=read_roster_file(data, "r.csv")).problems
    assert problems[0].line == 3 and problems[0].column == ""
    assert "the header 10" in problems[0].reason


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("roster.pdf", b"%PDF-1.4 ...", "roster_wrong_type"),
        ("roster.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "roster_wrong_type"),
        ("roster.csv", "email,name\né,x\n".encode("latin-1"), "roster_not_utf8"),
        ("roster.xlsx", b"email,name,roles\n", "roster_wrong_type"),
        ("roster.xlsx", b"PK\x03\x04 not really a zip", "roster_bad_xlsx"),
        ("roster.csv", b"   \n", "roster_empty"),
        ("roster.csv", b"email,name\x00", "roster_wrong_type"),
    ],
)
def test_a_file_that_is_not_a_roster_is_refused_on_the_file_field(name, data, code):
    with pytest.raises(RosterFileError) as caught:
        read_roster_file(data, name)
    assert (caught.value.code, caught.value.field) == (code, "file")


def test_a_file_over_the_size_limit_is_refused(settings):
    data = b"x" * (limits.ROSTER_MAX_BYTES + 1)
    with pytest.raises(RosterFileError) as caught:
        read_roster_file(data, "roster.csv")
    assert caught.value.code == "roster_too_large"


def test_a_workbook_that_unzips_to_too_much_is_refused_before_reading():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "xl/worksheets/sheet1.xml", b"\0" * (limits.ROSTER_XLSX_MAX_UNZIPPED_BYTES + 1)
        )
    with pytest.raises(RosterFileError) as caught:
        read_roster_file(out.getvalue(), "roster.xlsx")
    assert caught.value.code == "roster_too_large"


def test_too_many_lines_are_refused(monkeypatch):
    monkeypatch.setattr(limits, "ROSTER_MAX_ROWS", 2)
    with pytest.raises(RosterFileError) as caught:
        read_roster_file(csv_bytes(GOOD), "roster.csv")
    assert caught.value.code == "roster_too_many_rows"


def test_headers_are_guessed_by_their_names():
    headers = ["E-mail", "Full name", "Role", "Office", "Department", "Manager", "Notes"]
    assert guess_mapping(headers) == {
        "E-mail": "email",
        "Full name": "name",
        "Role": "roles",
        "Office": "site",
        "Department": "team",
        "Manager": "manager_email",
        "Notes": "",
    }


def test_a_given_mapping_wins_over_the_guess(program):
    headers = ["Work address", "Name", "Roles", "Email"]
    mapping = resolve_mapping(headers, {"Work address": "email"})
    # "Email" would have been guessed as email: the admin chose another column for it.
    assert mapping == {"Work address": "email", "Name": "name", "Roles": "roles", "Email": ""}


def test_a_mapping_naming_a_header_the_file_lacks_is_refused():
    with pytest.raises(ServiceError) as caught:
        resolve_mapping(["email"], {"E-mail": "email"})
    assert caught.value.field == "mapping"


def test_two_headers_mapped_to_one_column_is_a_problem(program):
    rows = [["email", "name", "roles", "Email 2"], ["a@example.org", "A", "mentee", "b@x.org"]]
    sheet = read_roster_file(csv_bytes(rows), "r.csv")
    mapping = {"email": "email", "name": "name", "roles": "roles", "Email 2": "email"}
    problems = roster_plan(program=program, sheet=sheet, mapping=mapping).problems
    assert problems == [
        Problem(1, "email", "given by two columns ('email' and 'Email 2'): import only one")
    ]


def test_a_member_already_in_the_program_would_be_updated_or_left(program, mentor):
    rows = [
        ["email", "name", "roles", "site"],
        [mentor.email, "Priya Mentor", "mentor", "London"],
    ]
    plan = roster_plan(program=program, sheet=read_roster_file(csv_bytes(rows), "r.csv"))
    assert plan.counts() == {"created": 0, "updated": 0, "unchanged": 1, "invited": 0}
    rows[1][3] = "Paris"
    plan = roster_plan(program=program, sheet=read_roster_file(csv_bytes(rows), "r.csv"))
    assert plan.counts() == {"created": 0, "updated": 1, "unchanged": 0, "invited": 0}
    assert plan.members[0].profile_fields == {"site": "Paris"}
    assert Membership.objects.get(user=mentor).mentor_status == MentorStatus.APPROVED

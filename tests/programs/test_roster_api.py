"""POST /api/v1/programs/{slug}/roster: multipart file, dry_run, optional mapping; 422 with
every bad line (field, line, message) and nothing written; 404 to all but the admins."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from pairup.accounts.models import User
from pairup.accounts.services import api_token_create
from pairup.programs.models import AuditEntry, Membership

from .rosters import GOOD, csv_bytes, with_row, xlsx_bytes

pytestmark = pytest.mark.django_db


def post(user, data: bytes, name: str = "roster.csv", slug: str = "acme", **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    headers = {}
    if user is not None:
        _, raw = api_token_create(user=user, name="test")
        headers["Authorization"] = f"Bearer {raw}"
    return Client().post(
        f"/api/v1/programs/{slug}/roster",
        {"file": SimpleUploadedFile(name, data), **fields},
        headers=headers,
    )


def test_a_dry_run_counts_and_writes_nothing(program, admin):
    response = post(admin, csv_bytes(GOOD), dry_run="true")
    assert response.status_code == 200
    assert response.json() == {
        "dry_run": True,
        "file_name": "roster.csv",
        "lines": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "invited": 3,
        "pools_created": ["Data", "Sales", "Women in Tech"],
        "ignored_columns": [],
    }
    assert not User.objects.filter(email="ana@example.org").exists()


def test_an_import_commits_and_a_second_changes_nothing(program, admin):
    response = post(admin, xlsx_bytes(GOOD), "roster.xlsx")
    assert response.status_code == 200
    assert response.json()["created"] == 3
    assert Membership.objects.filter(program=program).count() == 4
    assert AuditEntry.objects.get(action="roster_imported").via == "api"
    again = post(admin, xlsx_bytes(GOOD), "roster.xlsx").json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)


def test_bad_lines_are_422_with_line_column_and_reason(program, admin):
    rows = with_row(GOOD, 2, "email", "ben(at)example.org")
    rows = with_row(rows, 3, "topics", "basket weaving")
    response = post(admin, csv_bytes(rows))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "roster_invalid"
    assert body["detail"] == (
        "roster.csv: 2 bad lines; nothing was imported. Fix them and import the file again."
    )
    assert [(e["field"], e["line"]) for e in body["errors"]] == [("email", 3), ("topics", 4)]
    assert body["errors"][0]["message"] == "'ben(at)example.org' is not an email address"
    assert not User.objects.filter(email="ana@example.org").exists()
    assert not AuditEntry.objects.exists()


def test_a_mapping_names_the_files_headers(program, admin):
    rows = [["Address", "Who", "Role"], ["a@example.org", "Ana", "mentee"]]
    mapping = json.dumps({"Address": "email", "Who": "name"})
    response = post(admin, csv_bytes(rows), mapping=mapping, dry_run="1")
    assert response.status_code == 200 and response.json()["created"] == 1


@pytest.mark.parametrize(
    ("mapping", "message"),
    [("not json", "Give the mapping as a JSON object"), ('{"Nope": "email"}', "no column named")],
)
def test_a_bad_mapping_is_422_naming_the_mapping(program, admin, mapping, message):
    response = post(admin, csv_bytes(GOOD), mapping=mapping)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "mapping" and message in error["message"]


def test_a_file_of_the_wrong_type_is_422_naming_the_file(program, admin):
    response = post(admin, b"%PDF-1.4", "roster.pdf")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "file", "message": "Upload a CSV file (.csv) or an Excel workbook (.xlsx)."}
    ]


def test_no_file_is_422_naming_it(program, admin):
    _, raw = api_token_create(user=admin, name="t")
    response = Client().post(
        "/api/v1/programs/acme/roster", {}, headers={"Authorization": f"Bearer {raw}"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"


@pytest.mark.parametrize("who", ["mentee", "mentor", "outsider"])
def test_anyone_but_the_programs_admins_gets_404(program, who, request):
    person = request.getfixturevalue(who)
    response = post(person, csv_bytes(GOOD))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not User.objects.filter(email="ana@example.org").exists()


def test_an_admin_of_another_program_gets_404_there(program, admin, outsider):
    assert post(outsider, csv_bytes(GOOD), slug="acme").status_code == 404
    assert post(admin, csv_bytes(GOOD), slug="globex").status_code == 404


def test_signed_out_is_401(program):
    assert post(None, csv_bytes(GOOD)).status_code == 401

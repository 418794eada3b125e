"""The import pages: upload (wrong type → error beside the field), column mapping, the dry
run's report, commit; the file stays on the server between steps; 404 for anyone but the
program's admins (and for another admin's upload)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from pairup.accounts.models import User
from pairup.core import limits
from pairup.programs.models import AuditEntry, Membership, RosterUpload
from tests.factories import UserFactory

from .rosters import GOOD, csv_bytes, with_row, xlsx_bytes

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client, data: bytes, name: str = "roster.csv"):
    return client.post("/p/acme/import/", {"file": SimpleUploadedFile(name, data)})


def test_the_program_page_and_members_page_link_to_the_import(program, admin):
    client = client_for(admin)
    assert b'href="/p/acme/import/"' in client.get("/p/acme/").content
    assert b'href="/p/acme/import/"' in client.get("/p/acme/members/").content


def test_a_file_of_the_wrong_type_is_refused_beside_the_field(program, admin):
    response = upload(client_for(admin), b"%PDF-1.4", "roster.pdf")
    assert response.status_code == 422
    assert response.context["form"].errors == {
        "file": ["Upload a CSV file (.csv) or an Excel workbook (.xlsx)."]
    }
    assert b'id="id_file_error"' in response.content
    assert not RosterUpload.objects.exists()


def test_a_file_over_the_limit_is_refused_beside_the_field(program, admin, monkeypatch):
    monkeypatch.setattr(limits, "ROSTER_MAX_BYTES", 100)
    response = upload(client_for(admin), csv_bytes(GOOD))
    assert response.status_code == 422
    assert "the limit is" in response.context["form"].errors["file"][0]


def test_upload_map_dry_run_and_commit(program, admin):
    client = client_for(admin)
    # The admin's file names its columns its own way.
    rows = [["Corporate address", "Full name", "Role", "Office", "Notes"]] + [
        [r[0], r[1], r[2], r[3], "x"] for r in GOOD[1:]
    ]
    rows = with_row(rows, 2, "email", "ben(at)example.org")  # one bad line
    response = upload(client, csv_bytes(rows))
    kept = RosterUpload.objects.get()
    assert response["Location"] == f"/p/acme/import/{kept.token}/"
    page = client.get(response["Location"])
    plan = page.context["plan"]
    # "Corporate address" is not a name we know: the dry run asks for the email column.
    assert [(p.line, p.column) for p in plan.problems] == [(1, "email")]
    form = page.context["form"]
    assert {form[n].label: form[n].initial for n in form.headers} == {
        "Corporate address": "",
        "Full name": "name",
        "Role": "roles",
        "Office": "site",
        "Notes": "",
    }
    # Map it in the page: now line 3 is the one bad line, and nothing can be imported.
    mapping = {"column_0": "email", "column_1": "name", "column_2": "roles", "column_3": "site"}
    response = client.post(f"/p/acme/import/{kept.token}/", mapping)
    assert response.status_code == 302
    page = client.get(f"/p/acme/import/{kept.token}/")
    plan = page.context["plan"]
    assert [(p.line, p.column, p.reason) for p in plan.problems] == [
        (3, "email", "'ben(at)example.org' is not an email address")
    ]
    assert (plan.created, plan.updated, plan.unchanged) == (2, 0, 0)
    assert b"Line 3" in page.content and b"/commit/" not in page.content
    # Committing anyway writes nothing.
    response = client.post(f"/p/acme/import/{kept.token}/commit/")
    assert response.status_code == 302 and not User.objects.filter(email="ana@example.org").exists()
    # The fixed file imports.
    fixed = with_row(rows, 2, "email", "ben@example.org")
    response = upload(client, csv_bytes(fixed))
    token = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    client.post(f"/p/acme/import/{token}/", mapping)
    page = client.get(f"/p/acme/import/{token}/")
    assert page.context["plan"].problems == [] and b"Import 3 lines" in page.content
    response = client.post(f"/p/acme/import/{token}/commit/")
    assert response["Location"] == "/p/acme/members/"
    assert Membership.objects.filter(program=program).count() == 4
    assert not RosterUpload.objects.filter(token=token).exists()
    entry = AuditEntry.objects.get(program=program, action="roster_imported")
    assert entry.via == "web" and entry.actor == admin


def test_an_xlsx_upload_reads_like_the_csv(program, admin):
    client = client_for(admin)
    response = upload(client, xlsx_bytes(GOOD), "roster.xlsx")
    page = client.get(response["Location"])
    assert page.context["plan"].problems == []
    assert page.context["plan"].created == 3


def test_commit_imports_the_kept_file_not_one_sent_again(program, admin):
    client = client_for(admin)
    token = upload(client, csv_bytes(GOOD[:2]))["Location"].rstrip("/").rsplit("/", 1)[-1]
    other = SimpleUploadedFile("r.csv", csv_bytes(GOOD))
    client.post(f"/p/acme/import/{token}/commit/", {"file": other})
    assert sorted(
        Membership.objects.filter(program=program).values_list("user__email", flat=True)
    ) == [
        "admin@example.org",
        "ana@example.org",
    ]


@pytest.mark.parametrize("who", ["mentee", "outsider", "other_admin"])
def test_the_import_pages_are_404_to_anyone_but_the_programs_admins(program, admin, who, request):
    token = upload(client_for(admin), csv_bytes(GOOD))["Location"].rstrip("/").rsplit("/", 1)[-1]
    if who == "other_admin":
        person = UserFactory()
        Membership.objects.create(program=program, user=person, is_admin=True)
    else:
        person = request.getfixturevalue(who)
    client = client_for(person)
    expected = 404 if who != "other_admin" else 200
    assert client.get("/p/acme/import/").status_code == expected
    # Another admin of the same program cannot open or commit someone else's upload.
    assert client.get(f"/p/acme/import/{token}/").status_code == 404
    assert client.post(f"/p/acme/import/{token}/commit/").status_code == 404
    assert not User.objects.filter(email="ana@example.org").exists()


def test_an_upload_past_its_time_is_gone(program, admin):
    client = client_for(admin)
    token = upload(client, csv_bytes(GOOD))["Location"].rstrip("/").rsplit("/", 1)[-1]
    RosterUpload.objects.update(created_at=timezone.now() - timedelta(hours=3))
    assert client.get(f"/p/acme/import/{token}/").status_code == 404
    upload(client, csv_bytes(GOOD))  # the next upload clears expired ones away
    assert RosterUpload.objects.count() == 1


def test_signed_out_people_are_sent_to_sign_in(program):
    response = Client().get("/p/acme/import/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]

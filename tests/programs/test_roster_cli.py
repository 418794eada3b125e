"""`pairup import-roster PROGRAM FILE [--dry-run]`: commits unless --dry-run, as the operator
(the audit log says "command line"); bad input exits 2 with `FILE:LINE: column 'x': …`
and writes nothing; an unknown program exits 2 with a message."""

from __future__ import annotations

import pytest

from pairup.accounts.models import User
from pairup.cli import main
from pairup.programs.models import AuditEntry, Membership

from .rosters import GOOD, csv_bytes, with_row, xlsx_bytes

# The `pairup` command closes the database connections when it ends, as Django's commands
# do: these tests run outside a test transaction.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run(*args: str) -> int:
    try:
        return main(["import-roster", *args])
    except SystemExit as exc:
        return int(exc.code or 0)


def test_import_commits_as_the_operator(program, tmp_path, capsys):
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes(GOOD))
    assert run("acme", str(path)) == 0
    out = capsys.readouterr()
    assert out.out.strip() == (
        f"Imported {path} into Acme Mentoring: 3 added, 0 updated, 0 unchanged; new pools: "
        "Data, Sales, Women in Tech. 3 new people are invited by email."
    )
    assert "checking" not in out.err  # piped: no progress bar
    assert Membership.objects.filter(program=program).count() == 3
    entry = AuditEntry.objects.get(program=program, action="roster_imported")
    assert (entry.via, entry.actor, entry.get_via_display()) == ("cli", None, "Command line")
    # The same file again: nothing changes.
    assert run("acme", str(path)) == 0
    assert "0 added, 0 updated, 3 unchanged" in capsys.readouterr().out


def test_a_terminal_shows_a_progress_bar(program, tmp_path, capsys, monkeypatch):
    import sys

    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes(GOOD))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert run("acme", str(path), "--dry-run") == 0
    assert "checking:   0%|" in capsys.readouterr().err  # leave=False: cleared at the end


def test_a_dry_run_writes_nothing(program, tmp_path, capsys):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(xlsx_bytes(GOOD))
    assert run("acme", str(path), "--dry-run") == 0
    assert capsys.readouterr().out.strip() == (
        f"Dry run of {path} into Acme Mentoring: 3 lines, all good. Would add 3, update 0, "
        "leave 0 unchanged, and invite 3 new people; new pools: Data, Sales, Women in Tech. "
        "Nothing was written."
    )
    assert not User.objects.filter(email="ana@example.org").exists()
    assert not AuditEntry.objects.exists()


def test_bad_lines_exit_2_naming_each_line_and_write_nothing(program, tmp_path, capsys):
    rows = with_row(GOOD, 1, "email", "ana(at)example.org")
    rows = with_row(rows, 3, "roles", "boss")
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes(rows))
    assert run("acme", str(path)) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"{path}:2: column 'email': 'ana(at)example.org' is not an email address",
        f"{path}:4: column 'roles': unknown role 'boss': use mentor, mentee or admin",
        f"pairup import-roster: 2 bad lines in {path}; nothing was imported.",
    ]
    assert not User.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_missing_column_is_line_1(program, tmp_path, capsys):
    path = tmp_path / "roster.csv"
    path.write_bytes(b"email,roles\nana@example.org,mentor\n")
    assert run("acme", str(path), "--dry-run") == 2
    assert capsys.readouterr().err.splitlines()[0] == (
        f"{path}:1: column 'name': missing: no column of the file gives it"
    )


def test_an_unknown_program_exits_2_with_a_message(tmp_path, capsys, db):
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes(GOOD))
    assert run("no-such-program", str(path)) == 2
    assert capsys.readouterr().err.strip() == (
        "pairup import-roster: no program has the slug 'no-such-program'."
    )


def test_a_missing_or_wrong_file_exits_2(program, tmp_path, capsys):
    assert run("acme", str(tmp_path / "nope.csv")) == 2
    assert capsys.readouterr().err.startswith(f"{tmp_path / 'nope.csv'}: cannot read: ")
    path = tmp_path / "roster.pdf"
    path.write_bytes(b"%PDF-1.4")
    assert run("acme", str(path)) == 2
    assert capsys.readouterr().err.strip() == (
        f"{path}: Upload a CSV file (.csv) or an Excel workbook (.xlsx)."
    )

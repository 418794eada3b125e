"""Roster files for the import tests: the same rows as CSV or as an XLSX workbook."""

from __future__ import annotations

import csv
import io

HEADER = ["email", "name", "roles", "site", "team", "manager_email", "pools", "timezone",
          "languages", "topics"]  # fmt: skip
GOOD = [
    HEADER,
    ["ana@example.org", "Ana Lima", "mentor", "London", "Data", "mo@example.org",
     "Women in Tech", "Europe/London", "en;pt", "sql;negotiating-an-offer"],
    ["ben@example.org", "Ben Okafor", "mentee", "Lagos", "Sales", "", "", "Africa/Lagos",
     "English", "Public speaking"],
    ["cy@example.org", "Cy Park", "mentor;mentee", "Seoul", "Data", "ana@example.org", "",
     "", "ko;en", ""],
]  # fmt: skip


def csv_bytes(rows: list[list[str]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_row(rows: list[list[str]], index: int, column: str, value: str) -> list[list[str]]:
    """A copy of `rows` with one cell changed (index 1 is the first line after the header)."""
    changed = [list(r) for r in rows]
    changed[index][HEADER.index(column)] = value
    return changed

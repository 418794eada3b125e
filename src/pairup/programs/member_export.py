"""The member list as CSV, streamed row by row (a 20,000-member program never sits in memory
as one string): the same filters and order as the page. The columns are those of a roster
import (`email`, `name`, `roles` joined by ";", `site`, `pools`), then what only an export
has: mentor status, when they joined and were last active (UTC, ISO 8601)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone

from .member_queries import ROLES, MemberFilters, pool_names, program_member_rows
from .models import Program

COLUMNS = [
    "email",
    "name",
    "roles",
    "site",
    "pools",
    "mentor_status",
    "joined_at",
    "last_active_at",
]
CHUNK = 2000
# A cell a spreadsheet would read as a formula is written as text (a leading apostrophe).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Line:
    """csv.writer's file: hands back each line instead of keeping it."""

    def write(self, value: str) -> str:
        return value


def _cell(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_START) else value


def _when(value: datetime | None) -> str:
    return value.astimezone(UTC).isoformat() if value is not None else ""


def member_csv_lines(program: Program, filters: MemberFilters) -> Iterator[str]:
    """The header, then the rows in blocks of CHUNK (one string each): for each block one
    query for its pools, besides the one query that streams the rows."""
    writer = csv.writer(_Line())
    yield writer.writerow(COLUMNS)
    block: list[tuple] = []
    for row in program_member_rows(program, filters).iterator(chunk_size=CHUNK):
        block.append(row)
        if len(block) == CHUNK:
            yield _lines(writer, block)
            block = []
    if block:
        yield _lines(writer, block)


def _lines(writer: Any, block: list[tuple]) -> str:
    pools = pool_names([row[0] for row in block])
    return "".join(
        writer.writerow(
            [
                _cell(email),
                _cell(name),
                ";".join(r for r, on in zip(ROLES, (mentor, mentee, admin), strict=True) if on),
                _cell(site),
                _cell(";".join(pools.get(pk, []))),
                status if mentor else "",
                _when(joined),
                _when(last_login),
            ]
        )
        for pk, email, name, mentor, mentee, admin, status, site, joined, last_login in block
    )


def member_csv_response(program: Program, filters: MemberFilters) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        member_csv_lines(program, filters), content_type="text/csv; charset=utf-8"
    )
    day = timezone.now().date().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{program.slug}-members-{day}.csv"'
    return response

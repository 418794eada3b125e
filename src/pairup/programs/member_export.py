"""The member list as CSV, streamed row by row (a 20,000-member program never sits in memory
as one string): the same filters and order as the page. The columns are those of a roster
import (`email`, `name`, `roles` joined by ";", `site`, `pools`), then what only an export
has: mentor status, when they joined and were last active (UTC, ISO 8601)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime

from django.http import StreamingHttpResponse
from django.utils import timezone

from .member_queries import MemberFilters, program_member_list
from .models import Membership, Program

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


def _row(m: Membership) -> list[str]:
    profile = m.user.profile
    return [
        _cell(m.user.email),
        _cell(profile.display_name),
        ";".join(m.roles),
        _cell(profile.site),
        _cell(";".join(p.name for p in m.pools.all())),
        m.mentor_status if m.is_mentor else "",
        _when(m.joined_at),
        _when(m.user.last_login),
    ]


def member_csv_lines(program: Program, filters: MemberFilters) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield writer.writerow(COLUMNS)
    for m in program_member_list(program, filters).iterator(chunk_size=CHUNK):
        yield writer.writerow(_row(m))


def member_csv_response(program: Program, filters: MemberFilters) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        member_csv_lines(program, filters), content_type="text/csv; charset=utf-8"
    )
    day = timezone.now().date().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{program.slug}-members-{day}.csv"'
    return response

"""Roster files: reading a CSV or XLSX roster, mapping its columns to ours, and checking
every line. The import page, the API and `pairup import-roster` all go through here, so
they accept and refuse the same files with the same words. `roster_plan` compares the good
lines with the program; `roster_services.roster_import` writes. Nothing here writes.

Lines are counted as a spreadsheet counts rows: the header is line 1. A problem names the
line, our column and the reason (`Problem`); a file that cannot be read at all (wrong type,
too large, not UTF-8, a damaged workbook) is a `RosterFileError` on the field `file`.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from typing import Any, TypeVar

from django.conf.locale import LANG_INFO
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet

from pairup.core import limits
from pairup.core.errors import ServiceError
from pairup.core.validators import (
    COMMON_LANGUAGE_NAMES,
    COMMON_LANGUAGES,
    language_name,
    text_problem,
    timezone_names,
)
from pairup.topics.models import Topic

T = TypeVar("T")
# A progress wrapper (`pairup.engine.cli.progress` on a terminal): items, total, label.
Progress = Callable[[Iterable[Any], int, str], Iterable[Any]]

# Our columns, in the order the page lists them, with what each holds.
COLUMNS: dict[str, str] = {
    "email": "Work email: who the person is (required)",
    "name": "Name shown to others (required)",
    "roles": "mentor, mentee and/or admin, joined by ; (required)",
    "site": "Site or office",
    "team": "Team: a pool of the program (made if new)",
    "manager_email": "Manager's email: never matched with their manager",
    "pools": "Other pools, joined by ; (made if new)",
    "timezone": "Time zone, e.g. Europe/London",
    "languages": "Languages, e.g. en;fr or English;French",
    "topics": "Topics by slug or name, joined by ;",
}
REQUIRED = ("email", "name", "roles")
ROLES = ("mentor", "mentee", "admin")
EMAIL_MAX_LENGTH = 254
# Names a spreadsheet may give our columns (compared lower-cased, without - _ ' and extra
# spaces): the page's first guess, which the admin can change.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "email": ("email", "email address", "work email", "mail", "emailaddress"),
    "name": ("name", "full name", "display name", "person", "employee", "employee name"),
    "roles": ("roles", "role", "program role", "program roles"),
    "site": ("site", "office", "location"),
    "team": ("team", "department", "dept"),
    "manager_email": (
        "manager email",
        "manageremail",
        "managers email",
        "manager",
        "reports to",
        "line manager",
    ),
    "pools": ("pools", "pool", "groups", "group"),
    "timezone": ("timezone", "time zone", "tz"),
    "languages": ("languages", "language", "langs"),
    "topics": ("topics", "topic", "expertise", "skills"),
}
# The page and the API list this many problems, then say how many more (the command line
# prints them all): a file of 20,000 bad lines must not make a page or a body of megabytes.
PROBLEMS_SHOWN = 1000
# How long an upload waits on the server between the page's steps.
UPLOAD_HOURS = 2
SUFFIXES = (".csv", ".xlsx")
ACCEPT = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RosterFileError(ServiceError):
    """The file cannot be read as a roster at all (field `file`)."""

    def __init__(self, detail: str, *, code: str = "roster_file", line: int | None = None):
        super().__init__(detail, code=code, field="file")
        self.line = line


@dataclass(frozen=True, order=True)
class Problem:
    """One bad line: its number (the header is line 1), our column ("" for the whole line)
    and what is wrong."""

    line: int
    column: str
    reason: str

    def where(self, file_name: str) -> str:
        """`FILE:LINE: column 'x': reason`, as the engine's command line reports input."""
        column = f"column '{self.column}': " if self.column else ""
        return f"{file_name}:{self.line}: {column}{self.reason}"


@dataclass(frozen=True)
class Sheet:
    """A roster file as read: its header (line 1) and every line that holds something,
    with its line number and cells as text, stripped."""

    file_name: str
    headers: list[str]
    rows: list[tuple[int, list[str]]]
    kind: str  # "csv" or "xlsx"


# ----------------------------------------------------------------------------- reading


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MB"


def read_roster_file(data: bytes, file_name: str) -> Sheet:
    """Read a roster: a CSV file (UTF-8, comma, semicolon or tab separated) or an Excel
    workbook (.xlsx, its first sheet). Raises RosterFileError for anything else, for a file
    over ROSTER_MAX_BYTES or ROSTER_MAX_ROWS lines, or one that is damaged."""
    name = file_name.strip() or "roster"
    if len(data) > limits.ROSTER_MAX_BYTES:
        raise RosterFileError(
            f"This file is {_megabytes(len(data))}; the limit is "
            f"{limits.ROSTER_MAX_BYTES // 2**20} MB. Split the roster into smaller files.",
            code="roster_too_large",
        )
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise RosterFileError(
            "This is an Excel 97-2003 workbook (.xls): save it as .xlsx or as CSV UTF-8 "
            "and upload that.",
            code="roster_wrong_type",
        )
    if suffix not in SUFFIXES:
        raise RosterFileError(
            "Upload a CSV file (.csv) or an Excel workbook (.xlsx).", code="roster_wrong_type"
        )
    if not data.strip():
        raise RosterFileError("This file is empty.", code="roster_empty")
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, name)
    if suffix == ".xlsx":
        raise RosterFileError(
            "This file is not an Excel workbook, whatever its name says: save it from your "
            "spreadsheet as .xlsx or CSV UTF-8.",
            code="roster_wrong_type",
        )
    return _read_csv(data, name)


def _delimiter(header_line: str) -> str:
    # The header names at least email, name and roles: a comma file has commas there; a
    # spreadsheet in a comma-decimal locale writes semicolons; some tools write tabs.
    counts = {d: header_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(data: bytes, name: str) -> Sheet:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterFileError(
            "This file is not UTF-8 text. Save it from your spreadsheet as “CSV UTF-8”, "
            "or upload the .xlsx workbook itself.",
            code="roster_not_utf8",
        ) from None
    if "\x00" in text:
        raise RosterFileError(
            "This file holds binary data, not CSV text.", code="roster_wrong_type"
        )
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first))
    rows: list[tuple[int, list[str]]] = []
    headers: list[str] | None = None
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise RosterFileError(
                f"Line {start}: this is not valid CSV ({exc}).", code="roster_bad_csv", line=start
            ) from None
        line, start = start, reader.line_num + 1
        cells = [c.strip() for c in cells]
        if headers is None:
            headers = cells
            continue
        if any(cells):
            rows.append((line, cells))
            _check_row_count(len(rows))
    return Sheet(name, headers or [], rows, "csv")


def _check_row_count(count: int) -> None:
    if count > limits.ROSTER_MAX_ROWS:
        raise RosterFileError(
            f"This roster has more than {limits.ROSTER_MAX_ROWS:,} lines: split it into "
            "smaller files.",
            code="roster_too_many_rows",
        )


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()


def _read_xlsx(data: bytes, name: str) -> Sheet:
    damaged = RosterFileError(
        "This workbook cannot be read (damaged, password-protected, or not .xlsx): save it "
        "again from your spreadsheet as .xlsx or CSV UTF-8.",
        code="roster_bad_xlsx",
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise damaged from None
    if unzipped > limits.ROSTER_XLSX_MAX_UNZIPPED_BYTES:
        raise RosterFileError(
            f"This workbook unpacks to {_megabytes(unzipped)}, more than a roster needs: "
            "save just the roster sheet as CSV UTF-8.",
            code="roster_too_large",
        )
    from openpyxl import load_workbook

    headers: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    try:
        # openpyxl parses the sheet's XML through defusedxml (installed with PairUp), so
        # entity tricks are refused; read-only mode streams the rows.
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            sheet.reset_dimensions()  # some writers record wrong dimensions: read the data
            for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [_cell_text(v) for v in values]
                if headers is None:
                    headers = cells
                    continue
                if any(cells):
                    rows.append((line, cells))
                    _check_row_count(len(rows))
        finally:
            book.close()
    except RosterFileError:
        raise
    except Exception:  # any failure of the parser on an upload means "damaged"
        raise damaged from None
    return Sheet(name, headers or [], rows, "xlsx")


# ----------------------------------------------------------------------------- mapping


def _normal(header: str) -> str:
    text = header.lower().replace("_", " ").replace("-", "").replace("'", "").replace("’", "")
    return " ".join(text.split())


def guess_mapping(headers: Sequence[str]) -> dict[str, str]:
    """Our column for each header of the file, guessed by name ("" for one we do not
    import); each of our columns goes to the first header that names it."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        if not header or header in mapping:
            continue
        normal = _normal(header)
        column = next(
            (
                c
                for c, names in SYNONYMS.items()
                if c not in taken and (normal in names or normal == c.replace("_", " "))
            ),
            "",
        )
        mapping[header] = column
        if column:
            taken.add(column)
    return mapping


def resolve_mapping(headers: Sequence[str], given: Mapping[str, str] | None) -> dict[str, str]:
    """The mapping to use: `given` (header → our column, "" to skip it) for the headers it
    names, the guess for the others. Raises ServiceError (field `mapping`) when `given`
    names a header the file does not have, or a column we do not have."""
    mapping = guess_mapping(headers)
    if not given:
        return mapping
    named = {h for h in headers if h}
    for header, column in given.items():
        if header not in named:
            raise ServiceError(
                f"The file has no column named {header!r} (its columns: "
                f"{', '.join(repr(h) for h in headers if h)}).",
                code="unknown_header",
                field="mapping",
            )
        if column and column not in COLUMNS:
            raise ServiceError(
                f"{column!r} is not a roster column (ours: {', '.join(COLUMNS)}).",
                code="unknown_column",
                field="mapping",
            )
    # Given headers first: a column given explicitly wins over a guessed one.
    for header in mapping:
        if header in given:
            mapping[header] = given[header]
    for header, column in mapping.items():
        if header not in given and column and column in given.values():
            mapping[header] = ""
    return mapping


def mapping_problems(headers: Sequence[str], mapping: Mapping[str, str]) -> list[Problem]:
    """What is wrong with a mapping, on line 1: a required column no header maps to, a
    column two headers map to, a mapped header the file has twice."""
    problems = []
    by_column: dict[str, list[str]] = {}
    for header, column in mapping.items():
        if column:
            by_column.setdefault(column, []).append(header)
    for column in COLUMNS:
        sources = by_column.get(column, [])
        if column in REQUIRED and not sources:
            problems.append(Problem(1, column, "missing: no column of the file gives it"))
        elif len(sources) > 1:
            problems.append(
                Problem(
                    1,
                    column,
                    f"given by two columns ({' and '.join(repr(s) for s in sources)}): "
                    "import only one",
                )
            )
        elif sources and list(headers).count(sources[0]) > 1:
            problems.append(
                Problem(1, column, f"the file has two columns named {sources[0]!r}: rename one")
            )
    return problems


# ----------------------------------------------------------------------------- lines


@dataclass(frozen=True)
class RosterLine:
    """One good line of a roster. None (or an empty tuple) means the cell was empty or the
    column absent: the value stays as it is."""

    line: int
    email: str
    name: str
    roles: frozenset[str]
    site: str | None = None
    team: str | None = None
    manager_email: str | None = None
    pools: tuple[str, ...] = ()
    timezone: str | None = None
    languages: tuple[str, ...] = ()
    topics: tuple[int, ...] = ()  # Topic ids


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


@cache
def _timezones() -> dict[str, str]:
    return {name.lower(): name for name in timezone_names()}


@cache
def _languages() -> dict[str, str]:
    """Language codes Django knows and the curated languages' names (English and their
    own, e.g. "French", "français"), lower-cased, to the code profiles store."""
    known = {code.lower(): code for code, info in LANG_INFO.items() if "name" in info}
    for code in COMMON_LANGUAGES:
        names = [language_name(code), *COMMON_LANGUAGE_NAMES.get(code, ())]
        local = LANG_INFO.get(code, {}).get("name_local")
        if local:
            names.append(local)
        for label in names:
            known.setdefault(label.lower(), code)
    return known


class _TopicIndex:
    """The topics a line may name: those its program offers (queries.program_topics), or
    the whole taxonomy when no program is given."""

    def __init__(self, topics: QuerySet[Topic] | None = None) -> None:
        self.by_slug: dict[str, int] = {}
        self.by_name: dict[str, list[tuple[int, str]]] = {}
        offered = topics if topics is not None else Topic.objects.all()
        for pk, slug, name in offered.values_list("pk", "slug", "name"):
            self.by_slug[slug.lower()] = pk
            self.by_name.setdefault(name.lower(), []).append((pk, slug))

    def find(self, text: str) -> tuple[int | None, str]:
        key = text.lower()
        if key in self.by_slug:
            return self.by_slug[key], ""
        found = self.by_name.get(key, [])
        if len(found) == 1:
            return found[0][0], ""
        if found:
            slugs = ", ".join(slug for _, slug in found)
            return None, f"{text!r} names more than one topic: give its slug ({slugs})"
        return None, (
            f"unknown topic {text!r}: give the slug or name of a topic the program offers "
            "(see its settings, or /api/v1/topics)"
        )


def _email(cell: str) -> str:
    email = cell.strip().lower()
    problem = text_problem(email)
    if problem:
        raise ValueError(problem)
    if len(email) > EMAIL_MAX_LENGTH:
        raise ValueError(f"at most {EMAIL_MAX_LENGTH} characters")
    try:
        validate_email(email)
    except ValidationError:
        raise ValueError(f"{cell!r} is not an email address") from None
    return email


def _text(cell: str, max_length: int) -> str:
    problem = text_problem(cell)
    if problem:
        raise ValueError(problem)
    if len(cell) > max_length:
        raise ValueError(f"at most {max_length} characters (this has {len(cell):,})")
    return cell


class _LineReader:
    """Checks the cells of one line at a time, collecting every problem."""

    def __init__(
        self, mapping: Mapping[str, str], sheet: Sheet, topics: QuerySet[Topic] | None = None
    ) -> None:
        headers = sheet.headers
        self.index = {column: headers.index(header) for header, column in mapping.items() if column}
        # A CSV line with more cells than the header has a comma where a quote was needed,
        # and its values have moved; a workbook's cells cannot move, and a note in a
        # column without a header is no part of the roster.
        self.width = len(headers) if sheet.kind == "csv" else None
        self.topics = _TopicIndex(topics)
        self.seen: dict[str, int] = {}

    def read(self, line: int, cells: list[str]) -> tuple[RosterLine | None, list[Problem]]:
        problems: list[Problem] = []
        values: dict[str, Any] = {}
        if self.width is not None and len(cells) > self.width:
            # Its values have moved: what each column would say is not worth reporting.
            reason = (
                f"the line has {len(cells)} cells, the header {self.width} (put a value "
                "that holds a comma in double quotes)"
            )
            return None, [Problem(line, "", reason)]
        for column, position in self.index.items():
            cell = cells[position] if position < len(cells) else ""
            if not cell:
                if column in REQUIRED:
                    problems.append(Problem(line, column, "missing: this column is required"))
                continue
            try:
                values[column] = self._value(column, cell, values)
            except ValueError as exc:
                problems.append(Problem(line, column, str(exc)))
        email = values.get("email")
        if email is not None:
            if email in self.seen:
                problems.append(
                    Problem(line, "email", f"{email} is already on line {self.seen[email]}")
                )
            else:
                self.seen[email] = line
        manager = values.get("manager_email")
        if email is not None and manager == email:
            problems.append(Problem(line, "manager_email", "a person cannot be their own manager"))
        if problems:
            return None, problems
        return RosterLine(line=line, **values), []

    def _value(self, column: str, cell: str, values: dict[str, Any]) -> object:
        if column in ("email", "manager_email"):
            return _email(cell)
        if column == "name":
            return _text(cell, limits.DISPLAY_NAME_MAX_LENGTH)
        if column == "site":
            return _text(cell, limits.SITE_MAX_LENGTH)
        if column == "team":
            return _text(cell, limits.POOL_NAME_MAX_LENGTH)
        if column == "roles":
            roles = []
            for part in _split(cell):
                role = part.lower()
                if role.endswith("s") and role[:-1] in ROLES:
                    role = role[:-1]  # "mentors", "Admins"
                if role not in ROLES:
                    hint = " (join roles with ;)" if "," in part or " " in part else ""
                    raise ValueError(f"unknown role {part!r}: use mentor, mentee or admin{hint}")
                roles.append(role)
            if not roles:
                raise ValueError("missing: give mentor, mentee and/or admin")
            return frozenset(roles)
        if column == "pools":
            names = list(dict.fromkeys(_text(p, limits.POOL_NAME_MAX_LENGTH) for p in _split(cell)))
            if len(names) > limits.ROSTER_POOLS_MAX:
                raise ValueError(f"at most {limits.ROSTER_POOLS_MAX} pools (this has {len(names)})")
            return tuple(names)
        if column == "timezone":
            zone = _timezones().get(cell.lower())
            if zone is None:
                raise ValueError(
                    f"{cell!r} is not a time zone we know: use an IANA name such as Europe/London"
                )
            return zone
        if column == "languages":
            codes = []
            for part in _split(cell):
                code = _languages().get(part.lower())
                if code is None:
                    raise ValueError(
                        f"unknown language {part!r}: use a code such as en or fr, or a name "
                        "such as English"
                    )
                codes.append(code)
            codes = list(dict.fromkeys(codes))
            if len(codes) > limits.LANGUAGES_MAX:
                raise ValueError(f"at most {limits.LANGUAGES_MAX} languages")
            return tuple(codes)
        if column == "topics":
            ids = []
            for part in _split(cell):
                pk, problem = self.topics.find(part)
                if pk is None:
                    raise ValueError(problem)
                ids.append(pk)
            ids = list(dict.fromkeys(ids))
            if len(ids) > limits.EXPERTISE_MAX:
                raise ValueError(f"at most {limits.EXPERTISE_MAX} topics")
            return tuple(ids)
        raise ValueError(f"unknown column {column!r}")  # pragma: no cover (COLUMNS only)


def _progress(progress: Progress | None, items: Sequence[T], label: str) -> Iterable[T]:
    return progress(items, len(items), label) if progress is not None else items


def read_lines(
    sheet: Sheet,
    mapping: Mapping[str, str],
    progress: Progress | None = None,
    topics: QuerySet[Topic] | None = None,
) -> tuple[list[RosterLine], list[Problem]]:
    """Every good line, and every problem (the mapping's on line 1 first, then each bad
    cell, in line order). With a mapping problem the lines are not read."""
    problems = mapping_problems(sheet.headers, mapping)
    if problems:
        return [], problems
    reader = _LineReader(mapping, sheet, topics)
    lines = []
    for number, cells in _progress(progress, sheet.rows, "checking"):
        line, found = reader.read(number, cells)
        problems += found
        if line is not None:
            lines.append(line)
    return lines, problems

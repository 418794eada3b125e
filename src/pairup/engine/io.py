"""Reading mentors and asks from JSON Lines or CSV, strictly, and writing results atomically.

Every problem is reported as `FILE:LINE: field 'x': what is wrong` (`InputError`). CSV cells
hold lists as `;`-separated items, windows as `start/end`, topic levels as `path:level`;
an empty cell means "not given"; an all-digit CSV id (no leading zero) is read as an integer
so JSONL and CSV twins of the same data agree.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pairup.engine.records import LEVELS, Ask, HistoryItem, Id, Mentor, TopicLevel, Window

MENTOR_FIELDS = [
    "id",
    "name",
    "text",
    "history",
    "topics",
    "capacity",
    "load",
    "site",
    "languages",
    "timezone",
    "free",
]
ASK_FIELDS = [
    "id",
    "text",
    "topics",
    "site",
    "languages",
    "timezone",
    "duration",
    "free",
    "exclude",
]


class InputError(ValueError):
    """Bad input; str(error) is the message to print."""


class _FieldError(ValueError):
    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"field '{field}': {problem}")


def _rows(path: Path, allowed: list[str], kind: str) -> Iterator[tuple[int, dict[str, Any], bool]]:
    """(line number, raw record, is_csv) for each non-empty record of the file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc
    if path.suffix.lower() == ".csv":
        yield from _csv_rows(path, text, allowed, kind)
        return
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{n}: not valid JSON: {exc.msg}") from exc
        if not isinstance(obj, dict):
            raise InputError(f"{path}:{n}: a record must be a JSON object")
        yield n, obj, False


def _csv_rows(
    path: Path, text: str, allowed: list[str], kind: str
) -> Iterator[tuple[int, dict[str, Any], bool]]:
    """CSV records, strictly: the header (line 1) names only known, distinct columns, and
    every row has exactly one cell per column. A row cut short or run long would otherwise
    shift or drop values (a capacity read as a load) and change scores without a word."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        return
    except csv.Error as exc:
        raise InputError(f"{path}:{reader.line_num}: not valid CSV: {exc}") from None
    where = f"{path}:{reader.line_num}"
    for number, name in enumerate(header, start=1):
        if not name:
            raise InputError(f"{where}: column {number} has no name")
        if name not in allowed:
            raise InputError(
                f"{where}: field '{name}': unknown column for a {kind} "
                f"(known: {', '.join(allowed)})"
            )
        if name in header[: number - 1]:
            raise InputError(f"{where}: field '{name}': column given twice")
    if "id" not in header:
        raise InputError(f"{where}: field 'id': missing column")
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"{path}:{reader.line_num}: not valid CSV: {exc}") from None
        # A blank line, or a row of empty cells (spreadsheets add those), holds no record.
        if not any(cell.strip() for cell in cells):
            continue
        where = f"{path}:{reader.line_num}"
        if len(cells) < len(header):
            raise InputError(
                f"{where}: field '{header[len(cells)]}': missing: the row has {len(cells)} "
                f"cells, the header {len(header)}"
            )
        if len(cells) > len(header):
            raise InputError(
                f"{where}: the row has {len(cells)} cells, the header {len(header)} "
                "(quote a value that holds a comma)"
            )
        row = {name: cell.strip() for name, cell in zip(header, cells, strict=True)}
        yield reader.line_num, {k: v for k, v in row.items() if v != ""}, True


def _split(value: Any, is_csv: bool, field: str) -> list[Any]:
    if is_csv and isinstance(value, str):
        return [p.strip() for p in value.split(";") if p.strip()]
    if not isinstance(value, list):
        raise _FieldError(field, "must be a list")
    return value


def _id(value: Any, is_csv: bool, field: str = "id") -> Id:
    if is_csv and isinstance(value, str) and value.isdigit() and (value == "0" or value[0] != "0"):
        return int(value)
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _FieldError(field, "must be a string or an integer")
    if isinstance(value, str) and not value.strip():
        raise _FieldError(field, "must not be empty")
    return value


def _str(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise _FieldError(field, "must be a string")
    return value


def _int(value: Any, is_csv: bool, field: str, minimum: int) -> int:
    if is_csv and isinstance(value, str):
        try:
            value = int(value)
        except ValueError:
            raise _FieldError(field, f"must be an integer, got {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _FieldError(field, "must be an integer")
    if value < minimum:
        raise _FieldError(field, f"must be >= {minimum}, got {value}")
    return value


def _time(value: Any, field: str) -> datetime:
    if not isinstance(value, str):
        raise _FieldError(field, "times must be ISO 8601 strings")
    try:
        t = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise _FieldError(field, f"bad time {value!r}") from None
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def _windows(value: Any, is_csv: bool) -> tuple[Window, ...]:
    out = []
    for item in _split(value, is_csv, "free"):
        if is_csv and isinstance(item, str):
            item = item.split("/")
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise _FieldError("free", "each window must be [start, end]")
        start, end = _time(item[0], "free"), _time(item[1], "free")
        if end <= start:
            raise _FieldError("free", f"window ends before it starts: {item[0]} / {item[1]}")
        out.append((start, end))
    return tuple(out)


def _topics(value: Any, is_csv: bool) -> tuple[TopicLevel, ...]:
    out = []
    for item in _split(value, is_csv, "topics"):
        if isinstance(item, str):
            path, _, level = item.partition(":")
            topic = TopicLevel(path.strip(), level.strip() or None)
        elif isinstance(item, dict) and isinstance(item.get("topic"), str):
            extra = set(item) - {"topic", "level"}
            if extra:
                raise _FieldError("topics", f"unknown key(s) {', '.join(sorted(extra))}")
            lvl = item.get("level")
            if lvl is not None and not isinstance(lvl, str):
                raise _FieldError("topics", "level must be a string")
            topic = TopicLevel(item["topic"].strip(), lvl)
        else:
            raise _FieldError("topics", "each topic must be a slug path or {topic, level}")
        if not topic.path.strip("/ "):
            raise _FieldError("topics", "empty topic")
        if topic.level is not None and topic.level not in LEVELS:
            raise _FieldError("topics", f"level must be one of {', '.join(LEVELS)}")
        out.append(topic)
    return tuple(out)


def _history(value: Any, is_csv: bool) -> tuple[str | HistoryItem, ...]:
    out: list[str | HistoryItem] = []
    for item in _split(value, is_csv, "history"):
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict) and isinstance(item.get("text"), str):
            w = item.get("weight", 1.0)
            if isinstance(w, bool) or not isinstance(w, int | float) or w < 0:
                raise _FieldError("history", "weight must be a number >= 0")
            title = item.get("title", "")
            if not isinstance(title, str):
                raise _FieldError("history", "title must be a string")
            out.append(HistoryItem(item["text"], float(w), title))
        else:
            raise _FieldError("history", "each item must be a string or {text, weight}")
    return tuple(out)


def _strings(value: Any, is_csv: bool, field: str) -> tuple[str, ...]:
    items = _split(value, is_csv, field)
    if not all(isinstance(x, str) for x in items):
        raise _FieldError(field, "items must be strings")
    return tuple(items)


def _timezone(value: Any) -> str:
    name = _str(value, "timezone")
    try:
        ZoneInfo(name)
    except Exception:
        raise _FieldError("timezone", f"unknown IANA time zone {name!r}") from None
    return name


def _common(
    raw: dict[str, Any], is_csv: bool, allowed: list[str], kind: str, require_text: bool = True
) -> dict[str, Any]:
    for key in raw:
        if key not in allowed:
            raise _FieldError(key, f"unknown field for a {kind}")
    if "id" not in raw or raw["id"] is None:
        raise _FieldError("id", "missing")
    out: dict[str, Any] = {"id": _id(raw["id"], is_csv)}
    for key, value in raw.items():
        if value is None or key == "id":
            continue
        if key in ("name", "text", "site"):
            out[key] = _str(value, key)
        elif key == "topics":
            out[key] = _topics(value, is_csv)
        elif key == "languages":
            out[key] = _strings(value, is_csv, key)
        elif key == "timezone":
            out[key] = _timezone(value)
        elif key == "free":
            out[key] = _windows(value, is_csv)
        elif key == "history":
            out[key] = _history(value, is_csv)
        elif key == "capacity" or key == "load":
            out[key] = _int(value, is_csv, key, 0)
        elif key == "duration":
            out[key] = _int(value, is_csv, key, 1)
        elif key == "exclude":
            out[key] = tuple(_id(x, is_csv, "exclude") for x in _split(value, is_csv, key))
    if (
        require_text
        and not out.get("text", "").strip()
        and not out.get("topics")
        and not out.get("history")
    ):
        raise _FieldError("text", "missing (give text or topics)")
    return out


def _read(
    path: Path, build: Callable[[dict[str, Any], bool], Any], allowed: list[str], kind: str
) -> list[Any]:
    seen: dict[Id, int] = {}
    out = []
    for line, raw, is_csv in _rows(path, allowed, kind):
        try:
            record = build(raw, is_csv)
        except _FieldError as exc:
            raise InputError(f"{path}:{line}: {exc}") from None
        if record.id in seen:
            raise InputError(
                f"{path}:{line}: field 'id': duplicate id {record.id!r} (first on line {seen[record.id]})"
            )
        seen[record.id] = line
        out.append(record)
    return out


def read_mentors(path: str | Path) -> list[Mentor]:
    return _read(
        Path(path),
        lambda raw, c: Mentor(**_common(raw, c, MENTOR_FIELDS, "mentor")),
        MENTOR_FIELDS,
        "mentor",
    )


def read_asks(path: str | Path) -> list[Ask]:
    def build(raw: dict[str, Any], is_csv: bool) -> Ask:
        values = _common(raw, is_csv, ASK_FIELDS, "ask")
        values.pop("history", None)
        return Ask(**values)

    return _read(Path(path), build, ASK_FIELDS, "ask")


def _windows_json(free: tuple[Window, ...] | None) -> list[list[str]] | None:
    if free is None:
        return None
    return [[start.isoformat(), end.isoformat()] for start, end in free]


def mentor_json(m: Mentor) -> dict[str, Any]:
    """A mentor as one line of the JSON Lines format `read_mentors` reads."""
    return {
        "id": m.id,
        "name": m.name,
        "text": m.text,
        "history": [
            (
                {"text": h.text, "weight": h.weight, **({"title": h.title} if h.title else {})}
                if isinstance(h, HistoryItem)
                else h
            )
            for h in m.history
        ],
        "topics": [{"topic": t.path, "level": t.level} for t in m.topics],
        "capacity": m.capacity,
        "load": m.load,
        "site": m.site,
        "languages": list(m.languages),
        "timezone": m.timezone,
        "free": _windows_json(m.free),
    }


def ask_json(a: Ask) -> dict[str, Any]:
    """An ask as one line of the JSON Lines format `read_asks` reads."""
    return {
        "id": a.id,
        "text": a.text,
        "topics": [{"topic": t.path, "level": t.level} for t in a.topics],
        "site": a.site,
        "languages": list(a.languages),
        "timezone": a.timezone,
        "duration": a.duration,
        "free": _windows_json(a.free),
        "exclude": list(a.exclude),
    }


def mentor_from_json(raw: dict[str, Any]) -> Mentor:
    """`mentor_json` read back (the same checks as `read_mentors`, except that a mentor may
    have no words at all: records taken from a live program, where one may say nothing)."""
    try:
        return Mentor(**_common(raw, False, MENTOR_FIELDS, "mentor", require_text=False))
    except _FieldError as exc:
        raise InputError(str(exc)) from None


def ask_from_json(raw: dict[str, Any]) -> Ask:
    """`ask_json` read back (see `mentor_from_json`)."""
    try:
        values = _common(raw, False, ASK_FIELDS, "ask", require_text=False)
    except _FieldError as exc:
        raise InputError(str(exc)) from None
    return Ask(**values)


def check_output(path: str | None, option: str) -> None:
    """Refuse an output path that cannot be written, before any work or any other file:
    a missing folder, or a folder where the file should be. (stdout when None.)"""
    if path is None:
        return
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise InputError(f"{option}: cannot write {path}: folder {folder} {what}")
    if target.is_dir():
        raise InputError(f"{option}: cannot write {path}: it is a folder")


def write_atomic(
    path: str | None, rows: Iterable[dict[str, Any]], columns: list[str], fmt: str
) -> None:
    """Write JSON Lines or CSV to `path` (stdout when None) via a temp file and a rename."""
    if path is None:
        _write(sys.stdout, rows, columns, fmt)
        sys.stdout.flush()
        return
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or Path("."))
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            _write(fh, rows, columns, fmt)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write(fh: Any, rows: Iterable[dict[str, Any]], columns: list[str], fmt: str) -> None:
    if fmt == "csv":
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(
                [
                    "; ".join(map(str, v))
                    if isinstance(v, list | tuple)
                    else ("" if v is None else v)
                    for v in (row.get(c) for c in columns)
                ]
            )
    else:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")

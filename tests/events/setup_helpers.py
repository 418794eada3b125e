"""Events made through the set-up services, for the tests of set-up, promotion and
registration."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from pairup.events.models import Event, EventKind
from pairup.events.setup import event_create, event_publish


def future(days: int = 14, hour: int = 17) -> datetime:
    """A wall-clock time `days` ahead (no zone: read in the event's zone)."""
    day = (timezone.now() + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, 0)


def new_event(program, by, *, kind: str = EventKind.SPEED_MENTORING, **fields: Any) -> Event:
    values: dict[str, Any] = {
        "title": "Spring speed mentoring",
        "timezone": "Europe/London",
        "place": "Atrium, 1 King St",
    }
    if kind == EventKind.ROUNDTABLES and "tables" not in fields:
        from pairup.events.setup import TableSpec

        fields["tables"] = [TableSpec("", "sql"), TableSpec("", "public-speaking")]
    values.update(fields)
    return event_create(program=program, by=by, kind=kind, **values)


def published(program, by, **fields: Any) -> Event:
    return event_publish(event=new_event(program, by, **fields), by=by)

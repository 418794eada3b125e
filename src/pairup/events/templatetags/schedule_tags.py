"""The schedule's panel on an event's organiser hub, read at render time
(`{% load schedule_tags %}`), so the hub's view never imports the schedule's part."""

from __future__ import annotations

from typing import Any

from django import template

from pairup.events.models import Event, EventKind
from pairup.events.queries_schedule import draft_schedule, published_schedule

register = template.Library()


@register.simple_tag
def event_schedules(event: Event) -> dict[str, Any]:
    """The event's draft and published schedules (either may be None), and whether it is
    scheduled in rounds at all (conference buddies are paired instead)."""
    return {
        "scheduled": event.kind in (EventKind.SPEED_MENTORING, EventKind.ROUNDTABLES),
        "draft": draft_schedule(event),
        "published": published_schedule(event),
    }

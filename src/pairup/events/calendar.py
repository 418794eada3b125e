"""The event as an .ics (RFC 5545, built with `icalendar`, as sessions' are): what anyone may
add to their calendar from the public page. It holds the public facts only: no names, no
video link (that is for those registered, on the page)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from .models import Event, EventKind, EventState, PlaceKind

PRODID = "-//PairUp//events//EN"


def event_uid(event: Event) -> str:
    host = settings.SITE_URL.split("://")[-1].split("/")[0] or "pairup"
    return f"event-{event.pk}@{host}"


def event_ics(event: Event) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    item = CalendarEvent()
    item.add("uid", event_uid(event))
    item.add("dtstamp", timezone.now())
    if event.kind == EventKind.CONFERENCE_BUDDIES and event.conference_starts_on:
        # A conference spans whole days (DTEND is the day after the last).
        last = event.conference_ends_on or event.conference_starts_on
        item.add("dtstart", event.conference_starts_on)
        item.add("dtend", last + timedelta(days=1))
    else:
        item.add("dtstart", event.starts_at)
        item.add("dtend", event.ends_at)
    item.add("summary", f"{event.title} ({event.get_kind_display()})")
    page = settings.SITE_URL + event.get_absolute_url()
    where = "Online" if event.place_kind == PlaceKind.ONLINE else event.place
    if where:
        item.add("location", where)
    description = event.description.strip()
    item.add("description", f"{description}\n\nDetails and registration: {page}".strip())
    item.add("url", page)
    item.add("status", "CANCELLED" if event.state == EventState.CANCELLED else "CONFIRMED")
    cal.add_component(item)
    return cal.to_ical()

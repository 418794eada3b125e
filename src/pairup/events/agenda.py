"""A person's agenda in words (the email) and as iCalendar (the .ics download).

The .ics has one VEVENT per round of the event, sit-out rounds included (marked as a break
and free time), so that every round keeps one UID: after the schedule is published again,
importing the new file updates each round in place. SEQUENCE is the published schedule's
id, which grows with every publication.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, vText
from icalendar import Event as VEvent

from .models import Event
from .queries_schedule import Agenda, AgendaRound

PRODID = "-//PairUp//events//EN"


def agenda_url(event: Event) -> str:
    return reverse("event_agenda", args=[event.slug])


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def _who(r: AgendaRound) -> str:
    parts = []
    for m in r.meets:
        about = f" ({m.topic})" if m.topic else ""
        line = f": {m.line}" if m.line else ""
        parts.append(f"{m.person.name}{about}{line}")
    return "; ".join(parts)


def agenda_text(agenda: Agenda) -> str:
    """The agenda as the email says it, times in the person's own zone."""
    event = agenda.event
    zone = _zone(agenda.person.timezone)
    first = event.starts_at.astimezone(zone)
    role = "mentor" if agenda.side == "mentor" else "mentee"
    lines = [
        f"Your agenda for {event.title} on {first:%A %d %B %Y}, as a {role} (times in {zone.key}):",
        "",
    ]
    for r in agenda.rounds:
        when = f"{r.starts_at.astimezone(zone):%H:%M}-{r.ends_at.astimezone(zone):%H:%M}"
        if not r.meets:
            lines.append(f"Round {r.number}, {when}: you sit this round out (a break).")
            continue
        where = r.where or r.video_url or "the event"
        lines.append(f"Round {r.number}, {when} at {where}: {_who(r)}")
        if r.video_url:
            lines.append(f"  Video link: {r.video_url}")
    return "\n".join(lines)


def agenda_ics(agenda: Agenda) -> bytes:
    event = agenda.event
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{event.title} (PairUp)")
    link = settings.SITE_URL + agenda_url(event)
    host = settings.SITE_URL.split("//")[-1].split("/")[0] or "pairup"
    for r in agenda.rounds:
        item = VEvent()
        item.add(
            "uid",
            f"event-{event.pk}-registration-{agenda.person.registration_id}-round-{r.number}@{host}",
        )
        item.add("sequence", agenda.schedule.pk)
        item.add("dtstamp", timezone.now())
        item.add("dtstart", r.starts_at)
        item.add("dtend", r.ends_at)
        if r.meets:
            names = ", ".join(m.person.name for m in r.meets)
            item.add("summary", f"{event.title}: round {r.number} with {names}")
            item.add("description", f"{_who(r)}\n\nYour agenda: {link}")
            where = r.video_url or r.where or event.place
            if where:
                item.add("location", vText(where))
            if r.video_url:
                item.add("url", r.video_url)
        else:
            item.add("summary", f"{event.title}: round {r.number}, a break for you")
            item.add("description", f"You sit this round out.\n\nYour agenda: {link}")
            item.add("transp", "TRANSPARENT")
        item.add("status", "CONFIRMED")
        cal.add_component(item)
    return cal.to_ical()

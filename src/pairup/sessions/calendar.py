"""iCalendar (RFC 5545) for sessions, built with the `icalendar` library.

Each person gets their own invitation: PairUp's address is the organiser and the recipient
the only attendee, so nobody's email address reaches the other person. The UID is stable
and SEQUENCE grows with every change, so calendars update the same event.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from pairup.accounts.models import User
from pairup.core.humanize import shorten

from .models import Session, SessionStatus

PRODID = "-//PairUp//micro-mentoring//EN"


def _organiser() -> vCalAddress:
    address = settings.DEFAULT_FROM_EMAIL
    email = address.split("<")[-1].rstrip(">").strip()
    organiser = vCalAddress(f"mailto:{email}")
    organiser.params["cn"] = vText("PairUp")
    return organiser


def _event(session: Session, viewer: User, *, attendee: bool, cancelled: bool) -> Event:
    engagement = session.engagement
    other = engagement.other(viewer)
    event = Event()
    event.add("uid", session.uid)
    event.add("sequence", session.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", session.start)
    event.add("dtend", session.end)
    event.add(
        "summary",
        f"PairUp: {getattr(other, 'display_name', 'mentoring')} · {shorten(engagement.ask.question, 60)}",
    )
    where = session.video_url or session.location or "Chat in the PairUp thread"
    event.add("location", where)
    event.add(
        "description",
        f"{engagement.ask.question}\n\nJoin: {where}\nEngagement: {settings.SITE_URL}{engagement.get_absolute_url()}",
    )
    if session.video_url:
        event.add("url", session.video_url)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("organizer", _organiser())
    if attendee:
        me = vCalAddress(f"mailto:{viewer.email}")
        me.params["cn"] = vText(viewer.display_name)
        me.params["role"] = vText("REQ-PARTICIPANT")
        me.params["partstat"] = vText("ACCEPTED")
        event.add("attendee", me)
    return event


def invitation_ics(session: Session, recipient: User, *, cancel: bool = False) -> bytes:
    """The METHOD:REQUEST (or CANCEL) invitation for one recipient."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancel else "REQUEST")
    cal.add_component(_event(session, recipient, attendee=True, cancelled=cancel))
    return cal.to_ical()


def download_ics(session: Session, viewer: User) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    cal.add_component(
        _event(session, viewer, attendee=False, cancelled=session.status == SessionStatus.CANCELLED)
    )
    return cal.to_ical()


def feed_ics(sessions: Iterable[Session], viewer: User) -> bytes:
    """A subscribable feed of all of a person's sessions (cancelled ones marked so)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "PairUp sessions")
    for session in sessions:
        cal.add_component(
            _event(
                session, viewer, attendee=False, cancelled=session.status == SessionStatus.CANCELLED
            )
        )
    return cal.to_ical()

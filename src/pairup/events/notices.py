"""What the events' set-up and registration tell people: an in-app notice and an email
(`notifications.services.notify`, which sends after the transaction commits and respects
each person's mutes). Times are given in the reader's own time zone, with the zone named."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from pairup.accounts.models import User
from pairup.notifications.models import Kind
from pairup.notifications.services import notify

from .models import Event, EventKind, Registration, RegistrationRole
from .queries_schedule import awaiting_seat


def _zone(user: User) -> ZoneInfo:
    name = getattr(getattr(user, "profile", None), "timezone", "") or "UTC"
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def _at(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local:%a %d %b %Y, %H:%M} ({zone.key})"


def event_when(event: Event, user: User) -> str:
    """When the event is, in `user`'s time zone: a conference by its dates."""
    if event.kind == EventKind.CONFERENCE_BUDDIES and event.conference_starts_on:
        first, last = (
            event.conference_starts_on,
            event.conference_ends_on or event.conference_starts_on,
        )
        if first == last:
            return f"{first:%a %d %b %Y}"
        return f"{first:%a %d %b} to {last:%a %d %b %Y}"
    zone = _zone(user)
    start, end = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
    if start.date() == end.date():
        return f"{start:%a %d %b %Y, %H:%M}–{end:%H:%M} ({zone.key})"
    return f"{_at(event.starts_at, zone)} to {_at(event.ends_at, zone)}"


def event_where(event: Event) -> str:
    if event.place_kind == "online":
        return "Online: the link is on the event's page once you are registered"
    return event.place or "The place is on the event's page"


def _role(registration: Registration) -> str:
    return {
        RegistrationRole.MENTOR: "a mentor",
        RegistrationRole.MENTEE: "a mentee",
        RegistrationRole.EITHER: "a mentor or a mentee, as the event needs",
    }[RegistrationRole(registration.role)]


def notify_registered(registration: Registration) -> None:
    """The confirmation: registered, or on the waitlist (with its place)."""
    event, user = registration.event, registration.user
    if registration.status == "waitlisted":
        text = f"You are on the waitlist for {event.title}"
        body = (
            f"{event.title} is full, so you are on its waitlist as {_role(registration)}.\n"
            "When a place frees, the first on the waitlist gets it automatically, and we "
            "email you.\n\n"
            f"When: {event_when(event, user)}\nWhere: {event_where(event)}"
        )
    else:
        text = f"You are registered for {event.title}"
        body = (
            f"You are registered for {event.title} as {_role(registration)}.\n\n"
            f"When: {event_when(event, user)}\nWhere: {event_where(event)}\n\n"
            "Can no longer come? Cancel on the event's page, so someone on the waitlist "
            "gets your place."
        )
        if awaiting_seat(registration):
            body += "\n\n" + (
                "The buddy groups were published before you registered: you will be paired "
                "when the organisers form them again, and we email you then."
                if event.kind == EventKind.CONFERENCE_BUDDIES
                else "The schedule was published before you registered: the organisers seat "
                "you when they publish it again (or re-seat the room on the day), and we "
                "email you your agenda then."
            )
    if event.kind == EventKind.CONFERENCE_BUDDIES and event.shortage_note:
        body += f"\n\n{event.shortage_note}"
    notify(
        user=user,
        kind=Kind.EVENT_REGISTRATION,
        text=text,
        url=event.get_absolute_url(),
        email_body=body,
        ref=f"event:{event.pk}:registration",
    )


def notify_promoted(registration: Registration) -> None:
    event, user = registration.event, registration.user
    notify(
        user=user,
        kind=Kind.EVENT_REGISTRATION,
        text=f"A place freed up: you are registered for {event.title}",
        url=event.get_absolute_url(),
        email_body=(
            f"A place freed up at {event.title}, and you were next on the waitlist: you are "
            f"now registered as {_role(registration)}.\n\n"
            f"When: {event_when(event, user)}\nWhere: {event_where(event)}\n\n"
            "Can no longer come? Cancel on the event's page, so the next person gets it."
        ),
        ref=f"event:{event.pk}:registration",
    )


def notify_event_cancelled(event: Event, user: User, reason: str) -> None:
    body = f"{event.title} ({event_when(event, user)}) is cancelled by its organisers."
    if reason:
        body += f"\n\nThey say: {reason}"
    notify(
        user=user,
        kind=Kind.EVENT_REGISTRATION,
        text=f"{event.title} is cancelled",
        url=event.get_absolute_url(),
        email_body=body,
        ref=f"event:{event.pk}:cancelled",
    )


def notify_invited(event: Event, user: User, by: User, note: str = "") -> None:
    body = (
        f"{by.display_name} invites you to {event.title}, an event of {event.program.name}.\n\n"
        f"What: {event.get_kind_display()}\nWhen: {event_when(event, user)}\n"
        f"Where: {event_where(event)}"
    )
    if note:
        body += f"\n\n{note}"
    body += "\n\nRead more and register on the event's page."
    notify(
        user=user,
        kind=Kind.EVENT_INVITATION,
        text=f"{by.display_name} invites you to {event.title}",
        url=event.get_absolute_url(),
        email_body=body,
        ref=f"event:{event.pk}:invitation",
    )

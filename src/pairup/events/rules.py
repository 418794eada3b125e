"""Who may do what with an event: each rule declared once, used by views, the API, the
command line and services alike.

A person's standing is their `Membership` in the event's program (None when they are not
a member), read once by the caller (`queries.membership_of`), plus whether the program's
admin named them an organiser of this event.
"""

from __future__ import annotations

from pairup.accounts.models import User
from pairup.programs.models import Membership

from .models import Audience, Event, EventKind, EventState, RegistrationStatus


def is_named_organiser(user: User, event: Event) -> bool:
    return user.is_authenticated and event.organisers.filter(pk=user.pk).exists()


def can_organise_event(member: Membership | None, user: User, event: Event) -> bool:
    """The program's admins run all its events; members the admin names run that event."""
    if member is None or member.program_id != event.program_id:
        return False
    return member.is_admin or is_named_organiser(user, event)


def can_create_event(member: Membership | None) -> bool:
    """A program's admins create its events (and then name other organisers)."""
    return member is not None and member.is_admin


def can_see_event(member: Membership | None, organiser: bool, event: Event) -> bool:
    """A draft is for its organisers; a published event is for the program's members, and
    for anyone when it takes registrations from anyone with the link (the public page holds
    no personal data)."""
    if organiser:
        return True
    if event.state == EventState.DRAFT:
        return False
    return member is not None or event.audience == Audience.ANYONE_WITH_LINK


# ------------------------------------------------------------------------ the live room


def has_live_room(event: Event) -> bool:
    """Speed mentoring and roundtables run in rounds in a room; conference buddies do not."""
    return event.kind != EventKind.CONFERENCE_BUDDIES


def can_run_live_room(organiser: bool, event: Event) -> bool:
    """An event's organisers start, pause and end its room, check people in and re-seat."""
    return organiser and has_live_room(event)


def can_see_live_room(organiser: bool, registration_status: str | None, event: Event) -> bool:
    """The room's seating plan (names and tables, as printed on the wall) is for the event's
    organisers and the people registered for it (not the waitlist), nobody else."""
    if not has_live_room(event):
        return False
    return organiser or registration_status == RegistrationStatus.REGISTERED

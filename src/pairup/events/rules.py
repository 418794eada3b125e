"""Who may do what with an event: each rule declared once, used by views, the API, the
command line and services alike.

A person's standing is their `Membership` in the event's program (None when they are not
a member), read once by the caller (`queries.membership_of`), plus whether the program's
admin named them an organiser of this event.
"""

from __future__ import annotations

from datetime import datetime

from pairup.accounts.models import User
from pairup.programs.models import Membership

from .models import (
    Audience,
    BuddyThread,
    Event,
    EventKind,
    EventState,
    Registration,
    RegistrationStatus,
    Seat,
)


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


# After the event (h-evafter) -----------------------------------------------------------


def takes_part_in_seat(user: User, seat: Seat) -> bool:
    """Only a conversation's two people rate it, say "stay in touch" or follow it up."""
    return user.is_authenticated and user.pk in (seat.mentor.user_id, seat.mentee.user_id)


def can_see_event_summary(organiser: bool) -> bool:
    """An event's organisers read its summary (counts only, never who said what)."""
    return organiser


def can_form_buddies(organiser: bool, event: Event) -> bool:
    """An organiser forms and publishes a conference-buddy event's groups."""
    return organiser and event.kind == EventKind.CONFERENCE_BUDDIES


def can_read_buddy_thread(user: User, thread: BuddyThread) -> bool:
    """A buddy thread is its members' alone: not the organisers', not the program's admins'
    (reads the thread's members)."""
    return user.is_authenticated and thread.members.filter(pk=user.pk).exists()


def can_post_to_buddy_thread(user: User, thread: BuddyThread, now: datetime) -> bool:
    """Members write while the conference lasts; after it the thread is read-only."""
    return thread.is_open(now) and can_read_buddy_thread(user, thread)


def can_thank_buddy(user: User, thread: BuddyThread, now: datetime) -> bool:
    """Once the thread is closed each member may leave one short thank-you note."""
    return not thread.is_open(now) and can_read_buddy_thread(user, thread)


# ------------------------------------------------------------- set-up and registration


def can_name_organisers(member: Membership | None) -> bool:
    """The program's admins name an event's other organisers (members of the program)."""
    return can_create_event(member)


def can_edit_event(organiser: bool, event: Event) -> bool:
    """Organisers change an event until it goes live; a live, ended or cancelled event
    stays as it was."""
    return organiser and event.state in (EventState.DRAFT, EventState.PUBLISHED)


def can_see_public_page(event: Event) -> bool:
    """The public page of a published (or live, ended, cancelled) event is for anyone, an
    account or not: it holds no personal data. A members-only event's page says so."""
    return event.state != EventState.DRAFT


def can_register(member: Membership | None, event: Event) -> bool:
    """The program's members register; anyone (signed in) when the event takes
    registrations from anyone with its link: they join the program as they register. The
    registration window is a separate check (`setup_queries.registration_window`)."""
    return member is not None or event.audience == Audience.ANYONE_WITH_LINK


def can_register_as_mentor(member: Membership | None, event: Event) -> bool:
    """The program's approved mentors register as mentors (or "either"). Through an event
    open to anyone with its link, a newcomer may too: they join as a mentor waiting for
    approval (vetting), and so may a member who waits for it already."""
    if member is not None and member.is_approved_mentor:
        return True
    if event.audience != Audience.ANYONE_WITH_LINK:
        return False
    return member is None or not member.is_mentor or member.mentor_status == "pending"


def can_see_accessibility(organiser: bool) -> bool:
    """Accessibility needs are for the event's organisers only (never other registrants,
    never the public page)."""
    return organiser


def can_cancel_registration(user: User, registration: Registration, organiser: bool) -> bool:
    """The person registered cancels their own registration; organisers cancel anyone's."""
    return organiser or registration.user_id == user.pk


def can_invite_to_event(organiser: bool, event: Event) -> bool:
    """Organisers invite members by email once the event is published and not over."""
    return organiser and event.state == EventState.PUBLISHED


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

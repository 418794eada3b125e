"""Reads of event set-up and registration: a program's events, the registration window, who
registered (the list every part reads: the schedule, the live room, the follow-up), the
counts by role and status, and the mentor:mentee balance the organiser watches.

The access helpers (`queries.event_access`, `queries.get_event_for_organiser`) decide who
may call these for which event; these functions read what they are given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from pairup.accounts.models import User
from pairup.programs.models import Membership, Program
from pairup.programs.queries import membership_of, program_topics
from pairup.topics.models import Topic

from . import rules
from .models import (
    Audience,
    BuddyShare,
    Event,
    EventKind,
    EventState,
    Registration,
    RegistrationRole,
    RegistrationStatus,
)
from .queries import EventAccess

# Registrations that hold a place or wait for one.
ACTIVE_STATUSES = (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED)


# ------------------------------------------------------------------------------ events


@dataclass(frozen=True)
class ProgramEvents:
    """A program's events as one member sees them: upcoming (soonest first) and past
    (latest first); drafts only for those who organise them."""

    upcoming: list[Event]
    past: list[Event]


def program_events(
    program: Program, user: User, member: Membership, *, now: datetime | None = None
) -> ProgramEvents:
    """The program's events `member` may see (`rules.can_see_event`): admins see every
    draft, named organisers the drafts they organise. Two queries."""
    now = now or timezone.now()
    events = Event.objects.filter(program=program)
    if not member.is_admin:
        # As `rules.can_see_event`: a draft is for the admins and the organisers named.
        events = events.filter(~Q(state=EventState.DRAFT) | Q(organisers=user)).distinct()
    registered = set(
        Registration.objects.filter(
            event__program=program, user=user, status__in=ACTIVE_STATUSES
        ).values_list("event_id", "status")
    )
    mine = dict(registered)
    upcoming, past = [], []
    for event in events.order_by("starts_at", "id"):
        event.my_status = mine.get(event.pk, "")  # type: ignore[attr-defined]
        if event.ends_at > now and event.state != EventState.ENDED:
            upcoming.append(event)
        else:
            past.append(event)
    past.reverse()
    return ProgramEvents(upcoming, past)


def public_event_access(user: User, slug: str) -> EventAccess:
    """The event as its public page shows it, to anyone, signed in or not, once published
    (`rules.can_see_public_page`): a members-only event too, whose page then says it is
    for members. A draft is for its organisers; otherwise 404."""
    event = Event.objects.select_related("program").filter(slug=slug).first()
    if event is None:
        raise Http404("No such event")
    member = membership_of(user, event.program) if user.is_authenticated else None
    organiser = rules.can_organise_event(member, user, event)
    if not organiser and not rules.can_see_public_page(event):
        raise Http404("No such event")
    return EventAccess(event, member, organiser)


def event_topic_offer(event: Event) -> QuerySet[Topic]:
    """The topics a registrant chooses from: the event's offer, or every topic of its
    program when the organisers chose none."""
    if event.pk and event.topics.exists():
        return event.topics.order_by("position", "name")
    return program_topics(event.program)


# ------------------------------------------------------------------ registration window


class WindowState(StrEnum):
    NOT_PUBLISHED = "not_published"
    NOT_YET = "not_yet"
    OPEN = "open"
    CLOSED = "closed"
    OVER = "over"  # live, ended or cancelled


@dataclass(frozen=True)
class RegistrationWindow:
    state: WindowState
    opens_at: datetime | None
    closes_at: datetime

    @property
    def is_open(self) -> bool:
        return self.state == WindowState.OPEN


def registration_window(event: Event, *, now: datetime | None = None) -> RegistrationWindow:
    """The one definition of whether `event` takes registrations now: published, after it
    opens (or as soon as it is published), before it closes."""
    now = now or timezone.now()
    opens, closes = event.registration_opens_at, event.registration_closes_at
    if event.state == EventState.DRAFT:
        state = WindowState.NOT_PUBLISHED
    elif event.state != EventState.PUBLISHED:
        state = WindowState.OVER
    elif opens is not None and now < opens:
        state = WindowState.NOT_YET
    elif now >= closes:
        state = WindowState.CLOSED
    else:
        state = WindowState.OPEN
    return RegistrationWindow(state, opens, closes)


# ------------------------------------------------------------------------ registrations


def event_registrations(
    event: Event, statuses: tuple[str, ...] | None = ACTIVE_STATUSES
) -> QuerySet[Registration]:
    """The event's registrations in registration order (`statuses`: which; None: all,
    cancelled ones included), each with its user and profile, and its topics prefetched:
    two queries whatever their number. What the schedule, the live room and the follow-up
    read; a person's side in the schedule is `Registration.side`."""
    qs = Registration.objects.filter(event=event)
    if statuses is not None:
        qs = qs.filter(status__in=statuses)
    return (
        qs.select_related("user__profile")
        .prefetch_related(Prefetch("topics", queryset=Topic.objects.order_by("position", "name")))
        .order_by("registered_at", "id")
    )


def registration_of(event: Event, user: User) -> Registration | None:
    """`user`'s registration for `event` (cancelled included), or None."""
    if not user.is_authenticated:
        return None
    return Registration.objects.filter(event=event, user=user).first()


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first on the waitlist; None when not waiting."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = Registration.objects.filter(
        event_id=registration.event_id, status=RegistrationStatus.WAITLISTED
    ).filter(
        Q(registered_at__lt=registration.registered_at)
        | Q(registered_at=registration.registered_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


@dataclass(frozen=True)
class RegistrationCounts:
    """Registrations by role and status: `registered[role]`, `waitlisted[role]`,
    `cancelled` (all roles)."""

    registered: dict[str, int]
    waitlisted: dict[str, int]
    cancelled: int

    @property
    def places_taken(self) -> int:
        return sum(self.registered.values())

    @property
    def waiting(self) -> int:
        return sum(self.waitlisted.values())


def registration_counts(event: Event) -> RegistrationCounts:
    """One query."""
    registered = dict.fromkeys(RegistrationRole.values, 0)
    waitlisted = dict.fromkeys(RegistrationRole.values, 0)
    cancelled = 0
    rows = (
        Registration.objects.filter(event=event)
        .values("role", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        if row["status"] == RegistrationStatus.REGISTERED:
            registered[row["role"]] += row["n"]
        elif row["status"] == RegistrationStatus.WAITLISTED:
            waitlisted[row["role"]] += row["n"]
        else:
            cancelled += row["n"]
    return RegistrationCounts(registered, waitlisted, cancelled)


def places_left(event: Event, counts: RegistrationCounts) -> int | None:
    """Places still free (None: no limit)."""
    if event.capacity is None:
        return None
    return max(0, event.capacity - counts.places_taken)


@dataclass(frozen=True)
class Balance:
    """The mentor:mentee balance of the registered (not the waitlist). `needed`: the mentors
    that would seat every mentee (each round, at once or in a buddy pair, by the kind);
    `short_by` how many are missing (0: enough); `either` people who registered as either
    and may take the short side; `note` the balance in words and `warning` what the
    shortage means (empty when mentors are not short)."""

    mentors: int
    mentees: int
    either: int
    needed: int
    short_by: int
    note: str
    warning: str


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _needed(event: Event, mentees: int) -> int:
    """The mentors that would seat every mentee at once, by the event's kind."""
    if event.kind == EventKind.SPEED_MENTORING:
        return -(-mentees // event.seats_per_mentor)
    if event.kind == EventKind.ROUNDTABLES:
        return -(-mentees // event.table_size)
    return mentees


def event_balance(event: Event, counts: RegistrationCounts) -> Balance:
    """Whether enough mentors registered, by the event's kind:

    - speed mentoring: each round seats `seats_per_mentor` mentees at each mentor; mentees
      beyond that sit the round out. With fewer mentors than rounds, no mentee can meet a
      new mentor every round.
    - roundtables: one mentor hosts each table of `table_size` mentees.
    - conference buddies: each mentor takes one mentee, or two when the event allows it
      (always, or only when mentors are short); mentees beyond that have no buddy.
    """
    mentors = counts.registered[RegistrationRole.MENTOR]
    mentees = counts.registered[RegistrationRole.MENTEE]
    either = counts.registered[RegistrationRole.EITHER]
    note = f"{_plural(mentors, 'mentor')} : {_plural(mentees, 'mentee')}"
    if either:
        note += f" (and {either} who may take either side)"
    warning = ""
    if mentees and not mentors:
        needed = _needed(event, mentees)
        warning = (
            f"No mentor has registered yet: {_plural(needed, 'mentor')} would give every "
            f"mentee {'a seat each round' if event.kind != EventKind.CONFERENCE_BUDDIES else 'a buddy'}."
        )
        return Balance(0, mentees, either, needed, needed, note, warning)
    if event.kind == EventKind.SPEED_MENTORING:
        seats = event.seats_per_mentor
        needed = _needed(event, mentees)
        short_by = max(0, needed - mentors)
        if mentees and short_by:
            sitting = mentees - mentors * seats
            warning = (
                f"Mentors are short: each round {_plural(sitting, 'mentee')} of {mentees} "
                f"sit out, about {sitting * event.rounds / mentees:.1f} of "
                f"{_plural(event.rounds, 'round')} each. {short_by} more "
                f"mentor{'' if short_by == 1 else 's'} would seat everyone"
                + (", or 2 seats per mentor." if seats == 1 else ".")
            )
        elif mentees and mentors < event.rounds:
            warning = (
                f"Fewer mentors ({mentors}) than rounds ({event.rounds}): without repeats "
                f"each mentee meets at most {mentors} and sits out the other rounds."
            )
    elif event.kind == EventKind.ROUNDTABLES:
        size = event.table_size
        needed = _needed(event, mentees)
        short_by = max(0, needed - mentors)
        if mentees and short_by:
            warning = (
                f"Mentors are short: {mentees} mentees fill {needed} tables of {size}, "
                f"and {_plural(mentors, 'mentor')} host{'s' if mentors == 1 else ''} "
                f"{mentors}. {short_by} more would host every table."
            )
    else:
        most = 1 if event.mentees_per_mentor == BuddyShare.ONE else 2
        needed = _needed(event, mentees)  # one mentor each: pairs, the best a buddy gets
        short_by = max(0, mentees - mentors)
        if mentees and short_by:
            unmatched = max(0, mentees - mentors * most)
            if unmatched:
                warning = (
                    f"Mentors are short: {_plural(unmatched, 'mentee')} would have no "
                    f"buddy. {short_by} more mentor{'' if short_by == 1 else 's'} would "
                    "give every mentee their own."
                )
            else:
                warning = (
                    f"Mentors are short: {_plural(short_by, 'mentor')} would take two "
                    f"mentees (trios). {short_by} more mentor{'' if short_by == 1 else 's'} "
                    "would give every mentee their own."
                )
    return Balance(mentors, mentees, either, needed, short_by, note, warning)


def audience_words(event: Event) -> str:
    if event.audience == Audience.ANYONE_WITH_LINK:
        return f"Anyone with the link may register (and joins {event.program.name})."
    return f"For members of {event.program.name}."

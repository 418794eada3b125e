"""Reads of conference buddies: the groups of a schedule for the organiser's preview, a
person's own groups, and the access helper of a thread (404 for anyone not in it)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from pairup.accounts.models import User
from pairup.events import rules
from pairup.events.models import (
    BuddyMessage,
    BuddyThread,
    Event,
    EventSchedule,
    Registration,
    ScheduleState,
    Seat,
)
from pairup.events.queries import event_access
from pairup.topics.models import Topic


@dataclass(frozen=True)
class BuddyGroup:
    mentor: Registration
    mentees: list[Registration]
    score: float

    @property
    def is_trio(self) -> bool:
        return len(self.mentees) == 2


def schedule_groups(schedule: EventSchedule) -> list[BuddyGroup]:
    """A buddy schedule's groups, mentor by mentor, in a fixed number of queries."""
    ordered = Topic.objects.order_by("position", "name")
    seats = (
        Seat.objects.filter(schedule=schedule)
        .select_related("mentor__user__profile", "mentee__user__profile")
        .prefetch_related(
            Prefetch("mentor__topics", queryset=ordered),
            Prefetch("mentee__topics", queryset=ordered),
        )
        .order_by("mentor__user__profile__display_name", "mentor_id", "mentee_id")
    )
    mentors: dict[int, Registration] = {}
    mentees: dict[int, list[Registration]] = {}
    scores: dict[int, float] = {}
    for seat in seats:
        mentors[seat.mentor_id] = seat.mentor
        mentees.setdefault(seat.mentor_id, []).append(seat.mentee)
        scores[seat.mentor_id] = scores.get(seat.mentor_id, 0.0) + seat.score
    return [BuddyGroup(mentors[m], mentees[m], round(scores[m], 6)) for m in mentors]


def buddy_schedules(event: Event) -> tuple[EventSchedule | None, EventSchedule | None]:
    """The event's draft and published schedules (None where there is none)."""
    found = {
        s.state: s
        for s in EventSchedule.objects.filter(
            event=event, state__in=[ScheduleState.DRAFT, ScheduleState.PUBLISHED]
        )
    }
    return found.get(ScheduleState.DRAFT), found.get(ScheduleState.PUBLISHED)


def threads_of(event: Event, user: User) -> QuerySet[BuddyThread]:
    """The buddy threads of `event` that `user` is in (one at most, but for a thread
    closed when the groups were re-formed)."""
    if not user.is_authenticated:
        return BuddyThread.objects.none()
    return (
        BuddyThread.objects.filter(event=event, members=user)
        .select_related("event")
        .prefetch_related("members__profile")
        .order_by("closed_at", "-created_at")
    )


def get_buddy_thread_for_user(user: User, slug: str, thread_id: int) -> BuddyThread:
    """A buddy thread for one of its members; 404 for everyone else, the event's
    organisers and another program's people included."""
    access = event_access(user, slug)
    thread = (
        BuddyThread.objects.filter(event=access.event, pk=thread_id)
        .select_related("event__program", "mentor")
        .first()
    )
    if thread is None or not rules.can_read_buddy_thread(user, thread):
        raise Http404("No such thread")
    return thread


def thread_messages(thread: BuddyThread) -> QuerySet[BuddyMessage]:
    return thread.messages.select_related("author__profile").order_by("created_at", "pk")

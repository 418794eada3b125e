"""Conference buddies: form the groups (a draft), publish them (introductions and shared
threads), post in a thread while the conference lasts, close the threads after its last
day with a thank-you prompt, and leave a thank-you note.

Forming and publishing are the organisers' (`rules.can_form_buddies`); a thread is its
members' alone. Every multi-row change runs in one transaction; emails go after commit.
Buddy groups are never engagements: they add nothing to a mentor's load or caps.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone

from pairup.accounts.models import User
from pairup.core import limits
from pairup.core.errors import Conflict, Forbidden, ServiceError
from pairup.core.validators import clean_text
from pairup.core.vectors import store_vectors
from pairup.events import rules
from pairup.events.models import (
    BuddyMessage,
    BuddyMessageKind,
    BuddyThread,
    Event,
    EventSchedule,
    Registration,
    RegistrationRole,
    ScheduleState,
    Seat,
)
from pairup.events.scheduling.records import event_texts
from pairup.notifications.models import Kind
from pairup.notifications.services import notify
from pairup.programs.queries import membership_of
from pairup.topics.models import Topic

from .plan import plan_buddies
from .records import buddy_records

THANKS_MAX_LENGTH = 500


def _require_organiser(event: Event, by: User) -> None:
    organiser = rules.can_organise_event(membership_of(by, event.program_id), by, event)
    if not rules.can_form_buddies(organiser, event):
        raise Forbidden("Only the event's organisers form its buddy groups.")


def _lock_event(event: Event) -> Event:
    return Event.objects.select_for_update().select_related("program").get(pk=event.pk)


def conference_end(event: Event) -> datetime:
    """When a buddy thread closes: the end of the conference's last day (midnight after
    it) in the event's zone, DST included."""
    if event.conference_ends_on is None:
        return event.ends_at
    day = event.conference_ends_on + timedelta(days=1)
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(event.timezone or "UTC"))


def buddies_form(*, event: Event, by: User, now: datetime | None = None) -> EventSchedule:
    """Form the buddy groups from the event's registrations with the engine (the events'
    one records builder with the buddies' side rule, see `records`; and `plan`, with the
    records' relevance, hybrid where it is on, as a schedule's) and store them as the draft
    schedule, replacing an earlier draft: round 0, one seat per mentor and mentee (a trio
    is two seats with one mentor), with the preview's figures (pairs, trios, unmatched
    mentees with the reason).

    The registrations' texts are encoded first, before the event's row is locked
    (`event_texts`, whichever side each "either" takes): registering for the event waits
    for that lock, and encoding a conference's texts takes seconds; under the lock the
    plan only reads their vectors."""
    now = now or timezone.now()
    _require_organiser(event, by)
    store_vectors(event_texts(event))
    return _form(event, by, now)


@transaction.atomic
def _form(event: Event, by: User, now: datetime) -> EventSchedule:
    event = _lock_event(event)
    records = buddy_records(event, now)
    plan = plan_buddies(
        records.mentees,
        records.mentors,
        event.mentees_per_mentor,
        records.policy,
        semantic=records.semantic(),
    )
    EventSchedule.objects.filter(event=event, state=ScheduleState.DRAFT).delete()
    schedule = EventSchedule.objects.create(event=event, created_at=now, created_by=by)
    seats = [
        Seat(schedule=schedule, round=0, mentor_id=g.mentor_id, mentee_id=pk, score=score)
        for g in plan.groups
        for pk, score in zip(g.mentee_ids, g.seat_scores, strict=True)
    ]
    Seat.objects.bulk_create(seats)
    for side, ids in (
        (RegistrationRole.MENTOR, records.mentor_ids),
        ("mentee", records.mentee_ids),
    ):
        Registration.objects.filter(pk__in=ids).update(seated_as=side)
    schedule.figures = {
        "kind": "buddies",
        "share": event.mentees_per_mentor,
        "mentees": len(records.mentees),
        "mentors": len(records.mentors),
        "pairs": sum(1 for g in plan.groups if len(g.mentee_ids) == 1),
        "trios": sum(1 for g in plan.groups if len(g.mentee_ids) == 2),
        "mentors_without_buddy": len(records.mentors) - len(plan.groups),
        "unmatched": [
            {"registration": pk, "name": records.people[pk].name, "reason": reason}
            for pk, reason in plan.unmatched
        ],
        "total_score": plan.total_score,
    }
    schedule.save(update_fields=["figures"])
    return schedule


def _intro(event: Event, mentor: Registration, mentees: list[Registration]) -> str:
    def line(r: Registration, role: str) -> str:
        about = [r.user.profile.headline] if r.user.profile.headline else []
        topics = ", ".join(t.name for t in r.topics.all())
        if topics:
            about.append(f"topics: {topics}")
        if r.want:
            about.append(f"wants: {r.want}")
        details = f" — {'; '.join(about)}" if about else ""
        return f"• {r.user.display_name} ({role}){details}"

    days = ""
    if event.conference_starts_on and event.conference_ends_on:
        days = f" ({event.conference_starts_on:%-d %b} – {event.conference_ends_on:%-d %b %Y})"
    people = "\n".join([line(mentor, "mentor"), *(line(r, "mentee") for r in mentees)])
    return (
        f"Meet your conference buddies for {event.title}{days}:\n{people}\n\n"
        "Say hello here, agree where to meet, and share what you want from the conference. "
        "This thread stays open until the end of the conference's last day."
    )


@transaction.atomic
def buddies_publish(*, event: Event, by: User, now: datetime | None = None) -> EventSchedule:
    """Publish the draft: it becomes the published schedule (the one before is
    superseded), each group gets its shared thread with an introduction, and every member
    an in-app notice and an email (after commit). A group exactly as it was published
    before keeps its thread; the threads of groups that changed close at once. All or
    nothing."""
    now = now or timezone.now()
    _require_organiser(event, by)
    event = _lock_event(event)
    draft = EventSchedule.objects.filter(event=event, state=ScheduleState.DRAFT).first()
    if draft is None:
        raise Conflict(
            "Form the buddy groups first: there is no draft to publish.", code="no_draft"
        )
    closes_at = conference_end(event)
    if closes_at <= now:
        raise Conflict(
            "The conference is over: buddy groups can no longer be published.",
            code="conference_over",
        )
    old = EventSchedule.objects.filter(event=event, state=ScheduleState.PUBLISHED).first()
    if old is not None:
        old.state = ScheduleState.SUPERSEDED
        old.save(update_fields=["state"])
    draft.state = ScheduleState.PUBLISHED
    draft.published_at = now
    draft.created_by = draft.created_by or by
    draft.save(update_fields=["state", "published_at", "created_by"])

    ordered = Topic.objects.order_by("position", "name")
    groups: dict[int, list[Registration]] = defaultdict(list)
    mentors: dict[int, Registration] = {}
    for seat in (
        Seat.objects.filter(schedule=draft)
        .select_related("mentor__user__profile", "mentee__user__profile")
        .prefetch_related(
            Prefetch("mentor__topics", queryset=ordered),
            Prefetch("mentee__topics", queryset=ordered),
        )
        .order_by("mentor_id", "mentee_id")
    ):
        mentors[seat.mentor_id] = seat.mentor
        groups[seat.mentor_id].append(seat.mentee)

    kept: set[int] = set()
    if old is not None:
        wanted = {
            frozenset([mentors[m].user_id, *(r.user_id for r in ms)]): m for m, ms in groups.items()
        }
        for thread in BuddyThread.objects.filter(
            schedule=old, closed_at__isnull=True
        ).prefetch_related("members"):
            same = wanted.get(frozenset(u.pk for u in thread.members.all()))
            if same is not None and same == thread.mentor_id:
                thread.schedule = draft
                thread.closes_at = closes_at
                thread.save(update_fields=["schedule", "closes_at"])
                kept.add(same)
            else:
                _close(thread, now, "The buddy groups were re-formed: this thread is closed.")

    for mentor_id, mentees in groups.items():
        if mentor_id in kept:
            continue
        mentor = mentors[mentor_id]
        thread = BuddyThread.objects.create(
            event=event, schedule=draft, mentor=mentor, created_at=now, closes_at=closes_at
        )
        members = [mentor.user, *(r.user for r in mentees)]
        thread.members.set(members)
        intro = _intro(event, mentor, mentees)
        BuddyMessage.objects.create(
            thread=thread, kind=BuddyMessageKind.INTRO, body=intro, created_at=now
        )
        url = thread.get_absolute_url()
        for person in members:
            others = ", ".join(p.display_name for p in members if p.pk != person.pk)
            notify(
                user=person,
                kind=Kind.BUDDY,
                text=f"Your conference buddies for {event.title}: {others}",
                url=url,
                email_body=intro,
            )
    return draft


def _close(thread: BuddyThread, now: datetime, note: str) -> None:
    thread.closed_at = now
    thread.save(update_fields=["closed_at"])
    BuddyMessage.objects.create(
        thread=thread, kind=BuddyMessageKind.CLOSING, body=note, created_at=now
    )


def _lock_thread(thread: BuddyThread) -> BuddyThread:
    return BuddyThread.objects.select_for_update().select_related("event").get(pk=thread.pk)


@transaction.atomic
def buddy_message_post(
    *, thread: BuddyThread, by: User, body: str, now: datetime | None = None
) -> BuddyMessage:
    """A message to one's buddies while the conference lasts; the others are told."""
    now = now or timezone.now()
    thread = _lock_thread(thread)
    if not rules.can_read_buddy_thread(by, thread):
        raise Forbidden("Only the buddies of this thread write in it.")
    if not rules.can_post_to_buddy_thread(by, thread, now):
        raise Conflict(
            "The conference is over: this thread is read-only. You can still send a thank-you.",
            code="thread_closed",
        )
    body = clean_text(body, field="body", max_length=limits.MESSAGE_MAX_LENGTH, multiline=True)
    if not body:
        raise ServiceError("Write a message.", field="body")
    message = BuddyMessage.objects.create(thread=thread, author=by, body=body, created_at=now)
    for person in thread.members.exclude(pk=by.pk):
        notify(
            user=person,
            kind=Kind.MESSAGE,
            text=f"New message from your buddy {by.display_name}",
            url=thread.get_absolute_url(),
            email_body=f"{by.display_name} wrote in your buddy thread for {thread.event.title}.",
        )
    return message


@transaction.atomic
def buddy_thanks_send(
    *, thread: BuddyThread, by: User, body: str, now: datetime | None = None
) -> BuddyMessage:
    """Once the conference is over, one short thank-you note per member, shown in the
    thread; the others are told."""
    now = now or timezone.now()
    thread = _lock_thread(thread)
    if not rules.can_read_buddy_thread(by, thread):
        raise Forbidden("Only the buddies of this thread thank each other in it.")
    if not rules.can_thank_buddy(by, thread, now):
        raise Conflict(
            "Thank-you notes open when the conference is over; until then, write a message.",
            code="thread_open",
        )
    body = clean_text(body, field="body", max_length=THANKS_MAX_LENGTH, multiline=True)
    if not body:
        raise ServiceError("Write a short thank-you.", field="body")
    try:
        with transaction.atomic():
            note = BuddyMessage.objects.create(
                thread=thread, author=by, kind=BuddyMessageKind.THANKS, body=body, created_at=now
            )
    except IntegrityError:
        raise Conflict("You have thanked your buddies already.", code="already_thanked") from None
    for person in thread.members.exclude(pk=by.pk):
        notify(
            user=person,
            kind=Kind.THANKS,
            text=f"{by.display_name} thanks you for being their buddy at {thread.event.title}",
            url=thread.get_absolute_url(),
            email_body=body,
        )
    return note


CLOSING_NOTE = (
    "The conference is over: this thread is now read-only. "
    "Send your buddies a short thank-you note below."
)


@transaction.atomic
def buddy_thread_close(*, thread: BuddyThread, now: datetime | None = None) -> bool:
    """Close one thread whose conference is over: the closing note and, to each member, a
    thank-you prompt. Idempotent (False when it was closed already or is not due)."""
    now = now or timezone.now()
    thread = _lock_thread(thread)
    if thread.closed_at is not None or thread.closes_at > now:
        return False
    _close(thread, now, CLOSING_NOTE)
    for person in thread.members.all():
        others = ", ".join(p.display_name for p in thread.members.exclude(pk=person.pk))
        notify(
            user=person,
            kind=Kind.BUDDY,
            text=f"{thread.event.title} is over: send {others} a short thank-you",
            url=thread.get_absolute_url(),
        )
    return True


def buddy_threads_close(*, now: datetime | None = None) -> int:
    """Close every buddy thread whose conference is over (cron-safe: each in its own
    transaction under a row lock, so two runs at once close each thread once). Returns how
    many were closed."""
    now = now or timezone.now()
    due = BuddyThread.objects.filter(closed_at__isnull=True, closes_at__lte=now).order_by("pk")
    return sum(buddy_thread_close(thread=t, now=now) for t in due)

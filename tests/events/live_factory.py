"""A live-room event made directly with the ORM: an event of a program, mentors and mentees
registered, and a published schedule of seats from the engine (`rotations`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from pairup.events.live_state import forget_memo
from pairup.events.models import (
    Event,
    EventKind,
    EventSchedule,
    EventState,
    Registration,
    RegistrationRole,
    ScheduleState,
    Seat,
)
from pairup.events.scheduling.records import load_event_records
from pairup.events.scheduling.solve import solve
from pairup.programs.models import Membership, MentorStatus
from pairup.topics.models import Topic
from tests.factories import UserFactory


@dataclass
class LiveSetup:
    event: Event
    mentors: list[Registration]
    mentees: list[Registration]
    schedule: EventSchedule | None

    def seats(self, round_: int | None = None) -> set[tuple[int, int, int]]:
        """(round, mentor registration, mentee registration) of the published schedule."""
        rows = Seat.objects.filter(schedule=self.schedule)
        if round_ is not None:
            rows = rows.filter(round=round_)
        return set(rows.values_list("round", "mentor_id", "mentee_id"))


def register(event: Event, user, role: str, **fields) -> Registration:
    values = {
        "event": event,
        "user": user,
        "role": role,
        "seated_as": role,
        "registered_at": timezone.now(),
        "languages": ["en"],
    }
    values.update(fields)
    return Registration.objects.create(**values)


def live_event(
    program,
    *,
    slug: str = "live-night",
    mentors: int = 2,
    mentees: int = 4,
    rounds: int = 3,
    round_minutes: int = 10,
    break_minutes: int = 2,
    seats: int = 1,
    kind: str = EventKind.SPEED_MENTORING,
    state: str = EventState.PUBLISHED,
    publish: bool = True,
    people: list | None = None,
) -> LiveSetup:
    """An event with `mentors` and `mentees` registered (new members of `program`, or the
    users of `people` first: mentors, then mentees) and, with `publish`, a published
    schedule from the engine."""
    forget_memo()
    start = timezone.now() + timedelta(hours=1)
    event = Event.objects.create(
        program=program,
        slug=slug,
        kind=kind,
        title="Live night",
        state=state,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        registration_closes_at=start - timedelta(hours=2),
        rounds=rounds,
        round_minutes=round_minutes,
        break_minutes=break_minutes,
        seats_per_mentor=seats,
        table_size=seats,
    )
    given = list(people or [])
    topic = Topic.objects.get(slug="negotiating-an-offer")
    mentor_regs, mentee_regs = [], []
    for i in range(mentors + mentees):
        as_mentor = i < mentors
        if given:
            user = given.pop(0)
        else:
            user = UserFactory(
                profile_fields={"display_name": f"{'Mentor' if as_mentor else 'Mentee'} {i}"}
            )
        membership = Membership.objects.filter(program=program, user=user).first()
        if membership is None:
            membership = Membership(program=program, user=user, is_mentee=not as_mentor)
        if as_mentor and not membership.is_mentor:
            membership.is_mentor = True
            membership.mentor_status = MentorStatus.APPROVED
        membership.save()
        reg = register(
            event,
            user,
            RegistrationRole.MENTOR if as_mentor else RegistrationRole.MENTEE,
            want=f"One line from {user.display_name}",
        )
        reg.topics.add(topic)
        (mentor_regs if as_mentor else mentee_regs).append(reg)
    schedule = None
    if publish:
        schedule = publish_schedule(event)
    return LiveSetup(event, mentor_regs, mentee_regs, schedule)


def publish_schedule(event: Event) -> EventSchedule:
    """A published schedule of `event`'s registered people, made by the engine."""
    plan = solve(load_event_records(event, timezone.now(), decide=False)).schedule
    schedule = EventSchedule.objects.create(
        event=event,
        state=ScheduleState.PUBLISHED,
        created_at=timezone.now(),
        published_at=timezone.now(),
    )
    Seat.objects.bulk_create(
        Seat(
            schedule=schedule,
            round=m.round,
            mentor_id=m.mentor_id,
            mentee_id=m.mentee_id,
            score=m.score,
        )
        for m in plan.meetings
    )
    return schedule

"""An ended speed-mentoring event of the shared program, made directly with the ORM: two
mentors and two mentees who met in two rounds (a published schedule), as the other parts
of the events feature (set-up, schedules, the live room) would leave it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from pairup.accounts.models import User
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
from pairup.programs.models import Membership
from tests.factories import UserFactory


def make_event(program, **fields) -> Event:
    start = timezone.now() - timedelta(days=1)
    values = {
        "program": program,
        "slug": "spring-speed",
        "kind": EventKind.SPEED_MENTORING,
        "title": "Spring speed mentoring",
        "state": EventState.ENDED,
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "registration_closes_at": start - timedelta(days=1),
        "rounds": 2,
    }
    values.update(fields)
    return Event.objects.create(**values)


def register(event: Event, user: User, role: str, topics=(), **fields) -> Registration:
    registration = Registration.objects.create(
        event=event,
        user=user,
        role=role,
        seated_as=fields.pop("seated_as", role if role != RegistrationRole.EITHER else ""),
        registered_at=fields.pop("registered_at", timezone.now() - timedelta(days=3)),
        **fields,
    )
    if topics:
        from pairup.topics.models import Topic

        registration.topics.set(Topic.objects.filter(slug__in=topics))
    return registration


def publish(event: Event, seats: list[tuple[int, Registration, Registration]]) -> EventSchedule:
    schedule = EventSchedule.objects.create(
        event=event,
        state=ScheduleState.PUBLISHED,
        created_at=timezone.now(),
        published_at=timezone.now(),
    )
    Seat.objects.bulk_create(
        [Seat(schedule=schedule, round=r, mentor=m, mentee=e) for r, m, e in seats]
    )
    return schedule


def make_mentee(program, name: str, **profile) -> User:
    user = UserFactory(profile_fields={"display_name": name, **profile})
    Membership.objects.create(program=program, user=user, is_mentee=True)
    return user


@dataclass
class Speed:
    event: Event
    mentor: Registration
    mentor2: Registration
    mentee: Registration
    mentee2: Registration
    schedule: EventSchedule

    def seat(self, round_: int, mentor: Registration) -> Seat:
        return Seat.objects.get(schedule=self.schedule, round=round_, mentor=mentor)


@pytest.fixture
def speed(program, mentor, mentee) -> Speed:
    """Round 1: Priya–Sam and Mo–Kim; round 2: Priya–Kim and Mo–Sam. Mo registered as a
    mentor but is only a mentee of the program (not an approved mentor)."""
    event = make_event(program)
    mo = make_mentee(program, "Mo Mentor-to-be", headline="Analyst")
    kim = make_mentee(program, "Kim Mentee")
    r_priya = register(event, mentor, "mentor", topics=["negotiating-an-offer"], want="Help")
    r_mo = register(event, mo, "mentor", topics=["sql"])
    r_sam = register(event, mentee, "mentee", topics=["negotiating-an-offer"], want="An offer")
    r_kim = register(event, kim, "mentee")
    schedule = publish(
        event,
        [(0, r_priya, r_sam), (0, r_mo, r_kim), (1, r_priya, r_kim), (1, r_mo, r_sam)],
    )
    return Speed(event, r_priya, r_mo, r_sam, r_kim, schedule)


@pytest.fixture
def conference_dates() -> tuple[date, date]:
    today = timezone.localdate()
    return today, today + timedelta(days=2)

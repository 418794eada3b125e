"""Events with registrations made directly with the ORM, for the schedule's tests."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from pairup.accounts.models import User
from pairup.events.models import (
    Event,
    EventKind,
    EventState,
    Registration,
    RegistrationRole,
    RegistrationStatus,
)
from pairup.programs.models import Membership, Program
from pairup.topics.models import Topic
from tests.factories import UserFactory, make_mentor


def make_event(program: Program, **fields: object) -> Event:
    start = timezone.now().replace(microsecond=0) + timedelta(days=7)
    values: dict[str, object] = {
        "program": program,
        "slug": "spring-speed",
        "kind": EventKind.SPEED_MENTORING,
        "title": "Spring speed mentoring",
        "state": EventState.PUBLISHED,
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "registration_closes_at": start - timedelta(days=1),
        "rounds": 3,
        "round_minutes": 10,
        "break_minutes": 2,
    }
    values.update(fields)
    return Event.objects.create(**values)


def register(
    event: Event,
    user: User,
    role: str = RegistrationRole.MENTEE,
    *,
    topics: tuple[str, ...] = (),
    languages: tuple[str, ...] = (),
    want: str = "",
    status: str = RegistrationStatus.REGISTERED,
) -> Registration:
    registration = Registration.objects.create(
        event=event,
        user=user,
        role=role,
        status=status,
        languages=list(languages),
        want=want,
        registered_at=timezone.now(),
    )
    if topics:
        registration.topics.set(Topic.objects.filter(slug__in=topics))
    return registration


def new_mentee(program: Program, name: str, **profile: object) -> User:
    user = UserFactory(profile_fields={"display_name": name, **profile})
    Membership.objects.create(program=program, user=user, is_mentee=True)
    return user


def new_mentor(
    program: Program, name: str, topics: dict[str, str] | None = None, **profile: object
) -> User:
    return make_mentor(
        program, topics=topics or {"negotiating-an-offer": "expert"}, display_name=name, **profile
    )


def speed_event(
    program: Program, mentees: int = 6, mentors: int = 2, **fields: object
) -> tuple[Event, list[Registration], list[Registration]]:
    """A speed-mentoring event with `mentees` and `mentors` registered, everyone sharing a
    language."""
    event = make_event(program, **fields)
    e_regs = [
        register(
            event,
            new_mentee(program, f"Mentee {i}"),
            topics=("negotiating-an-offer",),
            languages=("en",),
            want=f"Negotiate my offer number {i}",
        )
        for i in range(mentees)
    ]
    m_regs = [
        register(
            event,
            new_mentor(program, f"Mentor {j}", headline=f"Mentor {j} headline"),
            RegistrationRole.MENTOR,
            topics=("negotiating-an-offer",),
            languages=("en",),
        )
        for j in range(mentors)
    ]
    return event, e_regs, m_regs

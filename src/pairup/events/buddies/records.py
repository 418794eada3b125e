"""What the engine knows of a buddy event's registrations: the events' one records builder
(`scheduling.records.load_event_records`: the program's rules as each mentee's `exclude`,
the mentors' words, expertise and past asks in the program, languages and sites), with the
buddies' own rule for the people who registered as "either" (`buddy_sides`). No load and no
caps: a buddy group is part of the event, not a micro-engagement.
"""

from __future__ import annotations

from datetime import datetime

from pairup.events.models import BuddyShare, Event, Registration
from pairup.events.scheduling.records import (
    EITHER,
    MENTEE,
    MENTOR,
    EventRecords,
    load_event_records,
)


def buddy_sides(
    event: Event,
    roles: dict[int, str],
    expertise: dict[int, int],
    kept: dict[int, str],
) -> dict[int, str]:
    """The side of each "either" (registration id → "mentor" or "mentee"), a `SideRule`:
    they are mentees, except that while mentors are short the earliest registered of them
    take the mentor side: with two mentees per mentor, until the mentors can take every
    mentee; otherwise while one more mentor would still have a mentee of their own (pairs
    rather than trios, and never a mentor left alone for it). `kept`: "either"s whose side
    must stay (seated in the published groups). `expertise` plays no part: buddies are
    paired for a conference's span, not for a topic a mentor knows best."""
    mentors = sum(1 for pk, r in roles.items() if r == MENTOR or kept.get(pk) == MENTOR)
    mentees = sum(1 for pk, r in roles.items() if r == MENTEE or kept.get(pk) == MENTEE)
    free = [pk for pk, r in roles.items() if r == EITHER and pk not in kept]
    either = list(
        Registration.objects.filter(pk__in=free)
        .order_by("registered_at", "pk")
        .values_list("pk", flat=True)
    )
    sides = {pk: side for pk, side in kept.items() if roles.get(pk) == EITHER}

    def short() -> bool:
        waiting = mentees + len(either)
        if event.mentees_per_mentor == BuddyShare.TWO:
            return mentors * 2 < waiting
        return mentors + 2 <= waiting

    while either and short():
        sides[either.pop(0)] = MENTOR
        mentors += 1
    sides.update(dict.fromkeys(either, MENTEE))
    return sides


def buddy_records(event: Event, now: datetime) -> EventRecords:
    """The event's registered people as engine records (mentees and mentors by registration
    id), the "either"s sided by `buddy_sides`."""
    return load_event_records(event, now, side_rule=buddy_sides)

"""What the engine knows of a buddy event's registrations, as plain records (for
`engine.buddies`).

Kept minimal on purpose: h-evsched's `events/scheduling/records.py` reads registrations
into engine records for rotations and tables the same way, and the two are to become one.
The rules are the program's, read through their one definition: `PairRules` (pools,
reporting line, blocks) becomes each mentee's `exclude`, and the engine applies the
language rule on the languages registered (else the profile's). No load and no caps: a
buddy group is part of the event, not a micro-engagement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pairup.asks.matching.eligibility import pair_rules
from pairup.engine import Ask as EngineAsk
from pairup.engine import Mentor as EngineMentor
from pairup.engine import TopicLevel
from pairup.events.models import BuddyShare, Event, Registration, RegistrationRole


@dataclass(frozen=True)
class BuddySides:
    """The registrations on each side, in registration order."""

    mentees: list[Registration]
    mentors: list[Registration]


def buddy_sides(event: Event, registrations: Sequence[Registration]) -> BuddySides:
    """Mentors and mentees as registered; those who said "either" are mentees, except
    that while mentors are short the earliest of them take the mentor side: with two
    mentees per mentor, until the mentors can take every mentee; otherwise while one more
    mentor would still have a mentee of their own (pairs rather than trios, and never a
    mentor left alone for it)."""
    mentors = [r for r in registrations if r.role == RegistrationRole.MENTOR]
    mentees = [r for r in registrations if r.role == RegistrationRole.MENTEE]
    either = [r for r in registrations if r.role == RegistrationRole.EITHER]

    def short() -> bool:
        waiting = len(mentees) + len(either)
        if event.mentees_per_mentor == BuddyShare.TWO:
            return len(mentors) * 2 < waiting
        return len(mentors) + 2 <= waiting

    while either and short():
        mentors.append(either.pop(0))
    mentees.extend(either)
    return BuddySides(mentees, mentors)


def _words(registration: Registration) -> str:
    profile = registration.user.profile
    topics = " ".join(t.name for t in registration.topics.all())
    return " ".join([profile.headline, registration.want, topics]).strip()


def _languages(registration: Registration) -> tuple[str, ...]:
    return tuple(registration.languages or registration.user.profile.languages)


def buddy_records(
    event: Event, sides: BuddySides, paths: dict[int, str]
) -> tuple[list[EngineAsk], list[EngineMentor]]:
    """One engine ask per mentee and one engine mentor per mentor, both by registration
    id. The registrations come with `user__profile` and `topics` loaded."""
    rules = pair_rules(
        event.program_id,
        mentee_ids=[r.user_id for r in sides.mentees],
        mentor_ids=[r.user_id for r in sides.mentors],
    )
    mentors = [
        EngineMentor(
            id=r.pk,
            name=r.user.profile.display_name,
            text=" ".join([r.user.profile.bio, _words(r)]).strip(),
            topics=tuple(TopicLevel(paths[t.pk]) for t in r.topics.all()),
            site=r.user.profile.site,
            languages=_languages(r),
            timezone=r.user.profile.timezone,
        )
        for r in sides.mentors
    ]
    asks = [
        EngineAsk(
            id=r.pk,
            text=_words(r),
            topics=tuple(TopicLevel(paths[t.pk]) for t in r.topics.all()),
            site=r.user.profile.site,
            languages=_languages(r),
            timezone=r.user.profile.timezone,
            exclude=tuple(
                m.pk
                for m in sides.mentors
                if m.user_id == r.user_id or not rules.allows(r.user_id, m.user_id)
            ),
        )
        for r in sides.mentees
    ]
    return asks, mentors

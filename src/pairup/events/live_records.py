"""The engine's records of an event's people, for re-seating the live room.

A minimal builder, private to the live room until the schedule's own builder
(events/scheduling/records.py, being written beside this) can be shared: each registration
becomes an engine `Ask` (mentee side) or `Mentor` (mentor side) with the registration's id
as its id, its topics, its one line and its languages (the profile's when the registration
names none), and each mentee's `exclude` holds the mentors the program's rules forbid:
pools and match rules, the reporting line and blocks, all from
`asks.matching.eligibility.PairRules` (read once, asked per kind of mentee, not per pair).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pairup.asks.matching.eligibility import PairRules, pair_rules
from pairup.asks.matching.records import mentor_expertise, program_policy
from pairup.engine import Ask as EngineAsk
from pairup.engine import Mentor as EngineMentor
from pairup.engine import Policy, TopicLevel
from pairup.topics.queries import topic_paths

from .models import Event, Registration, RegistrationRole


@dataclass(frozen=True)
class EventPeople:
    mentees: list[EngineAsk]
    mentors: list[EngineMentor]
    policy: Policy


def event_records(
    event: Event, registrations: Sequence[Registration], now: datetime
) -> EventPeople:
    """Records of `registrations` (each with `user__profile` loaded) of `event`'s program, in
    a fixed number of queries."""
    paths = topic_paths()
    topics: dict[int, list[tuple[int, str]]] = {}
    for reg_id, topic_id, name in (
        Registration.topics.through.objects.filter(registration__in=[r.pk for r in registrations])
        .order_by("topic__position", "topic__name")
        .values_list("registration_id", "topic_id", "topic__name")
    ):
        topics.setdefault(reg_id, []).append((topic_id, name))
    mentor_regs = [r for r in registrations if r.side == RegistrationRole.MENTOR]
    mentee_regs = [r for r in registrations if r.side != RegistrationRole.MENTOR]
    levels = {
        (profile_id, topic_id): level
        for profile_id, rows in mentor_expertise([r.user.profile.pk for r in mentor_regs]).items()
        for topic_id, _, level in rows
    }
    rules = pair_rules(
        event.program_id,
        mentee_ids=[r.user_id for r in mentee_regs],
        mentor_ids=[r.user_id for r in mentor_regs],
    )
    refused = _refused_pairs(rules, mentee_regs, mentor_regs)
    mentors = []
    for r in mentor_regs:
        p = r.user.profile
        own = topics.get(r.pk, [])
        mentors.append(
            EngineMentor(
                id=r.pk,
                name=p.display_name,
                text=" ".join([p.headline, p.bio, r.want, *(name for _, name in own)]),
                topics=tuple(
                    TopicLevel(paths[t], levels.get((p.pk, t))) for t, _ in own if t in paths
                ),
                site=p.site,
                languages=tuple(r.languages or p.languages),
                timezone=p.timezone,
            )
        )
    mentees = []
    for r in mentee_regs:
        p = r.user.profile
        own = topics.get(r.pk, [])
        mentees.append(
            EngineAsk(
                id=r.pk,
                text=" ".join([r.want, *(name for _, name in own)]),
                topics=tuple(TopicLevel(paths[t]) for t, _ in own if t in paths),
                site=p.site,
                languages=tuple(r.languages or p.languages),
                timezone=p.timezone,
                exclude=tuple(sorted(refused.get(r.pk, ()))),
            )
        )
    return EventPeople(mentees, mentors, program_policy(event.program, now))


def _refused_pairs(
    rules: PairRules, mentees: Sequence[Registration], mentors: Sequence[Registration]
) -> dict[int, set[int]]:
    """Mentee registration → the mentor registrations the program's rules forbid. The pool
    rule is asked once per mentor and set of pools; blocks and managers for the few pairs
    with such a fact."""
    out: dict[int, set[int]] = {}
    if rules.has_rules:
        by_pools: dict[frozenset[int], list[Registration]] = {}
        for r in mentees:
            by_pools.setdefault(rules.pools.get(r.user_id, frozenset()), []).append(r)
        for group in by_pools.values():
            sample = group[0].user_id
            barred = {m.pk for m in mentors if rules.pool_refusal(sample, m.user_id)}
            if barred:
                for r in group:
                    out[r.pk] = set(barred)
    related = rules.facts_by_person()
    if related:
        mentor_by_user = {m.user_id: m.pk for m in mentors}
        for r in mentees:
            for other in related.get(r.user_id, ()):
                mentor = mentor_by_user.get(other)
                if mentor is not None and rules.refusal(r.user_id, other) is not None:
                    out.setdefault(r.pk, set()).add(mentor)
    return out

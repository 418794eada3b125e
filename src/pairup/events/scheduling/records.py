"""An event's registrations as the engine's records, with the program's rules in them.

Who sits on which side: mentors and mentees as they registered; people who registered as
"either" balance the two sides (`decide_sides`: they fill mentor seats first while mentors
are short, and sit as mentees otherwise). Waitlisted and cancelled registrations take no part.

A mentee becomes an engine `Ask` (id: the registration's id) made by the one definition of an
ask's record (`asks.matching.records.engine_ask`): their "what I want from this" line and the
topics they registered for, their languages (the registration's, else the profile's), site
and zone; its `exclude` holds the mentors `PairRules` refuses (a block either way, the
program's pool rules, a reporting line). "No language in common" is the engine's own rule on
the same records, so it is not repeated.

A mentor becomes an engine `Mentor` (id: the registration's id): their profile's words and
expertise (`profile_text`, `mentor_expertise`), their past asks in the program
(`mentor_history`), the topics they registered for, languages and site. No capacity and no
load: event meetings are part of the event, not micro-engagements, so they neither count
toward a mentor's load or caps nor are limited by them.

Roundtables: each host (a mentor) gets one of the event's tables whose topic they know (their
registration's topics or expertise), most constrained tables first; hosts left over get a new
table on their own topic. The host's record carries the table's topic alone, so the engine's
`tables` seats only mentees who chose that topic. Speed mentoring: one table per mentor, kept
from the event's latest schedule where there is one.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, NamedTuple

from django.db.models import QuerySet

from pairup.accounts.models import Profile
from pairup.asks.matching.eligibility import REFUSALS, PairRules, pair_rules
from pairup.asks.matching.records import (
    AskWords,
    ask_text,
    engine_ask,
    mentor_expertise,
    mentor_history,
    profile_text,
    program_policy,
)
from pairup.core.vectors import semantic_for
from pairup.engine import Ask as EngineAsk
from pairup.engine import Mentor, Policy, TopicLevel, shares_language
from pairup.engine.semantic import SemanticIndex
from pairup.engine.tables import shares
from pairup.engine.topics import normalise_path
from pairup.events.models import (
    BuddyShare,
    Event,
    EventKind,
    EventSchedule,
    EventState,
    EventTable,
    Registration,
    RegistrationRole,
    RegistrationStatus,
    ScheduleState,
    Seat,
)
from pairup.programs.models import Program
from pairup.topics.queries import topic_paths

MENTOR = RegistrationRole.MENTOR.value
MENTEE = RegistrationRole.MENTEE.value
EITHER = RegistrationRole.EITHER.value

# Why a mentee may not sit with a mentor at an event, in words that follow "... : ". The
# rules of the program are eligibility's (REFUSALS); these are the event's own.
EVENT_REFUSALS = {
    **REFUSALS,
    "off_topic": "the table's topic is not one they chose",
    "no_table_topic": "the host's table has no topic",
    "repeat": "they already meet in another round",
    "capacity": "no seat left there in this round (swap with someone there instead)",
}

LEVEL_RANK = {"expert": 3, "experienced": 2, "familiar": 1}


def refusal_words(code: str) -> str:
    return EVENT_REFUSALS.get(code, code)


def seats_per_host(event: Event) -> int:
    """Mentees one mentor takes at once: seats per round (speed mentoring), the table size
    (roundtables), or buddies (1, or 2 only when mentors are short: 1 to balance sides)."""
    if event.kind == EventKind.ROUNDTABLES:
        return max(1, event.table_size)
    if event.kind == EventKind.CONFERENCE_BUDDIES:
        return 2 if event.mentees_per_mentor == BuddyShare.TWO else 1
    return max(1, event.seats_per_mentor)


@dataclass(frozen=True)
class Person:
    """A registered person as the schedule and its pages read them."""

    registration_id: int
    user_id: int
    name: str
    role: str
    side: str
    headline: str
    want: str
    site: str
    languages: tuple[str, ...]
    timezone: str
    # The registration's topics: (topic id, name), in the taxonomy's order.
    topics: tuple[tuple[int, str], ...] = ()


class TableRow(NamedTuple):
    """An event's table as the schedule reads it (a row, not a model instance)."""

    pk: int
    number: int
    topic_id: int | None


@dataclass(frozen=True)
class Place:
    """A mentor's table: an existing `EventTable` (`table_id`) or one to create (None)."""

    mentor: int
    table_id: int | None
    number: int
    topic_id: int | None = None
    topic: str = ""  # the topic's slug path ("" for none)


@dataclass
class EventRecords:
    """An event read from the database, ready for the engine."""

    event: Event
    now: datetime
    policy: Policy
    people: dict[int, Person]  # registration id → person, every registered one
    mentees: list[EngineAsk]  # by registration id
    mentors: list[Mentor]  # by registration id
    rules: PairRules
    sides: dict[int, str]  # each "either" → the side they take
    places: dict[int, Place]  # mentor registration → their table
    paths: dict[int, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    # (the mentors' semantic index or None,) once read: `semantic()`.
    _semantic: tuple[SemanticIndex | None] | None = field(default=None, repr=False)

    def semantic(self) -> SemanticIndex | None:
        """The mentors' vectors for hybrid relevance (None: lexical), read once per
        records: a solve and the scores of its pairs use the same."""
        if self._semantic is None:
            self._semantic = (semantic_for(self.mentors),)
        return self._semantic[0]

    @property
    def mentee_ids(self) -> list[int]:
        return [int(a.id) for a in self.mentees]

    @property
    def mentor_ids(self) -> list[int]:
        return [int(m.id) for m in self.mentors]

    def refusal(self, mentee: int, mentor: int) -> str | None:
        """Why `mentee` may not sit with `mentor` at all (registration ids): one of the
        program's pair rules, no language in common, or (roundtables) a table off the
        mentee's topics; None when they may."""
        e, m = self.people[mentee], self.people[mentor]
        why = self.rules.refusal(e.user_id, m.user_id)
        if why is not None:
            return why
        if self.policy.require_shared_language and not shares_language(e.languages, m.languages):
            return "no_shared_language"
        if self.event.kind == EventKind.ROUNDTABLES:
            place = self.places.get(mentor)
            if place is None or not place.topic:
                return "no_table_topic"
            if not shares(normalise_path(place.topic), self._mentee_topics(mentee)):
                return "off_topic"
        return None

    def _mentee_topics(self, mentee: int) -> tuple[TopicLevel, ...]:
        return tuple(TopicLevel(self.paths[pk]) for pk, _ in self.people[mentee].topics)


def event_policy(event: Event, now: datetime) -> Policy:
    """The program's matching policy for an event: its weights and objective, with no part for
    free time (everyone is in the room at the same time) and none for load (event meetings do
    not count toward it)."""
    return program_policy(event.program, now, availability_weight=0.0, load_weight=0.0)


# ---------------------------------------------------------------------------- reading


REG_FIELDS = (
    "pk",
    "user_id",
    "role",
    "seated_as",
    "languages",
    "want",
    "user__profile__pk",
    "user__profile__display_name",
    "user__profile__headline",
    "user__profile__bio",
    "user__profile__tags",
    "user__profile__site",
    "user__profile__languages",
    "user__profile__timezone",
)


def registered(event: Event) -> QuerySet[Registration]:
    return Registration.objects.filter(event=event, status=RegistrationStatus.REGISTERED)


def latest_schedule(event: Event) -> EventSchedule | None:
    """The event's draft, else its published schedule."""
    return (
        EventSchedule.objects.filter(
            event=event, state__in=[ScheduleState.DRAFT, ScheduleState.PUBLISHED]
        )
        .order_by("state", "-created_at")  # "draft" sorts before "published"
        .first()
    )


def decide_sides(
    event: Event,
    roles: dict[int, str],
    expertise: dict[int, int],
    kept: dict[int, str] | None = None,
) -> dict[int, str]:
    """The side of each "either" (registration id → "mentor" or "mentee"): while the mentors
    are short of seats (mentors × seats each < mentees), "either"s sit as mentors, those who
    know the most topics (`expertise`: registration id → how many) first, then the earliest;
    the others sit as mentees. `kept`: "either"s whose side must stay (seated in a published
    schedule or a locked seat)."""
    kept = kept or {}
    seats = seats_per_host(event)
    mentors = sum(1 for pk, r in roles.items() if r == MENTOR or kept.get(pk) == MENTOR)
    mentees = sum(1 for pk, r in roles.items() if r == MENTEE or kept.get(pk) == MENTEE)
    free = [pk for pk, r in roles.items() if r == EITHER and pk not in kept]
    # The fewest k with (mentors + k) × seats >= mentees + (free - k).
    need = math.ceil((mentees + len(free) - mentors * seats) / (seats + 1))
    k = max(0, min(len(free), need))
    order = sorted(free, key=lambda pk: (-expertise.get(pk, 0), pk))
    sides = {pk: side for pk, side in kept.items() if roles.get(pk) == EITHER}
    sides.update(dict.fromkeys(order[:k], MENTOR))
    sides.update(dict.fromkeys(order[k:], MENTEE))
    return sides


# How the "either"s take sides: (event, roles, expertise, kept) → registration id → side, as
# `decide_sides`. Conference buddies bring their own (`events.buddies.records`).
SideRule = Callable[[Event, dict[int, str], dict[int, int], dict[int, str]], dict[int, str]]


def kept_sides(event: Event) -> dict[int, str]:
    """The "either"s whose side is fixed: seated in the published schedule, or in a locked
    seat of the draft (registration id → side)."""
    seats = Seat.objects.filter(schedule__event=event).filter(
        schedule__state=ScheduleState.PUBLISHED
    ) | Seat.objects.filter(schedule__event=event, schedule__state=ScheduleState.DRAFT, locked=True)
    out: dict[int, str] = {}
    for mentor, mentee in seats.order_by().values_list("mentor_id", "mentee_id").distinct():
        out.setdefault(mentor, MENTOR)
        out.setdefault(mentee, MENTEE)
    either = set(
        registered(event).filter(role=EITHER, pk__in=list(out)).values_list("pk", flat=True)
    )
    return {pk: side for pk, side in out.items() if pk in either}


def load_event_records(
    event: Event,
    now: datetime,
    *,
    decide: bool = True,
    paths: dict[int, str] | None = None,
    side_rule: SideRule = decide_sides,
) -> EventRecords:
    """Read the event's registered people and build the engine's records (see the module's
    docstring): the one builder of every kind of event (speed mentoring, roundtables, the
    re-seat, conference buddies). `decide`: seat the "either"s anew (a new schedule) by
    `side_rule` (`decide_sides` unless the kind has its own); otherwise each keeps the side
    stored on their registration (`Registration.seated_as`), as a stored schedule has it."""
    watch: dict[str, float] = {}
    t0 = time.perf_counter()
    rows = list(registered(event).order_by("pk").values_list(*REG_FIELDS))
    reg_topics = _registration_topics(event)
    roles = {row[0]: row[2] for row in rows}
    profile_of_reg = {row[0]: row[6] for row in rows}
    maybe_mentors = [pk for pk, r in roles.items() if r != MENTEE]
    expertise_by_profile = mentor_expertise([profile_of_reg[pk] for pk in maybe_mentors])
    watch["registrations"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    if decide:
        sides = side_rule(
            event,
            roles,
            {pk: len(expertise_by_profile.get(profile_of_reg[pk], [])) for pk in maybe_mentors},
            kept_sides(event),
        )
    else:
        sides = {row[0]: row[3] or MENTEE for row in rows if row[2] == EITHER}
    people: dict[int, Person] = {}
    profiles: dict[int, Profile] = {}
    for row in rows:
        pk, role = row[0], row[2]
        side = sides.get(pk, role if role != EITHER else MENTEE)
        people[pk] = _person(row, side, reg_topics.get(pk, ()))
        if side == MENTOR:
            profiles[pk] = _profile(row)
    mentor_regs = [pk for pk, p in people.items() if p.side == MENTOR]
    mentee_regs = [pk for pk, p in people.items() if p.side == MENTEE]
    rules = pair_rules(
        event.program,
        mentee_ids=[people[pk].user_id for pk in mentee_regs],
        mentor_ids=[people[pk].user_id for pk in mentor_regs],
    )
    watch["rules"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    paths = paths if paths is not None else topic_paths()
    history = mentor_history(event.program, [people[pk].user_id for pk in mentor_regs], paths)
    places = _places(event, people, mentor_regs, expertise_by_profile, profile_of_reg, paths)
    mentors = []
    for pk in mentor_regs:
        p = people[pk]
        expertise = expertise_by_profile.get(profile_of_reg[pk], [])
        mentors.append(
            Mentor(
                id=pk,
                name=p.name,
                text=mentor_text(profiles[pk], expertise, p.topics),
                history=tuple(history.get(p.user_id, ())),
                topics=_mentor_topics(event, p, expertise, places.get(pk), paths),
                site=p.site,
                languages=p.languages,
                timezone=p.timezone,
            )
        )
    excluded = _exclusions(rules, people, mentee_regs, mentor_regs)
    mentees = []
    for pk in mentee_regs:
        p = people[pk]
        record = engine_ask(mentee_words(event, p), paths, None)
        exclude = excluded.get(pk)
        mentees.append(_with_exclude(record, exclude) if exclude else record)
    watch["records"] = time.perf_counter() - t0
    return EventRecords(
        event=event,
        now=now,
        policy=event_policy(event, now),
        people=people,
        mentees=mentees,
        mentors=mentors,
        rules=rules,
        sides={pk: p.side for pk, p in people.items() if p.role == EITHER},
        places=places,
        paths=paths,
        seconds=watch,
    )


def _registration_topics(
    event: Event, registrations: Collection[int] | None = None
) -> dict[int, list[tuple[int, str]]]:
    """Each registered person's topics (registration id → (topic id, name)), in the
    taxonomy's order; only those of `registrations` (ids) when given."""
    reg_topics: dict[int, list[tuple[int, str]]] = {}
    links = Registration.topics.through.objects.filter(
        registration__event=event, registration__status=RegistrationStatus.REGISTERED
    )
    if registrations is not None:
        links = links.filter(registration_id__in=list(registrations))
    for reg_id, topic_id, name in links.order_by(
        "registration_id", "topic__position", "topic__name"
    ).values_list("registration_id", "topic_id", "topic__name"):
        reg_topics.setdefault(reg_id, []).append((topic_id, name))
    return reg_topics


def _person(row: tuple[Any, ...], side: str, topics: Iterable[tuple[int, str]]) -> Person:
    """A registered person from a row of REG_FIELDS, sitting on `side`."""
    pk, user, role, _, langs, want, _prof, name, head, _bio, _tags, site, plangs, zone = row
    return Person(
        registration_id=pk,
        user_id=user,
        name=name or f"Member {user}",
        role=role,
        side=side,
        headline=head or "",
        want=want or "",
        site=site or "",
        languages=tuple(langs or plangs or ()),
        timezone=zone or "UTC",
        topics=tuple(topics),
    )


def _profile(row: tuple[Any, ...]) -> Profile:
    # profile_text reads a Profile's words; these are plain values of one.
    return Profile(headline=row[8] or "", bio=row[9] or "", tags=row[10] or [])


def mentor_text(
    profile: Profile, expertise: list[tuple[int, str, str]], topics: Iterable[tuple[int, str]]
) -> str:
    """An event mentor's text as the engine reads (and embeds) it: their profile's words, the
    names of the topics they know, then of those they registered for besides."""
    words = [name for _, name, _ in expertise] + [
        name for _, name in topics if all(name != e[1] for e in expertise)
    ]
    return profile_text(profile, words)


def mentee_words(event: Event, p: Person) -> AskWords:
    """A mentee's ask at an event: their "what I want from this" line and the topics they
    registered for, for one round."""
    return AskWords(
        p.registration_id,
        p.want,
        "",
        list(p.topics),
        p.site,
        p.languages,
        p.timezone,
        event.round_minutes,
    )


def event_texts(event: Event, registrations: Collection[int] | None = None) -> list[str]:
    """Every text a schedule of `event` (a solve, a re-seat, buddy groups) embeds, whichever
    side each "either" takes: each registered mentee's ask (`mentee_words`), each registered
    mentor's text (`mentor_text`); only those of `registrations` (ids) when given. Their
    past asks are the program's asks (`program_texts`)."""
    query = registered(event)
    if registrations is not None:
        query = query.filter(pk__in=list(registrations))
    rows = list(query.order_by("pk").values_list(*REG_FIELDS))
    reg_topics = _registration_topics(event, registrations)
    expertise = mentor_expertise([row[6] for row in rows if row[2] != MENTEE])
    texts: list[str] = []
    for row in rows:
        pk, role = row[0], row[2]
        p = _person(row, MENTEE, reg_topics.get(pk, ()))
        if role != MENTOR:
            texts.append(ask_text(mentee_words(event, p)))
        if role != MENTEE:
            texts.append(mentor_text(_profile(row), expertise.get(row[6], []), p.topics))
    return texts


def open_event_texts(programs: QuerySet[Program]) -> Iterator[str]:
    """The texts of every event of `programs` that may still be scheduled or re-seated (not
    ended nor cancelled): `event_texts`. Registered in `core.vectors` as texts in use, so
    `pairup embed` stores them and `--prune` keeps them."""
    events = Event.objects.filter(program__in=programs).exclude(
        state__in=[EventState.ENDED, EventState.CANCELLED]
    )
    for event in events.select_related("program").order_by("pk"):
        yield from event_texts(event)


def _with_exclude(record: EngineAsk, exclude: list[int]) -> EngineAsk:
    return replace(record, exclude=tuple(sorted(exclude)))


def _mentor_topics(
    event: Event,
    p: Person,
    expertise: list[tuple[int, str, str]],
    place: Place | None,
    paths: dict[int, str],
) -> tuple[TopicLevel, ...]:
    """Their expertise with its levels, and the topics they registered for besides (level
    unknown). A roundtable host: their table's topic alone, at their level of it, so the
    engine's `tables` seats at it only mentees who chose that topic."""
    level = {topic_id: lvl for topic_id, _, lvl in expertise}
    if event.kind == EventKind.ROUNDTABLES:
        if place is None or not place.topic:
            return ()
        return (TopicLevel(place.topic, level.get(place.topic_id or -1)),)
    topics = [TopicLevel(paths[topic_id], lvl) for topic_id, _, lvl in expertise]
    topics += [TopicLevel(paths[pk]) for pk, _ in p.topics if pk not in level]
    return tuple(topics)


def _exclusions(
    rules: PairRules, people: dict[int, Person], mentees: list[int], mentors: list[int]
) -> dict[int, list[int]]:
    """Mentee registration → the mentor registrations `rules` refuses for them. The pool rule
    is asked once per set of pools (mentees in the same pools get the same answer), the
    whole rule only for the few pairs with a fact of their own (a block, a manager)."""
    user_of = {pk: people[pk].user_id for pk in (*mentees, *mentors)}
    mentor_of_user = {user_of[pk]: pk for pk in mentors}
    related = rules.facts_by_person()
    by_pools: dict[frozenset[int], list[int]] = {}
    out: dict[int, list[int]] = {}
    for pk in mentees:
        me = user_of[pk]
        refused: list[int] = []
        if rules.has_rules:
            pools = rules.pools.get(me, frozenset())
            if pools not in by_pools:
                by_pools[pools] = [m for m in mentors if rules.pool_refusal(me, user_of[m])]
            refused = by_pools[pools]
        special = [mentor_of_user[u] for u in related.get(me, ()) if u in mentor_of_user]
        if special:
            refused = [m for m in refused if m not in special]
            refused += [m for m in special if rules.refusal(me, user_of[m])]
        if refused:
            out[pk] = refused
    return out


def _places(
    event: Event,
    people: dict[int, Person],
    mentors: list[int],
    expertise_by_profile: dict[int, list[tuple[int, str, str]]],
    profile_of_reg: dict[int, int],
    paths: dict[int, str],
) -> dict[int, Place]:
    tables = [
        TableRow(*row)
        for row in EventTable.objects.filter(event=event)
        .order_by("number")
        .values_list("pk", "number", "topic_id")
    ]
    if event.kind == EventKind.ROUNDTABLES:
        return _host_tables(tables, people, mentors, expertise_by_profile, profile_of_reg, paths)
    return _speed_tables(event, tables, mentors)


def _speed_tables(event: Event, tables: list[TableRow], mentors: list[int]) -> dict[int, Place]:
    """One table per mentor: the one they had in the event's latest schedule, else the
    event's free tables by number, else new ones after the last."""
    by_id = {t.pk: t for t in tables}
    had: dict[int, int] = {}
    latest = latest_schedule(event)
    if latest is not None:
        wanted = set(mentors)
        taken: set[int] = set()
        for mentor, table_id in (
            Seat.objects.filter(schedule=latest, table__isnull=False)
            .order_by()
            .values_list("mentor_id", "table_id")
            .distinct()
        ):
            fits = table_id in by_id and mentor in wanted
            if fits and mentor not in had and table_id not in taken:
                had[mentor] = table_id
                taken.add(table_id)
    used = set(had.values())
    free = iter([t for t in tables if t.pk not in used])
    next_number = max((t.number for t in tables), default=0) + 1
    out: dict[int, Place] = {}
    for pk in mentors:
        table = by_id.get(had[pk]) if pk in had else next(free, None)
        if table is None:
            out[pk] = Place(pk, None, next_number)
            next_number += 1
        else:
            out[pk] = Place(pk, table.pk, table.number, table.topic_id)
    return out


def _host_tables(
    tables: list[TableRow],
    people: dict[int, Person],
    hosts: list[int],
    expertise_by_profile: dict[int, list[tuple[int, str, str]]],
    profile_of_reg: dict[int, int],
    paths: dict[int, str],
) -> dict[int, Place]:
    """Roundtables: the event's tables with a topic go to hosts who know it (the highest
    level first), the tables with the fewest such hosts first; then tables without a topic
    and new tables take the hosts left, each on their own topic."""
    known: dict[int, dict[int, int]] = {}  # host → topic id → rank (3 expert .. 0 registered)
    for pk in hosts:
        mine = {
            tid: LEVEL_RANK.get(lvl, 2)
            for tid, _, lvl in expertise_by_profile.get(profile_of_reg[pk], [])
        }
        for tid, _ in people[pk].topics:
            mine.setdefault(tid, 0)
        known[pk] = mine

    def rank(host: int, topic_id: int) -> int | None:
        """How well the host knows the topic (or one inside or around it), None if not."""
        want = normalise_path(paths[topic_id])
        best = None
        for tid, r in known[host].items():
            have = normalise_path(paths[tid])
            n = min(len(want), len(have))
            if n and want[:n] == have[:n]:
                best = r if best is None else max(best, r)
        return best

    out: dict[int, Place] = {}
    topical = [t for t in tables if t.topic_id is not None]
    fits = {
        t.pk: {h: r for h in hosts if (r := rank(h, t.topic_id or 0)) is not None} for t in topical
    }
    for t in sorted(topical, key=lambda t: (len(fits[t.pk]), t.number)):
        free = [(r, h) for h, r in fits[t.pk].items() if h not in out]
        if free:
            _, host = min(free, key=lambda x: (-x[0], x[1]))
            out[host] = Place(host, t.pk, t.number, t.topic_id, paths[t.topic_id or 0])
    left = [h for h in hosts if h not in out]
    untopical = iter([t for t in tables if t.topic_id is None])
    next_number = max((t.number for t in tables), default=0) + 1
    for host in left:
        own = _own_topic(known[host], people[host])
        table = next(untopical, None)
        if table is None:
            out[host] = Place(host, None, next_number, own, paths[own] if own else "")
            next_number += 1
        else:
            out[host] = Place(host, table.pk, table.number, own, paths[own] if own else "")
    return out


def _own_topic(known: dict[int, int], person: Person) -> int | None:
    """A host's own topic: the first they registered for, else their best-known one."""
    if person.topics:
        return person.topics[0][0]
    if known:
        return min(known, key=lambda tid: (-known[tid], tid))
    return None


def people_by_id(event: Event, ids: Collection[int]) -> dict[int, Person]:
    """Some registrations of the event as `Person`s (each with their stored side), for the
    pages and the swaps."""
    rows = list(Registration.objects.filter(event=event, pk__in=list(ids)).values_list(*REG_FIELDS))
    topics: dict[int, list[tuple[int, str]]] = {}
    for reg_id, topic_id, name in (
        Registration.topics.through.objects.filter(registration_id__in=[r[0] for r in rows])
        .order_by("registration_id", "topic__position", "topic__name")
        .values_list("registration_id", "topic_id", "topic__name")
    ):
        topics.setdefault(reg_id, []).append((topic_id, name))
    out = {}
    for pk, user, role, seated, langs, want, _, name, head, _, _, site, plangs, zone in rows:
        side = seated or (MENTOR if role == MENTOR else MENTEE)
        out[pk] = Person(
            pk,
            user,
            name or f"Member {user}",
            role,
            side,
            head or "",
            want or "",
            site or "",
            tuple(langs or plangs or ()),
            zone or "UTC",
            tuple(topics.get(pk, ())),
        )
    return out

"""A program's past asks replayed through the engine under one matching policy: pure Python
over engine records, no database (`pairup.insights.simulation.service` reads them).

The replay walks the asks in rounds, oldest first: the asks of one week (Monday to Sunday,
UTC), cut at the turn of a month, form one cohort that the engine's exact `assign` matches
with the policy's weights and objective. What a round gives a mentor counts in their load
for the rounds after it in the same month, so the load weight spreads asks over the weeks
of a month as it would live; and under their caps:

- the program's monthly cap (the mentor's own override of it first), then the mentor's
  own monthly and weekly caps, count sessions: an ask counts the sessions it asked for,
  at most the policy's sessions per ask;
- the engine counts asks, so a mentor may take room ÷ the most sessions an ask of the
  round wants (at least one when they have room, as cohort matching does), and asks
  wanting more sessions than a mentor's room exclude that mentor.

The replay starts every month with nobody's sessions counted: what mentors did outside the
program, and the sessions of asks before the window, are not part of it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np

from pairup.engine import Ask, Assignment, MentorIndex, Policy
from pairup.engine.assign import assign_detailed
from pairup.engine.cohort import ALL_FULL, NO_ELIGIBLE
from pairup.engine.records import Id
from pairup.engine.scoring import language_set

Month = tuple[int, int]


@dataclass(frozen=True)
class ReplayAsk:
    """An ask to replay: the engine's record (its hard-rule exclusions in `exclude`), when
    it was made (UTC) and the sessions it asked for."""

    record: Ask
    created: datetime
    sessions: int


@dataclass(frozen=True)
class MentorCaps:
    """A mentor's caps that do not depend on the policy: their own override of the
    program's monthly cap, and their own monthly and weekly caps (None: none set)."""

    program_override: int | None = None
    own_monthly: int | None = None
    own_weekly: int | None = None


@dataclass(frozen=True)
class ReplayPolicy:
    """What the replay reads of a program's policy: the engine's weights and objective, the
    monthly cap of a mentor without their own, the most sessions one ask may have."""

    engine: Policy
    monthly_cap: int
    max_sessions: int


def week_start(moment: datetime) -> datetime:
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def rounds(asks: Sequence[ReplayAsk]) -> list[list[int]]:
    """The positions of `asks` in each round (a week, cut at the turn of a month), oldest
    round first, by time and then id within one."""
    groups: dict[tuple[datetime, Month], list[int]] = {}
    for i, a in enumerate(asks):
        key = (week_start(a.created), (a.created.year, a.created.month))
        groups.setdefault(key, []).append(i)
    return [
        sorted(groups[key], key=lambda i: (asks[i].created, str(asks[i].record.id)))
        for key in sorted(groups)
    ]


def room_of(caps: MentorCaps, policy: ReplayPolicy, month_used: int, week_used: int) -> int:
    """Sessions a mentor may still take in the round: the tightest of their caps."""
    program_cap = caps.program_override if caps.program_override is not None else policy.monthly_cap
    room = program_cap - month_used
    if caps.own_monthly is not None:
        room = min(room, caps.own_monthly - month_used)
    if caps.own_weekly is not None:
        room = min(room, caps.own_weekly - week_used)
    return max(room, 0)


def seats(room: int, most_sessions: int) -> int:
    """Asks of a round a mentor with `room` sessions may take (see the module docstring)."""
    if room <= 0:
        return 0
    return max(1, room // max(most_sessions, 1))


def replay(
    asks: Sequence[ReplayAsk],
    index: MentorIndex,
    caps: Sequence[MentorCaps],
    policy: ReplayPolicy,
) -> list[Assignment]:
    """One assignment per ask of `asks`, in their order, as the policy would have matched
    them round by round. `index` holds every mentor who may take asks (its loads and
    capacities are replaced round by round; its weights by the policy's), `caps` their caps
    in the index's order."""
    if len(caps) != len(index):
        raise ValueError("give the caps of every mentor of the index")
    out: dict[int, Assignment] = {}
    ids = [m.id for m in index.mentors]
    month_used: Counter[tuple[int, Month]] = Counter()
    # Sessions per mentor and week: a week cut at the turn of a month is one for weekly caps.
    week_used: Counter[tuple[int, datetime]] = Counter()
    for positions in rounds(asks):
        first = asks[positions[0]].created
        month = (first.year, first.month)
        week = week_start(first)
        wanted = [_sessions(asks[i], policy) for i in positions]
        most = max(wanted)
        rooms = [
            room_of(caps[m], policy, month_used[(m, month)], week_used[(m, week)])
            for m in range(len(ids))
        ]
        round_index = index.with_load(
            [month_used[(m, month)] for m in range(len(ids))],
            [seats(r, most) for r in rooms],
            policy.engine,
        )
        records = []
        # Mentors with some room, but too little for asks wanting n sessions, by n.
        too_short = {
            n: [ids[m] for m, room in enumerate(rooms) if 0 < room < n] for n in set(wanted)
        }
        for i, n in zip(positions, wanted, strict=True):
            record = asks[i].record
            short = too_short[n]
            if short:
                record = replace(record, exclude=tuple({*record.exclude, *short}))
            records.append(record)
        # Only who takes which ask is read: the reasons of each match are not worked out.
        results = assign_detailed(records, round_index, explain=False, workers=1).assignments
        for i, n, record, assignment in zip(positions, wanted, records, results, strict=True):
            if assignment.unmatched_reason == NO_ELIGIBLE and _full(index, record, rooms, n):
                assignment = replace(assignment, unmatched_reason=ALL_FULL)
            out[i] = assignment
            if assignment.mentor_id is not None:
                m = index.position[assignment.mentor_id]
                month_used[(m, month)] += n
                week_used[(m, week)] += n
    return [out[i] for i in range(len(asks))]


def _full(index: MentorIndex, ask: Ask, rooms: list[int], sessions: int) -> bool:
    """Whether a mentor the caps closed (no room for `sessions`) would share a language with
    the ask and is not excluded by a rule: then the ask found no mentor because they were
    full, not because nobody may take it."""
    excluded = {index.position[x] for x in ask.exclude if x in index.position}
    closed = [m for m, room in enumerate(rooms) if room < sessions and m not in excluded]
    if not closed:
        return False
    langs = language_set(ask.languages)
    return bool(index.language_ok(langs, np.array(closed, dtype=np.int64)).any())


def _sessions(ask: ReplayAsk, policy: ReplayPolicy) -> int:
    return max(1, min(ask.sessions, policy.max_sessions))


def mentor_loads(assignments: Iterable[Assignment], mentor_ids: Iterable[Id]) -> list[int]:
    """Asks per mentor (every mentor of `mentor_ids`, in order; none given counts 0)."""
    given = Counter(a.mentor_id for a in assignments if a.mentor_id is not None)
    return [given[m] for m in mentor_ids]

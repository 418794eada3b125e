"""The program insights: one function per figure, each a pure read of a fixed number of
queries (aggregated in the database where the database can), over a date range [start,
end) in UTC and the site and pool filters (`scope.py`). `program_insights` gathers them in
the order the API and the dashboard show them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db.models import Model

from pairup.accounts.models import Expertise, Profile, User
from pairup.asks.models import Ask, Engagement, Feedback, Invitation, ThankYou
from pairup.availability.models import Availability, Commitment
from pairup.events.models import (
    ConversationRating,
    Event,
    EventFollowUp,
    EventSchedule,
    Registration,
    Seat,
)
from pairup.insights.freshness import (
    CLOCK_ENTRY_TTL_SECONDS,
    ENTRY_TTL_SECONDS,
    entry_key,
    insights_stamps,
)
from pairup.programs.models import Membership, Program
from pairup.sessions.models import Session, SessionFeedback
from pairup.topics.models import Topic

from .asks import funnel, response_times, topics
from .db import analytic_reads
from .event_rows import events
from .scope import DEFAULT_DAYS, MAX_DAYS, InsightsFilters, Scope, default_range
from .sessions_and_load import mentor_load, sessions
from .sites import cross_site
from .wrapup import ratings, thanks

FIGURES = {
    "funnel": funnel,
    "response_times": response_times,
    "sessions": sessions,
    "ratings": ratings,
    "mentor_load": mentor_load,
    "cross_site": cross_site,
    "topics": topics,
    "thanks": thanks,
    "events": events,
}


def _tables(*models: type[Model]) -> frozenset[str]:
    return frozenset(m._meta.db_table for m in models)


# The tables each figure reads, without filters: a write to any other leaves its cached
# value as it was (`pairup.insights.freshness`; tests/insights/test_freshness.py checks
# each figure's queries against its own list). A site or pool filter reads the people's
# memberships, pools and profiles as well (`FILTER_READS`, `Scope.people`).
READS: dict[str, frozenset[str]] = {
    "funnel": _tables(Ask, Invitation, Engagement, Session),
    "response_times": _tables(Ask, Invitation, Engagement),
    "sessions": _tables(Session, Engagement),
    "ratings": _tables(
        Feedback, SessionFeedback, Session, Engagement, Ask, Ask.topics.through, Topic
    ),
    "mentor_load": _tables(Session, Engagement, Membership, Program, User),
    "cross_site": _tables(Engagement, User, Profile),
    "topics": _tables(
        Ask,
        Ask.topics.through,
        Topic,
        Engagement,
        Invitation,
        Expertise,
        Profile,
        User,
        Membership,
        Program,
        Availability,
        Commitment,
    ),
    "thanks": _tables(ThankYou, Engagement),
    "events": _tables(
        Event, Registration, EventSchedule, Seat, ConversationRating, EventFollowUp, Ask, Engagement
    ),
}
FILTER_READS = _tables(Membership, Membership.pools.through, User, Profile)
# Figures that change with the clock as well as with the rows: the free capacity counts the
# mentors' current week and month, the events the rounds played by now.
CLOCK = frozenset({"topics", "events"})


def figure_reads(name: str, filters: InsightsFilters) -> frozenset[str]:
    """The tables figure `name` reads under `filters`."""
    return READS[name] | (FILTER_READS if filters.site or filters.pool is not None else frozenset())


def program_insights(
    program: Program,
    filters: InsightsFilters,
    now: datetime,
    *,
    only: str | None = None,
    names: list[str] | None = None,
) -> dict[str, Any]:
    """Every figure of `program` (or `only` the one named, or those `names`), keyed as the
    API has them."""
    scope = Scope(program=program, filters=filters, now=now)
    names = [only] if only else names if names is not None else list(FIGURES)
    with analytic_reads():
        return {name: FIGURES[name](scope) for name in names}


def cached_program_insights(
    program: Program, filters: InsightsFilters, now: datetime, *, only: str | None = None
) -> dict[str, Any]:
    """`program_insights` through the cache (`pairup.insights.freshness`): each figure
    counted once, then read back until a table it reads changes (or, for a figure that
    depends on the clock, a quarter hour passes); after a write, only the figures that read
    the tables written are counted again. Warm: two cache reads (the stamps, the entries)."""
    names = [only] if only else list(FIGURES)
    stamps = insights_stamps(set().union(*(figure_reads(n, filters) for n in names)))
    keys = {}
    for name in names:
        parts = (filters.start, filters.end, filters.site, filters.pool, name)
        mine = {t: stamps[t] for t in figure_reads(name, filters)}
        keys[name] = entry_key(program.pk, parts, mine, now if name in CLOCK else None)
    found = cache.get_many(list(keys.values()))
    figures = {name: found[key] for name, key in keys.items() if key in found}
    stale = [name for name in names if name not in figures]
    if stale:
        counted = program_insights(program, filters, now, names=stale)
        figures.update(counted)
        for clock in (True, False):
            entries = {keys[n]: v for n, v in counted.items() if (n in CLOCK) == clock}
            if entries:
                ttl = CLOCK_ENTRY_TTL_SECONDS if clock else ENTRY_TTL_SECONDS
                cache.set_many(entries, ttl)
    return {name: figures[name] for name in names}


__all__ = [
    "DEFAULT_DAYS",
    "FIGURES",
    "MAX_DAYS",
    "READS",
    "InsightsFilters",
    "Scope",
    "cached_program_insights",
    "default_range",
    "program_insights",
]

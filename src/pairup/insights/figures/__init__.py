"""The program insights: one function per figure, each a pure read of a fixed number of
queries (aggregated in the database where the database can), over a date range [start,
end) in UTC and the site and pool filters (`scope.py`). `program_insights` gathers them in
the order the API and the dashboard show them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.cache import cache

from pairup.insights.freshness import (
    CLOCK_ENTRY_TTL_SECONDS,
    ENTRY_TTL_SECONDS,
    entry_key,
    insights_stamps,
)
from pairup.insights.reads import CLOCK, FILTER_READS, READS
from pairup.programs.models import Program

from .asks import funnel, response_times, topics
from .db import analytic_reads
from .event_rows import events
from .scope import DEFAULT_DAYS, MAX_DAYS, InsightsFilters, Scope, SharedLoads, default_range
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
    loads: SharedLoads | None = None,
) -> dict[str, Any]:
    """Every figure of `program` (or `only` the one named, or those `names`), keyed as the
    API has them; `loads`: the mentors' loads at `now`, shared with the caller."""
    scope = Scope(program=program, filters=filters, now=now, loads=loads)
    names = [only] if only else names if names is not None else list(FIGURES)
    with analytic_reads():
        return {name: FIGURES[name](scope) for name in names}


def cached_program_insights(
    program: Program,
    filters: InsightsFilters,
    now: datetime,
    *,
    only: str | None = None,
    loads: SharedLoads | None = None,
) -> dict[str, Any]:
    """`program_insights` through the cache (`pairup.insights.freshness`): each figure
    counted once, then read back until a table it reads changes (or, for a figure that
    depends on the clock, a quarter hour passes); after a write, only the figures that read
    the tables written are counted again. Warm: two cache reads (the stamps, the entries).
    `loads`: as `program_insights`."""
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
        counted = program_insights(program, filters, now, names=stale, loads=loads)
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
    "SharedLoads",
    "cached_program_insights",
    "default_range",
    "program_insights",
]

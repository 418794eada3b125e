"""The program insights: one function per figure, each a pure read of a fixed number of
queries (aggregated in the database where the database can), over a date range [start,
end) in UTC and the site and pool filters (`scope.py`). `program_insights` gathers them in
the order the API and the dashboard show them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.cache import cache

from pairup.insights.freshness import ENTRY_TTL_SECONDS, entry_key
from pairup.programs.models import Program

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


def program_insights(
    program: Program, filters: InsightsFilters, now: datetime, *, only: str | None = None
) -> dict[str, Any]:
    """Every figure of `program` (or `only` the one named), keyed as the API has them."""
    scope = Scope(program=program, filters=filters, now=now)
    names = [only] if only else list(FIGURES)
    with analytic_reads():
        return {name: FIGURES[name](scope) for name in names}


def cached_program_insights(
    program: Program, filters: InsightsFilters, now: datetime, *, only: str | None = None
) -> dict[str, Any]:
    """`program_insights` through the cache (`pairup.insights.freshness`): counted once,
    then read back until a watched table changes (or a quarter hour passes). The page and
    the API cache every figure together; one figure alone (a CSV) is taken from there when
    it is cached, else counted and cached alone. Warm: two cache reads."""
    # The figures' names are in the key: an entry cached before a figure was added is not
    # read back without it.
    parts = (filters.start, filters.end, filters.site, filters.pool, tuple(FIGURES))
    key = entry_key(program.pk, parts, now)
    found = cache.get(key)
    if found is not None:
        return {only: found[only]} if only else found
    if only:
        key = f"{key}:{only}"
        found = cache.get(key)
        if found is not None:
            return found
    figures = program_insights(program, filters, now, only=only)
    cache.set(key, figures, ENTRY_TTL_SECONDS)
    return figures


__all__ = [
    "DEFAULT_DAYS",
    "FIGURES",
    "MAX_DAYS",
    "InsightsFilters",
    "Scope",
    "cached_program_insights",
    "default_range",
    "program_insights",
]

"""Figures of an event schedule, for the organiser's preview, the API and
`pairup event schedule --json`: one definition, plain ints and floats (JSON-ready)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from pairup.engine.records import Id, Schedule


def schedule_figures(
    schedule: Schedule,
    mentee_ids: Iterable[Id],
    mentor_ids: Iterable[Id],
    optimum_total: float | None = None,
) -> dict[str, Any]:
    """meetings; repeats (pairs meeting more than once: 0 in every engine schedule);
    sitouts_min / sitouts_max (rounds without a meeting, over the listed mentees);
    mentor_load_min / mentor_load_max (meetings per listed mentor, all rounds);
    relevance_total (sum of the meetings' scores); relevance_vs_optimum (relevance_total /
    optimum_total when an optimum is given and positive, else None). Min/max over nobody
    are 0."""
    per_pair = Counter((x.mentor_id, x.mentee_id) for x in schedule.meetings)
    per_mentee = Counter(x.mentee_id for x in schedule.meetings)
    per_mentor = Counter(x.mentor_id for x in schedule.meetings)
    sitouts = [schedule.rounds - per_mentee[i] for i in mentee_ids]
    loads = [per_mentor[j] for j in mentor_ids]
    total = round(sum(x.score for x in schedule.meetings), 6)
    ratio = None
    if optimum_total is not None and optimum_total > 0:
        ratio = round(total / optimum_total, 6)
    return {
        "meetings": len(schedule.meetings),
        "repeats": sum(1 for k in per_pair.values() if k > 1),
        "sitouts_min": min(sitouts, default=0),
        "sitouts_max": max(sitouts, default=0),
        "mentor_load_min": min(loads, default=0),
        "mentor_load_max": max(loads, default=0),
        "relevance_total": float(total),
        "relevance_vs_optimum": ratio,
    }

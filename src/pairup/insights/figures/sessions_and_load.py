"""Figures of sessions: what happened to them week by week, and how the load is spread
over the mentors (the "super mentor" picture)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncWeek

from pairup.engine.cohort import gini, top_share
from pairup.sessions.models import Session, SessionStatus

from .scope import GIVEN, Scope, week_of

# The columns of the weekly table, in order: a late cancellation is one inside the mentor's
# notice period (Session.late_cancel, set when it is cancelled); "booked" sessions have no
# outcome recorded yet (ahead, or not marked).
SESSION_KINDS = [
    ("held", "Held"),
    ("no_show_mentee", "Mentee did not come"),
    ("no_show_mentor", "Mentor did not come"),
    ("late_cancelled", "Cancelled late"),
    ("cancelled", "Cancelled in time"),
    ("booked", "Booked, no outcome yet"),
]


def _kind(status: str, late: bool) -> str:
    if status == SessionStatus.CANCELLED:
        return "late_cancelled" if late else "cancelled"
    return str(status)


def sessions(scope: Scope) -> dict[str, Any]:
    """The sessions that start in the range, by week (Monday, UTC) and outcome. One query,
    counted in the database."""
    rows = (
        scope.sessions()
        .annotate(week=TruncWeek("start", tzinfo=UTC))
        .values("week", "status", "late_cancel")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[Any, Counter[str]] = {}
    for r in rows:
        # SQLite gives the week back as an aware datetime too; week_of makes both the same.
        counts.setdefault(week_of(r["week"]), Counter())[_kind(r["status"], r["late_cancel"])] += r[
            "n"
        ]
    weeks = []
    totals: Counter[str] = Counter()
    for week in scope.filters.weeks():
        c = counts.get(week, Counter())
        totals.update(c)
        weeks.append({"week": week.date().isoformat(), **{k: c[k] for k, _ in SESSION_KINDS}})
    return {"weeks": weeks, "totals": {k: totals[k] for k, _ in SESSION_KINDS}}


def mentor_load(scope: Scope) -> dict[str, Any]:
    """Sessions per mentor in the range (those the load counts: not cancelled) over the
    program's approved mentors and anyone else who gave a session then, the filters choosing
    mentors: the histogram (how many mentors gave 0, 1, 2 … sessions), the Gini coefficient
    and the share on the busiest tenth (`pairup.engine.cohort`, as a cohort run reports
    them), and the approved mentors who never had a session in the program before the end
    of the range. Two queries."""
    # One pass over the mentors' sessions before the end of the range: those in the range
    # (their load) and any at all (who has had a session yet).
    given: dict[int, int] = {}
    ever: set[int] = set()
    for mentor_id, n, before in (
        Session.objects.filter(
            engagement__program=scope.program, status__in=GIVEN, start__lt=scope.end
        )
        .filter(scope.person_q("engagement__mentor_id"))
        .values("engagement__mentor_id")
        .annotate(n=Count("pk", filter=Q(start__gte=scope.start)), before=Count("pk"))
        .values_list("engagement__mentor_id", "n", "before")
        .order_by()
    ):
        if n:
            given[mentor_id] = n
        if before:
            ever.add(mentor_id)
    approved = set(scope.mentors().values_list("user_id", flat=True))
    loads = [given.get(pk, 0) for pk in approved | set(given)]
    without = len(approved - ever)
    histogram = sorted(Counter(loads).items())
    return {
        "mentors": len(loads),
        "sessions": sum(loads),
        "gini": round(gini(loads), 4),
        "top10_share": round(top_share(loads, 0.1), 4),
        "without_session": without,
        "histogram": [{"sessions": k, "mentors": v} for k, v in histogram],
    }

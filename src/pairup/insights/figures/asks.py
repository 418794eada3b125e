"""Figures of asks: the funnel, the response times and the demand and supply by topic."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Q

from pairup.accounts.models import Expertise
from pairup.asks.models import AskStatus, EngagementStatus, Invitation, InvitationStatus
from pairup.sessions.models import Session, SessionStatus

from .db import EpochSeconds
from .scope import Scope
from .stats import hours, percentiles, share

WEEK_SECONDS = 7 * 24 * 3600

FUNNEL_STEPS = [
    ("asked", "Asked"),
    ("invited", "Offered to a mentor"),
    ("accepted", "Accepted"),
    ("first_session", "First session held"),
    ("completed", "Completed"),
]


def found_no_mentor(path: str = "") -> Q:
    """Asks that found no mentor: withdrawn or closed without an engagement (`path` leads
    from the rows queried to the ask, e.g. "ask__"). The topics figure's unmatched demand and
    the health alert about mentees whose asks keep failing both count these."""
    return Q(
        **{
            f"{path}status__in": [AskStatus.WITHDRAWN, AskStatus.CLOSED],
            f"{path}engagement__isnull": True,
        }
    )


def funnel(scope: Scope) -> dict[str, Any]:
    """Asks made in the range and how far each got so far: offered to a mentor (an
    invitation, or taken from the board), accepted (an engagement), its first session held,
    completed (marked done after a session held). Each step counts the asks that reached it
    and every step before, so `lost` is what dropped off since the previous step. One query."""
    held = Session.objects.filter(
        engagement_id=OuterRef("engagement__id"), status=SessionStatus.HELD
    )
    offered = Invitation.objects.filter(ask_id=OuterRef("pk"))
    # Each ask's furthest facts, grouped in the database (a dozen rows at most): every
    # subquery runs once per ask.
    groups = (
        scope.asks()
        .annotate(offered=Exists(offered), held=Exists(held))
        .values("offered", "held", "engagement__status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = dict.fromkeys([key for key, _ in FUNNEL_STEPS], 0)
    for g in groups:
        reached = {
            "asked": True,
            "invited": g["offered"],
            "accepted": g["engagement__status"] is not None,
            "first_session": g["held"],
            "completed": g["held"] and g["engagement__status"] == EngagementStatus.COMPLETED,
        }
        for key, yes in reached.items():
            counts[key] += g["n"] if yes else 0
    steps, previous = [], None
    for key, label in FUNNEL_STEPS:
        count = counts[key]
        steps.append(
            {
                "step": key,
                "label": label,
                "count": count,
                "lost": 0 if previous is None else previous - count,
                "kept": None if previous is None else share(count, previous),
            }
        )
        previous = count
    return {"steps": steps}


def response_times(scope: Scope) -> dict[str, Any]:
    """For the asks made in the range, by the week they were made: hours from the ask to a
    mentor's first answer (accepted or declined) and to the match (the engagement), median
    and 90th percentile over the asks that got one. One query, of whole seconds; percentiles
    in Python, the same on every database."""
    answered = [InvitationStatus.ACCEPTED, InvitationStatus.DECLINED]
    rows = (
        scope.asks()
        .annotate(
            asked_s=EpochSeconds("created_at"),
            answer_s=EpochSeconds(
                Min("invitations__responded_at", filter=Q(invitations__status__in=answered))
            ),
            match_s=EpochSeconds("engagement__created_at"),
        )
        .values_list("asked_s", "answer_s", "match_s")
        .order_by()
    )
    weeks = scope.filters.weeks()
    first_monday = int(weeks[0].timestamp())
    asked = [0] * len(weeks)
    first: list[list[float]] = [[] for _ in weeks]
    match: list[list[float]] = [[] for _ in weeks]
    for created, answer, matched in rows:
        week = (created - first_monday) // WEEK_SECONDS
        asked[week] += 1
        if answer is not None:
            first[week].append(hours(answer - created))
        if matched is not None:
            match[week].append(hours(matched - created))
    return {
        "weeks": [
            {
                "week": monday.date().isoformat(),
                "asks": asked[i],
                "first_response_hours": percentiles(first[i]),
                "match_hours": percentiles(match[i]),
            }
            for i, monday in enumerate(weeks)
        ],
        "overall": {
            "asks": sum(asked),
            "first_response_hours": percentiles([v for vs in first for v in vs]),
            "match_hours": percentiles([v for vs in match for v in vs]),
        },
    }


def topics(scope: Scope) -> list[dict[str, Any]]:
    """Demand and supply by topic. Demand: the asks made in the range on the topic, those
    still open and those that found no mentor (withdrawn or closed without an engagement).
    Supply: the approved mentors who know the topic and their free capacity now, the
    sessions they may still take in this program under every cap (the one load definition,
    `pairup.asks.load`). Topics with demand or supply, most unmet demand first."""
    # From the asks of the range to their topics (one row per ask and topic): the database
    # reads the range's asks by index, not every ask's topic.
    demand = (
        scope.asks()
        .filter(topics__isnull=False)
        .values("topics__id", "topics__slug", "topics__name")
        .annotate(
            asks=Count("pk"),
            open=Count("pk", filter=Q(status=AskStatus.OPEN)),
            unmatched=Count("pk", filter=found_no_mentor()),
        )
        .order_by()
    )
    rows: dict[int, dict[str, Any]] = {}

    def row(topic_id: int, slug: str, name: str) -> dict[str, Any]:
        return rows.setdefault(
            topic_id,
            {
                "topic": slug,
                "name": name,
                "asks": 0,
                "open": 0,
                "unmatched": 0,
                "mentors": 0,
                "free_capacity": 0,
            },
        )

    for d in demand:
        row(d["topics__id"], d["topics__slug"], d["topics__name"]).update(
            asks=d["asks"], open=d["open"], unmatched=d["unmatched"]
        )
    expertise = Expertise.objects.filter(profile__user_id__in=scope.mentors().values("user_id"))
    known = list(
        expertise.values_list(
            "topic_id", "topic__slug", "topic__name", "profile__user_id"
        ).order_by()
    )
    mentor_ids = {user_id for *_, user_id in known}
    # Thousands of mentors in a large program: their loads read them as a subquery.
    loads = scope.mentor_loads(mentor_ids, among=expertise.values("profile__user_id"))
    program_id = scope.program.pk
    for topic_id, slug, name, user_id in known:
        r = row(topic_id, slug, name)
        r["mentors"] += 1
        r["free_capacity"] += loads[user_id].room(program_id) or 0
    return sorted(
        rows.values(),
        key=lambda r: (-(r["open"] + r["unmatched"]), -r["asks"], -r["mentors"], r["name"]),
    )

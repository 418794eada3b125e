"""Figures of the wrap-up: ratings, what mentees applied, thanks and continuing."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Q

from pairup.asks.models import Feedback, ThankYou
from pairup.sessions.models import SessionFeedback

from .scope import Scope
from .stats import share

RATINGS = range(1, 6)


def rating_distribution(counts: dict[Any, int]) -> dict[str, Any]:
    n = sum(counts.values())
    total = sum(r * c for r, c in counts.items())
    return {
        "n": n,
        "mean": round(total / n, 2) if n else None,
        "counts": [{"rating": r, "count": counts.get(r, 0)} for r in RATINGS],
    }


def ratings(scope: Scope) -> dict[str, Any]:
    """The mentees' ratings given in the range, as distributions: the usefulness of an
    engagement (its wrap-up, 1–5) and of a session (the one-tap rating after it); and what
    mentees said they applied (wrap-ups with something written), counted by the ask's
    topics (an ask on two topics counts for each) and in all. Four queries."""
    mentee = scope.person_q("engagement__mentee_id")
    wrapups = Feedback.objects.filter(
        engagement__program=scope.program,
        role="mentee",
        created_at__gte=scope.start,
        created_at__lt=scope.end,
    ).filter(mentee)
    engagement = dict(
        wrapups.filter(rating__isnull=False)
        .values("rating")
        .annotate(n=Count("pk"))
        .values_list("rating", "n")
        .order_by()
    )
    session = dict(
        SessionFeedback.objects.filter(
            session__engagement__program=scope.program,
            author_id=F("session__engagement__mentee_id"),
            created_at__gte=scope.start,
            created_at__lt=scope.end,
        )
        .filter(scope.person_q("session__engagement__mentee_id"))
        .values("rating")
        .annotate(n=Count("pk"))
        .values_list("rating", "n")
        .order_by()
    )
    applied = wrapups.exclude(applied="")
    by_topic = (
        applied.filter(engagement__ask__topics__isnull=False)
        .values("engagement__ask__topics__slug", "engagement__ask__topics__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "engagement__ask__topics__name")
    )
    return {
        "engagement": rating_distribution(engagement),
        "session": rating_distribution(session),
        "applied": {
            "total": applied.count(),
            "topics": [
                {
                    "topic": r["engagement__ask__topics__slug"],
                    "name": r["engagement__ask__topics__name"],
                    "count": r["n"],
                }
                for r in by_topic
            ],
        },
    }


def thanks(scope: Scope) -> dict[str, Any]:
    """Thanks written in the range; and of the engagements begun in the range, those the
    mentee thanked, those where one side proposed continuing and those where both did.
    Two queries."""
    sent = (
        ThankYou.objects.filter(
            engagement__program=scope.program,
            created_at__gte=scope.start,
            created_at__lt=scope.end,
        )
        .filter(scope.person_q("engagement__mentee_id"))
        .count()
    )
    c = scope.engagements().aggregate(
        engagements=Count("pk"),
        thanked=Count("pk", filter=Q(thanks__isnull=False)),
        proposed=Count("pk", filter=Q(continue_proposed_by__isnull=False)),
        both=Count("pk", filter=Q(continue_agreed_at__isnull=False)),
    )
    return {
        "sent": sent,
        "engagements": c["engagements"],
        "thanked": c["thanked"],
        "thanked_share": share(c["thanked"], c["engagements"]),
        "continue_proposed": c["proposed"],
        "continue_both": c["both"],
        "continue_both_share": share(c["both"], c["engagements"]),
    }

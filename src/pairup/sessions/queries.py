"""Reads for sessions: counts for caps, no-shows, the sessions a person may see."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from pairup.accounts.models import User
from pairup.asks.load import caps_over, sessions_unbooked
from pairup.asks.models import Engagement
from pairup.availability import queries as availability_queries
from pairup.programs.models import Program

from . import rules
from .models import Session, SessionStatus


def sessions_left(engagement: Engagement) -> int:
    """How many of the engagement's agreed sessions are still to book (cancelled ones give
    their place back): `pairup.asks.load.sessions_unbooked`, the one definition."""
    return sessions_unbooked([engagement])[engagement.pk]


def agreed_minutes(engagement: Engagement) -> int:
    """The length of each session, as agreed when the mentor accepted the ask."""
    return engagement.ask.duration


def bookable_slots(
    engagement: Engagement,
    start: datetime,
    end: datetime,
    now: datetime,
    *,
    moving: int | None = None,
) -> list[tuple[datetime, datetime]]:
    """The times between `start` and `end` at which a session of `engagement` (at its agreed
    length) can be booked, or its session `moving` moved: free for both people and within
    every cap that booking checks (`pairup.asks.load.caps_over`, the same check)."""
    found = availability_queries.free_slots(
        mentor=engagement.mentor,
        mentee=engagement.mentee,
        duration=agreed_minutes(engagement),
        start=start,
        end=end,
        now=now,
        exclude_session=moving,
    )
    over = caps_over(engagement, [s for s, _ in found], now, moving_session=moving)
    return [(s, e) for s, e in found if over[s] is None]


def no_show_counts(program: Program) -> dict[int, dict[str, int]]:
    """Per person, how often they did not come to a session of `program`: as a mentee
    (no_show_mentee) and as a mentor (no_show_mentor). People without one are left out."""
    out: dict[int, dict[str, int]] = {}
    for status, person in (
        (SessionStatus.NO_SHOW_MENTEE, "engagement__mentee_id"),
        (SessionStatus.NO_SHOW_MENTOR, "engagement__mentor_id"),
    ):
        rows = (
            Session.objects.filter(engagement__program=program, status=status)
            .values(person)
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in rows:
            counts = out.setdefault(row[person], {"no_show_mentee": 0, "no_show_mentor": 0})
            counts[str(status)] = row["n"]
    return out


def get_session_for_user(user: User, pk: int) -> Session:
    """The session, for the two people of its engagement; 404 for anyone else."""
    if not user.is_authenticated:
        raise Http404
    session = (
        Session.objects.select_related(
            "engagement__program", "engagement__mentee__profile", "engagement__mentor__profile"
        )
        .filter(pk=pk)
        .first()
    )
    if session is None or not rules.can_see_session(user, session):
        raise Http404("No such session")
    return session


def sessions_for_user(user: User) -> QuerySet[Session]:
    return (
        Session.objects.filter(Q(engagement__mentee=user) | Q(engagement__mentor=user))
        .select_related(
            "engagement__mentee__profile", "engagement__mentor__profile", "engagement__program"
        )
        .order_by("start", "pk")
    )

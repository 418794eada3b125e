"""What every figure starts from: a program, a date range and the site and pool filters.

The range is [start, end) in UTC. The filters choose people (their site, as on their
profile, and their pool in this program): the mentee for what was asked and what came of
it (funnel, response times, sessions, ratings, thanks, demand), the mentor for load and
supply, and either side for the site × site map.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from pairup.asks.models import Ask, AskStatus, Engagement
from pairup.programs.models import Membership, MentorStatus, Program
from pairup.sessions.models import Session, SessionStatus

DEFAULT_DAYS = 90
MAX_DAYS = 731  # two years: a longer range is refused (422), the page would say nothing more

# The sessions a mentor's load counts (pairup.asks.load, through the availability
# commitments): every session not cancelled, its outcome recorded or not.
GIVEN = [
    SessionStatus.BOOKED,
    SessionStatus.HELD,
    SessionStatus.NO_SHOW_MENTEE,
    SessionStatus.NO_SHOW_MENTOR,
]


def utc_midnight(day: datetime) -> datetime:
    return datetime.combine(day.astimezone(UTC).date(), time(0), tzinfo=UTC)


def default_range(now: datetime) -> tuple[datetime, datetime]:
    """The last 90 days, today included: [today − 89 days, tomorrow) at UTC midnight."""
    end = utc_midnight(now) + timedelta(days=1)
    return end - timedelta(days=DEFAULT_DAYS), end


def week_of(moment: datetime) -> datetime:
    """The Monday 00:00 UTC that starts the week of `moment`."""
    day = utc_midnight(moment)
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class InsightsFilters:
    start: datetime  # UTC, included
    end: datetime  # UTC, excluded
    site: str = ""  # a site as members write it on their profile ("" any)
    pool: int | None = None  # a pool of the program, by id (None any)

    def weeks(self) -> list[datetime]:
        """The Mondays of every week the range touches, in order."""
        out, week = [], week_of(self.start)
        while week < self.end:
            out.append(week)
            week += timedelta(days=7)
        return out


@dataclass(frozen=True)
class Scope:
    program: Program
    filters: InsightsFilters
    now: datetime

    @property
    def start(self) -> datetime:
        return self.filters.start

    @property
    def end(self) -> datetime:
        return self.filters.end

    def people(self) -> QuerySet[Membership, Any] | None:
        """The user ids the filters choose (None: no filter, everyone)."""
        f = self.filters
        if not f.site and f.pool is None:
            return None
        qs = Membership.objects.filter(program=self.program)
        if f.site:
            qs = qs.filter(user__profile__site__iexact=f.site)
        if f.pool is not None:
            qs = qs.filter(pools=f.pool)
        return qs.values("user_id")

    def person_q(self, *paths: str) -> Q:
        """Rows whose person at any of `paths` (e.g. "mentee_id") the filters choose."""
        people = self.people()
        if people is None:
            return Q()
        q = Q()
        for path in paths:
            q |= Q(**{f"{path}__in": people})
        return q

    def asks(self) -> QuerySet[Ask]:
        """Asks made in the range (drafts are not asks yet), by mentees the filters choose."""
        return (
            Ask.objects.filter(program=self.program, created_at__gte=self.start)
            .filter(created_at__lt=self.end)
            .exclude(status=AskStatus.DRAFT)
            .filter(self.person_q("mentee_id"))
        )

    def engagements(self, *, either_side: bool = False) -> QuerySet[Engagement]:
        """Engagements begun in the range, of mentees (or, `either_side`, of mentees or
        mentors) the filters choose."""
        sides = ("mentee_id", "mentor_id") if either_side else ("mentee_id",)
        return Engagement.objects.filter(
            program=self.program, created_at__gte=self.start, created_at__lt=self.end
        ).filter(self.person_q(*sides))

    def sessions(self, *, side: str = "mentee") -> QuerySet[Session]:
        """Sessions of the program starting in the range, of the mentees (or mentors) the
        filters choose."""
        return Session.objects.filter(
            engagement__program=self.program, start__gte=self.start, start__lt=self.end
        ).filter(self.person_q(f"engagement__{side}_id"))

    def mentors(self) -> QuerySet[Membership]:
        """The program's approved mentors (active accounts) the filters choose."""
        return Membership.objects.filter(
            program=self.program,
            is_mentor=True,
            mentor_status=MentorStatus.APPROVED,
            user__is_active=True,
        ).filter(self.person_q("user_id"))

"""What every figure starts from: a program, a date range and the site and pool filters.

The range is [start, end) in UTC. The filters choose people (their site, as on their
profile, and their pool in this program): the mentee for what was asked and what came of
it (funnel, response times, sessions, ratings, thanks, demand), the mentor for load and
supply, and either side for the site × site map.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from pairup.asks.load import MentorLoad, mentor_loads
from pairup.asks.models import Ask, AskStatus, Engagement
from pairup.programs.models import Membership, Program
from pairup.programs.queries import approved_mentors
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


# Fewer mentors than this still to count, after others were: sent as a list, which costs
# less than the subquery of the thousands counted already.
_FEW = 100


class SharedLoads:
    """Mentors' loads now, by the one definition (`pairup.asks.load.mentor_loads`), each
    counted once and then shared by whatever else one request or one email reads about the
    same moment: the topics figure's free capacity and the over-cap alert both need the
    load of every approved mentor, which is the costliest part of either (six queries and a
    pass over thousands of mentors in a large program). A mentor's load does not depend on
    which other mentors are counted with them, so loads counted for one need serve another."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self._loads: dict[int, MentorLoad] = {}

    def of(
        self, mentor_ids: Iterable[int], *, among: QuerySet[Any, Any] | None = None
    ) -> Mapping[int, MentorLoad]:
        """The loads of `mentor_ids` (and of any counted before), those not counted yet
        counted now (`among`: a query of user ids holding at least them, read by the
        database faster than a list of thousands, as `mentor_loads` takes it)."""
        wanted = sorted(set(mentor_ids) - self._loads.keys())
        if wanted:
            few = bool(self._loads) and len(wanted) < _FEW
            self._loads.update(mentor_loads(wanted, self.now, among=None if few else among))
        return self._loads


def shared_loads(loads: SharedLoads | None, now: datetime) -> SharedLoads:
    """`loads` when given (counted for `now`), else loads of `now` for one reader alone."""
    if loads is None:
        return SharedLoads(now)
    if loads.now != now:
        raise ValueError("loads counted for another moment")
    return loads


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
    # Loads counted for this moment by another part of the same request (the alerts), to
    # share rather than count again; None: counted for this scope alone.
    loads: SharedLoads | None = field(default=None, compare=False, repr=False)

    def mentor_loads(
        self, mentor_ids: Iterable[int], *, among: QuerySet[Any, Any] | None = None
    ) -> Mapping[int, MentorLoad]:
        """`mentor_loads` of `mentor_ids` now, shared through `loads` when given."""
        return shared_loads(self.loads, self.now).of(mentor_ids, among=among)

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
        return approved_mentors(self.program).filter(self.person_q("user_id"))

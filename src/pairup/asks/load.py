"""A mentor's load: the one definition that suggestions, the open board, the mentor's
dashboard and the booking refusal all call, so what a page promises is what booking enforces.

In a period (the week from Monday 00:00, or the calendar month, in the mentor's own zone) a
mentor's load is

- the sessions they give that are booked or held (not cancelled) and start in the period;
- plus the sessions they have promised but not booked yet: the unbooked sessions of their
  active engagements and the sessions asked of them by live invitations. These have no date
  yet, so they count in the current week and month (the periods that contain `now`).

Caps count sessions. A program's cap (or the membership's own override) counts that
program's sessions; the mentor's own weekly and monthly caps (set with their availability)
count the sessions of all their programs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import F, OuterRef, QuerySet, Sum, Value
from django.db.models.functions import Greatest

from pairup.availability.queries import (
    mentor_commitments,
    period_bounds,
    sessions_committed,
    sessions_committed_of,
    zones_and_caps,
)
from pairup.programs.models import Membership, effective_monthly_cap

from .models import Engagement, EngagementStatus, Invitation, InvitationStatus

WEEK, MONTH = "week", "month"


@dataclass(frozen=True)
class PeriodLoad:
    """A mentor's load in one week or month, per program (program id → sessions)."""

    period: str
    start: datetime
    end: datetime
    booked: Mapping[int | None, int]
    promised: Mapping[int | None, int]

    def count(self, program_id: int | None = None) -> int:
        """Sessions in the period: of one program, or (None) of all programs."""
        if program_id is None:
            return sum(self.booked.values()) + sum(self.promised.values())
        return self.booked.get(program_id, 0) + self.promised.get(program_id, 0)

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


@dataclass(frozen=True)
class Cap:
    """One limit on a mentor's sessions and how much of it is used."""

    period: str  # WEEK or MONTH
    limit: int
    used: int
    program_id: int | None = None  # None: the mentor's own cap, over all programs

    @property
    def left(self) -> int:
        return self.limit - self.used

    @property
    def is_own(self) -> bool:
        return self.program_id is None


@dataclass(frozen=True)
class MentorLoad:
    mentor_id: int
    zone: str
    week: PeriodLoad
    month: PeriodLoad
    weekly_cap: int | None = None
    monthly_cap: int | None = None
    program_caps: Mapping[int, int] = field(default_factory=dict)

    def period(self, name: str) -> PeriodLoad:
        return self.week if name == WEEK else self.month

    def caps(self, program_id: int | None = None) -> list[Cap]:
        """The caps that bind a session of `program_id`: the program's, then the mentor's
        own weekly and monthly caps (None: the mentor's own caps only)."""
        out = []
        if program_id is not None and program_id in self.program_caps:
            limit = self.program_caps[program_id]
            out.append(Cap(MONTH, limit, self.month.count(program_id), program_id))
        for name, own in ((WEEK, self.weekly_cap), (MONTH, self.monthly_cap)):
            if own is not None:
                out.append(Cap(name, own, self.period(name).count()))
        return out

    def room(self, program_id: int) -> int | None:
        """Sessions the mentor can still take in `program_id` now (None: no cap at all)."""
        lefts = [cap.left for cap in self.caps(program_id)]
        return max(min(lefts), 0) if lefts else None

    def binding_cap(self, program_id: int, sessions: int) -> Cap | None:
        """The first cap that `sessions` more sessions of `program_id` would exceed."""
        for cap in self.caps(program_id):
            if cap.left < sessions:
                return cap
        return None


def sessions_unbooked(engagements: Iterable[Engagement]) -> dict[int, int]:
    """Sessions each engagement agreed and has not booked yet (a cancelled session gives its
    place back). The one definition of "sessions left" (pairup.sessions.queries uses it)."""
    engagements = list(engagements)
    used = sessions_committed([e.pk for e in engagements])
    return {e.pk: max(e.sessions_agreed - used[e.pk], 0) for e in engagements}


def sessions_left() -> Greatest:
    """`sessions_unbooked` of each engagement of an Engagement query, in the database (the
    same rule: agreed less booked or held, never below 0), so that the sessions promised by
    thousands of mentors add up in one aggregate instead of a row per engagement."""
    return Greatest(F("sessions_agreed") - sessions_committed_of(OuterRef("pk")), Value(0))


def _promised(
    mentor_ids: list[int], exclude_engagement: int | None = None, among: Any = None
) -> dict[int, Counter[int | None]]:
    """Per mentor, per program: sessions promised and not booked yet. Two queries, summed
    in the database."""
    out: dict[int, Counter[int | None]] = {pk: Counter() for pk in mentor_ids}
    people = among if among is not None else mentor_ids
    engagements = Engagement.objects.filter(mentor_id__in=people, status=EngagementStatus.ACTIVE)
    if exclude_engagement is not None:
        engagements = engagements.exclude(pk=exclude_engagement)
    for mentor_id, program_id, n in (
        engagements.annotate(left=sessions_left())
        .values("mentor_id", "program_id")
        .annotate(n=Sum("left"))
        .values_list("mentor_id", "program_id", "n")
        .order_by()
    ):
        if mentor_id in out:  # `among` may hold a mentor who joined since `mentor_ids`
            out[mentor_id][program_id] += n or 0
    for row in (
        Invitation.objects.filter(mentor_id__in=people, status__in=InvitationStatus.live())
        .values("mentor_id", "ask__program_id")
        .annotate(n=Sum("ask__sessions"))
        .order_by()
    ):
        if row["mentor_id"] in out:
            out[row["mentor_id"]][row["ask__program_id"]] += row["n"] or 0
    return out


def mentor_loads(
    mentor_ids: list[int],
    now: datetime,
    *,
    at: datetime | None = None,
    exclude_session: int | None = None,
    exclude_engagement: int | None = None,
    among: QuerySet[Any, Any] | None = None,
) -> dict[int, MentorLoad]:
    """Each mentor's load in the week and the month that contain `at` (default: now), in
    their own zone, with their caps. `exclude_session` leaves out one booked session (a
    session being moved), `exclude_engagement` the unbooked sessions of one engagement (the
    one being booked). `among`: the same mentors as a query of user ids, for thousands of
    them (the program's insights): the database reads a subquery faster than a list of
    thousands of ids. Six queries, whatever the number of mentors."""
    at = at or now
    if not mentor_ids:
        return {}
    people: Any = among if among is not None else mentor_ids
    zones_caps = zones_and_caps(mentor_ids, among=among)
    zones = {pk: zone for pk, (zone, _, _) in zones_caps.items()}
    by_zone = {
        zone: {name: period_bounds(at, zone, name) for name in (WEEK, MONTH)}
        for zone in set(zones.values())
    }
    bounds = {pk: by_zone[zones[pk]] for pk in mentor_ids}
    lo = min(b[name][0] for b in bounds.values() for name in (WEEK, MONTH))
    hi = max(b[name][1] for b in bounds.values() for name in (WEEK, MONTH))
    booked: dict[tuple[int, str], Counter[int | None]] = {}
    for mentor_id, program_id, session_id, start in mentor_commitments(people, lo, hi):
        if session_id == exclude_session or mentor_id not in bounds:
            continue  # (`among` may hold a mentor who joined since `mentor_ids` was read)
        for name in (WEEK, MONTH):
            first, last = bounds[mentor_id][name]
            if first <= start < last:
                booked.setdefault((mentor_id, name), Counter())[program_id] += 1
    promised = _promised(mentor_ids, exclude_engagement, among)
    program_caps: dict[int, dict[int, int]] = {pk: {} for pk in mentor_ids}
    for user_id, program_id, own, program_cap in Membership.objects.filter(
        user_id__in=people, is_mentor=True
    ).values_list("user_id", "program_id", "monthly_cap", "program__mentor_monthly_cap"):
        if user_id in program_caps:
            program_caps[user_id][program_id] = effective_monthly_cap(own, program_cap)
    out = {}
    for pk in mentor_ids:
        periods = {}
        for name in (WEEK, MONTH):
            first, last = bounds[pk][name]
            periods[name] = PeriodLoad(
                period=name,
                start=first,
                end=last,
                booked=dict(booked.get((pk, name), {})),
                promised=dict(promised[pk]) if first <= now < last else {},
            )
        _, weekly, monthly = zones_caps[pk]
        out[pk] = MentorLoad(
            mentor_id=pk,
            zone=zones[pk],
            week=periods[WEEK],
            month=periods[MONTH],
            weekly_cap=weekly,
            monthly_cap=monthly,
            program_caps=program_caps[pk],
        )
    return out


def mentor_load(mentor_id: int, now: datetime, *, at: datetime | None = None) -> MentorLoad:
    """One mentor's load in the week and month containing `at` (default: now)."""
    return mentor_loads([mentor_id], now, at=at)[mentor_id]


def booking_over_cap(
    engagement: Engagement,
    start: datetime,
    now: datetime,
    *,
    moving_session: int | None = None,
) -> Cap | None:
    """The cap that booking a session of `engagement` at `start` (or moving its session
    `moving_session` there) would take over its limit, or None when it fits.

    The engagement's own unbooked sessions are placed by booking them, so they are held out:
    the session counts in the week and month where it starts, and every other promise stays
    counted in the current week and month. So a session fits when the mentor's load of that
    week and month, without this engagement's promises, plus one stays within each cap."""
    return caps_over(engagement, [start], now, moving_session=moving_session)[start]


def caps_over(
    engagement: Engagement,
    starts: Iterable[datetime],
    now: datetime,
    *,
    moving_session: int | None = None,
) -> dict[datetime, Cap | None]:
    """`booking_over_cap` for many start times at once (the slot picker's times): the load
    is read once per week-and-month that the times fall in, in the mentor's zone."""
    starts = list(starts)
    if not starts:
        return {}
    zone = zones_and_caps([engagement.mentor_id])[engagement.mentor_id][0]
    groups: dict[tuple[datetime, datetime], list[datetime]] = {}
    for start in starts:
        key = (period_bounds(start, zone, WEEK)[0], period_bounds(start, zone, MONTH)[0])
        groups.setdefault(key, []).append(start)
    out: dict[datetime, Cap | None] = {}
    for members in groups.values():
        load = mentor_loads(
            [engagement.mentor_id],
            now,
            at=members[0],
            exclude_session=moving_session,
            exclude_engagement=engagement.pk,
        )[engagement.mentor_id]
        over = load.binding_cap(engagement.program_id, 1)
        for start in members:
            out[start] = over
    return out

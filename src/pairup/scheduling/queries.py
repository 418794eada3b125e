"""Reads for scheduling: a mentor's availability as engine records, busy times, slots."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from pairup.accounts.models import User
from pairup.engine import slots as engine_slots
from pairup.programs.models import Program

from .models import (
    Availability,
    BusyTime,
    DateOverride,
    Session,
    SessionParticipant,
    SessionStatus,
    WeeklyWindow,
)

COUNTED = [SessionStatus.BOOKED, SessionStatus.HELD]


def availability_of(user: User) -> Availability | None:
    return Availability.objects.filter(user=user).prefetch_related("weekly", "overrides").first()


def _engine_record(
    fields: dict[str, Any],
    weekly: list[tuple[int, time, time]],
    overrides: list[tuple[date, time | None, time | None]],
) -> engine_slots.Availability:
    by_date: dict[date, list[tuple[time, time]]] = {}
    for day, start, end in overrides:
        windows = by_date.setdefault(day, [])
        if start is not None and end is not None:
            windows.append((start, end))
    return engine_slots.Availability(
        timezone=fields["timezone"],
        weekly=tuple(engine_slots.WeeklyWindow(d, s, e) for d, s, e in weekly),
        overrides=tuple(
            engine_slots.DateOverride(d, tuple(ws)) for d, ws in sorted(by_date.items())
        ),
        buffer_minutes=fields["buffer_minutes"],
        min_notice_minutes=fields["min_notice_minutes"],
        horizon_days=fields["horizon_days"],
    )


def as_engine(availability: Availability) -> engine_slots.Availability:
    """The stored availability as the engine's plain record (wall clock + zone)."""
    return _engine_record(
        {f: getattr(availability, f) for f in _RECORD_FIELDS},
        [(w.weekday, w.start, w.end) for w in availability.weekly.all()],
        [(o.date, o.start, o.end) for o in availability.overrides.all()],
    )


_RECORD_FIELDS = ("timezone", "buffer_minutes", "min_notice_minutes", "horizon_days")


def engine_availabilities(user_ids: list[int]) -> dict[int, engine_slots.Availability]:
    """Many people's availability as engine records, in three queries of plain values (no
    model instances: suggestions read every mentor of a program on each call). People whose
    stored availability the engine cannot read are left out, as unknown."""
    rows = {
        row["pk"]: row
        for row in Availability.objects.filter(user_id__in=user_ids).values(
            "pk", "user_id", *_RECORD_FIELDS
        )
    }
    weekly: dict[int, list[tuple[int, time, time]]] = {pk: [] for pk in rows}
    for pk, day, start, end in (
        WeeklyWindow.objects.filter(availability_id__in=rows)
        .order_by("availability_id", "weekday", "start")
        .values_list("availability_id", "weekday", "start", "end")
    ):
        weekly[pk].append((day, start, end))
    overrides: dict[int, list[tuple[date, time | None, time | None]]] = {pk: [] for pk in rows}
    for pk, day, start, end in (
        DateOverride.objects.filter(availability_id__in=rows)
        .order_by("availability_id", "date", "start")
        .values_list("availability_id", "date", "start", "end")
    ):
        overrides[pk].append((day, start, end))
    out: dict[int, engine_slots.Availability] = {}
    for pk, fields in rows.items():
        try:
            out[fields["user_id"]] = _engine_record(fields, weekly[pk], overrides[pk])
        except ValueError:
            continue
    return out


def busy_intervals(
    user: User, start: datetime, end: datetime, *, exclude_session: int | None = None
) -> list[tuple[datetime, datetime]]:
    """A person's booked sessions (any role) overlapping [start, end), plus the busy times
    read from their own calendar feed."""
    seats = SessionParticipant.objects.filter(user=user, booked=True, start__lt=end, end__gt=start)
    if exclude_session is not None:
        seats = seats.exclude(session_id=exclude_session)
    out = [(s.start, s.end) for s in seats.only("start", "end")]
    out += [
        (b.start, b.end)
        for b in BusyTime.objects.filter(
            availability__user=user, start__lt=end, end__gt=start
        ).only("start", "end")
    ]
    return sorted(out)


def free_slots(
    *,
    mentor: User,
    mentee: User | None,
    duration: int,
    start: datetime,
    end: datetime,
    now: datetime,
    exclude_session: int | None = None,
) -> list[tuple[datetime, datetime]]:
    availability = availability_of(mentor)
    if availability is None:
        return []
    margin = timedelta(minutes=availability.buffer_minutes)
    mine = busy_intervals(mentor, start - margin, end + margin, exclude_session=exclude_session)
    theirs = busy_intervals(mentee, start, end, exclude_session=exclude_session) if mentee else []
    return engine_slots.slots(
        as_engine(availability), duration, start, end, now=now, busy=mine, other_busy=theirs
    )


def period_bounds(moment: datetime, zone: str, period: str) -> tuple[datetime, datetime]:
    """The week (Monday 00:00) or month containing `moment`, in `zone`, as UTC instants."""
    tz = ZoneInfo(zone)
    local = moment.astimezone(tz)
    if period == "week":
        first = local.date() - timedelta(days=local.weekday())
        last = first + timedelta(days=7)
    else:
        first = local.date().replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1)
    return (
        datetime.combine(first, time(0), tzinfo=tz),
        datetime.combine(last, time(0), tzinfo=tz),
    )


def sessions_in(
    mentor: User, start: datetime, end: datetime, *, exclude_session: int | None = None
) -> int:
    qs = Session.objects.filter(
        participants__user=mentor,
        participants__role="mentor",
        status__in=COUNTED,
        start__gte=start,
        start__lt=end,
    )
    if exclude_session is not None:
        qs = qs.exclude(pk=exclude_session)
    return qs.count()


def no_show_counts(program: Program) -> dict[int, dict[str, int]]:
    """Per person, how often they did not come to a session of `program`: as a mentee
    (no_show_mentee) and as a mentor (no_show_mentor). People without one are left out."""
    rows = (
        SessionParticipant.objects.filter(session__engagement__program=program)
        .filter(
            Q(role="mentee", session__status=SessionStatus.NO_SHOW_MENTEE)
            | Q(role="mentor", session__status=SessionStatus.NO_SHOW_MENTOR)
        )
        .values("user_id", "session__status")
        .annotate(n=Count("id"))
        .order_by()
    )
    out: dict[int, dict[str, int]] = {}
    for row in rows:
        counts = out.setdefault(row["user_id"], {"no_show_mentee": 0, "no_show_mentor": 0})
        counts[row["session__status"]] = row["n"]
    return out


def get_session_for_user(user: User, pk: int) -> Session:
    if not user.is_authenticated:
        raise Http404
    session = (
        Session.objects.select_related(
            "engagement__program", "engagement__mentee__profile", "engagement__mentor__profile"
        )
        .filter(pk=pk)
        .filter(Q(engagement__mentee=user) | Q(engagement__mentor=user))
        .first()
    )
    if session is None:
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

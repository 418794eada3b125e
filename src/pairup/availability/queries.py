"""Reads for availability: a person's availability as engine records, busy times (their
committed time and their own calendar's), free slots and free windows."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from pairup.accounts.models import Profile, User
from pairup.engine import slots as engine_slots

from .models import (
    Availability,
    BusyTime,
    Commitment,
    CommitmentRole,
    DateOverride,
    WeeklyWindow,
)


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


def engine_availabilities(
    user_ids: list[int] | QuerySet[Any, Any],
) -> dict[int, engine_slots.Availability]:
    """Many people's availability as engine records, in three queries of plain values (no
    model instances: suggestions read every mentor of a program on each call). People whose
    stored availability the engine cannot read are left out, as unknown. `user_ids` may be
    a query of ids (a subquery: thousands of ids cost more to send than to look up)."""
    stored = Availability.objects.filter(user_id__in=user_ids)
    rows = {row["pk"]: row for row in stored.values("pk", "user_id", *_RECORD_FIELDS)}
    # Given a query of people, the windows are read by a subquery too, not by a list of
    # the thousands of availability ids just read.
    of: Any = stored.values("pk") if isinstance(user_ids, QuerySet) else rows
    weekly: dict[int, list[tuple[int, time, time]]] = {pk: [] for pk in rows}
    for pk, day, start, end in (
        WeeklyWindow.objects.filter(availability_id__in=of)
        .order_by("availability_id", "weekday", "start")
        .values_list("availability_id", "weekday", "start", "end")
    ):
        weekly[pk].append((day, start, end))
    overrides: dict[int, list[tuple[date, time | None, time | None]]] = {pk: [] for pk in rows}
    for pk, on, from_, until in (
        DateOverride.objects.filter(availability_id__in=of)
        .order_by("availability_id", "date", "start")
        .values_list("availability_id", "date", "start", "end")
    ):
        overrides[pk].append((on, from_, until))
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
    """A person's booked commitments (sessions in any role) overlapping [start, end), plus the busy times
    read from their own calendar feed."""
    seats = Commitment.objects.filter(user=user, booked=True, start__lt=end, end__gt=start)
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


FREE_HORIZON = timedelta(days=14)


def free_windows(
    mentor_ids: list[int],
    mentee: User | None,
    now: datetime,
    horizon: timedelta = FREE_HORIZON,
    *,
    among: QuerySet[Any, Any] | None = None,
) -> dict[int, tuple[tuple[datetime, datetime], ...]]:
    """Each mentor's free time over the next two weeks (UTC), minus their commitments and
    busy times and the mentee's commitments (None: no one mentee, as in cohort matching);
    mentors without availability are left out (the engine scores them neutral). `among`:
    a query of user ids holding at least `mentor_ids` (a program's mentors), sent instead
    of the list: thousands of ids cost more to send than to look up; the answer is the
    same, only about `mentor_ids`."""
    end = now + horizon
    wanted = set(mentor_ids)
    mentors: Any = among if among is not None else list(mentor_ids)
    busy: dict[int, list[tuple[datetime, datetime]]] = {}
    commitments = Commitment.objects.filter(booked=True, start__lt=end, end__gt=now)
    if mentee is not None:
        commitments = commitments.filter(Q(user_id__in=mentors) | Q(user_id=mentee.pk))
    else:
        commitments = commitments.filter(user_id__in=mentors)
    for user_id, start, stop in commitments.values_list("user_id", "start", "end"):
        busy.setdefault(user_id, []).append((start, stop))
    for user_id, start, stop in BusyTime.objects.filter(
        availability__user_id__in=mentors, start__lt=end, end__gt=now
    ).values_list("availability__user_id", "start", "end"):
        busy.setdefault(user_id, []).append((start, stop))
    mentee_busy = busy.get(mentee.pk, []) if mentee is not None else []
    out: dict[int, tuple[tuple[datetime, datetime], ...]] = {}
    for user_id, record in engine_availabilities(mentors).items():
        if user_id not in wanted:
            continue
        try:
            out[user_id] = tuple(
                engine_slots.on_grid(
                    engine_slots.free_intervals(
                        record,
                        now,
                        end,
                        now=now,
                        busy=busy.get(user_id, []),
                        other_busy=mentee_busy,
                    )
                )
            )
        except ValueError:
            continue  # an availability the engine cannot read counts as unknown
    return out


# Hours a person is taken to be awake, in their own zone, when they set no availability.
WAKING_HOURS = (time(8), time(20))


def waking_windows(
    person: User, now: datetime, horizon: timedelta = FREE_HORIZON
) -> tuple[tuple[datetime, datetime], ...]:
    """When `person` can meet over the next two weeks (UTC, on the 15-minute grid): the
    windows of their own availability if they set one, else 08:00–20:00 in their zone."""
    zone = getattr(getattr(person, "profile", None), "timezone", "") or "UTC"
    return waking_windows_of({person.pk: zone}, now, horizon)[person.pk]


def waking_windows_of(
    zones: dict[int, str],
    now: datetime,
    horizon: timedelta = FREE_HORIZON,
    *,
    among: QuerySet[Any, Any] | None = None,
) -> dict[int, tuple[tuple[datetime, datetime], ...]]:
    """`waking_windows` of many people at once ({user id: their profile's zone}), in the
    three queries of `engine_availabilities` whatever their number; `among`: a query of
    their ids, to send instead of the list."""
    end = now + horizon
    records = engine_availabilities(among if among is not None else list(zones))
    by_zone: dict[str, tuple[tuple[datetime, datetime], ...]] = {}
    out: dict[int, tuple[tuple[datetime, datetime], ...]] = {}
    for pk, zone in zones.items():
        record = records.get(pk)
        if record is not None:
            try:
                out[pk] = tuple(
                    engine_slots.on_grid(engine_slots.free_intervals(record, now, end, now=now))
                )
                continue
            except ValueError:
                pass  # an availability the engine cannot read: their waking hours instead
        zone = zone or "UTC"
        if zone not in by_zone:
            try:
                windows = engine_slots.daily_windows(zone, *WAKING_HOURS, now, end)
            except ValueError:
                windows = engine_slots.daily_windows("UTC", *WAKING_HOURS, now, end)
            by_zone[zone] = tuple(engine_slots.on_grid(windows))
        out[pk] = by_zone[zone]
    return out


def next_free(
    mentor_ids: list[int], person: User, now: datetime, minutes: int
) -> dict[int, datetime | None]:
    """When each mentor is next free for `minutes` with `person` over the next two weeks:
    the start of the first stretch of their free windows (`free_windows`, without either
    one's commitments) inside `person`'s waking hours (`waking_windows`), as a UTC instant;
    None when nothing fits. Mentors without availability are left out (unknown)."""
    awake = waking_windows(person, now)
    need = timedelta(minutes=minutes)
    out: dict[int, datetime | None] = {}
    for user_id, windows in free_windows(mentor_ids, person, now).items():
        common = engine_slots.intersect(windows, awake)
        out[user_id] = next((s for s, e in common if e - s >= need), None)
    return out


# ---------------------------------------------------------------- committed time, counted


def zones_and_caps(
    user_ids: list[int], *, among: QuerySet[Any, Any] | None = None
) -> dict[int, tuple[str, int | None, int | None]]:
    """(zone, weekly cap, monthly cap) of each person: the zone of their availability, else
    of their profile, in which their weeks and months are counted; caps None when unset.
    `among`: the same people as a query of user ids, which the database reads faster than
    a list of thousands of ids."""
    people: Any = among if among is not None else user_ids
    out: dict[int, tuple[str, int | None, int | None]] = {
        pk: (zone or "UTC", weekly, monthly)
        for pk, zone, weekly, monthly in Availability.objects.filter(
            user_id__in=people
        ).values_list("user_id", "timezone", "weekly_cap", "monthly_cap")
    }
    rest: Any = among if among is not None else [pk for pk in user_ids if pk not in out]
    if among is not None or rest:
        for pk, zone in Profile.objects.filter(user_id__in=rest).values_list("user_id", "timezone"):
            out.setdefault(pk, (zone or "UTC", None, None))
    return {pk: out.get(pk, ("UTC", None, None)) for pk in user_ids}


def mentor_commitments(
    mentor_ids: list[int] | QuerySet[Any, Any], start: datetime, end: datetime
) -> list[tuple[int, int | None, int, datetime]]:
    """(mentor id, program id, session id, start) of each session booked or held (not
    cancelled) that a mentor gives and that starts in [start, end). `mentor_ids` may be a
    query of user ids."""
    return list(
        Commitment.objects.filter(
            user_id__in=mentor_ids,
            role=CommitmentRole.MENTOR,
            booked=True,
            start__gte=start,
            start__lt=end,
        ).values_list("user_id", "program_id", "session_id", "start")
    )


def _committed() -> QuerySet[Commitment]:
    """The commitments that count an engagement's sessions: the mentor's, booked or held."""
    return Commitment.objects.filter(role=CommitmentRole.MENTOR, booked=True)


def sessions_committed(engagement_ids: list[int]) -> dict[int, int]:
    """How many sessions each engagement has booked or held (cancelled ones not counted)."""
    counts = dict.fromkeys(engagement_ids, 0)
    if not engagement_ids:
        return counts
    for engagement_id in (
        _committed()
        .filter(engagement_id__in=engagement_ids)
        .values_list("engagement_id", flat=True)
    ):
        if engagement_id is not None:  # never None (the filter is on ids); typed nullable
            counts[engagement_id] += 1
    return counts


def sessions_committed_of(engagement: OuterRef) -> Coalesce:
    """`sessions_committed` of each engagement of a query, counted in the database:
    `engagement` is the reference to the engagement's id (e.g. OuterRef("pk"))."""
    count = (
        _committed()
        .filter(engagement_id=engagement)
        .order_by()
        .values("engagement_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(count, output_field=IntegerField()), Value(0))


def engagement_session_times(engagement_id: int) -> list[tuple[datetime, datetime]]:
    """The booked or held sessions of one engagement as (start, end), in time order (read
    from the mentor's commitments; cancelled sessions are not among them)."""
    return list(
        Commitment.objects.filter(
            engagement_id=engagement_id, role=CommitmentRole.MENTOR, booked=True
        )
        .order_by("start", "session_id")
        .values_list("start", "end")
    )

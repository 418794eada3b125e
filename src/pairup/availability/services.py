"""Availability: the only code that writes a person's availability and committed time.

Committed time is written by the sessions app, in the transaction that books, moves or
cancels a session: nobody ever has two overlapping booked commitments, in any role. On
PostgreSQL an exclusion constraint over each person's time range guarantees it; on SQLite
every booking runs in an IMMEDIATE transaction (one writer at a time) after the same checks.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time

from django.db import IntegrityError, transaction

from pairup.accounts.models import User
from pairup.core import limits
from pairup.core.errors import Conflict, ServiceError
from pairup.core.validators import check_count, clean_text
from pairup.engine import slots as engine_slots

from .feeds import refresh_busy_feed
from .models import LENGTHS, Availability, Commitment, DateOverride, WeeklyWindow


@transaction.atomic
def availability_set(
    *,
    user: User,
    timezone_name: str,
    weekly: list[tuple[int, time, time]],
    overrides: list[tuple[object, time | None, time | None]] | None = None,
    session_lengths: list[int] | None = None,
    buffer_minutes: int = 10,
    min_notice_minutes: int = 720,
    horizon_days: int = 30,
    weekly_cap: int | None = None,
    monthly_cap: int | None = None,
    busy_feed_url: str = "",
) -> Availability:
    """Replace a mentor's availability. Validates every window (through the engine's own
    checks) before writing anything. Overlapping or touching windows of one day are stored
    merged, so duplicates never multiply the work of every slot listing."""
    timezone_name = clean_text(timezone_name, field="timezone", max_length=64)
    busy_feed_url = clean_text(
        busy_feed_url, field="busy_feed_url", max_length=limits.RESOURCE_URL_MAX_LENGTH
    )
    check_count(weekly, field="weekly", max_items=limits.WEEKLY_WINDOWS_MAX, what="weekly windows")
    check_count(
        overrides or [], field="overrides", max_items=limits.OVERRIDES_MAX, what="date overrides"
    )
    lengths = sorted(set(session_lengths or []))
    if any(x not in LENGTHS for x in lengths):
        raise ServiceError("Session lengths are 15, 30, 45 or 60 minutes.", field="session_lengths")
    try:
        record = engine_slots.Availability(
            timezone=timezone_name,
            weekly=_merged_weekly(tuple(engine_slots.WeeklyWindow(d, s, e) for d, s, e in weekly)),
            overrides=_override_records(overrides or []),
            buffer_minutes=buffer_minutes,
            min_notice_minutes=min_notice_minutes,
            horizon_days=horizon_days,
        )
    except ValueError as exc:
        field = (
            "timezone"
            if "time zone" in str(exc)
            else "overrides"
            if "override" in str(exc)
            else "weekly"
        )
        raise ServiceError(str(exc), code="invalid_availability", field=field) from None
    availability, _ = Availability.objects.select_for_update().get_or_create(
        user=user, defaults={"timezone": timezone_name}
    )
    availability.timezone = timezone_name
    availability.session_lengths = lengths
    availability.buffer_minutes = buffer_minutes
    availability.min_notice_minutes = min_notice_minutes
    availability.horizon_days = horizon_days
    availability.weekly_cap = weekly_cap
    availability.monthly_cap = monthly_cap
    if availability.busy_feed_url != busy_feed_url:
        # Busy times came from the old address; the new one is read after commit.
        availability.busy_times.all().delete()
        availability.busy_feed_fetched_at, availability.busy_feed_error = None, ""
        if busy_feed_url:
            pk = availability.pk
            transaction.on_commit(lambda: refresh_busy_feed.enqueue(availability_id=pk))
    availability.busy_feed_url = busy_feed_url
    availability.full_clean(exclude=["user"])
    availability.save()
    availability.weekly.all().delete()
    WeeklyWindow.objects.bulk_create(
        WeeklyWindow(availability=availability, weekday=w.weekday, start=w.start, end=w.end)
        for w in record.weekly
    )
    availability.overrides.all().delete()
    rows = []
    for o in record.overrides:
        if not o.windows:
            rows.append(DateOverride(availability=availability, date=o.date))
        rows += [
            DateOverride(availability=availability, date=o.date, start=s, end=e)
            for s, e in o.windows
        ]
    DateOverride.objects.bulk_create(rows)
    return availability


def _override_records(
    items: list[tuple[object, time | None, time | None]],
) -> tuple[engine_slots.DateOverride, ...]:
    by_date: dict = {}
    for day, start, end in items:
        windows = by_date.setdefault(day, [])
        if start is not None and end is not None:
            windows.append((start, end))
    records = [engine_slots.DateOverride(d, tuple(ws)) for d, ws in sorted(by_date.items())]
    return tuple(engine_slots.DateOverride(o.date, _merged(o.windows)) for o in records)


def _end_key(t: time) -> tuple[bool, time]:
    # An end of 00:00 is midnight at the end of the day: later than any other end.
    return (t == time(0), t)


def _merged(windows: tuple[tuple[time, time], ...]) -> tuple[tuple[time, time], ...]:
    """One day's windows, sorted, with overlapping and touching ones joined. Call it only
    on windows the engine has checked (start before end)."""
    spans: list[list[time]] = []
    for start, end in sorted(windows, key=lambda w: (w[0], _end_key(w[1]))):
        if spans and (False, start) <= _end_key(spans[-1][1]):
            spans[-1][1] = max(spans[-1][1], end, key=_end_key)
        else:
            spans.append([start, end])
    return tuple((start, end) for start, end in spans)


def _merged_weekly(
    windows: tuple[engine_slots.WeeklyWindow, ...],
) -> tuple[engine_slots.WeeklyWindow, ...]:
    by_day: dict[int, list[tuple[time, time]]] = {}
    for w in windows:
        by_day.setdefault(w.weekday, []).append((w.start, w.end))
    return tuple(
        engine_slots.WeeklyWindow(day, start, end)
        for day in sorted(by_day)
        for start, end in _merged(tuple(by_day[day]))
    )


# ---------------------------------------------------------------- committed time


def commitment_hold(
    *,
    session_id: int,
    people: Iterable[tuple[User, str]],
    start: datetime,
    end: datetime,
    engagement_id: int | None = None,
    program_id: int | None = None,
) -> list[Commitment]:
    """Commit each (person, role) to [start, end) for session `session_id` of engagement
    `engagement_id` in program `program_id`. Run it inside the transaction that writes the
    session. Raises Conflict `slot_taken` when one of them has an overlapping booked
    commitment that the checks before could not see (a race)."""
    rows = [
        Commitment(
            session_id=session_id,
            engagement_id=engagement_id,
            program_id=program_id,
            user=user,
            role=role,
            start=start,
            end=end,
        )
        for user, role in people
    ]
    try:
        with transaction.atomic():
            return Commitment.objects.bulk_create(rows)
    except IntegrityError:
        raise Conflict("That time was just taken.", code="slot_taken") from None


def commitment_move(*, session_id: int, start: datetime, end: datetime) -> int:
    """Move the commitments of session `session_id` to [start, end) (a reschedule); Conflict
    `slot_taken` as in `commitment_hold`. Returns the number of rows moved."""
    try:
        with transaction.atomic():
            return Commitment.objects.filter(session_id=session_id).update(start=start, end=end)
    except IntegrityError:
        raise Conflict("That time was just taken.", code="slot_taken") from None


def commitment_release(*, session_id: int) -> int:
    """Free the time of session `session_id` (cancelled): its rows stay, no longer booked."""
    return Commitment.objects.filter(session_id=session_id).update(booked=False)


def commitments_forget(*, session_ids: Iterable[int]) -> int:
    """Delete the commitments of sessions that are being deleted."""
    deleted, _ = Commitment.objects.filter(session_id__in=list(session_ids)).delete()
    return deleted

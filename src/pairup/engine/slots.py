"""Free-slot interval algebra: a mentor's weekly wall-clock windows -> bookable UTC slots.

The pipeline follows cal.com's date-ranges: build the weekly windows in the mentor's own
IANA zone day by day, let date overrides replace whole days, convert to UTC, clip to the
booking range (minimum notice, horizon), subtract the mentor's booked sessions widened by
the buffer and the mentee's sessions as they are, then cut slots on a wall-clock grid.

Intervals are half-open ``[start, end)`` pairs of timezone-aware datetimes; every
interval this module returns is in UTC. Back-to-back intervals touch without overlapping,
and touching free intervals are merged, so a slot may run across the join of two windows.

Wall clock to UTC (DST), the rule used everywhere here (see ``local_to_utc``):

* a local time that does not exist (inside a spring-forward gap) moves forward to the
  first instant that exists after the gap, i.e. the moment the clocks jumped;
* an ambiguous local time (inside a fall-back overlap) is read as its first occurrence
  (fold=0) when it starts a window and as its second occurrence (fold=1) when it ends one,
  so a window covering the repeated hour really gets the extra hour.

So on London's spring day a 00:30-03:30 window is 00:30Z-02:30Z (two real hours) and a
01:30-03:30 window is 01:00Z-02:30Z; on the autumn day 00:30-02:30 is 23:30Z (previous
day) to 02:30Z (three real hours). A 09:00-12:00 window stays 09:00-12:00 local on both
sides of a change, so its UTC times move by the size of the change.

No Django, no real clock: the caller passes ``now``.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Interval = tuple[datetime, datetime]

MIDNIGHT = time(0, 0)
_DAY = timedelta(days=1)
_TINY = timedelta(microseconds=1)

__all__ = [
    "Availability",
    "DateOverride",
    "Interval",
    "WeeklyWindow",
    "check_local",
    "days_off",
    "free_intervals",
    "has_common_window",
    "intersect",
    "is_ambiguous_local",
    "is_valid_local",
    "local_to_utc",
    "slots",
    "subtract",
    "union",
]


# --- records -----------------------------------------------------------------------------


def _check_wall_window(start: time, end: time, what: str) -> None:
    for value in (start, end):
        if not isinstance(value, time):
            raise ValueError(f"{what}: expected datetime.time values, got {value!r}")
        if value.tzinfo is not None:
            raise ValueError(
                f"{what}: window times are wall-clock times in the mentor's zone and "
                f"must carry no tzinfo, got {value.isoformat()}"
            )
    if end != MIDNIGHT and not start < end:
        raise ValueError(
            f"{what}: start {start.isoformat()} must be before end {end.isoformat()} "
            "(end 00:00 means midnight at the end of the day; split a window that "
            "crosses midnight into two)"
        )


@dataclass(frozen=True, slots=True)
class WeeklyWindow:
    """A recurring wall-clock window in the mentor's zone; weekday 0 is Monday.

    ``end == time(0, 0)`` means midnight at the end of the day, so ``(00:00, 00:00)`` is
    the whole day. Several windows per day are allowed; overlapping ones are merged.
    """

    weekday: int
    start: time
    end: time

    def __post_init__(self) -> None:
        if (
            not isinstance(self.weekday, int)
            or isinstance(self.weekday, bool)
            or not 0 <= self.weekday <= 6
        ):
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {self.weekday!r}")
        _check_wall_window(self.start, self.end, f"weekly window on weekday {self.weekday}")


@dataclass(frozen=True, slots=True)
class DateOverride:
    """Replaces the weekly windows of one local date; ``windows=()`` is a day off."""

    date: dt.date
    windows: tuple[tuple[time, time], ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.date, date) or isinstance(self.date, datetime):
            raise ValueError(f"override date must be a datetime.date, got {self.date!r}")
        windows = tuple(tuple(w) for w in self.windows)
        for w in windows:
            if len(w) != 2:
                raise ValueError(f"override on {self.date}: each window is (start, end)")
            _check_wall_window(w[0], w[1], f"override window on {self.date.isoformat()}")
        object.__setattr__(self, "windows", windows)


def days_off(start: date, end: date) -> tuple[DateOverride, ...]:
    """A holiday: one empty override per date from ``start`` to ``end`` inclusive."""
    if end < start:
        raise ValueError(f"days_off: end {end} is before start {start}")
    return tuple(DateOverride(start + timedelta(days=i), ()) for i in range((end - start).days + 1))


def zone_of(tz: str | tzinfo) -> tzinfo:
    """The zone named by an IANA name (or the zone itself); ValueError for an unknown name."""
    if isinstance(tz, tzinfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(
            f"unknown time zone {tz!r}: use an IANA name such as 'Europe/London'"
        ) from None


@dataclass(frozen=True, slots=True)
class Availability:
    """A mentor's bookable time: weekly windows in ``timezone`` plus per-date overrides.

    ``buffer_minutes`` is kept free before and after each of the mentor's booked sessions;
    nothing may be booked earlier than ``min_notice_minutes`` from now nor later than
    ``horizon_days`` (24-hour days) from now.
    """

    timezone: str
    weekly: tuple[WeeklyWindow, ...]
    overrides: tuple[DateOverride, ...] = ()
    buffer_minutes: int = 0
    min_notice_minutes: int = 720
    horizon_days: int = 30

    def __post_init__(self) -> None:
        zone_of(self.timezone)
        object.__setattr__(self, "weekly", tuple(self.weekly))
        object.__setattr__(self, "overrides", tuple(self.overrides))
        for w in self.weekly:
            if not isinstance(w, WeeklyWindow):
                raise ValueError(f"weekly must hold WeeklyWindow values, got {w!r}")
        seen: set[date] = set()
        for o in self.overrides:
            if not isinstance(o, DateOverride):
                raise ValueError(f"overrides must hold DateOverride values, got {o!r}")
            if o.date in seen:
                raise ValueError(
                    f"two overrides for {o.date.isoformat()}: give one override with all "
                    "of that day's windows"
                )
            seen.add(o.date)
        for name in ("buffer_minutes", "min_notice_minutes", "horizon_days"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")

    @property
    def zone(self) -> tzinfo:
        return zone_of(self.timezone)


# --- wall clock <-> UTC ------------------------------------------------------------------


def _require_naive(naive: datetime, what: str) -> None:
    if not isinstance(naive, datetime):
        raise ValueError(f"{what} must be a datetime, got {naive!r}")
    if naive.tzinfo is not None:
        raise ValueError(f"{what} must be a naive wall-clock datetime, got {naive.isoformat()}")


def _round_trips(naive: datetime, zone: tzinfo, fold: int) -> bool:
    back = naive.replace(tzinfo=zone, fold=fold).astimezone(UTC).astimezone(zone)
    return back.replace(tzinfo=None) == naive


def is_valid_local(naive: datetime, tz: str | tzinfo) -> bool:
    """Whether the wall-clock time exists in ``tz`` (False inside a spring-forward gap)."""
    _require_naive(naive, "is_valid_local")
    zone = zone_of(tz)
    return _round_trips(naive, zone, 0) or _round_trips(naive, zone, 1)


def is_ambiguous_local(naive: datetime, tz: str | tzinfo) -> bool:
    """Whether the wall-clock time happens twice in ``tz`` (inside a fall-back overlap)."""
    _require_naive(naive, "is_ambiguous_local")
    zone = zone_of(tz)
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    return first.utcoffset() != second.utcoffset() and _round_trips(naive, zone, 0)


def _gap_end(naive: datetime, zone: tzinfo) -> datetime:
    """The UTC instant the clocks jumped over ``naive`` (which must lie inside a gap).

    Read with the offset before the jump ``naive`` lands after the jump, read with the
    offset after it lands before; the jump lies in between, found by bisection.
    """
    a = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    b = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    lo, hi = min(a, b), max(a, b)
    after = hi.astimezone(zone).utcoffset()
    while hi - lo > _TINY:
        mid = lo + (hi - lo) // 2
        if mid.astimezone(zone).utcoffset() == after:
            hi = mid
        else:
            lo = mid
    return hi


def local_to_utc(naive: datetime, tz: str | tzinfo, fold: int = 0) -> datetime:
    """Convert a wall-clock time in ``tz`` to an aware UTC datetime.

    ``fold`` picks the occurrence of an ambiguous time (0 = first, 1 = second, as PEP 495).
    A time that does not exist (spring-forward gap) becomes the first instant after the
    gap, i.e. the moment the clocks jumped: 01:30 on 2026-03-29 in Europe/London -> 01:00Z.
    """
    _require_naive(naive, "local_to_utc")
    if fold not in (0, 1):
        raise ValueError(f"fold must be 0 or 1, got {fold!r}")
    zone = zone_of(tz)
    if is_valid_local(naive, zone):
        return naive.replace(tzinfo=zone, fold=fold).astimezone(UTC)
    return _gap_end(naive, zone)


def check_local(naive: datetime, tz: str | tzinfo) -> None:
    """Raise ValueError with a message a person can act on if ``naive`` is in a DST gap."""
    _require_naive(naive, "check_local")
    zone = zone_of(tz)
    if is_valid_local(naive, zone):
        return
    jump = _gap_end(naive, zone)
    before = (jump - _TINY).astimezone(zone) + _TINY
    after = jump.astimezone(zone)
    name = tz if isinstance(tz, str) else str(zone)
    raise ValueError(
        f"{naive:%Y-%m-%d %H:%M} does not exist in {name}: the clocks go forward from "
        f"{before:%H:%M} to {after:%H:%M} that day; choose a time outside the gap"
    )


def _aware_utc(value: datetime, what: str) -> datetime:
    if not isinstance(value, datetime):
        raise ValueError(f"{what} must be a datetime, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{what} must be a timezone-aware UTC datetime, got naive {value.isoformat()}"
        )
    return value.astimezone(UTC)


def _intervals(items: Iterable[Interval], what: str) -> list[Interval]:
    out = []
    for i, (s, e) in enumerate(items):
        s, e = _aware_utc(s, f"{what}[{i}] start"), _aware_utc(e, f"{what}[{i}] end")
        if e < s:
            raise ValueError(f"{what}[{i}]: end {e.isoformat()} is before start {s.isoformat()}")
        out.append((s, e))
    return out


# --- interval algebra --------------------------------------------------------------------


def union(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, disjoint intervals covering the same time; touching ones are joined."""
    out: list[Interval] = []
    for s, e in sorted((s, e) for s, e in intervals if e > s):
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def subtract(base: Iterable[Interval], holes: Iterable[Interval]) -> list[Interval]:
    """The parts of ``base`` outside every hole (both taken half-open)."""
    cut = union(holes)
    out: list[Interval] = []
    j = 0
    for s, e in union(base):
        while j < len(cut) and cut[j][1] <= s:
            j += 1
        cur = s
        k = j
        while k < len(cut) and cut[k][0] < e and cur < e:
            hs, he = cut[k]
            if hs > cur:
                out.append((cur, hs))
            cur = max(cur, he)
            k += 1
        if cur < e:
            out.append((cur, e))
    return out


def intersect(a: Iterable[Interval], b: Iterable[Interval]) -> list[Interval]:
    """The time covered by both interval lists, sorted and disjoint."""
    x, y = union(a), union(b)
    out: list[Interval] = []
    i = j = 0
    while i < len(x) and j < len(y):
        s, e = max(x[i][0], y[j][0]), min(x[i][1], y[j][1])
        if s < e:
            out.append((s, e))
        if x[i][1] < y[j][1]:
            i += 1
        else:
            j += 1
    return out


def has_common_window(
    free_a: Iterable[Interval], free_b: Iterable[Interval], duration_minutes: int
) -> bool:
    """Whether both sides are free together for ``duration_minutes`` without a break."""
    if duration_minutes <= 0:
        raise ValueError(f"duration_minutes must be positive, got {duration_minutes!r}")
    need = timedelta(minutes=duration_minutes)
    return any(e - s >= need for s, e in intersect(free_a, free_b))


# --- availability -> free time -> slots --------------------------------------------------


def _end_to_utc(naive: datetime, zone: tzinfo) -> datetime:
    """A window's end: its second occurrence only when the wall clock just before it is
    repeated, so a window ending exactly where the repeated hour begins (00:00-01:00 on
    London's autumn day) stays one hour long."""
    fold = 1 if is_ambiguous_local(naive - _TINY, zone) else 0
    return local_to_utc(naive, zone, fold=fold)


def _local_windows(availability: Availability, first: date, last: date) -> list[Interval]:
    """UTC intervals of the windows of every local date in ``[first, last]``."""
    return list(_local_windows_cached(availability, first, last))


@functools.lru_cache(maxsize=4096)
def _local_windows_cached(
    availability: Availability, first: date, last: date
) -> tuple[Interval, ...]:
    # Cached by value (the record is frozen): suggestions convert the same mentors' weeks on
    # every call, and a changed availability is a different key.
    zone = availability.zone
    overrides = {o.date: o.windows for o in availability.overrides}
    weekly: dict[int, list[tuple[time, time]]] = {}
    for w in availability.weekly:
        weekly.setdefault(w.weekday, []).append((w.start, w.end))
    out: list[Interval] = []
    day = first
    while day <= last:
        walls = overrides[day] if day in overrides else weekly.get(day.weekday(), [])
        for start, end in walls:
            s, e = _window_utc(zone, day, start, end)
            if s < e:
                out.append((s, e))
        day += _DAY
    return tuple(union(out))


@functools.lru_cache(maxsize=65536)
def _window_utc(zone: tzinfo, day: date, start: time, end: time) -> Interval:
    """One local window of one date in UTC. Cached: every suggestion converts the windows of
    all of a program's mentors over two weeks, and mentors share zones, days and hours."""
    end_day = day + _DAY if end == MIDNIGHT else day
    return (
        local_to_utc(datetime.combine(day, start), zone, fold=0),
        _end_to_utc(datetime.combine(end_day, end), zone),
    )


def free_intervals(
    availability: Availability,
    start_utc: datetime,
    end_utc: datetime,
    *,
    now: datetime,
    busy: Iterable[Interval] = (),
    other_busy: Iterable[Interval] = (),
) -> list[Interval]:
    """The mentor's free time in ``[start_utc, end_utc)`` as sorted, disjoint UTC intervals.

    The windows (weekly, replaced per date by overrides; see the module docstring for the
    DST rule) are clipped to ``[max(start, now + notice), min(end, now + horizon))``; each
    of the mentor's ``busy`` sessions is removed widened by ``buffer_minutes`` on both
    sides, the mentee's ``other_busy`` sessions as they are (half-open, so an empty
    session blocks only its buffer). All datetimes must be timezone-aware (ValueError
    otherwise); aware non-UTC values are converted. ``end_utc < start_utc`` is a ValueError.
    """
    start = _aware_utc(start_utc, "start_utc")
    end = _aware_utc(end_utc, "end_utc")
    now = _aware_utc(now, "now")
    if end < start:
        raise ValueError(f"end_utc {end.isoformat()} is before start_utc {start.isoformat()}")
    mine = _intervals(busy, "busy")
    theirs = _intervals(other_busy, "other_busy")

    lo = max(start, now + timedelta(minutes=availability.min_notice_minutes))
    hi = min(end, now + timedelta(days=availability.horizon_days))
    if hi <= lo:
        return []
    zone = availability.zone
    # One spare day each side: a date's windows can reach into its neighbours in UTC.
    first = lo.astimezone(zone).date() - _DAY
    last = hi.astimezone(zone).date() + _DAY
    windows = intersect(_local_windows(availability, first, last), [(lo, hi)])
    pad = timedelta(minutes=availability.buffer_minutes)
    return subtract(windows, [(s - pad, e + pad) for s, e in mine] + theirs)


def daily_windows(
    tz: str | tzinfo, start: time, end: time, lo: datetime, hi: datetime
) -> list[Interval]:
    """The same local hours (e.g. 08:00–20:00) of every date between `lo` and `hi`, in
    `tz`, as UTC intervals clipped to [lo, hi): DST-correct, as windows are."""
    zone = zone_of(tz)
    lo, hi = _aware_utc(lo, "lo"), _aware_utc(hi, "hi")
    first = lo.astimezone(zone).date() - _DAY
    last = hi.astimezone(zone).date() + _DAY
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return intersect([_window_utc(zone, day, start, end) for day in days], [(lo, hi)])


def on_grid(intervals: Iterable[Interval], minutes: int = 15) -> list[Interval]:
    """Intervals trimmed to whole `minutes` of the UTC clock (starts rounded up, ends down;
    the quarter hours of UTC are those of every zone in use), dropping any left empty."""
    step = minutes * 60
    out = []
    for start, end in intervals:
        s = math.ceil(start.timestamp() / step) * step
        e = math.floor(end.timestamp() / step) * step
        if e > s:
            out.append((datetime.fromtimestamp(s, UTC), datetime.fromtimestamp(e, UTC)))
    return out


@functools.lru_cache(maxsize=8192)
def _day_grid(zone: tzinfo, day: date, grid_minutes: int) -> tuple[datetime, ...]:
    """UTC instants of one local date whose wall clock is on the grid from local midnight.

    A wall time inside a gap has no instant; one inside an overlap has two. Cached: many
    mentors share a zone, and the answer never changes.
    """
    out: list[datetime] = []
    step = timedelta(minutes=grid_minutes)
    wall = datetime.combine(day, MIDNIGHT)
    while wall.date() == day:
        first = wall.replace(tzinfo=zone, fold=0)
        second = wall.replace(tzinfo=zone, fold=1)
        instant = first.astimezone(UTC)
        if instant.astimezone(zone).replace(tzinfo=None) == wall:  # exists
            out.append(instant)
            if first.utcoffset() != second.utcoffset():  # happens twice
                out.append(second.astimezone(UTC))
        wall += step
    return tuple(out)


def slots(
    availability: Availability,
    duration_minutes: int,
    start_utc: datetime,
    end_utc: datetime,
    *,
    now: datetime,
    busy: Iterable[Interval] = (),
    other_busy: Iterable[Interval] = (),
    grid_minutes: int = 15,
) -> list[Interval]:
    """Bookable ``(start, end)`` UTC slots of ``duration_minutes`` real (elapsed) minutes.

    Slot starts lie on a ``grid_minutes`` grid of the mentor's local wall clock counted
    from local midnight (09:00, 09:15, ... in Asia/Kolkata is 03:30Z, 03:45Z, ...); during
    a repeated hour both occurrences of a grid time are candidates, wall times in a gap are
    none. Each slot lies entirely inside one interval of ``free_intervals`` (same
    arguments). Slots of different starts may overlap: they are alternatives to book.
    """
    for name, value in (("duration_minutes", duration_minutes), ("grid_minutes", grid_minutes)):
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ValueError(f"{name} must be a positive whole number, got {value!r}")
    free = free_intervals(
        availability, start_utc, end_utc, now=now, busy=busy, other_busy=other_busy
    )
    if not free:
        return []
    zone = availability.zone
    days: set[date] = set()
    for s, e in free:
        day = s.astimezone(zone).date() - _DAY
        while day <= e.astimezone(zone).date() + _DAY:
            days.add(day)
            day += _DAY
    length = timedelta(minutes=duration_minutes)
    starts = [s for s, _ in free]
    out: list[Interval] = []
    candidates = {t for day in days for t in _day_grid(zone, day, grid_minutes)}
    for t in sorted(candidates):
        i = bisect_right(starts, t) - 1
        if i >= 0 and t + length <= free[i][1]:
            out.append((t, t + length))
    return out

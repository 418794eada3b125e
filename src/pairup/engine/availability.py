"""Availability: is there a common free window of the ask's duration within the horizon?

Free windows are UTC intervals. Each side's windows are clipped to the horizon
[policy.now, policy.now + horizon_days] (no clipping when `policy.now` is None), merged,
and intersected. The component is 1 when a long-enough common window exists, 0 when the
mentor's free time is known and none fits, and `policy.availability_unknown` (neutral)
when the mentor's free time is unknown.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from pairup.engine.records import Policy, Window

Span = tuple[float, float]


def horizon(policy: Policy) -> Span:
    if policy.now is None:
        return (float("-inf"), float("inf"))
    start = policy.now.timestamp()
    return (start, start + policy.horizon_days * 86400.0)


def prepare(windows: tuple[Window, ...] | None, policy: Policy) -> tuple[Span, ...] | None:
    """Clip to the horizon, sort and merge: a canonical tuple of (start, end) epoch seconds."""
    if windows is None:
        return None
    lo, hi = horizon(policy)
    spans = sorted(
        (max(s.timestamp(), lo), min(e.timestamp(), hi))
        for s, e in windows
        if min(e.timestamp(), hi) > max(s.timestamp(), lo)
    )
    merged: list[Span] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return tuple(merged)


def longest(spans: tuple[Span, ...] | None) -> float:
    """The longest span in seconds; -inf when there is none, so that no duration fits
    (as `availability` says for an empty list, even for a duration of 0)."""
    return max((e - s for s, e in spans), default=-np.inf) if spans else -np.inf


def first_common(a: tuple[Span, ...], b: tuple[Span, ...], seconds: float) -> Span | None:
    """The earliest intersection of two merged span lists lasting at least `seconds`."""
    i = j = 0
    while i < len(a) and j < len(b):
        s, e = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if e - s >= seconds:
            return (s, e)
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return None


def availability(
    ask_spans: tuple[Span, ...] | None,
    mentor_spans: tuple[Span, ...] | None,
    duration_minutes: int,
    policy: Policy,
) -> tuple[float, Span | None]:
    """(component value, the window to show or None)."""
    if mentor_spans is None:
        return policy.availability_unknown, None
    seconds = duration_minutes * 60.0
    if ask_spans is None:
        for s, e in mentor_spans:
            if e - s >= seconds:
                return 1.0, (s, e)
        return 0.0, None
    window = first_common(ask_spans, mentor_spans, seconds)
    return (1.0, window) if window else (0.0, None)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def zone_label(tz_name: str) -> str:
    """How a reason names a time zone: its city ("New York time") or, for a zone with no
    city, its name ("UTC"). Reasons are read by the mentee and by admins (cohort review,
    handover), so a window never says "your time": that would be the reader's zone."""
    key = zone(tz_name).key
    if "/" not in key or key.startswith("Etc/"):
        return key.removeprefix("Etc/")
    return f"{key.rsplit('/', 1)[1].replace('_', ' ')} time"


def describe_window(window: Span, tz_name: str) -> str:
    """ "Free Tue 14:00–15:00 New York time" in the ask's time zone, named (zone_label)."""
    tz = zone(tz_name)
    start = datetime.fromtimestamp(window[0], UTC).astimezone(tz)
    end = datetime.fromtimestamp(window[1], UTC).astimezone(tz)
    if end - start > timedelta(days=7):
        end = start + timedelta(days=7)
    if start.date() == end.date() or (end - start <= timedelta(days=1) and end.hour == 0):
        span = f"{start:%a %H:%M}–{end:%H:%M}"
        if end.date() != start.date():
            span = f"{start:%a %H:%M}–24:00"
    else:
        span = f"{start:%a %H:%M}–{end:%a %H:%M}"
    return f"Free {span} {zone_label(tz_name)}"

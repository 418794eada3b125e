"""Words for people: durations and shortened text, said the same way on every page and in
every email. Templates use them through the `duration` and `shorten` filters
(`{% load pairup %}`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

ELLIPSIS = "…"


def human_duration(delta: timedelta) -> str:
    """A length of time as a person says it, in at most two units, rounded down (a clock
    should never promise more time than is left): "1 day 23 h", "3 h 20 min", "45 min",
    "under 1 min". Nothing left, or less than nothing, is "0 min"."""
    seconds = int(delta.total_seconds())
    if seconds <= 0:
        return "0 min"
    if seconds < 60:
        return "under 1 min"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} day{'s' if days != 1 else ''}" + (f" {hours} h" if hours else "")
    if hours:
        return f"{hours} h" + (f" {minutes} min" if minutes else "")
    return f"{minutes} min"


def time_left(until: datetime, now: datetime | None = None) -> str:
    """How long from `now` (default: this moment) until `until`, as `human_duration` says it."""
    return human_duration(until - (now or timezone.now()))


def time_since(then: datetime, now: datetime | None = None) -> str:
    """How long from `then` until `now` (default: this moment): "3 h 5 min" (ago)."""
    return human_duration((now or timezone.now()) - then)


def shorten(text: str, limit: int) -> str:
    """`text` in at most `limit` characters: when it is longer, cut at the last word
    boundary that fits and end with an ellipsis, so a subject never ends mid-word. A single
    word longer than the limit is cut inside it (still with the ellipsis)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    room = max(limit - len(ELLIPSIS), 0)
    cut = text[: room + 1]
    # The character after the room is a space: the room ends on a whole word.
    head = cut[:room] if cut.endswith(" ") else cut[:room].rsplit(" ", 1)[0]
    if not head or len(head) < room // 2:
        head = text[:room]  # one very long word: better a cut word than almost nothing
    return head.rstrip(" ,;:.-–—") + ELLIPSIS

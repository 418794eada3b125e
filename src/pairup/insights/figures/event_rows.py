"""Events in the program's insights: one row per event (registrations, attendance,
meetings held, ratings, follow-up asks)."""

from __future__ import annotations

from typing import Any

from .scope import Scope


def events(scope: Scope) -> list[dict[str, Any]]:
    """Per event of the program in the range: registrations, attendance, meetings held,
    ratings and follow-up asks. Empty for now: the events issue (14) fills it in, and its
    rows become the dashboard's events table and the API's `events` key."""
    return []

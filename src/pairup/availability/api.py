"""Availability over /api/v1: a person's weekly windows, overrides, caps and busy feed."""

from __future__ import annotations

from datetime import date, time

from django.http import Http404
from ninja import Router, Schema
from pydantic import Field

from pairup.accounts.http import ApiRequest
from pairup.accounts.models import User
from pairup.core.api import also_returns
from pairup.core.schemas import Input

from . import queries, services

# The OpenAPI tag stays "scheduling", as before availability and sessions split.
router = Router(tags=["scheduling"])


class WindowIn(Input):
    weekday: int = Field(ge=0, le=6, description="0 = Monday")
    start: time
    end: time


class OverrideIn(Input):
    date: date
    start: time | None = None
    end: time | None = None


class AvailabilityIO(Schema):
    timezone: str
    weekly: list[WindowIn]
    overrides: list[OverrideIn] = []
    session_lengths: list[int] = []
    buffer_minutes: int = Field(default=10, ge=0, le=120)
    min_notice_minutes: int = Field(default=720, ge=0, le=20160)
    horizon_days: int = Field(default=30, ge=1, le=365)
    weekly_cap: int | None = Field(default=None, ge=0)
    monthly_cap: int | None = Field(default=None, ge=0)
    busy_feed_url: str = ""


class AvailabilityIn(Input, AvailabilityIO):
    """The same shape as read; see "Limits" in docs/api.md for how many windows and
    overrides. Overlapping windows of a day are stored merged."""


def _availability_out(user: User) -> dict[str, object]:
    a = queries.availability_of(user)
    if a is None:
        raise Http404("No availability set yet")
    return {
        "timezone": a.timezone,
        "weekly": [{"weekday": w.weekday, "start": w.start, "end": w.end} for w in a.weekly.all()],
        "overrides": [{"date": o.date, "start": o.start, "end": o.end} for o in a.overrides.all()],
        "session_lengths": a.session_lengths,
        "buffer_minutes": a.buffer_minutes,
        "min_notice_minutes": a.min_notice_minutes,
        "horizon_days": a.horizon_days,
        "weekly_cap": a.weekly_cap,
        "monthly_cap": a.monthly_cap,
        "busy_feed_url": a.busy_feed_url,
    }


@router.get("/me/availability", response=AvailabilityIO, summary="My weekly availability")
@also_returns(404)  # none set yet
def availability_get(request: ApiRequest) -> dict[str, object]:
    return _availability_out(request.auth)


@router.put("/me/availability", response=AvailabilityIO, summary="Replace my availability")
def availability_put(request: ApiRequest, payload: AvailabilityIn) -> dict[str, object]:
    services.availability_set(
        user=request.auth,
        timezone_name=payload.timezone,
        weekly=[(w.weekday, w.start, w.end) for w in payload.weekly],
        overrides=[(o.date, o.start, o.end) for o in payload.overrides],
        session_lengths=payload.session_lengths,
        buffer_minutes=payload.buffer_minutes,
        min_notice_minutes=payload.min_notice_minutes,
        horizon_days=payload.horizon_days,
        weekly_cap=payload.weekly_cap,
        monthly_cap=payload.monthly_cap,
        busy_feed_url=payload.busy_feed_url,
    )
    return _availability_out(request.auth)

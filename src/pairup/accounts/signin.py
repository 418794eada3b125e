"""Sign-in protection shared by the web form and POST /api/v1/auth/token.

Both go through allauth's adapter (`AccountAdapter.authenticate`), so both consume one rate
limit, allauth's `login_failed` (settings.ACCOUNT_RATE_LIMITS), kept in the shared cache:
- per client address across all accounts (`…/ip`), and
- per (client address, account) (`…/key`, the key being `pair_key`), never per account alone:
  guesses from another address cannot lock the owner out.
Each attempt is counted before the password is checked and taken back when it was right, so
only failures count. This module adds what allauth does not give: how long to wait
(Retry-After), and telling the owner about repeated failures (`signin_failure_record`).
"""

from __future__ import annotations

import math
import time

from allauth.core.internal import ratelimit as allauth_ratelimit
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest

THROTTLED = "too_many_login_attempts"
APP = "allauth.account"
ACTION = "login_failed"


def pair_key(request: HttpRequest, login: str) -> str:
    """The `key` of the per-(address, account) limit. IPv6 addresses are cut to their /64 as
    allauth's per-address limit does, so one host cannot rotate through its own block."""
    return f"{allauth_ratelimit.get_ip(request)}:{login.strip().lower()}"


def retry_after(request: HttpRequest, *, key: str) -> int:
    """Seconds until an attempt with this `key` from this request's address is allowed again
    (at least 1): the longest wait over the refusing limits.

    allauth keeps each limit's history as a newest-first list of timestamps under
    `get_cache_key`; its public API has no "how long", so this reads that list (pinned
    allauth version; the sign-in tests check the header's value)."""
    now = time.time()
    wait = 0.0
    for rate in allauth_ratelimit.get_rates(app=APP, action=ACTION):
        cache_key = allauth_ratelimit.get_cache_key(
            request, app=APP, action=ACTION, rate=rate, key=key
        )
        recent = sorted(
            (ts for ts in cache.get(cache_key, []) if ts > now - rate.duration), reverse=True
        )
        if len(recent) >= rate.amount:
            wait = max(wait, recent[rate.amount - 1] + rate.duration - now)
    return max(1, math.ceil(wait))


def throttled_error(wait: int) -> ValidationError:
    return ValidationError(
        "Too many failed sign-in attempts. Try again in %(retry_after)s seconds.",
        code=THROTTLED,
        params={"retry_after": wait},
    )


def throttled_wait(errors: list[ValidationError]) -> int | None:
    """The wait carried by a refusal among `errors` (a form's or an exception's), else None."""
    for error in errors:
        for item in getattr(error, "error_list", [error]):
            if item.code == THROTTLED and item.params:
                return int(item.params["retry_after"])
    return None

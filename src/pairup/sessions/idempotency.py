"""Idempotency keys: a retried request gets the first attempt's response, and the work is
done at most once.

A key belongs to one user and is bound to one request: a hash of its method, path and
canonical body. The same key with another request is refused (422
`idempotency_key_reused`), never answered with the first request's result.

Races: the key row is inserted first, inside the transaction that does the work. On
PostgreSQL a concurrent insert of the same (user, key) waits on the unique index until that
transaction ends: if it committed, the insert fails and the retry returns the stored
response; if it rolled back, the insert succeeds and the retry does the work itself. On
SQLite every transaction is IMMEDIATE (one writer at a time), so a retry starts only once
the first has finished. Either way a retry never fails because of its own first attempt.

Only responses that committed are stored. A refusal (a service error, e.g. 409 slot_taken)
or a server error rolls back with its key row, so the key is free and a retry runs again:
a refused request changed nothing, so running it again cannot do anything twice. (Stripe
stores errors too; we do not, so a retry after the slot frees up can still book.)

Keys are forgotten KEY_TTL after they were made; a retry after that runs as a new request.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from pairup.accounts.models import User
from pairup.core.errors import ServiceError

from .models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_MAX_LENGTH = 255
KEY_TTL = timedelta(hours=24)
# Printable ASCII only: a key travels in an HTTP header and is shown back in errors.
_KEY = re.compile(r"[\x20-\x7e]+")


@dataclass(frozen=True)
class StoredResponse:
    """The response to send: the work's own, or, when `replayed`, the first attempt's."""

    status: int
    body: dict[str, Any]
    replayed: bool = False


def request_hash(*, method: str, path: str, body: Mapping[str, Any]) -> str:
    """SHA-256 of what identifies a request. Give the body as parsed and validated (e.g. a
    schema's JSON dump), so spelling differences that mean the same request (key order,
    "10:00Z" or "10:00:00Z", ignored unknown fields) hash the same."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{method.upper()} {path}\n{canonical}".encode()).hexdigest()


def idempotency_key_check(key: str) -> str:
    """Refuse a key that is empty, too long or not printable ASCII (422 naming the header),
    rather than cutting it down to a different key."""
    if not key.strip():
        raise ServiceError(f"{HEADER} is empty.", code="invalid_idempotency_key", field=HEADER)
    if len(key) > KEY_MAX_LENGTH:
        raise ServiceError(
            f"{HEADER} is {len(key)} characters long; at most {KEY_MAX_LENGTH} are allowed.",
            code="invalid_idempotency_key",
            field=HEADER,
        )
    if not _KEY.fullmatch(key):
        raise ServiceError(
            f"{HEADER} may hold printable ASCII characters only.",
            code="invalid_idempotency_key",
            field=HEADER,
        )
    return key


@transaction.atomic
def idempotency_key_use(
    *,
    user: User,
    key: str,
    request_hash: str,
    perform: Callable[[], tuple[int, dict[str, Any]]],
    now: datetime | None = None,
) -> StoredResponse:
    """Run `perform` once for (user, key) and store its (status, JSON body); a later or
    concurrent call with the same key and request hash gets that stored response back,
    marked replayed, without running `perform`.

    `perform` runs inside this transaction; if it raises, everything rolls back, the key
    included. Raises ServiceError 422 `idempotency_key_reused` when the key was used for
    another request. Side effects: deletes this user's keys older than KEY_TTL."""
    key = idempotency_key_check(key)
    now = now or timezone.now()
    expired = IdempotencyKey.objects.filter(user=user, created_at__lt=now - KEY_TTL)
    # Rows another transaction holds are skipped, not waited for, so purges never deadlock.
    stale = list(expired.select_for_update(skip_locked=True).values_list("pk", flat=True))
    if stale:
        IdempotencyKey.objects.filter(pk__in=stale).delete()
    try:
        with transaction.atomic():
            row = IdempotencyKey.objects.create(
                user=user, key=key, request_hash=request_hash, created_at=now
            )
    except IntegrityError:
        return _replay(user=user, key=key, request_hash=request_hash)
    status, body = perform()
    row.response_status, row.response_body = status, body
    row.save(update_fields=["response_status", "response_body"])
    return StoredResponse(status=status, body=body)


def _replay(*, user: User, key: str, request_hash: str) -> StoredResponse:
    # A new statement, so on PostgreSQL it sees the row the other transaction committed.
    row = IdempotencyKey.objects.get(user=user, key=key)
    # An empty hash is a key stored before requests were hashed: it matches any request.
    if row.request_hash and row.request_hash != request_hash:
        raise ServiceError(
            f"This {HEADER} was used for a different request in the last "
            f"{KEY_TTL.total_seconds() / 3600:g} hours; send a new key for a new request.",
            code="idempotency_key_reused",
            field=HEADER,
        )
    if row.response_status is None or row.response_body is None:
        # Unreachable: a row is only ever committed with its response. Say so loudly.
        raise RuntimeError(f"Idempotency key {row.pk} has no stored response")
    return StoredResponse(status=row.response_status, body=row.response_body, replayed=True)

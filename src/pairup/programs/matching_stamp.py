"""A stamp per program that changes whenever who may be matched with whom there may have
changed: a membership (joined, left, roles, mentor status, pause, onboarding), a pool or
who is in it, a match rule, or a member's profile (languages, the manager of the reporting
line). Caches of matching results (asks' suggestions shown to a mentee) put the stamp in
their key, so such a change shows at once instead of when the cache runs out.

The receivers in `signals` stamp every save and delete of these rows; services that write
them in bulk (`bulk_create`, `QuerySet.update`, which send no signal) call
`matching_changed` themselves.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import transaction

# Long beyond any cache that reads it: were the stamp forgotten, an entry stored under the
# old one would have run out long before.
STAMP_TTL_SECONDS = 24 * 3600


def _key(program_id: int) -> str:
    return f"pairup:matching-stamp:{program_id}"


def _stamp(program_ids: list[int]) -> None:
    value = time.time_ns()
    cache.set_many({_key(pk): value for pk in program_ids}, STAMP_TTL_SECONDS)


def matching_changed(program_ids: int | Iterable[int]) -> None:
    """Say that matching in these programs may have changed: a new stamp now. On the
    database cache (the default) it is written in the transaction that makes the change,
    so it commits, or rolls back, with it. Another cache (Redis) does not wait for the
    commit: the stamp is written again once the transaction commits, so that a reader who
    saw the new stamp but not yet the new rows cached the old ones under a stamp that is
    already gone."""
    ids = sorted({program_ids} if isinstance(program_ids, int) else set(program_ids))
    if not ids:
        return
    _stamp(ids)
    if not isinstance(caches["default"], DatabaseCache):
        transaction.on_commit(lambda: _stamp(ids))


def matching_stamp(program_id: int) -> int:
    """The program's current stamp (0 until something changed)."""
    value = cache.get(_key(program_id))
    return int(value) if value is not None else 0

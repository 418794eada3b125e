"""The insights' cache, and the change stamp that keeps it fresh.

The figures of a large program take a second or more to count (docs/benchmarks.md), and an
admin opens the dashboard, changes a filter, downloads a CSV, comes back: the same figures
again. So the figures are cached under a key made of the program, the range, the filters,
the quarter hour and the **change stamp**, and every write to a table the figures read gives
a new stamp, so an entry is never read after the rows it counted changed.

The stamp is bumped by the database connection itself, not by each service: a wrapper
around every statement (`connection.execute_wrappers`) sees each INSERT, UPDATE and DELETE
on a watched table, whether it comes from `save()`, `QuerySet.update()`, `bulk_create()` or
raw SQL, and writes a new stamp once the transaction commits (once per transaction; outside
one, before the connection's next statement or at the end of the request). A reader who counts between the commit and the new stamp caches the new
rows under the old stamp, which is harmless; a reader who read the stamp before the commit
cached the old rows under a stamp that is gone once the new one is written. A process that
dies between the commit and the stamp leaves the entries to run out (a quarter hour).

One stamp for the whole site, not per program: a statement does not say which program its
rows belong to. A write anywhere makes every program's figures be counted again on their
next view; between writes every view is a cache hit. The quarter hour in the key bounds
what changes with the clock alone: the free capacity of the topics figure counts the
current week and month of each mentor.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from datetime import datetime
from functools import cache as memoize
from typing import Any

from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import DatabaseError
from django.db.backends.base.base import BaseDatabaseWrapper

STAMP_KEY = "pairup:insights-stamp"
# Longer than any entry lives: were the stamp evicted, entries under the old one are gone.
STAMP_TTL_SECONDS = 24 * 3600
ENTRY_TTL_SECONDS = 15 * 60
BUCKET_SECONDS = 15 * 60

WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z0-9_]+)"?', re.I)


@memoize
def watched_tables() -> frozenset[str]:
    """The tables the figures read (tests/insights/test_freshness.py checks every table in
    the figures' queries is here)."""
    from pairup.accounts.models import Expertise, Profile, User
    from pairup.asks.models import Ask, Engagement, Feedback, Invitation, ThankYou
    from pairup.availability.models import Availability, Commitment
    from pairup.events.models import (
        ConversationRating,
        Event,
        EventFollowUp,
        EventSchedule,
        Registration,
        Seat,
    )
    from pairup.programs.models import Membership, Pool, Program
    from pairup.sessions.models import Session, SessionFeedback
    from pairup.topics.models import Topic

    models: list[Any] = [
        User,
        Profile,
        Expertise,
        Topic,
        Program,
        Membership,
        Membership.pools.through,
        Pool,
        Availability,
        Commitment,
        Ask,
        Ask.topics.through,
        Invitation,
        Engagement,
        Feedback,
        ThankYou,
        Session,
        SessionFeedback,
        Event,
        Registration,
        EventSchedule,
        Seat,
        ConversationRating,
        EventFollowUp,
    ]
    return frozenset(m._meta.db_table for m in models)


def _write_stamp() -> None:
    try:
        cache.set(STAMP_KEY, time.time_ns(), STAMP_TTL_SECONDS)
    except DatabaseError:
        # The database cache's table is made after the first migrations, which write rows
        # already: nothing can be cached before it exists either.
        if isinstance(caches["default"], DatabaseCache):
            return
        raise


def insights_changed(connection: BaseDatabaseWrapper | None = None) -> None:
    """Say the figures' rows may have changed: a new stamp once the transaction commits.
    Once per transaction: its marker is its callback, still waiting in `run_on_commit`
    (gone once the transaction commits or rolls back). Outside a transaction the write has
    committed already: the stamp is written before the connection's next statement (or at
    the end of the request, or when the stamp is read), never while a statement's cursor
    may still be read (on SQLite that would cut short an INSERT ... RETURNING)."""
    from django.db import connection as default

    conn = connection or default
    if not conn.in_atomic_block:
        conn._insights_pending = True  # type: ignore[attr-defined]
        return
    marker = getattr(conn, "_insights_marker", None)
    if marker is not None and any(entry[1] is marker for entry in conn.run_on_commit):
        return

    def committed() -> None:
        _write_stamp()

    conn._insights_marker = committed  # type: ignore[attr-defined]
    conn.on_commit(committed)


def flush_pending(connection: BaseDatabaseWrapper) -> None:
    """Write the stamp a write outside a transaction left pending (see insights_changed)."""
    if getattr(connection, "_insights_pending", False) and not connection.in_atomic_block:
        connection._insights_pending = False  # type: ignore[attr-defined]
        _write_stamp()


def _watch(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    conn = context["connection"]
    flush_pending(conn)  # the statement before this one is done with its cursor
    result = execute(sql, params, many, context)
    if sql[:1] in "IUDiud \n" and (m := WRITE.match(sql)) and m.group(1) in watched_tables():
        insights_changed(conn)
    return result


def watch_connection(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """`connection_created`: watch the new connection's writes (once)."""
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch)


def flush_at_request_end(sender: Any, **kwargs: Any) -> None:
    """`request_finished`: a write of the request outside a transaction gets its stamp."""
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        flush_pending(conn)


def insights_stamp() -> int:
    """The current stamp (0 until something changed). Reading it also forgets that this
    transaction will bump it, so a later write in the same transaction (a request that
    writes after it read) bumps it once more, after the entry read now."""
    from django.db import connection

    flush_pending(connection)
    connection._insights_marker = None  # type: ignore[attr-defined]
    value = cache.get(STAMP_KEY)
    return int(value) if value is not None else 0


def entry_key(program_id: int, parts: tuple[Any, ...], now: datetime) -> str:
    """The cache key of a program's figures for `parts` (range, filters, figure) at `now`."""
    bucket = int(now.timestamp()) // BUCKET_SECONDS
    raw = repr((program_id, insights_stamp(), bucket, parts))
    return "pairup:insights:" + hashlib.sha256(raw.encode()).hexdigest()[:40]

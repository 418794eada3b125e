"""The insights' cache, and the change stamps that keep it fresh.

The figures of a large program take a second or more to count (docs/benchmarks.md), and an
admin opens the dashboard, changes a filter, downloads a CSV, comes back: the same figures
again. So each figure is cached under a key made of the program, the range, the filters, the
figure and the **change stamps of the tables it reads** (`pairup.insights.reads`),
and every write to a table gives that table a new stamp: an entry is never read after the
rows it counted changed, and a write to a table a figure does not read (a message, a
registration to an event for the funnel) leaves that figure cached.

The stamps are bumped by the database connection itself, not by each service: a wrapper
around every statement (`connection.execute_wrappers`) sees each INSERT, UPDATE and DELETE
on a watched table, whether it comes from `save()`, `QuerySet.update()`, `bulk_create()` or
raw SQL, and writes new stamps for the tables written once the transaction commits (once per
transaction; outside one, before the connection's next statement or at the end of the
request). A reader who counts between the commit and the new stamp caches the new rows under
the old stamp, which is harmless; a reader who read the stamp before the commit cached the
old rows under a stamp that is gone once the new one is written. A process that dies between
the commit and the stamp leaves the entries to run out (`ENTRY_TTL_SECONDS`).

A stamp is a time in nanoseconds and never comes back: a stamp missing from the cache (never
written, expired or evicted) is replaced by a new one when it is read, so an entry cached
under an old stamp is never read again, whatever the cache evicts.

One update is not a change to the figures: the sign-in time Django writes at each sign-in
(`UPDATE ... SET "last_login" = %s WHERE ...` alone), a column no figure reads
(tests/insights/test_freshness.py checks it).

Stamps per table, not per program: a statement does not say which program its rows belong
to. The figures that depend on the clock as well as on the rows (the free capacity of the
topics figure counts the current week and month of each mentor; the events figure, the
rounds played by now) also have the quarter hour in their key (`CLOCK`).
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import cache as memoize
from typing import Any

from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import DatabaseError
from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger(__name__)

STAMP_PREFIX = "pairup:insights-stamp:"
STAMP_TTL_SECONDS = 7 * 24 * 3600
# A figure that depends on the rows alone lives until they change (or a day passes, which
# also changes the default range); one that depends on the clock, a quarter hour.
ENTRY_TTL_SECONDS = 24 * 3600
CLOCK_ENTRY_TTL_SECONDS = 15 * 60
BUCKET_SECONDS = 15 * 60

# INSERT OR IGNORE INTO: SQLite's bulk_create(ignore_conflicts=True), e.g. a many-to-many add.
WRITE = re.compile(
    r'^\s*(?:INSERT\s+(?:OR\s+[A-Z]+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z0-9_]+)"?', re.I
)
# An UPDATE of one column to one value, e.g. Django's sign-in time: what `UNREAD` may skip.
ONE_COLUMN_UPDATE = re.compile(
    r'^\s*UPDATE\s+"([A-Za-z0-9_]+)"\s+SET\s+"([A-Za-z0-9_]+)"\s*=\s*%s\s+WHERE\s', re.I
)


@memoize
def watched_tables() -> frozenset[str]:
    """The tables the figures and the alerts read (`pairup.insights.reads`)."""
    from pairup.insights.reads import watched

    return watched()


@memoize
def unread_columns() -> dict[str, frozenset[str]]:
    """Columns of watched tables no figure reads, whose update alone changes no figure."""
    from pairup.accounts.models import User

    return {User._meta.db_table: frozenset({"last_login"})}


def changed_tables(sql: str) -> str | None:
    """The watched table a statement writes, if any (None: a read, an unwatched table, or
    an update of an unread column alone)."""
    if sql[:1] not in "IUDiud \n" or not (m := WRITE.match(sql)):
        return None
    table = m.group(1)
    if table not in watched_tables():
        return None
    if (one := ONE_COLUMN_UPDATE.match(sql)) and one.group(2) in unread_columns().get(table, ()):
        return None
    return table


def _stamp_key(table: str) -> str:
    return STAMP_PREFIX + table


def _write_stamps(tables: Iterable[str]) -> None:
    now = time.time_ns()
    try:
        cache.set_many({_stamp_key(t): now for t in sorted(tables)}, STAMP_TTL_SECONDS)
    except DatabaseError:
        # The database cache's table is made after the first migrations, which write rows
        # already: nothing can be cached before it exists either.
        if isinstance(caches["default"], DatabaseCache):
            return
        logger.warning("insights: could not write the change stamps of %s", sorted(tables))
    except Exception:
        # A cache that is down (Redis gone) serves no stale figure either; the write that
        # moved the stamp, committed already, must not fail for it.
        logger.warning(
            "insights: could not write the change stamps of %s", sorted(tables), exc_info=True
        )


def insights_changed(
    tables: Iterable[str] | None = None, connection: BaseDatabaseWrapper | None = None
) -> None:
    """Say the rows of `tables` (default: every watched table) may have changed: new stamps
    once the transaction commits. Once per transaction: its marker is its callback, still
    waiting in `run_on_commit` (gone once the transaction commits or rolls back), which
    gathers the tables the transaction writes. Outside a transaction the write has
    committed already: the stamps are written before the connection's next statement (or at
    the end of the request, or when a stamp is read), never while a statement's cursor may
    still be read (on SQLite that would cut short an INSERT ... RETURNING)."""
    from django.db import connection as default

    conn = connection or default
    names = set(watched_tables() if tables is None else tables)
    if not conn.in_atomic_block:
        pending = getattr(conn, "_insights_pending", None)
        if pending is None:
            conn._insights_pending = pending = set()  # type: ignore[attr-defined]
        pending |= names
        return
    marker = getattr(conn, "_insights_marker", None)
    if marker is not None and any(entry[1] is marker for entry in conn.run_on_commit):
        marker.tables |= names
        return

    class Committed:
        def __init__(self) -> None:
            self.tables = names

        def __call__(self) -> None:
            _write_stamps(self.tables)

    conn._insights_marker = committed = Committed()  # type: ignore[attr-defined]
    # Robust: a cache that refuses the stamp must not fail the committed request, nor drop
    # the on-commit callbacks (emails, tasks) that come after this one.
    conn.on_commit(committed, robust=True)


def flush_pending(connection: BaseDatabaseWrapper) -> None:
    """Write the stamps a write outside a transaction left pending (see insights_changed)."""
    pending = getattr(connection, "_insights_pending", None)
    if pending and not connection.in_atomic_block:
        connection._insights_pending = None  # type: ignore[attr-defined]
        _write_stamps(pending)


def _watch(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    conn = context["connection"]
    if getattr(conn, "_insights_pending", None):
        flush_pending(conn)  # the statement before this one is done with its cursor
    result = execute(sql, params, many, context)
    if table := changed_tables(sql):
        insights_changed([table], conn)
    return result


def watch_connection(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """`connection_created`: watch the new connection's writes (once)."""
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch)


def flush_at_request_end(sender: Any, **kwargs: Any) -> None:
    """`request_finished`: a write of the request outside a transaction gets its stamps."""
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        flush_pending(conn)


def insights_stamps(tables: Iterable[str]) -> dict[str, int]:
    """The current stamp of each table, in one cache read (a missing stamp is made anew,
    see above). Reading them also forgets that this transaction will bump them, so a later
    write in the same transaction (a request that writes after it read) bumps them once
    more, after the entries read now."""
    from django.db import connection

    flush_pending(connection)
    connection._insights_marker = None  # type: ignore[attr-defined]
    wanted = {_stamp_key(t): t for t in tables}
    found = cache.get_many(list(wanted))
    missing = [key for key in wanted if key not in found]
    if missing:
        now = time.time_ns()
        for key in missing:
            cache.add(key, now, STAMP_TTL_SECONDS)
        found.update(cache.get_many(missing))
    # A cache that keeps nothing (the dummy cache) keeps no entry either.
    return {t: int(found.get(key, 0)) for key, t in wanted.items()}


def entry_key(
    program_id: int,
    parts: tuple[Any, ...],
    stamps: dict[str, int],
    now: datetime | None = None,
) -> str:
    """The cache key of a program's figure for `parts` (range, filters, figure) under the
    `stamps` of the tables it reads, and at `now`'s quarter hour for a figure that depends
    on the clock (None: one that does not)."""
    bucket = None if now is None else int(now.timestamp()) // BUCKET_SECONDS
    raw = repr((program_id, sorted(stamps.items()), bucket, parts))
    return "pairup:insights:" + hashlib.sha256(raw.encode()).hexdigest()[:40]

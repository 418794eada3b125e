"""What the figures need of the database beyond the ORM's portable parts, one branch per
backend (SQLite and PostgreSQL give the same answers)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.db.models import Func, IntegerField


class EpochSeconds(Func):
    """Whole seconds since 1970-01-01 UTC of a datetime (None stays None): the figures fetch
    numbers, not datetimes, which cost more to read than the rest of a figure's work."""

    output_field = IntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "FLOOR(EXTRACT(EPOCH FROM %(expressions)s))::bigint"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Django keeps an aware datetime as UTC text; strftime('%s') drops the fraction, as
        # FLOOR does on PostgreSQL.
        template = "CAST(strftime('%%%%s', %(expressions)s) AS INTEGER)"
        return self.as_sql(compiler, connection, template=template, **extra)


@contextmanager
def analytic_reads() -> Iterator[None]:
    """Read the figures without PostgreSQL's JIT compilation: over a program's history the
    planner expects costly plans and compiles them to machine code, which took 1.4 s of a
    1.5 s funnel query on 200,000 asks, for queries that run in a few milliseconds without."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield

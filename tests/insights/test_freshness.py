"""The insights' cache and its change stamp (pairup.insights.freshness): the figures are
counted once and read back, and any write to a table they read, however it is made, shows
on the next view."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pairup.asks.models import Ask, AskStatus
from pairup.insights.figures import cached_program_insights, program_insights
from pairup.insights.freshness import insights_stamp, watched_tables
from pairup.notifications.models import Kind, Notification

from .builders import NOW, RANGE, ask, at, small_events, small_program

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(program):
    s = small_program(program)
    small_events(s)
    return s


def _asked(program) -> int:
    return cached_program_insights(program, RANGE, NOW)["funnel"]["steps"][0]["count"]


def test_a_warm_view_reads_the_cache_not_the_tables(small):
    cold = cached_program_insights(small.program, RANGE, NOW)
    assert cold == program_insights(small.program, RANGE, NOW)
    with CaptureQueriesContext(connection) as ctx:
        assert cached_program_insights(small.program, RANGE, NOW) == cold
    assert len(ctx.captured_queries) == 2  # the stamp and the entry
    assert cached_program_insights(small.program, RANGE, NOW, only="thanks") == {
        "thanks": cold["thanks"]
    }


def test_every_kind_of_write_shows_on_the_next_view(small, django_capture_on_commit_callbacks):
    assert _asked(small.program) == 4
    with django_capture_on_commit_callbacks(execute=True):
        ask(small.program, small.mentees["c"], at(7), "sql")  # create(), then update()
    assert _asked(small.program) == 5
    # A QuerySet.update() sends no signal: the stamp still moves.
    with django_capture_on_commit_callbacks(execute=True):
        Ask.objects.filter(program=small.program, status=AskStatus.DRAFT).update(
            status=AskStatus.OPEN
        )
    assert _asked(small.program) == 6
    with django_capture_on_commit_callbacks(execute=True):
        Ask.objects.filter(program=small.program, created_at=at(7)).delete()
    assert _asked(small.program) == 4


def test_the_stamp_moves_once_the_transaction_commits(small, django_capture_on_commit_callbacks):
    stamp = insights_stamp()
    with django_capture_on_commit_callbacks() as callbacks:
        ask(small.program, small.mentees["c"], at(7), "sql")
        ask(small.program, small.mentees["c"], at(8), "sql")
    assert len(callbacks) == 1  # once per transaction, however many writes
    assert insights_stamp() == stamp  # not committed yet
    callbacks[0]()
    assert insights_stamp() > stamp


def test_the_other_filters_and_figures_are_cached_apart(small):
    from dataclasses import replace

    london = replace(RANGE, site="London")
    assert cached_program_insights(small.program, london, NOW)["funnel"]["steps"][0]["count"] == 2
    assert _asked(small.program) == 4
    alone = cached_program_insights(small.program, london, NOW, only="events")
    assert alone == {"events": program_insights(small.program, london, NOW)["events"]}


def test_a_write_to_a_table_the_figures_do_not_read_keeps_the_stamp(
    small, admin, django_capture_on_commit_callbacks
):
    insights_stamp()
    with django_capture_on_commit_callbacks() as callbacks:
        Notification.objects.create(user=admin, kind=Kind.values[0], text="Hi")
    assert callbacks == []
    with django_capture_on_commit_callbacks() as callbacks:
        ask(small.program, small.mentees["c"], at(7), "sql")
    assert len(callbacks) == 1


TABLE = re.compile(r'(?:FROM|JOIN)\s+"([a-z0-9_]+)"', re.I)


def test_the_figures_read_only_watched_tables(small):
    """A figure reading a table the stamp does not watch would be served stale: add the
    table to `freshness.watched_tables`."""
    with CaptureQueriesContext(connection) as ctx:
        program_insights(small.program, RANGE, NOW)
        program_insights(
            small.program, RANGE.__class__(RANGE.start, RANGE.end, "London", small.pool.pk), NOW
        )
    read = {t for q in ctx.captured_queries for t in TABLE.findall(q["sql"])}
    assert read and read <= watched_tables(), read - watched_tables()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_write_outside_a_transaction_moves_the_stamp_after_its_statement(program):
    """Autocommit: the stamp is written before the next statement, not inside the write's
    own (on SQLite, a write inside an INSERT ... RETURNING cut it short and the rows that
    followed broke their foreign keys)."""
    s = small_program(program)  # row by row, each save its own transaction
    small_events(s)
    assert _asked(program) == 4
    stamp = insights_stamp()
    ask(program, s.mentees["c"], at(7), "sql")
    assert insights_stamp() > stamp
    assert _asked(program) == 5

"""The insights' cache and its change stamps (pairup.insights.freshness): each figure is
counted once and read back, any write to a table it reads, however it is made, shows on the
next view, and a write to a table it does not read leaves it cached."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import timedelta

import pytest
from django.contrib.auth.models import update_last_login
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pairup.accounts.models import Expertise, Profile, User
from pairup.asks.models import Ask, AskStatus, Engagement, Invitation, InvitationStatus, ThankYou
from pairup.events.models import ConversationRating, Seat
from pairup.insights import alerts
from pairup.insights import figures as figures_module
from pairup.insights.figures import (
    FIGURES,
    cached_program_insights,
    figure_reads,
    program_insights,
)
from pairup.insights.freshness import STAMP_PREFIX, insights_stamps, watched_tables
from pairup.insights.reads import ALERT_READS
from pairup.notifications.models import Kind, Notification
from pairup.programs.models import Membership
from pairup.sessions.models import Session, SessionFeedback, SessionStatus
from pairup.topics.models import Topic

from .alert_builders import alert_program
from .builders import NOW, RANGE, ask, at, small_events, small_program

ASKS = Ask._meta.db_table
SESSIONS = Session._meta.db_table

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


def test_the_stamps_of_the_tables_written_move_once_the_transaction_commits(
    small, django_capture_on_commit_callbacks
):
    before = insights_stamps([ASKS, SESSIONS])
    with django_capture_on_commit_callbacks() as callbacks:
        ask(small.program, small.mentees["c"], at(7), "sql")
        ask(small.program, small.mentees["c"], at(8), "sql")
    assert len(callbacks) == 1  # once per transaction, however many writes
    assert insights_stamps([ASKS, SESSIONS]) == before  # not committed yet
    callbacks[0]()
    after = insights_stamps([ASKS, SESSIONS])
    assert after[ASKS] > before[ASKS]
    assert after[SESSIONS] == before[SESSIONS]  # not written


def test_the_other_filters_and_figures_are_cached_apart(small):
    london = replace(RANGE, site="London")
    assert cached_program_insights(small.program, london, NOW)["funnel"]["steps"][0]["count"] == 2
    assert _asked(small.program) == 4
    alone = cached_program_insights(small.program, london, NOW, only="events")
    assert alone == {"events": program_insights(small.program, london, NOW)["events"]}


def test_a_write_to_a_table_the_figures_do_not_read_keeps_the_stamp(
    small, admin, django_capture_on_commit_callbacks
):
    insights_stamps([ASKS])
    with django_capture_on_commit_callbacks() as callbacks:
        Notification.objects.create(user=admin, kind=Kind.values[0], text="Hi")
    assert callbacks == []
    with django_capture_on_commit_callbacks() as callbacks:
        ask(small.program, small.mentees["c"], at(7), "sql")
    assert len(callbacks) == 1


TABLE = re.compile(r'(?:FROM|JOIN)\s+"([a-z0-9_]+)"', re.I)


@pytest.mark.parametrize("name", list(FIGURES))
def test_each_figure_reads_only_the_tables_it_says(small, name):
    """A figure reading a table missing from its `READS` would be served stale after a
    write to that table: add the table to `pairup.insights.reads.READS` (or, read for a
    filter, to `FILTER_READS`)."""
    for filters in (
        RANGE,
        replace(RANGE, site="London"),
        replace(RANGE, pool=small.pool.pk),
        replace(RANGE, site="London", pool=small.pool.pk),
    ):
        with CaptureQueriesContext(connection) as ctx:
            program_insights(small.program, filters, NOW, only=name)
        read = {t for q in ctx.captured_queries for t in TABLE.findall(q["sql"])}
        assert read, name
        assert read <= figure_reads(name, filters), (name, read - figure_reads(name, filters))
        assert read <= watched_tables()


def _e1(s):
    """A's engagement with M1: completed, thanked, its session held."""
    return Engagement.objects.get(ask__mentee=s.mentees["a"], created_at=at(5, 12))


def _e2(s):
    """B's engagement with M2: active, not thanked."""
    return Engagement.objects.get(ask__mentee=s.mentees["b"])


@pytest.fixture
def counted(monkeypatch):
    """How many times each figure was counted from the tables (not read from the cache)."""
    calls: Counter[str] = Counter()
    for name, fn in list(FIGURES.items()):

        def counting(scope, name=name, fn=fn):
            calls[name] += 1
            return fn(scope)

        monkeypatch.setitem(figures_module.FIGURES, name, counting)
    return calls


def test_a_write_counts_again_only_the_figures_that_read_its_table(
    small, counted, django_capture_on_commit_callbacks
):
    first = cached_program_insights(small.program, RANGE, NOW)
    assert counted == Counter(list(FIGURES))  # each once
    counted.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ThankYou.objects.create(engagement=_e2(small), body="Thanks", created_at=at(9))
    after = cached_program_insights(small.program, RANGE, NOW)
    assert set(counted) == {"thanks"}  # the only figure that reads the thanks
    assert after["thanks"]["sent"] == first["thanks"]["sent"] + 1
    assert after == program_insights(small.program, RANGE, NOW)
    counted.clear()
    with django_capture_on_commit_callbacks(execute=True):
        Session.objects.filter(engagement=_e1(small)).update(status=SessionStatus.NO_SHOW_MENTOR)
    cached_program_insights(small.program, RANGE, NOW)
    assert set(counted) == {n for n in FIGURES if SESSIONS in figure_reads(n, RANGE)}
    assert {"funnel", "sessions", "mentor_load", "ratings"} <= set(counted)


# One write per figure, to a table it reads, that changes it (with the filters it needs).
WRITES = {
    "funnel": lambda s: ask(s.program, s.mentees["c"], at(7), "sql"),
    "response_times": lambda s: Invitation.objects.filter(status="expired").update(
        status="declined", responded_at=at(12, 6)
    ),
    "sessions": lambda s: Session.objects.filter(engagement=_e1(s)).update(
        status=SessionStatus.NO_SHOW_MENTEE
    ),
    "ratings": lambda s: SessionFeedback.objects.filter(rating=5).update(rating=1),
    "mentor_load": lambda s: Session.objects.filter(engagement=_e1(s)).update(
        status=SessionStatus.CANCELLED
    ),
    "cross_site": lambda s: Profile.objects.filter(user=s.london_mentor).update(site="Tokyo"),
    "topics": lambda s: Expertise.objects.create(
        profile=s.idle_mentor.profile, topic=Topic.objects.get(slug="sql")
    ),
    "thanks": lambda s: ThankYou.objects.create(engagement=_e2(s), body="Thanks", created_at=at(9)),
    "events": lambda s: ConversationRating.objects.filter(rating=5).update(rating=2),
}


@pytest.mark.parametrize("name", list(FIGURES))
def test_a_write_that_changes_a_figure_shows_on_the_next_view(
    small, name, django_capture_on_commit_callbacks
):
    before = cached_program_insights(small.program, RANGE, NOW, only=name)
    with django_capture_on_commit_callbacks(execute=True):
        WRITES[name](small)
    fresh = program_insights(small.program, RANGE, NOW, only=name)
    assert fresh != before  # the write changes the figure...
    assert cached_program_insights(small.program, RANGE, NOW, only=name) == fresh  # ...seen


def _to_london(s):
    # Paris mentee C moves to London: the London figures count her ask.
    Profile.objects.filter(user=s.mentees["c"]).update(site="London")


def _into_the_pool(s):
    Membership.objects.get(program=s.program, user=s.mentees["b"]).pools.add(s.pool)


@pytest.mark.parametrize("write", [_to_london, _into_the_pool])
def test_a_write_that_changes_who_the_filters_choose_shows_on_the_next_view(
    small, write, django_capture_on_commit_callbacks
):
    filters = {
        _to_london: replace(RANGE, site="London"),
        _into_the_pool: replace(RANGE, pool=small.pool.pk),
    }[write]
    before = cached_program_insights(small.program, filters, NOW)
    with django_capture_on_commit_callbacks(execute=True):
        write(small)
    fresh = program_insights(small.program, filters, NOW)
    assert fresh["funnel"] != before["funnel"]
    assert cached_program_insights(small.program, filters, NOW) == fresh


def test_signing_in_moves_no_stamp_and_no_figure_reads_the_sign_in_time(
    small, django_capture_on_commit_callbacks
):
    user = small.mentees["a"]
    insights_stamps([])  # the writes before were this transaction's: a new one starts here
    with django_capture_on_commit_callbacks() as callbacks:
        update_last_login(None, user)
    assert callbacks == []
    # Another column in the same statement is a change.
    with django_capture_on_commit_callbacks() as callbacks:
        User.objects.filter(pk=user.pk).update(last_login=NOW, is_active=False)
    assert len(callbacks) == 1
    with CaptureQueriesContext(connection) as ctx:
        program_insights(small.program, RANGE, NOW)
        program_insights(small.program, replace(RANGE, site="London", pool=small.pool.pk), NOW)
    assert not any("last_login" in q["sql"] for q in ctx.captured_queries)


def test_a_stamp_the_cache_lost_is_made_anew_never_reused(small, counted):
    cached_program_insights(small.program, RANGE, NOW)
    old = insights_stamps([ASKS])[ASKS]
    cache.delete(STAMP_PREFIX + ASKS)
    counted.clear()
    new = insights_stamps([ASKS])[ASKS]
    assert new > old
    cached_program_insights(small.program, RANGE, NOW)
    assert set(counted) == {n for n in FIGURES if ASKS in figure_reads(n, RANGE)}


def test_a_seat_write_changes_the_events_not_the_funnel(
    small, counted, django_capture_on_commit_callbacks
):
    cached_program_insights(small.program, RANGE, NOW)
    counted.clear()
    with django_capture_on_commit_callbacks(execute=True):
        Seat.objects.filter(round=1).delete()
    cached_program_insights(small.program, RANGE, NOW)
    assert set(counted) == {"events"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_write_outside_a_transaction_moves_the_stamp_after_its_statement(program):
    """Autocommit: the stamp is written before the next statement, not inside the write's
    own (on SQLite, a write inside an INSERT ... RETURNING cut it short and the rows that
    followed broke their foreign keys)."""
    s = small_program(program)  # row by row, each save its own transaction
    small_events(s)
    assert _asked(program) == 4
    stamp = insights_stamps([ASKS])[ASKS]
    ask(program, s.mentees["c"], at(7), "sql")
    assert insights_stamps([ASKS])[ASKS] > stamp
    assert _asked(program) == 5


# ------------------------------------------------------------------------------- the alerts


def test_the_alerts_read_only_the_tables_they_say(program):
    ap = alert_program(program)
    for find in alerts.ALERTS.values():
        with CaptureQueriesContext(connection) as ctx:
            find(ap.program, NOW)
        read = {t for q in ctx.captured_queries for t in TABLE.findall(q["sql"])}
        assert read <= ALERT_READS, (find.__name__, read - ALERT_READS)


def test_the_dashboards_alerts_are_cached_until_a_write_changes_them(
    program, django_capture_on_commit_callbacks
):
    ap = alert_program(program)
    fresh = alerts.program_alerts(ap.program, NOW)
    assert alerts.cached_program_alerts(ap.program, NOW) == fresh
    with CaptureQueriesContext(connection) as ctx:
        assert alerts.cached_program_alerts(ap.program, NOW) == fresh
    assert len(ctx.captured_queries) == 2  # the stamps and the entry
    # Pat's expiring invitations are answered: that alert goes on the next view.
    with django_capture_on_commit_callbacks(execute=True):
        Invitation.objects.filter(mentor=ap.pat, status=InvitationStatus.EXPIRED).update(
            status=InvitationStatus.DECLINED, responded_at=NOW
        )
    after = alerts.program_alerts(ap.program, NOW)
    assert len(after) == len(fresh) - 1
    assert alerts.cached_program_alerts(ap.program, NOW) == after
    # A quarter hour later they are counted again (they are about now).
    later = NOW + timedelta(minutes=15)
    assert alerts.cached_program_alerts(ap.program, later) == alerts.program_alerts(
        ap.program, later
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_cache_that_refuses_the_stamp_fails_no_commit_and_drops_no_later_callback(
    program, monkeypatch
):
    """The stamp is written after commit; a cache that is down (Redis gone) must not turn
    the committed request into an error, nor drop the on-commit work after it (emails)."""
    from django.db import transaction

    def refused(*args, **kwargs):
        raise ConnectionError("the cache is down")

    monkeypatch.setattr(cache, "set_many", refused)
    later: list[str] = []
    with transaction.atomic():
        Profile.objects.filter(user__memberships__program=program).update(headline="Edited")
        transaction.on_commit(lambda: later.append("email sent"))
    assert later == ["email sent"]


def test_the_database_cache_holds_the_figures_and_their_stamps():
    """Django's default of 300 entries would cull them within minutes on a busy site."""
    from django.conf import settings

    options = settings.CACHES["default"].get("OPTIONS", {})
    if settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache"):
        assert options.get("MAX_ENTRIES", 300) >= 10_000

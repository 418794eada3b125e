"""The weekly admin email and the monthly report email: sent by cron commands, once per
program and period however often they run (or two at once), and each alert fires once."""

from __future__ import annotations

import io
import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from pairup.insights.digests import Week, insights_weekly_send
from pairup.insights.models import Digest, DigestKind
from pairup.notifications.models import Kind, Notification
from pairup.programs.models import Membership
from tests.factories import UserFactory

from .alert_builders import alert_program, expired
from .builders import NOW, small_program
from .builders import ask as make_ask

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_admin(program):
    user = UserFactory(email="admin2@example.org", profile_fields={"display_name": "Bo Admin"})
    Membership.objects.create(program=program, user=user, is_admin=True, is_mentee=True)
    return user


def _weekly(program, now, capture, mailoutbox) -> tuple[bool, list]:
    before = len(mailoutbox)
    with capture(execute=True):
        sent = insights_weekly_send(program=program, now=now)
    return sent, mailoutbox[before:]


def test_the_week_is_the_last_whole_iso_week():
    week = Week.before(NOW)  # Tuesday 20 January 2026
    assert (str(week), week.start, week.end) == (
        "2026-W03",
        datetime(2026, 1, 12, tzinfo=UTC),
        datetime(2026, 1, 19, tzinfo=UTC),
    )
    assert str(Week.before(datetime(2026, 1, 19, 6, tzinfo=UTC))) == "2026-W03"  # Monday
    assert str(Week.before(datetime(2026, 1, 1, tzinfo=UTC))) == "2025-W52"


def test_the_weekly_command_emails_each_admin_once_however_often_it_runs(
    program, admin, second_admin, outsider, mentee, django_capture_on_commit_callbacks, mailoutbox
):
    ap = alert_program(program)
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        call_command("send_insights_weekly", stdout=out)
        call_command("send_insights_weekly", stdout=out)
    # Acme's two admins, and Globex's (the outsider admins it): one email each, once.
    assert sorted(m.to[0] for m in mailoutbox) == [
        "admin2@example.org",
        "admin@example.org",
        "outsider@example.org",
    ]
    assert out.getvalue().splitlines() == [
        "Sent the weekly insights of 2 programs.",
        "Sent the weekly insights of 0 programs.",
    ]
    assert Digest.objects.filter(kind=DigestKind.WEEKLY, period="2026-W03").count() == 2
    acme = next(m for m in mailoutbox if m.to == ["admin@example.org"])
    assert acme.subject == "[PairUp] Acme Mentoring, week 2026-W03: 7 new health alerts"
    assert "New health alerts (7)" in acme.body
    assert "Mentors whose invitations keep expiring\n- 2 invitations to" in acme.body
    pat = Membership.objects.get(program=program, user=ap.pat)
    assert f"Pause as a mentor: {settings.SITE_URL}/p/acme/members/{pat.pk}/\n" in acme.body
    assert "- Asks made: " in acme.body and "Open it in PairUp: " in acme.body
    globex = next(m for m in mailoutbox if m.to == ["outsider@example.org"])
    assert "No new health alerts this week." in globex.body
    assert "Acme" not in globex.body  # nothing crosses program borders
    assert Notification.objects.filter(user=admin, kind=Kind.INSIGHTS_WEEKLY).count() == 1
    assert not Notification.objects.filter(user=mentee).exists()


def test_an_alert_fires_once_and_again_only_when_it_changes(
    program, admin, django_capture_on_commit_callbacks, mailoutbox
):
    ap = alert_program(program)
    # Week 3: every alert is news.
    sent, mails = _weekly(program, NOW, django_capture_on_commit_callbacks, mailoutbox)
    assert sent and "New health alerts (7)" in mails[0].body
    first = Digest.objects.get(period="2026-W03").alerts
    assert len(first) == 7 and first[f"invitations_expiring:mentor:{ap.pat.pk}"]

    # Week 4, nothing changed but the day-old ask, which now waits past the window: only it
    # is news; the seven others are counted, not repeated.
    sent, mails = _weekly(
        program, NOW + timedelta(days=7), django_capture_on_commit_callbacks, mailoutbox
    )
    body = mails[0].body
    assert mails[0].subject.endswith("week 2026-W04: 1 new health alert")
    assert "New health alerts (1)" in body and f"Ask #{ap.fresh.pk} by" in body
    assert f"Ask #{ap.board.pk} by" not in body and "invitations to" not in body
    assert "7 alerts from earlier emails are still open, unchanged" in body

    # Week 5 (February): one more of Pat's invitations expired, so his alert changed: news
    # again. Olga's January cap no longer binds and SQL has room again: both cleared.
    a = ap.waiting
    extra = make_ask(program, ap.fay, NOW + timedelta(days=6), "sql", "engaged")
    expired(extra, ap.pat, NOW + timedelta(days=8))
    sent, mails = _weekly(
        program, NOW + timedelta(days=14), django_capture_on_commit_callbacks, mailoutbox
    )
    body = mails[0].body
    assert "New health alerts (1)" in body
    assert f"3 invitations to {ap.pat.display_name} expired" in body
    week5 = Digest.objects.get(period="2026-W05").alerts
    assert f"over_cap:mentor:{ap.olga.pk}" not in week5 and "topic_no_supply:topic:sql" not in week5
    assert f"ask_waiting:ask:{a.pk}" in week5

    # Week 6: Olga's cap goes to 0, so SQL has no free mentor again: that alert had cleared,
    # so it is news again (Olga herself is at her cap, not over it: no alert).
    Membership.objects.filter(program=program, user=ap.olga).update(monthly_cap=0)
    sent, mails = _weekly(
        program, NOW + timedelta(days=21), django_capture_on_commit_callbacks, mailoutbox
    )
    assert "New health alerts (1)" in mails[0].body
    assert "- 1 open ask on SQL, and its one mentor has no room under the caps." in mails[0].body
    assert f"{ap.olga.display_name} has " not in mails[0].body


def test_the_dashboard_marks_as_new_only_what_no_weekly_email_told(
    client, program, admin, django_capture_on_commit_callbacks, mailoutbox
):
    alert_program(program)
    _weekly(program, NOW, django_capture_on_commit_callbacks, mailoutbox)
    client.force_login(admin)
    with time_machine.travel(NOW + timedelta(days=7), tick=False):
        html = client.get("/p/acme/insights/").content.decode()
    assert html.count('<li><span class="alert-new">New</span> ') == 1


def test_a_program_without_admins_gets_no_email(program, mentee, mailoutbox):
    assert insights_weekly_send(program=program, now=NOW) is False
    assert not Digest.objects.exists()


def test_the_monthly_command_sends_last_months_report_once_with_its_pdf(
    program, admin, django_capture_on_commit_callbacks, mailoutbox
):
    small_program(program)
    out = io.StringIO()
    first_of_feb = datetime(2026, 2, 1, 6, tzinfo=UTC)
    with (
        time_machine.travel(first_of_feb, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("send_insights_monthly", stdout=out)
        call_command("send_insights_monthly", stdout=out)
    assert out.getvalue().splitlines() == [
        "Sent the 2026-01 insights report of 1 program.",
        "Sent the 2026-01 insights report of 0 programs.",
    ]
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.subject == "[PairUp] Acme Mentoring: the insights report for January 2026"
    assert "- Asks made: 4; matched: 2; completed: 1" in mail.body
    assert "/p/acme/insights/report/2026-01/" in mail.body
    [(name, content, mimetype)] = mail.attachments
    assert (name, mimetype) == ("acme-report-2026-01.pdf", "application/pdf")
    assert content.startswith(b"%PDF")
    assert Digest.objects.get(kind=DigestKind.MONTHLY).period == "2026-01"


def test_the_monthly_command_refuses_a_bad_month(program, admin):
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(CommandError, match="--month: “2026-13” is not a month") as exc:
            call_command("send_insights_monthly", "--month", "2026-13")
        assert exc.value.returncode == 2
        with pytest.raises(CommandError, match="no report for 2026-02"):
            call_command("send_insights_monthly", "--month", "2026-02")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_weekly_runs_at_once_send_one_email(program, admin, mailoutbox):
    results: list[bool] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        try:
            barrier.wait()
            results.append(insights_weekly_send(program=program, now=NOW))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, True]
    assert Digest.objects.filter(program=program).count() == 1
    assert len(mailoutbox) == 1

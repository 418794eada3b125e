"""The insights emails to each program's admins, sent by cron: the weekly health alerts with
a few headline figures (`pairup send-insights-weekly`), and the monthly report
(`pairup send-insights-monthly`, on the first of the month, about the month just ended).

Never twice for one period: a `Digest` row per (program, kind, period) is written in the
same transaction as the notices it sends, and its unique constraint turns a second run, or
two runs at once, into nothing sent (the pattern of `pairup send-reminders`). Emails are
queued after commit, so a run that fails half-way sends nothing.

Alerts fire once. The weekly email keeps every alert open when it went out, with its
fingerprint (`alerts.Alert`). An alert is *news* when the last weekly email of the program
did not have it open with the same fingerprint: it is new, or it changed while open (its
fingerprint: e.g. a mentor over the cap in a new month, one more invitation expired), or it
had cleared by that email and came back. The email lists the news in full and only counts
the alerts still open from before; the dashboard shows them all, marking the news.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from pairup.accounts.models import User
from pairup.notifications.models import Kind
from pairup.notifications.services import Attachment, notify
from pairup.programs.models import Program

from .alerts import Alert, by_kind, program_alerts
from .figures import FIGURES, InsightsFilters, Scope
from .figures.db import analytic_reads
from .models import Digest, DigestKind
from .report import Month, monthly_report, pdf_available, report_pdf

HEADLINE_FIGURES = ("funnel", "response_times", "sessions", "ratings")


@dataclass(frozen=True)
class Week:
    """An ISO week: Monday 00:00 UTC to the next Monday."""

    start: datetime

    @classmethod
    def before(cls, now: datetime) -> Week:
        """The last whole week before `now` (on a Monday: the week that just ended)."""
        day = datetime.combine(now.astimezone(UTC).date(), datetime.min.time(), tzinfo=UTC)
        this_monday = day - timedelta(days=day.weekday())
        return cls(this_monday - timedelta(days=7))

    @property
    def end(self) -> datetime:
        return self.start + timedelta(days=7)

    def __str__(self) -> str:
        year, week, _ = self.start.isocalendar()
        return f"{year}-W{week:02d}"

    def filters(self) -> InsightsFilters:
        return InsightsFilters(start=self.start, end=self.end)


def admins_of(program: Program) -> list[User]:
    """The program's admins with active accounts, who get its insights emails."""
    return list(
        User.objects.filter(
            memberships__program=program, memberships__is_admin=True, is_active=True
        ).order_by("pk")
    )


def programs_with_admins() -> Iterable[Program]:
    return Program.objects.filter(
        memberships__is_admin=True, memberships__user__is_active=True
    ).distinct()


def last_weekly_alerts(program: Program, *, before: str = "") -> dict[str, str] | None:
    """{alert ident: fingerprint} of the alerts open at the program's last weekly email
    (None: none went out yet); `before` leaves out the week being sent."""
    last = (
        Digest.objects.filter(program=program, kind=DigestKind.WEEKLY)
        .exclude(period=before)
        .order_by("-sent_at", "-pk")
        .only("alerts")
        .first()
    )
    return None if last is None else dict(last.alerts)


def is_news(alert: Alert, emailed: dict[str, str] | None) -> bool:
    """The one definition of "an alert fires once": news unless the last weekly email had it
    open with the same fingerprint."""
    return emailed is None or emailed.get(alert.ident) != alert.fingerprint


def alerts_news(
    program: Program, alerts: list[Alert], *, before: str = ""
) -> tuple[list[Alert], list[Alert]]:
    """The alerts split into (news, still open from an earlier email); `before`: as
    `last_weekly_alerts`."""
    emailed = last_weekly_alerts(program, before=before)
    news = [a for a in alerts if is_news(a, emailed)]
    return news, [a for a in alerts if not is_news(a, emailed)]


def headline_figures(program: Program, filters: InsightsFilters, now: datetime) -> dict[str, Any]:
    """The few figures an email leads with, over `filters`' range (the dashboard's own)."""
    scope = Scope(program=program, filters=filters, now=now)
    with analytic_reads():
        return {name: FIGURES[name](scope) for name in HEADLINE_FIGURES}


def _send_once(
    *,
    program: Program,
    kind: str,
    period: str,
    now: datetime,
    compose: Callable[[], tuple[dict[str, str], Callable[[User], None]]],
) -> bool:
    """Claim (program, kind, period) and send to each admin, in one transaction; False when
    it went out already (now, or in a concurrent run that got there first) or the program
    has no admin. `compose` returns the alerts to remember and the sending of one email."""
    admins = admins_of(program)
    if not admins or Digest.objects.filter(program=program, kind=kind, period=period).exists():
        return False
    try:
        with transaction.atomic():
            # The claim first: a concurrent run waits on this row's unique key, then fails.
            digest = Digest.objects.create(
                program=program, kind=kind, period=period, sent_at=now, recipients=len(admins)
            )
            alerts, send = compose()
            for admin in admins:
                send(admin)
            if alerts:
                digest.alerts = alerts
                digest.save(update_fields=["alerts"])
    except IntegrityError:
        return False
    return True


def insights_weekly_send(*, program: Program, now: datetime | None = None) -> bool:
    """Email the program's admins the health alerts open now, the news in full, with the
    headline figures of the last whole ISO week; once per program and week. Side effects: a
    `Digest` row; a notice and an email to each admin (after commit)."""
    now = now or timezone.now()
    week = Week.before(now)
    url = reverse("insights_dashboard", args=[program.slug])

    def compose() -> tuple[dict[str, str], Callable[[User], None]]:
        alerts = program_alerts(program, now)
        news, still = alerts_news(program, alerts, before=str(week))
        figures = headline_figures(program, week.filters(), now)
        body = render_to_string(
            "insights/email/weekly.txt",
            {
                "program": program,
                "week": week,
                "last_day": week.end - timedelta(days=1),
                "news": by_kind(news),
                "news_count": len(news),
                "still_count": len(still),
                "f": figures,
                "site_url": settings.SITE_URL,
            },
        ).strip()
        if news:
            text = f"{program.name}, week {week}: {len(news)} new health alert" + (
                "" if len(news) == 1 else "s"
            )
        else:
            text = f"{program.name}, week {week}: no new health alerts"

        def send(admin: User) -> None:
            notify(user=admin, kind=Kind.INSIGHTS_WEEKLY, text=text, url=url, email_body=body)

        return {a.ident: a.fingerprint for a in alerts}, send

    return _send_once(
        program=program, kind=DigestKind.WEEKLY, period=str(week), now=now, compose=compose
    )


def insights_monthly_send(
    *, program: Program, month: Month | None = None, now: datetime | None = None
) -> bool:
    """Email the program's admins the report of `month` (default: the month before `now`'s),
    its PDF attached when WeasyPrint is installed; once per program and month. Side effects:
    a `Digest` row; a notice and an email to each admin (after commit)."""
    now = now or timezone.now()
    month = month or Month.of(now).previous()
    url = reverse("insights_report", args=[program.slug, str(month)])

    def compose() -> tuple[dict[str, str], Callable[[User], None]]:
        context = monthly_report(program, month, now)
        attachment = None
        if pdf_available():
            pdf = report_pdf(context, base_url=settings.SITE_URL)
            attachment = Attachment(f"{program.slug}-report-{month}.pdf", pdf, "application/pdf")
        body = render_to_string(
            "insights/email/monthly.txt",
            {**context, "site_url": settings.SITE_URL, "attached": attachment is not None},
        ).strip()
        text = f"{program.name}: the insights report for {month.label}"

        def send(admin: User) -> None:
            notify(
                user=admin,
                kind=Kind.INSIGHTS_MONTHLY,
                text=text,
                url=url,
                email_body=body,
                attachment=attachment,
            )

        return {}, send

    return _send_once(
        program=program, kind=DigestKind.MONTHLY, period=str(month), now=now, compose=compose
    )


def insights_weekly_send_all(now: datetime | None = None) -> int:
    """`insights_weekly_send` for every program with an admin; how many programs got it."""
    now = now or timezone.now()
    return sum(insights_weekly_send(program=p, now=now) for p in programs_with_admins())


def insights_monthly_send_all(now: datetime | None = None, month: Month | None = None) -> int:
    """`insights_monthly_send` for every program with an admin; how many programs got it."""
    now = now or timezone.now()
    return sum(
        insights_monthly_send(program=p, month=month, now=now) for p in programs_with_admins()
    )

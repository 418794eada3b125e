"""`pairup send-insights-monthly` (cron, on the first of the month): email each program's
admins the report of the month just ended, its PDF attached where WeasyPrint runs.
Idempotent: each program gets one report per month, however often it runs, and two runs at
once send one (`pairup.insights.digests`). `--month YYYY-MM` sends an earlier month's report
that never went out (a missed run); one already sent is never sent again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from pairup.insights.digests import insights_monthly_send_all
from pairup.insights.report import BadMonth, Month


class Command(BaseCommand):
    help = "Email each program's admins last month's insights report (once a month)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--month", default="", help="YYYY-MM (default: the month before this one, UTC)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        month = None
        if options["month"]:
            try:
                month = Month.parse(options["month"], now)
            except BadMonth as exc:
                raise CommandError(f"--month: {exc}", returncode=2) from None
        count = insights_monthly_send_all(now, month)
        chosen = month or Month.of(now).previous()
        noun = "program" if count == 1 else "programs"
        self.stdout.write(f"Sent the {chosen} insights report of {count} {noun}.")

"""`pairup send-insights-weekly` (cron, Monday morning): email each program's admins the
health alerts open now (those that are news in full) and the last whole ISO week's headline
figures. Idempotent: each program gets one email per ISO week, however often it runs, and
two runs at once send one (`pairup.insights.digests`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from pairup.insights.digests import insights_weekly_send_all


class Command(BaseCommand):
    help = "Email each program's admins the week's health alerts and figures (once a week)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = insights_weekly_send_all()
        self.stdout.write(
            f"Sent the weekly insights of {count} program{'' if count == 1 else 's'}."
        )

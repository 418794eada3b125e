"""`pairup send_reminders` (cron, every 5 minutes or so): send the 24 h and 1 h session
reminders and the feedback request that are due and still within their grace period.
Idempotent: each (session, kind, start) goes out once, so running it often, or next to a
worker that sends deferred reminders, never sends one twice."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from pairup.sessions.tasks import reminders_due


class Command(BaseCommand):
    help = "Send session reminders and feedback requests that are due now."

    def handle(self, *args: Any, **options: Any) -> None:
        count = reminders_due()
        self.stdout.write(f"Sent {count} reminder{'' if count == 1 else 's'}.")

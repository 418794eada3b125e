"""`pairup close-buddy-threads` (cron): close the buddy threads of conferences that are
over (read-only from then) and send each member the thank-you prompt. Idempotent: a second
run finds nothing to do; two runs at once close each thread once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from pairup.events.buddies.services import buddy_threads_close


class Command(BaseCommand):
    help = "Close the buddy threads of conferences that are over and prompt a thank-you."

    def handle(self, *args: Any, **options: Any) -> None:
        count = buddy_threads_close()
        noun = "thread" if count == 1 else "threads"
        self.stdout.write(f"Closed {count} buddy {noun}.")

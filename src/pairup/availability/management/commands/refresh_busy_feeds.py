"""`pairup refresh_busy_feeds` (cron, e.g. every 15 minutes): read every mentor's private
busy feed and replace their busy times. A feed that cannot be read keeps its old busy
times; its error is stored for the mentor to see. Exit status 0 either way, since one
mentor's broken calendar is not the operator's failure."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from pairup.availability.feeds import busy_feeds_refresh


class Command(BaseCommand):
    help = "Read mentors' private calendar feeds and subtract their busy times from slots."

    def handle(self, *args: Any, **options: Any) -> None:
        refreshed, failed = busy_feeds_refresh()
        noun = "busy feed" if refreshed == 1 else "busy feeds"
        line = f"Refreshed {refreshed} {noun}"
        self.stdout.write(line + (f"; {failed} could not be read." if failed else "."))

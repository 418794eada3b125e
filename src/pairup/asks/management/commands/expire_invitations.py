"""`pairup expire_invitations` (cron): expire invitations past their response window and
re-route each ask to the next suggested mentor. Idempotent: a second run finds nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from pairup.asks.services import invitations_expire


class Command(BaseCommand):
    help = "Expire invitations past their response window and invite the next mentor."

    def handle(self, *args: Any, **options: Any) -> None:
        count = invitations_expire()
        noun = "invitation" if count == 1 else "invitations"
        self.stdout.write(f"Expired {count} {noun}.")

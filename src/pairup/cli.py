"""The `pairup` command.

Engine commands (recommend, match, rotate, tables, buddies) run without Django so they start
fast and work on plain files; everything else goes through Django's management commands
(`pairup serve`, `pairup demo`, `pairup migrate`, ...).
"""

from __future__ import annotations

import os
import sys

ENGINE_COMMANDS = {"recommend", "match", "rotate", "tables", "buddies"}
# Friendlier names for Django management commands.
ALIASES = {
    "expire-invitations": "expire_invitations",
    "send-reminders": "send_reminders",
    "refresh-busy-feeds": "refresh_busy_feeds",
    "worker": "db_worker",
    "match-cohort": "match_cohort",
    "import-roster": "import_roster",
    "close-buddy-threads": "close_buddy_threads",
    "send-insights-weekly": "send_insights_weekly",
    "send-insights-monthly": "send_insights_monthly",
}
# These work without settings (Django lists the core commands and says what is wrong).
HELP = {"help", "--help", "-h", "version", "--version"}


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ENGINE_COMMANDS:
        from pairup.engine.cli import main as engine_main

        return engine_main(args)
    if args and args[0] in ALIASES:
        args[0] = ALIASES[args[0]]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pairup.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    if not args or args[0] not in HELP:
        # Settings refuse to load when production lacks something it needs (SECRET_KEY,
        # ALLOWED_HOSTS, SITE_URL, a readable value): say which, in one line, and stop
        # before any command runs, instead of a traceback or Django's "Unknown command".
        try:
            settings.INSTALLED_APPS  # noqa: B018 (loads the settings module)
        except ImproperlyConfigured as exc:
            print(f"pairup: {exc}", file=sys.stderr)
            return 2

    if args and args[0] in HELP:
        execute_from_command_line(["pairup", *args])
        return 0
    from pairup.core.channel import COMMAND_LINE, channel

    # What a command does in a program is recorded as done from the command line (the
    # server's requests say "web" or "api" for themselves).
    with channel(COMMAND_LINE):
        execute_from_command_line(["pairup", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`pairup event schedule EVENT [--publish] [--json]`: an event's schedule from a terminal, as
the operator (the audit log says "command line").

Solves the schedule of the event (EVENT is its slug) from its registrations and stores it as
the draft, through the same service as the organisers' page (around the draft's locked
seats); with --publish the draft is then published and everyone registered is sent their
agenda, all or nothing. Prints the preview's figures; with --json the last line is them as
JSON: {"meetings", "repeats", "sitouts_min", "sitouts_max", "mentor_load", "relevance",
"relevance_vs_optimum", "unmatched", ...}. A progress bar shows on a terminal (stderr) and
stays quiet when piped. An unknown event, or one that is not scheduled in rounds (conference
buddies), exits 2; a refused publication exits 1 and leaves the draft for review.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pairup.core.errors import ServiceError
from pairup.events.models import Event
from pairup.events.services_schedule import (
    SCHEDULED_KINDS,
    event_schedule_publish,
    event_schedule_solve,
)


class _Bar:
    """A tqdm bar over 0-100 % on stderr when it is a terminal; nothing otherwise."""

    def __init__(self) -> None:
        self.bar: Any = None
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=100, file=sys.stderr, leave=False, unit="%")

    def __call__(self, stage: str, percent: int) -> None:
        if self.bar is not None:
            self.bar.set_description(stage)
            self.bar.update(max(0, percent - self.bar.n))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f} %"


class Command(BaseCommand):
    help = "Events from the command line: `pairup event schedule EVENT [--publish] [--json]`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        schedule = sub.add_parser(
            "schedule",
            help="solve an event's schedule as a draft (and publish it with --publish)",
            description="Solve the event's schedule and store it as the draft; print its figures.",
        )
        schedule.add_argument("event", help="the event's slug")
        schedule.add_argument(
            "--publish", action="store_true", help="publish it: everyone is sent their agenda"
        )
        schedule.add_argument("--json", action="store_true", help="end with the figures as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "schedule":
            self._schedule(options)

    def _schedule(self, options: dict[str, Any]) -> None:
        event = Event.objects.select_related("program").filter(slug=options["event"]).first()
        if event is None:
            raise CommandError(f"no event with the slug {options['event']!r}", returncode=2)
        if event.kind not in SCHEDULED_KINDS:
            raise CommandError(
                f"{event.slug} is a {event.get_kind_display().lower()} event: it is paired, "
                "not scheduled in rounds",
                returncode=2,
            )
        bar = _Bar()
        try:
            schedule = event_schedule_solve(event=event, by=None, report=bar)
        except ServiceError as exc:
            raise CommandError(exc.detail, returncode=2) from None
        finally:
            bar.close()
        figures = {k: v for k, v in schedule.figures.items() if k != "seconds"}
        self._print(event, figures)
        if options["publish"]:
            try:
                done = event_schedule_publish(event=event, by=None)
            except ServiceError as exc:
                if options["json"]:
                    self.stdout.write(json.dumps({**figures, "state": "draft"}, sort_keys=True))
                raise CommandError(f"{exc.detail} (the draft stays for review)") from None
            self.stdout.write(f"Published: {done.notified} people were sent their agenda.")
            state = "published"
        else:
            self.stdout.write("Stored as the draft: add --publish to send everyone their agenda.")
            state = "draft"
        if options["json"]:
            self.stdout.write(
                json.dumps({**figures, "state": state, "schedule": schedule.pk}, sort_keys=True)
            )

    def _print(self, event: Event, f: dict[str, Any]) -> None:
        load = f.get("mentor_load", {})
        self.stdout.write(
            f"{event.title} ({event.slug}): {f.get('mentees', 0)} mentees, "
            f"{f.get('mentors', 0)} mentors, {f.get('rounds', 0)} rounds"
        )
        rows = [
            ("meetings", f"{f.get('meetings', 0)}"),
            ("repeats (must be 0)", f"{f.get('repeats', 0)}"),
            ("sit-outs per mentee", f"{f.get('sitouts_min', 0)}-{f.get('sitouts_max', 0)}"),
            (
                "mentor load",
                f"{load.get('min', 0)}-{load.get('max', 0)} of {load.get('capacity', 0)}, "
                f"mean {load.get('mean', 0)}",
            ),
            ("relevance", f"{f.get('relevance', 0):.3f}"),
            ("against the optimum", _ratio(f.get("relevance_vs_optimum"))),
            ("left with nobody", f"{f.get('unmatched', 0)}"),
        ]
        width = max(len(label) for label, _ in rows)
        for label, value in rows:
            self.stdout.write(f"  {label:{width}}  {value}")
        for item in f.get("unmatched_people", [])[:50]:
            self.stdout.write(
                f"  registration {item['registration']} ({item['side']}): {item['reason']}"
            )

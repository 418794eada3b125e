"""`pairup match-cohort PROGRAM [--round NAME] [--publish] [--json]`: cohort matching from a
terminal, as the operator (the audit log says "command line").

Prints the figures of the review page: the engine's exact assignment beside the greedy
one, and the asks left unmatched with their reason. Without --publish nothing is written
(no run is stored either: the matching runs in this process). With --publish the run is
stored like one started from the page and then published, all invitations or none; if
publishing is refused, the run stays for review on the page and the command exits 1.
With --json the last line is {"engine": {...}, "greedy": {...}}. A progress bar shows on
a terminal (stderr) and stays quiet when piped. An unknown program or round exits 2.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from pairup.asks.matching.cohort import Report, load_cohort, match_cohort
from pairup.asks.models import CohortRound, ProposedPair
from pairup.asks.services.cohort import cohort_run_now, cohort_run_publish
from pairup.core.errors import ServiceError
from pairup.programs.models import Program

ROWS = [
    ("matched", "asks matched", "d"),
    ("unmatched", "asks unmatched", "d"),
    ("total", "total score", ".6f"),
    ("gini", "Gini of mentor load", ".4f"),
    ("top10_share", "share on the busiest 10 % of mentors", ".4f"),
    ("cross_site_share", "cross-site share", ".4f"),
]


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


class Command(BaseCommand):
    help = "Match a program's open asks as a cohort and print the figures (engine vs greedy)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("program", help="the program's slug")
        parser.add_argument("--round", help="the name of a sign-up round (default: every open ask)")
        parser.add_argument(
            "--publish", action="store_true", help="store the run and send the invitations"
        )
        parser.add_argument("--json", action="store_true", help="end with the figures as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        program = Program.objects.filter(slug=options["program"]).first()
        if program is None:
            raise CommandError(f"no program with the slug {options['program']!r}", returncode=2)
        round = None
        if options["round"]:
            round = CohortRound.objects.filter(program=program, name=options["round"]).first()
            if round is None:
                raise CommandError(
                    f"no sign-up round named {options['round']!r} in {program.slug}", returncode=2
                )
        bar = _Bar()
        try:
            if options["publish"]:
                figures, unmatched = self._publish(program, round, bar)
            else:
                figures, unmatched = self._dry(program, round, bar)
        finally:
            bar.close()
        self._print(program, round, figures, unmatched)
        if not options["publish"]:
            self.stdout.write("Nothing written: add --publish to store the run and invite.")
        if options["json"]:
            self.stdout.write(json.dumps(figures, sort_keys=True))

    def _dry(
        self, program: Program, round: CohortRound | None, bar: Report
    ) -> tuple[dict[str, Any], list[tuple[int, str]]]:
        cohort = load_cohort(program, timezone.now(), round=round, report=bar)
        result = match_cohort(cohort, report=bar)
        unmatched = sorted(result.why_unmatched.items())
        return result.figures_json(), unmatched

    def _publish(
        self, program: Program, round: CohortRound | None, bar: Report
    ) -> tuple[dict[str, Any], list[tuple[int, str]]]:
        try:
            run = cohort_run_now(program=program, by=None, round=round, report=bar)
        except ServiceError as exc:
            raise CommandError(exc.detail) from None
        unmatched = list(
            ProposedPair.objects.filter(run=run, mentor__isnull=True)
            .order_by("ask_id")
            .values_list("ask_id", "unmatched_reason")
        )
        try:
            invitations = cohort_run_publish(run=run, by=None)
        except ServiceError as exc:
            self._print(program, round, run.figures, unmatched)
            raise CommandError(
                f"{exc.detail} (run {run.pk} stays for review: {run.get_absolute_url()})"
            ) from None
        self.stderr.write(f"Published run {run.pk}: {len(invitations)} invitations sent.")
        return run.figures, unmatched

    def _print(
        self,
        program: Program,
        round: CohortRound | None,
        figures: dict[str, Any],
        unmatched: list[tuple[int, str]],
    ) -> None:
        engine, greedy = figures.get("engine", {}), figures.get("greedy", {})
        what = f"sign-up round {round.name!r}" if round else "all open asks"
        self.stdout.write(
            f"{program.name} ({program.slug}), {what}: {engine.get('asks', 0)} asks, "
            f"{engine.get('mentors', 0)} mentors who may take some"
        )
        width = max(len(label) for _, label, _ in ROWS)
        self.stdout.write(f"{'':{width}}  {'engine (exact)':>14}  {'greedy':>14}")
        for key, label, fmt in ROWS:
            a, b = engine.get(key, 0), greedy.get(key, 0)
            self.stdout.write(f"{label:{width}}  {format(a, fmt):>14}  {format(b, fmt):>14}")
        if unmatched:
            self.stdout.write(f"Unmatched asks ({len(unmatched)}):")
            for ask_id, reason in unmatched[:50]:
                self.stdout.write(f"  ask {ask_id}: {reason}")
            if len(unmatched) > 50:
                self.stdout.write(f"  ... and {len(unmatched) - 50} more")

"""`pairup import-roster PROGRAM FILE [--dry-run]`: import a CSV or XLSX roster into the
program whose slug is PROGRAM, as the operator (no prompt; the audit log says "command
line"). The file is checked whole first; bad input exits with status 2 and one line per
problem, `FILE:LINE: column 'email': …` (the header is line 1), and writes nothing. Without
--dry-run every line is written in one transaction and new people are emailed after it.
A progress bar shows on a terminal (stderr), nothing when piped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from pairup.core import limits
from pairup.core.errors import ServiceError
from pairup.engine.cli import progress
from pairup.programs.models import Program
from pairup.programs.roster import RosterFileError, read_roster_file
from pairup.programs.roster_plan import RosterPlan, roster_plan
from pairup.programs.roster_services import RosterInvalid, roster_import

NAME = "pairup import-roster"


class Command(BaseCommand):
    help = "Import a roster (CSV or XLSX) into a program; --dry-run only checks it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("program", help="the program's slug, e.g. acme-mentoring")
        parser.add_argument("file", type=Path, help="the roster: a .csv (UTF-8) or .xlsx file")
        parser.add_argument(
            "--dry-run", action="store_true", help="check every line and report; write nothing"
        )

    def fail(self, *lines: str) -> None:
        for line in lines:
            self.stderr.write(line)
        raise SystemExit(2)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        program = Program.objects.filter(slug=options["program"]).first()
        if program is None:
            self.fail(f"{NAME}: no program has the slug {options['program']!r}.")
        assert program is not None
        try:
            with path.open("rb") as fh:
                data = fh.read(limits.ROSTER_MAX_BYTES + 1)
        except OSError as exc:
            self.fail(f"{path}: cannot read: {exc.strerror or exc}")
        try:
            sheet = read_roster_file(data, path.name)
        except RosterFileError as exc:
            where = f"{path}:{exc.line}" if exc.line else str(path)
            self.fail(f"{where}: {exc.detail}")
        try:
            if options["dry_run"]:
                plan = roster_plan(program=program, sheet=sheet, progress=progress)
            else:
                plan = roster_import(program=program, by=None, sheet=sheet, progress=progress)
        except RosterInvalid as exc:
            plan = exc.plan
        except ServiceError as exc:  # a race with a sign-up: nothing written, try again
            self.stderr.write(f"{NAME}: {exc.detail}")
            raise SystemExit(1) from None
        for header in plan.ignored_headers:
            self.stderr.write(f"{path}:1: column {header!r} is not a roster column: not imported")
        if plan.problems:
            self.fail(
                *(p.where(str(path)) for p in plan.problems),
                f"{NAME}: {plan.bad_lines} bad line{'s' if plan.bad_lines != 1 else ''} in "
                f"{path}; nothing was imported.",
            )
        self.stdout.write(self.summary(plan, path, dry_run=options["dry_run"]))

    def summary(self, plan: RosterPlan, path: Path, *, dry_run: bool) -> str:
        pools = f"; new pools: {', '.join(plan.new_pools)}" if plan.new_pools else ""
        if dry_run:
            return (
                f"Dry run of {path} into {plan.program.name}: {plan.lines_read} lines, all good. "
                f"Would add {plan.created}, update {plan.updated}, leave {plan.unchanged} "
                f"unchanged, and invite {plan.invited} new people{pools}. Nothing was written."
            )
        return (
            f"Imported {path} into {plan.program.name}: {plan.created} added, {plan.updated} "
            f"updated, {plan.unchanged} unchanged{pools}. "
            f"{plan.invited} new people are invited by email."
        )

"""`pairup event schedule EVENT [--publish] [--json]`: a draft by default, published with
--publish, the figures as the last line with --json, exit 2 for an unknown event."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pairup.events.models import EventKind, EventSchedule, ScheduleState
from pairup.programs.models import AuditEntry

from .schedule_helpers import make_event, speed_event

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("event", "schedule", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_without_publish_the_schedule_is_a_draft(program) -> None:
    event, _, _ = speed_event(program, mentees=12, mentors=4, rounds=4)
    out = _run(event.slug, "--json")
    figures = json.loads(out.strip().splitlines()[-1])
    assert figures["meetings"] == 16
    assert figures["repeats"] == 0
    assert (figures["sitouts_min"], figures["sitouts_max"]) == (2, 3)
    for key in ("mentor_load", "relevance", "relevance_vs_optimum", "unmatched"):
        assert key in figures
    assert figures["state"] == "draft"
    assert "Stored as the draft" in out
    assert EventSchedule.objects.get(event=event).state == ScheduleState.DRAFT
    assert AuditEntry.objects.get(action="event_schedule_solved").actor is None


def test_publish_publishes_it(program) -> None:
    event, _, _ = speed_event(program, mentees=3, mentors=1)
    figures = json.loads(_run(event.slug, "--publish", "--json").strip().splitlines()[-1])
    assert figures["state"] == "published"
    assert EventSchedule.objects.get(event=event).state == ScheduleState.PUBLISHED


def test_an_unknown_event_exits_2() -> None:
    with pytest.raises(CommandError) as exc:
        _run("no-such-event")
    assert exc.value.returncode == 2
    assert "no-such-event" in str(exc.value)


def test_conference_buddies_exit_2(program) -> None:
    make_event(program, slug="buddies", kind=EventKind.CONFERENCE_BUDDIES)
    with pytest.raises(CommandError) as exc:
        _run("buddies")
    assert exc.value.returncode == 2


def test_the_pairup_command_exits_2_naming_the_event(capsys) -> None:
    from pairup.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["event", "schedule", "nope"])
    assert exc.value.code == 2
    assert "no event with the slug 'nope'" in capsys.readouterr().err

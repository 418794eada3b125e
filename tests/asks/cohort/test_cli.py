"""`pairup match-cohort PROGRAM [--publish] [--json]`: the review page's figures from a
terminal; nothing written without --publish; zeros for an empty cohort."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from pairup.asks.models import CohortRun, CohortRunStatus, Invitation
from pairup.cli import ALIASES
from pairup.core.channel import COMMAND_LINE, channel
from pairup.programs.models import AuditEntry

pytestmark = pytest.mark.django_db

KEYS = {"matched", "unmatched", "total", "gini", "top10_share", "cross_site_share"}


def _run(*args: str) -> tuple[list[str], str]:
    out, err = io.StringIO(), io.StringIO()
    # As the `pairup` command runs it: what it does is recorded as done from the command line.
    with channel(COMMAND_LINE):
        call_command("match_cohort", *args, stdout=out, stderr=err)
    return out.getvalue().strip().splitlines(), err.getvalue()


def test_the_pairup_command_knows_it_as_match_cohort():
    assert ALIASES["match-cohort"] == "match_cohort"


def test_json_last_line_has_the_engine_and_greedy_figures_and_nothing_is_written(cohort):
    out, _ = _run(cohort.program.slug, "--json")
    figures = json.loads(out[-1])
    assert set(figures) == {"engine", "greedy"}
    assert set(figures["engine"]) >= KEYS and set(figures["greedy"]) >= KEYS
    assert figures["engine"]["matched"] == len(cohort.asks)
    assert figures["engine"]["total"] >= figures["greedy"]["total"]
    assert any(line.startswith("total score") for line in out)
    assert "Nothing written" in "\n".join(out)
    assert not CohortRun.objects.exists() and not Invitation.objects.exists()
    assert not AuditEntry.objects.exists()


def test_an_empty_cohort_prints_zeros_and_exits_0(program):
    out, _ = _run(program.slug, "--json")
    figures = json.loads(out[-1])
    for side in ("engine", "greedy"):
        assert {k: figures[side][k] for k in KEYS} == dict.fromkeys(KEYS, 0)


def test_publish_stores_the_run_and_invites_as_the_command_line(cohort):
    out, err = _run(cohort.program.slug, "--publish", "--json")
    run = CohortRun.objects.get()
    assert run.status == CohortRunStatus.PUBLISHED and run.created_by is None
    assert Invitation.objects.count() == len(cohort.asks)
    assert json.loads(out[-1]) == run.figures
    assert f"{len(cohort.asks)} invitations sent" in err
    entries = AuditEntry.objects.filter(program=cohort.program).order_by("at", "id")
    assert [(e.action, e.via) for e in entries] == [
        ("cohort_run_started", "cli"),
        ("cohort_published", "cli"),
    ]


def test_an_unknown_program_exits_2(db):
    with pytest.raises(CommandError) as stopped:
        _run("no-such-program")
    assert stopped.value.returncode == 2 and "no-such-program" in str(stopped.value)


def test_quiet_when_piped(cohort):
    _, err = _run(cohort.program.slug)
    assert err == ""

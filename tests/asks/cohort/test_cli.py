"""`pairup match-cohort PROGRAM [--publish] [--json]`: the review page's figures from a
terminal; nothing written without --publish; zeros for an empty cohort."""

from __future__ import annotations

import json

import pytest

from pairup.asks.models import CohortRun, CohortRunStatus, Invitation
from pairup.cli import main
from pairup.programs.models import AuditEntry

pytestmark = pytest.mark.django_db

KEYS = {"matched", "unmatched", "total", "gini", "top10_share", "cross_site_share"}


def test_json_last_line_has_the_engine_and_greedy_figures_and_nothing_is_written(cohort, capsys):
    assert main(["match-cohort", cohort.program.slug, "--json"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    figures = json.loads(out[-1])
    assert set(figures) == {"engine", "greedy"}
    assert set(figures["engine"]) >= KEYS and set(figures["greedy"]) >= KEYS
    assert figures["engine"]["matched"] == len(cohort.asks)
    assert figures["engine"]["total"] >= figures["greedy"]["total"]
    assert any(line.startswith("total score") for line in out)
    assert "Nothing written" in "\n".join(out)
    assert not CohortRun.objects.exists() and not Invitation.objects.exists()
    assert not AuditEntry.objects.exists()


def test_an_empty_cohort_prints_zeros_and_exits_0(program, capsys):
    assert main(["match-cohort", program.slug, "--json"]) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    for side in ("engine", "greedy"):
        assert {k: figures[side][k] for k in KEYS} == dict.fromkeys(KEYS, 0)


def test_publish_stores_the_run_and_invites_as_the_command_line(cohort, capsys):
    assert main(["match-cohort", cohort.program.slug, "--publish", "--json"]) == 0
    run = CohortRun.objects.get()
    assert run.status == CohortRunStatus.PUBLISHED and run.created_by is None
    assert Invitation.objects.count() == len(cohort.asks)
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures == run.figures
    entries = AuditEntry.objects.filter(program=cohort.program).order_by("at", "id")
    assert [(e.action, e.via) for e in entries] == [
        ("cohort_run_started", "cli"),
        ("cohort_published", "cli"),
    ]


def test_an_unknown_program_exits_2(db, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["match-cohort", "no-such-program"])
    assert stopped.value.code == 2
    assert "no-such-program" in capsys.readouterr().err


def test_quiet_when_piped(cohort, capsys):
    main(["match-cohort", cohort.program.slug])
    assert capsys.readouterr().err == ""

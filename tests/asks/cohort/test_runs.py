"""A cohort run: the engine's exact assignment of live asks, under every hard rule of
eligibility, beside the greedy alternative, in a background task."""

from __future__ import annotations

import pytest

from pairup.asks.models import CohortRunStatus, ProposedPair

pytestmark = pytest.mark.django_db


def test_a_run_proposes_a_mentor_for_each_ask_with_reasons_and_figures(cohort, admin, run_now):
    run = run_now(cohort.program, admin)
    assert run.status == CohortRunStatus.READY and run.progress == 100
    pairs = list(ProposedPair.objects.filter(run=run).order_by("ask_id"))
    assert [p.ask_id for p in pairs] == sorted(a.pk for a in cohort.asks)
    matched = [p for p in pairs if p.mentor_id]
    assert matched and all(p.reasons for p in matched)
    assert set(run.figures) == {"engine", "greedy"}
    assert run.figures["engine"]["matched"] == len(matched)
    assert run.figures["engine"]["total"] >= run.figures["greedy"]["total"]
    assert run.inputs

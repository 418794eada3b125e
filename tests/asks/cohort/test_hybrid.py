"""Cohort matching with hybrid relevance (the real model): the run keeps how it scored, and
scoring one of its pairs again (an admin's change, the download) gives the run's score."""

from __future__ import annotations

import json
import zlib

import pytest

from pairup.asks.matching.cohort import read_snapshot
from pairup.asks.matching.vectors import mentor_texts
from pairup.asks.models import CohortRunStatus, ProposedPair
from pairup.core.vectors import relevance_backend
from pairup.engine.embedding import text_key
from tests.vector_reads import count_vector_reads

pytestmark = [pytest.mark.django_db, pytest.mark.semantic]


def test_a_hybrid_run_scores_its_pairs_as_a_later_look_does(cohort, admin, run_now):
    run = run_now(cohort.program, admin)

    assert run.status == CohortRunStatus.READY
    backend = relevance_backend()
    assert backend is not None
    assert run.inputs is not None
    assert json.loads(zlib.decompress(bytes(run.inputs)))["relevance"] == backend[0].version
    snapshot = read_snapshot(run.inputs)
    pairs = list(ProposedPair.objects.filter(run=run, mentor__isnull=False))
    assert len(pairs) == len(cohort.asks)
    for pair in pairs:
        score, reasons = snapshot.score(pair.ask_id, pair.mentor_id)
        assert (score, list(reasons)) == (pytest.approx(pair.score, abs=1e-6), pair.reasons)


def test_a_second_run_reads_no_mentor_vector_again_and_proposes_the_same(
    cohort, admin, run_now, monkeypatch: pytest.MonkeyPatch
):
    """Cohort runs share the program's kept semantic index with suggestions
    (`records.kept_scope`): a run after another reads only the asks' vectors."""
    first = run_now(cohort.program, admin)
    read = count_vector_reads(monkeypatch)

    second = run_now(cohort.program, admin)

    def pairs(run):
        return sorted(
            ProposedPair.objects.filter(run=run).values_list("ask_id", "mentor_id", "score")
        )

    assert second.status == CohortRunStatus.READY
    assert pairs(second) == pairs(first)
    mentor_ids = sorted({m for _, m, _ in pairs(first) if m is not None})
    assert mentor_ids
    mentors = {text_key(t) for t in mentor_texts(cohort.program, mentor_ids)}
    assert read and not mentors & set(read)

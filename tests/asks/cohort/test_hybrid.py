"""Cohort matching with hybrid relevance (the real model): the run keeps how it scored, and
scoring one of its pairs again (an admin's change, the download) gives the run's score."""

from __future__ import annotations

import json
import zlib

import pytest

from pairup.asks.matching.cohort import read_snapshot
from pairup.asks.models import CohortRunStatus, ProposedPair
from pairup.core.vectors import relevance_backend

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

"""Matching in a program follows the weights and objective its admins set."""

from __future__ import annotations

import pytest
from django.utils import timezone

from pairup.asks.matching.records import program_policy

pytestmark = pytest.mark.django_db


def test_matching_follows_the_programs_weights(program):
    program.load_weight = 0.0
    program.matching_objective = "most_matched"
    policy = program_policy(program, timezone.now(), cross_site_bonus=0.3)
    assert (policy.load_weight, policy.objective, policy.cross_site_bonus) == (
        0.0,
        "most_matched",
        0.3,
    )

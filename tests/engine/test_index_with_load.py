"""MentorIndex.with_load: a copy with other loads, capacities and weights scores and assigns
exactly as an index built afresh from those records, without touching the original."""

from dataclasses import replace

import numpy as np
import pytest

from pairup.engine import Ask, Mentor, MentorIndex, Policy, TopicLevel, assign

MENTORS = [
    Mentor(1, text="sql databases queries", topics=(TopicLevel("hard/sql", "expert"),), site="A"),
    Mentor(2, text="public speaking talks", topics=(TopicLevel("soft/speaking"),), site="B"),
    Mentor(3, text="sql reporting", topics=(TopicLevel("hard/sql", "familiar"),), load=2),
]
ASKS = [
    Ask(10, text="slow sql query", topics=(TopicLevel("hard/sql"),), site="B"),
    Ask(11, text="my first talk", topics=(TopicLevel("soft/speaking"),), site="A"),
    Ask(12, text="sql join", topics=(TopicLevel("hard/sql"),), site="A"),
]


def test_with_load_scores_and_assigns_as_a_fresh_index():
    base = MentorIndex(MENTORS, Policy(load_weight=0.3))
    policy = Policy(load_weight=2.0, cross_site_bonus=0.4, objective="most_matched")
    loads, caps = [3, 0, 1], [1, None, 0]
    copy = base.with_load(loads, caps, policy)
    fresh = MentorIndex(
        [replace(m, load=x, capacity=c) for m, x, c in zip(MENTORS, loads, caps, strict=True)],
        policy,
    )
    everyone = np.arange(3)
    for ask in ASKS:
        got, want = copy.score_ask(ask).score(everyone), fresh.score_ask(ask).score(everyone)
        assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
    assert assign(ASKS, copy) == assign(ASKS, fresh)
    # The original is as it was.
    assert base.policy.load_weight == 0.3
    assert [m.load for m in base.mentors] == [0, 0, 2]
    assert base.capacity.tolist() == [np.inf] * 3


def test_with_load_refuses_a_policy_that_needs_a_new_index():
    base = MentorIndex(MENTORS)
    with pytest.raises(ValueError, match="may differ"):
        base.with_load([0, 0, 0], [None] * 3, Policy(bm25_k1=2.0))
    with pytest.raises(ValueError, match="one load"):
        base.with_load([0], [None] * 3)

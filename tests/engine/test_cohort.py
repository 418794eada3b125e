"""The greedy alternative and the figures a cohort's assignments are compared by."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import numpy as np
import pytest

from pairup.engine import Ask, Assignment, Mentor, MentorIndex, Policy, TopicLevel, assign
from pairup.engine.cohort import (
    ALL_FULL,
    NO_ELIGIBLE,
    cohort_figures,
    gini,
    greedy_assign,
    greedy_match,
    top_share,
)

from .test_assign import random_instance


def test_gini_of_an_even_spread_is_zero_and_of_one_holder_is_n_minus_one_over_n():
    assert gini([2, 2, 2, 2]) == 0.0
    assert gini([0, 0, 0, 4]) == pytest.approx(0.75)
    assert gini([]) == 0.0 and gini([0, 0]) == 0.0
    assert gini([1, 3]) == pytest.approx(0.25)


def test_top_share_takes_the_busiest_tenth_and_at_least_one():
    assert top_share([5, 1, 1, 1, 1, 1, 0, 0, 0, 0]) == pytest.approx(0.5)
    assert top_share([1, 1, 1]) == pytest.approx(1 / 3)  # one mentor of three
    assert top_share([0, 0]) == 0.0


def test_figures_of_a_hand_made_assignment():
    assignments = [
        Assignment("a1", "m1", 0.9, ("Knows SQL",)),
        Assignment("a2", "m1", 0.5),
        Assignment("a3", "m2", 0.25),
        Assignment("a4", None, 0.0, (), NO_ELIGIBLE),
        Assignment("a5", None, 0.0, (), ALL_FULL),
        Assignment("a6", None, 0.0, (), ALL_FULL),
    ]
    ask_sites = {"a1": "London", "a2": "", "a3": "Paris", "a4": "Paris", "a5": "", "a6": ""}
    mentor_sites = {"m1": "london", "m2": "Berlin", "m3": "Paris", "m4": ""}
    figures = cohort_figures(assignments, ask_sites, mentor_sites)
    assert (figures.asks, figures.mentors) == (6, 4)
    assert (figures.matched, figures.unmatched) == (3, 3)
    assert figures.total == pytest.approx(1.65)
    # Loads 2, 1, 0, 0: Gini over the four mentors, the busiest tenth is m1.
    assert figures.gini == pytest.approx(round(gini([2, 1, 0, 0]), 4))
    assert figures.top10_share == pytest.approx(0.6667)
    # a1 and m1 are both at London (case aside); a2 has no site; a3 Paris to Berlin.
    assert figures.cross_site_share == pytest.approx(0.5)
    assert figures.unmatched_reasons == {ALL_FULL: 2, NO_ELIGIBLE: 1}
    assert figures.load_counts == {0: 2, 1: 1, 2: 1}
    assert figures.as_dict()["load_counts"] == {"0": 2, "1": 1, "2": 1}


def test_figures_of_an_empty_cohort_are_zeros():
    figures = cohort_figures([], {}, {})
    assert figures.as_dict() == {
        "asks": 0,
        "mentors": 0,
        "matched": 0,
        "unmatched": 0,
        "total": 0.0,
        "gini": 0.0,
        "top10_share": 0.0,
        "cross_site_share": 0.0,
        "unmatched_reasons": {},
        "load_counts": {},
    }


def test_greedy_match_takes_the_best_pair_first_even_when_it_costs_a_match():
    # Ask 0 scores best with mentor 0, whom ask 1 alone can take: greedy leaves ask 1 out.
    rows, cols = np.array([0, 0, 1]), np.array([0, 1, 0])
    vals = np.array([0.9, 0.8, 0.85])
    match = greedy_match(rows, cols, vals, np.array([1, 1]), 2)
    assert match.tolist() == [0, -1]


def _dense_greedy(asks, mentors, policy):
    """Greedy on the dense score matrix from `ScoredAsk`, the reference scorer."""
    index = MentorIndex(mentors, policy)
    everyone = np.arange(len(mentors))
    pairs = []
    for a, ask in enumerate(asks):
        scores, ok = index.score_ask(ask).score(everyone)
        pairs += [(-scores[m], a, m) for m in np.flatnonzero(ok & (scores > 0))]
    caps = [len(asks) if m.capacity is None else m.capacity for m in mentors]
    taken: dict[int, int] = {}
    for _, a, m in sorted(pairs):
        if a not in taken and caps[m] > 0:
            taken[a] = m
            caps[m] -= 1
    return {asks[a].id: mentors[m].id for a, m in taken.items()}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_greedy_assign_is_the_greedy_of_the_exact_scores_and_never_beats_assign(seed):
    rng = np.random.default_rng(seed)
    asks, mentors = random_instance(rng, 40, 12)
    policy = Policy()
    greedy = greedy_assign(asks, mentors, policy)
    assert [g.ask_id for g in greedy] == [a.id for a in asks]
    assert {g.ask_id: g.mentor_id for g in greedy if g.mentor_id is not None} == _dense_greedy(
        asks, mentors, policy
    )
    # Hard rules: exclusions and capacities hold.
    excluded = {(a.id, x) for a in asks for x in a.exclude}
    assert not excluded & {(g.ask_id, g.mentor_id) for g in greedy}
    load = Counter(g.mentor_id for g in greedy if g.mentor_id is not None)
    for m in mentors:
        assert load[m.id] <= (len(asks) if m.capacity is None else m.capacity)
    exact = assign(asks, mentors, policy)
    assert sum(g.score for g in greedy) <= sum(e.score for e in exact) + 1e-6


def test_greedy_says_why_an_ask_stays_unmatched():
    mentors = [
        Mentor(id=1, text="sql", topics=(TopicLevel("hard/sql", "expert"),), capacity=1),
    ]
    asks = [
        Ask(id=1, text="sql joins", topics=(TopicLevel("hard/sql"),)),
        Ask(id=2, text="sql window functions", topics=(TopicLevel("hard/sql"),)),
        Ask(id=3, text="sql", exclude=(1,)),
    ]
    out = {a.ask_id: a for a in greedy_assign(asks, mentors)}
    assert out[1].mentor_id == 1 or out[2].mentor_id == 1
    assert {out[1].unmatched_reason, out[2].unmatched_reason} == {None, ALL_FULL}
    assert out[3].unmatched_reason == NO_ELIGIBLE


def test_greedy_with_most_matched_takes_pairs_scoring_zero():
    mentors = [Mentor(id=1, capacity=1)]
    asks = [Ask(id=1, text="anything")]
    policy = Policy(relevance_weight=0, topic_weight=0, availability_weight=0, load_weight=0)
    assert greedy_assign(asks, mentors, policy)[0].mentor_id is None
    most = replace(policy, objective="most_matched")
    assert greedy_assign(asks, mentors, most)[0].mentor_id == 1


def test_greedy_of_no_asks_or_no_mentors():
    assert greedy_assign([], [Mentor(id=1)]) == ()
    (only,) = greedy_assign([Ask(id=1)], [])
    assert only.mentor_id is None and only.unmatched_reason == NO_ELIGIBLE

"""Conference buddies: exact against brute force, trios only on shortage, reasons, hybrid
relevance with a semantic index."""

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pairup.engine import Ask, BuddyUnmatched, Mentor, Policy, TopicLevel, buddies
from pairup.engine.embedding import MemoryStore
from pairup.engine.rotations import ROTATION_QUANTUM, pair_scores
from pairup.engine.semantic import semantic_index
from tests.engine.test_semantic import Synonyms

WORDS = ["sql", "offer", "talk", "email", "python", "feedback", "salary"]
TOPICS = ["career/offer", "career/interview", "soft/talk", "hard/sql"]


@st.composite
def people(draw):
    n_e, n_m = draw(st.integers(0, 5)), draw(st.integers(0, 3))
    lang = st.sampled_from([(), ("en",), ("fr",)])
    mentors = [
        Mentor(
            id=f"m{j}",
            text=draw(st.sampled_from(WORDS)),
            topics=(TopicLevel(draw(st.sampled_from(TOPICS)), "expert"),),
            site=draw(st.sampled_from(["Berlin", "Paris"])),
            languages=draw(lang),
        )
        for j in range(n_m)
    ]
    mentees = [
        Ask(
            id=i,
            text=draw(st.sampled_from(WORDS)),
            topics=(TopicLevel(draw(st.sampled_from(TOPICS))),),
            site=draw(st.sampled_from(["Berlin", "Paris"])),
            languages=draw(lang),
            exclude=tuple(draw(st.sets(st.sampled_from([m.id for m in mentors]), max_size=1)))
            if mentors
            else (),
        )
        for i in range(n_e)
    ]
    return mentees, mentors


def brute_force(mentees, mentors, share, policy):
    """The best (matched, -trios, quantised total) over every plan."""
    mentees = sorted(mentees, key=lambda a: a.id)
    mentors = sorted(mentors, key=lambda m: m.id)
    scores, allowed, _ = pair_scores(mentees, mentors, policy)
    cap = 2 if share == "2" or (share == "auto" and len(mentees) > len(mentors)) else 1
    best = None
    for plan in itertools.product(range(-1, len(mentors)), repeat=len(mentees)):
        load = np.bincount([j for j in plan if j >= 0], minlength=len(mentors))
        if (load > cap).any():
            continue
        if any(j >= 0 and not allowed[i, j] for i, j in enumerate(plan)):
            continue
        q = sum(round(scores[i, j] / ROTATION_QUANTUM) for i, j in enumerate(plan) if j >= 0)
        trios = int((load == 2).sum()) if share == "auto" else 0
        key = (sum(j >= 0 for j in plan), -trios, q)
        best = key if best is None or key > best else best
    return best


def plan_key(plan, mentees, mentors, share, policy):
    scores, _, _ = pair_scores(mentees, mentors, policy)
    e_of = {a.id: i for i, a in enumerate(mentees)}
    m_of = {m.id: j for j, m in enumerate(mentors)}
    q = sum(
        round(scores[e_of[e], m_of[g.mentor_id]] / ROTATION_QUANTUM)
        for g in plan.groups
        for e in g.mentee_ids
    )
    trios = sum(len(g.mentee_ids) == 2 for g in plan.groups) if share == "auto" else 0
    return (sum(len(g.mentee_ids) for g in plan.groups), -trios, q)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people(), st.sampled_from(["1", "2", "auto"]), st.sampled_from([0.0, 0.3]))
def test_buddies_are_optimal_against_brute_force(event, share, bonus):
    mentees, mentors = event
    policy = Policy(cross_site_bonus=bonus)
    plan = buddies(mentees, mentors, share, policy)
    cap = 2 if share == "2" or (share == "auto" and len(mentees) > len(mentors)) else 1
    assert all(1 <= len(g.mentee_ids) <= cap for g in plan.groups)
    grouped = [e for g in plan.groups for e in g.mentee_ids]
    assert len(grouped) == len(set(grouped))
    assert sorted(grouped + [u.mentee_id for u in plan.unmatched]) == [a.id for a in mentees]
    if mentees:
        want = brute_force(mentees, mentors, share, policy)
        got = plan_key(plan, mentees, mentors, share, policy)
        assert got[:2] == want[:2]
        assert abs(got[2] - want[2]) <= len(mentees)  # 6-dp rounding of each score
    assert plan == buddies(mentees[::-1], mentors[::-1], share, policy)  # order-free


def test_auto_forms_trios_only_on_shortage():
    mentors = [Mentor(id=m, text="sql") for m in "ab"]
    two = [Ask(id=i, text="sql") for i in range(2)]
    plan = buddies(two, mentors, "auto")
    assert sorted(len(g.mentee_ids) for g in plan.groups) == [1, 1]
    three = [Ask(id=i, text="sql") for i in range(3)]
    plan = buddies(three, mentors, "auto")
    assert sorted(len(g.mentee_ids) for g in plan.groups) == [1, 2]  # one trio, not two
    assert plan.unmatched == ()
    five = [Ask(id=i, text="sql") for i in range(5)]
    plan = buddies(five, mentors, "auto")
    assert [len(g.mentee_ids) for g in plan.groups] == [2, 2]
    assert [u.reason for u in plan.unmatched] == ["every eligible mentor is full"]


def test_share_two_groups_by_relevance_and_share_one_pairs():
    mentors = [Mentor(id="a", text="sql python"), Mentor(id="b", text="salary offer")]
    mentees = [Ask(id=1, text="sql"), Ask(id=2, text="python sql"), Ask(id=3, text="offer")]
    plan = buddies(mentees, mentors, "2")
    assert {g.mentor_id: g.mentee_ids for g in plan.groups} == {"a": (1, 2), "b": (3,)}
    assert plan.total_score == round(sum(g.score for g in plan.groups), 6)
    plan = buddies(mentees, mentors, "1")
    assert len(plan.groups) == 2 and len(plan.unmatched) == 1


def test_unmatched_reasons():
    mentors = [Mentor(id="a", text="sql", languages=("en",))]
    mentees = [
        Ask(id=1, text="sql", languages=("fr",)),
        Ask(id=2, text="sql", exclude=("a",)),
        Ask(id=3, text="sql"),
        Ask(id=4, text="sql"),
    ]
    plan = buddies(mentees, mentors, "1")
    assert plan.unmatched == (
        BuddyUnmatched(1, "no mentor shares a language"),
        BuddyUnmatched(2, "no eligible mentor"),
        BuddyUnmatched(4, "every eligible mentor is full"),
    )
    mentee_id, reason = plan.unmatched[0]
    assert (mentee_id, reason) == (1, "no mentor shares a language")
    assert buddies(mentees[:1], [], "auto").unmatched == (
        BuddyUnmatched(1, "no mentors registered"),
    )


def test_buddies_reject_unknown_share():
    with pytest.raises(ValueError, match="share"):
        buddies([], [], "3")  # type: ignore[arg-type]


def test_hybrid_relevance_pairs_by_meaning_where_words_differ():
    # The mentee's ask and the letterer's past ask share no word but mean the same (to the
    # `Synonyms` embedder, as to a real model); the poster designer shares a word only.
    ask = Ask(id=1, text="typography fonts")
    letterer = Mentor(id="b", history=("lettering typefaces",))
    poster = Mentor(id="a", text="typography posters for the office party")
    assert not set(ask.text.split()) & set(letterer.history[0].split())
    mentors = [letterer, poster]
    sem = semantic_index(mentors, Synonyms(), MemoryStore())

    lexical = buddies([ask], mentors, "1")
    hybrid = buddies([ask], mentors, "1", semantic=sem)

    assert [g.mentor_id for g in lexical.groups] == ["a"]
    assert [g.mentor_id for g in hybrid.groups] == ["b"]
    scores, _, _ = pair_scores([ask], sorted(mentors, key=lambda m: m.id), Policy(), sem)
    assert hybrid.groups[0].score == round(float(scores[0, 1]), 6)
    assert hybrid.total_score == hybrid.groups[0].score
    # The index is matched to the mentors by id: their order does not matter.
    assert buddies([ask], mentors[::-1], "1", semantic=sem) == hybrid

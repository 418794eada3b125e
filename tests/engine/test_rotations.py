import numpy as np
import pytest
from scipy.optimize import LinearConstraint, milp

from pairup.engine import Ask, Mentor, Policy, TopicLevel, rotations, tables
from pairup.engine.rotations import ROTATION_QUANTUM, _edge_colour, pair_scores

WORDS = ["sql", "offer", "talk", "email", "python", "feedback", "salary"]


def random_event(rng, n_e, n_m):
    mentors = [
        Mentor(id=f"m{j}", text=" ".join(rng.choice(WORDS, 2)), languages=("en",) if j % 3 else ())
        for j in range(n_m)
    ]
    mentees = [
        Ask(
            id=i,
            text=" ".join(rng.choice(WORDS, 2)),
            languages=("en",) if rng.random() < 0.8 else ("fr",),
            exclude=(f"m{int(rng.integers(n_m))}",) if rng.random() < 0.3 else (),
        )
        for i in range(n_e)
    ]
    return mentees, mentors


def assert_valid(schedule, mentees, mentors, rounds, seats):
    pairs = [(x.mentee_id, x.mentor_id) for x in schedule.meetings]
    assert len(pairs) == len(set(pairs))
    for r in range(rounds):
        in_round = [x for x in schedule.meetings if x.round == r]
        mentee_ids = [x.mentee_id for x in in_round]
        assert len(mentee_ids) == len(set(mentee_ids))
        for m in mentors:
            assert sum(x.mentor_id == m.id for x in in_round) <= seats
    assert all(0 <= x.round < rounds for x in schedule.meetings)


def milp_lexicographic(mentees, mentors, rounds, seats):
    """Independent solver: three MILP stages (meetings, sum of sit_outs^2, relevance)."""
    scores, allowed, _ = pair_scores(mentees, mentors, Policy())
    ei, mi = np.nonzero(allowed)
    n_p, n_e, n_m = len(ei), len(mentees), len(mentors)
    if n_p == 0:
        return 0, n_e * rounds**2, 0
    q = np.rint(scores[ei, mi] / ROTATION_QUANTUM)
    # Variables: x (pairs), z (mentee i has >= t meetings, t = 1..R).
    n_z = n_e * rounds
    a_e = np.zeros((n_e, n_p + n_z))
    for p, i in enumerate(ei):
        a_e[i, p] = 1
    for i in range(n_e):
        a_e[i, n_p + i * rounds : n_p + (i + 1) * rounds] = -1
    a_m = np.zeros((n_m, n_p + n_z))
    for p, j in enumerate(mi):
        a_m[j, p] = 1
    cons = [LinearConstraint(a_e, 0, 0), LinearConstraint(a_m, 0, rounds * seats)]
    meet = np.r_[np.ones(n_p), np.zeros(n_z)]
    t = np.tile(np.arange(1, rounds + 1), n_e)
    even = np.r_[np.zeros(n_p), -(2 * rounds - 2 * t + 1)]
    rel = np.r_[q, np.zeros(n_z)]
    kw = {"integrality": np.ones(n_p + n_z), "bounds": (0, 1)}
    r1 = milp(-meet, constraints=cons, **kw)
    best_meet = round(-r1.fun)
    cons.append(LinearConstraint(meet, best_meet, best_meet))
    r2 = milp(even, constraints=cons, **kw)
    best_even = round(r2.fun)
    cons.append(LinearConstraint(even, best_even, best_even))
    r3 = milp(-rel, constraints=cons, **kw)
    return best_meet, n_e * rounds**2 + best_even, round(-r3.fun)


@pytest.mark.parametrize("seats", [1, 2])
def test_rotations_match_milp_on_random_events(seats):
    rng = np.random.default_rng(5 + seats)
    for _ in range(20):
        n_e, n_m, rounds = int(rng.integers(2, 9)), int(rng.integers(1, 5)), int(rng.integers(1, 4))
        mentees, mentors = random_event(rng, n_e, n_m)
        sched = rotations(mentees, mentors, rounds, seats)
        assert_valid(sched, mentees, mentors, rounds, seats)
        meetings, sq, rel = milp_lexicographic(mentees, mentors, rounds, seats)
        assert len(sched.meetings) == meetings
        assert sum(s * s for s in sched.sit_outs.values()) == sq
        got_rel = sum(round(x.score / ROTATION_QUANTUM) for x in sched.meetings)
        assert abs(got_rel - rel) <= len(sched.meetings)  # per-meeting rounding of 6-dp scores


def test_rotations_spread_sit_outs_evenly():
    mentors = [Mentor(id="m", text="sql")]
    mentees = [Ask(id=i, text="sql") for i in range(4)]
    sched = rotations(mentees, mentors, rounds=2, seats=1)
    assert len(sched.meetings) == 2
    assert sorted(sched.sit_outs.values()) == [1, 1, 2, 2]  # nobody meets twice anyway
    sched = rotations(mentees, [Mentor(id="a", text="x"), Mentor(id="b", text="y")], 2, 1)
    assert sorted(sched.sit_outs.values()) == [1, 1, 1, 1]


def test_edge_colour_is_proper_for_regular_bipartite_graph():
    edges = [(i, (i + k) % 5) for i in range(5) for k in range(3)]
    colour = _edge_colour(edges, 3)
    for side in (0, 1):
        seen = {(e[side], c) for e, c in zip(edges, colour, strict=True)}
        assert len(seen) == len(edges)


def test_tables_group_mentees_by_mentor_topic():
    mentors = [
        Mentor(id="a", topics=(TopicLevel("career/offer", "expert"), TopicLevel("soft/talk"))),
        Mentor(id="b", topics=(TopicLevel("soft/talk", "expert"),)),
    ]
    mentees = [
        Ask(id=1, topics=(TopicLevel("career/offer"),)),
        Ask(id=2, topics=(TopicLevel("career"),)),
        Ask(id=3, topics=(TopicLevel("soft/talk"),)),
        Ask(id=4, topics=(TopicLevel("soft/talk"),)),
        Ask(id=5, topics=(TopicLevel("hard/sql"),)),
    ]
    plan = tables(mentees, mentors, table_size=2)
    assert [(t.mentor_id, t.topic, t.mentee_ids) for t in plan.tables] == [
        ("a", "career/offer", (1, 2)),
        ("b", "soft/talk", (3, 4)),
    ]
    assert plan.unseated == (5,)


def test_tables_respect_table_size():
    mentors = [Mentor(id="a", topics=(TopicLevel("sql"),))]
    mentees = [Ask(id=i, topics=(TopicLevel("sql"),)) for i in range(5)]
    plan = tables(mentees, mentors, table_size=3)
    assert plan.tables[0].mentee_ids == (0, 1, 2) and plan.unseated == (3, 4)

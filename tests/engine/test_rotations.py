import numpy as np
import pytest
from scipy.optimize import LinearConstraint, milp

from pairup.engine import Ask, Mentor, Policy, TopicLevel, rotations, tables
from pairup.engine.rotations import ROTATION_QUANTUM, _edge_colour, _round6, pair_scores

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
    colour = _edge_colour(*zip(*edges, strict=True), 3)
    for side in (0, 1):
        seen = {(e[side], c) for e, c in zip(edges, colour, strict=True)}
        assert len(seen) == len(edges)


def assert_proper(edges, colour, colours, seats):
    assert all(0 <= c < colours for c in colour)
    assert len({(u, c) for (u, _), c in zip(edges, colour, strict=True)}) == len(edges)
    per_right: dict[tuple[int, int], int] = {}
    for (_, v), c in zip(edges, colour, strict=True):
        per_right[v, c] = per_right.get((v, c), 0) + 1
    assert max(per_right.values(), default=0) <= seats


@pytest.mark.parametrize("seats", [1, 2, 5])
def test_edge_colour_with_seats_on_full_degree_graphs(seats):
    """Every left node has `colours` edges and every right node `colours * seats`, in an order
    that forces many Kempe-chain repairs."""
    rng = np.random.default_rng(seats)
    for colours in (1, 3, 7, 10):
        n_right = colours + 2
        n_left = n_right * seats
        # Union of `colours` shifted perfect matchings between left nodes and right copies:
        # left u meets copy (u + offset + seats * k) % n_left of right node copy // seats,
        # a different right node for each k.
        offset = int(rng.integers(seats))
        ks = rng.choice(n_right, size=colours, replace=False)
        perm = rng.permutation(n_left)
        edges = [
            (int(perm[u]), (u + offset + seats * int(k)) % n_left // seats)
            for u in range(n_left)
            for k in ks
        ]
        assert len(set(edges)) == len(edges)
        rng.shuffle(edges)
        colour = _edge_colour(*zip(*edges, strict=True), colours, seats)
        assert_proper(edges, colour, colours, seats)
        assert colour == _edge_colour(*zip(*edges, strict=True), colours, seats)  # deterministic


def test_edge_colour_rejects_too_many_edges():
    with pytest.raises(ValueError):
        _edge_colour([0, 0, 0], [0, 1, 2], 2)


def test_round6_matches_python_round():
    rng = np.random.default_rng(0)
    ties = (rng.integers(-(10**7), 10**7, 20000) + 0.5) / 1e6  # halfway in decimal, not binary
    special = [0.0, -0.0, -1e-7, 5e-7, 2.5e-6, 0.1234565, 999.9999995, 1234.5678905, 1e300]
    values = np.concatenate([rng.normal(0, 1, 20000), ties, special, [np.inf, -np.inf]])
    got = _round6(values)
    want = [round(float(v), 6) for v in values]
    assert got == want
    assert [np.copysign(1, g) for g in got] == [np.copysign(1, w) for w in want]
    assert np.isnan(_round6(np.array([np.nan]))[0])


def test_rotations_larger_event_is_valid_and_optimal():
    """A larger event than the MILP comparison above (with two and three seats): valid rounds,
    and meetings, sum of sit_outs^2 and relevance equal to the independent MILP optimum."""
    rng = np.random.default_rng(11)
    for n_e, n_m, rounds, seats in ((60, 9, 6, 2), (45, 5, 7, 3)):
        mentees, mentors = random_event(rng, n_e, n_m)
        sched = rotations(mentees, mentors, rounds, seats)
        assert_valid(sched, mentees, mentors, rounds, seats)
        assert sched == rotations(mentees, mentors, rounds, seats)  # deterministic
        met = {}
        for x in sched.meetings:
            met[x.mentee_id] = met.get(x.mentee_id, 0) + 1
        assert sched.sit_outs == {a.id: rounds - met.get(a.id, 0) for a in mentees}
        meetings, sq, rel = milp_lexicographic(mentees, mentors, rounds, seats)
        assert len(sched.meetings) == meetings
        assert sum(s * s for s in sched.sit_outs.values()) == sq
        got_rel = sum(round(x.score / ROTATION_QUANTUM) for x in sched.meetings)
        assert abs(got_rel - rel) <= len(sched.meetings)


def test_rotations_without_allowed_pairs():
    mentees = [Ask(id=1, text="sql", languages=("fr",)), Ask(id=2, text="sql", exclude=("m",))]
    sched = rotations(mentees, [Mentor(id="m", text="sql", languages=("en",))], rounds=3)
    assert sched.meetings == () and sched.sit_outs == {1: 3, 2: 3} and sched.total_score == 0


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

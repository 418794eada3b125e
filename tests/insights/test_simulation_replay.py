"""The replay's rounds and caps, on engine records alone (no database)."""

from datetime import UTC, datetime

from pairup.engine import Ask, Mentor, MentorIndex, Policy, TopicLevel
from pairup.insights.simulation.replay import MentorCaps, ReplayAsk, ReplayPolicy, replay, rounds

SQL = (TopicLevel("hard/sql"),)


def _ask(pk: int, day: datetime, sessions: int = 1) -> ReplayAsk:
    return ReplayAsk(Ask(pk, text="sql", topics=SQL), day, sessions)


def test_a_round_is_a_week_cut_at_the_turn_of_a_month():
    asks = [
        _ask(1, datetime(2026, 1, 31, tzinfo=UTC)),  # a Saturday
        _ask(2, datetime(2026, 1, 26, tzinfo=UTC)),  # its Monday
        _ask(3, datetime(2026, 2, 1, tzinfo=UTC)),  # the Sunday: February
        _ask(4, datetime(2026, 2, 2, tzinfo=UTC)),  # the next Monday
    ]
    assert rounds(asks) == [[1, 0], [2], [3]]


def test_the_caps_count_sessions_per_month_and_week():
    mentors = [
        Mentor(1, topics=(TopicLevel("hard/sql", "expert"),)),
        Mentor(2, topics=(TopicLevel("hard/sql", "familiar"),)),
    ]
    policy = ReplayPolicy(Policy(relevance_weight=0, load_weight=0), 3, 2)
    index = MentorIndex(mentors, policy.engine)
    # M1 is best for every ask; their own weekly cap is 2 sessions, the program's 3 a month.
    caps = [MentorCaps(own_weekly=2), MentorCaps()]
    week1, week2 = datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 1, 12, tzinfo=UTC)
    asks = [_ask(1, week1), _ask(2, week1), _ask(3, week1), _ask(4, week2, sessions=3)]
    got = [a.mentor_id for a in replay(asks, index, caps, policy)]
    # Week 1: M1 takes two (its weekly cap), M2 the third. Week 2: the ask wants 3 sessions,
    # at most 2 per ask: M1 has 1 left of 3 this month, too few; M2 has 2 left.
    assert got == [1, 1, 2, 2]

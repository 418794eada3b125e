"""The buddy plan on its own (no database): with every pair allowed, trios appear only
when mentors are short, no mentor takes more than two mentees, nobody is placed twice, and
a mentee is left without a buddy only when every mentor is full."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pairup.engine import Ask, Mentor, Policy
from pairup.events.buddies.plan import plan_buddies

POLICY = Policy()


def plan(mentors: int, mentees: int, share: str):
    asks = [Ask(id=100 + i, text="sql interview") for i in range(mentees)]
    people = [Mentor(id=1 + i, text="sql databases") for i in range(mentors)]
    return plan_buddies(asks, people, share, POLICY)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 5), st.integers(0, 9), st.sampled_from(["1", "2", "auto"]))
def test_groups_follow_the_share(mentors: int, mentees: int, share: str) -> None:
    result = plan(mentors, mentees, share)
    placed = [pk for g in result.groups for pk in g.mentee_ids]
    assert len(placed) == len(set(placed))
    assert {pk for pk, _ in result.unmatched}.isdisjoint(placed)
    assert len(placed) + len(result.unmatched) == mentees
    sizes = [len(g.mentee_ids) for g in result.groups]
    assert all(1 <= size <= (1 if share == "1" else 2) for size in sizes)
    per_mentor = 1 if share == "1" else 2
    assert len(result.unmatched) == max(0, mentees - per_mentor * mentors)
    if share == "auto":
        # Trios only on shortage: exactly as many as the mentees beyond one per mentor.
        assert sizes.count(2) == min(max(0, mentees - mentors), mentors)
    assert all(reason.startswith("no mentor") for _, reason in result.unmatched)

"""The buddy groups for a set of mentees and mentors, from the engine.

FALLBACK until `pairup.engine.buddies` (h-evengine) is merged: the exact assignment
(`engine.assign`, most matched first, then the best total) with capacities 1 or 2; for
"two only when mentors are short", first one mentee per mentor, then the mentees left
over assigned again to the mentors with one each, so trios appear only on a shortage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from pairup.engine import Ask, Mentor, Policy, assign

# The engine's reasons, in words an organiser reads.
UNMATCHED_WORDS = {
    "no eligible mentor": "no mentor they may be paired with (the program's pools, a "
    "reporting line, a block, or no language in common)",
    "every eligible mentor is full": "no mentor left: every mentor they may be paired "
    "with has their buddies already",
}


@dataclass(frozen=True)
class Group:
    mentor_id: int
    mentee_ids: tuple[int, ...]
    # Each mentee's score with the mentor, in the order of `mentee_ids`.
    scores: tuple[float, ...]

    @property
    def score(self) -> float:
        return round(sum(self.scores), 6)


@dataclass(frozen=True)
class Plan:
    groups: tuple[Group, ...]
    unmatched: tuple[tuple[int, str], ...]

    @property
    def total_score(self) -> float:
        return round(sum(g.score for g in self.groups), 6)


def _words(reason: str | None) -> str:
    reason = reason or "no eligible mentor"
    return UNMATCHED_WORDS.get(reason, reason)


def plan_buddies(
    mentees: Sequence[Ask], mentors: Sequence[Mentor], share: str, policy: Policy
) -> Plan:
    """Groups of one mentor and one or two mentees: `share` "1" one mentee per mentor,
    "2" up to two, "auto" two only when mentors are short."""
    policy = replace(policy, objective="most_matched")
    first_capacity = 2 if share == "2" else 1
    taken: dict[int, list[tuple[int, float]]] = {}
    left: list[Ask] = []
    reasons: dict[int, str | None] = {}
    pool = [replace(m, capacity=first_capacity, load=0) for m in mentors]
    by_id = {a.id: a for a in mentees}
    for a in assign(mentees, pool, policy):
        if a.mentor_id is None:
            left.append(by_id[a.ask_id])
            reasons[int(a.ask_id)] = a.unmatched_reason
        else:
            taken.setdefault(int(a.mentor_id), []).append((int(a.ask_id), a.score))
    if share == "auto" and left and mentors:
        # Only now, with mentors short, may a mentor take a second mentee.
        pool = [replace(m, capacity=1, load=0) for m in mentors]
        for a in assign(left, pool, policy):
            if a.mentor_id is not None:
                taken.setdefault(int(a.mentor_id), []).append((int(a.ask_id), a.score))
                reasons.pop(int(a.ask_id), None)
            elif reasons.get(int(a.ask_id)) != "no eligible mentor":
                reasons[int(a.ask_id)] = a.unmatched_reason
    groups = tuple(
        Group(
            mentor_id=int(m.id),
            mentee_ids=tuple(pk for pk, _ in sorted(taken[int(m.id)])),
            scores=tuple(score for _, score in sorted(taken[int(m.id)])),
        )
        for m in mentors
        if int(m.id) in taken
    )
    unmatched = tuple(
        (int(a.id), _words(reasons.get(int(a.id)))) for a in mentees if int(a.id) in reasons
    )
    return Plan(groups, unmatched)

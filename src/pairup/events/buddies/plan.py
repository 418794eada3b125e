"""The buddy groups for a set of mentees and mentors, from the engine's exact
`engine.buddies` (most mentees matched; with "auto", the fewest trios; then the best total
score), with its reasons put in words an organiser reads. Relevance is the events' one:
hybrid with the records' semantic index (`EventRecords.semantic()`), as a schedule's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, cast

from pairup.engine import Ask, Mentor, Policy, buddies
from pairup.engine.buddies import FULL, NO_ELIGIBLE, NO_LANGUAGE, NO_MENTORS
from pairup.engine.semantic import SemanticIndex

UNMATCHED_WORDS = {
    NO_MENTORS: "no mentor registered",
    NO_LANGUAGE: "no mentor they may be paired with: none shares a language with them",
    NO_ELIGIBLE: "no mentor they may be paired with (the program's pools, a reporting line, "
    "a block, or no language in common)",
    FULL: "no mentor left: every mentor they may be paired with has their buddies already",
}


@dataclass(frozen=True)
class Group:
    mentor_id: int
    mentee_ids: tuple[int, ...]
    # The group's score, as the engine gives it: the sum of its pairs' scores.
    score: float

    @property
    def seat_scores(self) -> tuple[float, ...]:
        """A score per seat: the group's shared evenly (the engine scores groups)."""
        share = round(self.score / len(self.mentee_ids), 6)
        return (share,) * len(self.mentee_ids)


@dataclass(frozen=True)
class Plan:
    groups: tuple[Group, ...]
    unmatched: tuple[tuple[int, str], ...]
    total_score: float


def plan_buddies(
    mentees: Sequence[Ask],
    mentors: Sequence[Mentor],
    share: str,
    policy: Policy,
    *,
    semantic: SemanticIndex | None = None,
) -> Plan:
    """Groups of one mentor and one or two mentees: `share` "1" one mentee per mentor,
    "2" up to two, "auto" two only when mentors are short. `semantic`: the mentors' vectors
    (the records' `semantic()`; None: lexical relevance)."""
    plan = buddies(
        mentees, mentors, cast(Literal["1", "2", "auto"], share), policy, semantic=semantic
    )
    return Plan(
        groups=tuple(
            Group(int(g.mentor_id), tuple(int(pk) for pk in g.mentee_ids), g.score)
            for g in plan.groups
        ),
        unmatched=tuple(
            (int(u.mentee_id), UNMATCHED_WORDS.get(u.reason, u.reason)) for u in plan.unmatched
        ),
        total_score=plan.total_score,
    )

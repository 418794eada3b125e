"""buddies(mentees, mentors, share, policy, semantic=) -> conference buddies (`BuddyPlan`).

Each mentee gets at most one buddy mentor for the span of a conference; each mentor takes
one mentee (share "1"), up to two ("2"), or two only when mentees outnumber mentors
("auto"). Pairs are scored as `assign` scores them (topics, relevance, languages, sites
through the policy's weights and `cross_site_bonus`; hybrid relevance with `semantic`, the
mentors' `SemanticIndex`, lexical without) and obey the same hard rules (`exclude`, a
shared language); capacity, load caps and `min_score` are about asks and are ignored, as in
rotations.

Priorities, lexicographic and exact:

1. the most mentees matched;
2. ("auto" only) the fewest mentors with two mentees: everyone who can have a mentor of
   their own gets one before anyone shares;
3. the highest total score (pair scores quantised by ROTATION_QUANTUM = 1e-4).

Method: one min-cost maximum flow (mentee -> mentor unit arcs costing -q, mentor -> sink
by a free first seat and, when sharing is allowed, a second seat costing T in "auto";
T = 2 (min(n_e, n_m) + 1) max|q| + 1 exceeds the score change along any residual cycle,
so a cheaper flow of the same size never trades a trio for score). People are put in id
order first, so the same people give the same plan whatever order they came in, and among
equally good plans the lower mentee ids are matched first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from ortools.graph.python import min_cost_flow

from pairup.engine.records import (
    Ask,
    BuddyGroup,
    BuddyPlan,
    BuddyUnmatched,
    Mentor,
    Policy,
    id_key,
)
from pairup.engine.rotations import ROTATION_QUANTUM, pair_scores
from pairup.engine.scoring import shares_language
from pairup.engine.semantic import SemanticIndex

Share = Literal["1", "2", "auto"]

NO_MENTORS = "no mentors registered"
NO_LANGUAGE = "no mentor shares a language"
NO_ELIGIBLE = "no eligible mentor"
FULL = "every eligible mentor is full"


def buddies(
    mentees: Sequence[Ask],
    mentors: Sequence[Mentor],
    share: Share,
    policy: Policy | None = None,
    *,
    semantic: SemanticIndex | None = None,
) -> BuddyPlan:
    """The exact best buddy plan under the priorities in the module docstring: groups in
    mentor id order (mentees in id order), unmatched mentees in id order with the reason.
    `semantic`: the mentors' vectors for hybrid relevance (`semantic.semantic_index`), as
    `rotations` and `tables` take it; None scores by words alone."""
    if share not in ("1", "2", "auto"):
        raise ValueError("share must be '1', '2' or 'auto'")
    policy = policy or Policy()
    mentees = sorted(mentees, key=lambda a: id_key(a.id))
    mentors = sorted(mentors, key=lambda m: id_key(m.id))
    n_e, n_m = len(mentees), len(mentors)
    scores, allowed, _ = pair_scores(mentees, mentors, policy, semantic)
    two = share == "2" or (share == "auto" and n_e > n_m)
    ei, mi = np.nonzero(allowed)
    match = np.full(n_e, -1, dtype=np.int64)
    if len(ei):
        q = np.rint(scores[ei, mi] / ROTATION_QUANTUM).astype(np.int64)
        # Ties go to lower mentee ids: a term below one quantum in total (as in `tables`);
        # without it if the costs then leave the solver's integer range.
        chosen = None
        for tie in (True, False):
            w = q * (n_e * n_e + 1) + (n_e - ei) if tie else q
            trio = 2 * (min(n_e, n_m) + 1) * int(np.abs(w).max()) + 1 if share == "auto" else 0
            chosen = _flow(ei, mi, w, n_e, n_m, two, trio)
            if chosen is not None:
                break
        if chosen is None:
            raise RuntimeError("buddy flow failed")
        match[ei[chosen]] = mi[chosen]
    groups = []
    for j in sorted(set(match[match >= 0].tolist())):
        guests = np.flatnonzero(match == j).tolist()
        score = round(float(sum(scores[i, j] for i in guests)), 6)
        groups.append(BuddyGroup(mentors[j].id, tuple(mentees[i].id for i in guests), score))
    unmatched = tuple(
        BuddyUnmatched(mentees[i].id, _reason(mentees[i], mentors, allowed[i], policy))
        for i in np.flatnonzero(match < 0).tolist()
    )
    return BuddyPlan(tuple(groups), unmatched, round(sum(g.score for g in groups), 6))


def _flow(
    ei: np.ndarray, mi: np.ndarray, q: np.ndarray, n_e: int, n_m: int, two: bool, trio: int
) -> np.ndarray | None:
    """Mask of the pairs (ei, mi) in the min-cost maximum flow of the module docstring; None
    when the solver fails (e.g. costs out of its range)."""
    sink = n_e + n_m
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(
        ei.astype(np.int64), n_e + mi.astype(np.int64), np.ones(len(ei), dtype=np.int64), -q
    )
    hosts = n_e + np.arange(n_m, dtype=np.int64)
    smcf.add_arcs_with_capacity_and_unit_cost(
        hosts,
        np.full(n_m, sink, dtype=np.int64),
        np.ones(n_m, dtype=np.int64),
        np.zeros(n_m, dtype=np.int64),
    )
    if two:
        smcf.add_arcs_with_capacity_and_unit_cost(
            hosts,
            np.full(n_m, sink, dtype=np.int64),
            np.ones(n_m, dtype=np.int64),
            np.full(n_m, trio, dtype=np.int64),
        )
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[:n_e] = 1
    supplies[sink] = -n_e
    smcf.set_nodes_supplies(np.arange(sink + 1), supplies)
    if smcf.solve_max_flow_with_min_cost() != smcf.OPTIMAL:
        return None
    return np.asarray(smcf.flows(np.arange(len(ei)))) > 0


def _reason(mentee: Ask, mentors: Sequence[Mentor], allowed: np.ndarray, policy: Policy) -> str:
    """Why an unmatched mentee has no buddy."""
    if not mentors:
        return NO_MENTORS
    if policy.require_shared_language and not any(
        shares_language(mentee.languages, m.languages) for m in mentors
    ):
        return NO_LANGUAGE
    if not allowed.any():
        return NO_ELIGIBLE
    return FULL

"""recommend(ask, mentors, k, policy) -> the k best eligible mentors, exactly, with reasons.

Index once, query many times:

    index = MentorIndex(mentors, policy)
    for ask in asks:
        suggestions = recommend(ask, index, k=10)

The search scores exactly the mentors with relevance evidence plus the best `L` others by
an upper bound of their score (`ScoredAsk.bound`), and doubles `L` until the k-th exact
score beats the bound of every mentor not yet scored. Ties are broken by mentor id.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pairup.engine.records import Ask, Mentor, Policy, Suggestion
from pairup.engine.scoring import MentorIndex, ScoredAsk


def as_index(mentors: MentorIndex | Sequence[Mentor], policy: Policy | None) -> MentorIndex:
    if isinstance(mentors, MentorIndex):
        if policy is not None and policy != mentors.policy:
            return MentorIndex(mentors.mentors, policy)
        return mentors
    return MentorIndex(mentors, policy)


def top_candidates(
    scored: ScoredAsk, k: int, start: int = 16
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Exact top-k eligible mentors of one ask.

    Returns (positions, scores, every exactly-scored position, bound on any unscored mentor);
    positions are ordered best first, ties by id. The bound is -inf once everyone is scored.
    """
    index = scored.index
    n = len(index)
    bound = scored.bound()
    bound = np.where(index.open, bound, -np.inf)
    rel_set = scored.relevance_set()
    outside = bound.copy()
    outside[rel_set] = -np.inf
    live = int(np.isfinite(outside).sum())
    take = min(max(start, k), live)
    while True:
        if take < live:
            part = np.argpartition(-outside, take)[: take + 1]
            # Order by bound, ties by id, so the (take+1)-th is the best unscored one.
            part = part[np.lexsort((index.id_rank[part], -outside[part]))]
            extra, rest = part[:take], float(outside[part[take]])
        else:
            extra, rest = np.flatnonzero(np.isfinite(outside)), -np.inf
        cand = np.union1d(rel_set, extra).astype(np.int64)
        scores, ok = scored.score(cand)
        cand, scores = cand[ok], scores[ok]
        order = np.lexsort((index.id_rank[cand], -scores))
        cand, scores = cand[order], scores[order]
        if len(cand) >= k and scores[k - 1] > rest or rest == -np.inf or take >= n:
            return cand[:k], scores[:k], cand, rest
        take = min(take * 4, live)


def recommend(
    ask: Ask,
    mentors: MentorIndex | Sequence[Mentor],
    k: int = 10,
    policy: Policy | None = None,
) -> list[Suggestion]:
    """The k best eligible mentors for `ask`, best first, with components and reasons."""
    index = as_index(mentors, policy)
    if k <= 0 or len(index) == 0:
        return []
    scored = index.score_ask(ask)
    best, scores, _, _ = top_candidates(scored, k)
    return [
        Suggestion(
            mentor_id=index.mentors[m].id,
            score=round(float(s), 6),
            components={c: round(v, 6) for c, v in scored.components(int(m)).items()},
            reasons=scored.reasons(int(m)),
        )
        for m, s in zip(best, scores, strict=True)
    ]

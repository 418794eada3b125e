"""recommend(ask, mentors, k, policy) -> the k best eligible mentors, exactly, with reasons.

Index once, query many times:

    index = MentorIndex(mentors, policy)
    for ask in asks:
        suggestions = recommend(ask, index, k=10)

The search scores exactly the mentors with relevance evidence plus the best `L` others by
an upper bound of their score (`ScoredAsk.bound`), and doubles `L` until the k-th exact
score beats the bound of every mentor not yet scored. Ties are broken by mentor id; in
hybrid mode first by the cosine of the mentor's closest document to the ask
(`ScoredAsk.nearest`), so the mentors left without relevance (every document below the
cosine floor, no shared word) are still ordered by how near they come, as `recommend` with
k = every mentor lists them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pairup.engine.records import Ask, Mentor, Policy, Suggestion
from pairup.engine.scoring import MentorIndex, ScoredAsk
from pairup.engine.semantic import member


def as_index(mentors: MentorIndex | Sequence[Mentor], policy: Policy | None) -> MentorIndex:
    if isinstance(mentors, MentorIndex):
        if policy is not None and policy != mentors.policy:
            return MentorIndex(mentors.mentors, policy, semantic=mentors.semantic)
        return mentors
    return MentorIndex(mentors, policy)


def top_candidates(
    scored: ScoredAsk, k: int, start: int = 16
) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
    """Exactly scored eligible mentors of one ask, best first (ties: the nearest cosine in
    hybrid mode, then id), whose first k are the exact top k.

    Returns (positions, scores, bound on the score of any mentor not scored, every scored
    position). The bound is -inf once all are scored.
    """
    index = scored.index
    group = scored.group
    rel_set = scored.relevance_set()
    n = len(index)
    take = max(start, k)
    while True:
        window = group.head(take + len(rel_set) + 1)
        outside = window[~member(window, rel_set)] if len(rel_set) else window
        after = float(group.bound_of(outside[take : take + 1])[0]) if len(outside) > take else 0.0
        if len(outside) > take and np.isfinite(after):
            extra, rest = outside[:take], after
        else:
            extra, rest = outside, -np.inf
        everyone = cand = np.union1d(rel_set, extra).astype(np.int64)
        scores, ok = scored.score(cand)
        cand, scores = cand[ok], scores[ok]
        if scored.nearest is None:
            ranked = np.lexsort((index.id_rank[cand], -scores))
        else:  # hybrid: equal scores by the nearest cosine of the mentor's evidence, then id
            ranked = np.lexsort((index.id_rank[cand], -scored.nearest[cand], -scores))
        cand, scores = cand[ranked], scores[ranked]
        if (len(cand) >= k and scores[k - 1] > rest) or rest == -np.inf or take >= n:
            return cand, scores, rest, everyone
        take *= 4


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
    scored = index.score_ask(ask, wanted=k)
    best, scores, _, _ = top_candidates(scored, k)
    best, scores = best[:k], scores[:k]
    return [
        Suggestion(
            mentor_id=index.mentors[m].id,
            score=round(float(s), 6),
            components={c: round(v, 6) for c, v in scored.components(int(m)).items()},
            reasons=scored.reasons(int(m)),
            topical=scored.topical(int(m)),
        )
        for m, s in zip(best, scores, strict=True)
    ]

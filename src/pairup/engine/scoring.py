"""Scoring (ask, mentor) pairs as a sum of named components, and explaining them in words.

`MentorIndex(mentors, policy)` indexes the mentors once (text, topics, load, windows); then
`index.score_ask(ask)` prepares one ask and `ScoredAsk.score(idx)` gives exact scores of
any mentors for it. Components (each in [0, 1]):

- relevance: the `policy.evidence_items` documents most similar to the ask's text under
  BM25 (normalised by the ask's ideal BM25, so comparable across asks) vote for the mentor
  who owns them; documents are the mentor's past asks (`history`, weighted by
  `HistoryItem.weight`) and their profile (`text`, weighted `policy.profile_weight`).
  relevance = 1 - exp(-votes / policy.relevance_saturation).
- topics: taxonomy-aware overlap (see `pairup.engine.topics`).
- availability: common free window (see `pairup.engine.availability`).
- load: load / (load + capacity), subtracted.
- cross_site: 1 when both sites are known and differ.

A mentor scores 0 on relevance unless one of its documents is among the ask's evidence
documents; every other component is cheap and computed for all mentors, which gives each
ask an exact upper bound on the score of the mentors outside its relevance set
(`ScoredAsk.bound`). The search for the best mentors is exact because of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pairup.engine import availability as av
from pairup.engine.records import Ask, HistoryItem, Id, Mentor, Policy, id_key
from pairup.engine.text import TextIndex
from pairup.engine.topics import TopicTable, explain_topics

COMPONENTS = ("relevance", "topics", "availability", "load", "cross_site")


def _langs(values: tuple[str, ...]) -> frozenset[str]:
    return frozenset(v.strip().lower() for v in values if v.strip())


class MentorIndex:
    """Everything about the mentors that does not depend on an ask, built once."""

    def __init__(self, mentors: Sequence[Mentor], policy: Policy | None = None) -> None:
        self.policy = policy = policy or Policy()
        self.mentors = tuple(mentors)
        n = len(self.mentors)
        self.position: dict[Id, int] = {}
        for i, m in enumerate(self.mentors):
            if m.id in self.position:
                raise ValueError(f"duplicate mentor id {m.id!r}")
            self.position[m.id] = i
        order = sorted(range(n), key=lambda i: id_key(self.mentors[i].id))
        self.id_rank = np.empty(n, dtype=np.int64)
        self.id_rank[order] = np.arange(n)
        # Documents: profile text then history items, each owned by one mentor.
        docs: list[str] = []
        owner: list[int] = []
        weight: list[float] = []
        is_history: list[bool] = []
        for i, m in enumerate(self.mentors):
            if m.text.strip():
                docs.append(m.text)
                owner.append(i)
                weight.append(policy.profile_weight)
                is_history.append(False)
            for h in m.history:
                item = h if isinstance(h, HistoryItem) else HistoryItem(h)
                if item.text.strip() and item.weight > 0:
                    docs.append(item.text)
                    owner.append(i)
                    weight.append(item.weight)
                    is_history.append(True)
        self.text = TextIndex(docs, k1=policy.bm25_k1, b=policy.bm25_b)
        self.doc_owner = np.asarray(owner, dtype=np.int64)
        self.doc_weight = np.asarray(weight, dtype=np.float64)
        self.doc_is_history = np.asarray(is_history, dtype=bool)
        self.topics = TopicTable([m.topics for m in self.mentors], policy)
        cap = np.array([np.inf if m.capacity is None else m.capacity for m in self.mentors])
        self.capacity = cap
        load = np.array([float(m.load) for m in self.mentors])
        denom = load + np.where(np.isinf(cap), policy.nominal_capacity, cap)
        self.load_ratio = np.divide(load, denom, out=np.zeros(n), where=denom > 0)
        self.langs = [_langs(m.languages) for m in self.mentors]
        sites = sorted({m.site for m in self.mentors if m.site})
        self.site_ids = {s: k + 1 for k, s in enumerate(sites)}
        self.site = np.array([self.site_ids.get(m.site, 0) for m in self.mentors], dtype=np.int64)
        self.spans = [av.prepare(m.free, policy) for m in self.mentors]
        self.free_known = np.array([s is not None for s in self.spans], dtype=bool)
        self.longest = np.array([av.longest(s) for s in self.spans])
        # Static part of every score and the availability upper bound.
        self.static = -policy.load_weight * self.load_ratio
        self.avail_ub = np.where(self.free_known, 1.0, policy.availability_unknown)
        self.open = cap > 0

    def __len__(self) -> int:
        return len(self.mentors)

    def score_ask(self, ask: Ask) -> ScoredAsk:
        return ScoredAsk(self, ask)


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why relevance is what it is: similar past asks and whether the profile matched."""

    similar: int
    profile: bool


class ScoredAsk:
    """One ask prepared against a `MentorIndex`: relevance votes, topic vector, bound."""

    def __init__(self, index: MentorIndex, ask: Ask) -> None:
        self.index, self.ask = index, ask
        policy = index.policy
        self.relevance = self._relevance(ask.text)
        self.topic_scores = index.topics.scores(ask.topics)
        ask_site = index.site_ids.get(ask.site, -1) if ask.site else 0
        self.cross = (index.site != 0) & (ask_site != 0) & (index.site != ask_site)
        self.spans = av.prepare(ask.free, policy)
        self.langs = _langs(ask.languages)
        self.excluded = {index.position[x] for x in ask.exclude if x in index.position}
        # Exact for everything but relevance (0 outside `relevance`) and availability (bound).
        self.base = (
            index.static
            + policy.topic_weight * self.topic_scores
            + policy.cross_site_bonus * self.cross
        )

    def _relevance(self, text: str) -> dict[int, tuple[float, Evidence]]:
        index, policy = self.index, self.index.policy
        out: dict[int, tuple[float, Evidence]] = {}
        if index.text.n_docs == 0 or not text.strip():
            return out
        ids, w = index.text.query_terms(text)
        if len(ids) == 0:
            return out
        mat = index.text.matrix
        starts, ends = mat.indptr[ids], mat.indptr[ids + 1]
        rows = np.concatenate([mat.indices[s:e] for s, e in zip(starts, ends, strict=True)])
        vals = np.concatenate(
            [mat.data[s:e] * wt for s, e, wt in zip(starts, ends, w, strict=True)]
        )
        if len(rows) == 0:
            return out
        docs, inv = np.unique(rows, return_inverse=True)
        sims = np.bincount(inv, weights=vals) / index.text.ideal(ids, w)
        votes = sims * index.doc_weight[docs]
        n = policy.evidence_items
        if len(docs) > n:
            # Deterministic: highest vote first, then lowest document number.
            top = np.lexsort((docs, -votes))[:n]
            docs, sims, votes = docs[top], sims[top], votes[top]
        owners = index.doc_owner[docs]
        best = float(sims[index.doc_is_history[docs]].max(initial=0.0))
        for m in np.unique(owners):
            mask = owners == m
            total = float(votes[mask].sum())
            hist = index.doc_is_history[docs[mask]]
            similar = int(((sims[mask] >= 0.5 * best) & hist).sum()) if best > 0 else 0
            rel = 1.0 - float(np.exp(-total / policy.relevance_saturation))
            out[int(m)] = (rel, Evidence(similar, bool((~hist).any())))
        return out

    def bound(self) -> np.ndarray:
        """Upper bound of every mentor's score, exact-valued except for relevance/availability."""
        policy = self.index.policy
        return self.base + policy.availability_weight * self.index.avail_ub

    def relevance_set(self) -> np.ndarray:
        return np.fromiter(self.relevance.keys(), dtype=np.int64, count=len(self.relevance))

    def eligible(self, idx: np.ndarray) -> np.ndarray:
        """Hard rules except min_score: capacity left, not excluded, a shared language."""
        index = self.index
        ok = index.open[idx].copy()
        if self.excluded:
            ok &= ~np.isin(idx, list(self.excluded))
        if self.langs and index.policy.require_shared_language:
            for k, m in enumerate(idx):
                langs = index.langs[m]
                if ok[k] and langs and not (langs & self.langs):
                    ok[k] = False
        return ok

    def availability(self, m: int) -> tuple[float, av.Span | None]:
        return av.availability(
            self.spans, self.index.spans[m], self.ask.duration, self.index.policy
        )

    def score(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(exact scores, eligible mask incl. min_score) of the mentors at positions `idx`."""
        index, policy = self.index, self.index.policy
        rel = np.array([self.relevance.get(int(m), (0.0, None))[0] for m in idx])
        avail = np.where(index.free_known[idx], 0.0, policy.availability_unknown)
        for k, m in enumerate(idx):
            if index.free_known[m]:
                avail[k] = self.availability(int(m))[0]
        scores = self.base[idx] + policy.relevance_weight * rel + policy.availability_weight * avail
        ok = self.eligible(idx) & (scores >= policy.min_score)
        return scores, ok

    def components(self, m: int) -> dict[str, float]:
        index = self.index
        return {
            "relevance": self.relevance.get(m, (0.0, None))[0],
            "topics": float(self.topic_scores[m]),
            "availability": self.availability(m)[0],
            "load": float(index.load_ratio[m]),
            "cross_site": float(self.cross[m]),
        }

    def reasons(self, m: int) -> tuple[str, ...]:
        """Sentences a person reads, most telling first."""
        index, policy = self.index, self.index.policy
        mentor = index.mentors[m]
        out = explain_topics(self.ask.topics, mentor.topics, policy)
        ev = self.relevance.get(m, (0.0, None))[1]
        if ev is not None:
            if ev.similar == 1:
                out.append("Has helped with 1 similar ask")
            elif ev.similar > 1:
                out.append(f"Has helped with {ev.similar} similar asks")
            if ev.profile:
                out.append("Their profile matches your ask")
        value, window = self.availability(m)
        if window is not None:
            out.append(av.describe_window(window, self.ask.timezone))
        elif index.free_known[m] and value == 0.0:
            out.append("No common free time soon")
        if self.cross[m] and policy.cross_site_bonus > 0:
            out.append("At another site")
        cap = index.capacity[m]
        if mentor.capacity is None:
            if mentor.load:
                noun = "session" if mentor.load == 1 else "sessions"
                out.append(f"Has {mentor.load} {noun} this month")
        else:
            total = int(mentor.load + cap)
            out.append(f"Has {mentor.load} of {total} sessions this month")
        return tuple(out)

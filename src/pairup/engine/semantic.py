"""Hybrid relevance: sentence-embedding similarity with the lexical (BM25) relevance, on one
fixed scale.

    sem = semantic_index(mentors, embedder, store)      # embeds what the store lacks
    index = MentorIndex(mentors, policy, semantic=sem)   # recommend, assign, ... use it

Every text is one unit vector (`embedding.embed_documents`: chunks that fit the model's
window, averaged). With c = the cosine of the ask to a document and
s(c) = clip((c - COS_LOW) / (COS_HIGH - COS_LOW), 0, 1) (fixed cosines, the same for every
ask and every collection), for an ask and a mentor:

- closeness C = s(the cosine of the ask to the mentor's closest past ask or profile): how
  near the mentor's best evidence is, for every mentor (a graded order of all of them);
- semantic votes V = 1 - exp(-sum(weight * s(c)) / VOTE_SATURATION) over the mentor's past
  asks among the ask's `policy.evidence_items` nearest past asks (ties: lower document
  number): how much of the ask's neighbourhood the mentor has helped with, the same
  evidence-voting as the lexical relevance, saturating so a busy mentor's count does not
  run away;
- relevance = W_CLOSE * C + W_VOTES * V + W_LEXICAL * L, L the lexical relevance
  (`scoring`). The weights add up to 1 and every part lies in [0, 1] on a scale that does
  not depend on the other mentors or asks, so relevance does too: scores stay comparable
  across asks and `assign`'s sums keep their meaning.

Cosines are rounded to COS_GRID first, so one ask scored alone and in a batch (matrix
products of other shapes) gives the same relevance. A mentor with relevance > 0 is in the
ask's relevance set; COS_LOW keeps texts that share nothing out of it.

The reason a person reads names the closest past ask when its cosine reaches SIMILAR_COS:
"Helped with a similar ask: '…'".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from pairup.engine.embedding import Embedder, VectorStore, embed_documents, text_key
from pairup.engine.records import HistoryItem, Id, Mentor

COS_LOW = 0.15
COS_HIGH = 0.85
VOTE_SATURATION = 1.0
W_CLOSE = 0.3
W_VOTES = 0.4
W_LEXICAL = 0.3
SIMILAR_COS = 0.5
# `similarities`' item for "no past ask named, the profile reaches SIMILAR_COS".
PROFILE_CLOSE = -2
COS_GRID = 2.0**-16
# Asks whose vectors are kept in memory by one SemanticIndex (the store keeps them all).
ASK_MEMORY = 200_000

Progress = Callable[[Iterable[Any], int, str], Iterator[Any]]


class SemanticIndex:
    """Every mentor's profile and past-ask vectors, and the means to embed asks.

    Documents are grouped by mentor in the mentors' order: `doc_owner[d]` is the position
    of document d's mentor in `mentors`, `doc_item[d]` its position in the mentor's history
    (-1 for the profile)."""

    def __init__(
        self,
        mentors: Sequence[Mentor],
        embedder: Embedder,
        store: VectorStore | None = None,
        *,
        progress: Progress | None = None,
        batch: int = 2048,
    ) -> None:
        self.embedder, self.store = embedder, store
        self.version = embedder.version
        self.ids: tuple[Id, ...] = tuple(m.id for m in mentors)
        texts: list[str] = []
        owner: list[int] = []
        item: list[int] = []
        weight: list[float] = []
        for i, m in enumerate(mentors):
            if m.text.strip():
                texts.append(m.text)
                owner.append(i)
                item.append(-1)
                weight.append(0.0)
            for j, h in enumerate(m.history):
                entry = h if isinstance(h, HistoryItem) else HistoryItem(h)
                if entry.text.strip() and entry.weight > 0:
                    texts.append(entry.text)
                    owner.append(i)
                    item.append(j)
                    weight.append(entry.weight)
        self.doc_owner = np.asarray(owner, dtype=np.int64)
        self.doc_item = np.asarray(item, dtype=np.int64)
        self.doc_weight = np.asarray(weight, dtype=np.float64)
        self.doc_text = texts
        spans = range(0, len(texts), batch)
        parts: Iterable[int] = spans
        if progress is not None and len(spans) > 1:
            parts = progress(spans, len(spans), "embedding mentors")
        blocks = [embed_documents(embedder, texts[lo : lo + batch], store) for lo in parts]
        self.doc_vecs = (
            np.concatenate(blocks) if blocks else np.zeros((0, embedder.dim), dtype=np.float32)
        )
        self._asks: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, mentors: Sequence[Mentor]) -> SemanticIndex:
        """The index of some of these mentors (e.g. those eligible for a run), in their
        order, without encoding anything; KeyError naming a mentor it does not have."""
        where = {x: k for k, x in enumerate(self.ids)}
        missing = [m.id for m in mentors if m.id not in where]
        if missing:
            raise KeyError(f"mentor {missing[0]!r} is not in the semantic index")
        new = object.__new__(SemanticIndex)
        new.embedder, new.store, new.version = self.embedder, self.store, self.version
        new.ids = tuple(m.id for m in mentors)
        rank = np.full(len(self.ids), -1, dtype=np.int64)
        rank[[where[m.id] for m in mentors]] = np.arange(len(mentors))
        keep = np.flatnonzero(rank[self.doc_owner] >= 0)
        keep = keep[np.argsort(rank[self.doc_owner[keep]], kind="stable")]
        new.doc_owner = rank[self.doc_owner[keep]]
        new.doc_item = self.doc_item[keep]
        new.doc_weight = self.doc_weight[keep]
        new.doc_text = [self.doc_text[d] for d in keep.tolist()]
        new.doc_vecs = self.doc_vecs[keep]
        new._asks = self._asks
        return new

    def ask_vectors(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of ask texts (zeros for a blank one), through the store, kept in
        memory for the next call."""
        keys = [text_key(t) for t in texts]
        missing = sorted(
            {k: t for k, t in zip(keys, texts, strict=True) if k not in self._asks}.items()
        )
        if missing:
            if len(self._asks) + len(missing) > ASK_MEMORY:
                self._asks.clear()
            vecs = embed_documents(self.embedder, [t for _, t in missing], self.store)
            self._asks.update({k: v for (k, _), v in zip(missing, vecs, strict=True)})
        out = np.zeros((len(texts), self.embedder.dim), dtype=np.float32)
        for i, k in enumerate(keys):
            out[i] = self._asks[k]
        return out

    def similarities(
        self, ask_vecs: np.ndarray, positions: np.ndarray, evidence_items: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """(R, item) for asks x mentors: the semantic part of relevance,
        (W_CLOSE * C + W_VOTES * V) / (W_CLOSE + W_VOTES) in [0, 1], of every mentor for each
        ask, and the history item closest to the ask (-1: none at SIMILAR_COS; PROFILE_CLOSE:
        none, but the profile is). Column
        `positions[k]` holds this index's mentor k."""
        n_a, n_m = len(ask_vecs), len(self.ids)
        width = int(positions.max(initial=-1)) + 1
        out = np.zeros((n_a, width))
        item_out = np.full((n_a, width), -1, dtype=np.int64)
        if n_a == 0 or len(self.doc_owner) == 0:
            return out, item_out
        cos = np.rint((self.doc_vecs @ ask_vecs.T).T.astype(np.float64) / COS_GRID) * COS_GRID
        cos[~ask_vecs.any(axis=1)] = -1.0  # a blank ask is close to nothing
        owner, hist = self.doc_owner, self.doc_item >= 0
        close = np.full((n_a, n_m), -1.0)
        # Closest document per mentor: documents are grouped by mentor, in order.
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        close[:, owner[starts]] = np.maximum.reduceat(cos, starts, axis=1)
        h_docs = np.flatnonzero(hist)
        item = np.full((n_a, n_m), -1, dtype=np.int64)
        votes = np.zeros((n_a, n_m))
        if len(h_docs):
            h_cos = cos[:, h_docs]
            h_owner = owner[h_docs]
            # The closest past ask of each mentor (ties: the earlier item).
            h_starts = np.flatnonzero(np.r_[True, h_owner[1:] != h_owner[:-1]])
            best = np.maximum.reduceat(h_cos, h_starts, axis=1)
            for r in range(n_a):
                at = h_cos[r] == np.repeat(best[r], np.diff(np.r_[h_starts, len(h_docs)]))
                first = np.flatnonzero(at)
                first = first[np.r_[True, h_owner[first[1:]] != h_owner[first[:-1]]]]
                named = h_cos[r, first] >= SIMILAR_COS
                item[r, h_owner[first[named]]] = self.doc_item[h_docs[first[named]]]
            # Votes of the evidence_items nearest past asks.
            weights = self.doc_weight[h_docs]
            n = min(evidence_items, len(h_docs))
            for r in range(n_a):
                row = h_cos[r]
                if n < len(row):
                    cut = np.partition(row, len(row) - n)[len(row) - n]
                    sel = np.flatnonzero(row >= cut)
                    if len(sel) > n:  # ties at the cut: the lower documents
                        sel = sel[np.lexsort((sel, -row[sel]))[:n]]
                else:
                    sel = np.arange(len(row))
                v = weights[sel] * closeness(row[sel])
                votes[r] = np.bincount(h_owner[sel], weights=v, minlength=n_m)
        # No past ask named but a profile this close: the profile is the reason (-2).
        p_docs = np.flatnonzero(~hist)
        profile = np.full((n_a, n_m), -1.0)
        profile[:, owner[p_docs]] = cos[:, p_docs]
        item[(item == -1) & (profile >= SIMILAR_COS)] = PROFILE_CLOSE
        semantic = W_CLOSE * closeness(close) + W_VOTES * (1.0 - np.exp(-votes / VOTE_SATURATION))
        out[:, positions] = semantic / (W_CLOSE + W_VOTES)
        item_out[:, positions] = item
        return out, item_out


def closeness(cos: np.ndarray) -> np.ndarray:
    """s(c) = clip((c - COS_LOW) / (COS_HIGH - COS_LOW), 0, 1)."""
    return np.clip((cos - COS_LOW) / (COS_HIGH - COS_LOW), 0.0, 1.0)


def semantic_index(
    mentors: Sequence[Mentor],
    embedder: Embedder,
    store: VectorStore | None = None,
    *,
    progress: Progress | None = None,
) -> SemanticIndex:
    """The vectors of every profile and past ask of `mentors` (only those `store` lacks are
    encoded), for `MentorIndex(mentors, policy, semantic=...)`."""
    return SemanticIndex(mentors, embedder, store, progress=progress)


def combine(semantic: np.ndarray, lexical: np.ndarray) -> np.ndarray:
    """Hybrid relevance on the fixed scale from the semantic part (`similarities`) and the
    lexical relevance: W_CLOSE * C + W_VOTES * V + W_LEXICAL * L."""
    return np.asarray((W_CLOSE + W_VOTES) * semantic + W_LEXICAL * lexical)


def similar_ask_reason(text: str, limit: int = 80) -> str:
    """'Helped with a similar ask: "…"', the ask cut at a word near `limit` characters."""
    flat = " ".join(text.split())
    if len(flat) > limit:
        cut = flat[:limit].rsplit(" ", 1)[0] or flat[:limit]
        flat = cut.rstrip(" ,.;:") + "…"
    return f"Helped with a similar ask: ‘{flat}’"

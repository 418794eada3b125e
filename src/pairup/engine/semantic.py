"""Hybrid relevance: sentence-embedding similarity with the lexical (BM25) relevance, on one
fixed scale.

    sem = semantic_index(mentors, embedder, store)      # embeds what the store lacks
    index = MentorIndex(mentors, policy, semantic=sem)   # recommend, assign, ... use it

For an ask and a mentor (every vector is one text's unit vector, `embedding.embed_documents`):

- history similarity H = the mean cosine of the ask to the mentor's TOP_ITEMS most similar
  past asks (fewer when they have fewer): a few close past asks, not one centroid of all;
- profile similarity P = the cosine of the ask to the mentor's profile text;
- semantic relevance S = clip((max(H, P) - COS_LOW) / (COS_HIGH - COS_LOW), 0, 1): fixed
  cosines, the same for every ask and every collection, so S is comparable across asks;
- relevance = SEMANTIC_SHARE * S + (1 - SEMANTIC_SHARE) * L, where L is the lexical relevance
  (`scoring`), itself on a fixed scale. Both lie in [0, 1], so relevance does too, and the
  score components and `assign`'s sums keep their meaning.

Cosines are rounded to COS_GRID before they are combined, so one ask scored alone and in a
batch (matrix products of other shapes) gives the same relevance. A mentor with relevance
> 0 is in the ask's relevance set; COS_LOW keeps texts that share nothing out of it, so
batch matching stays sparse on unrelated asks.

The reason a person reads names the closest past ask when its cosine reaches SIMILAR_COS:
"Helped with a similar ask: '…'".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from pairup.engine.embedding import Embedder, VectorStore, embed_documents, text_key
from pairup.engine.records import HistoryItem, Id, Mentor

TOP_ITEMS = 3
COS_LOW = 0.15
COS_HIGH = 0.85
SEMANTIC_SHARE = 0.7
SIMILAR_COS = 0.5
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
        for i, m in enumerate(mentors):
            if m.text.strip():
                texts.append(m.text)
                owner.append(i)
                item.append(-1)
            for j, h in enumerate(m.history):
                entry = h if isinstance(h, HistoryItem) else HistoryItem(h)
                if entry.text.strip() and entry.weight > 0:
                    texts.append(entry.text)
                    owner.append(i)
                    item.append(j)
        self.doc_owner = np.asarray(owner, dtype=np.int64)
        self.doc_item = np.asarray(item, dtype=np.int64)
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
        self, ask_vecs: np.ndarray, positions: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(S, item) for asks x mentors: semantic relevance in [0, 1] of every mentor for
        each ask (columns in this index's mentor order), and the history item most similar
        to the ask (-1: none at SIMILAR_COS). `positions[k]` maps this index's mentor k to
        the column it fills."""
        n_a, n_m = len(ask_vecs), len(self.ids)
        sem = np.zeros((n_a, n_m))
        best_item = np.full((n_a, n_m), -1, dtype=np.int64)
        if n_a == 0 or len(self.doc_owner) == 0:
            return sem, best_item
        cos = np.rint((ask_vecs @ self.doc_vecs.T).astype(np.float64) / COS_GRID) * COS_GRID
        blank = ~ask_vecs.any(axis=1)
        cos[blank] = -1.0
        hist = self.doc_item >= 0
        owner = self.doc_owner
        # Profile similarity.
        prof_docs = np.flatnonzero(~hist)
        profile = np.full((n_a, n_m), -1.0)
        profile[:, owner[prof_docs]] = cos[:, prof_docs]
        # History: the TOP_ITEMS best cosines per mentor, by sorting each row by
        # (owner, -cos); documents are grouped by owner already.
        h_docs = np.flatnonzero(hist)
        history = np.full((n_a, n_m), -1.0)
        if len(h_docs):
            h_owner = owner[h_docs]
            h_cos = cos[:, h_docs]
            order = np.argsort(-h_cos, axis=1, kind="stable")
            # Stable sort by owner of the cosine-sorted columns keeps cosines descending
            # within an owner.
            order = np.take_along_axis(
                order,
                np.argsort(h_owner[order], axis=1, kind="stable"),
                axis=1,
            )
            sorted_cos = np.take_along_axis(h_cos, order, axis=1)
            starts = np.searchsorted(h_owner, np.arange(n_m))
            counts = np.bincount(h_owner, minlength=n_m)
            has = np.flatnonzero(counts)
            take = np.minimum(counts[has], TOP_ITEMS)
            total = np.zeros((n_a, len(has)))
            for r in range(TOP_ITEMS):
                live = take > r
                total[:, live] += sorted_cos[:, starts[has[live]] + r]
            history[:, has] = total / take
            first = sorted_cos[:, starts[has]]
            first_doc = h_docs[order[:, starts[has]]]
            best_item[:, has] = np.where(first >= SIMILAR_COS, self.doc_item[first_doc], -1)
        best = np.maximum(history, profile)
        sem = np.clip((best - COS_LOW) / (COS_HIGH - COS_LOW), 0.0, 1.0)
        out = np.zeros((n_a, int(positions.max(initial=-1)) + 1))
        out[:, positions] = sem
        item = np.full(out.shape, -1, dtype=np.int64)
        item[:, positions] = best_item
        return out, item


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
    """Hybrid relevance on the fixed scale: SEMANTIC_SHARE * S + (1 - SEMANTIC_SHARE) * L."""
    return np.asarray(SEMANTIC_SHARE * semantic + (1.0 - SEMANTIC_SHARE) * lexical)


def similar_ask_reason(text: str, limit: int = 80) -> str:
    """'Helped with a similar ask: "…"', the ask cut at a word near `limit` characters."""
    flat = " ".join(text.split())
    if len(flat) > limit:
        cut = flat[:limit].rsplit(" ", 1)[0] or flat[:limit]
        flat = cut.rstrip(" ,.;:") + "…"
    return f"Helped with a similar ask: ‘{flat}’"

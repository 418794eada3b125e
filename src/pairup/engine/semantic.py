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
- semantic votes V = 1 - exp(-sum(weight * s(c) / n) / VOTE_SATURATION) over the mentor's
  past asks among the ask's `policy.evidence_items` nearest distinct past-ask texts (ties:
  the text of the lowest mentor id, then item), n the number of past asks of this index
  with that text (its mentors are those being scored, e.g. the ones eligible for the ask):
  how much of the ask's neighbourhood the mentor has helped with. A text several mentors
  hold (an ask handed over, asked of a group) is one neighbour whose vote they share, as a
  question's answerers share its evidence in the voting model of expert finding; the
  votes saturate so a busy mentor's count does not run away;
- relevance = W_CLOSE * C + W_VOTES * V + W_LEXICAL * L, L the lexical relevance
  (`scoring`). The weights add up to 1 and every part lies in [0, 1] on a scale that does
  not depend on the other mentors or asks (which of them are the nearest neighbours and
  share a text does), so relevance does too: scores stay comparable across asks and
  `assign`'s sums keep their meaning.

Cosines are rounded to COS_GRID first, so one ask scored alone and in a batch (matrix
products of other shapes) gives the same relevance. A mentor with relevance > 0 is in the
ask's relevance set; COS_LOW keeps texts that share nothing out of it. The cosine of each
mentor's closest document (rounded the same way, `similarities`' nearest) orders equal
scores in `recommend` before the id: the mentors left at relevance 0 (every document below
COS_LOW, no shared word) still come in the order of how near they are, which is what
`recommend` with k = every mentor lists (every vector is then read, never the coarse stage).

One ask against a large index (at least APPROXIMATE_FROM documents: `recommend` among many
mentors) goes through a coarse first stage instead of reading every vector: the documents
are clustered once per index (`Coarse`, built on first use), the ask reads the documents of
its nearest clusters (PROBE_DOCS of them), and the mentors holding the CANDIDATE_DOCS
closest distinct texts of those, with the mentors that have lexical evidence, are scored
exactly as above over all their documents; the others count 0 (as outside a capped
relevance set). Recall@10 against the exact ranking is measured in bench/semantic.py
(`recommend`). Batches (`assign`, `rotations`, ...) and small indexes stay exact.

The reason a person reads names the closest past ask when its cosine reaches SIMILAR_COS:
"Helped with a similar ask: '…'".
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from pairup.engine.embedding import (
    Embedder,
    VectorStore,
    embed_documents,
    normalise_text,
    text_key,
)
from pairup.engine.records import HistoryItem, Id, Mentor, id_key

COS_LOW = 0.15
COS_HIGH = 0.85
VOTE_SATURATION = 2.0
W_CLOSE = 0.3
W_VOTES = 0.4
W_LEXICAL = 0.3
SIMILAR_COS = 0.5
# `similarities`' item for "no past ask named, the profile reaches SIMILAR_COS".
PROFILE_CLOSE = -2
COS_GRID = 2.0**-16
# `similarities`' nearest cosine of a mentor without a document (or one the coarse stage did
# not read): below every cosine.
NO_COSINE = -2.0
# Asks whose vectors are kept in memory by one SemanticIndex (the store keeps them all).
ASK_MEMORY = 200_000

# One ask against an index of at least this many documents goes through the coarse first
# stage (`Coarse`): below it, reading every vector costs less than a few milliseconds.
APPROXIMATE_FROM = 50_000
# The coarse stage's clusters: about sqrt(documents) of them, trained on a sample.
COARSE_TRAIN = 16_384
COARSE_ROUNDS = 8
# Documents read exactly per ask (the clusters nearest to the ask until this many), and the
# closest of them whose mentors are scored exactly over all their documents.
PROBE_DOCS = 16_384
CANDIDATE_DOCS = 1_000

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
        self.doc_text_id = text_ids(texts)
        spans = range(0, len(texts), batch)
        parts: Iterable[int] = spans
        if progress is not None and len(spans) > 1:
            parts = progress(spans, len(spans), "embedding mentors")
        blocks = [embed_documents(embedder, texts[lo : lo + batch], store) for lo in parts]
        self.doc_vecs = (
            np.concatenate(blocks) if blocks else np.zeros((0, embedder.dim), dtype=np.float32)
        )
        self._asks: dict[str, np.ndarray] = {}
        self.approximate_from = APPROXIMATE_FROM
        self._start_derived()

    def _start_derived(self) -> None:
        """What this index derives from its documents on first use (`docs_of`,
        `_text_groups`, `_text_rank`, `coarse`): none of it built yet."""
        self._doc_start: np.ndarray | None = None
        self._groups: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._rank: np.ndarray | None = None
        self._coarse: Coarse | None = None
        self._coarse_lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, mentors: Sequence[Mentor], *, own_asks: bool = False) -> SemanticIndex:
        """The index of some of these mentors (e.g. those eligible for a run), in their
        order, without encoding anything; KeyError naming a mentor it does not have. The
        asks' vectors it embeds are kept with this index's (`own_asks`: apart, so a
        long-lived index does not gather every caller's asks)."""
        return self.subset_ids(tuple(m.id for m in mentors), own_asks=own_asks)

    def subset_ids(self, ids: Sequence[Id], *, own_asks: bool = False) -> SemanticIndex:
        """`subset` of the mentors with these ids."""
        where = {x: k for k, x in enumerate(self.ids)}
        missing = [x for x in ids if x not in where]
        if missing:
            raise KeyError(f"mentor {missing[0]!r} is not in the semantic index")
        rank = np.full(len(self.ids), -1, dtype=np.int64)
        rank[[where[x] for x in ids]] = np.arange(len(ids))
        keep = np.flatnonzero(rank[self.doc_owner] >= 0)
        keep = keep[np.argsort(rank[self.doc_owner[keep]], kind="stable")]
        return self._from_parts(
            tuple(ids),
            rank[self.doc_owner[keep]],
            self.doc_item[keep],
            self.doc_weight[keep],
            [self.doc_text[d] for d in keep.tolist()],
            self.doc_text_id[keep],
            self.doc_vecs[keep],
            {} if own_asks else self._asks,
        )

    def joined(self, other: SemanticIndex) -> SemanticIndex:
        """This index's mentors, then `other`'s (of the same model), without encoding
        anything; ValueError naming a mentor both have."""
        if other.version != self.version:
            raise ValueError(f"cannot join indexes of {self.version!r} and {other.version!r}")
        both = set(self.ids).intersection(other.ids)
        if both:
            raise ValueError(f"mentor {min(both, key=repr)!r} is in both semantic indexes")
        return self._from_parts(
            self.ids + other.ids,
            np.concatenate([self.doc_owner, other.doc_owner + len(self.ids)]),
            np.concatenate([self.doc_item, other.doc_item]),
            np.concatenate([self.doc_weight, other.doc_weight]),
            self.doc_text + other.doc_text,
            np.concatenate([self.doc_text_id, other.doc_text_id]),
            np.concatenate([self.doc_vecs, other.doc_vecs]),
            {},
        )

    def _from_parts(
        self,
        ids: tuple[Id, ...],
        doc_owner: np.ndarray,
        doc_item: np.ndarray,
        doc_weight: np.ndarray,
        doc_text: list[str],
        doc_text_id: np.ndarray,
        doc_vecs: np.ndarray,
        asks: dict[str, np.ndarray],
    ) -> SemanticIndex:
        """An index of this one's model and store over these documents (grouped by mentor,
        in the order of `ids`), as `subset` and `joined` make them."""
        new = object.__new__(SemanticIndex)
        new.embedder, new.store, new.version = self.embedder, self.store, self.version
        new.ids = ids
        new.doc_owner = doc_owner
        new.doc_item = doc_item
        new.doc_weight = doc_weight
        new.doc_text = doc_text
        new.doc_text_id = doc_text_id
        new.doc_vecs = doc_vecs
        new._asks = asks
        new.approximate_from = self.approximate_from
        new._start_derived()
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
        self,
        ask_vecs: np.ndarray,
        positions: np.ndarray,
        evidence_items: int,
        also: np.ndarray | None = None,
        exact: bool = False,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(R, item, nearest) for asks x mentors: the semantic part of relevance,
        (W_CLOSE * C + W_VOTES * V) / (W_CLOSE + W_VOTES) in [0, 1], of every mentor for each
        ask, the history item closest to the ask (-1: none at SIMILAR_COS; PROFILE_CLOSE:
        none, but the profile is), and the cosine of the mentor's closest document, rounded
        like the relevance's (NO_COSINE: the mentor has none, or was not read). Column
        `positions[k]` holds this index's mentor k.

        One ask against an index of at least `approximate_from` documents is scored through
        the coarse first stage (`candidate_mentors`): exactly for the candidates and the
        mentors `also` (this index's mentor numbers, e.g. those with lexical evidence), 0
        for the others; `exact` reads every document whatever the size."""
        n_a = len(ask_vecs)
        width = int(positions.max(initial=-1)) + 1
        out = np.zeros((n_a, width))
        item_out = np.full((n_a, width), -1, dtype=np.int64)
        near_out = np.full((n_a, width), NO_COSINE)
        if n_a == 0 or len(self.doc_owner) == 0:
            return out, item_out, near_out
        if not ask_vecs.any():  # blank asks are close to nothing
            return out, item_out, near_out
        docs = None
        if n_a == 1 and not exact and len(self.doc_owner) >= self.approximate_from:
            cand = self.candidate_mentors(ask_vecs[0])
            if also is not None and len(also):
                cand = np.union1d(cand, also)
            docs = self.docs_of(cand)
        semantic, item, near = self._similarities(ask_vecs, docs, evidence_items)
        out[:, positions] = semantic
        item_out[:, positions] = item
        near_out[:, positions] = near
        return out, item_out, near_out

    def _similarities(
        self, ask_vecs: np.ndarray, docs: np.ndarray | None, evidence_items: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`similarities` over the documents `docs` (ascending; None: all), this index's
        mentors as columns; a mentor without a document there scores 0 (nearest: NO_COSINE)."""
        n_a, n_m = len(ask_vecs), len(self.ids)
        if docs is None:
            vecs, owner = self.doc_vecs, self.doc_owner
            d_item, d_weight = self.doc_item, self.doc_weight
        else:
            vecs, owner = self.doc_vecs[docs], self.doc_owner[docs]
            d_item, d_weight = self.doc_item[docs], self.doc_weight[docs]
        item = np.full((n_a, n_m), -1, dtype=np.int64)
        if len(owner) == 0:
            return np.zeros((n_a, n_m)), item, np.full((n_a, n_m), NO_COSINE)
        cos = np.rint((vecs @ ask_vecs.T).T.astype(np.float64) / COS_GRID) * COS_GRID
        cos[~ask_vecs.any(axis=1)] = -1.0  # a blank ask is close to nothing
        hist = d_item >= 0
        close = np.full((n_a, n_m), NO_COSINE)
        # Closest document per mentor: documents are grouped by mentor, in order.
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        close[:, owner[starts]] = np.maximum.reduceat(cos, starts, axis=1)
        close[~ask_vecs.any(axis=1)] = NO_COSINE
        h_docs = np.flatnonzero(hist)
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
                item[r, h_owner[first[named]]] = d_item[h_docs[first[named]]]
            # Votes of the nearest distinct past asks: a text several mentors hold is one
            # neighbour (the first of its documents here stands for it, all its copies having
            # the same vector), and its vote is shared among its holders.
            group, size, first_past_asks = self._text_groups()
            if docs is None:
                h_group, rep = group[h_docs], first_past_asks
            else:
                h_group = group[docs[h_docs]]
                rep = np.sort(np.unique(h_group, return_index=True)[1])
            share = d_weight[h_docs] / size[h_group]
            n = min(evidence_items, len(rep))
            chosen = np.zeros(len(size), dtype=bool)
            for r in range(n_a):
                row = h_cos[r, rep]
                if n < len(row):
                    cut = np.partition(row, len(row) - n)[len(row) - n]
                    sel = np.flatnonzero(row >= cut)
                    if len(sel) > n:  # ties at the cut: the text of the lowest mentor id
                        tie = self._text_rank()[h_group[rep[sel]]]
                        sel = sel[np.lexsort((tie, -row[sel]))[:n]]
                else:
                    sel = np.arange(len(row))
                chosen[h_group[rep[sel]]] = True
                voters = np.flatnonzero(chosen[h_group])
                chosen[h_group[rep[sel]]] = False
                v = share[voters] * closeness(h_cos[r, voters])
                votes[r] = np.bincount(h_owner[voters], weights=v, minlength=n_m)
        # No past ask named but a profile this close: the profile is the reason (-2).
        p_docs = np.flatnonzero(~hist)
        profile = np.full((n_a, n_m), -1.0)
        profile[:, owner[p_docs]] = cos[:, p_docs]
        item[(item == -1) & (profile >= SIMILAR_COS)] = PROFILE_CLOSE
        semantic = W_CLOSE * closeness(close) + W_VOTES * (1.0 - np.exp(-votes / VOTE_SATURATION))
        return semantic / (W_CLOSE + W_VOTES), item, close

    def _text_groups(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(group, size, first): `group[d]` numbers document d's text (the same text after
        `normalise_text`, as the vector store keys it: the same number), `size[g]` counts
        the past asks of text g in this index (profiles are not counted), and `first`
        lists, ascending, the position among the past asks of each text's first one (built
        on first use, then kept)."""
        if self._groups is None:
            _, group = np.unique(self.doc_text_id, return_inverse=True)
            group = group.astype(np.int64).reshape(-1)
            past = self.doc_item >= 0
            size = np.bincount(group, weights=past, minlength=int(group.max(initial=-1)) + 1)
            first = np.sort(np.unique(group[past], return_index=True)[1])
            self._groups = group, size, first
        return self._groups

    def _text_rank(self) -> np.ndarray:
        """Per text (`_text_groups`' numbers): the place, among this index's past asks in
        the order of their mentor's id (`id_key`) then item, of the first that holds it: the
        order of texts tied at the vote's cut, the same however the index was built (built
        on first use, then kept)."""
        if self._rank is None:
            group = self._text_groups()[0]
            by_id = sorted(range(len(self.ids)), key=lambda k: id_key(self.ids[k]))
            mentor_rank = np.empty(len(self.ids), dtype=np.int64)
            mentor_rank[by_id] = np.arange(len(self.ids))
            items = int(self.doc_item.max(initial=0)) + 2
            place = mentor_rank[self.doc_owner] * items + self.doc_item + 1
            past = self.doc_item >= 0
            rank = np.full(int(group.max(initial=-1)) + 1, np.iinfo(np.int64).max)
            np.minimum.at(rank, group[past], place[past])
            self._rank = rank
        return self._rank

    def docs_of(self, mentors: np.ndarray) -> np.ndarray:
        """Every document of these mentors (this index's numbers, ascending), ascending."""
        if self._doc_start is None:
            bounds = np.searchsorted(self.doc_owner, np.arange(len(self.ids) + 1))
            self._doc_start = bounds.astype(np.int64)
        lo, hi = self._doc_start[mentors], self._doc_start[mentors + 1]
        size = hi - lo
        if not size.sum():
            return np.zeros(0, dtype=np.int64)
        base = np.repeat(lo - np.r_[0, np.cumsum(size)[:-1]], size)
        return np.asarray(np.arange(int(size.sum()), dtype=np.int64) + base)

    def coarse(self) -> Coarse:
        """The coarse first stage (built on first use, once however many threads ask, then
        kept)."""
        with self._coarse_lock:
            if self._coarse is None:
                self._coarse = Coarse(self.doc_vecs)
            return self._coarse

    def candidate_mentors(self, ask_vec: np.ndarray) -> np.ndarray:
        """This index's mentors (ascending) holding one of the CANDIDATE_DOCS distinct texts
        closest to the ask among the documents of the clusters nearest to it
        (`Coarse.probe`; ties at the cut all kept). The copies of a text have one vector,
        so one cluster: all its holders are among the documents read, and a text many
        mentors hold takes one place, as it takes one vote."""
        docs, cos = self.coarse().probe(ask_vec, PROBE_DOCS)
        group = self._text_groups()[0][docs]
        # The closest documents until they hold CANDIDATE_DOCS distinct texts (ties at a
        # cut all in), then every probed copy of those texts.
        keep = CANDIDATE_DOCS
        while True:
            if len(docs) <= keep:
                near = np.arange(len(docs))
            else:
                cut = np.partition(cos, len(cos) - keep)[len(cos) - keep]
                near = np.flatnonzero(cos >= cut)
            texts = np.unique(group[near])
            if len(texts) >= CANDIDATE_DOCS or len(near) == len(docs):
                break
            keep *= 2
        held = near if len(texts) == len(near) else member(group, texts)
        return np.unique(self.doc_owner[docs[held]])


class Coarse:
    """The coarse first stage of one ask against many documents: the documents clustered
    once (spherical k-means over a fixed sample, seeded: the same clusters on every run),
    each cluster's vectors kept contiguous (a float32 copy in cluster order), so an ask
    reads its nearest clusters' documents with one matrix-vector product each instead of
    every document."""

    def __init__(self, vecs: np.ndarray, clusters: int | None = None) -> None:
        n = len(vecs)
        k = clusters or max(1, round(np.sqrt(n)))
        k = min(k, n)
        rng = np.random.default_rng(0)
        sample = vecs[np.sort(rng.choice(n, min(n, COARSE_TRAIN), replace=False))]
        cent = sample[np.sort(rng.choice(len(sample), k, replace=False))].copy()
        for _ in range(COARSE_ROUNDS):
            label = np.argmax(sample @ cent.T, axis=1)
            sums = np.zeros_like(cent)
            np.add.at(sums, label, sample)
            norm = np.linalg.norm(sums, axis=1)
            live = norm > 0
            cent[live] = sums[live] / norm[live, None]
        label = np.concatenate(
            [np.argmax(vecs[lo : lo + 16_384] @ cent.T, axis=1) for lo in range(0, n, 16_384)]
        )
        self.order = np.argsort(label, kind="stable").astype(np.int64)
        self.bounds = np.searchsorted(label[self.order], np.arange(k + 1)).astype(np.int64)
        self.centroids = np.ascontiguousarray(cent, dtype=np.float32)
        self.vecs = np.ascontiguousarray(vecs[self.order], dtype=np.float32)

    def probe(self, ask_vec: np.ndarray, probe_docs: int) -> tuple[np.ndarray, np.ndarray]:
        """(documents, cosines) of the clusters nearest to the ask (nearest first, ties:
        lower cluster) until `probe_docs` documents, in that order."""
        q = np.asarray(ask_vec, dtype=np.float32)
        near = np.lexsort((np.arange(len(self.centroids)), -(self.centroids @ q)))
        size = np.diff(self.bounds)[near]
        last = int(np.searchsorted(np.cumsum(size), probe_docs)) + 1
        parts, docs = [], []
        for c in near[:last].tolist():
            lo, hi = int(self.bounds[c]), int(self.bounds[c + 1])
            if hi > lo:
                parts.append(self.vecs[lo:hi] @ q)
                docs.append(self.order[lo:hi])
        return np.concatenate(docs), np.concatenate(parts)


def member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Mask of `values` found in the sorted array `sorted_set` (np.isin is slow on small
    arrays)."""
    if len(sorted_set) == 0:
        return np.zeros(len(values), dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    return np.asarray(sorted_set[pos] == values)


def text_ids(texts: Sequence[str]) -> np.ndarray:
    """A number per text, the same for texts equal after `normalise_text` (their vectors
    are one): Python's string hash, 64 bits, so equal numbers mean equal texts but for a
    chance of about n² / 2⁶⁴ (this process only; nothing keeps them)."""
    return np.fromiter((hash(normalise_text(t)) for t in texts), dtype=np.int64, count=len(texts))


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

"""Semantic indexes kept across calls, one per scope (e.g. a program), each call narrowed to
its mentors through `SemanticIndex.subset` instead of reading every vector again.

    kept = SemanticCache(max_docs=100_000)
    sem = kept.index(scope, mentors, embedder, store)
    # the same documents, in the same order, as semantic_index(mentors, embedder, store)

Fresh by construction, with no stamp or signal to miss: every call passes the mentors'
current records (which the caller builds anyway, for the lexical part), and each mentor's
documents are kept with the words they were embedded from (profile text; each past ask's
text and weight, in order). A mentor new to the scope, or whose words differ, is embedded
(through the store: only texts it lacks are encoded) and joined into the kept index in
place of their old documents; everyone else is taken from it as they are. Mentors who are
not in a call stay kept (another call may have them: a mentor who was full, another pool);
a scope's index is dropped, least recently used first, when the kept documents would pass
`max_docs`, and one larger than that alone is built for its call and not kept.

Thread-safe: a kept index is never changed, only replaced (two threads that refresh one
scope at once both build a correct index; the later one stays); each call's narrowed index
keeps the asks it embeds to itself (`subset(..., own_asks=True)`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from pairup.engine.embedding import Embedder, VectorStore
from pairup.engine.records import HistoryItem, Id, Mentor
from pairup.engine.semantic import Progress, SemanticIndex

# What a mentor's documents are made of: the profile text, and each past ask's text and
# weight in order (`SemanticIndex` reads nothing else of a record).
Words = tuple[str, tuple[tuple[str, float], ...]]


def mentor_words(mentor: Mentor) -> Words:
    """What `SemanticIndex` embeds of `mentor`: equal words, equal documents."""
    return (
        mentor.text,
        tuple(
            (h.text, h.weight) if isinstance(h, HistoryItem) else (h, 1.0) for h in mentor.history
        ),
    )


@dataclass(frozen=True)
class _Kept:
    index: SemanticIndex
    words: dict[Id, Words]  # per mentor of `index`

    @property
    def docs(self) -> int:
        return len(self.index.doc_owner)


class SemanticCache:
    """Kept semantic indexes by scope (see the module docstring); at most `max_docs`
    documents in all."""

    def __init__(self, max_docs: int) -> None:
        self.max_docs = max_docs
        self._lock = threading.Lock()
        self._kept: OrderedDict[tuple[Hashable, str], _Kept] = OrderedDict()
        # Mentors embedded (new or changed) since the cache was made: what tests and
        # benchmarks read to see that a call reused the kept vectors.
        self.embedded = 0

    def index(
        self,
        scope: Hashable,
        mentors: Sequence[Mentor],
        embedder: Embedder,
        store: VectorStore | None = None,
        *,
        progress: Progress | None = None,
    ) -> SemanticIndex:
        """The semantic index of `mentors` in their order, as `semantic_index(mentors,
        embedder, store)` builds it, from the scope's kept index where the mentors' words
        are unchanged (`progress`: of embedding the others)."""
        key = (scope, embedder.version)
        words = [mentor_words(m) for m in mentors]
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
        if kept is None:
            stale = list(mentors)
        else:
            stale = [m for m, w in zip(mentors, words, strict=True) if kept.words.get(m.id) != w]
        if kept is None or stale:
            fresh = SemanticIndex(stale, embedder, store, progress=progress)
            with self._lock:
                self.embedded += len(stale)
            if kept is None:
                kept = _Kept(fresh, {m.id: w for m, w in zip(mentors, words, strict=True)})
            else:
                gone = {m.id for m in stale}
                rest = tuple(x for x in kept.index.ids if x not in gone)
                index = kept.index.subset_ids(rest).joined(fresh)
                changed = {m.id: w for m, w in zip(mentors, words, strict=True) if m.id in gone}
                kept = _Kept(index, {x: kept.words[x] for x in rest} | changed)
            self._keep(key, kept)
        return kept.index.subset(mentors, own_asks=True)

    def _keep(self, key: tuple[Hashable, str], kept: _Kept) -> None:
        with self._lock:
            self._kept.pop(key, None)
            if kept.docs > self.max_docs:
                return
            total = kept.docs + sum(k.docs for k in self._kept.values())
            while total > self.max_docs and self._kept:
                _, dropped = self._kept.popitem(last=False)
                total -= dropped.docs
            self._kept[key] = kept

    def clear(self) -> None:
        """Forget every kept index."""
        with self._lock:
            self._kept.clear()

    @property
    def docs(self) -> int:
        """Documents kept in all."""
        with self._lock:
            return sum(k.docs for k in self._kept.values())

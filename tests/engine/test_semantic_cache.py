"""Semantic indexes kept across calls (`engine.semantic_cache`): every call gives the index a
fresh build would, reads only the mentors new or changed since, and stays within its bound."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pytest

from pairup.engine import Ask, HistoryItem, Mentor, MentorIndex, recommend
from pairup.engine import embedding as emb
from pairup.engine.semantic import SemanticIndex, semantic_index
from pairup.engine.semantic_cache import SemanticCache
from tests.engine.test_semantic import Words


class CountingStore(emb.MemoryStore):
    """A MemoryStore that writes down every key it is asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []

    def get_many(self, keys: Sequence[str], version: str) -> dict[str, np.ndarray]:
        self.asked.extend(keys)
        return super().get_many(keys, version)


def mentor(i: int, *history: str, text: str = "") -> Mentor:
    return Mentor(
        id=i,
        text=text or f"mentor {i} who knows topic{i} and topic{i + 1}",
        history=tuple(HistoryItem(h, 1.0 + i % 3 / 2, title=h) for h in history),
    )


PROGRAM = [
    mentor(i, f"salary talk {i}", f"python tests {i}", f"topic{i} question") if i % 4 else mentor(i)
    for i in range(1, 41)
]
ASKS = [
    Ask(id="a", text="negotiating my salary talk"),
    Ask(id="b", text="flaky python tests topic7"),
    Ask(id="c", text="topic12 and topic13"),
]


def same_index(got: SemanticIndex, want: SemanticIndex) -> None:
    assert got.ids == want.ids
    assert got.doc_owner.tolist() == want.doc_owner.tolist()
    assert got.doc_item.tolist() == want.doc_item.tolist()
    assert got.doc_weight.tolist() == want.doc_weight.tolist()
    assert got.doc_text == want.doc_text
    assert np.array_equal(got.doc_vecs, want.doc_vecs)


def same_suggestions(mentors: Sequence[Mentor], kept: SemanticIndex) -> None:
    fresh = semantic_index(mentors, Words(), None)
    same_index(kept, fresh)
    for ask in ASKS:
        assert recommend(ask, MentorIndex(mentors, semantic=kept), k=10) == recommend(
            ask, MentorIndex(mentors, semantic=fresh), k=10
        )


def test_kept_index_equals_a_fresh_build_and_reads_nothing_again():
    words, store, cache = Words(), CountingStore(), SemanticCache(max_docs=10_000)
    first = cache.index(1, PROGRAM, words, store)
    same_suggestions(PROGRAM, first)  # (embeds the asks through the store)
    encoded, asked = len(words.encoded), len(store.asked)

    # Another call: fewer mentors, another order (as another ask's eligible mentors).
    some = PROGRAM[30:] + PROGRAM[:7:2]
    again = cache.index(1, some, words, store)

    assert (len(words.encoded), len(store.asked)) == (encoded, asked)
    same_suggestions(some, again)
    assert cache.embedded == len(PROGRAM)


def test_changed_words_and_new_mentors_are_seen_at_once_and_only_they_are_read():
    words, store, cache = Words(), CountingStore(), SemanticCache(max_docs=10_000)
    cache.index("p", PROGRAM, words, store)
    edited = list(PROGRAM)
    edited[3] = replace(edited[3], text="now a typography coach")  # a profile edit
    edited[5] = replace(
        edited[5], history=(*edited[5].history, HistoryItem("a new past ask on typography"))
    )
    edited[8] = replace(  # a past ask rated since: same text, another weight
        edited[8], history=(replace(edited[8].history[0], weight=1.5), *edited[8].history[1:])
    )
    newcomer = mentor(99, "typography for slides", text="designer")
    edited.append(newcomer)
    edited.pop(0)  # left the program (or is full): not in this call
    asked = len(store.asked)

    got = cache.index("p", edited, words, store)

    fresh_keys = {
        emb.text_key(t)
        for m in (edited[2], edited[4], edited[7], newcomer)
        for t in (m.text, *(h.text for h in m.history))
    }
    assert set(store.asked[asked:]) == fresh_keys
    assert cache.embedded == len(PROGRAM) + 4
    same_suggestions(edited, got)
    # A title (what a reason quotes) is not embedded: changing it alone reads nothing.
    retitled = [replace(m, history=tuple(replace(h, title="x") for h in m.history)) for m in edited]
    asked = len(store.asked)
    same_index(cache.index("p", retitled, words, store), got)
    assert len(store.asked) == asked
    # The mentor who left is still kept for calls that have them, as they were.
    back = cache.index("p", PROGRAM[:1], words, store)
    same_index(back, semantic_index(PROGRAM[:1], Words(), None))
    assert len(store.asked) == asked


def test_scopes_and_model_versions_are_kept_apart():
    cache = SemanticCache(max_docs=10_000)
    cache.index(1, PROGRAM[:5], Words(), None)
    other = [replace(m, text=f"another program's {m.id}") for m in PROGRAM[:5]]
    same_index(cache.index(2, other, Words(), None), semantic_index(other, Words(), None))

    class Words2(Words):
        version = "words-test/2"

    words2 = Words2()
    cache.index(1, PROGRAM[:5], words2, None)
    assert len(words2.encoded) == 4 * 4 + 1  # every text again (mentor 4: a profile only)


def test_kept_documents_stay_within_the_bound():
    docs = len(semantic_index(PROGRAM[:10], Words(), None).doc_owner)
    cache = SemanticCache(max_docs=2 * docs)
    for scope in ("a", "b", "c"):
        cache.index(scope, PROGRAM[:10], Words(), None)
        assert cache.docs <= 2 * docs
    words = Words()
    cache.index("b", PROGRAM[:10], words, None)
    assert words.encoded == []  # kept: "a", the least recently used, was dropped
    cache.index("a", PROGRAM[:10], words, None)
    assert words.encoded != []
    # One scope above the bound alone is built for its call and not kept.
    small = SemanticCache(max_docs=docs - 1)
    got = small.index("a", PROGRAM[:10], Words(), None)
    same_index(got, semantic_index(PROGRAM[:10], Words(), None))
    assert small.docs == 0


def test_narrowed_indexes_keep_their_asks_apart():
    cache = SemanticCache(max_docs=10_000)
    one = cache.index(1, PROGRAM, Words(), None)
    two = cache.index(1, PROGRAM, Words(), None)
    one.ask_vectors([ASKS[0].text])
    assert len(one._asks) == 1 and two._asks == {}


def test_threads_sharing_the_cache_each_get_their_fresh_index():
    cache = SemanticCache(max_docs=10_000)
    variants = [
        [replace(m, text=f"{m.text} v{v}") if m.id % 5 == v else m for m in PROGRAM[v:]]
        for v in range(4)
    ]
    wanted = [semantic_index(v, Words(), None) for v in variants]
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for n in range(6):
                v = (k + n) % 4
                same_index(cache.index(1, variants[v], Words(), None), wanted[v])
        except BaseException as e:  # noqa: BLE001 - reported by the main thread
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_joined_refuses_a_mentor_in_both_and_another_model():
    a = semantic_index(PROGRAM[:3], Words(), None)
    with pytest.raises(ValueError, match="mentor 3 is in both"):
        a.joined(semantic_index(PROGRAM[2:5], Words(), None))

    class Other(Words):
        version = "other/1"

    with pytest.raises(ValueError, match="cannot join"):
        a.joined(semantic_index(PROGRAM[3:5], Other(), None))
    same_index(
        a.joined(semantic_index(PROGRAM[3:5], Words(), None)),
        semantic_index(PROGRAM[:5], Words(), None),
    )

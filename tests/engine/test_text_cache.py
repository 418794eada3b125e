"""The small-collection index cache: the same documents give the very same index, other
documents a new one, and scores never depend on whether the index came from the cache."""

from __future__ import annotations

from pairup.engine import text
from pairup.engine.text import TextIndex, text_index

DOCS = ["negotiating a data science offer", "public speaking at conferences", "sql joins"]


def test_text_index_is_shared_for_the_same_documents_and_parameters() -> None:
    text._cache.clear()
    first = text_index(DOCS, k1=1.2, b=0.75, max_df=0.1)
    assert text_index(list(DOCS), k1=1.2, b=0.75, max_df=0.1) is first
    assert text_index(DOCS, k1=1.5, b=0.75, max_df=0.1) is not first
    assert text_index([*DOCS, "salary"], k1=1.2, b=0.75, max_df=0.1) is not first


def test_text_index_from_the_cache_scores_like_a_fresh_one() -> None:
    text._cache.clear()
    cached = text_index(DOCS, k1=1.2, b=0.75, max_df=0.1)
    cached.query("offer negotiation")  # fills the word memo the callers share
    again = text_index(DOCS, k1=1.2, b=0.75, max_df=0.1)
    fresh = TextIndex(DOCS, k1=1.2, b=0.75, max_df=0.1)
    assert (
        again.query("negotiating an offer").tolist() == fresh.query("negotiating an offer").tolist()
    )


def test_text_index_cache_holds_a_few_collections_only() -> None:
    text._cache.clear()
    for n in range(text._CACHE_ENTRIES + 3):
        text_index([f"doc {n}", "shared words"], k1=1.2, b=0.75, max_df=1.0)
    assert len(text._cache) == text._CACHE_ENTRIES

"""Counting what the database vector store is asked for, for tests of the kept semantic
index (suggestions, cohort runs, the simulator): the real store, every key it reads
written down."""

from __future__ import annotations

import pytest

from pairup.core import vectors


def count_vector_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on, every key `DatabaseVectorStore.get_many` reads is appended to the list
    returned (the reads themselves go on as before)."""
    read: list[str] = []
    get_many = vectors.DatabaseVectorStore.get_many

    def counted(self, keys, version):  # type: ignore[no-untyped-def]
        read.extend(keys)
        return get_many(self, keys, version)

    monkeypatch.setattr(vectors.DatabaseVectorStore, "get_many", counted)
    return read

"""Counting what the database vector store is asked for, for tests of the kept semantic
index (suggestions, cohort runs, the simulator): the real store, every key it reads
written down; and watching what the encoder encodes while an event's row is locked."""

from __future__ import annotations

from typing import Any

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


class EncodesUnderLock:
    """The real encoder and lock step, watched: `encoded` holds (locked yet, texts) for
    each call of `embedder.encode`, `locked` turns true once `owner.<lock_step>` (the step
    that locks the event's row, or the first read made under that lock) has run."""

    def __init__(
        self, monkeypatch: pytest.MonkeyPatch, embedder: Any, owner: Any, lock_step: str
    ) -> None:
        self.locked = False
        self.encoded: list[tuple[bool, int]] = []
        encode, lock = embedder.encode, getattr(owner, lock_step)

        def watched_encode(texts):  # type: ignore[no-untyped-def]
            self.encoded.append((self.locked, len(texts)))
            return encode(texts)

        def watched_lock(*args, **kwargs):  # type: ignore[no-untyped-def]
            self.locked = True
            return lock(*args, **kwargs)

        monkeypatch.setattr(embedder, "encode", watched_encode)
        monkeypatch.setattr(owner, lock_step, watched_lock)

    def assert_encoded_before_the_lock(self, at_least: int) -> None:
        """The lock was taken, at least `at_least` texts were encoded, none under it."""
        assert self.locked
        assert sum(n for _, n in self.encoded) >= at_least
        assert [n for under_lock, n in self.encoded if under_lock] == []

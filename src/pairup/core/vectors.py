"""The database's cache of text embeddings (`TextVector`) as the engine's `VectorStore`, and
the one place the app decides how it scores relevance (`relevance_backend`).

The engine encodes only texts whose key it does not find here (`encode_cached`), so a
profile, a past ask or an ask is encoded once per model version, whichever of a page, a
background task or `pairup embed --rebuild` needed it first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from functools import cache
from itertools import islice
from typing import Any, TypeVar

import numpy as np
from django.db import transaction

from pairup.core.models import TextVector
from pairup.core.quiet import is_quiet
from pairup.engine.embedding import Embedder, embed_documents, load_embedder, requested_mode
from pairup.engine.records import Mentor
from pairup.engine.semantic import Progress, SemanticIndex, semantic_index
from pairup.engine.semantic_cache import SemanticCache

logger = logging.getLogger(__name__)

# Keys per query: well under SQLite's bound on query parameters and PostgreSQL's, and few
# round trips for a program's few thousand texts.
BATCH = 500
# Stored vectors are little-endian float32 whatever the machine.
FLOAT32 = np.dtype("<f4")

T = TypeVar("T")


def _batches(items: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


class DatabaseVectorStore:
    """The engine's `VectorStore` on the `TextVector` table: one query per BATCH keys to
    read; one transaction of bulk inserts per `put_many`, skipping rows already there
    (another worker may have written the same text meanwhile: the vector is the same, so
    first come stays)."""

    def get_many(self, keys: Sequence[str], version: str) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        wanted = sorted(set(keys))
        for batch in _batches(wanted):
            rows = TextVector.objects.filter(model_version=version, key__in=batch).values_list(
                "key", "dim", "vector"
            )
            for key, dim, raw in rows:
                vector = np.frombuffer(bytes(raw), dtype=FLOAT32)
                if vector.shape != (dim,):  # a torn row is re-encoded, never trusted
                    continue
                out[key] = vector.astype(np.float32)
        return out

    def put_many(self, vectors: Mapping[str, np.ndarray], version: str) -> None:
        rows = []
        for key, vector in sorted(vectors.items()):
            v = np.ascontiguousarray(vector, dtype=FLOAT32).reshape(-1)
            rows.append(TextVector(key=key, model_version=version, dim=len(v), vector=v.tobytes()))
        with transaction.atomic():
            for batch in _batches(rows):
                TextVector.objects.bulk_create(batch, ignore_conflicts=True)

    def count(self, version: str) -> int:
        return TextVector.objects.filter(model_version=version).count()


@cache
def _embedder() -> Embedder | None:
    # Loading the model costs seconds and ~100 MB: once per process, said once in the log
    # (gunicorn's workers load it on their first match, not at start).
    embedder = load_embedder()
    if embedder is None:
        logger.warning("relevance: lexical (the sentence-embedding model is not installed)")
    else:
        logger.info("relevance: hybrid (lexical + %s)", embedder.version)
    return embedder


def relevance_backend() -> tuple[Embedder, DatabaseVectorStore] | None:
    """The embedder and the vector store every caller of the engine's relevance uses
    (suggestions, cohort matching, event schedules, the background tasks, `pairup embed`),
    or None for the lexical mode: PAIRUP_RELEVANCE=lexical, or the model is not installed.
    The first call in a process loads the model (seconds); PAIRUP_RELEVANCE is read on
    every call."""
    if requested_mode() == "lexical":
        return None
    embedder = _embedder()
    if embedder is None:
        return None
    return embedder, DatabaseVectorStore()


def embeds_on_save() -> bool:
    """Whether saving a text queues its vectors (`store_vectors` in a background task): in
    the hybrid mode, unless writing `quietly()` (the demo). Reads the mode only (an
    environment variable): a request never loads the model to decide."""
    return requested_mode() == "hybrid" and not is_quiet()


def store_vectors(texts: Iterable[str]) -> int:
    """Encode and store the vectors of `texts` that the store lacks (each text once, blank
    ones left out), as matching would encode them (`embedding.embed_documents`), so a later
    `semantic_for` only reads them: for the background tasks, and for services that must
    not encode while they hold a lock. The number of texts looked at; 0 in the lexical
    mode, where nothing is encoded."""
    backend = relevance_backend()
    if backend is None:
        return 0
    wanted = list(dict.fromkeys(t for t in texts if t.strip()))
    if wanted:
        embed_documents(backend[0], wanted, backend[1])
    return len(wanted)


# The semantic indexes `semantic_for(..., keep=)` keeps in this process: about 1.5 KB a
# document (a 384-float vector and its text), so at most ~150 MB; a program's index is a
# profile and each past ask of every mentor who was in one of its calls.
KEPT_DOCS = 100_000
KEPT = SemanticCache(max_docs=KEPT_DOCS)


def semantic_for(
    mentors: Sequence[Mentor],
    progress: Progress | None = None,
    *,
    keep: Hashable | None = None,
) -> SemanticIndex | None:
    """The engine's semantic index of `mentors` (their profiles' and past asks' vectors,
    encoding only what the store lacks) for `MentorIndex(..., semantic=)`, `rotations` and
    `table_rounds`; None in the lexical mode, where callers pass None on.

    With `keep` (a scope, e.g. the program's id, whose mentor ids mean one person each),
    the index is built from the one this process keeps for that scope (`KEPT`): only the
    mentors new to it or whose words changed since are read from the store, the rest is
    narrowed out of memory. The result is the same index either way."""
    backend = relevance_backend()
    if backend is None:
        return None
    if keep is not None:
        return KEPT.index(keep, mentors, backend[0], backend[1], progress=progress)
    return semantic_index(mentors, backend[0], backend[1], progress=progress)


# What each app embeds: a function of a query of programs giving the texts of theirs that some
# use will embed (a page, a task, a schedule), registered by the app at `AppConfig.ready()`
# (asks: mentors' profiles, past asks, asks; events: the registrations of events not ended).
# Apps below events cannot import them, so they are asked through this list.
TextsInUse = Callable[[Any], Iterable[str]]
_TEXTS_IN_USE: list[TextsInUse] = []


def register_texts_in_use(provider: TextsInUse) -> None:
    """Add `provider` to the texts in use (`texts_in_use`); once however often it is given."""
    if provider not in _TEXTS_IN_USE:
        _TEXTS_IN_USE.append(provider)


def texts_in_use(programs: Any) -> list[str]:
    """Every text of `programs` (a query of them) that the app embeds, by every registered
    provider: each once, blank ones left out, in a stable order. What `pairup embed`
    stores, and what its `--prune` keeps."""
    texts = (t for provider in _TEXTS_IN_USE for t in provider(programs))
    return list(dict.fromkeys(t for t in texts if t.strip()))


def relevance_in_words(*, for_people: bool = False) -> str:
    """Which relevance the app runs, in one line: for `pairup relevance`, the server's
    start-up line and the log, the model's full version; `for_people` (the matching settings
    page), in plain words with the model's name."""
    backend = relevance_backend()
    if backend is None:
        if requested_mode() == "lexical":
            if for_people:
                return "lexical: the words of the ask and of what mentors wrote and helped with"
            return "lexical (PAIRUP_RELEVANCE=lexical)"
        if for_people:
            return "lexical: the model that also reads meaning is not installed on this server"
        return "lexical (the sentence-embedding model is not installed)"
    embedder = backend[0]
    if for_people:
        name = embedder.version.split("/")[0]
        return f"hybrid: the words of the ask and their meaning (read by the model {name})"
    return f"hybrid (lexical + {embedder.version}, {embedder.dim} dimensions)"


__all__: Sequence[str] = (
    "DatabaseVectorStore",
    "register_texts_in_use",
    "relevance_backend",
    "relevance_in_words",
    "semantic_for",
    "texts_in_use",
)

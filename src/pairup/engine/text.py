"""Text retrieval for relevance: tokenising and a sublinear TF-IDF / BM25 document index.

`TextIndex` holds one row per document (a history item or a mentor's own words) as a sparse
CSC matrix of BM25 term weights. A query is scored against every document in one sparse
product that only touches the posting lists of the query's terms, and the result is divided
by the best score any document could reach for that query (the query's "ideal" BM25), so a
document score lies in [0, 1] and means the same thing for every ask.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

TOKEN_RE = re.compile(r"[^\W_]+", re.UNICODE)

# A short English stop list: function words carry no evidence about what someone helps with.
STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "also",
        "may",
        "might",
        "must",
        "shall",
        "us",
        "get",
        "got",
        "like",
        "one",
        "would",
        "could",
        "many",
        "much",
        "even",
        "well",
        "way",
    ]
)


def stem(token: str) -> str:
    """A deliberately light plural/suffix folding ("offers" -> "offer", "studies" -> "study")."""
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


# Word families: the query side of search only (`TextIndex.family_ids`). A person types
# "negotiate" and a profile says "negotiating": `stem` keeps them apart on purpose, since
# folding more everywhere lowered the ranking of suggestions on the expert-finding benchmark
# (MRR 0.145 -> 0.133 with Porter2, 0.140 with this folding). So the index keeps its terms and
# a search query reaches every term of its words' families instead.
_INFLECTIONS = ("ing", "ed")
_DERIVATIONS = ("ation", "ator", "ment", "ion", "ate", "at", "er", "or")
_VOWELS = frozenset("aeiouy")


def word_family(term: str) -> str:
    """The family of a term (a `normalise`d word): its inflections and a few derivations
    stripped, so "negotiate", "negotiating", "negotiated", "negotiation" and "negotiator"
    share "negoti"; "manage", "managing", "management" and "manager" share "manag"; "offer"
    and "offering" share "offer". Strips only what leaves 4 letters with a vowel ("e" and
    inflections) or 5 (derivations): "offer", "career" and "answer" keep their ending, and
    "state" and "station" stay apart."""

    def stem_ok(base: str, least: int) -> bool:
        return len(base) >= least and any(c in _VOWELS for c in base)

    word = term
    for suffix in _INFLECTIONS:
        base = word[: -len(suffix)]
        if word.endswith(suffix) and stem_ok(base, 4):
            # "running" -> "run", "planned" -> "plan"; not "calling" -> "cal".
            if base[-1] == base[-2] and base[-1] not in "lsz" + "aeiouy":
                base = base[:-1]
            word = base
            break
    for _ in range(2):  # "management" -> "manage" -> "manag"
        before = word
        for suffix in _DERIVATIONS:
            base = word[: -len(suffix)]
            if word.endswith(suffix) and stem_ok(base, 5):
                word = base
                break
        if word.endswith("e") and stem_ok(word[:-1], 4):
            word = word[:-1]
        if word == before:
            break
    return word


_NORMAL: dict[str, str] = {}


def _normal(tok: str) -> str:
    skip = len(tok) < 2 or tok in STOP_WORDS or (tok.isdigit() and len(tok) > 4)
    out = "" if skip else stem(tok)
    if len(_NORMAL) < 1_000_000:
        _NORMAL[tok] = out
    return out


def normalise(word: str) -> str:
    """A lower-cased word as a term: folded, or "" for a stop word, a single letter or a
    number over 4 digits (cached)."""
    norm = _NORMAL.get(word)
    return _normal(word) if norm is None else norm


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens without stop words, single letters or pure numbers over 4 digits."""
    return [norm for norm in map(normalise, TOKEN_RE.findall(text.lower())) if norm]


# Words a reason does not name as matched ("mentions 'two' and 'first'" tells a mentee
# nothing), though they still count in the score: counts, order, and what every ask says.
UNTELLING_TERMS = frozenset(
    [
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "first",
        "second",
        "third",
        "last",
        "next",
        "new",
        "good",
        "better",
        "best",
        "help",
        "need",
        "want",
        "know",
        "make",
    ]
)


def shared_words(
    query: str,
    doc: str,
    weight: Callable[[str], float] | None = None,
    limit: int = 3,
    said: Iterable[str] = (),
) -> list[str]:
    """The words of `doc` whose terms `query` also has, each term once, the most telling
    first (highest `weight` of the term, e.g. its idf; then first in `doc`): what a reason
    names as matched ("mentions 'salary'"). Terms in UNTELLING_TERMS, or in `said` (the
    terms of what an earlier reason already names, e.g. the topic "system design"), are
    never named. A word is named as `doc` spells it inside a sentence; one `doc` has only
    at the start of a sentence, capitalised, is named as `query` spells the same word inside
    a sentence, if it does ("System design is my field", asked about "a system design
    interview", names 'system'; a name the ask spells "Paris" stays 'Paris')."""
    wanted = set(tokenize(query)) - UNTELLING_TERMS - set(said)
    found: dict[str, tuple[int, str]] = {}
    initial: set[str] = set()  # terms found only at the start of a sentence so far
    for position, (word, starts) in enumerate(_words(doc)):
        term = normalise(word.lower())
        if not term or term not in wanted:
            continue
        if term not in found:
            found[term] = (position, word)
            if starts:
                initial.add(term)
        elif term in initial and not starts:
            found[term] = (found[term][0], word)
            initial.discard(term)
    if initial:
        inside: dict[str, str] = {}
        for word, starts in _words(query):
            if not starts:
                inside.setdefault(word.lower(), word)
        for term in initial:
            position, word = found[term]
            found[term] = (position, inside.get(word.lower(), word))
    ranked = sorted(
        found.items(), key=lambda item: (-(weight(item[0]) if weight else 0.0), item[1][0])
    )
    return [word for _, (_, word) in ranked[:limit]]


def shares_words(query: str, doc: str) -> bool:
    """Whether `doc` has a term of `query` that a reason could name (`shared_words`)."""
    return bool((set(tokenize(query)) - UNTELLING_TERMS) & set(tokenize(doc)))


def _words(text: str) -> Iterator[tuple[str, bool]]:
    """Each word of `text` with whether it starts a sentence: the text's first word, the
    first on a new line, or the first after '.', '!', '?', ':' or ';' and a space."""
    last = 0
    first = True
    for match in TOKEN_RE.finditer(text):
        between = text[last : match.start()]
        stripped = between.rstrip()
        starts = (
            first
            or "\n" in between
            or (len(stripped) < len(between) and stripped.endswith((".", "!", "?", ":", ";")))
        )
        first = False
        last = match.end()
        yield match.group(), starts


def bm25_idf(n_docs: int, df: Any) -> Any:
    """How telling a term is that `df` of `n_docs` documents have (a number or an array):
    BM25+ style idf that never goes negative (very common terms score ~0, not < 0)."""
    return np.log1p((n_docs - df + 0.5) / (df + 0.5))


class TextIndex:
    """BM25 (k1, b) over a fixed document collection, with scores normalised into [0, 1].

    Build once from all documents; `query` and `query_many` score new texts against them.
    Terms unseen at build time are ignored at query time (they cannot match any document).
    """

    def __init__(
        self,
        docs: Sequence[str],
        *,
        k1: float = 1.2,
        b: float = 0.75,
        max_df: float = 1.0,
        vocabulary: dict[str, int] | None = None,
    ) -> None:
        self.k1, self.b = k1, b
        vocab: dict[str, int] = {} if vocabulary is None else dict(vocabulary)
        indptr = [0]
        indices: list[int] = []
        counts: list[int] = []
        for doc in docs:
            tf: dict[int, int] = {}
            for tok in tokenize(doc):
                tid = vocab.setdefault(tok, len(vocab))
                tf[tid] = tf.get(tid, 0) + 1
            indices.extend(tf.keys())
            counts.extend(tf.values())
            indptr.append(len(indices))
        self.vocab = vocab
        n_docs, n_terms = len(docs), max(len(vocab), 1)
        tf_mat = sp.csr_matrix(
            (np.asarray(counts, dtype=np.float64), np.asarray(indices, dtype=np.int64), indptr),
            shape=(n_docs, n_terms),
        )
        df = np.bincount(tf_mat.indices, minlength=n_terms).astype(np.float64)
        self.idf = bm25_idf(n_docs, df)
        # Collection stop words: in a large collection, terms in more than max_df of all
        # documents are ignored (their idf is small and their posting lists are long).
        self.active = np.ones(n_terms, dtype=bool)
        if n_docs >= 1000:
            self.active = df <= max_df * n_docs
        self._active_ids = frozenset(np.flatnonzero(self.active).tolist())
        self._term_of_word: dict[str, int] = {}  # raw word -> term id, -1 = none
        self._families: dict[str, list[int]] | None = None  # word_family -> term ids
        self._sorted_terms: list[str] | None = None  # active terms, for prefixes
        dl = np.asarray(tf_mat.sum(axis=1)).ravel()
        avgdl = float(dl.mean()) if n_docs and dl.mean() > 0 else 1.0
        norm = k1 * (1.0 - b + b * dl / avgdl)
        rows = np.repeat(np.arange(n_docs), np.diff(tf_mat.indptr))
        tf_vals = tf_mat.data
        weights = tf_vals * (k1 + 1.0) / (tf_vals + norm[rows]) * self.idf[tf_mat.indices]
        # Columns = terms, so a query touches only its terms' posting lists.
        self.matrix = sp.csr_matrix(
            (weights, tf_mat.indices, tf_mat.indptr), shape=(n_docs, n_terms)
        ).tocsc()
        self.n_docs = n_docs

    def term_idf(self, term: str) -> float:
        """The idf of a (normalised) term; 0 for a term the collection does not have."""
        tid = self.vocab.get(term)
        return 0.0 if tid is None else float(self.idf[tid])

    def term_ids(self, text: str) -> set[int]:
        """The distinct known, active term ids of `text` (what `tokenize` then the vocabulary
        give), through a cache from raw lower-cased words to term ids."""
        cache = self._term_of_word
        out = set()
        for word in TOKEN_RE.findall(text.lower()):
            tid = cache.get(word)
            if tid is None:
                norm = normalise(word)
                tid = self.vocab.get(norm, -1) if norm else -1
                if tid >= 0 and tid not in self._active_ids:
                    tid = -1
                if len(cache) < 1_000_000:
                    cache[word] = tid
            if tid >= 0:
                out.add(tid)
        return out

    def family_ids(self, text: str) -> np.ndarray:
        """The known, active term ids of `text` and of every term of the collection in the
        same `word_family` as one of its terms, sorted: what a search for `text` looks for
        ("negotiate" reaches "negotiating" and "negotiation")."""
        families = self._families
        if families is None:
            families = {}
            for term, tid in self.vocab.items():
                if tid in self._active_ids:
                    families.setdefault(word_family(term), []).append(tid)
            self._families = families
        ids = set(self.term_ids(text))
        for word in TOKEN_RE.findall(text.lower()):
            term = normalise(word)
            if term:
                ids.update(families.get(word_family(term), ()))
        return np.asarray(sorted(ids), dtype=np.int64)

    def prefix_ids(self, prefix: str) -> np.ndarray:
        """The active term ids that start with `prefix` (lower-case), sorted: a word still
        being typed ("negot") reaches the words it begins."""
        terms = self._sorted_terms
        if terms is None:
            terms = sorted(t for t, tid in self.vocab.items() if tid in self._active_ids)
            self._sorted_terms = terms
        lo = bisect.bisect_left(terms, prefix)
        hi = bisect.bisect_left(terms, prefix + "\U0010ffff")
        return np.asarray(sorted(self.vocab[t] for t in terms[lo:hi]), dtype=np.int64)

    def query_terms(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Term ids of `text` known to the index and their query weights (1 per distinct term)."""
        ids = sorted(self.term_ids(text))
        return np.asarray(ids, dtype=np.int64), np.ones(len(ids))

    def ideal(self, term_ids: np.ndarray, weights: np.ndarray) -> float:
        """The best BM25 a document could reach for this query: every term, saturated.
        Summed term by term in order, as `ideal_many` does, so both give the same float."""
        total = np.bincount(np.zeros(len(term_ids), dtype=np.int64), self.idf[term_ids] * weights)
        return float(total[0] * (self.k1 + 1.0)) if len(total) else 0.0

    def ideal_many(self, rows: np.ndarray, term_ids: np.ndarray, n_rows: int) -> np.ndarray:
        """`ideal` of many queries with weight 1 per term: entries (rows[i], term_ids[i]),
        in order within each row."""
        return np.bincount(rows, self.idf[term_ids], minlength=n_rows) * (self.k1 + 1.0)

    def query_ids(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(rows, term ids) of the known, active, distinct terms of many texts, sorted by
        (row, term): what `query_terms` gives for each text, flattened."""
        rows: list[int] = []
        cols: list[int] = []
        for r, text in enumerate(texts):
            ids = self.term_ids(text)
            cols.extend(ids)
            rows.extend([r] * len(ids))
        n_terms = max(len(self.vocab), 1)
        key = np.unique(np.asarray(rows, dtype=np.int64) * n_terms + np.asarray(cols, np.int64))
        return key // n_terms, key % n_terms

    def query(self, text: str) -> np.ndarray:
        """Normalised scores in [0, 1] of `text` against every document (dense vector)."""
        ids, w = self.query_terms(text)
        if len(ids) == 0 or self.n_docs == 0:
            return np.zeros(self.n_docs)
        sub = self.matrix[:, ids]
        return np.asarray(sub @ w).ravel() / self.ideal(ids, w)

    def query_many(self, texts: Iterable[str]) -> sp.csr_matrix:
        """Normalised scores of many texts against every document, as a sparse (query x doc)."""
        indptr = [0]
        indices: list[int] = []
        data: list[float] = []
        for text in texts:
            ids, w = self.query_terms(text)
            ideal = self.ideal(ids, w) if len(ids) else 1.0
            indices.extend(ids.tolist())
            data.extend((w / ideal).tolist())
            indptr.append(len(indices))
        q = sp.csr_matrix(
            (np.asarray(data), np.asarray(indices, dtype=np.int64), indptr),
            shape=(len(indptr) - 1, self.matrix.shape[1]),
        )
        return (q @ self.matrix.T).tocsr()


# Indexes of small collections, by their exact documents and parameters. A web app builds the
# index of one program's mentors on every suggestion, and the documents rarely change between
# two calls: the same documents give the same index, so no invalidation is needed. Large
# collections (batch matching) are not kept: they are built once per run and are big.
_CACHE_MAX_DOCS = 20_000
_CACHE_ENTRIES = 8
_cache: OrderedDict[tuple[Any, ...], TextIndex] = OrderedDict()
_cache_lock = threading.Lock()


def text_index(docs: Sequence[str], *, k1: float, b: float, max_df: float) -> TextIndex:
    """`TextIndex(docs, ...)`, shared with earlier calls on the same documents. The index is
    read-only apart from its word-to-term memo, which is the same for every caller."""
    if len(docs) > _CACHE_MAX_DOCS:
        return TextIndex(docs, k1=k1, b=b, max_df=max_df)
    key = (tuple(docs), k1, b, max_df)
    with _cache_lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    index = TextIndex(docs, k1=k1, b=b, max_df=max_df)
    with _cache_lock:
        _cache[key] = index
        while len(_cache) > _CACHE_ENTRIES:
            _cache.popitem(last=False)
    return index

"""Relevance of many asks at once: the same floats as `ScoredAsk`, vectorised per chunk.

For a chunk of asks, one sparse product (asks x terms) @ (terms x documents) gives every
document's vote (normalised BM25 times the document's weight); each ask keeps its
`policy.evidence_items` best documents (`top_per_row`: ties by document number, as in
`ScoredAsk`), whose votes are summed per mentor.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp

from pairup.engine.records import Ask, Policy
from pairup.engine.semantic import SemanticIndex, combine
from pairup.engine.text import TextIndex


class RelevanceIndex(Protocol):
    """What relevance reads of the mentors' index. `scoring.MentorIndex` is the one index;
    it scores a single ask with these functions, so this module names only the parts it
    reads instead of importing it (the import runs one way: scoring -> relevance)."""

    policy: Policy
    text: TextIndex
    vote_t: Any  # scipy.sparse csr matrix, terms x documents
    doc_owner: np.ndarray
    doc_weight: np.ndarray
    doc_is_history: np.ndarray
    id_rank: np.ndarray
    semantic: SemanticIndex | None
    semantic_positions: np.ndarray
    semantic_inverse: np.ndarray

    def __len__(self) -> int: ...


# Votes are summed as integers in units of VOTE_QUANTUM, so a mentor's total does not depend
# on the order its documents are added in (the batch and the single-ask scorers agree to
# the last bit). Sums stay exact below 2**53 units: 100 documents of weight up to 80.
VOTE_QUANTUM = 2.0**-40


def relevance_of_votes(owner: np.ndarray, votes: np.ndarray, saturation: float) -> np.ndarray:
    """relevance = 1 - exp(-total / saturation) per owner (0..max(owner)) of the votes."""
    units = np.bincount(owner, weights=np.rint(votes / VOTE_QUANTUM))
    return np.asarray(1.0 - np.exp(-(units * VOTE_QUANTUM) / saturation))


def top_per_row(indptr: np.ndarray, docs: np.ndarray, votes: np.ndarray, n: int) -> np.ndarray:
    """Positions of each CSR row's `n` best entries by vote (ties: lower document number),
    row by row: one `np.partition` gives the row's n-th best vote c; votes > c are in and
    votes == c fill the remaining places, lowest document first."""
    out = []
    bounds = indptr.tolist()
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        if hi - lo <= n:
            out.append(np.arange(lo, hi))
            continue
        row = votes[lo:hi]
        cut = np.partition(row, hi - lo - n)[hi - lo - n]
        sel = np.flatnonzero(row >= cut)
        if len(sel) > n:  # votes tie at the cut: the lowest documents among them
            at = row[sel] == cut
            tied = sel[at]
            keep = tied[np.argsort(docs[lo + tied], kind="stable")[: n - (len(sel) - len(tied))]]
            sel = np.concatenate([sel[~at], keep])
        out.append(sel + lo)
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def top_few_per_row(indptr: np.ndarray, ties: np.ndarray, values: np.ndarray, k: int) -> np.ndarray:
    """Positions of each CSR row's k best entries by value (ties: lower `ties`), for a
    small k: k rounds of one per-row maximum each."""
    rows = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
    left = np.ones(len(values), dtype=bool)
    out = []
    for _ in range(k):
        live = np.flatnonzero(left)
        if not len(live):
            break
        r = rows[live]
        first = np.flatnonzero(np.r_[True, r[1:] != r[:-1]])
        best = np.maximum.reduceat(values[live], first)
        at = live[values[live] == np.repeat(best, np.diff(np.r_[first, len(live)]))]
        # Among a row's entries at its maximum, the lowest tie key.
        r_at = rows[at]
        order = np.lexsort((ties[at], r_at))
        at, r_at = at[order], r_at[order]
        pick = at[np.r_[True, r_at[1:] != r_at[:-1]]]
        out.append(pick)
        left[pick] = False
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def query_matrix(index: RelevanceIndex, texts: Sequence[str]) -> sp.csr_matrix:
    """(texts x terms): each text's known terms, weighted 1 / its ideal BM25."""
    text = index.text
    rows, cols = text.query_ids(texts)
    ideal = text.ideal_many(rows, cols, len(texts))
    counts = np.bincount(rows, minlength=len(texts))
    return sp.csr_matrix(
        (1.0 / ideal[rows], cols, np.concatenate([[0], np.cumsum(counts)])),
        shape=(len(texts), index.vote_t.shape[0]),
    )


def relevance_pairs(
    index: RelevanceIndex, asks: Sequence[Ask]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, mentor, relevance) for every ask row with relevance > 0, ordered by row.

    One sparse product (asks x terms) @ (terms x documents) gives every document's vote
    (normalised BM25 times the document's weight); each row keeps its `evidence_items` best
    votes (`top_per_row`), summed per mentor.
    """
    return evidence(index, asks)[:3]


# Hybrid relevance is dense per (ask, mentor): asks are taken in blocks of at most this many
# (ask x mentor) cells.
HYBRID_CELLS = 2_000_000
# Hybrid mode: an ask's relevance set is at most its RELEVANCE_SET most relevant mentors
# (ties at the cut: lower ids); the others count 0, like a mentor with no lexical evidence.
# Keeps batch matching's scored pairs at asks x RELEVANCE_SET however many mentors there
# are, and recommend's exact search small.
RELEVANCE_SET = 1000


def keep_best(rel: np.ndarray, id_rank: np.ndarray, n: int) -> None:
    """Zero, in place, every entry of each row of `rel` but its n largest positive ones
    (ties at the cut: lower `id_rank`)."""
    for r in range(rel.shape[0]):
        row = rel[r]
        pos = np.flatnonzero(row > 0)
        if len(pos) <= n:
            continue
        cut = np.partition(row[pos], len(pos) - n)[len(pos) - n]
        above = pos[row[pos] > cut]
        tied = pos[row[pos] == cut]
        tied = tied[np.argsort(id_rank[tied], kind="stable")[: n - len(above)]]
        drop = np.ones(len(row), dtype=bool)
        drop[above] = False
        drop[tied] = False
        row[drop] = 0.0


def evidence(
    index: RelevanceIndex, asks: Sequence[Ask], wanted: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """`relevance_pairs` plus, per (row, mentor), the number of its history items among the
    ask's evidence at least half as similar as the most similar one ("has helped with N
    similar asks"), whether its profile is among the evidence, and (hybrid relevance) the
    history item most similar to the ask, -1 for none: what `ScoredAsk` keeps for its
    reasons.

    With `index.semantic`, relevance is hybrid (`semantic.combine` of the semantic and the
    lexical relevance) and the set is each ask's RELEVANCE_SET most relevant mentors, or its
    `wanted` most relevant when more (`recommend` with k above RELEVANCE_SET, e.g. every
    mentor: each is then scored on its own relevance, exactly; with k = every mentor, every
    vector is read whatever the index's size)."""
    if index.semantic is None:
        found = lexical_evidence(index, asks)
        return (*found, np.full(len(found[0]), -1, dtype=np.int64))
    n_m = max(len(index), 1)
    step = max(1, HYBRID_CELLS // n_m)
    # The coarse first stage serves one ask at a time (recommend); a batch is scored exactly
    # in every block, however its asks fall into blocks.
    exact = len(asks) > 1
    parts = [
        hybrid_evidence(index, asks[lo : lo + step], lo, wanted, exact)[0]
        for lo in range(0, len(asks), step)
    ]
    if not parts:
        e = np.zeros(0, dtype=np.int64)
        return e, e, np.zeros(0), e, np.zeros(0, dtype=bool), e
    cat = [np.concatenate([p[k] for p in parts]) for k in range(6)]
    return cat[0], cat[1], cat[2], cat[3], cat[4], cat[5]


Evidence = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def ask_evidence(
    index: RelevanceIndex, ask: Ask, wanted: int = 0
) -> tuple[Evidence, np.ndarray | None]:
    """`evidence` of one ask (what `scoring.ScoredAsk` keeps) and, in hybrid mode, the
    cosine of every mentor's closest document to the ask (`SemanticIndex.similarities`'
    nearest; None in lexical mode): the order among equal scores in `recommend`, so the
    mentors without relevance are still ordered by how near their evidence comes."""
    if index.semantic is None:
        return evidence(index, [ask], wanted), None
    found, nearest = hybrid_evidence(index, [ask], 0, wanted)
    return found, nearest[0]


def hybrid_evidence(
    index: RelevanceIndex,
    asks: Sequence[Ask],
    offset: int = 0,
    wanted: int = 0,
    exact: bool = False,
) -> tuple[Evidence, np.ndarray]:
    """`evidence` in hybrid mode for one block of asks (rows numbered from `offset`), and
    the nearest cosine of every (ask, mentor) (`ask_evidence`). With `wanted` at least the
    number of mentors (every mentor asked for), every vector is read."""

    sem = index.semantic
    assert sem is not None
    n_a, n_m = len(asks), len(index)
    l_rows, l_ms, l_rel, l_similar, l_profile = lexical_evidence(index, asks)
    size = max(RELEVANCE_SET, wanted)
    semantic, item, nearest = sem.similarities(
        sem.ask_vectors([a.text for a in asks]),
        index.semantic_positions,
        index.policy.evidence_items,
        also=index.semantic_inverse[l_ms] if n_a == 1 else None,
        exact=exact or size > RELEVANCE_SET or wanted >= n_m,
    )
    lexical = np.zeros((n_a, n_m))
    lexical[l_rows, l_ms] = l_rel
    rel = combine(semantic, lexical)
    keep_best(rel, index.id_rank, size)
    rows, ms = np.nonzero(rel > 0)
    cell = rows * n_m + ms
    similar = np.zeros(n_a * n_m, dtype=np.int64)
    similar[l_rows * n_m + l_ms] = l_similar
    profile = np.zeros(n_a * n_m, dtype=bool)
    profile[l_rows * n_m + l_ms] = l_profile
    return (
        rows.astype(np.int64) + offset,
        ms.astype(np.int64),
        rel[rows, ms],
        similar[cell],
        profile[cell],
        item[rows, ms],
    ), nearest


def lexical_evidence(
    index: RelevanceIndex, asks: Sequence[Ask]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """`evidence` of the lexical relevance alone (BM25 votes)."""
    n_m = len(index)
    empty = np.zeros(0, dtype=np.int64)
    nothing = (empty, empty, np.zeros(0), empty, np.zeros(0, dtype=bool))
    if index.text.n_docs == 0 or not asks:
        return nothing
    votes = (query_matrix(index, [a.text for a in asks]) @ index.vote_t).tocsr()
    if votes.nnz == 0:
        return nothing
    keep = top_per_row(votes.indptr, votes.indices, votes.data, index.policy.evidence_items)
    rows = np.searchsorted(votes.indptr, keep, side="right").astype(np.int64) - 1
    docs = votes.indices[keep]
    key = rows * n_m + index.doc_owner[docs]
    uniq, inv = np.unique(key, return_inverse=True)
    rel = relevance_of_votes(inv, votes.data[keep], index.policy.relevance_saturation)
    hist = index.doc_is_history[docs]
    sims = votes.data[keep] / index.doc_weight[docs]
    best = np.zeros(len(asks))
    np.maximum.at(best, rows[hist], sims[hist])
    similar = hist & (sims >= 0.5 * best[rows]) & (best[rows] > 0)
    n_similar = np.bincount(inv, weights=similar, minlength=len(uniq)).astype(np.int64)
    profile = np.bincount(inv, weights=~hist, minlength=len(uniq)) > 0
    return uniq // n_m, uniq % n_m, rel, n_similar, profile

"""The vectorised batch scorer: exact top-n selection and forked workers."""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from pairup.engine import MentorIndex, Policy
from pairup.engine.batch import CHUNK, batch_candidates, relevance_pairs, top_per_row
from tests.engine.test_assign import random_instance


def naive_top(indptr, docs, votes, n):
    out = []
    for r in range(len(indptr) - 1):
        lo, hi = indptr[r], indptr[r + 1]
        out.extend((lo + np.lexsort((docs[lo:hi], -votes[lo:hi]))[:n]).tolist())
    return sorted(out)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(0, 400), min_size=1, max_size=12),
    st.integers(1, 60),
    st.integers(1, 8),
    st.integers(0, 2**32 - 1),
)
def test_top_per_row_is_the_exact_top_n_with_ties_by_document(counts, n, levels, seed):
    # Few distinct vote levels: many ties at every cut, the hard case.
    rng = np.random.default_rng(seed)
    indptr = np.concatenate([[0], np.cumsum(counts)])
    docs = np.concatenate([rng.permutation(5000)[:c] for c in counts]).astype(np.int32)
    votes = rng.integers(1, levels + 1, indptr[-1]) / (levels * rng.uniform(1, 4))
    got = sorted(top_per_row(indptr, docs, votes, n).tolist())
    assert got == naive_top(indptr, docs, votes, n)


def test_top_per_row_with_votes_closer_than_the_sort_key_can_tell(monkeypatch):
    # Row 1500's sort key is about 3000, whose float spacing (5e-13) hides vote differences
    # of 1e-15: the exact fallback must order them.
    counts = [0] * 1500 + [300]
    indptr = np.concatenate([[0], np.cumsum(counts)])
    docs = np.arange(300)[::-1].astype(np.int32)
    votes = 0.5 + (np.arange(300) % 5) * 1e-15
    calls = []
    real = np.lexsort
    monkeypatch.setattr(np, "lexsort", lambda keys: calls.append(1) or real(keys))
    got = sorted(top_per_row(indptr, docs, votes, 100).tolist())
    monkeypatch.undo()
    assert calls, "the exact fallback did not run"
    assert got == naive_top(indptr, docs, votes, 100)


def test_relevance_pairs_equal_the_single_ask_scorer():
    rng = np.random.default_rng(5)
    asks, mentors = random_instance(rng, 60, 30)
    index = MentorIndex(mentors, Policy(evidence_items=3))
    rows, ms, rel = relevance_pairs(index, asks)
    for r, ask in enumerate(asks):
        scored = index.score_ask(ask)
        sel = rows == r
        assert ms[sel].tolist() == scored.rel_idx.tolist()
        assert rel[sel].tolist() == scored.rel_val.tolist()  # to the last bit


@pytest.mark.skipif(
    "fork" not in __import__("multiprocessing").get_all_start_methods(), reason="no fork"
)
def test_forked_workers_give_the_same_candidates_in_the_same_order():
    rng = np.random.default_rng(8)
    asks, mentors = random_instance(rng, 2 * CHUNK + 17, 40)
    index = MentorIndex(mentors)
    one = list(batch_candidates(index, asks, 4, workers=1))
    two = list(batch_candidates(index, asks, 4, workers=2))
    assert len(one) == len(two) == len(asks)
    for a, b in zip(one, two, strict=True):
        assert a.pos.tolist() == b.pos.tolist()
        assert a.scores.tolist() == b.scores.tolist()
        assert a.rest == b.rest and sorted(a.seen.tolist()) == sorted(b.seen.tolist())


def test_sparse_votes_match_a_dense_reference():
    rng = np.random.default_rng(11)
    asks, mentors = random_instance(rng, 20, 15)
    index = MentorIndex(mentors, Policy(evidence_items=1000))
    dense_votes = index.text.matrix.toarray() * index.doc_weight[:, None]
    rows, ms, rel = relevance_pairs(index, asks)
    for r, ask in enumerate(asks):
        ids, _ = index.text.query_terms(ask.text)
        if not len(ids):
            assert not (rows == r).any()
            continue
        votes = dense_votes[:, ids].sum(axis=1) / index.text.ideal(ids, np.ones(len(ids)))
        total = np.bincount(index.doc_owner, weights=votes, minlength=len(index))
        want = 1 - np.exp(-total / index.policy.relevance_saturation)
        got = np.zeros(len(index))
        got[ms[rows == r]] = rel[rows == r]
        assert np.allclose(got, want, atol=1e-9)
    assert sp.issparse(index.vote_t)

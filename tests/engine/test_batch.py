"""The vectorised batch scorer: exact top-n selection, pair scores equal to the per-ask
scorer, forked workers, mentor offers."""

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from pairup.engine import MentorIndex, Policy
from pairup.engine.batch import CHUNK, AskTable, candidate_pairs, mentor_offers
from pairup.engine.relevance import query_matrix, relevance_pairs, top_few_per_row, top_per_row
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


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(0, 30), min_size=1, max_size=12),
    st.integers(1, 4),
    st.integers(1, 4),
    st.integers(0, 2**32 - 1),
)
def test_top_few_per_row_is_the_exact_top_k_with_ties(counts, k, levels, seed):
    rng = np.random.default_rng(seed)
    indptr = np.concatenate([[0], np.cumsum(counts)])
    ties = np.concatenate([rng.permutation(100)[:c] for c in counts])
    values = rng.integers(-levels, levels + 1, indptr[-1]) / 3.0  # negative too
    got = sorted(top_few_per_row(indptr, ties, values, k).tolist())
    assert got == naive_top(indptr, ties, values, k)


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


def test_threads_give_the_same_candidates_in_the_same_order():
    rng = np.random.default_rng(8)
    asks, mentors = random_instance(rng, 2 * CHUNK + 17, 40)
    table = AskTable(MentorIndex(mentors), asks)
    one, rest_one = candidate_pairs(table, 4, workers=1, best=2)
    two, rest_two = candidate_pairs(table, 4, workers=2, best=2)
    for field in ("rows", "ms", "scores", "ok", "best"):
        assert getattr(one, field).tolist() == getattr(two, field).tolist()
    assert rest_one.tolist() == rest_two.tolist()


def test_candidate_scores_equal_the_per_ask_scorer_and_bound_the_rest():
    rng = np.random.default_rng(21)
    asks, mentors = random_instance(rng, 40, 25)
    index = MentorIndex(mentors, Policy(evidence_items=4, min_score=-1.0))
    found, rest = candidate_pairs(AskTable(index, asks), 3, best=2)
    rows, ms, scores, ok = found.rows, found.ms, found.scores, found.ok
    assert (np.diff(rows * 25 + ms) > 0).all()  # sorted by (ask, mentor), no repeats
    for a, ask in enumerate(asks):
        scored = index.score_ask(ask)
        mine = rows == a
        want, want_ok = scored.score(ms[mine])
        assert scores[mine].tolist() == want.tolist()  # to the last bit
        assert ok[mine].tolist() == want_ok.tolist()
        # The 2 best eligible pairs (ties: lower mentor id) are marked best.
        good = np.flatnonzero(want_ok)
        ranked = good[np.lexsort((index.id_rank[ms[mine][good]], -want[good]))][:2]
        assert np.flatnonzero(found.best[mine]).tolist() == sorted(ranked.tolist())
        assert set(scored.rel_idx.tolist()) <= set(ms[mine].tolist())
        everyone, ok_all = scored.score(np.arange(25))
        unseen = np.setdiff1d(np.arange(25), ms[mine])
        assert (everyone[unseen][ok_all[unseen]] <= rest[a]).all()


def test_query_matrix_weights_equal_the_single_query_ideal():
    rng = np.random.default_rng(2)
    asks, mentors = random_instance(rng, 30, 20)
    index = MentorIndex(mentors)
    q = query_matrix(index, [a.text for a in asks])
    for r, ask in enumerate(asks):
        ids, _ = index.text.query_terms(ask.text)
        row = q[r]
        assert row.indices.tolist() == ids.tolist()
        if len(ids):
            want = 1.0 / index.text.ideal(ids, np.ones(len(ids)))
            assert row.data.tolist() == [want] * len(ids)


def test_mentor_offers_walk_groups_from_the_best_bound_and_spread_over_asks():
    from pairup.engine import Ask, Mentor, TopicLevel

    mentors = [
        Mentor(id=0, topics=(TopicLevel("career/offer", "expert"),)),
        Mentor(id=1, topics=(TopicLevel("career/offer", "expert"),)),
        Mentor(id=2, topics=(TopicLevel("soft/talk", "expert"),), capacity=0),
    ]
    asks = [Ask(id=j, text="x", topics=(TopicLevel("career/offer"),)) for j in range(3)]
    asks += [Ask(id=10 + j, text="x", topics=(TopicLevel("soft/talk"),)) for j in range(4)]
    table = AskTable(MentorIndex(mentors), asks)
    rows, ms = mentor_offers(table, np.array([2, 2, 5]))
    by_mentor = {m: sorted(rows[ms == m].tolist()) for m in range(3)}
    # Mentors 0 and 1 share their best group (career/offer: asks 0-2) and take successive
    # asks of it, wrapping around; mentor 2 has no capacity and gets nothing.
    assert by_mentor == {0: [0, 1], 1: [0, 2], 2: []}
    rows, ms = mentor_offers(table, np.array([5, 0, 0]))
    assert sorted(rows[ms == 0].tolist()) == [0, 1, 2, 3, 4]  # then the next group


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


def test_batch_and_single_ask_agree_on_edge_cases():
    from datetime import UTC, datetime

    from pairup.engine import Ask, Mentor
    from pairup.engine.assign import assign_detailed

    now = datetime(2026, 11, 23, tzinfo=UTC)
    mentors = [
        Mentor(id=1, text="sql joins", history=("how to write sql joins",), free=()),
        Mentor(id=2, text="sql expert"),
    ]
    asks = [Ask(id=1, text="sql joins", duration=0), Ask(id=2, text="sql", duration=30)]
    for policy in (Policy(now=now), Policy(profile_weight=0.0)):
        index = MentorIndex(mentors, policy)
        result = assign_detailed(asks, index)
        dumped = {(p["ask"], p["mentor"]): p["score"] for p in result.eligible_pairs()}
        for ask in asks:
            scores, ok = index.score_ask(ask).score(np.arange(2))
            for m in np.flatnonzero(ok):
                assert dumped[(ask.id, mentors[m].id)] == f"{scores[m]:.6f}"
        for a in result.assignments:
            if a.mentor_id is not None:
                ask = asks[[x.id for x in asks].index(a.ask_id)]
                position = [m.id for m in mentors].index(a.mentor_id)
                assert a.reasons == index.score_ask(ask).reasons(position)

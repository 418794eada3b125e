from dataclasses import replace

import numpy as np
import pytest

from pairup.engine import Ask, HistoryItem, Mentor, MentorIndex, Policy, TopicLevel, recommend
from pairup.engine.availability import describe_window
from pairup.engine.text import TextIndex, tokenize
from pairup.engine.topics import path_similarity

from .conftest import utc


def test_tokenize_drops_stop_words_and_folds_plurals():
    assert tokenize("How do I negotiate the Offers?") == ["negotiate", "offer"]


def test_text_index_scores_lie_in_unit_interval():
    index = TextIndex(["negotiate an offer", "public speaking nerves", "offer offer offer"])
    scores = index.query("negotiate offer")
    assert scores.shape == (3,)
    assert (scores >= 0).all() and (scores <= 1).all()
    assert scores[0] == scores.max() and scores[1] == 0.0


def test_path_similarity_gives_partial_credit_for_shared_parent():
    a, b = ("career", "negotiating-an-offer"), ("career", "interview-prep")
    assert path_similarity(a, a, 0.5) == 1.0
    assert path_similarity(a, b, 0.5) == 0.25
    assert path_similarity(a, ("soft-skills",), 0.5) == 0.0


def test_recommend_explains_topic_history_window_and_load(mentors, ask):
    policy = Policy(now=utc("2026-11-23T00:00"))
    best = recommend(ask, mentors, k=3, policy=policy)[0]
    assert best.mentor_id == 1
    assert best.reasons == (
        "Knows negotiating an offer (expert)",
        "Has helped with 1 similar ask",
        "Their profile mentions ‘data’",
        "Free Tue 14:00–15:00 Paris time",
        "Has 1 of 4 sessions this month",
    )
    assert set(best.components) == {"relevance", "topics", "availability", "load", "cross_site"}
    assert best.components["topics"] == 1.0
    assert best.components["load"] == 0.25


def test_recommend_drops_mentor_without_shared_language(mentors, ask):
    ids = [s.mentor_id for s in recommend(ask, mentors, k=3)]
    assert ids == [1, 3]  # "bo" speaks only French


def test_recommend_respects_exclude_and_capacity(mentors, ask):
    full = [replace(m, capacity=0) if m.id == 3 else m for m in mentors]
    ask = replace(ask, exclude=(1,), languages=())
    assert [s.mentor_id for s in recommend(ask, full, k=3)] == ["bo"]


def test_recommend_min_score_is_a_hard_rule(mentors, ask):
    assert [s.mentor_id for s in recommend(ask, mentors, 3, Policy(min_score=0.5))] == [1]


def test_recommend_cross_site_bonus_when_policy_wants_it(mentors):
    ask = Ask(id=9, text="unrelated words", site="Berlin")
    policy = Policy(cross_site_bonus=0.4, load_weight=0.0)
    top = recommend(ask, mentors, 1, policy)[0]
    assert top.mentor_id == "bo"
    assert "At another site" in top.reasons


def test_recommend_breaks_ties_by_id():
    mentors = [Mentor(id=i, text="same words") for i in (5, 2, 9)]
    assert [s.mentor_id for s in recommend(Ask(id=1, text="words"), mentors, 3)] == [2, 5, 9]


def test_recommend_history_beats_profile_words():
    mentors = [
        Mentor(id="a", text="negotiation"),
        Mentor(id="b", text="", history=("negotiation of salary", "salary negotiation tips")),
    ]
    top = recommend(Ask(id=1, text="salary negotiation"), mentors, 2)
    assert [s.mentor_id for s in top] == ["b", "a"]
    assert top[0].reasons[0] == "Has helped with 2 similar asks"


def test_recommend_history_weight_scales_evidence():
    mentors = [
        Mentor(id="a", history=(HistoryItem("sql joins", 0.2),)),
        Mentor(id="b", history=(HistoryItem("sql joins", 1.0),)),
    ]
    assert [s.mentor_id for s in recommend(Ask(id=1, text="sql joins"), mentors, 2)] == ["b", "a"]


def test_availability_unknown_is_neutral_and_no_time_ranks_lower():
    t = utc("2026-11-24T10:00")
    mentors = [
        Mentor(id="busy", text="sql", free=()),
        Mentor(id="unknown", text="sql"),
        Mentor(id="free", text="sql", free=((t, utc("2026-11-24T11:00")),)),
    ]
    top = recommend(Ask(id=1, text="sql"), mentors, 3)
    assert [s.mentor_id for s in top] == ["free", "unknown", "busy"]
    assert [s.components["availability"] for s in top] == [1.0, 0.5, 0.0]


def test_availability_needs_window_of_ask_duration():
    m = Mentor(id=1, text="sql", free=((utc("2026-11-24T10:00"), utc("2026-11-24T10:20")),))
    ask = Ask(id=1, text="sql", duration=30)
    assert recommend(ask, [m], 1)[0].components["availability"] == 0.0


def test_describe_window_uses_ask_timezone_and_names_it():
    """Admins read the same reasons on the cohort review and handover pages: "your time"
    would read as their own zone, so the window names the ask's zone."""
    window = (utc("2026-11-24T13:00").timestamp(), utc("2026-11-24T14:00").timestamp())
    assert describe_window(window, "America/New_York") == "Free Tue 08:00–09:00 New York time"
    assert describe_window(window, "UTC") == "Free Tue 13:00–14:00 UTC"
    assert describe_window(window, "Etc/UTC") == "Free Tue 13:00–14:00 UTC"
    assert describe_window(window, "Nowhere/Else") == "Free Tue 13:00–14:00 UTC"
    assert (
        describe_window(window, "America/Argentina/Buenos_Aires")
        == "Free Tue 10:00–11:00 Buenos Aires time"
    )


def test_mentor_index_rejects_duplicate_ids():
    with pytest.raises(ValueError, match="duplicate mentor id 1"):
        MentorIndex([Mentor(id=1, text="a"), Mentor(id=1, text="b")])


def test_recommend_is_exact_against_brute_force():
    rng = np.random.default_rng(7)
    words = ["sql", "offer", "talk", "email", "python", "feedback", "salary", "nerves"]
    paths = ["career/offer", "career/interview", "soft/talk", "hard/sql", "hard/email"]
    for trial in range(30):
        mentors = [
            Mentor(
                id=i,
                text=" ".join(rng.choice(words, 3)),
                history=tuple(" ".join(rng.choice(words, 4)) for _ in range(rng.integers(0, 3))),
                topics=tuple(TopicLevel(str(p)) for p in rng.choice(paths, rng.integers(0, 3))),
                capacity=int(rng.integers(0, 3)),
                load=int(rng.integers(0, 4)),
            )
            for i in range(40)
        ]
        ask = Ask(
            id=trial, text=" ".join(rng.choice(words, 3)), topics=(TopicLevel("career/offer"),)
        )
        index = MentorIndex(mentors, Policy(evidence_items=5))
        scored = index.score_ask(ask)
        scores, ok = scored.score(np.arange(40))
        want = sorted((-round(s, 6), i) for i, s in enumerate(scores) if ok[i])[:5]
        got = recommend(ask, index, 5)
        assert [s.mentor_id for s in got] == [i for _, i in want]


def test_topic_table_matches_direct_computation():
    from pairup.engine.topics import TopicTable, level_weight, normalise_path

    rng = np.random.default_rng(4)
    paths = ["career", "career/offer", "career/interview", "soft/talk", "soft", "hard/sql/joins"]
    levels = [None, "familiar", "experienced", "expert"]
    mentor_topics = [
        tuple(
            TopicLevel(str(rng.choice(paths)), rng.choice(levels))
            for _ in range(rng.integers(0, 4))
        )
        for _ in range(30)
    ]
    policy = Policy()
    table = TopicTable(mentor_topics, policy)
    for ask_paths in (["career/offer"], ["soft", "hard/sql"], ["career", "career/interview"]):
        ask = tuple(TopicLevel(p) for p in ask_paths)
        want = []
        for topics in mentor_topics:
            per = [
                max(
                    (
                        path_similarity(normalise_path(a.path), normalise_path(t.path), 0.5)
                        * level_weight(t.level, policy)
                        for t in topics
                    ),
                    default=0.0,
                )
                for a in ask
            ]
            want.append(sum(per) / len(per))
        assert np.allclose(table.scores(ask), want)


def test_group_head_is_a_prefix_of_the_full_order_with_ties():
    # Few distinct loads and levels: bounds tie a lot; some mentors are full (-inf).
    rng = np.random.default_rng(8)
    paths = ["career/offer", "career/interview", "soft/talk", "hard/sql"]
    mentors = [
        Mentor(
            id=int(i),
            text="x",
            topics=tuple(
                TopicLevel(str(p), str(rng.choice(["familiar", "expert"])))
                for p in rng.choice(paths, rng.integers(0, 3), replace=False)
            ),
            capacity=int(rng.integers(0, 3)),
            load=int(rng.integers(0, 2)),
            site=str(rng.choice(["", "berlin", "paris"])),
        )
        for i in rng.permutation(5000)
    ]
    for policy in (Policy(), Policy(cross_site_bonus=0.2, min_score=0.3)):
        index = MentorIndex(mentors, policy)
        for topics in (("career/offer",), ("career/offer", "soft/talk"), ("sales",)):
            ask = Ask(id=1, text="x", topics=tuple(TopicLevel(t) for t in topics), site="paris")
            group = index.group(ask)
            scores, _ = index.score_ask(ask).score(np.arange(len(index)))
            assert (group.bound[np.isfinite(group.bound)] >= scores[np.isfinite(group.bound)]).all()
            full = np.lexsort((index.id_rank, -group.bound))
            for n in (1, 10, 100, 600):
                assert group.head(n).tolist() == full[:n].tolist()
                assert group.bound_of(full[:n]).tolist() == group.bound[full[:n]].tolist()


def test_evidence_is_the_exact_top_documents_when_documents_match_many_terms():
    # Each document matches most query terms, so the 3n best posting entries hold fewer than
    # n distinct documents: the selection must widen until it holds n of them.
    rng = np.random.default_rng(12)
    words = [f"w{k}" for k in range(12)]
    mentors = [
        Mentor(id=i, history=tuple(" ".join(rng.choice(words, 9)) for _ in range(3)))
        for i in range(40)
    ]
    policy = Policy(evidence_items=7)
    index = MentorIndex(mentors, policy)
    dense = index.text.matrix.toarray() * index.doc_weight[:, None]
    for trial in range(20):
        text = " ".join(rng.choice(words, 8))
        ids, _ = index.text.query_terms(text)
        votes = dense[:, ids].sum(axis=1) / index.text.ideal(ids, np.ones(len(ids)))
        top = np.lexsort((np.arange(len(votes)), -votes))[:7]
        total = np.bincount(index.doc_owner[top], weights=votes[top], minlength=len(index))
        want = np.flatnonzero(total)
        scored = index.score_ask(Ask(id=trial, text=text))
        assert scored.rel_idx.tolist() == want.tolist()
        assert np.allclose(scored.rel_val, 1 - np.exp(-total[want] / 0.5), atol=1e-12)


def test_topic_similarities_equal_path_similarity_for_every_path():
    from pairup.engine.topics import TopicTable, normalise_path

    paths = ["career", "career/offer", "career/offer/equity", "career/interview", "soft/talk"]
    table = TopicTable([(TopicLevel(p),) for p in paths], Policy(parent_credit=0.6))
    for ask_path in ["career/offer", "career", "career/offer/equity/vesting", "soft", "x/y", ""]:
        ap = normalise_path(ask_path)
        want = [path_similarity(ap, p, 0.6) for p in table.paths]
        assert table.similarities(ap).tolist() == want


def test_a_topic_the_mentor_knows_is_one_reason_even_when_two_asked_topics_point_to_it():
    from pairup.engine.topics import explain_topics

    reasons = explain_topics(
        (
            TopicLevel("communication/public-speaking"),
            TopicLevel("leadership/stakeholder-management"),
        ),
        (TopicLevel("leadership/stakeholder-management", "experienced"),),
        Policy(),
    )
    assert reasons == ["Knows stakeholder management (experienced)"]
    near = explain_topics(
        (TopicLevel("communication/public-speaking"),),
        (TopicLevel("communication/storytelling", "expert"),),
        Policy(),
    )
    assert near == ["Knows storytelling (expert), close to public speaking"]


def test_a_profile_reason_names_the_words_that_matched():
    mentor = Mentor(id="m1", text="Coach for salary negotiation and offers at startups")
    other = Mentor(id="m2", text="Gardening and beekeeping")
    index = MentorIndex([mentor, other], Policy())
    ask = Ask(id="a1", text="How do I ask for a higher salary on my first offer?")
    [found] = [s for s in recommend(ask, index, k=2) if s.mentor_id == "m1"]
    assert "Their profile mentions ‘salary’ and ‘offers’" in found.reasons
    again = [s for s in recommend(ask, index, k=2) if s.mentor_id == "m1"][0]
    assert again.reasons == found.reasons  # the same reasons, every time


def test_a_profile_reason_does_not_name_counts_or_order_words():
    # Seen in the demo: "Their profile mentions 'two' and 'interviews'".
    mentor = Mentor(id="m1", text="Two decades of interviews; I help first-time candidates")
    index = MentorIndex([mentor, Mentor(id="m2", text="Gardening")], Policy())
    ask = Ask(id="a1", text="My first interview is in two days: I need help with answers")
    [found] = [s for s in recommend(ask, index, k=2) if s.mentor_id == "m1"]
    assert "Their profile mentions ‘interviews’" in found.reasons


def test_a_profile_that_shares_a_word_or_two_is_no_topical_reason():
    strong = Mentor(id="m1", text="Salary negotiation coach: offers, equity, counter-offers")
    weak = Mentor(id="m2", text="I read a lot about gardening")
    index = MentorIndex([strong, weak], Policy())
    ask = Ask(id="a1", text="How do I negotiate salary and equity in my offer? I read blogs.")
    found = {s.mentor_id: s for s in recommend(ask, index, k=2)}
    assert found["m1"].topical and any("mentions" in r for r in found["m1"].reasons)
    assert not found["m2"].topical
    assert not any("profile" in r for r in found["m2"].reasons)


def test_a_profile_reason_does_not_repeat_what_a_topic_reason_names():
    # Seen in the demo: "Knows system design (expert)", then "Their profile mentions
    # 'System' and 'design'".
    topic = (TopicLevel("engineering/system-design", "expert"),)
    only_topic = Mentor(id="m1", text="System design reviews.", topics=topic)
    more = Mentor(id="m2", text="System design for payments at scale", topics=topic)
    index = MentorIndex([only_topic, more, Mentor(id="m3", text="Gardening")], Policy())
    ask = Ask(id="a1", text="Preparing a system design interview about payments", topics=topic)
    found = {s.mentor_id: s.reasons for s in recommend(ask, index, k=3)}
    assert any(r.startswith("Knows system design") for r in found["m1"])
    assert not any("profile" in r for r in found["m1"])
    assert "Their profile mentions ‘payments’" in found["m2"]


def test_a_profile_reason_names_a_word_as_it_is_spelt_inside_a_sentence():
    index = MentorIndex(
        [
            Mentor(id="m1", text="Negotiation is my field. I coach Negotiation for AWS teams"),
            Mentor(id="m2", text="Salary talks. Offers too"),
            Mentor(id="m3", text="Gardening"),
        ],
        Policy(),
    )
    found = {
        s.mentor_id: s.reasons
        for s in recommend(Ask(id="a1", text="negotiation of salary offers on AWS"), index, k=3)
    }
    assert "Their profile mentions ‘Negotiation’ and ‘AWS’" in found["m1"]
    assert "Their profile mentions ‘salary’ and ‘offers’" in found["m2"]


def test_a_profile_reason_keeps_what_a_topic_reason_names_only_of_the_ask():
    # "Knows X, close to salary negotiation" names the ask's topic, not the mentor's:
    # 'salary' in the profile is still named; a level ('expert') is no topic word.
    policy = Policy()
    mentor = Mentor(
        id="m1",
        text="Kubernetes expert. I coach salary talks",
        topics=(TopicLevel("career/negotiating-an-offer", "expert"),),
    )
    index = MentorIndex([mentor, Mentor(id="m2", text="Gardening")], policy)
    ask = Ask(
        id="a1",
        text="salary negotiation with an expert in kubernetes",
        topics=(TopicLevel("career/salary-negotiation"),),
    )
    [found] = [s for s in recommend(ask, index, k=2) if s.mentor_id == "m1"]
    assert found.reasons[0].startswith("Knows negotiating an offer (expert), close to salary")
    profile = [r for r in found.reasons if "profile" in r]
    assert profile and "‘salary’" in profile[0] and "‘expert’" in profile[0]
    # 'Kubernetes' starts the profile's sentence: named as the ask spells it.
    assert "‘kubernetes’" in profile[0]


def test_shared_words_spelling_and_sentence_starts():
    from pairup.engine.text import shared_words, shares_words

    assert not shares_words("two new things I need", "Two new roles")
    assert shared_words("an offer I reviewed", "Offers reviewed. Offers too") == [
        "Offers",
        "reviewed",
    ]
    assert shared_words("talks about Node.js", "Node.js talks") == ["Node", "js", "talks"]


def test_a_profile_matching_in_untelling_words_only_still_says_it_matches():
    # Beside a topic reason: the words it shares are none the topic names, so the profile
    # line stays, without naming them.
    topic = (TopicLevel("career/interview-prep"),)
    mentor = Mentor(id="m1", text="Happy to help. Need to know more?", topics=topic)
    index = MentorIndex([mentor, Mentor(id="m2", text="Gardening")], Policy())
    ask = Ask(id="a1", text="I need help, I want to know", topics=topic)
    [found] = [s for s in recommend(ask, index, k=2) if s.mentor_id == "m1"]
    assert found.reasons == ("Knows interview prep", "Their profile matches the ask")

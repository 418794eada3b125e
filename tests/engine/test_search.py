from pairup.engine import HistoryItem, Mentor, Policy, search
from pairup.engine.text import stem, word_family


def ids(found) -> list:
    return [m.mentor_id for m in found]


def test_word_family_joins_the_forms_of_a_word():
    forms = ["negotiate", "negotiating", "negotiated", "negotiation", "negotiator"]
    assert {word_family(w) for w in forms} == {"negoti"}
    assert {word_family(w) for w in ["manage", "managing", "management", "manager"]} == {"manag"}
    assert word_family("offering") == word_family("offer") == "offer"


def test_word_family_keeps_short_stems_and_other_words_apart():
    assert word_family("state") != word_family("station")
    assert [word_family(w) for w in ["offer", "career", "answer", "data"]] == [
        "offer",
        "career",
        "answer",
        "data",
    ]


def test_index_folding_stays_light():
    # Suggestions' relevance keeps its plural-only folding: families are for search queries.
    assert (stem("offers"), stem("negotiating"), stem("negotiate")) == (
        "offer",
        "negotiating",
        "negotiate",
    )


def _directory() -> list[Mentor]:
    return [
        Mentor(id=1, text="Talent lead. Negotiating an offer, job applications"),
        Mentor(id=2, text="Sales director, years in the job", history=("How do I run a demo?",)),
        Mentor(
            id=3,
            text="Data scientist, years in the job",
            history=(
                HistoryItem("How do I negotiate salary and equity in an offer?", 1.5),
                HistoryItem("Should I counter a first offer?", 1.2),
            ),
        ),
        Mentor(id=4, text="Teacher, years in the job. Giving feedback"),
        Mentor(id=5, text="Designer, years in the job"),
    ]


def test_search_finds_every_form_of_the_words_of_a_plain_question():
    found = search("how do I negotiate a job offer", _directory())
    assert ids(found) == [3, 1]
    assert all(0 < m.relevance <= 1 for m in found)
    for query in ("negotiate", "negotiating", "negotiation", "Negotiations"):
        assert sorted(ids(search(query, _directory()))) == [1, 3], query


def test_search_ranks_the_most_relevant_first_ties_by_id():
    found = search("offer", _directory())
    assert ids(found) == [3, 1]  # two past asks about offers beat one profile mention
    assert found[0].relevance > found[1].relevance
    same = [Mentor(id="b", text="public speaking"), Mentor(id="a", text="public speaking")]
    assert ids(search("speaking", same)) == ["a", "b"]


def test_a_word_everyone_has_finds_nobody_alone_in_a_query_with_rarer_words():
    assert ids(search("job", _directory())) == [5, 2, 3, 4, 1]  # alone, it finds them all
    assert ids(search("feedback job", _directory())) == [4]


def test_a_word_being_typed_stands_for_the_words_it_begins():
    assert sorted(ids(search("negot", _directory()))) == [1, 3]
    assert search("ne", _directory()) == []  # under three letters: no guess


def test_search_without_words_or_matches_finds_nobody():
    assert search("", _directory()) == []
    assert search("how do I", _directory()) == []
    assert search("kubernetes", _directory()) == []
    assert search("offer", []) == []


def test_search_applies_no_hard_rule():
    full = [Mentor(id=1, text="salary negotiation", capacity=0, languages=("fr",))]
    assert ids(search("salary", full, Policy(require_shared_language=True))) == [1]

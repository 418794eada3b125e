"""PairUp's matching engine: pure Python + NumPy/SciPy + OR-Tools, no Django.

Stable interface for the web app (all inputs and outputs are frozen dataclasses):

    from pairup.engine import Mentor, Ask, Policy, MentorIndex, recommend, assign, rotations, tables

    index = MentorIndex(mentors, policy)          # build once
    recommend(ask, index, k=10)                   # -> list[Suggestion], best first
    search("how do I negotiate an offer", mentors)  # -> list[Match], best first
    suggest_topics("how do I negotiate an offer", topics)  # -> list[TopicMatch], best first
    assign(asks, mentors, policy)                 # -> list[Assignment], one per ask, exact optimum
    rotations(mentees, mentors, rounds, seats, policy, fixed=, met=, first_round=)  # -> Schedule
    tables(mentees, mentors, table_size, policy)  # -> TablePlan (one round)
    table_rounds(mentees, mentors, table_size, rounds, policy, fixed=, met=, first_round=)
                                                  # -> Schedule (roundtables over rounds)
    buddies(mentees, mentors, share, policy, semantic=)  # -> BuddyPlan (share "1", "2", "auto")
    schedule_figures(schedule, mentee_ids, mentor_ids, optimum_total)  # -> dict (JSON-ready)

Hybrid relevance (sentence embeddings with the lexical score, `embedding` and `semantic`):

    sem = semantic_index(mentors, load_embedder(), store)   # store: a VectorStore
    index = MentorIndex(mentors, policy, semantic=sem)
    rotations(..., semantic=sem); tables(..., semantic=sem); table_rounds(..., semantic=sem)
    buddies(..., semantic=sem)                    # the same relevance for every event kind

Same input, same output: ties are broken by id. See docs/matching.md.
"""

from pairup.engine.assign import assign
from pairup.engine.buddies import buddies
from pairup.engine.events import schedule_figures
from pairup.engine.recommend import recommend
from pairup.engine.records import (
    Ask,
    Assignment,
    BuddyGroup,
    BuddyPlan,
    BuddyUnmatched,
    HistoryItem,
    Match,
    Meeting,
    Mentor,
    Policy,
    Schedule,
    Suggestion,
    Table,
    TablePlan,
    TopicLevel,
    TopicMatch,
    TopicText,
)
from pairup.engine.rotations import rotations
from pairup.engine.scoring import MentorIndex, shares_language
from pairup.engine.search import search
from pairup.engine.tables import table_rounds, tables
from pairup.engine.topic_suggestions import suggest_topics

__all__ = [
    "Ask",
    "Assignment",
    "BuddyGroup",
    "BuddyPlan",
    "BuddyUnmatched",
    "HistoryItem",
    "Match",
    "Meeting",
    "Mentor",
    "MentorIndex",
    "Policy",
    "Schedule",
    "Suggestion",
    "Table",
    "TablePlan",
    "TopicLevel",
    "TopicMatch",
    "TopicText",
    "assign",
    "buddies",
    "recommend",
    "rotations",
    "schedule_figures",
    "search",
    "shares_language",
    "suggest_topics",
    "table_rounds",
    "tables",
]

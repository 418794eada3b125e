"""PairUp's matching engine: pure Python + NumPy/SciPy + OR-Tools, no Django.

Stable interface for the web app (all inputs and outputs are frozen dataclasses):

    from pairup.engine import Mentor, Ask, Policy, MentorIndex, recommend, assign, rotations, tables

    index = MentorIndex(mentors, policy)          # build once
    recommend(ask, index, k=10)                   # -> list[Suggestion], best first
    search("how do I negotiate an offer", mentors)  # -> list[Match], best first
    suggest_topics("how do I negotiate an offer", topics)  # -> list[TopicMatch], best first
    assign(asks, mentors, policy)                 # -> list[Assignment], one per ask, exact optimum
    rotations(mentees, mentors, rounds, seats, policy)   # -> Schedule
    tables(mentees, mentors, table_size, policy)  # -> TablePlan

Same input, same output: ties are broken by id. See docs/matching.md.
"""

from pairup.engine.assign import assign
from pairup.engine.recommend import recommend
from pairup.engine.records import (
    Ask,
    Assignment,
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
from pairup.engine.tables import tables
from pairup.engine.topic_suggestions import suggest_topics

__all__ = [
    "Ask",
    "Assignment",
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
    "recommend",
    "rotations",
    "search",
    "shares_language",
    "suggest_topics",
    "tables",
]

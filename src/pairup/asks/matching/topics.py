"""Topics suggested from an ask's question: the taxonomy read as the engine's `TopicText`
records (name, synonyms, description) and ranked by `engine.suggest_topics`. The ask form
shows the suggestions while the mentee types; an ask written without topics takes the
confident ones (`inferred_topics`). One definition for both, so what the form says it would
choose is what the service chooses. Reads only; writes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from pairup.core import limits
from pairup.engine import TopicText
from pairup.engine import suggest_topics as rank_topics
from pairup.programs.models import Program
from pairup.programs.queries import program_topics
from pairup.topics.models import Topic
from pairup.topics.queries import topics_tree

# How many topics the ask form suggests at most.
SUGGESTED = 5


@dataclass(frozen=True)
class TopicSuggestion:
    topic: Topic
    # The question's words that matched, as written ("negotiate", "salary").
    words: tuple[str, ...]
    # Clear enough to be chosen when the mentee leaves the topics empty.
    confident: bool


def suggest_topics(
    question: str, *, program: Program | None = None, limit: int = SUGGESTED
) -> list[TopicSuggestion]:
    """The topics `question` is most about, best first: among those `program` offers
    (`programs.queries.program_topics`), or the site's taxonomy without one."""
    question = question[: limits.ASK_QUESTION_MAX_LENGTH]
    if not question.strip():
        return []
    if program is None:
        tree = topics_tree()
    else:
        offered = set(program_topics(program).values_list("pk", flat=True))
        tree = [(t, depth) for t, depth in topics_tree(include=offered) if t.pk in offered]
    topics = {t.pk: t for t, _ in tree}  # in taxonomy order, which breaks ties
    records = [
        TopicText(id=t.pk, name=t.name, synonyms=t.synonyms, description=t.description)
        for t in topics.values()
    ]
    return [
        TopicSuggestion(topic=topics[int(m.topic_id)], words=m.words, confident=m.confident)
        for m in rank_topics(question, records, limit=limit)
    ]


def inferred_topics(question: str, program: Program | None = None) -> list[Topic]:
    """The topics an ask written without any takes: the confident suggestions among those
    `program` offers (none when the question names no topic clearly)."""
    return [s.topic for s in suggest_topics(question, program=program) if s.confident]

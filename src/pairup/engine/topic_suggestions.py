"""suggest_topics(text, topics) -> the topics of a taxonomy a question is about, best first.

The ask form suggests topics as the mentee types, and an ask written without topics takes
the confident ones. Each word of the text reaches its word family (`text.word_family`, as
the directory's search does: "negotiate" finds "Negotiating an offer"); stop words and the
words any ask is made of ("help", "advice", "question") are left out. A word credits each
topic that has its family: fully in the topic's name or synonyms, half in its description,
times how telling the word is among the topics (its BM25 idf over the topics, divided by
the idf of a word only one topic has: a word of one topic alone is worth 1, a word a few
topics share less). A topic's score is the sum of its credits.

A topic is *confident* when its score reaches `CONFIDENT_SCORE` (one word of its name that
few topics share, or two of its description), at least `CONFIDENT_SHARE` of the best score,
and it is among the `MAX_CONFIDENT` best: "How do I negotiate a job offer?" is about
negotiating an offer; "Can you help with my career?" names no topic clearly (many topics
share "career").

Same input, same output: ties by the order the topics are given in (the taxonomy's).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from pairup.engine.records import TopicMatch, TopicText
from pairup.engine.text import TOKEN_RE, bm25_idf, normalise, word_family

# Words any ask is made of: they tell nothing of its topic ("help" is in a description or
# two, and would otherwise pull every "can you help me" towards them).
FILLER_WORDS = [
    "advice",
    "advise",
    "anyone",
    "best",
    "better",
    "good",
    "great",
    "guidance",
    "help",
    "idea",
    "know",
    "need",
    "please",
    "question",
    "recommend",
    "someone",
    "something",
    "suggestion",
    "thank",
    "thing",
    "think",
    "tip",
    "want",
]

NAME_CREDIT = 1.0
DESCRIPTION_CREDIT = 0.5
CONFIDENT_SCORE = 0.75
CONFIDENT_SHARE = 0.65
MAX_CONFIDENT = 2


def families(text: str) -> frozenset[str]:
    """The word families of a text's terms (`text.tokenize`, then `word_family`)."""
    return frozenset(word_family(term) for term in _terms(text))


def _terms(text: str) -> list[str]:
    return [t for t in (normalise(w.lower()) for w in TOKEN_RE.findall(text)) if t]


_FILLER = frozenset(word_family(normalise(w)) for w in FILLER_WORDS)


def text_words(text: str) -> dict[str, str]:
    """The families a text's words stand for, each with its first spelling in the text, in
    the text's order; filler and stop words left out."""
    out: dict[str, str] = {}
    for word in TOKEN_RE.findall(text):
        term = normalise(word.lower())
        if term:
            family = word_family(term)
            if family not in _FILLER:
                out.setdefault(family, word)
    return out


@lru_cache(maxsize=8)
def _prepared(
    topics: tuple[TopicText, ...],
) -> tuple[list[frozenset[str]], list[frozenset[str]], dict[str, float]]:
    """Each topic's name families and description families, and each family's weight."""
    named = [families(f"{t.name} {t.synonyms}") for t in topics]
    described = [families(t.description) for t in topics]
    df = Counter(f for name, about in zip(named, described, strict=True) for f in name | about)
    unique = float(bm25_idf(len(topics), 1))
    weight = {f: float(bm25_idf(len(topics), n)) / unique for f, n in sorted(df.items())}
    return named, described, weight


def suggest_topics(text: str, topics: Sequence[TopicText], *, limit: int = 5) -> list[TopicMatch]:
    """The `limit` topics `text` is most about, best first (only those it matches), each
    with the words that matched and whether it is confident (see the module's note)."""
    words = text_words(text)
    if not words or not topics or limit < 1:
        return []
    named, described, weight = _prepared(tuple(topics))
    scored: list[tuple[float, int, tuple[str, ...]]] = []
    for i in range(len(topics)):
        score = 0.0
        matched = []
        for family, word in words.items():
            if family in named[i]:
                score += NAME_CREDIT * weight[family]
            elif family in described[i]:
                score += DESCRIPTION_CREDIT * weight[family]
            else:
                continue
            matched.append(word)
        if score > 0:
            scored.append((round(score, 6), i, tuple(matched)))
    scored.sort(key=lambda s: (-s[0], s[1]))
    best = scored[0][0] if scored else 0.0
    return [
        TopicMatch(
            topic_id=topics[i].id,
            score=score,
            words=matched,
            confident=rank < MAX_CONFIDENT
            and score >= CONFIDENT_SCORE
            and score >= CONFIDENT_SHARE * best,
        )
        for rank, (score, i, matched) in enumerate(scored[:limit])
    ]

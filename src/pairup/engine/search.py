"""search(query, mentors) -> the mentors whose words match a few typed words, best first.

A directory's text box. The relevance is the one `recommend` scores (see `scoring`): the
mentor's profile and past asks are BM25 documents, each matching document votes for its
mentor with its normalised score times its weight, and relevance = 1 - exp(-votes /
relevance_saturation). Two things differ, to suit a few typed words rather than an ask:

- each word also finds the other forms of it in the documents (`text.word_family`:
  "negotiate" finds "negotiating" and "negotiation"), which the index's own light folding
  keeps apart (folding more there lowered suggestions' ranking on the benchmark);
- every matching document votes, not only the `evidence_items` best, so every mentor who
  matches is found however large the collection.

Stop words drop out as everywhere: "how do I negotiate a job offer" looks for "negotiate",
"job" and "offer". A word most mentors have (every bio says "years in the job") tells little
about anyone: when a query also has rarer words, a mentor is found only through one of
those (the common word still adds to their relevance), so "job" does not list everyone.
A word the documents do not have, of 3 letters or more, stands for the words it begins (the
last word of a query is often still being typed). Only mentors with relevance > 0 come
back, best first, ties by id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from pairup.engine.records import Ask, Match, Mentor, Policy, id_key
from pairup.engine.scoring import MentorIndex, ScoredAsk
from pairup.engine.text import TOKEN_RE, normalise

# A word whose family more than this share of the mentors have finds nobody on its own in a
# query that has rarer words: it is nearly everyone's ("job" in "years in the job"), while
# a word most but not all have ("python" among engineers) still finds those who have it.
COMMON_SHARE = 0.75

# The least letters of an unknown word that stand for the words it begins.
PREFIX_LETTERS = 3


def families(index: MentorIndex, query: str) -> list[np.ndarray]:
    """The term ids of each word of `query` with its family (`TextIndex.family_ids`), for
    the words the collection has; a word of 3+ letters it does not have stands for the
    words it begins, as when it is still being typed ("negot")."""
    out = []
    for word in TOKEN_RE.findall(query.lower()):
        if normalise(word):
            ids = index.text.family_ids(word)
            if not len(ids) and len(word) >= PREFIX_LETTERS:
                ids = index.text.prefix_ids(word)
            if len(ids):
                out.append(ids)
    return out


def owners(index: MentorIndex, term_ids: np.ndarray) -> np.ndarray:
    """The mentors (positions) owning a document with one of `term_ids`, sorted."""
    docs = index.text.matrix[:, term_ids].indices
    return np.unique(index.doc_owner[docs])


def search(query: str, mentors: Sequence[Mentor], policy: Policy | None = None) -> list[Match]:
    """The mentors whose profile or past asks match `query`, best first (ties by id), with
    their relevance. No hard rule applies: a directory filters by its own means."""
    policy = policy or Policy()
    documents = sum(1 + len(m.history) for m in mentors)
    index = MentorIndex(mentors, replace(policy, evidence_items=max(documents, 1)))
    words = families(index, query) if index.text.n_docs else []
    if not words:
        return []
    terms = np.unique(np.concatenate(words))
    scored = ScoredAsk(index, Ask(id="search", text=query), terms)
    found = scored.relevance_set()
    values = scored.relevance_of(found)
    telling = [ids for ids in words if len(owners(index, ids)) <= COMMON_SHARE * len(index)]
    if telling and len(telling) < len(words):
        keep = np.isin(found, owners(index, np.unique(np.concatenate(telling))))
        found, values = found[keep], values[keep]
    order = sorted(
        range(len(found)),
        key=lambda k: (-values[k], id_key(index.mentors[int(found[k])].id)),
    )
    return [
        Match(mentor_id=index.mentors[int(found[k])].id, relevance=round(float(values[k]), 6))
        for k in order
        if values[k] > 0
    ]

"""Scoring (ask, mentor) pairs as a sum of named components, and explaining them in words.

`MentorIndex(mentors, policy)` indexes the mentors once (text, topics, load, windows); then
`index.score_ask(ask)` prepares one ask and `ScoredAsk.score(idx)` gives exact scores of
any mentors for it. Components (each in [0, 1]):

- relevance: the `policy.evidence_items` documents most similar to the ask's text under
  BM25 (normalised by the ask's ideal BM25, so comparable across asks) vote for the mentor
  who owns them; documents are the mentor's past asks (`history`, weighted by
  `HistoryItem.weight`) and their profile (`text`, weighted `policy.profile_weight`).
  relevance = 1 - exp(-votes / policy.relevance_saturation).
- topics: taxonomy-aware overlap (see `pairup.engine.topics`).
- availability: common free window (see `pairup.engine.availability`).
- load: load / (load + capacity), subtracted.
- cross_site: 1 when both sites are known and differ.

A mentor scores 0 on relevance unless one of its documents is among the ask's evidence
documents; every other component is cheap and computed for all mentors, which gives each
ask an exact upper bound on the score of the mentors outside its relevance set
(`ScoredAsk.bound`). The search for the best mentors is exact because of it.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from pairup.engine import availability as av
from pairup.engine.records import Ask, HistoryItem, Id, Mentor, Policy, id_key
from pairup.engine.relevance import ask_evidence, relevance_of_votes
from pairup.engine.semantic import member
from pairup.engine.text import TextIndex, shared_words, shares_words, text_index, tokenize
from pairup.engine.topics import TopicTable, known_topic_names

if TYPE_CHECKING:
    from pairup.engine.semantic import SemanticIndex

COMPONENTS = ("relevance", "topics", "availability", "load", "cross_site")


def language_set(values: tuple[str, ...]) -> frozenset[str]:
    """Languages as compared: trimmed, lower-case, blanks dropped."""
    return frozenset(v.strip().lower() for v in values if v.strip())


def shares_language(ask_languages: tuple[str, ...], mentor_languages: tuple[str, ...]) -> bool:
    """The language rule (when `Policy.require_shared_language`): true when both list a
    language in common, or when either lists none."""
    theirs, mine = language_set(ask_languages), language_set(mentor_languages)
    return not theirs or not mine or bool(theirs & mine)


# Policy fields a `MentorIndex` may change without being built again (`with_load`).
REWEIGHABLE = (
    "relevance_weight",
    "topic_weight",
    "availability_weight",
    "load_weight",
    "cross_site_bonus",
    "min_score",
    "objective",
)


class MentorIndex:
    """Everything about the mentors that does not depend on an ask, built once."""

    def __init__(
        self,
        mentors: Sequence[Mentor],
        policy: Policy | None = None,
        *,
        semantic: SemanticIndex | None = None,
    ) -> None:
        """`semantic`: the vectors of these mentors (`semantic.semantic_index`) for hybrid
        relevance; None = lexical relevance only."""
        self.policy = policy = policy or Policy()
        self.mentors = tuple(mentors)
        n = len(self.mentors)
        self.position: dict[Id, int] = {}
        for i, m in enumerate(self.mentors):
            if m.id in self.position:
                raise ValueError(f"duplicate mentor id {m.id!r}")
            self.position[m.id] = i
        self.semantic = semantic
        # Column of each of the semantic index's mentors in this index.
        self.semantic_positions = np.zeros(0, dtype=np.int64)
        # The semantic index's mentor number of each mentor of this index.
        self.semantic_inverse = np.zeros(0, dtype=np.int64)
        if semantic is not None:
            if sorted(map(id_key, semantic.ids)) != sorted(map(id_key, self.position)):
                raise ValueError(
                    "the semantic index was built for other mentors "
                    "(SemanticIndex.subset(mentors) narrows one without encoding)"
                )
            self.semantic_positions = np.array(
                [self.position[x] for x in semantic.ids], dtype=np.int64
            )
            self.semantic_inverse = np.empty(len(self.semantic_positions), dtype=np.int64)
            self.semantic_inverse[self.semantic_positions] = np.arange(len(semantic.ids))
        order = sorted(range(n), key=lambda i: id_key(self.mentors[i].id))
        self.id_rank = np.empty(n, dtype=np.int64)
        self.id_rank[order] = np.arange(n)
        # Documents: profile text then history items, each owned by one mentor; mentors in
        # id order, so document numbers (which break evidence ties) and term ids do not
        # depend on the order the mentors came in.
        docs: list[str] = []
        owner: list[int] = []
        weight: list[float] = []
        is_history: list[bool] = []
        for i in order:
            m = self.mentors[i]
            if m.text.strip() and policy.profile_weight > 0:
                docs.append(m.text)
                owner.append(i)
                weight.append(policy.profile_weight)
                is_history.append(False)
            for h in m.history:
                item = h if isinstance(h, HistoryItem) else HistoryItem(h)
                if item.text.strip() and item.weight > 0:
                    docs.append(item.text)
                    owner.append(i)
                    weight.append(item.weight)
                    is_history.append(True)
        self.text: TextIndex = text_index(
            docs, k1=policy.bm25_k1, b=policy.bm25_b, max_df=policy.max_df
        )
        self.doc_owner = np.asarray(owner, dtype=np.int64)
        self.doc_weight = np.asarray(weight, dtype=np.float64)
        self.doc_is_history = np.asarray(is_history, dtype=bool)
        # (terms x documents) votes: BM25 weights times the document's weight, so one sparse
        # product with a query gives every document's vote.
        self.vote_t = self.text.matrix.T.tocsr(copy=True)
        self.vote_t.data *= self.doc_weight[self.vote_t.indices]
        self.topics = TopicTable([m.topics for m in self.mentors], policy)
        self.langs = [language_set(m.languages) for m in self.mentors]
        all_langs = sorted(set().union(*self.langs)) if self.langs else []
        # Languages as bits when few enough (the usual case); otherwise sets, checked one by one.
        self.lang_bits = (
            {x: 1 << k for k, x in enumerate(all_langs)} if len(all_langs) < 63 else None
        )
        if self.lang_bits is not None:
            bits = self.lang_bits
            self.lang_mask = np.array(
                [sum(bits[x] for x in langs) for langs in self.langs], dtype=np.int64
            )
        sites = sorted({m.site for m in self.mentors if m.site})
        self.site_ids = {s: k + 1 for k, s in enumerate(sites)}
        self.site = np.array([self.site_ids.get(m.site, 0) for m in self.mentors], dtype=np.int64)
        self.spans = [av.prepare(m.free, policy) for m in self.mentors]
        self.free_known = np.array([s is not None for s in self.spans], dtype=bool)
        self.any_free_known = bool(self.free_known.any())
        self.longest = np.array([av.longest(s) for s in self.spans])
        self.avail_ub = np.where(self.free_known, 1.0, policy.availability_unknown)
        # The static part of every score: the load's.
        self._set_load()

    def with_load(
        self,
        load: Sequence[int],
        capacity: Sequence[int | None],
        policy: Policy | None = None,
    ) -> MentorIndex:
        """A copy of the index with each mentor's load and capacity replaced (in the order of
        `mentors`) and, with `policy`, other weights and objective: what a replay changes
        from one round to the next, without indexing the texts, topics and free times again.
        `policy` may differ from the index's only in `REWEIGHABLE` fields."""
        policy = policy or self.policy
        if len(load) != len(self) or len(capacity) != len(self):
            raise ValueError("give one load and one capacity per mentor")
        if replace(policy, **{f: getattr(self.policy, f) for f in REWEIGHABLE}) != self.policy:
            raise ValueError(f"only {', '.join(REWEIGHABLE)} may differ from the index's policy")
        new = copy.copy(self)
        new.policy = policy
        new.mentors = tuple(
            replace(m, load=int(x), capacity=c)
            for m, x, c in zip(self.mentors, load, capacity, strict=True)
        )
        new._set_load()
        return new

    def _set_load(self) -> None:
        """What depends on the loads, capacities and weights; forgets the groups' bounds."""
        policy, n = self.policy, len(self.mentors)
        cap = np.array([np.inf if m.capacity is None else m.capacity for m in self.mentors])
        self.capacity = cap
        load = np.array([float(m.load) for m in self.mentors])
        denom = load + np.where(np.isinf(cap), policy.nominal_capacity, cap)
        self.load_ratio = np.divide(load, denom, out=np.zeros(n), where=denom > 0)
        self.static = -policy.load_weight * self.load_ratio
        self.open = cap > 0
        self._groups: dict[tuple[Any, ...], Group] = {}
        self._group_cells = 0
        self._site_bases: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        if n and not policy.cross_site_bonus:
            self.site_base("")  # what every group starts from: index once, query many times

    def __len__(self) -> int:
        return len(self.mentors)

    def score_ask(self, ask: Ask, wanted: int = 0) -> ScoredAsk:
        """`ask` prepared against these mentors; `wanted`: how many suggestions are sought
        (hybrid relevance keeps at least that many mentors in its relevance set)."""
        return ScoredAsk(self, ask, wanted=wanted)

    def language_ok(self, langs: frozenset[str], idx: np.ndarray | None = None) -> np.ndarray:
        """Mask of mentors (all, or at `idx`) sharing a language with `langs` or listing none."""
        rows = np.arange(len(self)) if idx is None else idx
        if not langs or not self.policy.require_shared_language:
            return np.ones(len(rows), dtype=bool)
        if self.lang_bits is not None:
            ask_mask = sum(self.lang_bits.get(x, 0) for x in langs)
            m = self.lang_mask[rows]
            return np.asarray((m == 0) | ((m & ask_mask) != 0))
        return np.array([not self.langs[m] or bool(self.langs[m] & langs) for m in rows])

    def site_base(self, site: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(cross, base, order) for asks at `site` ("" when cross-site does not count).

        base[m] is mentor m's bound for an ask that earns no topic credit from m (-inf when
        m can never be eligible): the bound of `Group` with topic score 0, in the same
        float operations. order = every mentor by base, best first, ties by id.
        """
        found = self._site_bases.get(site)
        if found is not None:
            return found
        policy = self.policy
        ask_site = self.site_ids.get(site, -1) if site else 0
        cross = (self.site != 0) & (ask_site != 0) & (self.site != ask_site)
        base = (
            self.static
            + policy.cross_site_bonus * cross
            + policy.availability_weight * self.avail_ub
        )
        # Bounds stand for mentors without relevance (relevance 0): below min_score without
        # it, a mentor is never eligible that way.
        ok = self.open & (base >= policy.min_score)
        base = np.where(ok, base, -np.inf)
        order = np.lexsort((self.id_rank, -base))
        if len(self._site_bases) >= 64:
            self._site_bases.clear()
        self._site_bases[site] = (cross, base, order)
        return cross, base, order

    def group(self, ask: Ask) -> Group:
        """Per (topics, site) of an ask: the bound of every mentor and its order."""
        site = ask.site if self.policy.cross_site_bonus else ""
        key = (self.topics.key(ask.topics), site)
        found = self._groups.get(key)
        if found is not None:
            return found
        topic_scores, credited = self.topics.scores_and_support(ask.topics)
        group = Group(self, key, topic_scores, credited, *self.site_base(site))
        if self._group_cells > 20_000_000:
            self._groups.clear()
            self._group_cells = 0
        self._groups[key] = group
        self._group_cells += len(self) // 4 + len(credited)
        return group


class Group:
    """What every ask with the same topics (and site, when cross-site counts) shares.

    `bound[m]` is an upper bound of the score of mentor m for such an ask *without relevance*
    (exact but for availability, taken at its best; language and exclusions ignored); -inf
    when m can never be eligible without relevance (no capacity, or below `min_score`).
    `head(n)` gives the first n mentors by bound, best first, ties by id.

    Only the mentors with topic credit (`credited`) differ from the site's base bound, whose
    order is computed once per site; so a new group costs its credited mentors, and the
    full `bound` vector is built only when asked for.
    """

    def __init__(
        self,
        index: MentorIndex,
        key: tuple[Any, ...],
        topic_scores: np.ndarray,
        credited: np.ndarray,
        cross: np.ndarray,
        base: np.ndarray,
        base_order: np.ndarray,
    ) -> None:
        self.key, self.topic_scores, self.cross = key, topic_scores, cross
        self._index = index
        self._credited = credited
        self._base, self._base_order = base, base_order
        self._credited_bound = self._bound_from_parts(credited)
        self._bound: np.ndarray | None = None
        self._order: np.ndarray | None = None
        self._head = np.zeros(0, dtype=np.int64)

    def _bound_from_parts(self, idx: np.ndarray) -> np.ndarray:
        # The same float operations as `ScoredAsk.score` with relevance 0 and availability
        # at its upper bound, so a bound is never below the exact score it bounds.
        index, policy = self._index, self._index.policy
        bound = (
            index.static[idx]
            + policy.topic_weight * self.topic_scores[idx]
            + policy.cross_site_bonus * self.cross[idx]
            + policy.availability_weight * index.avail_ub[idx]
        )
        ok = index.open[idx] & (bound >= policy.min_score)
        return np.where(ok, bound, -np.inf)

    @property
    def bound(self) -> np.ndarray:
        if self._bound is None:
            bound = self._base.copy()
            bound[self._credited] = self._credited_bound
            self._bound = bound
        return self._bound

    def bound_of(self, idx: np.ndarray) -> np.ndarray:
        """`bound[idx]` without building the full vector."""
        if self._bound is not None:
            return np.asarray(self._bound[idx])
        out = self._base[idx]
        pos = np.searchsorted(self._credited, idx)
        pos = np.minimum(pos, max(len(self._credited) - 1, 0))
        hit = self._credited[pos] == idx if len(self._credited) else np.zeros(len(idx), bool)
        out[hit] = self._credited_bound[pos[hit]]
        return np.asarray(out)

    def head(self, n: int) -> np.ndarray:
        size = len(self._base)
        n = min(n, size)
        if self._order is not None:
            return self._order[:n]
        if n <= len(self._head):
            return self._head[:n]
        want = min(max(2 * n, 256), size)
        if want * 4 >= size:
            self._order = np.lexsort((self._index.id_rank, -self.bound))
            return self._order[:n]
        # The first `want` of the full order are among the first `want` credited mentors
        # (by their own bound) and the first `want` others (by the site's base order).
        credited, c_bound = self._credited, self._credited_bound
        id_rank = self._index.id_rank
        if len(credited) > want:
            cut = -np.partition(-c_bound, want - 1)[want - 1]
            sel = np.flatnonzero(c_bound >= cut)
            credited, c_bound = credited[sel], c_bound[sel]
        is_credited = np.zeros(size, dtype=bool)
        is_credited[self._credited] = True
        order, end = self._base_order, 2 * want
        while True:
            window = order[:end]
            window = window[~is_credited[window]]
            if len(window) >= want or end >= size:
                break
            end *= 4
        window = window[:want]
        cand = np.concatenate([credited, window])
        values = np.concatenate([c_bound, self._base[window]])
        self._head = cand[np.lexsort((id_rank[cand], -values))[:want]]
        return self._head[:n]


class ScoredAsk:
    """One ask prepared against a `MentorIndex`: relevance votes, its group, exact scores."""

    def __init__(
        self, index: MentorIndex, ask: Ask, terms: np.ndarray | None = None, wanted: int = 0
    ) -> None:
        """`terms`: the term ids the ask's text stands for, when not its own words (a search
        looks for their word families too, `TextIndex.family_ids`); `wanted`: how many
        suggestions are sought (`relevance.evidence`)."""
        self.index, self.ask = index, ask
        self.group = index.group(ask)
        self.topic_scores, self.cross = self.group.topic_scores, self.group.cross
        self.spans = av.prepare(ask.free, index.policy)
        self.langs = language_set(ask.languages)
        self.excluded = np.array(
            sorted(index.position[x] for x in set(ask.exclude) if x in index.position),
            dtype=np.int64,
        )
        empty = np.zeros(0, dtype=np.int64)
        self.rel_idx, self.rel_val = empty, np.zeros(0)
        self.rel_similar, self.rel_profile = empty, np.zeros(0, dtype=bool)
        self.rel_item = empty  # hybrid: the most similar history item (-1: none named)
        # Hybrid: every mentor's nearest cosine (`relevance.ask_evidence`), the order among
        # equal scores; None: lexical relevance, equal scores go by id alone.
        self.nearest: np.ndarray | None = None
        if index.semantic is not None and terms is None:
            found, self.nearest = ask_evidence(index, ask, wanted)
            _, self.rel_idx, self.rel_val, self.rel_similar, self.rel_profile, self.rel_item = found
        elif index.text.n_docs and ask.text.strip():
            self._relevance(index.text.query_terms(ask.text)[0] if terms is None else terms)

    def _relevance(self, ids: np.ndarray) -> None:
        index, policy = self.index, self.index.policy
        if len(ids) == 0:
            return
        # Every document's vote: the query's posting lists summed term by term, in term
        # order, which is what the batch scorer's sparse product computes (the same floats).
        scale = 1.0 / index.text.ideal(ids, np.ones(len(ids)))
        vt = index.vote_t
        spans = [(vt.indptr[t], vt.indptr[t + 1]) for t in ids.tolist()]
        docs_all = np.concatenate([vt.indices[lo:hi] for lo, hi in spans])
        if len(docs_all) == 0:
            return
        parts = np.concatenate([vt.data[lo:hi] for lo, hi in spans]) * scale
        acc = np.bincount(docs_all, weights=parts, minlength=index.text.n_docs)
        n = policy.evidence_items
        if len(docs_all) > 3 * n:
            # Documents appear once per matching term. Every document voting >= the m-th
            # best entry holds the n best as soon as n distinct documents vote that much;
            # m grows until they do (at most every entry, i.e. every document).
            vals = acc[docs_all]
            m = 3 * n
            while True:
                floor = np.partition(vals, len(vals) - m)[len(vals) - m]  # m-th best
                docs = np.unique(docs_all[vals >= floor])
                if len(docs) >= n or m == len(vals):
                    break
                m = min(4 * m, len(vals))
        else:
            docs = np.unique(docs_all)
        votes = acc[docs]
        if len(docs) > n:
            cut = votes[np.argpartition(-votes, n - 1)[n - 1]]
            part = np.flatnonzero(votes >= cut)
            docs, votes = docs[part], votes[part]
        # Best votes first, ties by document number; the n first are the evidence.
        order = np.lexsort((docs, -votes))[:n]
        docs, votes = docs[order], votes[order]
        owners = index.doc_owner[docs]
        hist = index.doc_is_history[docs]
        sims = votes / index.doc_weight[docs]
        best = float(sims[hist].max(initial=0.0))
        similar = (sims >= 0.5 * best) & hist if best > 0 else np.zeros(len(docs), dtype=bool)
        self.rel_idx, inv = np.unique(owners, return_inverse=True)
        self.rel_val = relevance_of_votes(inv, votes, policy.relevance_saturation)
        self.rel_similar = np.bincount(inv, weights=similar.astype(float)).astype(np.int64)
        self.rel_profile = np.bincount(inv, weights=(~hist).astype(float)) > 0

    def _lookup(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(position in rel arrays, found mask) for mentor positions `idx`."""
        pos = np.searchsorted(self.rel_idx, idx)
        pos = np.minimum(pos, max(len(self.rel_idx) - 1, 0))
        found = (self.rel_idx[pos] == idx) if len(self.rel_idx) else np.zeros(len(idx), bool)
        return pos, found

    def relevance_of(self, idx: np.ndarray) -> np.ndarray:
        pos, found = self._lookup(idx)
        return np.where(found, self.rel_val[pos] if len(self.rel_val) else 0.0, 0.0)

    def bound(self) -> np.ndarray:
        """Upper bound of every mentor's score without relevance; -inf = never eligible."""
        return self.group.bound

    def relevance_set(self) -> np.ndarray:
        return self.rel_idx

    def eligible(self, idx: np.ndarray) -> np.ndarray:
        """Hard rules except min_score: capacity left, not excluded, a shared language."""
        ok = self.index.open[idx] & self.index.language_ok(self.langs, idx)
        if len(self.excluded):
            ok &= ~member(idx, self.excluded)
        return np.asarray(ok)

    def availability(self, m: int) -> tuple[float, av.Span | None]:
        return av.availability(
            self.spans, self.index.spans[m], self.ask.duration, self.index.policy
        )

    def score(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(exact scores, eligible mask incl. min_score) of the mentors at positions `idx`."""
        index, policy = self.index, self.index.policy
        avail = self.index.avail_ub[idx].copy()
        if index.any_free_known:
            for k in np.flatnonzero(index.free_known[idx]):
                avail[k] = self.availability(int(idx[k]))[0]
        scores = (
            index.static[idx]
            + policy.topic_weight * self.topic_scores[idx]
            + policy.cross_site_bonus * self.cross[idx]
            + policy.relevance_weight * self.relevance_of(idx)
            + policy.availability_weight * avail
        )
        ok = self.eligible(idx) & (scores >= policy.min_score)
        return scores, ok

    def _rel_position(self, m: int) -> int | None:
        k = int(np.searchsorted(self.rel_idx, m))
        return k if k < len(self.rel_idx) and self.rel_idx[k] == m else None

    def components(self, m: int) -> dict[str, float]:
        index = self.index
        k = self._rel_position(m)
        return {
            "relevance": 0.0 if k is None else float(self.rel_val[k]),
            "topics": float(self.topic_scores[m]),
            "availability": self.availability(m)[0],
            "load": float(index.load_ratio[m]),
            "cross_site": float(self.cross[m]),
        }

    def similar_item(self, m: int) -> int:
        """Hybrid mode: mentor m's history item most similar to the ask, -1 for none, -2
        (`semantic.PROFILE_CLOSE`) when none but the profile is close."""
        k = self._rel_position(m)
        return -1 if k is None or not len(self.rel_item) else int(self.rel_item[k])

    def _evidence(self, m: int) -> tuple[int, bool]:
        """(similar past asks, whether the profile is strong evidence) for mentor m. A profile
        counts when it is among the evidence and the mentor's relevance reaches half the best
        of this ask's candidates, like a past ask counts as similar at half the best: a
        profile that shares only a word or two of the ask is no reason to suggest them."""
        k = self._rel_position(m)
        if k is None:
            return 0, False
        best = float(self.rel_val.max(initial=0.0))
        strong = bool(self.rel_profile[k]) and float(self.rel_val[k]) >= 0.5 * best
        return int(self.rel_similar[k]), strong

    def topical(self, m: int) -> bool:
        """Whether mentor m has a reason about the ask itself: a topic they know, a similar
        past ask, or a profile that matches it (not only free time and room)."""
        similar, profile = self._evidence(m)
        named = self.similar_item(m) != -1
        return bool(self.topic_scores[m] > 0) or similar > 0 or profile or named

    def reasons(self, m: int) -> tuple[str, ...]:
        """Sentences a person reads, most telling first."""
        similar, profile = self._evidence(m)
        avail = self.availability(m)
        return explain(
            self.index,
            self.ask,
            m,
            similar,
            profile,
            avail,
            bool(self.cross[m]),
            item=self.similar_item(m),
        )


def explain(
    index: MentorIndex,
    ask: Ask,
    m: int,
    similar: int,
    profile: bool,
    avail: tuple[float, av.Span | None],
    cross: bool,
    item: int = -1,
) -> tuple[str, ...]:
    """The reasons for suggesting mentor m for `ask`, most telling first: topics, the past
    ask most like it (`item`, hybrid relevance; -2: the profile is close), similar asks helped with (`similar`), the
    profile matching (`profile`), the first common free window (`avail`), another site
    (`cross`), the month's load."""
    policy = index.policy
    mentor = index.mentors[m]
    out = index.topics.explain(ask.topics, mentor.topics)
    # The topics those reasons name ("Knows system design") a profile reason does not repeat.
    said = tokenize(" ".join(known_topic_names(ask.topics, mentor.topics, policy)))
    if item >= 0:
        from pairup.engine.semantic import similar_ask_reason

        past = mentor.history[item]
        out.append(
            similar_ask_reason((past.title or past.text) if isinstance(past, HistoryItem) else past)
        )
    if similar == 1 and item < 0:
        out.append("Has helped with 1 similar ask")
    elif similar > 1:
        out.append(f"Has helped with {similar} similar asks")
    if not profile and item == -2:  # semantic.PROFILE_CLOSE
        out.append("Their profile matches the ask")
    if profile:
        words = shared_words(ask.text, mentor.text, index.text.term_idf, said=said)
        if words:
            named = ", ".join(f"‘{w}’" for w in words[:-1])
            named = f"{named} and ‘{words[-1]}’" if named else f"‘{words[-1]}’"
            out.append(f"Their profile mentions {named}")
        elif not said or not shares_words(ask.text, mentor.text):
            # Nothing to name; unless every word it shares is one a topic reason named,
            # which then says it already.
            out.append("Their profile matches the ask")
    value, window = avail
    if window is not None:
        out.append(av.describe_window(window, ask.timezone))
    elif index.free_known[m] and value == 0.0:
        out.append("No common free time soon")
    if cross and policy.cross_site_bonus > 0:
        out.append("At another site")
    if mentor.capacity is None:
        if mentor.load:
            noun = "session" if mentor.load == 1 else "sessions"
            out.append(f"Has {mentor.load} {noun} this month")
    else:
        total = int(mentor.load + index.capacity[m])
        out.append(f"Has {mentor.load} of {total} sessions this month")
    return tuple(out)

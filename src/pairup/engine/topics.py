"""Topic overlap that understands the taxonomy.

A topic is a path of slugs ("career/negotiating-an-offer"). The same path earns full credit;
paths that share a parent earn `parent_credit * shared_depth / deeper_depth` (so
"career/interview-prep" vs "career/negotiating-an-offer" earns 0.5 * 1/2 = 0.25 by default).
The mentor's level scales the credit (familiar 0.5, experienced 0.8, expert 1.0 by default).
An ask's topic score is the mean over its topics of the best credit any mentor topic gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from pairup.engine.records import Policy, TopicLevel


@lru_cache(maxsize=65536)
def normalise_path(path: str) -> tuple[str, ...]:
    return tuple(p for p in (s.strip().lower() for s in path.strip().split("/")) if p)


def path_similarity(a: tuple[str, ...], b: tuple[str, ...], parent_credit: float) -> float:
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    shared = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        shared += 1
    return parent_credit * shared / max(len(a), len(b))


def humanise(path: tuple[str, ...]) -> str:
    """ "negotiating-an-offer" -> "negotiating an offer" (the leaf of the path)."""
    return path[-1].replace("-", " ").replace("_", " ") if path else ""


def level_weight(level: str | None, policy: Policy) -> float:
    if level is None:
        return policy.unknown_level_weight
    return policy.level_weights.get(level, policy.unknown_level_weight)


class TopicTable:
    """Mentor topics as flat arrays, to score one ask's topics against every mentor at once."""

    def __init__(self, mentor_topics: Sequence[tuple[TopicLevel, ...]], policy: Policy) -> None:
        self.policy = policy
        self.paths: list[tuple[str, ...]] = []
        path_ids: dict[tuple[str, ...], int] = {}
        owners, pids, weights = [], [], []
        for i, topics in enumerate(mentor_topics):
            for t in topics:
                p = normalise_path(t.path)
                if not p:
                    continue
                pid = path_ids.setdefault(p, len(path_ids))
                if pid == len(self.paths):
                    self.paths.append(p)
                owners.append(i)
                pids.append(pid)
                weights.append(level_weight(t.level, policy))
        self.n_mentors = len(mentor_topics)
        self._path_ids = path_ids
        self.path_len = np.array([len(p) for p in self.paths], dtype=np.int64)
        # Every prefix of a mentor path -> the paths having it (for `similarities`).
        by_prefix: dict[tuple[str, ...], list[int]] = {}
        for pid, p in enumerate(self.paths):
            for depth in range(1, len(p) + 1):
                by_prefix.setdefault(p[:depth], []).append(pid)
        self._by_prefix = {k: np.asarray(v, dtype=np.int64) for k, v in by_prefix.items()}
        # Entries are in mentor order already, so per-mentor maxima are one reduceat.
        self.owner = np.asarray(owners, dtype=np.int64)
        self.owner_ids, self.owner_starts = np.unique(self.owner, return_index=True)
        self.path_id = np.asarray(pids, dtype=np.int64)
        self.weight = np.asarray(weights, dtype=np.float64)
        # Entries grouped by path, so an ask touches only the paths that earn credit.
        self.by_path = np.argsort(self.path_id, kind="stable")
        self.path_starts = np.searchsorted(
            self.path_id[self.by_path], np.arange(len(self.paths) + 1)
        )
        self._cache: dict[tuple[tuple[str, ...], ...], tuple[np.ndarray, np.ndarray]] = {}
        self._support: dict[tuple[str, ...], np.ndarray] = {}
        self._keys: dict[tuple[TopicLevel, ...], tuple[tuple[str, ...], ...]] = {}
        self._paths_cache: dict[tuple[str, ...], np.ndarray] = {}
        self._explained: dict[tuple[Any, ...], tuple[str, ...]] = {}
        # Index once, query many times: a small taxonomy's paths (and their parents) are
        # scored now, so a new combination of ask topics costs a sum, not a scan.
        prefixes = {p[:k] for p in self.paths for k in range(1, len(p) + 1)}
        if len(prefixes) * self.n_mentors <= 10_000_000:
            for p in sorted(prefixes):
                self.path_scores(p)

    def explain(
        self, ask_topics: tuple[TopicLevel, ...], mentor_topics: tuple[TopicLevel, ...]
    ) -> list[str]:
        """`explain_topics` under this table's policy, cached (few distinct topic sets)."""
        key = (ask_topics, mentor_topics)
        found = self._explained.get(key)
        if found is None:
            found = tuple(explain_topics(ask_topics, mentor_topics, self.policy))
            if len(self._explained) > 100_000:
                self._explained.clear()
            self._explained[key] = found
        return list(found)

    @property
    def empty(self) -> bool:
        return len(self.owner) == 0

    def key(self, ask_topics: tuple[TopicLevel, ...]) -> tuple[tuple[str, ...], ...]:
        """Asks whose topics give the same key score the same against every mentor."""
        if self.empty:
            return ()
        key = self._keys.get(ask_topics)
        if key is None:
            key = tuple(sorted({p for p in (normalise_path(t.path) for t in ask_topics) if p}))
            if len(self._keys) > 100_000:
                self._keys.clear()
            self._keys[ask_topics] = key
        return key

    def scores(self, ask_topics: tuple[TopicLevel, ...]) -> np.ndarray:
        """Topic score in [0, 1] of one ask against every mentor (cached per topic set)."""
        return self.scores_and_support(ask_topics)[0]

    def scores_and_support(
        self, ask_topics: tuple[TopicLevel, ...]
    ) -> tuple[np.ndarray, np.ndarray]:
        """`scores` and the sorted positions of the mentors scoring above 0."""
        key = self.key(ask_topics)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        total = np.zeros(self.n_mentors)
        support = np.zeros(0, dtype=np.int64)
        if len(key) == 1 and not self.empty:
            total = self.path_scores(key[0])
            support = self._support[key[0]]
        elif key and not self.empty:
            for ap in key:
                total += self.path_scores(ap)
            total /= len(key)
            support = np.flatnonzero(total)
        if len(self._cache) > 512:
            self._cache.clear()
        self._cache[key] = (total, support)
        return total, support

    def similarities(self, ap: tuple[str, ...]) -> np.ndarray:
        """`path_similarity(ap, p)` for every mentor path p, touching only the paths that
        share ap's first slug (the others score 0)."""
        sims = np.zeros(len(self.paths))
        if not ap:
            return sims
        shared = np.zeros(len(self.paths), dtype=np.int64)
        for depth in range(1, len(ap) + 1):
            ids = self._by_prefix.get(ap[:depth])
            if ids is None:
                break
            shared[ids] = depth  # deeper prefixes hold subsets of the shallower ones
        hit = self._by_prefix.get(ap[:1], np.zeros(0, dtype=np.int64))
        if len(hit):
            deeper = np.maximum(self.path_len[hit], len(ap))
            sims[hit] = self.policy.parent_credit * shared[hit] / deeper
            exact = self._path_ids.get(ap)
            if exact is not None:
                sims[exact] = 1.0
        return sims

    def path_scores(self, ap: tuple[str, ...]) -> np.ndarray:
        """Best credit of every mentor for one ask path (cached: few paths, many asks)."""
        cached = self._paths_cache.get(ap)
        if cached is not None:
            return cached
        out = np.zeros(self.n_mentors)
        sims = self.similarities(ap)
        hit = np.flatnonzero(sims > 0)
        if len(hit):
            # Entries are in mentor order, so sorted entry numbers group by mentor.
            rows = np.sort(
                np.concatenate(
                    [self.by_path[self.path_starts[p] : self.path_starts[p + 1]] for p in hit]
                )
            )
            credit = sims[self.path_id[rows]] * self.weight[rows]
            owners = self.owner[rows]
            first = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
            out[owners[first]] = np.maximum.reduceat(credit, first)
        if (len(self._paths_cache) + 1) * self.n_mentors > 20_000_000:
            self._paths_cache.clear()
            self._support.clear()
        self._paths_cache[ap] = out
        self._support[ap] = np.flatnonzero(out)
        return out


def explain_topics(
    ask_topics: tuple[TopicLevel, ...], mentor_topics: tuple[TopicLevel, ...], policy: Policy
) -> list[str]:
    """Reasons such as "Knows negotiating an offer (expert)" for the best-matching topics:
    one reason per mentor topic (a fact said once), naming the ask's topic it is close to
    only when it is not one of the ask's own."""
    asked, order, best_for, close_to = _best_matches(ask_topics, mentor_topics, policy)
    out: list[str] = []
    for mp in order:
        found = best_for[mp]
        level = f" ({found.level})" if found.level else ""
        near = [] if mp in asked else list(dict.fromkeys(close_to.get(mp, [])))
        text = f"Knows {humanise(mp)}{level}"
        if near:
            text += ", close to " + " and ".join(humanise(ap) for ap in near)
        out.append(text)
    return out


def known_topic_names(
    ask_topics: tuple[TopicLevel, ...], mentor_topics: tuple[TopicLevel, ...], policy: Policy
) -> list[str]:
    """The names of the mentor's topics that `explain_topics` says they know ("negotiating
    an offer"): what a later reason need not name again."""
    return [humanise(mp) for mp in _best_matches(ask_topics, mentor_topics, policy)[1]]


def _best_matches(
    ask_topics: tuple[TopicLevel, ...], mentor_topics: tuple[TopicLevel, ...], policy: Policy
) -> tuple[
    list[tuple[str, ...]],
    list[tuple[str, ...]],
    dict[tuple[str, ...], TopicLevel],
    dict[tuple[str, ...], list[tuple[str, ...]]],
]:
    """For each of the ask's topics, the mentor topic that matches it best: the asked paths,
    the matched mentor paths in order, each one's topic, and the asked paths it matched."""
    asked = [normalise_path(at.path) for at in ask_topics]
    best_for: dict[tuple[str, ...], TopicLevel] = {}
    close_to: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    order: list[tuple[str, ...]] = []
    for ap in asked:
        best: tuple[float, TopicLevel | None] = (0.0, None)
        for mt in mentor_topics:
            s = path_similarity(ap, normalise_path(mt.path), policy.parent_credit)
            s *= level_weight(mt.level, policy)
            if s > best[0]:
                best = (s, mt)
        found = best[1]
        if found is None:
            continue
        mp = normalise_path(found.path)
        if mp not in best_for:
            best_for[mp] = found
            order.append(mp)
        if ap != mp:
            close_to.setdefault(mp, []).append(ap)
    return asked, order, best_for, close_to

"""Scoring many (ask, mentor) pairs at once: the same exact scores as `ScoredAsk.score`.

`AskTable(index, asks)` gathers once what pair scoring needs about each ask (its group,
language rule, exclusions, free time); `score_pairs(table, rows, mentors, relevance)` then
scores any pairs in a few array operations. `candidate_pairs` scores each ask's relevance
set (`relevance.relevance_pairs`) plus the first `extra` mentors of its group's bound order,
in chunks of asks, on every core for large batches; every mentor it leaves out
scores at most the bound of the group's `extra`-th mentor (relevance is 0 outside the
relevance set). `mentor_offers` lets each mentor reach the asks its bound ranks highest.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from pairup.engine import availability as av
from pairup.engine.records import Ask, id_key
from pairup.engine.relevance import relevance_pairs, top_few_per_row
from pairup.engine.scoring import Group, MentorIndex, language_set
from pairup.engine.semantic import member

CHUNK = 500
# Above this many (group x mentor) cells, per-group vectors are read group by group instead
# of from one stacked matrix.
STACK_CELLS = 5_000_000
UNKNOWN_LANGUAGE = 1 << 62  # a bit no mentor has: an ask language nobody speaks

Progress = Callable[[Iterable[Any], int, str], Iterator[Any]]


class AskTable:
    """What scoring pairs needs about each ask, gathered once for a batch of asks.

    `groups[group_of[a]]` is ask a's `Group`; `lang_sets[lang_of[a]]` its language rule
    (the empty set = no rule); `excluded` the sorted keys a * n_mentors + m of excluded pairs.
    """

    def __init__(self, index: MentorIndex, asks: Sequence[Ask]) -> None:
        self.index, self.asks = index, tuple(asks)
        policy, n_m, n_a = index.policy, len(index), len(asks)
        gid: dict[tuple[Any, ...], int] = {}
        lid: dict[frozenset[str], int] = {frozenset(): 0}
        self.groups: list[Group] = []
        self.lang_sets: list[frozenset[str]] = [frozenset()]
        self.group_of = np.empty(n_a, dtype=np.int64)
        self.lang_of = np.zeros(n_a, dtype=np.int64)
        self.duration = np.empty(n_a)
        self.free: dict[int, tuple[av.Span, ...]] = {}
        excluded: list[int] = []
        position = index.position
        by_topics: dict[
            tuple[Any, ...], int
        ] = {}  # asks with the same topics and site share a group
        by_languages: dict[tuple[str, ...], int] = {(): 0}
        cross_site = bool(policy.cross_site_bonus)
        for a, ask in enumerate(self.asks):
            same = (ask.topics, ask.site if cross_site else "")
            g = by_topics.get(same)
            if g is None:
                group = index.group(ask)
                g = gid.get(group.key)
                if g is None:
                    g = gid[group.key] = len(self.groups)
                    self.groups.append(group)
                by_topics[same] = g
            self.group_of[a] = g
            if ask.languages and policy.require_shared_language:
                lang = by_languages.get(ask.languages)
                if lang is None:
                    langs = language_set(ask.languages)
                    lang = lid.get(langs)
                    if lang is None:
                        lang = lid[langs] = len(self.lang_sets)
                        self.lang_sets.append(langs)
                    by_languages[ask.languages] = lang
                self.lang_of[a] = lang
            if ask.exclude:
                excluded.extend(a * n_m + position[x] for x in set(ask.exclude) if x in position)
            if ask.free is not None:
                spans = av.prepare(ask.free, policy)
                if spans is not None:
                    self.free[a] = spans
            self.duration[a] = ask.duration * 60.0
        # Groups numbered in key order, not first appearance: nothing downstream depends
        # on the order the asks came in.
        by_key = sorted(range(len(self.groups)), key=lambda g: repr(self.groups[g].key))
        renumber = np.empty(len(self.groups), dtype=np.int64)
        renumber[by_key] = np.arange(len(self.groups))
        self.groups = [self.groups[g] for g in by_key]
        self.group_of = renumber[self.group_of] if n_a else self.group_of
        self.excluded = np.unique(np.asarray(excluded, dtype=np.int64))
        order = sorted(range(n_a), key=lambda a: id_key(self.asks[a].id))
        self.id_rank = np.empty(n_a, dtype=np.int64)
        self.id_rank[order] = np.arange(n_a)
        self.has_free = np.zeros(n_a, dtype=bool)
        self.has_free[list(self.free)] = True
        # Language rules as bit masks (0 = no rule) when the index has bits for them.
        bits = index.lang_bits
        self.lang_bits: np.ndarray | None = None
        if bits is not None:
            masks = [0]
            for langs in self.lang_sets[1:]:
                mask = 0
                for x in langs:
                    mask |= bits.get(x, UNKNOWN_LANGUAGE)
                masks.append(mask)
            self.lang_bits = np.asarray(masks, dtype=np.int64)
        self._stacked: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.asks)

    def lang_ok(self, lang: int, idx: np.ndarray | None = None) -> np.ndarray:
        """Mask of mentors (all, or at `idx`) that language rule `lang` allows."""
        return self.index.language_ok(self.lang_sets[lang], idx)

    def per_group(self, name: str, g: np.ndarray, ms: np.ndarray) -> np.ndarray:
        """groups[g[i]].<name>[ms[i]] for per-group mentor vectors (`topic_scores`, `cross`)."""
        n_m = len(self.index)
        if len(self.groups) * n_m <= STACK_CELLS:
            stacked = self._stacked.get(name)
            if stacked is None:
                stacked = np.stack([getattr(group, name) for group in self.groups])
                self._stacked[name] = stacked
            return np.asarray(stacked[g, ms])
        first = getattr(self.groups[0], name)
        out = np.zeros(len(ms), dtype=first.dtype)
        order = np.argsort(g, kind="stable")
        starts = np.searchsorted(g[order], np.arange(len(self.groups) + 1))
        for k in np.flatnonzero(np.diff(starts)).tolist():
            sel = order[starts[k] : starts[k + 1]]
            out[sel] = getattr(self.groups[k], name)[ms[sel]]
        return out


def score_pairs(
    table: AskTable, rows: np.ndarray, ms: np.ndarray, relv: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Exact (scores, eligible) of pairs (asks[rows[i]], mentor ms[i]) given their relevance:
    the same floats as `ScoredAsk.score` (same operations, same order)."""
    index, policy, n_m = table.index, table.index.policy, len(table.index)
    if len(rows) == 0:
        return np.zeros(0), np.zeros(0, dtype=bool)
    g = table.group_of[rows]
    topic = table.per_group("topic_scores", g, ms)
    cross = table.per_group("cross", g, ms)
    avail = index.avail_ub[ms]
    if index.any_free_known:
        known = index.free_known[ms]
        avail[known] = (index.longest[ms[known]] >= table.duration[rows[known]]).astype(float)
        for k in np.flatnonzero(known & table.has_free[rows]).tolist():
            a = int(rows[k])
            span = index.spans[int(ms[k])]
            avail[k] = av.availability(table.free[a], span, table.asks[a].duration, policy)[0]
    scores = (
        index.static[ms]
        + policy.topic_weight * topic
        + policy.cross_site_bonus * cross
        + policy.relevance_weight * relv
        + policy.availability_weight * avail
    )
    ok = index.open[ms] & (scores >= policy.min_score)
    lang = table.lang_of[rows]
    if table.lang_bits is not None:
        am, mm = table.lang_bits[lang], index.lang_mask[ms]
        ok &= (am == 0) | (mm == 0) | ((am & mm) != 0)
    else:
        for k in np.unique(lang[lang > 0]).tolist():
            sel = np.flatnonzero(lang == k)
            ok[sel] &= table.lang_ok(k, ms[sel])
    if len(table.excluded):
        ok &= ~member(rows * n_m + ms, table.excluded)
    return scores, ok


@dataclass
class Scored:
    """Scored pairs sorted by (ask row, mentor): exact scores, eligibility, and `best`: the
    pair is among its ask's `best` highest-scoring eligible pairs (ties: lower mentor id)."""

    rows: np.ndarray
    ms: np.ndarray
    scores: np.ndarray
    ok: np.ndarray
    best: np.ndarray


def candidate_pairs(
    table: AskTable,
    extra: int,
    workers: int = 1,
    progress: Progress | None = None,
    best: int = 0,
) -> tuple[Scored, np.ndarray]:
    """Every ask's relevance set plus the first `extra` mentors of its group's bound order,
    scored exactly, and rest[a]: a bound on the score of every mentor not scored for ask a
    (-inf: none left).

    With `workers` > 1 the chunks are scored in that many threads; the result is the same.
    """
    n_a, n_m = len(table), len(table.index)
    take = min(extra, n_m)
    heads = np.stack([g.head(take) for g in table.groups]).astype(np.int64)
    group_rest = np.array(
        [
            float(g.bound_of(g.head(take + 1)[take:])[0]) if take < n_m else -np.inf
            for g in table.groups
        ]
    )
    spans = [(lo, min(lo + CHUNK, n_a)) for lo in range(0, n_a, CHUNK)]
    with ThreadPoolExecutor(max(1, min(workers, len(spans)))) as pool:
        # NumPy and SciPy release the GIL in the heavy parts (the sparse product, the
        # partitions), so threads share the cores without copying the index.
        parts: Iterable[Scored] = pool.map(lambda span: _chunk(table, heads, best, *span), spans)
        if progress is not None:
            parts = progress(parts, len(spans), f"scoring (chunks of {CHUNK} asks)")
        chunks = list(parts)
    scored = Scored(
        *(np.concatenate([getattr(c, f) for c in chunks]) for f in Scored.__dataclass_fields__)
    )
    return scored, group_rest[table.group_of]


def _chunk(table: AskTable, heads: np.ndarray, best: int, lo: int, hi: int) -> Scored:
    index, n_m = table.index, len(table.index)
    r_rows, r_m, r_val = relevance_pairs(index, table.asks[lo:hi])
    take = heads.shape[1]
    h_rows = np.repeat(np.arange(lo, hi, dtype=np.int64), take)
    h_m = heads[table.group_of[lo:hi]].ravel()
    key = np.concatenate([(r_rows + lo) * n_m + r_m, h_rows * n_m + h_m])
    relv = np.concatenate([r_val, np.zeros(len(h_rows))])
    key, first = np.unique(key, return_index=True)  # relevance pairs come first: keep them
    rows, ms = key // n_m, key % n_m
    scores, ok = score_pairs(table, rows, ms, relv[first])
    top = np.zeros(len(rows), dtype=bool)
    sel = np.flatnonzero(ok)
    if best > 0 and len(sel):
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows[sel] - lo, minlength=hi - lo))])
        values = scores[sel]
        top[sel[top_few_per_row(indptr, index.id_rank[ms[sel]], values, best)]] = True
    return Scored(rows, ms, scores, ok, top)


def every_pair(
    index: MentorIndex, asks: Sequence[Ask], chunk: int = 256
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Every (ask, mentor) pair scored exactly, chunk by chunk of asks: (ask rows into
    `asks`, mentor positions, scores, eligible), by the same batch scorer `assign` uses.
    Dense: n_asks x n_mentors pairs in all, `chunk` x n_mentors at a time."""
    n_m = len(index)
    for lo in range(0, len(asks), chunk):
        part = asks[lo : lo + chunk]
        table = AskTable(index, part)
        r_rows, r_m, r_val = relevance_pairs(index, part)
        rows = np.repeat(np.arange(len(part)), n_m)
        ms = np.tile(np.arange(n_m), len(part))
        relv = np.zeros(len(rows))
        relv[r_rows * n_m + r_m] = r_val
        scores, ok = score_pairs(table, rows, ms, relv)
        yield rows + lo, ms, scores, ok


def auto_workers(n_asks: int) -> int:
    """Threads worth starting for scoring `n_asks` asks: one per available core (at most 4)
    for large batches, else 1."""
    if n_asks < 4 * CHUNK:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


def mentor_offers(
    table: AskTable, per_mentor: np.ndarray, ask_mask: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Offer every open mentor m the `per_mentor[m]` asks its bound ranks highest: unique
    (ask rows, mentors), sorted by (row, mentor).

    Asks only ever see their own best mentors; an unpopular mentor would otherwise reach no
    ask, and certifying that nobody should have it would take every unmatched ask a long
    search. Asks of one group score a mentor alike (up to relevance), so each mentor walks
    the groups from its best bound down; mentors meeting in a group take successive asks of
    it (in ask order, wrapping around), so the offers spread over the group's asks.
    """
    index = table.index
    n_m = len(index)
    empty = np.zeros(0, dtype=np.int64)
    asks = np.arange(len(table)) if ask_mask is None else np.flatnonzero(ask_mask)
    if not len(asks) or not n_m:
        return empty, empty
    # Pools of asks per group in id order, mentors in id order: offers do not depend on
    # the order of the input.
    by_group = asks[np.lexsort((table.id_rank[asks], table.group_of[asks]))]
    present, pool_start, pool_size = np.unique(
        table.group_of[by_group], return_index=True, return_counts=True
    )
    groups = [table.groups[g] for g in present.tolist()]
    need_all = np.where(index.open, per_mentor, 0).astype(np.int64)
    cursor = np.zeros(len(present), dtype=np.int64)
    out_rows: list[np.ndarray] = []
    out_ms: list[np.ndarray] = []
    # Mentors in blocks, so the (groups x mentors) bounds never need to be whole.
    block = max(1, STACK_CELLS // max(len(groups), 1))
    by_id = np.argsort(index.id_rank)
    for lo in range(0, n_m, block):
        mentors = by_id[lo : lo + block]
        mentors = mentors[need_all[mentors] > 0]
        if not len(mentors):
            continue
        bounds = np.stack([g.bound_of(mentors) for g in groups])  # groups x block
        rank = np.argsort(-bounds, axis=0, kind="stable")
        need = need_all[mentors]
        for level in range(len(groups)):
            active = np.flatnonzero(need > 0)
            if not len(active):
                break
            gi = rank[level, active]
            live = np.isfinite(bounds[gi, active])
            need[active[~live]] = 0  # every group left bounds it at -inf: never eligible
            active, gi = active[live], gi[live]
            order = np.argsort(gi, kind="stable")  # mentors in id order within a group
            active, gi = active[order], gi[order]
            take = np.minimum(need[active], pool_size[gi])
            before = np.cumsum(take) - take
            group_first = np.searchsorted(gi, gi)  # first mentor of the same group
            start = cursor[gi] + before - before[group_first]
            step = np.arange(int(take.sum())) - np.repeat(before, take)
            pos = (np.repeat(start, take) + step) % np.repeat(pool_size[gi], take)
            out_rows.append(by_group[np.repeat(pool_start[gi], take) + pos])
            out_ms.append(np.repeat(mentors[active], take))
            used = np.bincount(gi, weights=take, minlength=len(present)).astype(np.int64)
            cursor = (cursor + used) % pool_size
            need[active] -= take
    if not out_rows:
        return empty, empty
    keys = np.unique(np.concatenate(out_rows) * n_m + np.concatenate(out_ms))
    return keys // n_m, keys % n_m

"""Cohort matching beside its greedy alternative: the greedy assignment, and the figures an
admin compares the two by.

`assign` (assign.py) finds the exact best assignment of a cohort of asks to mentors.
Admins judge it against what a simple rule would have done, computed on the same records
in the same run: `greedy_assign` takes pairs best-first while the ask is free and the
mentor has room, the baseline the benchmarks compare `assign` with (bench/baselines.py
calls `greedy_match`, so there is one greedy). `cohort_figures` turns either assignment
into the figures of the review page and of `pairup match-cohort`: matched and unmatched
asks, total score, how evenly the load spreads over the mentors (Gini, share of the top
10 %), the share of pairs across sites, and why asks stay unmatched.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pairup.engine.batch import AskTable, Progress, auto_workers, candidate_pairs, every_pair
from pairup.engine.recommend import as_index
from pairup.engine.records import Ask, Assignment, Id, Mentor, Policy
from pairup.engine.scoring import MentorIndex

# Above this many pairs the greedy works on each ask's relevance set plus its GREEDY_HEADS
# best mentors by bound (the engine's batch scorer), as bench/run.py does, not on all.
DENSE_PAIRS = 20_000_000
GREEDY_HEADS = 64

NO_ELIGIBLE = "no eligible mentor"
ALL_FULL = "every eligible mentor is full"
NOTHING_TO_ADD = "no eligible mentor scores above zero, so matching would not add to the total"


def greedy_match(
    rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, caps: np.ndarray, n_asks: int
) -> np.ndarray:
    """Pairs (rows[i], cols[i]) best first by vals (ties by ask, then mentor) while the ask
    is free and the mentor has room: the mentor position of each ask, -1 when unmatched."""
    match = np.full(n_asks, -1, dtype=np.int64)
    if not len(rows):
        return match
    order = np.lexsort((cols, rows, -vals))
    room = caps.astype(np.int64).tolist()
    seats = sum(max(r, 0) for r in room)
    taken = match.tolist()
    left = n_asks
    for a, m in zip(rows[order].tolist(), cols[order].tolist(), strict=True):
        if taken[a] < 0 and room[m] > 0:
            taken[a] = m
            room[m] -= 1
            seats -= 1
            left -= 1
            if not left or not seats:
                break
    return np.asarray(taken, dtype=np.int64)


def greedy_assign(
    asks: Sequence[Ask],
    mentors: MentorIndex | Sequence[Mentor],
    policy: Policy | None = None,
    *,
    progress: Progress | None = None,
) -> tuple[Assignment, ...]:
    """The greedy assignment of `asks`, one `Assignment` per ask in order, scored exactly as
    `assign` scores them and under the same hard rules (eligibility, capacities). With the
    objective best_total only pairs scoring above zero are taken (as `assign` would); with
    most_matched any eligible pair. Reasons are left empty: the greedy is a yardstick."""
    index = as_index(mentors, policy)
    policy = index.policy
    asks = tuple(asks)
    n_a, n_m = len(asks), len(index)
    if not n_a or not n_m:
        return tuple(Assignment(a.id, None, 0.0, (), NO_ELIGIBLE) for a in asks)
    most = policy.objective == "most_matched"
    rows_l, cols_l, vals_l = [], [], []
    any_ok = np.zeros(n_a, dtype=bool)
    if n_a * n_m <= DENSE_PAIRS:
        chunks: Iterable[tuple[np.ndarray, ...]] = every_pair(index, asks)
        if progress is not None:
            chunks = progress(chunks, math.ceil(n_a / 256), "greedy (chunks of 256 asks)")
        for rows, ms, scores, ok in chunks:
            any_ok[rows[ok]] = True
            keep = ok if most else ok & (scores > 0)
            rows_l.append(rows[keep])
            cols_l.append(ms[keep])
            vals_l.append(scores[keep])
    else:
        table = AskTable(index, asks)
        found, _ = candidate_pairs(table, GREEDY_HEADS, auto_workers(n_a), progress)
        any_ok[found.rows[found.ok]] = True
        keep = found.ok if most else found.ok & (found.scores > 0)
        rows_l.append(found.rows[keep])
        cols_l.append(found.ms[keep])
        vals_l.append(found.scores[keep])
    rows = np.concatenate(rows_l)
    cols = np.concatenate(cols_l)
    vals = np.concatenate(vals_l)
    caps = np.minimum(index.capacity, n_a).astype(np.int64)
    match = greedy_match(rows, cols, vals, caps, n_a)
    score_of = np.zeros(n_a)
    chosen = match[rows] == cols
    score_of[rows[chosen]] = vals[chosen]
    any_taken = np.zeros(n_a, dtype=bool)
    any_taken[rows] = True  # some pair worth taking
    out = []
    for a, ask in enumerate(asks):
        m = int(match[a])
        if m >= 0:
            score = round(float(score_of[a]), 6)
            out.append(Assignment(ask.id, index.mentors[m].id, score, (), None))
        elif not any_ok[a]:
            out.append(Assignment(ask.id, None, 0.0, (), NO_ELIGIBLE))
        elif not any_taken[a]:
            out.append(Assignment(ask.id, None, 0.0, (), NOTHING_TO_ADD))
        else:
            out.append(Assignment(ask.id, None, 0.0, (), ALL_FULL))
    return tuple(out)


@dataclass(frozen=True)
class CohortFigures:
    """What an admin compares a cohort's assignments by.

    - `total`: the sum of the matched pairs' scores (relevance, topics, availability, load
      and site, as the program weighs them).
    - `gini`: the Gini coefficient of the asks each mentor of the cohort is given (mentors
      given none count, as 0): 0 when every mentor gets the same, towards 1 when a few get
      everything.
    - `top10_share`: the share of matched asks given to the busiest tenth of the mentors
      (at least one mentor); 0.1 would be a perfectly even spread.
    - `cross_site_share`: among matched pairs whose mentee and mentor both name a site, the
      share at different sites.
    - `unmatched_reasons`: asks left unmatched, counted by reason.
    - `load_counts`: how many mentors are given 0, 1, 2 ... asks (the load distribution).
    """

    asks: int
    mentors: int
    matched: int
    unmatched: int
    total: float
    gini: float
    top10_share: float
    cross_site_share: float
    unmatched_reasons: dict[str, int] = field(default_factory=dict)
    load_counts: dict[int, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values; `load_counts` keys as strings, as JSON has them."""
        return {
            "asks": self.asks,
            "mentors": self.mentors,
            "matched": self.matched,
            "unmatched": self.unmatched,
            "total": self.total,
            "gini": self.gini,
            "top10_share": self.top10_share,
            "cross_site_share": self.cross_site_share,
            "unmatched_reasons": dict(self.unmatched_reasons),
            "load_counts": {str(k): v for k, v in sorted(self.load_counts.items())},
        }


def gini(values: Sequence[float]) -> float:
    """The Gini coefficient of non-negative values: 0 for an even spread (or no values, or
    all zero), (n - 1) / n when one holds everything."""
    x = np.sort(np.asarray(values, dtype=np.float64))
    n, total = len(x), float(x.sum())
    if not n or total <= 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    return float(2.0 * (ranks * x).sum() / (n * total) - (n + 1) / n)


def top_share(values: Sequence[float], fraction: float = 0.1) -> float:
    """The share of the total held by the largest `fraction` of the values (at least one)."""
    x = np.sort(np.asarray(values, dtype=np.float64))[::-1]
    total = float(x.sum())
    if not len(x) or total <= 0:
        return 0.0
    k = max(1, math.ceil(fraction * len(x)))
    return float(x[:k].sum() / total)


def cohort_figures(
    assignments: Iterable[Assignment],
    ask_sites: Mapping[Id, str],
    mentor_sites: Mapping[Id, str],
) -> CohortFigures:
    """The figures of one assignment of a cohort (see `CohortFigures`). `mentor_sites` lists
    every mentor of the cohort, given asks or not, with their site ("" unknown); `ask_sites`
    the site of each ask's mentee. A matched mentor missing from `mentor_sites` still
    counts, with no site."""
    items = list(assignments)
    load: Counter[Id] = Counter(dict.fromkeys(mentor_sites, 0))
    reasons: Counter[str] = Counter()
    total = 0.0
    both_sites = across = 0
    for a in items:
        if a.mentor_id is None:
            reasons[a.unmatched_reason or NO_ELIGIBLE] += 1
            continue
        load[a.mentor_id] += 1
        total += a.score
        ask_site = ask_sites.get(a.ask_id, "")
        mentor_site = mentor_sites.get(a.mentor_id, "")
        if ask_site and mentor_site:
            both_sites += 1
            across += ask_site.casefold() != mentor_site.casefold()
    loads = list(load.values())
    matched = sum(loads)
    return CohortFigures(
        asks=len(items),
        mentors=len(load),
        matched=matched,
        unmatched=len(items) - matched,
        total=round(total, 6),
        gini=round(gini(loads), 4),
        top10_share=round(top_share(loads), 4),
        cross_site_share=round(across / both_sites, 4) if both_sites else 0.0,
        unmatched_reasons=dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        load_counts=dict(sorted(Counter(loads).items())),
    )

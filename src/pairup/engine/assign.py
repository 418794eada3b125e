"""assign(asks, mentors, policy) -> the exact best assignment, one mentor per ask at most.

Problem: choose pairs (a, m) among eligible pairs, each ask at most once, each mentor at most
`capacity` times, maximising the total score (`objective="best_total"`), or first the number
of matched asks and then the total score (`objective="most_matched"`).

Technique: lazy pricing over a min-cost flow, with an LP-duality certificate.

- The problem is a bipartite b-matching. Its LP relaxation has integral optima (the
  constraint matrix is totally unimodular), so a min-cost flow (asks -> mentors -> sink,
  solved by OR-Tools) finds the integer optimum, and the LP's duals, a price u_a >= 0 per
  ask and v_m >= 0 per mentor, certify it.
- Scoring every pair is too much (10^9 pairs at 100k asks x 10k mentors), so the flow runs
  over a few pairs (the "arcs") and every pair left out is *priced* against the duals: it
  could raise the total only if w_am > u_a + v_m. Such pairs join the arcs and the flow is
  solved again; unscored pairs are priced through upper bounds of their scores, so most are
  never scored at all. This is column generation ("lazy pricing") on a flow problem.
- Why the result is exact: when no pair left out breaks u_a + v_m >= w_am, (u, v) is
  feasible for the dual of the *full* problem, so by weak duality no assignment of the full
  problem scores more than sum(u) + sum(capacity * v), which is what the pruned optimum
  scores. The engine checks this in integers (it does not trust the solver): dual
  feasibility, complementary slackness and equal objectives, raising if any fails.

The steps, as `assign_detailed` runs them:

0. Quantise: q = round(score / QUANTUM), QUANTUM = 1e-6; the optimum is exact for the
   quantised scores (reported scores are rounded to 6 decimals). For most_matched the flow
   maximises w = BIG + q, with BIG above any difference of totals.
1. Candidates (`batch.candidate_pairs`): each ask exactly scores its relevance set plus the
   START_HEADS best other mentors by its group's upper bound; every mentor never scored for
   the ask scores at most the ask's bound s_a^rest.
2. First solve (`_seed_arcs`, `_first_solve`): the arcs are each ask's START_K best scored
   pairs, each mentor's MENTOR_ARCS * (capacity + 1) best (so every mentor meets the asks
   competing for it and the first solve prices it nearly right), and the OFFERS *
   (capacity + 2) asks each mentor's bound ranks highest (`batch.mentor_offers`, so
   unpopular mentors get asks too; capacity counted up to 8 in these sizes). The flow is
   solved and priced (`_solve_and_price` over flow.py: v is the longest-path potential of
   the alternating-path graph over mentors, the least optimal dual). Only the first
   solve's tight arcs stay; the others are still priced in step 3 and come back if they
   break it. From then on arcs are only added.
3. Certify (`_certify`): every pair left out must satisfy w_am <= u_a + v_m. Scored pairs
   are checked directly. For never-scored mentors, w(s_a^rest) <= u_a is enough (v_m >= 0);
   failing that, the per-mentor bounds w(b_m) - v_m <= u_a per group and language rule, all
   asks at once (`_unscored_failures`). If everything holds the pruned optimum is the full
   optimum (see above) and the search stops.
4. Grow (`_grow`): scored pairs that broke the check, and every pair within LOOKAHEAD of
   breaking it, become arcs (the duals are about to move); mentors with room are offered to
   unmatched asks; failing asks score exactly the mentors that broke the check (plus 2x more
   heads). The flow is solved and priced again only if a pair now breaks the duals, else the
   check simply runs again. Each round adds arcs or scored pairs, and an ask with every
   mentor scored can no longer fail, so this ends.
5. Ties (`_score_ties`, `_break_ties`): among the optimal assignments, the one matching the
   earliest asks (by id) to the lowest mentor ids: a second flow over the tight pairs.
6. Explain (`_assignments`): reasons of each match, or why an ask stays unmatched.

`assign` is the interface `pairup.engine` exports; `assign_detailed` adds what the command
line (`pairup match`) and bench/ read: solve statistics, phase timings and a dump of every
eligible pair for independent checks. The baselines the benchmarks compare against (greedy,
SciPy's linear_sum_assignment, stable matching) live in bench/baselines.py, not here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.graph.python import min_cost_flow

from pairup.engine import availability as av
from pairup.engine.batch import (
    CHUNK,
    AskTable,
    Progress,
    Scored,
    auto_workers,
    candidate_pairs,
    every_pair,
    mentor_offers,
    score_pairs,
)
from pairup.engine.flow import certified_duals, solve_flow
from pairup.engine.recommend import as_index
from pairup.engine.records import Ask, Assignment, Id, Mentor, Policy
from pairup.engine.relevance import evidence, relevance_pairs
from pairup.engine.scoring import MentorIndex
from pairup.engine.scoring import explain as explain_pair
from pairup.engine.semantic import member
from pairup.engine.stopwatch import Stopwatch

QUANTUM = 1e-6
START_HEADS = 16
START_K = 2
MENTOR_ARCS = 4
LOOKAHEAD = 20_000  # quanta (0.02 of a score)
OFFERS = 4  # each mentor is offered OFFERS * (capacity + 2) asks
NONE = -(2**62)  # "no bound": a quantised score below every real one


def quantise(scores: np.ndarray | float) -> np.ndarray:
    """Scores as integer multiples of QUANTUM: the flow and the certificate are exact on them."""
    return np.rint(np.asarray(scores, dtype=np.float64) / QUANTUM).astype(np.int64)


@dataclass(frozen=True)
class MatchResult:
    """The assignments plus how the search went: flow solves (`rounds`), arcs of the last
    solve, seconds per phase (candidates, scoring, solving, certifying, ties, explaining)
    and one `stats` entry per certificate check."""

    assignments: tuple[Assignment, ...]
    rounds: int
    arcs: int
    index: MentorIndex
    asks: tuple[Ask, ...]
    seconds: dict[str, float] = field(default_factory=dict)
    stats: list[dict[str, Any]] = field(default_factory=list)

    def eligible_pairs(self) -> Iterator[dict[str, Any]]:
        """Every eligible (ask, mentor, score) of the full problem, for independent checks,
        scored by the same batch scorer `assign` uses."""
        mentors = self.index.mentors
        for rows, ms, scores, ok in every_pair(self.index, self.asks):
            q = quantise(scores)
            for k in np.flatnonzero(ok).tolist():
                yield {
                    "ask": self.asks[rows[k]].id,
                    "mentor": mentors[ms[k]].id,
                    "score": f"{q[k] * QUANTUM:.6f}",
                }


def assign(
    asks: Sequence[Ask],
    mentors: MentorIndex | Sequence[Mentor],
    policy: Policy | None = None,
) -> list[Assignment]:
    """The exact best assignment (see module docstring); one `Assignment` per ask, in order."""
    return list(assign_detailed(asks, mentors, policy).assignments)


def assign_detailed(
    asks: Sequence[Ask],
    mentors: MentorIndex | Sequence[Mentor],
    policy: Policy | None = None,
    *,
    progress: Progress | None = None,
    explain: bool = True,
    workers: int | None = None,
) -> MatchResult:
    """`assign` plus the solve statistics (rounds, arcs, phase timings) and the eligible-pair
    dump, for the command line and the benchmarks."""
    index = as_index(mentors, policy)
    policy = index.policy
    asks = tuple(asks)
    seen: set[Id] = set()
    for item in asks:
        if item.id in seen:
            raise ValueError(f"duplicate ask id {item.id!r}")
        seen.add(item.id)
    n_a, n_m = len(asks), len(index)
    if n_a == 0 or n_m == 0:
        none = tuple(Assignment(a.id, None, 0.0, (), "no eligible mentor") for a in asks)
        return MatchResult(none, 0, 0, index, asks)
    if workers is None:
        workers = auto_workers(n_a)
    watch = Stopwatch()
    with watch("candidates"):  # step 1
        table = AskTable(index, asks)
        found, rest = candidate_pairs(table, START_HEADS, workers, progress, best=START_K)
    with watch("scoring"):  # step 2
        search = _seed_arcs(table, found, rest)
    solution = _first_solve(search, watch)
    rounds, solved = 1, True
    stats: list[dict[str, Any]] = []
    while True:
        with watch("certifying"):  # step 3
            check = _certify(search, solution)
        stats.append(
            {
                "solved": solved,
                "pairs_added": int(check.broken.sum()),
                "violators": int(check.failures.bad.sum()),
                "arcs": len(solution.arcs_a),
            }
        )
        if check.holds:
            break
        with watch("scoring"):  # step 4
            solved = _grow(search, solution, check)
        if solved:
            rounds += 1
            solution = _solve_and_price(search, watch)
    with watch("certifying"):  # step 5, ties
        _score_ties(search, solution)
    with watch("ties"):
        arcs_a, arcs_m, arcs_q, flow = _break_ties(search, solution)
    with watch("explaining"):  # step 6
        assignments = _assignments(
            table, search.pairs, arcs_a, arcs_m, arcs_q, flow, search.caps, explain, workers
        )
    return MatchResult(assignments, rounds, len(solution.arcs_a), index, asks, watch.seconds, stats)


# The search's state and its steps, in the order `assign_detailed` runs them.


@dataclass
class _Search:
    """What one `assign` run knows: every scored pair (and which are arcs), each mentor's
    capacity, and, per ask, how far down its group's bound order it has scored."""

    table: AskTable
    pairs: _Pairs
    caps: np.ndarray  # each mentor's capacity, at most the number of asks
    most: bool  # objective most_matched
    big: int  # added to every pair's weight for most_matched (0 for best_total)
    take: np.ndarray  # per ask: how many of its group's best mentors by bound are scored
    rest: np.ndarray  # per ask: quantised bound of every mentor not scored (NONE: none)


@dataclass(frozen=True)
class _Solution:
    """An optimal flow over the current arcs and its verified optimal duals (prices)."""

    sel: np.ndarray  # the arcs, as indices into the scored pairs
    arcs_a: np.ndarray
    arcs_m: np.ndarray
    arcs_q: np.ndarray
    flow: np.ndarray  # 0/1 per arc
    u: np.ndarray  # per ask
    v: np.ndarray  # per mentor
    load: np.ndarray  # asks matched per mentor
    has_room: np.ndarray  # per mentor: open and below capacity
    unmatched: np.ndarray  # per ask


@dataclass(frozen=True)
class _Check:
    """The certificate check of one round: scored pairs left out that break the duals and
    never-scored pairs that may."""

    slack: np.ndarray  # u_a + v_m - w_am per scored pair (< 0: breaks the duals)
    broken: np.ndarray  # scored pairs, not arcs, with slack < 0
    failures: _Failures

    @property
    def holds(self) -> bool:
        """True when (u, v) is dual feasible for the full problem: the optimum is proven."""
        return not self.failures.bad.any() and not self.broken.any()


def _seed_arcs(table: AskTable, found: Scored, rest_f: np.ndarray) -> _Search:
    """Step 2a, the arcs of the first solve: each ask's START_K best pairs (marked by the
    candidate scorer), each mentor's MENTOR_ARCS * (capacity + 1) best and each mentor's
    offers. Cheap, and close enough to the optimum that few rounds follow."""
    index, policy = table.index, table.index.policy
    n_a, n_m = len(table), len(index)
    caps = np.minimum(index.capacity, max(n_a, 1)).astype(np.int64)
    pairs = _Pairs(n_m, found)
    take = np.full(n_a, min(START_HEADS, n_m), dtype=np.int64)
    finite = np.isfinite(rest_f)
    rest = np.where(finite, quantise(np.where(finite, rest_f, 0.0)), NONE)
    # Heuristic sizes use capacity up to 8: a mentor without a limit need not see every ask.
    hint = np.minimum(caps, 8)
    _mentor_arcs(pairs, hint, MENTOR_ARCS)
    o_rows, o_ms, o_sc, o_ok = _score_new(table, pairs, *mentor_offers(table, OFFERS * (hint + 2)))
    pairs.add(o_rows, o_ms, o_sc, o_ok, o_ok)
    most = policy.objective == "most_matched"
    big = 0
    if most:
        # Above any difference of totals: every score lies within the sum of the weights.
        weights = (
            policy.relevance_weight,
            policy.topic_weight,
            policy.availability_weight,
            policy.load_weight,
            policy.cross_site_bonus,
        )
        q_abs = int(quantise(sum(abs(x) for x in weights)))
        big = (n_a + 1) * (2 * q_abs + 2)
    return _Search(table, pairs, caps, most, big, take, rest)


def _first_solve(search: _Search, watch: Stopwatch) -> _Solution:
    """Step 2b: solve and price the seeded arcs, then keep only the tight ones (and the
    matched ones). The others stay scored, so step 3 still prices them."""
    solution = _solve_and_price(search, watch)
    with watch("certifying"):
        pairs = search.pairs
        pairs.arc &= _slack(search, solution) <= 0
        pairs.arc[solution.sel[solution.flow > 0]] = True
    return solution


def _solve_and_price(search: _Search, watch: Stopwatch) -> _Solution:
    """The optimal flow over the current arcs (`flow.solve_flow`) and its optimal duals, verified
    (`flow.certified_duals`): the prices every pair left out is checked against."""
    pairs, caps = search.pairs, search.caps
    n_a, n_m = len(search.table), len(search.table.index)
    sel = np.flatnonzero(pairs.arc & pairs.ok)
    arcs_a, arcs_m, arcs_q = pairs.rows[sel], pairs.ms[sel], pairs.q[sel]
    with watch("solving"):
        flow = solve_flow(arcs_a, arcs_m, arcs_q, caps, search.most) if len(sel) else arcs_q
    with watch("certifying"):
        u, v = certified_duals(arcs_a, arcs_m, arcs_q + search.big, flow, caps, n_a)
        chosen = flow > 0
        load = np.bincount(arcs_m[chosen], minlength=n_m)
        has_room = search.table.index.open & (load < caps)
        unmatched = np.ones(n_a, dtype=bool)
        unmatched[arcs_a[chosen]] = False
    return _Solution(sel, arcs_a, arcs_m, arcs_q, flow, u, v, load, has_room, unmatched)


def _slack(search: _Search, solution: _Solution) -> np.ndarray:
    """u_a + v_m - w_am for every scored pair: negative where the pair breaks the duals."""
    pairs = search.pairs
    return np.asarray(solution.u[pairs.rows] + solution.v[pairs.ms] - (pairs.q + search.big))


def _certify(search: _Search, solution: _Solution) -> _Check:
    """Step 3, the LP-duality certificate: price every pair left out against (u, v). Scored
    pairs directly; never-scored ones through their upper bounds, all asks at once."""
    pairs = search.pairs
    slack = _slack(search, solution)
    broken = pairs.ok & ~pairs.arc & (slack < 0)
    failures = _unscored_failures(
        search.table,
        pairs,
        solution.u,
        solution.v,
        search.big,
        search.rest,
        solution.has_room,
    )
    return _Check(slack, broken, failures)


def _grow(search: _Search, solution: _Solution, check: _Check) -> bool:
    """Step 4: add what broke the certificate: scored pairs as arcs, unscored ones scored
    exactly. True when the flow must be solved again (a pair now breaks the duals); newly
    scored pairs within the duals change no optimum and only need another check."""
    table, pairs, caps, take = search.table, search.pairs, search.caps, search.take
    u, v, big = solution.u, solution.v, search.big
    n_m = len(table.index)
    fail = check.failures
    solve = bool(check.broken.any())
    if solve:
        # The duals will move: pairs nearly tight now are likely to break next.
        pairs.arc |= pairs.ok & (check.slack < LOOKAHEAD)
    grow = fail.bad.copy()
    spare = np.where(solution.has_room, 4 * np.minimum(caps - solution.load, 8) + 4, 0)
    if spare.any() and solution.unmatched.any():
        # Mentors with room reach out to unmatched asks first (cheaper than each
        # unmatched ask searching for them).
        offered = _score_new(table, pairs, *mentor_offers(table, spare, solution.unmatched))
        if len(offered[0]):
            solve |= _admit(pairs, *offered, u, v, big)
            # Filling those mentors raises their duals; asks they explain retry first.
            grow &= ~fail.waits & ~solution.unmatched
    # Score exactly the mentors that broke the certificate, and twice the heads.
    which = np.flatnonzero(grow)
    if len(which):
        keep = grow[fail.rows]
        new_rows, new_ms = [fail.rows[keep]], [fail.ms[keep]]
        combo = table.group_of[which] * (n_m + 1) + take[which]
        order = np.argsort(combo, kind="stable")
        combos, starts = np.unique(combo[order], return_index=True)
        for key, lo, hi in zip(combos.tolist(), starts, [*starts[1:], len(order)], strict=True):
            g, t = divmod(key, n_m + 1)
            heads = table.groups[g].head(2 * t)[t:]
            members = which[order[lo:hi]]
            new_rows.append(np.repeat(members, len(heads)))
            new_ms.append(np.tile(heads, len(members)))
        take[which] = np.minimum(2 * take[which], n_m)
        search.rest[which] = _group_rest(table, take, n_m)[which]
        grown = _score_new(table, pairs, np.concatenate(new_rows), np.concatenate(new_ms))
        solve |= _admit(pairs, *grown, u, v, big)
    return solve


def _score_ties(search: _Search, solution: _Solution) -> None:
    """Step 5a: score the pairs of matched asks that may be tight, for the tie rule to see
    them (none can break the certificate: its bound, an upper bound of its score, is within
    it). Unmatched asks tying at a mentor's price are not: in a popular program whole groups
    of them do (millions of pairs), so those ties go by the scored pairs."""
    matched_rest = np.where(solution.u > 0, search.rest, NONE)
    even = _unscored_failures(
        search.table,
        search.pairs,
        solution.u,
        solution.v,
        search.big,
        matched_rest,
        solution.has_room,
        min_gain=0,
    )
    rows_n, ms_n, sc_n, ok_n = _score_new(search.table, search.pairs, even.rows, even.ms)
    search.pairs.add(rows_n, ms_n, sc_n, ok_n, np.zeros(len(rows_n), dtype=bool))


# Scored pairs, and the pricing of the pairs never scored.


class _Pairs:
    """Every scored pair of one `assign` run: ask row, mentor, quantised score, eligibility,
    and whether it is an arc of the flow problem. New pairs are appended (in one copy per
    round, when the arrays are next read); sorted blocks of keys (ask * n_mentors + mentor)
    answer "scored yet?"."""

    def __init__(self, n_m: int, scored: Scored) -> None:
        self.n_m = n_m
        self._rows, self._ms = scored.rows, scored.ms
        self._q = quantise(scored.scores)
        self._ok = scored.ok
        self._arc = scored.best.copy()
        self._keys = [scored.rows * n_m + scored.ms]  # sorted: candidates come sorted
        self._pending: list[tuple[np.ndarray, ...]] = []

    def _flush(self) -> None:
        if self._pending:
            parts = [(self._rows, self._ms, self._q, self._ok, self._arc), *self._pending]
            self._rows, self._ms, self._q, self._ok, self._arc = (
                np.concatenate(column) for column in zip(*parts, strict=True)
            )
            self._pending = []

    @property
    def rows(self) -> np.ndarray:
        self._flush()
        return self._rows

    @property
    def ms(self) -> np.ndarray:
        self._flush()
        return self._ms

    @property
    def q(self) -> np.ndarray:
        self._flush()
        return self._q

    @property
    def ok(self) -> np.ndarray:
        self._flush()
        return self._ok

    @property
    def arc(self) -> np.ndarray:
        self._flush()
        return self._arc

    @arc.setter
    def arc(self, value: np.ndarray) -> None:
        self._flush()
        self._arc = value

    def unseen(self, rows: np.ndarray, ms: np.ndarray) -> np.ndarray:
        """Mask of the pairs (rows, ms) not scored yet."""
        key = rows * self.n_m + ms
        out = np.ones(len(key), dtype=bool)
        for block in self._keys:
            out &= ~member(key, block)
        return out

    def add(
        self,
        rows: np.ndarray,
        ms: np.ndarray,
        scores: np.ndarray,
        ok: np.ndarray,
        arc: np.ndarray,
    ) -> None:
        """Append new (unseen, unique) pairs."""
        self._pending.append((rows, ms, quantise(scores), ok, arc))
        self._keys.append(np.sort(rows * self.n_m + ms))
        if len(self._keys) > 2 and sum(len(k) for k in self._keys[1:]) > len(self._keys[0]) // 8:
            self._keys = [np.sort(np.concatenate(self._keys))]
        elif len(self._keys) > 3:
            self._keys = [self._keys[0], np.sort(np.concatenate(self._keys[1:]))]


def _mentor_arcs(pairs: _Pairs, caps: np.ndarray, per_cap: int, bins: int = 256) -> None:
    """Mark, for each mentor, about its per_cap * (capacity + 1) best eligible pairs as arcs
    (by a histogram threshold over score bins: a few more at the cut bin). Each mentor then
    meets the asks competing for it, so the first solve prices it nearly right."""
    sel = np.flatnonzero(pairs.ok)
    if not len(sel) or per_cap <= 0:
        return
    n_m = pairs.n_m
    ms = pairs.ms[sel]
    q = pairs.q[sel]
    lo, hi = int(q.min()), int(q.max())
    width = max(1, (hi - lo) // (bins - 1) + 1)
    b = (hi - q) // width  # 0 = best bin
    hist = np.bincount(ms * bins + b, minlength=n_m * bins).reshape(n_m, bins)
    reached = np.cumsum(hist, axis=1)
    want = per_cap * (caps + 1)
    cut = (reached < want[:, None]).sum(axis=1)  # first bin reaching `want`
    pairs.arc[sel[b <= cut[ms]]] = True


def _group_rest(table: AskTable, take: np.ndarray, n_m: int) -> np.ndarray:
    """Each ask's quantised bound on the mentors after its group's first take[a]."""
    combos, inverse = np.unique(table.group_of * (n_m + 1) + take, return_inverse=True)
    values = np.full(len(combos), NONE, dtype=np.int64)
    for c, key in enumerate(combos.tolist()):
        g, t = divmod(key, n_m + 1)
        if t < n_m:
            group = table.groups[g]
            b = float(group.bound_of(group.head(t + 1)[t:])[0])
            if np.isfinite(b):
                values[c] = int(quantise(b))
    return values[inverse.ravel()]


@dataclass
class _Failures:
    """Unscored mentors that break the certificate: asks failing, whether each failure is
    explained by mentors with room alone (the ask may wait for them), and the pairs."""

    bad: np.ndarray
    waits: np.ndarray
    rows: np.ndarray
    ms: np.ndarray


def _unscored_failures(
    table: AskTable,
    pairs: _Pairs,
    u: np.ndarray,
    v: np.ndarray,
    big: int,
    rest: np.ndarray,
    has_room: np.ndarray,
    min_gain: int = 1,
) -> _Failures:
    """Never-scored pairs with w(bound) - v_m - u_a >= min_gain, all asks at once: with 1,
    the pairs that may break the certificate (step 5); with 0, also those that may be tight
    (ties)."""
    n_a, n_m = len(table), len(table.index)
    bad = np.zeros(n_a, dtype=bool)
    waits = np.zeros(n_a, dtype=bool)
    empty = np.zeros(0, dtype=np.int64)
    # v >= 0, so an ask whose bound on every unscored mentor is within u_a passes at once.
    asks = np.flatnonzero((rest > NONE) & (rest + big - u >= min_gain))
    if not len(asks):
        return _Failures(bad, waits, empty, empty)
    # Per (group, language rule): the best w(bound) - v over the mentors it allows.
    n_lang = len(table.lang_sets)
    combos, ca = np.unique(table.group_of[asks] * n_lang + table.lang_of[asks], return_inverse=True)
    ca = ca.ravel()
    live_of: list[np.ndarray] = []
    val_of: list[np.ndarray] = []
    best = np.zeros(len(combos), dtype=np.int64)
    best_full = np.zeros(len(combos), dtype=np.int64)
    for c, key in enumerate(combos.tolist()):
        bound = table.groups[key // n_lang].bound
        live = np.flatnonzero(np.isfinite(bound))
        live = live[table.lang_ok(key % n_lang, live)]
        val = quantise(bound[live]) - v[live]
        live_of.append(live)
        val_of.append(val)
        best[c] = int(val.max(initial=NONE))
        best_full[c] = int(val[~has_room[live]].max(initial=NONE))
    failing = best[ca] + big - u[asks] >= min_gain
    asks, ca = asks[failing], ca[failing]
    waits[asks] = best_full[ca] + big - u[asks] < min_gain
    # Each failing ask's mentors: a prefix of its combination's mentors sorted by
    # w(bound) - v, best first.
    rows_l, ms_l = [], []
    by_combo = np.argsort(ca, kind="stable")
    bounds = np.searchsorted(ca[by_combo], np.arange(len(combos) + 1))
    for c in np.flatnonzero(np.diff(bounds)).tolist():
        members = asks[by_combo[bounds[c] : bounds[c + 1]]]
        order = np.argsort(-val_of[c], kind="stable")
        ranked, neg = live_of[c][order], -val_of[c][order]
        length = np.searchsorted(neg, big - u[members] - min_gain, side="right")
        before = np.cumsum(length) - length
        step = np.arange(int(length.sum())) - np.repeat(before, length)
        rows_l.append(np.repeat(members, length))
        ms_l.append(ranked[step])
    rows = np.concatenate(rows_l) if rows_l else empty
    ms = np.concatenate(ms_l) if ms_l else empty
    keep = pairs.unseen(rows, ms)
    if len(table.excluded):
        keep &= ~member(rows * n_m + ms, table.excluded)
    rows, ms = rows[keep], ms[keep]
    bad[rows] = True
    waits &= bad
    return _Failures(bad, waits, rows, ms)


def _score_new(
    table: AskTable, pairs: _Pairs, rows: np.ndarray, ms: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The pairs (rows, ms) not scored yet, once each, scored exactly: (rows, mentors,
    scores, eligible). They are outside every relevance set (every relevance pair is
    scored first), so their relevance is 0."""
    n_m = len(table.index)
    key = np.unique(rows * n_m + ms)
    key = key[pairs.unseen(key // n_m, key % n_m)]
    rows, ms = key // n_m, key % n_m
    scores, ok = score_pairs(table, rows, ms, np.zeros(len(rows)))
    return rows, ms, scores, ok


def _admit(
    pairs: _Pairs,
    rows: np.ndarray,
    ms: np.ndarray,
    scores: np.ndarray,
    ok: np.ndarray,
    u: np.ndarray,
    v: np.ndarray,
    big: int,
) -> bool:
    """Add newly scored pairs, as arcs when within LOOKAHEAD of breaking the duals (u, v);
    True when one breaks them (the flow must be solved again)."""
    slack = u[rows] + v[ms] - (quantise(scores) + big)
    pairs.add(rows, ms, scores, ok, ok & (slack < LOOKAHEAD))
    return bool((ok & (slack < 0)).any())


# Step 5b: ties.


def _break_ties(
    search: _Search, solution: _Solution
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Step 5b: among the optimal assignments, one that prefers the earliest asks (by ask id) and the
    lowest mentor ids for them, found in the tight pairs (arcs, flow), so ties depend
    neither on the solver's choices nor on the order of the input.

    By complementary slackness an assignment is optimal exactly when it uses only tight
    pairs (u_a + v_m = w_am), matches every ask with u_a > 0 and fills every mentor with
    v_m > 0; a second flow over the tight pairs (every pair that may be tight is scored
    first), with costs that only rank ids, picks the preferred one among them. The costs
    are a weighted preference, not a strict lexicographic one; what they leave tied falls
    to the id order of the flow's nodes and arcs. The duals are the least optimal ones, so
    the tight pairs do not depend on which optimum the first flows found.
    """
    table, pairs, caps, most = search.table, search.pairs, search.caps, search.most
    u, v, big = solution.u, solution.v, search.big
    n_a, n_m = len(u), len(v)
    w = pairs.q + big
    rows, ms = pairs.rows, pairs.ms
    tight = pairs.ok & (u[rows] + v[ms] == w)
    if not most:
        tight &= w > 0  # a pair scoring 0 adds nothing: best-total leaves it out
    sel = np.flatnonzero(tight)
    if not len(sel):
        return rows[sel], ms[sel], pairs.q[sel], np.zeros(0, dtype=np.int64)
    # Nodes and arcs in id order, so the flow (and any tie its costs leave) does not depend
    # on the order the asks and mentors came in.
    ask_rank, mentor_rank = table.id_rank, table.index.id_rank
    sel = sel[np.lexsort((mentor_rank[ms[sel]], ask_rank[rows[sel]]))]
    arcs_a, arcs_m, arcs_q = rows[sel], ms[sel], pairs.q[sel]
    _, a_node = np.unique(ask_rank[arcs_a], return_inverse=True)
    _, m_node = np.unique(mentor_rank[arcs_m], return_inverse=True)
    asks = arcs_a[np.r_[True, a_node[1:] != a_node[:-1]]] if len(a_node) else arcs_a
    mentors = np.empty(int(m_node.max()) + 1, dtype=np.int64)
    mentors[m_node] = arcs_m
    k_a, k_m = len(asks), len(mentors)
    sink = k_a + k_m
    # Matching ask a to mentor m gains (n_a - rank a) * (n_m + 1 - rank m): earlier asks
    # first and, by the rearrangement inequality, the lowest mentor ids to the earliest asks.
    cost = -(n_a - ask_rank[arcs_a]) * (n_m + 1 - mentor_rank[arcs_m])
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(
        a_node, k_a + m_node, np.ones(len(sel), dtype=np.int64), cost
    )
    optional = np.flatnonzero(u[asks] == 0)
    smcf.add_arcs_with_capacity_and_unit_cost(
        optional,
        np.full(len(optional), sink),
        np.ones(len(optional), dtype=np.int64),
        np.zeros(len(optional), dtype=np.int64),
    )
    room = np.flatnonzero(v[mentors] == 0)
    smcf.add_arcs_with_capacity_and_unit_cost(
        k_a + room,
        np.full(len(room), sink),
        caps[mentors[room]],
        np.zeros(len(room), dtype=np.int64),
    )
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[:k_a] = 1
    must_fill = v[mentors] > 0
    supplies[k_a:sink][must_fill] = -caps[mentors[must_fill]]
    supplies[sink] = -(k_a - int(caps[mentors[must_fill]].sum()))
    smcf.set_nodes_supplies(np.arange(sink + 1), supplies)
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"tie-breaking flow failed with status {status}")
    flow = np.asarray(smcf.flows(np.arange(len(sel))), dtype=np.int64)
    return arcs_a, arcs_m, arcs_q, flow


# Step 6: the assignments and their reasons.


def _assignments(
    table: AskTable,
    pairs: _Pairs,
    arcs_a: np.ndarray,
    arcs_m: np.ndarray,
    arcs_q: np.ndarray,
    flow: np.ndarray,
    caps: np.ndarray,
    explain: bool,
    workers: int,
) -> tuple[Assignment, ...]:
    index, asks = table.index, table.asks
    n_a, n_m = len(asks), len(index)
    chosen = flow > 0
    match = np.full(n_a, -1, dtype=np.int64)
    match[arcs_a[chosen]] = arcs_m[chosen]
    reasons = _match_reasons(table, match, workers) if explain else {}
    qmatch = np.zeros(n_a, dtype=np.int64)
    qmatch[arcs_a[chosen]] = arcs_q[chosen]
    load = np.bincount(arcs_m[chosen], minlength=n_m)
    full = load >= caps
    # Per ask: any eligible scored pair, and any with a mentor who has room.
    ok = np.flatnonzero(pairs.ok)
    rows, ms = pairs.rows[ok], pairs.ms[ok]
    any_ok = np.bincount(rows, minlength=n_a) > 0
    any_room = np.bincount(rows, weights=(~full[ms]).astype(float), minlength=n_a) > 0
    out = []
    for a, ask in enumerate(asks):
        m = int(match[a])
        if m >= 0:
            score = round(int(qmatch[a]) * QUANTUM, 6)
            said = reasons.get(a, ())
            out.append(Assignment(ask.id, index.mentors[m].id, score, said, None))
            continue
        if not any_ok[a]:
            any_ok[a], any_room[a] = _eligible_anywhere(table, a, full)
        if not any_ok[a]:
            out.append(Assignment(ask.id, None, 0.0, (), "no eligible mentor"))
        elif not any_room[a]:
            out.append(Assignment(ask.id, None, 0.0, (), "every eligible mentor is full"))
        else:
            reason = "no eligible mentor scores above zero, so matching would not add to the total"
            out.append(Assignment(ask.id, None, 0.0, (), reason))
    return tuple(out)


def _match_reasons(table: AskTable, match: np.ndarray, workers: int) -> dict[int, tuple[str, ...]]:
    """The reasons of every matched pair, as `ScoredAsk.reasons` gives them, with the
    evidence of the matched asks found in batches (in threads)."""
    index, policy = table.index, table.index.policy
    matched = np.flatnonzero(match >= 0)
    spans = [matched[lo : lo + CHUNK] for lo in range(0, len(matched), CHUNK)]

    def block(which: np.ndarray) -> dict[int, tuple[str, ...]]:
        rows, ms, _, similar, profile, items = evidence(index, [table.asks[a] for a in which])
        key = rows * len(index) + ms
        cross = table.per_group("cross", table.group_of[which], match[which])
        out = {}
        for r, a in enumerate(which.tolist()):
            m = int(match[a])
            ask = table.asks[a]
            k = int(np.searchsorted(key, r * len(index) + m))
            found = k < len(key) and key[k] == r * len(index) + m
            spans = table.free.get(a) if ask.free is not None else None
            avail = av.availability(spans, index.spans[m], ask.duration, policy)
            out[a] = explain_pair(
                index,
                ask,
                m,
                int(similar[k]) if found else 0,
                bool(profile[k]) if found else False,
                avail,
                bool(cross[r]),
                item=int(items[k]) if found else -1,
            )
        return out

    found: dict[int, tuple[str, ...]] = {}
    with ThreadPoolExecutor(max(1, min(workers, len(spans)))) as pool:
        for part in pool.map(block, spans):
            found.update(part)
    return found


def _eligible_anywhere(table: AskTable, a: int, full: np.ndarray) -> tuple[bool, bool]:
    """(any eligible mentor, any eligible mentor with room) for an ask none of whose scored
    pairs is eligible: every mentor scored exactly (rare, one ask at a time)."""
    n_m = len(table.index)
    everyone = np.arange(n_m)
    rows = np.full(n_m, a, dtype=np.int64)
    relv = np.zeros(n_m)
    r_rows, r_m, r_val = relevance_pairs(table.index, [table.asks[a]])
    relv[r_m] = r_val
    _, ok = score_pairs(table, rows, everyone, relv)
    return bool(ok.any()), bool((ok & ~full).any())

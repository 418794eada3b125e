"""assign(asks, mentors, policy) -> the exact best assignment, one mentor per ask at most.

Problem: choose pairs (a, m) among eligible pairs, each ask at most once, each mentor at most
`capacity` times, maximising the total score (`objective="best_total"`), or first the number
of matched asks and then the total score (`objective="most_matched"`).

Method (exact, with a certificate):

1. Scores are quantised to integers, q = round(score / QUANTUM), QUANTUM = 1e-6; the
   optimum is exact for the quantised scores (reported scores are rounded to 6 decimals).
2. Candidates: each ask exactly scores its relevance set plus the START_HEADS best other
   mentors by its group's upper bound (`batch.py`); every mentor never scored for the ask
   scores at most the ask's bound s_a^rest. Each mentor is also offered the 2 * capacity + 2
   asks that its bound ranks highest (`mentor_side`), so unpopular mentors get asks too.
3. Arcs: each ask's START_K best scored pairs plus the mentor-side offers. The pruned
   problem is a min-cost flow (asks -> mentors -> sink) solved by OR-Tools.
4. From the optimal flow we compute optimal LP duals u_a >= 0 (ask), v_m >= 0 (mentor)
   with u_a + v_m >= w_am on every arc (w = q, or BIG + q for most_matched): v is the
   longest-path potential of the alternating-path graph over mentors, and the engine checks
   dual feasibility, complementary slackness and equal objectives, raising if any fails.
5. Every pair left out must satisfy w_am <= u_a + v_m. Scored pairs are checked directly
   (those that fail become arcs). For never-scored mentors we check w(s_a^rest) <= u_a
   (enough, since v_m >= 0), then the per-mentor bounds w(b_m) - v_m <= u_a per group and
   language set, then per ask. If everything holds, (u, v) is dual feasible for the full
   problem, so by weak duality the pruned optimum is the full optimum. Otherwise mentors
   with room are offered to unmatched asks, failing asks score exactly the mentors that
   broke the check (plus 2x more heads), and we re-solve. An ask with every mentor scored
   can no longer fail, so this terminates.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.graph.python import min_cost_flow

from pairup.engine.batch import (
    Candidates,
    auto_workers,
    batch_candidates,
    extend_many,
    mentor_side,
    relevance_pairs,
    score_pairs,
)
from pairup.engine.recommend import as_index
from pairup.engine.records import Ask, Assignment, Id, Mentor, Policy
from pairup.engine.scoring import MentorIndex, _langs, member

QUANTUM = 1e-6
START_HEADS = 16
START_K = 16

Progress = Callable[[Iterable[Any], int, str], Iterator[Any]]


def quantise(scores: np.ndarray | float) -> np.ndarray:
    return np.rint(np.asarray(scores, dtype=np.float64) / QUANTUM).astype(np.int64)


@dataclass(frozen=True)
class MatchResult:
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
        index, n_m = self.index, len(self.index)
        for lo in range(0, len(self.asks), 256):
            chunk = self.asks[lo : lo + 256]
            r_rows, r_m, r_val = relevance_pairs(index, chunk)
            rows = np.repeat(np.arange(len(chunk)), n_m)
            ms = np.tile(np.arange(n_m), len(chunk))
            relv = np.zeros(len(rows))
            relv[r_rows * n_m + r_m] = r_val
            scores, ok = score_pairs(index, chunk, rows, ms, relv)
            q = quantise(scores)
            for k in np.flatnonzero(ok).tolist():
                yield {
                    "ask": chunk[rows[k]].id,
                    "mentor": index.mentors[ms[k]].id,
                    "score": f"{q[k] * QUANTUM:.6f}",
                }


def _solve(
    arcs_a: np.ndarray,
    arcs_m: np.ndarray,
    arcs_q: np.ndarray,
    caps: np.ndarray,
    n_asks: int,
    most_matched: bool,
) -> np.ndarray:
    """Optimal 0/1 flow on each arc (ask node a, mentor node n_asks + m, sink last)."""
    n_m = len(caps)
    sink = n_asks + n_m
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(
        arcs_a, n_asks + arcs_m, np.ones(len(arcs_a), dtype=np.int64), -arcs_q
    )
    used = np.unique(arcs_m)
    smcf.add_arcs_with_capacity_and_unit_cost(
        n_asks + used, np.full(len(used), sink), caps[used], np.zeros(len(used), dtype=np.int64)
    )
    if not most_matched:
        # Bypass: leaving an ask unmatched costs nothing.
        smcf.add_arcs_with_capacity_and_unit_cost(
            np.arange(n_asks),
            np.full(n_asks, sink),
            np.ones(n_asks, dtype=np.int64),
            np.zeros(n_asks, dtype=np.int64),
        )
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[:n_asks] = 1
    supplies[sink] = -n_asks
    smcf.set_nodes_supplies(np.arange(sink + 1), supplies)
    status = smcf.solve_max_flow_with_min_cost() if most_matched else smcf.solve()
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    return np.asarray(smcf.flows(np.arange(len(arcs_a))), dtype=np.int64)


def _duals(
    arcs_a: np.ndarray,
    arcs_m: np.ndarray,
    w: np.ndarray,
    flow: np.ndarray,
    caps: np.ndarray,
    n_asks: int,
    strict: bool = True,
    max_iter: int | None = None,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Optimal duals (u, v) of the LP over these pairs from an integral primal, verified.

    With strict=False the pairs may include ones without flow that were not in the solved
    problem; None then means the primal is not optimal for them (no such duals exist).
    """
    n_m = len(caps)
    chosen = flow > 0
    match_m = np.full(n_asks, -1, dtype=np.int64)
    match_w = np.zeros(n_asks, dtype=np.int64)
    match_m[arcs_a[chosen]] = arcs_m[chosen]
    match_w[arcs_a[chosen]] = w[chosen]
    src = match_m[arcs_a]  # -1 = from the root (ask unmatched)
    weight = np.where(src >= 0, w - match_w[arcs_a], w)
    keep = src != arcs_m
    src, dst, weight = src[keep], arcs_m[keep], weight[keep]
    v = np.zeros(n_m, dtype=np.int64)
    root = src < 0
    np.maximum.at(v, dst[root], weight[root])
    src, dst, weight = src[~root], dst[~root], weight[~root]
    order = np.argsort(dst, kind="stable")
    src, dst, weight = src[order], dst[order], weight[order]
    heads, starts = np.unique(dst, return_index=True)
    for _ in range(n_m + 1 if max_iter is None else max_iter):
        if len(dst) == 0:
            break
        relaxed = np.maximum.reduceat(v[src] + weight, starts) if len(starts) else starts
        new = np.maximum(v[heads], relaxed)
        if np.array_equal(new, v[heads]):
            break
        v[heads] = new
    else:
        if not strict:
            return None
        raise RuntimeError("assignment is not optimal (positive alternating cycle)")
    u = np.where(match_m >= 0, match_w - v[np.maximum(match_m, 0)], 0)
    load = np.bincount(arcs_m[chosen], minlength=n_m)
    # Verify the certificate rather than trust it.
    if (u < 0).any() or (u[arcs_a] + v[arcs_m] < w).any():
        if not strict:
            return None
        raise RuntimeError("dual infeasible: the flow solution is not optimal")
    if (v[load < caps] != 0).any() or int(u.sum() + (caps * v).sum()) != int(w[chosen].sum()):
        if not strict:
            return None
        raise RuntimeError("duality gap: the flow solution is not optimal")
    return u, v


def assign_detailed(
    asks: Sequence[Ask],
    mentors: MentorIndex | Sequence[Mentor],
    policy: Policy | None = None,
    *,
    progress: Progress | None = None,
    explain: bool = True,
    workers: int | None = None,
) -> MatchResult:
    """`assign` plus the solve statistics (rounds, arcs) and the eligible-pair dump."""
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
    most = policy.objective == "most_matched"
    caps = np.minimum(index.capacity, max(n_a, 1)).astype(np.int64)
    clock = time.perf_counter()
    seconds = {"scoring": 0.0, "solving": 0.0, "certifying": 0.0}
    stats: list[dict[str, Any]] = []
    if workers is None:
        workers = auto_workers(n_a)
    found = batch_candidates(index, asks, START_HEADS, workers)
    it: Iterable[Candidates] = progress(found, n_a, "scoring") if progress else found
    cands = list(it)
    ask_groups = [index.group(ask) for ask in asks]
    if n_a and n_m:
        ex_a, ex_m, ex_s = mentor_side(index, asks, cands, 4 * caps + 8, None, ask_groups)
    arc_keys = np.zeros(0, dtype=np.int64)
    if not (n_a and n_m):
        ex_a, ex_m, ex_s = arc_keys, arc_keys, np.zeros(0)
    big = 0
    if most:
        q_abs = max((float(np.abs(c.scores).max()) for c in cands if len(c.scores)), default=0.0)
        big = (n_a + 1) * (2 * int(quantise(q_abs)) + 2)
    rounds = 0
    while True:
        rounds += 1
        lens = np.array([len(c.pos) for c in cands], dtype=np.int64)
        all_a = np.repeat(np.arange(n_a, dtype=np.int64), lens)
        all_m = np.concatenate([c.pos for c in cands] or [np.zeros(0)]).astype(np.int64)
        all_q = quantise(np.concatenate([c.scores for c in cands] or [np.zeros(0)]))
        # Arcs: each ask's START_K best pairs, mentor-side offers, and pairs that broke a
        # previous round's certificate.
        rank = np.arange(len(all_a)) - np.repeat(np.cumsum(lens) - lens, lens)
        is_arc = rank < START_K
        if len(arc_keys):
            is_arc |= member(all_a * n_m + all_m, arc_keys)
        all_a = np.concatenate([all_a, ex_a])
        all_m = np.concatenate([all_m, ex_m])
        all_q = np.concatenate([all_q, quantise(ex_s)])
        is_arc = np.concatenate([is_arc, np.ones(len(ex_a), dtype=bool)])
        arcs_a, arcs_m, arcs_q = all_a[is_arc], all_m[is_arc], all_q[is_arc]
        now = time.perf_counter()
        seconds["scoring"] += now - clock
        flow = _solve(arcs_a, arcs_m, arcs_q, caps, n_a, most) if len(arcs_a) else arcs_q
        clock = time.perf_counter()
        seconds["solving"] += clock - now
        duals = _duals(arcs_a, arcs_m, arcs_q + big, flow, caps, n_a)
        assert duals is not None
        u, v = duals
        # Scored pairs left out: w_am <= u_a + v_m, else they become arcs.
        out_a, out_m = all_a[~is_arc], all_m[~is_arc]
        broken = all_q[~is_arc] + big - v[out_m] > u[out_a]
        arc_keys = np.union1d(arc_keys, out_a[broken] * n_m + out_m[broken])
        # Mentors never scored for an ask: bound - v_m <= u_a, first with the ask's own bound
        # on all of them, then per (group, languages) over mentors, then per mentor.
        rest = np.array([c.rest for c in cands])
        live_rest = np.isfinite(rest)
        open_rest = np.zeros(n_a, dtype=bool)
        open_rest[live_rest] = quantise(rest[live_rest]) + big > u[live_rest]
        group_max: dict[tuple, tuple[int, int]] = {}
        bad = np.zeros(n_a, dtype=bool)
        # Failures that only mentors with room explain can wait for those mentors to fill.
        chosen = flow > 0
        load = np.bincount(arcs_m[chosen], minlength=n_m)
        has_room = index.open & (load < caps)
        waits = np.zeros(n_a, dtype=bool)
        targets: dict[int, np.ndarray] = {}
        failing_cache: dict[tuple, np.ndarray] = {}
        if rounds == 1:
            ask_langs = [_langs(ask.languages) for ask in asks]
        for a in np.flatnonzero(open_rest).tolist():
            ask = asks[a]
            group = ask_groups[a]
            langs = ask_langs[a]
            gk = (group.key, langs)
            if gk not in group_max:
                live = np.isfinite(group.bound) & index.language_ok(langs)
                values = quantise(np.where(live, group.bound, 0.0)) - v
                full = live & ~has_room
                group_max[gk] = (
                    int(values[live].max(initial=-(2**62))),
                    int(values[full].max(initial=-(2**62))),
                )
            every, full_only = group_max[gk]
            if every + big > u[a]:
                fk = (gk, int(u[a]))
                if fk not in failing_cache:
                    live = np.isfinite(group.bound) & index.language_ok(langs)
                    idx = np.flatnonzero(live)
                    failing_cache[fk] = idx[quantise(group.bound[idx]) + big - v[idx] > u[a]]
                failing = failing_cache[fk]
                if len(failing):
                    failing = failing[~member(failing, np.sort(cands[a].seen))]
                    if ask.exclude and len(failing):
                        excl = [index.position[x] for x in set(ask.exclude) if x in index.position]
                        failing = failing[
                            ~member(failing, np.unique(np.asarray(excl, dtype=np.int64)))
                        ]
                if len(failing):
                    bad[a] = True
                    waits[a] = full_only + big <= u[a]
                    targets[a] = failing
        violators = np.flatnonzero(bad).tolist()
        stats.append(
            {"pairs_added": int(broken.sum()), "violators": len(violators), "arcs": len(arcs_a)}
        )
        now = time.perf_counter()
        seconds["certifying"] += now - clock
        clock = now
        if not violators and not broken.any():
            break
        unmatched = np.ones(n_a, dtype=bool)
        unmatched[arcs_a[chosen]] = False
        spare = np.where(index.open & (load < caps), 4 * (caps - load) + 4, 0)
        if spare.any() and unmatched.any():
            # Mentors with room reach out to unmatched asks first (cheaper than each
            # unmatched ask searching for them).
            new_a, new_m, new_s = mentor_side(index, asks, cands, spare, unmatched, ask_groups)
            fresh = ~member(new_a * n_m + new_m, np.sort(ex_a * n_m + ex_m))
            ex_a = np.concatenate([ex_a, new_a[fresh]])
            ex_m = np.concatenate([ex_m, new_m[fresh]])
            ex_s = np.concatenate([ex_s, new_s[fresh]])
            if fresh.any():
                # Filling those mentors raises their duals; asks they explain retry first.
                violators = [a for a in violators if not waits[a] and not unmatched[a]]
        # Score exactly the mentors that broke the certificate (and a few more heads).
        takes = [2 * max(cands[a].take, 1) for a in violators]
        aims = [targets[a] for a in violators]
        grown = extend_many(index, asks, cands, violators, takes, ask_groups, aims)
        for a, c in zip(violators, grown, strict=True):
            cands[a] = c
    chosen = flow > 0
    match = dict(zip(arcs_a[chosen].tolist(), arcs_m[chosen].tolist(), strict=True))
    qmatch = dict(zip(arcs_a[chosen].tolist(), arcs_q[chosen].tolist(), strict=True))
    load = np.bincount(arcs_m[chosen], minlength=n_m) if n_m else np.zeros(0, dtype=np.int64)
    out = []
    for a, ask in enumerate(asks):
        if a in match:
            m = match[a]
            reasons = index.score_ask(ask).reasons(m) if explain else ()
            score = round(qmatch[a] * QUANTUM, 6)
            out.append(Assignment(ask.id, index.mentors[m].id, score, reasons, None))
        elif len(cands[a].pos) == 0:
            out.append(Assignment(ask.id, None, 0.0, (), "no eligible mentor"))
        elif (load[cands[a].pos] >= caps[cands[a].pos]).all():
            out.append(Assignment(ask.id, None, 0.0, (), "every eligible mentor is full"))
        else:
            reason = "no eligible mentor scores above zero, so matching would not add to the total"
            out.append(Assignment(ask.id, None, 0.0, (), reason))
    seconds["explaining"] = time.perf_counter() - clock
    return MatchResult(tuple(out), rounds, len(arcs_a), index, asks, seconds, stats)


def assign(
    asks: Sequence[Ask],
    mentors: MentorIndex | Sequence[Mentor],
    policy: Policy | None = None,
) -> list[Assignment]:
    """The exact best assignment (see module docstring); one `Assignment` per ask, in order."""
    return list(assign_detailed(asks, mentors, policy).assignments)

"""The solvers `assign` is benchmarked against. Only bench/run.py uses them: the web app and
`pairup match` call the engine's exact `assign` (src/pairup/engine/assign.py); the greedy is
the engine's own (`pairup.engine.cohort`), which cohort matching also shows admins.

Each takes exact scores and eligibility (dense, or as pair lists for greedy) and each
mentor's capacity, and returns (asks matched, total score in quanta of 1e-6), the
engine's quantum, so totals compare exactly.
"""

from __future__ import annotations

import sys

import numpy as np
from scipy.optimize import linear_sum_assignment

QUANTUM = 1e-6


def quanta(score: float) -> int:
    """A score in the engine's integer quanta."""
    return int(round(score / QUANTUM))


def dense_scores(asks, index) -> tuple[np.ndarray, np.ndarray]:
    """Every pair's exact score and eligibility (pairs scoring 0 are not eligible)."""
    everyone = np.arange(len(index))
    scores = np.zeros((len(asks), len(index)))
    ok = np.zeros((len(asks), len(index)), dtype=bool)
    for i, ask in enumerate(asks):
        scores[i], ok[i] = index.score_ask(ask).score(everyone)
    return scores, ok & (scores > 0)


def greedy(
    rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, caps: np.ndarray, n_asks: int
) -> tuple[int, int]:
    """Pairs best-first (ties by ask, then mentor) while the ask is free and the mentor has
    room: the engine's own greedy (`pairup.engine.cohort.greedy_match`, which cohort
    matching shows admins beside the exact optimum)."""
    from pairup.engine.cohort import greedy_match

    match = greedy_match(rows, cols, vals, caps, n_asks)
    chosen = match[rows] == cols
    return int(chosen.sum()), sum(quanta(v) for v in vals[chosen].tolist())


def scipy_lsa(scores: np.ndarray, ok: np.ndarray, caps: np.ndarray) -> tuple[int, int]:
    """SciPy's linear_sum_assignment on the capacity-expanded dense matrix (one column per
    seat); ineligible pairs weigh 0 and do not count as matched."""
    slots = np.repeat(np.arange(scores.shape[1]), caps)
    weights = np.where(ok, scores, 0.0)[:, slots]
    rows, cols = linear_sum_assignment(weights, maximize=True)
    good = ok[rows, slots[cols]]
    total = sum(quanta(scores[r, slots[c]]) for r, c in zip(rows[good], cols[good], strict=True))
    return int(good.sum()), total


def stable_matching(scores: np.ndarray, ok: np.ndarray, caps: np.ndarray) -> tuple[int, int]:
    """Hospital/residents, resident-optimal, from the `matching` library (bench extra), with
    full preference lists by score (ties by id) on both sides."""
    from matching.games import HospitalResident  # the caller imports it before timing

    sys.setrecursionlimit(1_000_000)  # the library recurses once per proposal
    n_a, n_m = scores.shape
    res_prefs, hosp_prefs = {}, {}
    for a in range(n_a):
        ms = np.flatnonzero(ok[a])
        res_prefs[f"a{a}"] = [f"m{m}" for m in ms[np.lexsort((ms, -scores[a, ms]))]]
    for m in range(n_m):
        asks_m = np.flatnonzero(ok[:, m])
        hosp_prefs[f"m{m}"] = [f"a{a}" for a in asks_m[np.lexsort((asks_m, -scores[asks_m, m]))]]
    game = HospitalResident.create_from_dictionaries(
        res_prefs, hosp_prefs, {f"m{m}": int(caps[m]) for m in range(n_m)}
    )
    solution = game.solve(optimal="resident")
    total = matched = 0
    for hospital, residents in solution.items():
        m = int(hospital.name[1:])
        for r in residents:
            total += quanta(scores[int(r.name[1:]), m])
            matched += 1
    return matched, total

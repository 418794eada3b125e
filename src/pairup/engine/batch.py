"""Scoring many asks at once: the same exact scores as `ScoredAsk`, vectorised per chunk.

For a chunk of asks, relevance comes from one sparse product (asks x terms) @ (terms x
documents); each ask keeps its `policy.evidence_items` best documents (ties by document
number, as in `ScoredAsk`), whose votes are summed per mentor. Each ask's candidate mentors are
its relevance set plus the first `extra` mentors of its group's bound order; every other
mentor scores at most the bound of the group's `extra`-th mentor (relevance 0 outside the
relevance set). Results are `Candidates` per ask, exactly what the per-ask search returns.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from pairup.engine import availability as av
from pairup.engine.records import Ask
from pairup.engine.scoring import Group, MentorIndex, _langs, member, relevance_of_votes

CHUNK = 500


@dataclass
class Candidates:
    """One ask's exactly scored eligible mentors (best first), their scores, the bound on
    every mentor not scored, and every scored position."""

    pos: np.ndarray
    scores: np.ndarray
    rest: float
    seen: np.ndarray
    take: int


def top_per_row(
    indptr: np.ndarray, docs: np.ndarray, votes: np.ndarray, n: int, bins: int = 1024
) -> np.ndarray:
    """Positions of each CSR row's `n` best entries by vote (ties: lower document number),
    in no particular order.

    Vectorised over all rows, without sorting whole rows:

    1. A row's threshold t_r comes from a histogram of every 4th entry (log-spaced bins);
       every entry with vote >= t_r is kept. If a row keeps at least n entries its n-th
       best vote is >= t_r, so its top n are all kept; a row that keeps fewer keeps all.
    2. One float sort of the kept entries by (row, vote) gives each row's candidate n-th
       best vote c_r; it is checked exactly (fewer than n votes > c_r, at least n >= c_r);
       a row that fails (votes closer than the sort key's precision) is sorted exactly.
    3. Votes > c_r are in; votes == c_r fill the remaining places, lowest document first.
    """
    counts = np.diff(indptr)
    n_rows = len(counts)
    if not (counts > n).any():
        return np.arange(len(votes))
    stride = 4
    sample = np.arange(0, len(votes), stride)
    s_rows = np.searchsorted(indptr, sample, side="right").astype(np.int32) - 1
    per_octave = 16
    top = float(votes.max())
    level = np.log2(np.maximum(votes[sample], top * 2.0**-30) / top) * -per_octave
    b = np.minimum(level.astype(np.int32), bins - 1)
    hist = np.bincount(s_rows * bins + b, minlength=n_rows * bins).reshape(n_rows, bins)
    reached = np.cumsum(hist, axis=1)  # sampled entries in bin b or better (0 = best)
    cut = (reached < (3 * n) // (2 * stride) + 2).sum(axis=1)
    edge = top * 2.0 ** (-(np.minimum(cut, bins - 1) + 1) / per_octave)
    threshold = np.where((counts > n) & (cut < bins - 1), edge, -np.inf)
    keep = np.flatnonzero(votes >= np.repeat(threshold, counts))
    rows = np.searchsorted(indptr, keep, side="right").astype(np.int32) - 1
    short = np.flatnonzero(np.bincount(rows, minlength=n_rows) < np.minimum(counts, n))
    if len(short):
        threshold[short] = -np.inf
        keep = np.flatnonzero(votes >= np.repeat(threshold, counts))
        rows = np.searchsorted(indptr, keep, side="right").astype(np.int32) - 1
    v = votes[keep]
    kept = np.bincount(rows, minlength=n_rows)
    big = np.flatnonzero(kept > n)
    if not len(big):
        return keep
    order = np.argsort(rows * 2.0 - v / top)
    first = np.concatenate([[0], np.cumsum(kept)[:-1]])
    c = np.full(n_rows, -np.inf)
    c[big] = v[order[first[big] + n - 1]]
    c_of = c[rows]
    above = v > c_of
    at = v == c_of
    n_above = np.bincount(rows, weights=above, minlength=n_rows)
    n_at = np.bincount(rows, weights=at, minlength=n_rows)
    wrong = big[(n_above[big] >= n) | (n_above[big] + n_at[big] < n)]
    if len(wrong):
        # Exact order for the rows the float key could not separate.
        sel = np.flatnonzero(np.isin(rows, wrong))
        exact = sel[np.lexsort((docs[keep[sel]], -v[sel], rows[sel]))]
        first_w = np.searchsorted(rows[exact], wrong)
        cw = v[exact[first_w + n - 1]]
        c[wrong] = cw
        c_of = c[rows]
        above, at = v > c_of, v == c_of
        n_above = np.bincount(rows, weights=above, minlength=n_rows)
    small = kept <= n
    take = above | small[rows]
    ties = np.flatnonzero(at & ~small[rows])
    if len(ties):
        # Lowest documents first among the votes equal to the row's cut.
        ties = ties[np.lexsort((docs[keep[ties]], rows[ties]))]
        t_rows = rows[ties]
        start = np.searchsorted(t_rows, np.arange(n_rows))
        rank = np.arange(len(ties)) - start[t_rows]
        room = (n - n_above).astype(np.int64)
        take[ties[rank < room[t_rows]]] = True
    return keep[take]


def query_matrix(index: MentorIndex, texts: Sequence[str]) -> sp.csr_matrix:
    """(texts x terms): each text's known terms, weighted 1 / its ideal BM25."""
    text = index.text
    indptr, cols, vals = [0], [], []
    for t in texts:
        ids, _ = text.query_terms(t) if t.strip() else (np.zeros(0, np.int64), None)
        if len(ids):
            cols.append(ids)
            vals.append(np.full(len(ids), 1.0 / text.ideal(ids, np.ones(len(ids)))))
        indptr.append(indptr[-1] + len(ids))
    return sp.csr_matrix(
        (
            np.concatenate(vals) if vals else np.zeros(0),
            np.concatenate(cols) if cols else np.zeros(0, np.int64),
            np.asarray(indptr),
        ),
        shape=(len(texts), index.vote_t.shape[0]),
    )


def relevance_pairs(
    index: MentorIndex, asks: Sequence[Ask]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, mentor, relevance) for every ask row with relevance > 0, ordered by row.

    One sparse product (asks x terms) @ (terms x documents) gives every document's vote
    (normalised BM25 times the document's weight); each row keeps its `evidence_items` best
    votes (`top_per_row`), summed per mentor.
    """
    n_m = len(index)
    empty = np.zeros(0, dtype=np.int64)
    if index.text.n_docs == 0 or not asks:
        return empty, empty, np.zeros(0)
    votes = (query_matrix(index, [a.text for a in asks]) @ index.vote_t).tocsr()
    if votes.nnz == 0:
        return empty, empty, np.zeros(0)
    counts = np.diff(votes.indptr)
    keep = top_per_row(votes.indptr, votes.indices, votes.data, index.policy.evidence_items)
    rows = np.repeat(np.arange(len(asks), dtype=np.int64), counts)[keep]
    key = rows * n_m + index.doc_owner[votes.indices[keep]]
    uniq, inv = np.unique(key, return_inverse=True)
    rel = relevance_of_votes(inv, votes.data[keep], index.policy.relevance_saturation)
    return uniq // n_m, uniq % n_m, rel


def batch_candidates(
    index: MentorIndex, asks: Sequence[Ask], extra: int, workers: int = 1
) -> Iterator[Candidates]:
    """`Candidates` for each ask in order (see module docstring).

    With `workers` > 1 (and more than one chunk) the chunks are scored in that many forked
    processes; the result is the same, in the same order.
    """
    spans = [(lo, min(lo + CHUNK, len(asks))) for lo in range(0, len(asks), CHUNK)]
    if workers > 1 and len(spans) > 1 and "fork" in mp.get_all_start_methods():
        global _FORKED
        _FORKED = (index, asks, extra)
        try:
            with mp.get_context("fork").Pool(min(workers, len(spans))) as pool:
                for arrays in pool.imap(_chunk_job, spans):
                    yield from _unpack(arrays)
        finally:
            _FORKED = None
        return
    for lo, hi in spans:
        yield from _unpack(_chunk(index, asks[lo:hi], extra))


_FORKED: tuple[MentorIndex, Sequence[Ask], int] | None = None


def auto_workers(n_asks: int) -> int:
    """Processes worth forking for scoring `n_asks` asks: one per available core (at most
    4) for large batches, else 1 (a fork costs more than it saves on small ones)."""
    if n_asks < 4 * CHUNK:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


def _chunk_job(span: tuple[int, int]) -> tuple[np.ndarray, ...]:
    """A forked worker's chunk: the index and asks come from the parent's memory."""
    assert _FORKED is not None
    index, asks, extra = _FORKED
    return _chunk(index, asks[span[0] : span[1]], extra)


def _unpack(arrays: tuple[np.ndarray, ...]) -> Iterator[Candidates]:
    pos, scores, good_bounds, seen, bounds, rests, take = arrays
    t = int(take[0])
    for r in range(len(rests)):
        yield Candidates(
            pos[good_bounds[r] : good_bounds[r + 1]],
            scores[good_bounds[r] : good_bounds[r + 1]],
            float(rests[r]),
            seen[bounds[r] : bounds[r + 1]],
            t,
        )


def score_pairs(
    index: MentorIndex,
    asks: Sequence[Ask],
    rows: np.ndarray,
    ms: np.ndarray,
    relv: np.ndarray,
    groups: Sequence[Group] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Exact (scores, eligible) of pairs (asks[rows[i]], mentor ms[i]) given their relevance."""
    policy, n_m = index.policy, len(index)
    gid: dict[tuple, int] = {}
    uniq: list[Group] = []
    row_group = np.zeros(len(asks), dtype=np.int64)
    lang_mask = np.zeros(len(asks), dtype=np.int64)
    slow_langs: dict[int, frozenset[str]] = {}
    excluded: list[int] = []
    for r in np.unique(rows).tolist():
        ask = asks[r]
        g = groups[r] if groups is not None else index.group(ask)
        if g.key not in gid:
            gid[g.key] = len(uniq)
            uniq.append(g)
        row_group[r] = gid[g.key]
        langs = _langs(ask.languages)
        if langs and policy.require_shared_language:
            if index.lang_bits is not None:
                # An ask language no mentor speaks gets a bit no mentor has.
                lang_mask[r] = sum(index.lang_bits.get(x, 1 << 62) for x in langs)
            else:
                slow_langs[r] = langs
        excluded.extend(
            r * n_m + index.position[x] for x in set(ask.exclude) if x in index.position
        )
    if not uniq:
        return np.zeros(0), np.zeros(0, dtype=bool)
    g_of = row_group[rows]
    topic = np.stack([g.topic_scores for g in uniq])[g_of, ms]
    cross = np.stack([g.cross for g in uniq])[g_of, ms]
    avail = index.avail_ub[ms].copy()
    if index.any_free_known:
        dur = np.array([a.duration * 60.0 for a in asks])[rows]
        known = index.free_known[ms]
        avail[known] = (index.longest[ms[known]] >= dur[known]).astype(float)
        for k in np.flatnonzero(known):
            ask = asks[int(rows[k])]
            if ask.free is not None:
                spans = av.prepare(ask.free, policy)
                avail[k] = av.availability(spans, index.spans[ms[k]], ask.duration, policy)[0]
    scores = (
        index.static[ms]
        + policy.topic_weight * topic
        + policy.cross_site_bonus * cross
        + policy.relevance_weight * relv
        + policy.availability_weight * avail
    )
    ok = index.open[ms] & (scores >= policy.min_score)
    if index.lang_bits is not None:
        am, mm = lang_mask[rows], index.lang_mask[ms]
        ok &= (am == 0) | (mm == 0) | ((am & mm) != 0)
    for r, langs in slow_langs.items():
        sel = np.flatnonzero(rows == r)
        ok[sel] &= index.language_ok(langs, ms[sel])
    if excluded:
        ok &= ~member(rows * n_m + ms, np.unique(np.asarray(excluded, dtype=np.int64)))
    return scores, ok


def _chunk(index: MentorIndex, asks: Sequence[Ask], extra: int) -> tuple[np.ndarray, ...]:
    """One chunk's candidates as flat arrays (see `_unpack`): eligible positions and scores,
    best first per ask, with their row bounds; every scored position with its row bounds;
    each ask's bound on the rest; the number of heads taken."""
    n_m, n_a = len(index), len(asks)
    groups = [index.group(a) for a in asks]
    gid: dict[tuple, int] = {}
    uniq_groups: list[Group] = []
    for g in groups:
        if g.key not in gid:
            gid[g.key] = len(uniq_groups)
            uniq_groups.append(g)
    row_group = np.array([gid[g.key] for g in groups], dtype=np.int64)
    take = min(extra, n_m)
    heads = np.stack([g.head(take) for g in uniq_groups]).astype(np.int64)
    rests = np.array(
        [
            float(g.bound_of(g.head(take + 1)[take:])[0]) if take < n_m else -np.inf
            for g in uniq_groups
        ]
    )
    r_rows, r_m, r_val = relevance_pairs(index, asks)
    h_rows = np.repeat(np.arange(n_a), take)
    h_m = heads[row_group].ravel()
    key = np.concatenate([r_rows * n_m + r_m, h_rows * n_m + h_m])
    relv = np.concatenate([r_val, np.zeros(len(h_rows))])
    key, first = np.unique(key, return_index=True)  # relevance pairs come first: keep them
    relv = relv[first]
    rows, ms = key // n_m, key % n_m
    scores, ok = score_pairs(index, asks, rows, ms, relv)
    bounds = np.searchsorted(rows, np.arange(n_a + 1))
    order = np.lexsort((index.id_rank[ms], -scores, rows))
    order = order[ok[order]]
    good_bounds = np.searchsorted(rows[order], np.arange(n_a + 1))
    return (
        ms[order],
        scores[order],
        good_bounds,
        ms,
        bounds,
        rests[row_group],
        np.array([take]),
    )


def extend(index: MentorIndex, ask: Ask, cand: Candidates, take: int) -> Candidates:
    """Score the group's first `take` mentors too (see `extend_many`)."""
    return extend_many(index, [ask], [cand], [0], [take])[0]


def extend_many(
    index: MentorIndex,
    asks: Sequence[Ask],
    cands: Sequence[Candidates],
    which: Sequence[int],
    takes: Sequence[int],
    groups: Sequence[Group] | None = None,
    targets: Sequence[np.ndarray] | None = None,
) -> list[Candidates]:
    """For each ask `which[i]`, score its group's first `takes[i]` mentors (and the mentors
    `targets[i]`) too. They have no relevance unless already seen (the relevance set is
    always seen), so no text is needed."""
    n_m = len(index)
    rows_l, ms_l, rests, firsts = [], [], [], []
    for i, (a, take) in enumerate(zip(which, takes, strict=True)):
        take = min(take, n_m)
        group = groups[a] if groups is not None else index.group(asks[a])
        first = group.head(take + 1).astype(np.int64)
        heads = first[:take]
        if targets is not None and len(targets[i]):
            heads = np.union1d(heads, targets[i])
        new = heads[~member(heads, np.sort(cands[a].seen))]
        rows_l.append(np.full(len(new), a, dtype=np.int64))
        ms_l.append(new)
        rests.append(float(group.bound_of(first[take:])[0]) if take < n_m else -np.inf)
        firsts.append(take)
    if not rows_l:
        return []
    rows, ms = np.concatenate(rows_l), np.concatenate(ms_l)
    scores, ok = score_pairs(index, asks, rows, ms, np.zeros(len(rows)), groups)
    out = []
    lo = 0
    for i, a in enumerate(which):
        hi = lo + len(ms_l[i])
        cand = cands[a]
        good = ok[lo:hi]
        pos = np.concatenate([cand.pos, ms[lo:hi][good]])
        sc = np.concatenate([cand.scores, scores[lo:hi][good]])
        order = np.lexsort((index.id_rank[pos], -sc))
        seen = np.concatenate([cand.seen, ms[lo:hi]])
        out.append(Candidates(pos[order], sc[order], rests[i], seen, firsts[i]))
        lo = hi
    return out


def mentor_side(
    index: MentorIndex,
    asks: Sequence[Ask],
    cands: list[Candidates],
    per_mentor: np.ndarray,
    ask_mask: np.ndarray | None = None,
    ask_groups: Sequence[Group] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Offer every mentor the `per_mentor[m]` asks its bound ranks highest.

    Asks only ever see their own best mentors; an unpopular mentor would otherwise reach no
    ask, and certifying that nobody should have it would take every unmatched ask a long
    search. Asks in one group score a mentor alike (up to relevance), so mentors pick groups,
    and mentors sharing a group take successive asks of it. Returns the new eligible pairs
    (ask rows, mentors, exact scores) not already scored for their ask.
    """
    n_m = len(index)
    members: dict[tuple, list[int]] = {}
    groups: dict[tuple, Group] = {}
    for a, ask in enumerate(asks):
        if ask_mask is not None and not ask_mask[a]:
            continue
        g = ask_groups[a] if ask_groups is not None else index.group(ask)
        members.setdefault(g.key, []).append(a)
        groups.setdefault(g.key, g)
    empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    gkeys = list(groups)
    if not gkeys:
        return empty
    bounds = np.stack([groups[k].bound for k in gkeys])  # groups x mentors
    rank = np.argsort(-bounds, axis=0, kind="stable")
    pairs_a: list[int] = []
    pairs_m: list[int] = []
    cursor: dict[int, int] = {}
    for m in np.flatnonzero(index.open & (per_mentor > 0)).tolist():
        need = int(per_mentor[m])
        for gi in rank[:, m].tolist():
            if not np.isfinite(bounds[gi, m]):
                break
            pool = members[gkeys[gi]]
            at = cursor.get(gi, 0)
            take = (pool[at:] + pool[:at])[:need]
            cursor[gi] = (at + len(take)) % len(pool)
            pairs_a.extend(take)
            pairs_m.extend([m] * len(take))
            need -= len(take)
            if need <= 0:
                break
    if not pairs_a:
        return empty
    rows = np.asarray(pairs_a, dtype=np.int64)
    ms = np.asarray(pairs_m, dtype=np.int64)
    keys = np.unique(rows * n_m + ms)
    seen = np.concatenate(
        [a * n_m + c.seen.astype(np.int64) for a, c in enumerate(cands) if len(c.seen)]
        or [np.zeros(0, dtype=np.int64)]
    )
    keys = keys[~member(keys, np.sort(seen))]
    rows, ms = keys // n_m, keys % n_m
    # Not seen means outside the ask's relevance set: relevance 0.
    scores, ok = score_pairs(index, asks, rows, ms, np.zeros(len(rows)), ask_groups)
    return rows[ok], ms[ok], scores[ok]

"""Benchmarks: the engine's exact `assign` against baselines, `recommend` latency, `rotations`.

    python bench/run.py            # full run (sizes up to 100k asks x 10k mentors); writes
                                   # docs/benchmarks.md and docs/benchmarks.png
    python bench/run.py --smoke    # small sizes, < 60 s, for CI; writes bench/results/ only

Every solver runs in its own fresh process (peak memory = that process's max RSS, loaded
program included). Programs come from bench/generate.py with a fixed seed and are pickled
once under bench/results/ so every process reads the same input.
Baselines (bench/baselines.py, apart from the engine: only the benchmarks use them):
(a) greedy: pairs best-first while capacity lasts, on the dense score matrix when it fits
(<= 2e7 pairs), else on each ask's relevance set plus its 64 best mentors by bound;
(b) SciPy linear_sum_assignment on the capacity-expanded dense matrix (<= 1e7 cells);
(c) stable matching (hospital/residents, resident-optimal) from the `matching` library with
full preference lists (<= 2e5 eligible pairs). Totals use the engine's score quantum (1e-6).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import pickle
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
RESULTS = HERE / "results"
DOCS = HERE.parent / "docs"

FULL_SIZES = [(1_000, 100), (10_000, 1_000), (50_000, 5_000), (100_000, 10_000)]
SMOKE_SIZES = [(1_000, 100), (3_000, 300)]


def _peak_mb() -> float:
    """This process's peak RSS (the engine scores in threads of this process)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _load(n_a: int, n_m: int):
    with (RESULTS / f"program_{n_a}x{n_m}.pkl").open("rb") as fh:
        return pickle.load(fh)


def job_engine(n_a: int, n_m: int) -> dict:
    from baselines import quanta
    from pairup.engine.assign import assign_detailed
    from pairup.engine.scoring import MentorIndex

    asks, mentors = _load(n_a, n_m)
    t0 = time.perf_counter()
    index = MentorIndex(mentors)
    t1 = time.perf_counter()
    result = assign_detailed(asks, index, explain=False)
    t2 = time.perf_counter()
    matched = [a for a in result.assignments if a.mentor_id is not None]
    sec = result.seconds
    return {
        "solver": "engine",
        "index_s": t1 - t0,
        "candidates_s": sec["candidates"],
        # As docs/benchmarks.md defines them: scoring = index, candidates, offers and the
        # pairs scored while certifying; solving = the flows and the dual certificate.
        "scoring_s": (t1 - t0) + sec["candidates"] + sec["scoring"],
        "solving_s": sec["solving"] + sec["certifying"] + sec["ties"],
        "total_s": t2 - t0,
        "rounds": result.rounds,
        "arcs": result.arcs,
        "matched": len(matched),
        "total": sum(quanta(a.score) for a in matched),
        "peak_mb": _peak_mb(),
    }


def _baseline_row(solver: str, watch, matched: int, total: int, **extra) -> dict:
    sec = watch.seconds
    return {
        "solver": solver,
        **extra,
        "scoring_s": sec["scoring"],
        "solving_s": sec["solving"],
        "total_s": sec["scoring"] + sec["solving"],
        "matched": matched,
        "total": total,
        "peak_mb": _peak_mb(),
    }


def job_greedy(n_a: int, n_m: int) -> dict:
    from baselines import dense_scores, greedy
    from pairup.engine.batch import AskTable, auto_workers, candidate_pairs
    from pairup.engine.scoring import MentorIndex
    from pairup.engine.stopwatch import Stopwatch

    asks, mentors = _load(n_a, n_m)
    watch = Stopwatch()
    with watch("scoring"):
        index = MentorIndex(mentors)
        if n_a * n_m <= 20_000_000:
            scores, ok = dense_scores(asks, index)
            rows, cols = np.nonzero(ok)
            vals = scores[rows, cols]
            mode = "dense"
        else:
            table = AskTable(index, asks)
            found, _ = candidate_pairs(table, 64, auto_workers(n_a))
            keep = found.ok & (found.scores > 0)
            rows, cols, vals = found.rows[keep], found.ms[keep], found.scores[keep]
            mode = "relevance set + 64 best by bound"
    with watch("solving"):
        matched, total = greedy(rows, cols, vals, np.minimum(index.capacity, n_a), n_a)
    return _baseline_row("greedy", watch, matched, total, mode=mode)


def job_lsa(n_a: int, n_m: int) -> dict:
    from baselines import dense_scores, scipy_lsa
    from pairup.engine.scoring import MentorIndex
    from pairup.engine.stopwatch import Stopwatch

    asks, mentors = _load(n_a, n_m)
    watch = Stopwatch()
    with watch("scoring"):
        index = MentorIndex(mentors)
        scores, ok = dense_scores(asks, index)
    with watch("solving"):
        caps = np.minimum(index.capacity, n_a).astype(np.int64)
        matched, total = scipy_lsa(scores, ok, caps)
    return _baseline_row("scipy LSA", watch, matched, total)


def job_stable(n_a: int, n_m: int) -> dict:
    import matching.games  # noqa: F401  (imported before the clock starts, like SciPy)

    from baselines import dense_scores, stable_matching
    from pairup.engine.scoring import MentorIndex
    from pairup.engine.stopwatch import Stopwatch

    asks, mentors = _load(n_a, n_m)
    watch = Stopwatch()
    with watch("scoring"):
        index = MentorIndex(mentors)
        scores, ok = dense_scores(asks, index)
    with watch("solving"):
        caps = np.minimum(index.capacity, n_a).astype(np.int64)
        matched, total = stable_matching(scores, ok, caps)
    return _baseline_row("stable (H/R)", watch, matched, total)


def job_recommend(n_m: int, queries: int) -> dict:
    from generate import Program
    from pairup.engine import MentorIndex, recommend

    gen = Program(seed=1)
    mentors = gen.mentors(n_m)
    asks = gen.asks(queries, n_m)
    t0 = time.perf_counter()
    index = MentorIndex(mentors)
    t1 = time.perf_counter()
    lat = []
    for ask in asks:
        s = time.perf_counter()
        recommend(ask, index, 10)
        lat.append(time.perf_counter() - s)
    ms = np.array(lat) * 1000
    return {
        "mentors": n_m,
        "queries": queries,
        "index_s": t1 - t0,
        "p50_ms": float(np.percentile(ms, 50)),
        "p95_ms": float(np.percentile(ms, 95)),
        "max_ms": float(ms.max()),
        "peak_mb": _peak_mb(),
    }


def job_rotations(n_e: int, n_m: int, seats: int, rounds: int) -> dict:
    from generate import Program
    from pairup.engine import rotations

    gen = Program(seed=2)
    mentors = gen.mentors(n_m)
    mentees = gen.asks(n_e)
    t0 = time.perf_counter()
    sched = rotations(mentees, mentors, rounds, seats)
    secs = time.perf_counter() - t0
    sit = np.array(list(sched.sit_outs.values()))
    return {
        "mentees": n_e,
        "mentors": n_m,
        "seats": seats,
        "rounds": rounds,
        "seconds": secs,
        "meetings": len(sched.meetings),
        "sit_outs_min_max": [int(sit.min()), int(sit.max())],
        "peak_mb": _peak_mb(),
    }


def _run_into(queue, fn, args) -> None:
    try:
        queue.put(fn(*args))
    except Exception as exc:  # a baseline that cannot run is reported, not fatal
        queue.put({"error": f"{type(exc).__name__}: {exc}"})


def _isolated(fn, *args, timeout: float = 1800):
    """Run fn(*args) in a fresh (non-daemon, so it may fork workers) process; return its
    dict, or an error note."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_run_into, args=(queue, fn, args))
    proc.start()
    try:
        return queue.get(timeout=timeout)
    except Exception as exc:
        proc.kill()
        return {"error": f"{type(exc).__name__}: {exc}"}
    finally:
        proc.join()


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--smoke", action="store_true", help="small sizes, < 60 s (CI)")
    p.add_argument("--sizes", help="e.g. 1000x100,10000x1000 (overrides the defaults)")
    p.add_argument("--repeats", type=int, help="engine runs per size (default 3; smoke 1)")
    args = p.parse_args()
    from generate import program

    RESULTS.mkdir(parents=True, exist_ok=True)
    sizes = SMOKE_SIZES if args.smoke else FULL_SIZES
    if args.repeats is None:
        args.repeats = 1 if args.smoke else 3
    if args.sizes:
        sizes = [tuple(int(x) for x in s.split("x")) for s in args.sizes.split(",")]
    out: dict = {
        "machine": f"{platform.machine()}, {mp.cpu_count()} cores",
        "repeats": args.repeats,
        "assign": [],
    }
    for n_a, n_m in sizes:
        path = RESULTS / f"program_{n_a}x{n_m}.pkl"
        if not path.exists():
            with path.open("wb") as fh:
                pickle.dump(program(n_a, n_m, seed=0), fh)
        runs = [_isolated(job_engine, n_a, n_m) for _ in range(args.repeats)]
        done = sorted((r for r in runs if "total_s" in r), key=lambda r: r["total_s"])
        engine = done[len(done) // 2] if done else runs[0]
        if done:
            engine["total_range"] = [done[0]["total_s"], done[-1]["total_s"]]
            if len({r["total"] for r in done}) > 1:
                raise SystemExit(f"engine totals differ between runs at {n_a} asks")
        row = {"asks": n_a, "mentors": n_m, "engine": engine}
        row["greedy"] = _isolated(job_greedy, n_a, n_m)
        row["lsa"] = (
            _isolated(job_lsa, n_a, n_m) if n_a * n_m <= 10_000_000 else {"na": "too large"}
        )
        row["stable"] = (
            _isolated(job_stable, n_a, n_m) if n_a * n_m <= 200_000 else {"na": "too large"}
        )
        out["assign"].append(row)
        print(json.dumps(row), flush=True)
    if args.smoke:
        out["recommend"] = _isolated(job_recommend, 5_000, 200)
        out["rotations"] = _isolated(job_rotations, 200, 40, 5, 10)
    else:
        out["recommend"] = _isolated(job_recommend, 50_000, 1_000)
        out["rotations"] = _isolated(job_rotations, 1_000, 200, 5, 10)
    print(json.dumps({"recommend": out["recommend"], "rotations": out["rotations"]}), flush=True)
    name = "smoke.json" if args.smoke else "full.json"
    (RESULTS / name).write_text(json.dumps(out, indent=2))
    if args.smoke:
        # CI's check: the engine's optimum equals SciPy's wherever both ran, and no
        # baseline beats it.
        for row in out["assign"]:
            engine_total = row["engine"]["total"]
            for name in ("lsa", "greedy", "stable"):
                other = row.get(name, {})
                if "total" in other and other["total"] > engine_total:
                    raise SystemExit(f"smoke: {name} beat the engine at {row['asks']} asks")
            if "total" in row.get("lsa", {}) and row["lsa"]["total"] != engine_total:
                raise SystemExit(f"smoke: engine total differs from SciPy at {row['asks']} asks")
        print("smoke: engine optimum equals SciPy's; no baseline beats it")
    if not args.smoke:
        from report import write_report

        write_report(out, DOCS / "benchmarks.md", DOCS / "benchmarks.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of the event engine: the full speed-mentoring schedule, the re-seat after
no-shows against a full re-solve of the same people in the same run, roundtables over
rounds and conference buddies.

    python bench/events_engine.py              # writes the "Event engine" section of
                                               # docs/benchmarks.md
    python bench/events_engine.py --no-docs    # prints the figures only

Each case runs in a fresh process (imports outside the clock), a warm-up call first, then
`--repeats` timed calls; the median is reported with the range. People come from
bench/generate.py with a fixed seed (the same generator as the rotations figure above).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from docs_section import write_section  # noqa: E402 (bench/ on the path first)

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
DOCS = HERE.parent / "docs" / "benchmarks.md"
MARK_START = "<!-- event-engine:start -->"
MARK_END = "<!-- event-engine:end -->"

N_E, N_M, SEATS, ROUNDS = 1_000, 200, 5, 10
NO_SHOWS, FROM_ROUND, LOCKS = 50, 3, 100


def _people(n_e: int, n_m: int, seed: int = 2):
    from generate import Program

    gen = Program(seed=seed)
    mentors = gen.mentors(n_m)  # mentors first, as bench/run.py's rotations case
    return gen.asks(n_e), mentors


def _timed(fn, repeats: int) -> tuple[list[float], object]:
    result = fn()  # warm-up (first-call costs, caches)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return times, result


def _row(times: list[float], **extra) -> dict:
    ordered = sorted(times)
    return {"median_s": ordered[len(ordered) // 2], "range_s": [ordered[0], ordered[-1]], **extra}


def _spread(sched, ids) -> list[int]:
    from pairup.engine import schedule_figures

    f = schedule_figures(sched, ids, [])
    return [f["sitouts_min"], f["sitouts_max"], f["repeats"]]


def _changed(future, meetings) -> int:
    """Seats (round, mentee) of the rounds to come whose mentor changed, or that one of
    the two has and the other not: the present people's seats that a re-seat moves."""
    before = {(x.round, x.mentee_id): x.mentor_id for x in future}
    after = {(x.round, x.mentee_id): x.mentor_id for x in meetings if x.round >= FROM_ROUND}
    return sum(1 for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def _future_relevance(meetings) -> float:
    return round(sum(x.score for x in meetings if x.round >= FROM_ROUND), 2)


def job_rotations(repeats: int) -> dict:
    """The full schedule; then the re-seat after NO_SHOWS no-shows from FROM_ROUND, with and
    without LOCKS locked future seats and preferring the seats people have, against a full
    re-solve of the present people; and how many seats of the rounds to come each moves."""
    import numpy as np

    from pairup.engine import rotations

    mentees, mentors = _people(N_E, N_M)
    t_full, full = _timed(lambda: rotations(mentees, mentors, ROUNDS, SEATS), repeats)
    rng = np.random.default_rng(7)
    absent = {mentees[i].id for i in rng.choice(N_E, NO_SHOWS, replace=False).tolist()}
    present = [a for a in mentees if a.id not in absent]
    ids = [a.id for a in present]
    played = [x for x in full.meetings if x.round < FROM_ROUND]
    future = [x for x in full.meetings if x.round >= FROM_ROUND and x.mentee_id not in absent]
    locks = [future[i] for i in rng.choice(len(future), LOCKS, replace=False).tolist()]
    t_resolve, resolved = _timed(lambda: rotations(present, mentors, ROUNDS, SEATS), repeats)
    t_reseat, reseat = _timed(
        lambda: rotations(present, mentors, ROUNDS, SEATS, fixed=played, first_round=FROM_ROUND),
        repeats,
    )
    # As the live room re-seats: the seats people have in the rounds to come preferred.
    t_prefer, prefer = _timed(
        lambda: rotations(
            present, mentors, ROUNDS, SEATS, fixed=played, first_round=FROM_ROUND, prefer=future
        ),
        repeats,
    )
    t_locked, locked = _timed(
        lambda: rotations(
            present, mentors, ROUNDS, SEATS, fixed=played + locks, first_round=FROM_ROUND
        ),
        repeats,
    )
    kept = (
        set(played) <= set(reseat.meetings)
        and set(played) <= set(prefer.meetings)
        and set(played + locks) <= set(locked.meetings)
    )
    return {
        "full": _row(
            t_full, meetings=len(full.meetings), spread=_spread(full, list(full.sit_outs))
        ),
        "resolve": _row(t_resolve, meetings=len(resolved.meetings), spread=_spread(resolved, ids)),
        "reseat": _row(
            t_reseat,
            meetings=len(reseat.meetings),
            spread=_spread(reseat, ids),
            changed=_changed(future, reseat.meetings),
            relevance=_future_relevance(reseat.meetings),
        ),
        "reseat_prefer": _row(
            t_prefer,
            meetings=len(prefer.meetings),
            spread=_spread(prefer, ids),
            changed=_changed(future, prefer.meetings),
            relevance=_future_relevance(prefer.meetings),
        ),
        "future_seats": len(future),
        "reseat_locked": _row(t_locked, meetings=len(locked.meetings), spread=_spread(locked, ids)),
        "kept": kept,
    }


def job_tables(repeats: int) -> dict:
    """Roundtables: 1,000 mentees at the 200 mentors' topic tables of 5, over 4 rounds, and
    the one-round `tables` in the same run."""
    from pairup.engine import table_rounds, tables

    mentees, mentors = _people(N_E, N_M)
    t_rounds, sched = _timed(lambda: table_rounds(mentees, mentors, SEATS, 4), repeats)
    t_one, plan = _timed(lambda: tables(mentees, mentors, SEATS), repeats)
    return {
        "rounds": _row(
            t_rounds, meetings=len(sched.meetings), spread=_spread(sched, list(sched.sit_outs))
        ),
        "one": _row(t_one, seated=sum(len(t.mentee_ids) for t in plan.tables)),
    }


def job_buddies(repeats: int) -> dict:
    """Conference buddies, 1,000 mentees and 600 mentors, share "auto" (a shortage: trios)."""
    from pairup.engine import buddies

    mentees, mentors = _people(1_000, 600, seed=3)
    t, plan = _timed(lambda: buddies(mentees, mentors, "auto"), repeats)
    return _row(
        t,
        groups=len(plan.groups),
        trios=sum(len(g.mentee_ids) == 2 for g in plan.groups),
        unmatched=len(plan.unmatched),
    )


def _run_into(queue, fn, args) -> None:
    queue.put(fn(*args))


def _isolated(fn, *args) -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_run_into, args=(queue, fn, args))
    proc.start()
    try:
        return queue.get(timeout=1800)
    finally:
        proc.join()


def _load() -> str:
    """The 1-minute load average."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "n/a"


def write_docs(out: dict) -> None:
    rot, tab, bud = out["rotations"], out["tables"], out["buddies"]

    def cell(r: dict) -> str:
        return f"{r['median_s']:.2f} ({r['range_s'][0]:.2f}-{r['range_s'][1]:.2f})"

    ratio = rot["reseat"]["median_s"] / rot["resolve"]["median_s"]
    ratio_p = rot["reseat_prefer"]["median_s"] / rot["resolve"]["median_s"]
    plain, pref = rot["reseat"], rot["reseat_prefer"]
    ratio_l = rot["reseat_locked"]["median_s"] / rot["resolve"]["median_s"]
    lines = [
        MARK_START,
        "## Event engine",
        "",
        f"Generated by `python bench/events_engine.py` on {out['when']}; {out['machine']}. "
        f"Seeded people from `bench/generate.py`; each case in a fresh process, one warm-up "
        f"call, then the median of {out['repeats']} calls (range in brackets), seconds. "
        f"Load average before / after: {out['load_before']} / {out['load_after']} (a shared "
        "2-core machine: rerun before quoting a figure). Engine only (scoring included, no "
        "database).",
        "",
        "| case | seconds | vs full re-solve | meetings | sit-outs min-max | repeats |",
        "|---|---|---|---|---|---|",
        f"| rotations {N_E:,} mentees x {N_M} mentors ({SEATS} seats) x {ROUNDS} rounds, full "
        f"schedule | {cell(rot['full'])} | | {rot['full']['meetings']:,} | "
        f"{rot['full']['spread'][0]}-{rot['full']['spread'][1]} | {rot['full']['spread'][2]} |",
        f"| full re-solve of the {N_E - NO_SHOWS:,} present mentees (baseline) | "
        f"{cell(rot['resolve'])} | 1.00x | {rot['resolve']['meetings']:,} | "
        f"{rot['resolve']['spread'][0]}-{rot['resolve']['spread'][1]} | "
        f"{rot['resolve']['spread'][2]} |",
        f"| **re-seat** after {NO_SHOWS} no-shows from round {FROM_ROUND} (played rounds "
        f"fixed) | {cell(rot['reseat'])} | {ratio:.2f}x | {rot['reseat']['meetings']:,} | "
        f"{rot['reseat']['spread'][0]}-{rot['reseat']['spread'][1]} | "
        f"{rot['reseat']['spread'][2]} |",
        f"| **re-seat** as above, preferring the seats people have (`prefer=`, as the live "
        f"room does) | {cell(pref)} | {ratio_p:.2f}x | {pref['meetings']:,} | "
        f"{pref['spread'][0]}-{pref['spread'][1]} | {pref['spread'][2]} |",
        f"| re-seat as above with {LOCKS} locked future seats | {cell(rot['reseat_locked'])} | "
        f"{ratio_l:.2f}x | {rot['reseat_locked']['meetings']:,} | "
        f"{rot['reseat_locked']['spread'][0]}-{rot['reseat_locked']['spread'][1]} | "
        f"{rot['reseat_locked']['spread'][2]} |",
        f"| roundtables: {N_E:,} mentees, {N_M} tables of {SEATS}, 4 rounds (`table_rounds`) | "
        f"{cell(tab['rounds'])} | | {tab['rounds']['meetings']:,} | "
        f"{tab['rounds']['spread'][0]}-{tab['rounds']['spread'][1]} | "
        f"{tab['rounds']['spread'][2]} |",
        f"| roundtables, one round (`tables`, for comparison) | {cell(tab['one'])} | | "
        f"{tab['one']['seated']:,} seated | | |",
        f"| conference buddies: 1,000 mentees, 600 mentors, share auto (`buddies`) | "
        f"{cell(bud)} | | {bud['groups']} groups, {bud['trios']} trios, "
        f"{bud['unmatched']} unmatched | | |",
        "",
        f"- Targets: re-seat after {NO_SHOWS} no-shows <= 1 s, measured "
        f"{rot['reseat']['median_s']:.2f} s ({ratio:.2f}x a full re-solve: the re-seat solves "
        f"{ROUNDS - FROM_ROUND} rounds instead of {ROUNDS} but scores the same pairs); the full "
        f"schedule well under 2 s, measured {rot['full']['median_s']:.2f} s. Played rounds and "
        f"locked seats kept in every re-seat: {'yes' if rot['kept'] else 'NO'}.",
        f"- Seats of the rounds to come that a re-seat moves (of the {rot['future_seats']:,} "
        f"the present mentees had): {plain['changed']:,} without the preference, "
        f"**{pref['changed']:,}** with it "
        f"({100 * (1 - pref['changed'] / max(1, plain['changed'])):.0f} % fewer), at "
        f"{pref['relevance']:,.2f} against {plain['relevance']:,.2f} total relevance of those "
        f"rounds ({100 * (pref['relevance'] / plain['relevance'] - 1):+.2f} %); meetings and "
        "sit-outs are the same. A seat moves when its mentee meets someone else in that round "
        "or gains or loses a seat there; the no-shows' own seats are not counted.",
        "- Meetings of a re-seat include the played rounds (with the no-shows' meetings "
        "there); its sit-outs are counted over all rounds for the present mentees. The full "
        "re-solve schedules the present people from round 0 and only times the baseline. "
        "The re-seat without locks is the exact optimum; with locked seats it is exact when "
        "the colouring places every chosen pair around the locks, else a heuristic (see "
        'docs/matching.md, "Events"): here '
        f"{rot['reseat']['meetings'] - rot['reseat_locked']['meetings']} meeting(s) fewer "
        "than without the locks.",
        "- Reproduce with `make bench-events` or `python bench/events_engine.py`.",
        MARK_END,
    ]
    write_section(DOCS, MARK_START, MARK_END, "\n".join(lines))


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--no-docs", action="store_true", help="do not write docs/benchmarks.md")
    args = p.parse_args()
    out = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {mp.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "repeats": args.repeats,
        "load_before": _load(),
    }
    out["rotations"] = _isolated(job_rotations, args.repeats)
    print(json.dumps({"rotations": out["rotations"]}), flush=True)
    out["tables"] = _isolated(job_tables, args.repeats)
    print(json.dumps({"tables": out["tables"]}), flush=True)
    out["buddies"] = _isolated(job_buddies, args.repeats)
    print(json.dumps({"buddies": out["buddies"]}), flush=True)
    out["load_after"] = _load()
    if not out["rotations"]["kept"]:
        raise SystemExit("re-seat lost a played meeting or a locked seat")
    if not args.no_docs:
        write_docs(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

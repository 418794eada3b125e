"""Cohort matching on live data: from the database (SQLite and PostgreSQL) beside the same
cohort through the command line on files.

    python bench/cohort.py                  # 5,000 asks x 1,000 mentors, SQLite and
                                            # PostgreSQL; writes the "Cohort matching"
                                            # section of docs/benchmarks.md
    python bench/cohort.py --asks 500 --mentors 100 --no-pg --no-docs   # a quick look

PostgreSQL is COHORT_PG_URL (default postgres://postgres@127.0.0.1:5432/pairup_bench_cohort;
`make bench-cohort` takes PG_URL's server): that database is dropped and created again, so
never point it at one that matters. SQLite is a file under bench/results/.

Steps, each in a fresh process:
1. seed: a migrated database with one program built from bench/generate.py's seeded
   program (the same generator as bench/run.py): the mentors with their profile words,
   expertise on a topic taxonomy of the generator's topics, their past asks as closed
   engagements (the engine's history), a monthly cap of their capacity; the asks open,
   each by its own mentee (site, languages); one ask in twenty blocked from one mentor.
2. export: the cohort as the database path reads it (`load_cohort`), written in the
   engine's file format (JSON Lines) with the program's policy: the command line's input.
3. cli: `pairup match` on those files (`pairup.engine.cli.main`), timed from the call:
   reading the files, scoring, the exact assign, writing the assignments.
4. db: `cohort_run_now`, timed from the call: reading asks and mentors, every hard rule
   (cohort eligibility), the engine's records, scoring and the exact assign, and writing
   the proposal (pairs, figures, the records scored); the greedy comparison, which runs in
   the same call, is timed apart and taken out of the budget (reported on its own).
Each timed step runs --repeats times (default 5), each in a fresh process, the two paths
taking turns (the same load on a shared machine); the median is reported. Both paths
score the same records, so their optimum must be equal: checked.
Budget (issue 13): the database path adds at most 50 % to the command line's time.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import sys
import time
from dataclasses import asdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
DOCS = ROOT / "docs" / "benchmarks.md"
MARK_START = "<!-- cohort:start -->"
MARK_END = "<!-- cohort:end -->"
SLUG = "bench-cohort"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/pairup_bench_cohort"
BUDGET = 1.5

sys.path.insert(0, str(HERE))

from docs_section import write_section  # noqa: E402 (bench/ on the path first)
from isolated import fresh_pg, isolated, median_run  # noqa: E402 (bench/ on the path first)


def _django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pairup.settings")
    os.environ.setdefault("PAIRUP_VAR_DIR", str(RESULTS / "var"))
    import django

    django.setup()


# ------------------------------------------------------------------------------ seeding


def job_seed(database_url: str, n_asks: int, n_mentors: int) -> dict:
    _django(database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    t0 = time.perf_counter()
    counts = _seed(n_asks, n_mentors)
    counts["seed_s"] = time.perf_counter() - t0
    return counts


def _seed(n_asks: int, n_mentors: int) -> dict:
    import random

    from allauth.account.models import EmailAddress
    from django.db import transaction
    from django.utils import timezone

    from generate import Program as Generator
    from pairup.accounts.models import Expertise, Profile, User
    from pairup.asks.models import Ask, AskStatus, Block, Engagement, EngagementStatus
    from pairup.engine import HistoryItem
    from pairup.programs.models import Membership, MentorStatus, Program
    from pairup.topics.models import Topic

    gen = Generator(seed=0)
    mentors = gen.mentors(n_mentors)
    asks = gen.asks(n_asks, n_mentors)
    rng = random.Random(1)
    now = timezone.now()
    with transaction.atomic():
        program = Program.objects.create(
            name="Bench Cohort",
            slug=SLUG,
            session_lengths=[30],
            max_sessions_per_engagement=1,
            mentor_monthly_cap=4,
            mentors_need_approval=True,
            max_open_asks=5,
            invite_code="bench-cohort-invite",
        )
        # The generator's taxonomy: areas and their subtopics.
        topics: dict[str, Topic] = {}
        for path in sorted({t.path for m in mentors for t in m.topics} | set(gen.topics)):
            area, _, sub = path.partition("/")
            if area not in topics:
                topics[area] = Topic.objects.create(slug=f"bench-{area}", name=area)
            if sub:
                topics[path] = Topic.objects.create(
                    slug=f"bench-{area}-{sub}", name=f"{area} {sub}", parent=topics[area]
                )

        def people(prefix: str, n: int) -> list[User]:
            users = User.objects.bulk_create(
                User(email=f"{prefix}{i:05d}@bench.pairup", password="!") for i in range(n)
            )
            EmailAddress.objects.bulk_create(
                EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users
            )
            return users

        mentor_users = people("mentor", n_mentors)
        mentee_users = people("mentee", n_asks)
        helped = people("helped", 200)  # the mentees of the mentors' past asks
        profiles = [
            Profile(
                user=u,
                display_name=m.name,
                headline=m.text[:140],
                bio=m.text,
                site=m.site,
                languages=list(m.languages),
                timezone="UTC",
            )
            for u, m in zip(mentor_users, mentors, strict=True)
        ]
        profiles += [
            Profile(
                user=u,
                display_name=f"Mentee {i}",
                site=a.site,
                languages=list(a.languages),
                timezone="Europe/Berlin",
            )
            for i, (u, a) in enumerate(zip(mentee_users, asks, strict=True))
        ]
        profiles += [Profile(user=u, display_name="Helped", timezone="UTC") for u in helped]
        Profile.objects.bulk_create(profiles)
        profile_of = {p.user_id: p for p in Profile.objects.filter(user__in=mentor_users)}
        Membership.objects.bulk_create(
            [
                Membership(
                    program=program,
                    user=u,
                    is_mentor=True,
                    mentor_status=MentorStatus.APPROVED,
                    monthly_cap=m.capacity,
                )
                for u, m in zip(mentor_users, mentors, strict=True)
            ]
            + [Membership(program=program, user=u, is_mentee=True) for u in mentee_users]
            + [Membership(program=program, user=u, is_mentee=True) for u in helped]
        )
        Expertise.objects.bulk_create(
            Expertise(profile=profile_of[u.pk], topic=topics[t.path], level=t.level)
            for u, m in zip(mentor_users, mentors, strict=True)
            for t in m.topics
        )
        # Past asks: closed engagements a month and more ago.
        past = []
        for u, m in zip(mentor_users, mentors, strict=True):
            for h in m.history:
                text = h.text if isinstance(h, HistoryItem) else h
                past.append((u, text))
        long_ago = now - timezone.timedelta(days=60)
        history_asks = Ask.objects.bulk_create(
            Ask(
                program=program,
                mentee=rng.choice(helped),
                question=text,
                duration=30,
                sessions=1,
                status=AskStatus.CLOSED,
            )
            for _, text in past
        )
        Ask.objects.filter(pk__in=[a.pk for a in history_asks]).update(created_at=long_ago)
        Engagement.objects.bulk_create(
            Engagement(
                ask=ask,
                program=program,
                mentee_id=ask.mentee_id,
                mentor=u,
                status=EngagementStatus.COMPLETED,
                sessions_agreed=1,
                created_at=long_ago,
                closed_at=long_ago,
            )
            for ask, (u, _) in zip(history_asks, past, strict=True)
        )
        # The cohort: one open ask per mentee.
        cohort = Ask.objects.bulk_create(
            Ask(
                program=program,
                mentee=u,
                question=a.text,
                duration=30,
                sessions=1,
                status=AskStatus.OPEN,
            )
            for u, a in zip(mentee_users, asks, strict=True)
        )
        through = Ask.topics.through
        through.objects.bulk_create(
            through(ask_id=ask.pk, topic_id=topics[t.path].pk)
            for ask, a in zip(cohort, asks, strict=True)
            for t in a.topics
        )
        Block.objects.bulk_create(
            Block(blocker=u, blocked=mentor_users[int(x)])
            for u, a in zip(mentee_users, asks, strict=True)
            for x in a.exclude
        )
    return {"asks": n_asks, "mentors": n_mentors, "past_asks": len(past)}


# ------------------------------------------------------------------------ the two paths


def job_export(database_url: str, folder: str) -> dict:
    """The cohort as the database path reads it, in the engine's file format."""
    _django(database_url)
    from django.utils import timezone

    from pairup.asks.matching.cohort import load_cohort
    from pairup.engine.io import ask_json, mentor_json
    from pairup.programs.models import Program

    cohort = load_cohort(Program.objects.get(slug=SLUG), timezone.now())
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "asks.jsonl").open("w") as fh:
        fh.writelines(json.dumps(ask_json(r)) + "\n" for r in cohort.records)
    with (out / "mentors.jsonl").open("w") as fh:
        fh.writelines(json.dumps(mentor_json(m)) + "\n" for m in cohort.mentors)
    policy = asdict(cohort.policy)
    policy["now"] = cohort.policy.now.isoformat() if cohort.policy.now else None
    (out / "policy.json").write_text(json.dumps(policy))
    return {"asks": len(cohort.records), "mentors": len(cohort.mentors)}


def job_cli(folder: str) -> dict:
    import contextlib
    import io

    from pairup.engine.cli import main

    out = Path(folder)
    args = [
        "match",
        "--asks",
        str(out / "asks.jsonl"),
        "--mentors",
        str(out / "mentors.jsonl"),
        "--policy",
        str(out / "policy.json"),
        "--out",
        str(out / "assignments.jsonl"),
    ]
    err = io.StringIO()
    t0 = time.perf_counter()
    with contextlib.redirect_stderr(err):
        code = main(args)
    seconds = time.perf_counter() - t0
    rows = [json.loads(line) for line in (out / "assignments.jsonl").read_text().splitlines()]
    matched = [r for r in rows if r["mentor"] is not None]
    return {
        "code": code,
        "seconds": seconds,
        "matched": len(matched),
        "total": round(sum(r["score"] for r in matched), 6),
    }


def job_db(database_url: str) -> dict:
    _django(database_url)
    from pairup.asks.models import CohortRunStatus
    from pairup.asks.services.cohort import cohort_run_now
    from pairup.programs.models import Program

    program = Program.objects.get(slug=SLUG)
    t0 = time.perf_counter()
    run = cohort_run_now(program=program, by=None)
    seconds = time.perf_counter() - t0
    assert run.status == CohortRunStatus.READY, (run.status, run.error)
    phases = dict(run.seconds)
    return {
        "seconds": seconds,
        "greedy_s": phases.get("greedy", 0.0),
        "db_path_s": seconds - phases.get("greedy", 0.0),
        "phases": phases,
        "matched": run.figures["engine"]["matched"],
        "total": run.figures["engine"]["total"],
        "greedy": run.figures["greedy"],
        "engine": run.figures["engine"],
    }


def bench(label: str, url: str, n_asks: int, n_mentors: int, repeats: int) -> dict:
    print(f"[{label}] seeding {n_asks} asks x {n_mentors} mentors ...", flush=True)
    seeded = isolated(job_seed, url, n_asks, n_mentors)
    folder = str(RESULTS / f"cohort-{label}-{n_asks}x{n_mentors}")
    exported = isolated(job_export, url, folder)
    # Interleaved, so both paths meet the same load on a shared machine.
    cli, db = [], []
    for _ in range(repeats):
        cli.append(isolated(job_cli, folder))
        db.append(isolated(job_db, url))
    cli_m, db_m = median_run(cli, "seconds"), median_run(db, "db_path_s")
    totals = [r["total"] for r in cli + db]
    if max(totals) - min(totals) > 1e-5:
        raise SystemExit(f"[{label}] optima differ between the paths: {totals}")
    row = {
        "database": label,
        "seeded": seeded,
        "exported": exported,
        "cli": cli_m,
        "db": db_m,
        "ratio": db_m["db_path_s"] / cli_m["seconds"],
    }
    print(
        json.dumps(
            {k: row[k] for k in ("database", "ratio")}
            | {
                "cli_s": cli_m["seconds"],
                "db_path_s": db_m["db_path_s"],
                "greedy_s": db_m["greedy_s"],
            }
        ),
        flush=True,
    )
    return row


def write_docs(out: dict) -> None:
    lines = [
        MARK_START,
        "## Cohort matching on live data",
        "",
        f"Generated by `python bench/cohort.py` on {out['when']}; {out['machine']}. "
        f"{out['asks']:,} open asks x {out['mentors']:,} mentors of one program, seeded from "
        "`bench/generate.py` (the same generator as above) into a fresh database: profiles, "
        "expertise, past asks as closed engagements (the engine's history), monthly caps, one "
        "ask in twenty blocked from one mentor. **Database path** = `cohort_run_now` (what "
        "the background task runs): reading asks and mentors, every hard rule "
        "(`cohort_eligibility`), the engine's records, scoring and the exact `assign`, "
        "writing the proposal (pairs, figures, the records scored). **Command line** = "
        "`pairup match` on the same cohort exported in the engine's file format (reading "
        "the files, scoring, the exact `assign`, writing the assignments). Both timed from "
        "the call in a fresh process (imports and Django's start-up outside), median of "
        f"{out['repeats']} runs each, the two paths taking turns (range in brackets). The "
        "greedy comparison runs in the same "
        "call on the database path and is timed apart, outside the budget. Both paths find "
        "the same optimum (checked).",
        "",
        "| database | command line s | database path s | greedy s (apart) | database / "
        "command line | budget |",
        "|---|---|---|---|---|---|",
    ]
    for row in out["rows"]:
        cli, db = row["cli"], row["db"]
        lines.append(
            f"| {row['database']} | {cli['seconds']:.2f} [{cli['range'][0]:.2f}-"
            f"{cli['range'][1]:.2f}] | {db['db_path_s']:.2f} [{db['range'][0]:.2f}-"
            f"{db['range'][1]:.2f}] | {db['greedy_s']:.2f} | {row['ratio']:.2f}x | "
            f"{'within' if row['ratio'] <= BUDGET else 'OVER'} (<= {BUDGET:.1f}x) |"
        )
    lines += ["", "Where the database path's time goes (median run, seconds):", ""]
    names = ["asks", "eligibility", "records", "engine", "snapshot", "write"]
    lines.append("| database | " + " | ".join(names) + " |")
    lines.append("|---" * (len(names) + 1) + "|")
    for row in out["rows"]:
        p = row["db"]["phases"]
        lines.append(
            f"| {row['database']} | " + " | ".join(f"{p.get(n, 0):.2f}" for n in names) + " |"
        )
    first = out["rows"][0]["db"]
    e, g = first["engine"], first["greedy"]
    lines += [
        "",
        "- *asks*: the cohort's asks with their mentees and topics; *eligibility*: every "
        "hard rule for every ask and mentor (`cohort_eligibility`, a fixed number of "
        "queries); *records*: the mentors' words, past asks, expertise and caps, the "
        "mentees' waking hours; *engine*: scoring and the exact assign with its reasons; "
        "*snapshot*: the records scored, compressed, kept for the download of every "
        "eligible pair's score; *write*: the pairs (COPY on PostgreSQL, one `executemany` on "
        "SQLite) and the run.",
        f"- The proposal beside the greedy one ({out['asks']:,} x {out['mentors']:,}): "
        f"matched {e['matched']:,} vs {g['matched']:,}, total {e['total']:.3f} vs "
        f"{g['total']:.3f}, Gini of mentor load {e['gini']:.3f} vs {g['gini']:.3f}, top 10 % "
        f"share {e['top10_share']:.3f} vs {g['top10_share']:.3f}.",
        f"- This 2-core machine was shared with other work (load average {out['load']}): the "
        "ranges are wide and the same code varies by up to 2x from run to run; rerun before "
        "quoting a figure.",
        "- Reproduce with `make bench-cohort` or `python bench/cohort.py` (PostgreSQL from "
        f"`COHORT_PG_URL`, default `{DEFAULT_PG}`, dropped and created again); `--no-pg` for "
        "SQLite alone.",
        MARK_END,
    ]
    write_section(DOCS, MARK_START, MARK_END, "\n".join(lines))


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--asks", type=int, default=5_000)
    p.add_argument("--mentors", type=int, default=1_000)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--no-pg", action="store_true", help="SQLite only")
    p.add_argument("--no-docs", action="store_true", help="do not write docs/benchmarks.md")
    p.add_argument(
        "--docs-only", action="store_true", help="write the docs from bench/results/cohort.json"
    )
    args = p.parse_args()
    if args.docs_only:
        write_docs(json.loads((RESULTS / "cohort.json").read_text()))
        return 0
    load_before = os.getloadavg()[0]
    RESULTS.mkdir(parents=True, exist_ok=True)
    sqlite = RESULTS / f"cohort-{args.asks}x{args.mentors}.sqlite3"
    for path in RESULTS.glob(f"{sqlite.name}*"):
        path.unlink()
    rows = [bench("SQLite", f"sqlite:///{sqlite}", args.asks, args.mentors, args.repeats)]
    if not args.no_pg:
        url = os.environ.get("COHORT_PG_URL", DEFAULT_PG)
        fresh_pg(url)
        rows.append(bench("PostgreSQL", url, args.asks, args.mentors, args.repeats))
    out = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {mp.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "asks": args.asks,
        "mentors": args.mentors,
        "repeats": args.repeats,
        "rows": rows,
        "load": f"{load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end",
    }
    (RESULTS / "cohort.json").write_text(json.dumps(out, indent=2))
    if not args.no_docs:
        write_docs(out)
    worst = max(r["ratio"] for r in rows)
    print(f"database path / command line: worst {worst:.2f}x (budget {BUDGET:.1f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

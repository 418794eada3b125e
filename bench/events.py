"""Event schedules from the database (SQLite and PostgreSQL) beside the bare engine call on
the same records.

    python bench/events.py                  # 1,000 mentees x 200 mentors (5 seats) x 10
                                            # rounds, SQLite and PostgreSQL; writes the
                                            # "Event schedules" section of docs/benchmarks.md
    python bench/events.py --mentees 200 --mentors 40 --no-pg --no-docs   # a quick look

PostgreSQL is EVENTS_PG_URL (default postgres://postgres@127.0.0.1:5432/pairup_bench_events;
`make bench-events` takes PG_URL's server): that database is dropped and created again, so
never point it at one that matters. SQLite is a file under bench/results/.

Steps, each in a fresh process:
1. seed: a migrated database with one program and one published speed-mentoring event built
   from bench/generate.py's seeded program (the same generator as bench/run.py): the mentors
   with their profile words, expertise and past asks (closed engagements: the engine's
   history), registered as mentors; the mentees registered with their question as the "what
   I want" line, their topics, languages and site; one mentee in twenty blocked from one
   mentor.
2. export: the event's records as the database path reads them (`load_event_records`),
   written in the engine's file format (JSON Lines) with the policy.
3. engine: the bare `rotations(mentees, mentors, rounds, seats, policy)` on those records,
   read into memory first and timed from the call alone: the baseline.
4. db: `event_schedule_solve` (reading the registrations and every rule, the engine's
   records, `rotations`, the figures, writing the draft: tables, 10,000 seats, the sides
   of "either"s, the audit entry) and then the organisers' preview page (GET
   /events/<slug>/schedule/ as a signed-in organiser: the figures, one page of the grid, the
   list per round), timed from the call.
Each timed step runs --repeats times (default 5), each in a fresh process, the two paths
taking turns (the same load on a shared machine); the median is reported. Both paths find the
same total relevance (checked).
Target (issue 14): the database path with its preview in at most 2 s.
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
MARK_START = "<!-- event-schedules:start -->"
MARK_END = "<!-- event-schedules:end -->"
SLUG = "bench-events"
EVENT = "bench-speed-mentoring"
ORGANISER = "organiser@bench.pairup"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/pairup_bench_events"
TARGET_S = 2.0

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


def job_seed(database_url: str, n_mentees: int, n_mentors: int, rounds: int, seats: int) -> dict:
    _django(database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    t0 = time.perf_counter()
    counts = _seed(n_mentees, n_mentors, rounds, seats)
    counts["seed_s"] = time.perf_counter() - t0
    return counts


def _seed(n_mentees: int, n_mentors: int, rounds: int, seats: int) -> dict:
    import random
    from datetime import timedelta

    from allauth.account.models import EmailAddress
    from django.db import transaction
    from django.utils import timezone

    from generate import Program as Generator
    from pairup.accounts.models import Expertise, Profile, User
    from pairup.asks.models import Ask, AskStatus, Block, Engagement, EngagementStatus
    from pairup.engine import HistoryItem
    from pairup.events.models import (
        Event,
        EventKind,
        EventState,
        Registration,
        RegistrationRole,
    )
    from pairup.programs.models import Membership, MentorStatus, Program
    from pairup.topics.models import Topic

    gen = Generator(seed=0)
    mentors = gen.mentors(n_mentors)
    asks = gen.asks(n_mentees, n_mentors)
    rng = random.Random(1)
    now = timezone.now()
    with transaction.atomic():
        program = Program.objects.create(
            name="Bench Events", slug=SLUG, session_lengths=[30], invite_code="bench-events"
        )
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

        organiser = User.objects.create_user(ORGANISER, "bench-organiser")
        Profile.objects.update_or_create(
            user=organiser, defaults={"display_name": "Organiser", "welcomed_at": now}
        )
        mentor_users = people("mentor", n_mentors)
        mentee_users = people("mentee", n_mentees)
        helped = people("helped", 200)
        Profile.objects.bulk_create(
            [
                Profile(
                    user=u,
                    display_name=m.name,
                    headline=m.text[:140],
                    bio=m.text,
                    site=m.site,
                    languages=list(m.languages),
                    welcomed_at=now,
                )
                for u, m in zip(mentor_users, mentors, strict=True)
            ]
            + [
                Profile(
                    user=u,
                    display_name=f"Mentee {i}",
                    site=a.site,
                    languages=list(a.languages),
                    timezone="Europe/Berlin",
                    welcomed_at=now,
                )
                for i, (u, a) in enumerate(zip(mentee_users, asks, strict=True))
            ]
            + [Profile(user=u, display_name="Helped") for u in helped]
        )
        profile_of = {p.user_id: p for p in Profile.objects.filter(user__in=mentor_users)}
        Membership.objects.bulk_create(
            [Membership(program=program, user=organiser, is_admin=True)]
            + [
                Membership(
                    program=program, user=u, is_mentor=True, mentor_status=MentorStatus.APPROVED
                )
                for u in mentor_users
            ]
            + [Membership(program=program, user=u, is_mentee=True) for u in mentee_users]
            + [Membership(program=program, user=u, is_mentee=True) for u in helped]
        )
        Expertise.objects.bulk_create(
            Expertise(profile=profile_of[u.pk], topic=topics[t.path], level=t.level)
            for u, m in zip(mentor_users, mentors, strict=True)
            for t in m.topics
        )
        past = [
            (u, h.text if isinstance(h, HistoryItem) else h)
            for u, m in zip(mentor_users, mentors, strict=True)
            for h in m.history
        ]
        long_ago = now - timedelta(days=60)
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
        start = now + timedelta(days=7)
        event = Event.objects.create(
            program=program,
            slug=EVENT,
            kind=EventKind.SPEED_MENTORING,
            title="Bench speed mentoring",
            state=EventState.PUBLISHED,
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            registration_closes_at=start - timedelta(days=1),
            rounds=rounds,
            round_minutes=10,
            break_minutes=2,
            # The figure: 5 seats a mentor (the set-up form offers 1 or 2).
            seats_per_mentor=seats,
            timezone="Europe/Berlin",
        )
        regs = Registration.objects.bulk_create(
            [
                Registration(
                    event=event,
                    user=u,
                    role=RegistrationRole.MENTOR,
                    languages=list(m.languages),
                    registered_at=now,
                )
                for u, m in zip(mentor_users, mentors, strict=True)
            ]
            + [
                Registration(
                    event=event,
                    user=u,
                    role=RegistrationRole.MENTEE,
                    languages=list(a.languages),
                    want=a.text[:200],
                    registered_at=now,
                )
                for u, a in zip(mentee_users, asks, strict=True)
            ]
        )
        through = Registration.topics.through
        mentee_regs = regs[n_mentors:]
        through.objects.bulk_create(
            through(registration_id=r.pk, topic_id=topics[t.path].pk)
            for r, a in zip(mentee_regs, asks, strict=True)
            for t in a.topics
        )
        Block.objects.bulk_create(
            Block(blocker=u, blocked=mentor_users[int(x)])
            for u, a in zip(mentee_users, asks, strict=True)
            for x in a.exclude
        )
    return {"mentees": n_mentees, "mentors": n_mentors, "past_asks": len(past)}


# ------------------------------------------------------------------------ the two paths


def job_export(database_url: str, folder: str) -> dict:
    """The event's records as the database path reads them, in the engine's file format."""
    _django(database_url)
    from django.utils import timezone

    from pairup.engine.io import ask_json, mentor_json
    from pairup.events.models import Event
    from pairup.events.scheduling.records import load_event_records

    event = Event.objects.select_related("program").get(slug=EVENT)
    records = load_event_records(event, timezone.now())
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "mentees.jsonl").open("w") as fh:
        fh.writelines(json.dumps(ask_json(r)) + "\n" for r in records.mentees)
    with (out / "mentors.jsonl").open("w") as fh:
        fh.writelines(json.dumps(mentor_json(m)) + "\n" for m in records.mentors)
    policy = asdict(records.policy)
    policy["now"] = records.policy.now.isoformat() if records.policy.now else None
    (out / "policy.json").write_text(json.dumps(policy))
    (out / "event.json").write_text(
        json.dumps({"rounds": event.rounds, "seats": event.seats_per_mentor})
    )
    return {"mentees": len(records.mentees), "mentors": len(records.mentors)}


def job_engine(folder: str) -> dict:
    from pairup.engine import Policy, rotations
    from pairup.engine.io import ask_from_json, mentor_from_json

    out = Path(folder)
    mentees = [ask_from_json(json.loads(line)) for line in (out / "mentees.jsonl").open()]
    mentors = [mentor_from_json(json.loads(line)) for line in (out / "mentors.jsonl").open()]
    policy = Policy.from_json(out / "policy.json")
    shape = json.loads((out / "event.json").read_text())
    t0 = time.perf_counter()
    schedule = rotations(mentees, mentors, shape["rounds"], shape["seats"], policy)
    seconds = time.perf_counter() - t0
    sit = list(schedule.sit_outs.values())
    return {
        "seconds": seconds,
        "meetings": len(schedule.meetings),
        "total": schedule.total_score,
        "sitouts": [min(sit), max(sit)],
    }


def job_db(database_url: str) -> dict:
    _django(database_url)
    from django.test import Client

    from pairup.accounts.models import User
    from pairup.events.models import Event
    from pairup.events.services_schedule import event_schedule_solve

    event = Event.objects.select_related("program").get(slug=EVENT)
    organiser = User.objects.get(email=ORGANISER)
    client = Client(HTTP_HOST="localhost")
    client.force_login(organiser)
    # Django's start-up (the URL conf imports every view) stays outside, as in a running
    # server; the preview's template is compiled inside the timing.
    client.get("/events/no-such-event/agenda/")
    t0 = time.perf_counter()
    schedule = event_schedule_solve(event=event, by=organiser)
    solved = time.perf_counter() - t0
    t1 = time.perf_counter()
    page = client.get(f"/events/{EVENT}/schedule/")
    preview = time.perf_counter() - t1
    seconds = time.perf_counter() - t0
    assert page.status_code == 200, page.status_code
    f = schedule.figures
    return {
        "seconds": seconds,
        "solve_s": solved,
        "preview_s": preview,
        "preview_kb": len(page.content) / 1024,
        "phases": f.get("seconds", {}),
        "meetings": f["meetings"],
        "repeats": f["repeats"],
        "sitouts": [f["sitouts_min"], f["sitouts_max"]],
        "total": f["relevance"],
        "unmatched": f["unmatched"],
        "load": f["mentor_load"],
    }


def bench(label: str, url: str, args: argparse.Namespace) -> dict:
    print(
        f"[{label}] seeding {args.mentees} mentees x {args.mentors} mentors "
        f"({args.seats} seats) x {args.rounds} rounds ...",
        flush=True,
    )
    seeded = isolated(job_seed, url, args.mentees, args.mentors, args.rounds, args.seats)
    folder = str(RESULTS / f"events-{label}-{args.mentees}x{args.mentors}")
    exported = isolated(job_export, url, folder)
    engine, db = [], []
    for _ in range(args.repeats):
        engine.append(isolated(job_engine, folder))
        db.append(isolated(job_db, url))
    engine_m, db_m = median_run(engine, "seconds"), median_run(db, "seconds")
    totals = [r["total"] for r in engine + db]
    if max(totals) - min(totals) > 1e-5:
        raise SystemExit(f"[{label}] totals differ between the paths: {totals}")
    if any(r["repeats"] for r in db):
        raise SystemExit(f"[{label}] a schedule with repeats")
    row = {
        "database": label,
        "seeded": seeded,
        "exported": exported,
        "engine": engine_m,
        "db": db_m,
        "ratio": db_m["seconds"] / engine_m["seconds"],
    }
    print(
        json.dumps(
            {
                "database": label,
                "engine_s": round(engine_m["seconds"], 3),
                "db_s": round(db_m["seconds"], 3),
                "solve_s": round(db_m["solve_s"], 3),
                "preview_s": round(db_m["preview_s"], 3),
                "ratio": round(row["ratio"], 2),
            }
        ),
        flush=True,
    )
    return row


def write_docs(out: dict) -> None:
    lines = [
        MARK_START,
        "## Event schedules",
        "",
        f"Generated by `python bench/events.py` on {out['when']}; {out['machine']}. A "
        f"speed-mentoring event with {out['mentees']:,} mentees and {out['mentors']:,} mentors "
        f"({out['seats']} seats each) x {out['rounds']} rounds, registered in a fresh database "
        "from `bench/generate.py`'s seeded program (profiles, expertise, past asks as closed "
        'engagements, the mentees\' questions as their "what I want" line, topics, languages, '
        "one mentee in twenty blocked from one mentor). **Database path** = "
        "`event_schedule_solve` (reading the registrations and every rule of the program, the "
        "engine's records, `rotations`, the figures, writing the draft with its tables and "
        "seats) and then the organisers' preview page as a signed-in organiser (figures, the "
        "first page of the grid, the list per round). **Engine** = the bare `rotations` call on "
        "the same records, read into memory first. Each timed in a fresh process, median of "
        f"{out['repeats']} runs, the two taking turns (range in brackets). Both find the same "
        "total relevance (checked); no schedule has a repeat (checked).",
        "",
        "| database | engine s | database path s (solve + preview) | solve s | preview s | "
        "database / engine | target |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in out["rows"]:
        e, d = row["engine"], row["db"]
        lines.append(
            f"| {row['database']} | {e['seconds']:.2f} [{e['range'][0]:.2f}-{e['range'][1]:.2f}]"
            f" | {d['seconds']:.2f} [{d['range'][0]:.2f}-{d['range'][1]:.2f}] | "
            f"{d['solve_s']:.2f} | {d['preview_s']:.2f} | {row['ratio']:.2f}x | "
            f"{'within' if d['seconds'] <= TARGET_S else 'OVER'} (<= {TARGET_S:.0f} s) |"
        )
    lines += ["", "Where the solve's time goes (median run, seconds):", ""]
    names = ["read_registrations", "read_rules", "read_records", "engine", "figures", "write"]
    lines.append("| database | " + " | ".join(names) + " |")
    lines.append("|---" * (len(names) + 1) + "|")
    for row in out["rows"]:
        p = row["db"]["phases"]
        lines.append(
            f"| {row['database']} | " + " | ".join(f"{p.get(n, 0):.2f}" for n in names) + " |"
        )
    first = out["rows"][0]["db"]
    lines += [
        "",
        "- *read_registrations*: the registered people with their profiles and topics, and the "
        'mentors\' expertise; *read_rules*: the sides of "either"s and `PairRules` (pools, '
        "reporting line, blocks); *read_records*: the mentors' past asks, tables, the engine's "
        "records with each mentee's exclusions; *engine*: `rotations`; *figures*: the "
        "preview's figures and who is left with nobody; *write*: the draft (one transaction: "
        "tables, seats, sides, audit entry).",
        f"- The schedule: {first['meetings']:,} meetings, {first['repeats']} repeats, sit-outs "
        f"per mentee {first['sitouts'][0]}-{first['sitouts'][1]}, mentor load "
        f"{first['load']['min']}-{first['load']['max']} of {first['load']['capacity']}, "
        f"{first['unmatched']} people left with nobody; the preview page is "
        f"{first['preview_kb']:.0f} KB.",
        f"- This 2-core machine was shared with other work (load average {out['load']}): "
        "rerun before quoting a figure.",
        "- Reproduce with `make bench-events` or `python bench/events.py` (PostgreSQL from "
        f"`EVENTS_PG_URL`, default `{DEFAULT_PG}`, dropped and created again); `--no-pg` for "
        "SQLite alone.",
        MARK_END,
    ]
    write_section(DOCS, MARK_START, MARK_END, "\n".join(lines))


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--mentees", type=int, default=1_000)
    p.add_argument("--mentors", type=int, default=200)
    p.add_argument("--seats", type=int, default=5)
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--no-pg", action="store_true", help="SQLite only")
    p.add_argument("--no-docs", action="store_true", help="do not write docs/benchmarks.md")
    p.add_argument(
        "--docs-only", action="store_true", help="write the docs from bench/results/events.json"
    )
    args = p.parse_args()
    if args.docs_only:
        write_docs(json.loads((RESULTS / "events.json").read_text()))
        return 0
    load_before = os.getloadavg()[0]
    RESULTS.mkdir(parents=True, exist_ok=True)
    sqlite = RESULTS / f"events-{args.mentees}x{args.mentors}.sqlite3"
    for path in RESULTS.glob(f"{sqlite.name}*"):
        path.unlink()
    rows = [bench("SQLite", f"sqlite:///{sqlite}", args)]
    if not args.no_pg:
        url = os.environ.get("EVENTS_PG_URL", DEFAULT_PG)
        fresh_pg(url)
        rows.append(bench("PostgreSQL", url, args))
    out = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {mp.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "mentees": args.mentees,
        "mentors": args.mentors,
        "seats": args.seats,
        "rounds": args.rounds,
        "repeats": args.repeats,
        "rows": rows,
        "load": f"{load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end",
    }
    (RESULTS / "events.json").write_text(json.dumps(out, indent=2))
    if not args.no_docs:
        write_docs(out)
    worst = max(r["db"]["seconds"] for r in rows)
    print(f"database path with its preview: worst {worst:.2f} s (target {TARGET_S:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

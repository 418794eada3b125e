"""Health alerts on a large program: the server time of `program_alerts` (what the insights
dashboard adds at its top, and the weekly email computes), against the dashboard's figures
of the last 90 days in the same run (the baseline), with the queries each made.

    python bench/alerts.py --sqlite --scale 0.05      # 1,000 members, 10,000 asks, SQLite
    python bench/alerts.py --scale 1                  # 20,000 members, 200,000 asks, on
                                                      # PostgreSQL (PG_URL's server)
    python bench/alerts.py --scale 1 --reuse          # seed once, keep the database and
                                                      # measure it again on later runs
    python bench/alerts.py --reuse --profile          # ... and print cProfile's top costs

The program is the insights benchmark's (`bench/insights.py`'s seed), in a fresh process
and a fresh database (PostgreSQL: `pairup_alerts_bench`, or BENCH_PG_DB, dropped and made
again unless `--reuse`). Besides `program_alerts` and each alert alone, it times what an
admin waits for after a change: the dashboard page, signed in, right after a new ask (which
makes the cached alerts and the figures that read asks stale), and the cached alerts alone
after it; with the CPU time of this process and its PostgreSQL backend, which the machine's
other work does not inflate as it does the wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PG_DB = os.environ.get("BENCH_PG_DB", "pairup_alerts_bench")


def _time(call, repeat: int, before=None) -> dict:
    """Median, min and max of `repeat` runs of `call` after one to warm up, and the median
    CPU time (this process and its PostgreSQL backend); `before` runs ahead of each, untimed
    (a write that makes the cached alerts stale: a cold run)."""
    from bench.insights import _backend_cpu_s

    if before:
        before()
    call()  # warm
    runs, cpus = [], []
    for _ in range(repeat):
        if before:
            before()
        c0 = _backend_cpu_s()
        start = time.perf_counter()
        call()
        runs.append((time.perf_counter() - start) * 1000)
        cpus.append((_backend_cpu_s() - c0) * 1000)
    return {
        "p50_ms": statistics.median(runs),
        "min_ms": min(runs),
        "max_ms": max(runs),
        "cpu_ms": statistics.median(cpus),
    }


def _profile(name: str, call, before=None, top: int = 25) -> None:
    """cProfile of one run of `call` (after `before`, in a warm process): the top costs,
    to stderr."""
    import cProfile
    import io
    import pstats

    call()  # warm: imports, the URL conf
    if before:
        before()
    profiler = cProfile.Profile()
    profiler.enable()
    call()
    profiler.disable()
    # Everything by time spent inside, then PairUp's own functions by time spent under them.
    for order, only in (("tottime", ""), ("cumulative", "pairup/")):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(only, top)
        print(f"\n===== {name}, by {order} =====\n{out.getvalue()}", file=sys.stderr)


def worker(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    sys.path.insert(0, str(ROOT))
    from bench.insights import SLUG, seed, seeded

    from pairup.accounts.models import User
    from pairup.asks.models import Ask
    from pairup.insights.alerts import ALERTS, cached_program_alerts, program_alerts
    from pairup.insights.figures import InsightsFilters, default_range, program_insights
    from pairup.programs.models import Program

    call_command("migrate", verbosity=0, interactive=False)
    world = seeded() if args.reuse else None
    if world is not None and world["rows"]["members"] != int(20_000 * args.scale):
        sys.exit(
            f"the kept database holds a program of {world['rows']['members']:,} members, "
            f"not the {int(20_000 * args.scale):,} of --scale {args.scale}: pass the scale it "
            "was seeded at, or drop it (without --reuse) to seed again"
        )
    world = world or seed(args.scale)
    settings.DEBUG = False
    program = Program.objects.get(pk=world["program"])
    client = Client()
    client.force_login(User.objects.get(pk=world["admin"]))
    now = timezone.now()
    start, end = default_range(now)
    last90 = InsightsFilters(start=start, end=end)
    mentee_id, topic_id = (
        Ask.topics.through.objects.filter(ask__program=program)
        .values_list("ask__mentee_id", "topic_id")
        .order_by("pk")[0]
    )
    made: list[int] = []

    def new_ask() -> None:
        # One committed ask with its topic: the cached alerts and the figures reading asks
        # are stale after it (bench/insights.py's write).
        with transaction.atomic():
            a = Ask.objects.create(
                program=program, mentee_id=mentee_id, question="How do I?", status="open"
            )
            a.topics.set([topic_id])
        made.append(a.pk)

    def page() -> None:
        response = client.get(f"/p/{SLUG}/insights/")
        assert response.status_code == 200, response.status_code

    # name → (call, run before each, untimed)
    scenarios = {
        "baseline: the dashboard's figures, last 90 days": (
            lambda: program_insights(program, last90, now),
            None,
        ),
        "every health alert (program_alerts)": (lambda: program_alerts(program, now), None),
        **{
            f"… {kind}": ((lambda find=find: find(program, now)), None)  # type: ignore[misc]
            for kind, find in ALERTS.items()
        },
        "cached alerts after a new ask (cached_program_alerts)": (
            lambda: cached_program_alerts(program, timezone.now()),
            new_ask,
        ),
        "dashboard page after a new ask": (page, new_ask),
    }
    if args.profile:
        _profile("program_alerts", lambda: program_alerts(program, now))
        _profile("dashboard page after a new ask", page, new_ask)
    rows = []
    for name, (call, before) in scenarios.items():
        if before:
            before()
        with CaptureQueriesContext(connection) as ctx:
            found = call()
        rows.append(
            {
                "scenario": name,
                "queries": len(ctx.captured_queries),
                "found": len(found) if isinstance(found, list) else None,
                **_time(call, args.repeat, before),
            }
        )
        print(f"{name}: {rows[-1]['p50_ms']:.0f} ms", file=sys.stderr)
    Ask.objects.filter(pk__in=made).delete()  # a reused program stays as seeded
    result = {
        "backend": connection.vendor,
        "load_average": os.getloadavg(),
        "world": world["rows"],
        "rows": rows,
    }
    Path(args.out).write_text(json.dumps(result, indent=2))


def markdown(result: dict) -> str:
    base = result["rows"][0]["p50_ms"]
    lines = [
        f"{result['backend']}, {result['world']}, load average "
        f"{', '.join(f'{v:.1f}' for v in result['load_average'])}",
        "",
        "| scenario | median ms | min–max ms | CPU ms | × baseline | queries | alerts |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result["rows"]:
        found = "" if r["found"] is None or r["scenario"].startswith("baseline") else r["found"]
        lines.append(
            f"| {r['scenario']} | {r['p50_ms']:.0f} | {r['min_ms']:.0f}–{r['max_ms']:.0f} | "
            f"{r['cpu_ms']:.0f} | {r['p50_ms'] / base:.2f} | {r['queries']} | {found} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1: 200,000 asks")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="PostgreSQL: keep the database, and measure the program an earlier --reuse run "
        "seeded there (seeded if missing)",
    )
    parser.add_argument("--profile", action="store_true", help="print cProfile's top costs")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    with tempfile.TemporaryDirectory(prefix="pairup-alerts-bench-") as tmp:
        work = Path(tmp)
        pg = None
        if args.sqlite:
            url = f"sqlite:///{work / 'bench.sqlite3'}"
        else:
            import psycopg

            pg = os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432/pairup")
            pg = pg.rsplit("/", 1)[0]
            with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
                exists = conn.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", [PG_DB]
                ).fetchone()
                if not (args.reuse and exists):
                    conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
                    conn.execute(f"CREATE DATABASE {PG_DB}")
            url = f"{pg}/{PG_DB}"
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
        env.update(
            DATABASE_URL=url,
            DJANGO_SETTINGS_MODULE="pairup.settings",
            PAIRUP_VAR_DIR=str(work / "var"),
            ALLOWED_HOSTS="testserver,localhost",
            LOG_LEVEL="WARNING",
        )
        out = work / "result.json"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", "--out", str(out),
               "--scale", str(args.scale), "--repeat", str(args.repeat)]  # fmt: skip
        cmd += ["--reuse"] * args.reuse + ["--profile"] * args.profile
        try:
            subprocess.run(cmd, env=env, check=True, cwd=ROOT, timeout=7200)
            print(markdown(json.loads(out.read_text())))
        finally:
            if pg is not None and not args.reuse:
                import psycopg

                with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
                    conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")


if __name__ == "__main__":
    main()

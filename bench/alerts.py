"""Health alerts on a large program: the server time of `program_alerts` (what the insights
dashboard adds at its top, and the weekly email computes), against the dashboard's figures
of the last 90 days in the same run (the baseline), with the queries each made.

    python bench/alerts.py --sqlite --scale 0.05      # 1,000 members, 10,000 asks, SQLite
    python bench/alerts.py --scale 1                  # 20,000 members, 200,000 asks, on
                                                      # PostgreSQL (PG_URL's server)

The program is the insights benchmark's (`bench/insights.py`'s seed), in a fresh process
and a fresh database (PostgreSQL: `pairup_alerts_bench`, dropped and made again).
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
PG_DB = "pairup_alerts_bench"


def _time(call, repeat: int) -> dict:
    call()  # warm
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        runs.append((time.perf_counter() - start) * 1000)
    return {"p50_ms": statistics.median(runs), "min_ms": min(runs), "max_ms": max(runs)}


def worker(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    sys.path.insert(0, str(ROOT))
    from bench.insights import seed

    from pairup.insights.alerts import ALERTS, program_alerts
    from pairup.insights.figures import InsightsFilters, default_range, program_insights
    from pairup.programs.models import Program

    call_command("migrate", verbosity=0, interactive=False)
    world = seed(args.scale)
    program = Program.objects.get(pk=world["program"])
    now = timezone.now()
    start, end = default_range(now)
    last90 = InsightsFilters(start=start, end=end)
    scenarios = {
        "baseline: the dashboard's figures, last 90 days": lambda: program_insights(
            program, last90, now
        ),
        "every health alert (program_alerts)": lambda: program_alerts(program, now),
        **{
            f"… {kind}": (lambda find=find: find(program, now))  # type: ignore[misc]
            for kind, find in ALERTS.items()
        },
    }
    rows = []
    for name, call in scenarios.items():
        with CaptureQueriesContext(connection) as ctx:
            found = call()
        rows.append(
            {
                "scenario": name,
                "queries": len(ctx.captured_queries),
                "found": len(found) if isinstance(found, list) else None,
                **_time(call, args.repeat),
            }
        )
        print(f"{name}: {rows[-1]['p50_ms']:.0f} ms", file=sys.stderr)
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
        "| scenario | median ms | min–max ms | × baseline | queries | alerts |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in result["rows"]:
        found = "" if r["found"] is None or r["scenario"].startswith("baseline") else r["found"]
        lines.append(
            f"| {r['scenario']} | {r['p50_ms']:.0f} | {r['min_ms']:.0f}–{r['max_ms']:.0f} | "
            f"{r['p50_ms'] / base:.2f} | {r['queries']} | {found} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1: 200,000 asks")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
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
                conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
                conn.execute(f"CREATE DATABASE {PG_DB}")
            url = f"{pg}/{PG_DB}"
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
        env.update(
            DATABASE_URL=url,
            DJANGO_SETTINGS_MODULE="pairup.settings",
            PAIRUP_VAR_DIR=str(work / "var"),
            LOG_LEVEL="WARNING",
        )
        out = work / "result.json"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", "--out", str(out),
               "--scale", str(args.scale), "--repeat", str(args.repeat)]  # fmt: skip
        try:
            subprocess.run(cmd, env=env, check=True, cwd=ROOT, timeout=7200)
            print(markdown(json.loads(out.read_text())))
        finally:
            if pg is not None:
                import psycopg

                with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
                    conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")


if __name__ == "__main__":
    main()

"""Member list benchmark: the server time of a 20,000-member program's member list.

    python bench/members.py                 # SQLite, then PostgreSQL if PG_URL's server answers
    python bench/members.py --write-docs    # ... and the "Member list" section of
                                            # docs/benchmarks.md
    python bench/members.py --members 2000 --repeat 5 --no-pg   # a quick check

For each database, a fresh process migrates an empty database (SQLite: a file in a temporary
folder; PostgreSQL: the database `pairup_members_bench` on PG_URL's server, dropped and made
again), seeds one program of N members (a third mentors, some waiting for approval or
paused, twelve sites, ten pools, three in four signed in once), then times requests through
Django's test client, signed in as the program's admin: the whole request (middleware, view,
template), the database on the same machine. Each scenario runs `--warmup` times, then
`--repeat` times; the table shows the median and the 95th percentile, and the queries one
request made.

The baseline, in the same run and the same process: the member list as it was before issue 13
(commit 8ef55a6: one table of every member, no pages), its view and template taken from git,
served through the same middleware.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
DOCS = ROOT / "docs" / "benchmarks.md"
BASE_COMMIT = "8ef55a6"
BASE_TEMPLATE = "src/pairup/templates/programs/members.html"
PG_DB = "pairup_members_bench"
MARK_START = "<!-- member-list:start -->"
MARK_END = "<!-- member-list:end -->"
SLUG = "bench-members"

FIRST = [
    "Ana",
    "Bo",
    "Chen",
    "Dara",
    "Emil",
    "Fatima",
    "Giulia",
    "Hana",
    "Ivan",
    "Jon",
    "Kofi",
    "Lea",
    "Mateo",
    "Nadia",
    "Omar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sam",
    "Tariq",
]
LAST = [
    "Lima",
    "Berg",
    "Wei",
    "Okafor",
    "Rossi",
    "Khan",
    "Sato",
    "Novak",
    "Ito",
    "Lee",
    "Mensah",
    "Moreau",
    "Garcia",
    "Haddad",
    "Petrov",
    "Xu",
    "Jensen",
    "Costa",
    "Ali",
    "Kim",
]
SITES = ["London", "New York", "Bengaluru", "Berlin", "Paris", "Lagos", "Tokyo", "Toronto",
         "Madrid", "Nairobi", "Sydney", "Dublin"]  # fmt: skip

# --------------------------------------------------------------------------- worker


def seed(n: int) -> dict:
    import random
    from datetime import timedelta

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from pairup.accounts.models import Profile, User
    from pairup.programs.models import Membership, MentorStatus, Pool, Program

    rng = random.Random(20261206)
    now = timezone.now()
    program = Program.objects.create(name="Bench Members", slug=SLUG)
    pools = Pool.objects.bulk_create(
        [Pool(program=program, name=f"{s} office", kind="site") for s in SITES[:6]]
        + [Pool(program=program, name=f"Team {t}", kind="team") for t in "ABCD"]
    )
    admin = User.objects.create(email="admin@bench.pairup", password=make_password("bench"))
    Profile.objects.filter(user=admin).update(display_name="Bench Admin", site="London")
    Membership.objects.create(program=program, user=admin, is_admin=True, is_mentee=True)
    users = User.objects.bulk_create(
        [
            User(
                email=f"member{i:05d}@bench.pairup",
                password="!",
                last_login=now - timedelta(days=rng.randint(0, 400))
                if rng.random() < 0.75
                else None,
            )
            for i in range(n - 1)
        ],
        batch_size=2000,
    )
    Profile.objects.bulk_create(
        [
            Profile(
                user=u,
                display_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                site=rng.choice(SITES),
                headline="Works here",
            )
            for u in users
        ],
        batch_size=2000,
    )
    memberships = []
    for u in users:
        mentor = rng.random() < 0.33
        status = MentorStatus.APPROVED
        if mentor:
            roll = rng.random()
            status = (
                MentorStatus.PENDING
                if roll < 0.03
                else MentorStatus.PAUSED
                if roll < 0.05
                else MentorStatus.APPROVED
            )
        memberships.append(
            Membership(
                program=program,
                user=u,
                is_mentor=mentor,
                is_mentee=not mentor or rng.random() < 0.3,
                mentor_status=status,
            )
        )
    memberships = Membership.objects.bulk_create(memberships, batch_size=2000)
    # Joined over two years: auto_now_add set "now" on each; spread them in 24 steps.
    step = max(1, len(memberships) // 24)
    for k in range(24):
        ids = [m.pk for m in memberships[k * step : (k + 1) * step]]
        Membership.objects.filter(pk__in=ids).update(joined_at=now - timedelta(days=30 * k))
    through = Membership.pools.through
    through.objects.bulk_create(
        [
            through(membership_id=m.pk, pool_id=pool.pk)
            for m in memberships
            for pool in rng.sample(pools, rng.choice((0, 1, 1, 2)))
        ],
        batch_size=5000,
    )
    from django.db import connection

    if connection.vendor == "postgresql":
        # What autovacuum does within a minute of 20,000 new rows: without statistics the
        # planner guesses 149 members and picks nested loops.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"program": program.pk, "admin": admin.pk, "pool": pools[0].pk}


def baseline_urls(template_text: str):
    """A URL conf with the member list as it was at BASE_COMMIT, beside today's."""
    from django.contrib.auth.decorators import login_required
    from django.http import HttpResponse
    from django.template import engines
    from django.urls import include, path

    from pairup.programs import queries
    from pairup.programs.forms import InviteRotateForm
    from pairup.programs.models import Membership

    template = engines["django"].from_string(template_text)

    @login_required
    def members_before(request, slug):  # programs/views.py `members` at BASE_COMMIT
        program, membership = queries.get_admin_program_for_user(request.user, slug)
        members = Membership.objects.filter(program=program).select_related("user__profile")
        context = {
            "program": program,
            "membership": membership,
            "members": members,
            "invite_url": request.build_absolute_uri(f"/join/{program.invite_code}/"),
            "invite_expired": not queries.invite_lookup(program.invite_code).valid,
            "rotate_form": InviteRotateForm(),
        }
        return HttpResponse(template.render(context, request))

    return [
        path("baseline/p/<slug:slug>/members/", members_before),
        path("", include("pairup.site.urls")),
    ]


def _time(fn, warmup: int, repeat: int) -> dict:
    for _ in range(warmup):
        fn()
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        size = fn()
        runs.append((time.perf_counter() - t0) * 1000)
    runs.sort()
    return {
        "p50_ms": statistics.median(runs),
        "p95_ms": runs[min(len(runs) - 1, round(0.95 * (len(runs) - 1)))],
        "min_ms": runs[0],
        "bytes": size,
    }


def worker(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from pairup.accounts.models import User
    from pairup.accounts.services import api_token_create

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrate_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    world = seed(args.members)
    seed_s = time.perf_counter() - t0
    # No query log kept while timing (CaptureQueriesContext turns it on for its request);
    # and none left from seeding: a full log (9,000 entries) would hide what comes next.
    settings.DEBUG = False
    connection.queries_log.clear()

    import types

    urls = types.ModuleType("bench_member_urls")
    urls.urlpatterns = baseline_urls(Path(args.base_template).read_text())  # type: ignore[attr-defined]
    sys.modules["bench_member_urls"] = urls

    admin = User.objects.get(pk=world["admin"])
    client = Client()
    client.force_login(admin)
    _, token = api_token_create(user=admin, name="bench")
    api_headers = {"Authorization": f"Bearer {token}"}
    last = -(-args.members // 50)
    base = f"/p/{SLUG}/members/"

    def getter(path: str, **kw):
        def go() -> int:
            response = client.get(path, **kw)
            assert response.status_code == 200, (path, response.status_code)
            if response.streaming:
                return len(b"".join(response.streaming_content))
            return len(response.content)

        return go

    calls = {
        "first page, no filter": getter(base),
        "search a name or email": getter(base + "?q=lee"),
        "role and site": getter(base + "?role=mentor&site=London"),
        "waiting for approval": getter(base + "?status=pending"),
        "pool and last active": getter(base + f"?pool={world['pool']}&active=30"),
        "last page": getter(base + f"?page={last}"),
        "htmx results only": getter(base + "?q=ana", HTTP_HX_REQUEST="true"),
        "API, first page": getter(f"/api/v1/programs/{SLUG}/members", headers=api_headers),
        "CSV export, every member": getter(base + "export.csv"),
    }
    rows = []
    with override_settings(ROOT_URLCONF="bench_member_urls"):
        for name, call in calls.items():
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as ctx:
                call()
            # Counted now: the next request empties the log that captured_queries reads.
            queries = len(ctx.captured_queries)
            timing = _time(call, args.warmup, 3 if name.startswith("CSV") else args.repeat)
            rows.append({"scenario": name, "queries": queries, **timing})
        before = getter(f"/baseline{base}")
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as ctx:
            before()
        queries = len(ctx.captured_queries)
        baseline = {
            "scenario": f"before issue 13 ({BASE_COMMIT}): one table of every member",
            "queries": queries,
            **_time(before, 1, max(3, args.repeat // 4)),
        }
    out = {
        "backend": connection.vendor,
        "load_average": os.getloadavg(),
        "members": args.members,
        "migrate_s": migrate_s,
        "seed_s": seed_s,
        "rows": rows,
        "baseline": baseline,
    }
    Path(args.out).write_text(json.dumps(out, indent=2))


# --------------------------------------------------------------------------- driver


def _pg_admin_url() -> str | None:
    pg = os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432/pairup").rsplit("/", 1)[0]
    try:
        import psycopg

        with psycopg.connect(f"{pg}/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
            conn.execute(f"CREATE DATABASE {PG_DB}")
    except Exception as exc:  # no server, no rights: SQLite only, said so
        print(f"PostgreSQL skipped: {exc}", file=sys.stderr)
        return None
    return pg


def _drop_pg(pg: str) -> None:
    import psycopg

    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")


def run_one(database_url: str, args: argparse.Namespace, work: Path, base_template: Path) -> dict:
    out = work / f"result-{len(list(work.iterdir()))}.json"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DEBUG"}
    }
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="pairup.settings",
        PAIRUP_VAR_DIR=str(work / "var"),
        ALLOWED_HOSTS="testserver,localhost",
        LOG_LEVEL="WARNING",
    )
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        "--members",
        str(args.members),
        "--repeat",
        str(args.repeat),
        "--warmup",
        str(args.warmup),
        "--out",
        str(out),
        "--base-template",
        str(base_template),
    ]
    subprocess.run(cmd, env=env, check=True, cwd=ROOT, timeout=3600)
    return json.loads(out.read_text())


def markdown(results: list[dict], args: argparse.Namespace) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        MARK_START,
        "## Member list",
        "",
        f"Generated by `python bench/members.py --write-docs` on {when}; "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}. "
        f"One program of {args.members:,} members (a third mentors, about 1 % waiting for "
        "approval, twelve sites, ten pools), the admin's page through Django's test client "
        "in one process with the database on the same machine: the whole request "
        "(middleware, view, template). "
        f"Each scenario ran {args.warmup} times to warm up, then {args.repeat} times "
        "(the CSV export 3 times); median and 95th percentile in milliseconds, and the "
        "queries one request made (the same whatever the page's length: "
        "tests/programs/test_members_list.py checks 1 and 3 members). The baseline, in the "
        f"same run: the list before issue 13 (commit `{BASE_COMMIT}`: one table of every "
        "member, no pages), its view and template from git, through the same middleware.",
        "",
    ]
    for r in results:
        name = "SQLite" if r["backend"] == "sqlite" else "PostgreSQL"
        load = ", ".join(f"{x:.1f}" for x in r["load_average"])
        lines += [
            f"**{name}** (seeded in {r['seed_s']:.1f} s; load average {load} when it "
            "finished: the machine is shared)",
            "",
            "| request | queries | median ms | p95 ms | response KB |",
            "|---|---|---|---|---|",
        ]
        for row in r["rows"] + [r["baseline"]]:
            lines.append(
                f"| {row['scenario']} | {row['queries']} | {row['p50_ms']:.1f} | "
                f"{row['p95_ms']:.1f} | {row['bytes'] / 1024:,.0f} |"
            )
        first = r["rows"][0]["p50_ms"]
        lines += [
            "",
            f"The first page now takes {first:.1f} ms against {r['baseline']['p50_ms']:.0f} ms "
            f"for the whole table before: **{r['baseline']['p50_ms'] / first:.1f}x faster** "
            f"(and {r['rows'][0]['bytes'] / 1024:,.0f} KB sent instead of "
            f"{r['baseline']['bytes'] / 1024:,.0f} KB).",
            "",
        ]
    lines.append(MARK_END)
    return "\n".join(lines)


def write_docs(section: str) -> None:
    text = DOCS.read_text()
    if MARK_START in text:
        head, rest = text.split(MARK_START, 1)
        _, tail = rest.split(MARK_END, 1)
        text = head + section + tail
    elif "<!-- web-load:start -->" in text:
        head, tail = text.split("<!-- web-load:start -->", 1)
        text = head + section + "\n\n<!-- web-load:start -->" + tail
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    DOCS.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--base-template", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    RESULTS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pairup-members-") as tmp:
        work = Path(tmp)
        base_template = work / "members-before.html"
        base_template.write_text(
            subprocess.run(
                ["git", "show", f"{BASE_COMMIT}:{BASE_TEMPLATE}"],
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        results = [run_one(f"sqlite:///{work / 'bench.sqlite3'}", args, work, base_template)]
        pg = None if args.no_pg else _pg_admin_url()
        if pg is not None:
            try:
                results.append(run_one(f"{pg}/{PG_DB}", args, work, base_template))
            finally:
                _drop_pg(pg)
    (RESULTS / "members.json").write_text(json.dumps(results, indent=2))
    section = markdown(results, args)
    print(section)
    if args.write_docs:
        write_docs(section)


if __name__ == "__main__":
    main()

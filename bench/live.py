"""The live room's benchmark: re-seat after no-shows, and the state polled by a room of phones.

    python bench/live.py --write-docs          # both parts (about 6 minutes), the "Live room"
                                               # section of docs/benchmarks.md
    python bench/live.py --part reseat         # one part only (reseat | load)
    python bench/live.py --duration 10 --warmup 2 --repeats 2   # a quick check

What it does, every step bounded in time and count, loopback only:
1. Creates the PostgreSQL database pairup_bench_live (dropped first), migrates it and seeds
   it (bench/live_seed.py): a speed-mentoring event of 1,000 mentees and 200 mentors (5 seats)
   over 10 rounds with a published schedule from the engine (10,000 seats), a web session
   for every mentee and an organiser.
2. Re-seat (on a copy of that database): the room runs until round 3 is under way; 50
   mentees are marked absent and the rounds to come re-seated (`live_reseat`: reading,
   the engine, writing the seats that change, commit), then the same 50 come back late and
   are re-seated again; `--repeats` times each with other people. Checked every time: no
   pair twice, nobody absent seated, the played rounds untouched. Baselines in the same
   run and process: the engine alone on the same records (what the database adds), and a
   full re-solve of every round (what publishing a new schedule would cost).
3. Load: `pairup serve` (gunicorn, DEBUG=false) with 2 workers x 4 threads (gthread, set by
   GUNICORN_CMD_ARGS) on that database; the organiser starts the room and clicks "next"
   every --change-every seconds (each click changes every phone's document). 1,000 phones
   poll GET /events/<slug>/live/state.json?view=me every 5 s (200 requests/s offered, each
   phone at its own phase), sending If-None-Match with the ETag of their last 200 (2 % of
   polls are fresh page loads without one), and 2 big screens poll the whole room. The
   generator is open-loop (bench/live.py's own asyncio client: each request is sent at its
   planned instant whatever the server does, and its latency counts from that instant, so
   a slow server cannot slow the offered rate down); it reports the CPU it used. Scenarios:
   Redis cache (REDIS_URL, database number --redis-db, flushed first: the recommended
   set-up), the database cache (the default settings: the baseline), and Redis with
   clients that never send If-None-Match (what the ETag saves); then a cross-check of the
   first with wrk (Debian's package) and bench/live_wrk.lua, 2 threads with 1 connection
   each and a fixed pause between requests (wrk2 is not packaged; wrk is closed-loop, so
   this one cannot show queueing the way the open-loop generator does).
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from docs_section import write_section  # noqa: E402 (bench/ on the path first)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DOCS = ROOT / "docs" / "benchmarks.md"
RESULTS = HERE / "results"
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
SECRET = "bench-live-secret-key-not-for-production-0123456789-abcdefghijklmnop"
MARK_START = "<!-- live-room:start -->"
MARK_END = "<!-- live-room:end -->"
NO_SHOWS = 50
FROM_ROUND = 3  # re-seat from round index 3: rounds 1-3 played (round 3 under way)
POLL_S = 5.0
RELOAD_SHARE = 0.02
SCREENS = 2
REQUEST_TIMEOUT = 10.0
MAX_CONNECTIONS = 256


# ----------------------------------------------------------------------------- set-up


def psql(pg: str, db: str, sql: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(f"{pg}/{db}", autocommit=True) as conn:
        cur = conn.execute(sql)
        return cur.fetchall() if cur.description else []


def base_env(pg: str, db: str, var_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "PYTHONPATH", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DATABASE_URL=f"{pg}/{db}",
        SECRET_KEY=SECRET,
        PAIRUP_VAR_DIR=str(var_dir),
        ALLOWED_HOSTS=HOST,
        SITE_URL=f"http://{HOST}",
        LOG_LEVEL="WARNING",
        **extra,
    )
    return env


def prepare(args: argparse.Namespace, work: Path) -> dict:
    for db in (args.db, args.db + "_reseat"):
        psql(args.pg, "postgres", f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    psql(args.pg, "postgres", f'CREATE DATABASE "{args.db}"')
    env = base_env(args.pg, args.db, work / "var")
    t0 = time.perf_counter()
    subprocess.run(
        [str(BIN / "pairup"), "migrate", "--no-input", "-v0"], env=env, check=True, timeout=600
    )
    manifest = work / "seed.json"
    subprocess.run(
        [sys.executable, str(HERE / "live_seed.py"), str(manifest)],
        env={**env, "DEBUG": "true"},
        check=True,
        timeout=900,
        cwd=ROOT,
    )
    psql(args.pg, args.db, "ANALYZE")
    print(f"migrated and seeded in {time.perf_counter() - t0:.0f} s", flush=True)
    return json.loads(manifest.read_text())


# ---------------------------------------------------------------------------- re-seat


def child_reseat(seed: dict, repeats: int) -> dict:
    """In a process with Django set up on the copy of the database: the timed re-seats."""
    import django

    django.setup()
    from django.db import connection

    from pairup.accounts.models import User
    from pairup.engine import Meeting
    from pairup.events import live_reseat as module
    from pairup.events.live import live_control
    from pairup.events.live_reseat import live_reseat
    from pairup.events.models import Attendance, Event, Registration, Seat

    event = Event.objects.get(slug=seed["event"])
    admin = User.objects.get(email="organiser@bench-live.pairup")
    live_control(event=event, by=admin, action="start")
    for r in range(1, FROM_ROUND):
        live_control(event=event, by=admin, action="next", to_round=r)
    mentees = list(
        Registration.objects.filter(event=event, seated_as="mentee").values_list("pk", flat=True)
    )
    rng = random.Random(7)
    phases: dict[str, float] = {}
    captured: dict[str, object] = {}
    real_records, real_solve = module.load_event_records, module.reseat_plan

    def timed_records(*a, **k):
        t0 = time.perf_counter()
        out = real_records(*a, **k)
        phases["records"] = time.perf_counter() - t0
        captured["records"] = out
        return out

    def timed_solve(*a, **k):
        t0 = time.perf_counter()
        out = real_solve(*a, **k)
        phases["engine"] = time.perf_counter() - t0
        captured["absent"] = a[1]
        captured["fixed"] = k.get("fixed", ())
        captured["prefer"] = k.get("prefer", ())
        return out

    module.load_event_records, module.reseat_plan = timed_records, timed_solve

    def seats() -> set[tuple[int, int, int]]:
        return set(
            Seat.objects.filter(schedule__event=event, schedule__state="published").values_list(
                "round", "mentor_id", "mentee_id"
            )
        )

    def check(before: set, absent: set[int]) -> dict:
        after = seats()
        pairs = [(j, m) for _, j, m in after]
        per_mentee: dict[int, int] = {}
        for _, _, m in after:
            per_mentee[m] = per_mentee.get(m, 0) + 1
        here = [m for m in mentees if m not in absent]
        sitouts = [event.rounds - per_mentee.get(m, 0) for m in here]
        return {
            "repeats": len(pairs) - len(set(pairs)),
            "absent_seated": sum(1 for r, _, m in after if r >= FROM_ROUND and m in absent),
            "played_kept": {s for s in before if s[0] < FROM_ROUND}
            == {s for s in after if s[0] < FROM_ROUND},
            "sitouts": [min(sitouts), max(sitouts)],
            "seats": len(after),
        }

    runs = []
    for k in range(repeats + 1):  # the first is a warm-up (imports, first queries)
        absent = set(rng.sample(mentees, NO_SHOWS))
        for label, attendance in (("no-shows", Attendance.ABSENT), ("late", Attendance.PRESENT)):
            Registration.objects.filter(pk__in=absent).update(attendance=attendance)
            before = seats()
            phases.clear()
            queries_before = len(connection.queries)
            t0 = time.perf_counter()
            result = live_reseat(event=event, by=admin)
            total = time.perf_counter() - t0
            row = {
                "case": label,
                "total_s": total,
                "records_s": phases["records"],
                "engine_s": phases["engine"],
                "rest_s": total - phases["records"] - phases["engine"],
                "removed": result.seats_removed,
                "added": result.seats_added,
                "changed": result.seats_changed,
                "moved": result.moved,
                "first_round": result.first_round,
                "queries": len(connection.queries) - queries_before,
                **check(before, absent if attendance == Attendance.ABSENT else set()),
            }
            # Baselines on the same records: the engine alone, and a full re-solve.
            records, absent_now = captured["records"], captured["absent"]
            fixed: list[Meeting] = list(captured["fixed"])  # type: ignore[call-overload]
            t1 = time.perf_counter()
            prefer: list[Meeting] = list(captured["prefer"])  # type: ignore[call-overload]
            real_solve(
                records, absent_now, fixed=fixed, first_round=result.first_round, prefer=prefer
            )
            row["engine_only_s"] = time.perf_counter() - t1
            t2 = time.perf_counter()
            real_solve(records, absent_now)
            row["full_resolve_s"] = time.perf_counter() - t2
            if k > 0:
                runs.append(row)
            print(
                f"  {label}: {total:.3f} s (records {row['records_s']:.3f}, engine "
                f"{row['engine_s']:.3f}, read+write {row['rest_s']:.3f}); seats -{row['removed']} "
                f"+{row['added']} ~{row['changed']}, repeats {row['repeats']}, played kept "
                f"{row['played_kept']}" + ("" if k else " [warm-up]"),
                file=sys.stderr,
                flush=True,
            )
    return {"runs": runs, "seats": len(seats())}


def run_reseat(args: argparse.Namespace, work: Path, seed: dict) -> dict:
    db = args.db + "_reseat"
    psql(args.pg, "postgres", f'CREATE DATABASE "{db}" TEMPLATE "{args.db}"')
    env = base_env(
        args.pg, db, work / "var", DEBUG="true", DJANGO_SETTINGS_MODULE="pairup.settings"
    )
    out = work / "reseat.json"
    subprocess.run(
        [sys.executable, __file__, "--child-reseat", str(out), "--repeats", str(args.repeats)],
        env={**env, "LIVE_SEED": json.dumps({"event": seed["event"]})},
        check=True,
        timeout=1200,
        cwd=ROOT,
    )
    psql(args.pg, "postgres", f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    return json.loads(out.read_text())


# ------------------------------------------------------------------------------ load


class Pool:
    """Keep-alive HTTP/1.1 connections to the server (at most MAX_CONNECTIONS). gunicorn
    closes a connection idle for 2 s (its keep-alive), so one idle longer is not reused."""

    IDLE_S = 1.5

    def __init__(self, port: int):
        self.port = port
        self.idle: list[tuple[float, asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.open = 0
        self.freed = asyncio.Condition()

    async def get(self, fresh: bool = False) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        async with self.freed:
            now = time.monotonic()
            while self.idle and now - self.idle[0][0] > self.IDLE_S:
                _, _, writer = self.idle.pop(0)
                writer.close()
                self.open -= 1
            while (fresh or not self.idle) and self.open >= MAX_CONNECTIONS:
                await self.freed.wait()
            if self.idle and not fresh:
                _, reader, writer = self.idle.pop()
                return reader, writer
            self.open += 1
        try:
            return await asyncio.open_connection(HOST, self.port)
        except OSError:
            async with self.freed:
                self.open -= 1
                self.freed.notify()
            raise

    async def put(self, conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None) -> None:
        async with self.freed:
            if conn is None:
                self.open -= 1
            else:
                self.idle.append((time.monotonic(), *conn))
            self.freed.notify()


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, dict[bytes, bytes], bytes]:
    line = await reader.readline()
    if not line:
        raise ConnectionResetError("closed")
    status = int(line.split()[1])
    headers: dict[bytes, bytes] = {}
    while True:
        h = await reader.readline()
        if h in (b"\r\n", b"\n", b""):
            break
        name, _, value = h.partition(b":")
        headers[name.strip().lower()] = value.strip()
    if status in (204, 304) or status < 200:
        return status, headers, b""
    if b"content-length" in headers:
        return status, headers, await reader.readexactly(int(headers[b"content-length"]))
    if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        body = b""
        while True:
            size = int((await reader.readline()).strip(), 16)
            if size == 0:
                await reader.readline()
                return status, headers, body
            body += await reader.readexactly(size)
            await reader.readline()
    return status, headers, await reader.read()


async def http_get(pool: Pool, path: str, headers: dict[str, str]) -> tuple[int, dict, bytes]:
    raw = f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in headers.items()
    )
    data = (raw + "\r\n").encode()
    for attempt in range(2):  # a kept-alive connection the server closed: once more, afresh
        conn = await pool.get(fresh=attempt > 0)
        reader, writer = conn
        try:
            writer.write(data)
            await writer.drain()
            status, got, body = await _read_response(reader)
        except asyncio.CancelledError:
            # Timed out: the connection may still get the late answer, so it is not reused.
            writer.close()
            await asyncio.shield(pool.put(None))
            raise
        except (ConnectionError, asyncio.IncompleteReadError, ValueError, IndexError):
            writer.close()
            await pool.put(None)
            if attempt:
                raise
            continue
        if got.get(b"connection", b"").lower() == b"close":
            writer.close()
            await pool.put(None)
        else:
            await pool.put(conn)
        return status, got, body
    raise ConnectionError("unreachable")


def warm(port: int, seed: dict, limit: float = 90.0) -> float:
    """Until every worker and thread answers quickly: each gunicorn worker imports the site
    on its first request (seconds), and the first poll of a document builds it. Returns the
    seconds it took (bounded by `limit`)."""

    async def burst() -> float:
        pool = Pool(port)
        path = f"/events/{seed['event']}/live/state.json"
        slowest = 0.0

        async def one(k: int) -> None:
            nonlocal slowest
            phone = seed["phones"][k % len(seed["phones"])]
            t0 = time.perf_counter()
            await asyncio.wait_for(
                http_get(
                    pool,
                    path + ("?view=me" if k % 4 else ""),
                    {"Cookie": f"sessionid={phone['session']}"},
                ),
                30,
            )
            slowest = max(slowest, time.perf_counter() - t0)

        await asyncio.gather(*(one(k) for k in range(24)))
        return slowest

    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        try:
            if asyncio.run(burst()) < 0.5:
                break
        except (TimeoutError, OSError):
            pass
    return round(time.monotonic() - t0, 1)


def arrive(port: int, seed: dict, concurrency: int = 16) -> float:
    """Every phone opens the room once, as people do when they arrive (not measured): their
    sessions and standing are read and cached. Returns the seconds it took."""

    async def run() -> None:
        pool = Pool(port)
        path = f"/events/{seed['event']}/live/state.json?view=me"
        queue = list(seed["phones"])

        async def worker() -> None:
            while queue:
                phone = queue.pop()
                await asyncio.wait_for(
                    http_get(pool, path, {"Cookie": f"sessionid={phone['session']}"}), 60
                )

        await asyncio.gather(*(worker() for _ in range(concurrency)))

    t0 = time.monotonic()
    asyncio.run(run())
    return round(time.monotonic() - t0, 1)


def _post(port: int, path: str, token: str) -> int:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    conn.request("POST", path, headers={"Authorization": f"Bearer {token}", "Host": HOST})
    status = conn.getresponse().status
    conn.close()
    return status


async def load_run(
    port: int,
    seed: dict,
    *,
    warmup: float,
    duration: float,
    change_every: float,
    etags: bool,
    rng_seed: int,
) -> dict:
    """Phones and screens polling at fixed instants (open loop); the organiser's clicks."""
    rng = random.Random(rng_seed)
    pool = Pool(port)
    path = f"/events/{seed['event']}/live/state.json"
    phones = [{"cookie": f"sessionid={p['session']}", "etag": None} for p in seed["phones"]]
    screens = [{"cookie": f"sessionid={seed['organiser_session']}", "etag": None}] * SCREENS
    span = warmup + duration
    plan: list[tuple[float, str, dict]] = []
    for who, kind in [(p, "phone") for p in phones] + [(s, "screen") for s in screens]:
        t = rng.uniform(0, POLL_S)
        while t < span:
            plan.append((t, kind, who))
            t += POLL_S
    plan.sort(key=lambda x: x[0])
    rows: list[tuple[float, str, int, float]] = []  # planned t, kind, status, seconds
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.2
    late_sends = 0
    failures: dict[str, int] = {}
    sent = [0]  # body bytes received, all requests (warm-up included)

    async def one(at: float, kind: str, who: dict) -> None:
        headers = {"Cookie": who["cookie"], "Accept": "application/json"}
        if etags and who["etag"] and rng.random() >= RELOAD_SHARE:
            headers["If-None-Match"] = who["etag"]
        target = path + ("?view=me" if kind == "phone" else "")
        try:
            status, got, body = await asyncio.wait_for(
                http_get(pool, target, headers), REQUEST_TIMEOUT
            )
            sent[0] += len(body)
            if status == 200:
                who["etag"] = got.get(b"etag", b"").decode() or None
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            status = 0
            failures[type(exc).__name__] = failures.get(type(exc).__name__, 0) + 1
        rows.append((at, kind, status, loop.time() - (start + at)))

    async def organiser() -> int:
        clicks, k = 0, 1
        while True:
            await asyncio.sleep(max(0.0, start + k * change_every - loop.time()))
            if k * change_every >= span:
                return clicks
            status = await asyncio.to_thread(
                _post, port, f"/api/v1/events/{seed['event']}/live/next", seed["organiser_token"]
            )
            clicks += status == 200
            k += 1

    cpu0 = time.process_time()
    clicker = asyncio.create_task(organiser())
    tasks = []
    for at, kind, who in plan:
        delay = start + at - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        elif delay < -0.05:
            late_sends += 1
        tasks.append(asyncio.create_task(one(at, kind, who)))
    await asyncio.gather(*tasks)
    clicks = await clicker
    cpu = time.process_time() - cpu0
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"live_rows_{rng_seed}.json").write_text(json.dumps(sorted(rows)))
    measured = [r for r in rows if r[0] >= warmup]
    return summarise(measured, duration) | {
        "clicks": clicks,
        "late_sends": late_sends,
        "failures": failures,
        "body_kb_per_s": round(sent[0] / 1024 / span, 1),
        "generator_cpu_pct": round(100 * cpu / (loop.time() - start), 1),
        "connections": pool.open,
    }


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def summarise(rows: list[tuple[float, str, int, float]], duration: float) -> dict:
    lat = [r[3] * 1000 for r in rows]
    statuses: dict[int, int] = {}
    for r in rows:
        statuses[r[2]] = statuses.get(r[2], 0) + 1
    ok = statuses.get(200, 0) + statuses.get(304, 0)

    def part(status: int) -> dict:
        sub = [r[3] * 1000 for r in rows if r[2] == status]
        return {"n": len(sub), "p50_ms": round(pct(sub, 50), 1), "p95_ms": round(pct(sub, 95), 1)}

    return {
        "requests": len(rows),
        "offered_rps": round(len(rows) / duration, 1),
        "achieved_rps": round(ok / duration, 1),
        "p50_ms": round(pct(lat, 50), 1),
        "p95_ms": round(pct(lat, 95), 1),
        "p99_ms": round(pct(lat, 99), 1),
        "max_ms": round(max(lat, default=float("nan")), 1),
        "share_304": round(statuses.get(304, 0) / max(1, len(rows)), 3),
        "errors": len(rows) - ok,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "ok_200": part(200),
        "ok_304": part(304),
    }


def server_cpu(pids: list[int]) -> float:
    """utime + stime seconds of the server's processes (gunicorn's master and workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            pass
    return total


def server_pids(leader: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[3]) == leader or int(stat.parent.name) == leader:  # pgrp
                out.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            pass
    return out


def free_port() -> int:
    """A port nothing listens on now (other servers of this machine keep theirs)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, args: argparse.Namespace, work: Path, name: str, redis: bool):
        self.port = args.port or free_port()
        self.log = work / f"server-{name}.log"
        env = base_env(
            args.pg,
            args.db,
            work / f"var-{name}",
            DEBUG="false",
            SECURE_SSL_REDIRECT="false",
            GUNICORN_CMD_ARGS=f"--threads {args.threads}",
            **({"REDIS_URL": f"{args.redis}/{args.redis_db}"} if redis else {}),
        )
        self.proc = subprocess.Popen(
            [
                str(BIN / "pairup"),
                "serve",
                "--host",
                HOST,
                "--port",
                str(self.port),
                "--workers",
                str(args.workers),
                "--no-worker",
            ],
            env=env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            start_new_session=True,  # its own process group: stopped as one, nothing else
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited: see {self.log}\n{self.log.read_text()[-2000:]}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/accounts/login/", headers={"Host": HOST})
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        self.stop()
        raise SystemExit(f"server did not answer within 90 s: see {self.log}")

    def stop(self) -> None:
        RESULTS.mkdir(exist_ok=True)
        shutil.copy(self.log, RESULTS / self.log.name)  # kept (bench/results is not committed)
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


def reset_room(args: argparse.Namespace, seed: dict) -> None:
    """Back to "not started" (a new version, so no old ETag matches), caches emptied."""
    psql(
        args.pg,
        args.db,
        "UPDATE events_event SET state = 'published', live_phase = 'waiting', "
        "live_round = NULL, live_phase_ends_at = NULL, live_paused_seconds = NULL, "
        f"live_paused_phase = '', live_version = live_version + 1 WHERE id = {seed['event_id']}",
    )
    psql(args.pg, args.db, "DELETE FROM pairup_cache")
    if args.redis:
        import redis

        redis.Redis.from_url(f"{args.redis}/{args.redis_db}").flushdb()


def wrk_run(args: argparse.Namespace, work: Path, seed: dict, port: int) -> dict | None:
    wrk = shutil.which("wrk")
    if wrk is None:
        return None
    cookies = work / "phones.txt"
    cookies.write_text("\n".join(p["session"] for p in seed["phones"]) + "\n")
    proc = subprocess.run(
        [
            wrk,
            "-t2",
            "-c2",
            f"-d{int(args.duration)}s",
            "--timeout",
            "10s",
            "-s",
            str(HERE / "live_wrk.lua"),
            f"http://{HOST}:{port}/events/{seed['event']}/live/state.json?view=me",
            "--",
            str(cookies),
            str(args.wrk_delay_ms),
        ],
        capture_output=True,
        text=True,
        timeout=args.duration + 60,
    )
    line = next((x for x in proc.stdout.splitlines() if x.startswith("{")), None)
    if line is None:
        print(proc.stdout, proc.stderr, file=sys.stderr)
        return None
    out = json.loads(line)
    out["duration_s"] = args.duration
    version = subprocess.run([wrk, "-v"], capture_output=True, text=True, timeout=10)
    out["version"] = (version.stdout or version.stderr).split(" [", 1)[0].strip() or "wrk"
    return out


def run_load(args: argparse.Namespace, work: Path, seed: dict) -> dict:
    scenarios = [
        ("Redis cache, ETag", True, True),
        ("database cache (default settings), ETag", False, True),
        ("Redis cache, no If-None-Match", True, False),
    ]
    results = []
    for k, (label, redis, etags) in enumerate(scenarios):
        reset_room(args, seed)
        server = Server(args, work, f"s{k}", redis)
        try:
            started = _post(
                server.port, f"/api/v1/events/{seed['event']}/live/start", seed["organiser_token"]
            )
            if started != 200:
                raise SystemExit(f"starting the room answered {started}: see {server.log}")
            print(
                f"{label}: warmed up in {warm(server.port, seed)} s, "
                f"{len(seed['phones'])} phones arrived in {arrive(server.port, seed)} s",
                flush=True,
            )
            pids = server_pids(server.proc.pid)
            cpu0, t0 = server_cpu(pids), time.monotonic()
            summary = asyncio.run(
                load_run(
                    server.port,
                    seed,
                    warmup=args.warmup,
                    duration=args.duration,
                    change_every=args.change_every,
                    etags=etags,
                    rng_seed=k,
                )
            )
            summary["server_cpu_pct"] = round(
                100 * (server_cpu(pids) - cpu0) / (time.monotonic() - t0), 1
            )
            summary["label"] = label
            print(
                f"  offered {summary['offered_rps']}/s, p50 {summary['p50_ms']} ms, p95 "
                f"{summary['p95_ms']} ms, p99 {summary['p99_ms']} ms, 304s "
                f"{summary['share_304']:.0%}, errors {summary['errors']}, generator CPU "
                f"{summary['generator_cpu_pct']} %, server CPU {summary['server_cpu_pct']} %",
                flush=True,
            )
            results.append(summary)
            if k == 0 and not args.no_wrk:
                # Served by the same server: the room is running, the caches warm.
                cross = wrk_run(args, work, seed, server.port)
                if cross:
                    print(f"  wrk: {cross}", flush=True)
                results[0]["wrk"] = cross
        finally:
            server.stop()
    return {"scenarios": results}


# ----------------------------------------------------------------------------- report


def _median(rows: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def markdown(result: dict) -> str:
    a = result["args"]
    lines = [
        MARK_START,
        "## Live room",
        "",
        f"Generated by `python bench/live.py --write-docs` (`make bench-live`) on "
        f"{result['when']}; {result['machine']}; load average {result['load_avg']} before "
        f"the run and {result.get('load_avg_after', 'n/a')} after (a shared machine). PostgreSQL on the same machine; an event of 1,000 mentees and "
        "200 mentors (5 seats) over 10 rounds with a published schedule of "
        f"{result.get('seats', 10000):,} seats (bench/live_seed.py).",
        "",
    ]
    if "reseat" in result:
        runs = result["reseat"]["runs"]
        lines += [
            f"**Re-seat** (`live_reseat`, in one process, timed around the service call: it "
            f"reads the event, people and seats, builds the engine's records with the program's "
            f"rules, runs the engine, writes the seats that change and commits). Round "
            f"{FROM_ROUND} under way, so rounds {FROM_ROUND + 1}-10 are re-seated; "
            f"{NO_SHOWS} mentees marked absent (no-shows), then the same {NO_SHOWS} checked in "
            f"again (late arrivals); {a['repeats']} runs of each after a warm-up, other people "
            "each time. Baselines, same run, same records: the engine alone with the same "
            "fixed meetings, and a full re-solve of all 10 rounds (engine only).",
            "",
            "| case | total s (median, max) | records s | engine s | read + write + commit s "
            "| seats removed / added / given another mentor | queries | engine alone s | "
            "full re-solve s | repeats | played rounds kept | sit-outs min-max |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for case in ("no-shows", "late"):
            rows = [r for r in runs if r["case"] == case]
            if not rows:
                continue
            lines.append(
                f"| {NO_SHOWS} {'no-shows' if case == 'no-shows' else 'late arrivals'} | "
                f"**{_median(rows, 'total_s'):.2f}**, {max(r['total_s'] for r in rows):.2f} | "
                f"{_median(rows, 'records_s'):.2f} | {_median(rows, 'engine_s'):.2f} | "
                f"{_median(rows, 'rest_s'):.2f} | {int(_median(rows, 'removed')):,} / "
                f"{int(_median(rows, 'added')):,} / {int(_median(rows, 'changed')):,} | "
                f"{int(_median(rows, 'queries'))} | "
                f"{_median(rows, 'engine_only_s'):.2f} | {_median(rows, 'full_resolve_s'):.2f} | "
                f"{max(r['repeats'] for r in rows)} | "
                f"{'yes' if all(r['played_kept'] for r in rows) else 'NO'} | "
                f"{min(r['sitouts'][0] for r in rows)}-{max(r['sitouts'][1] for r in rows)} |"
            )
        total = max(r["total_s"] for r in runs)
        engine = statistics.median(r["engine_only_s"] for r in runs)
        lines += [
            "",
            f"Target: re-seat after 50 no-shows <= 1 s including the database write: slowest "
            f"run {total:.2f} s; the service takes "
            f"{statistics.median(r['total_s'] for r in runs) / engine:.1f}x the engine alone "
            "(the rest is reading the event and people, the records and the write). "
            "(`queries` counts only with DEBUG on, as here.)",
            "",
        ]
    if "load" in result:
        sc = result["load"]["scenarios"]
        lines += [
            "**Polling** (`pairup serve`: gunicorn, DEBUG=false, "
            f"{a['workers']} workers x {a['threads']} threads, gthread; PostgreSQL; loopback). "
            f"1,000 phones poll `GET /events/<slug>/live/state.json?view=me` every {POLL_S:g} s "
            f"at their own phase (200 requests/s offered) plus {SCREENS} big screens polling the "
            "whole room; each phone sends `If-None-Match` with its last ETag (2 % of polls "
            f'are fresh page loads without); the organiser clicks "next" every '
            f"{a['change_every']:g} s, which changes every phone's document (so each click "
            "costs 1,000 full answers within 5 s). Generator: bench/live.py's own open-loop "
            "asyncio client (requests leave at their planned instants whatever the server "
            "does; latency counts from that instant, queueing included). Each run: "
            f"{a['warmup']:g} s warm-up, {a['duration']:g} s measured. Errors = anything but "
            "200 or 304, timeouts, refused connections.",
            "",
            "| scenario | offered req/s | answered req/s | p50 ms | p95 ms | p99 ms | max ms "
            "| 304 share | p95 of 200s / 304s ms | body KB/s | errors | server CPU | "
            "generator CPU |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for s in sc:
            lines.append(
                f"| {s['label']} | {s['offered_rps']} | {s['achieved_rps']} | {s['p50_ms']} | "
                f"**{s['p95_ms']}** | {s['p99_ms']} | {s['max_ms']} | {s['share_304']:.0%} | "
                f"{s['ok_200']['p95_ms']} / {s['ok_304']['p95_ms']} | {s['body_kb_per_s']} | "
                f"{s['errors']} | "
                f"{s['server_cpu_pct']} % | {s['generator_cpu_pct']} % |"
            )
        first = sc[0]
        base = next((s for s in sc if s["label"].startswith("database")), None)
        lines.append("")
        note = (
            f"Target: p95 <= 100 ms at 200 requests/s: **{first['p95_ms']} ms** with Redis "
            f"({first['share_304']:.0%} answered 304)"
        )
        if base:
            note += (
                f"; the default database cache in the same run: {base['p95_ms']} ms "
                f"({base['p95_ms'] / max(first['p95_ms'], 0.1):.1f}x)"
            )
        no_etag = next((s for s in sc if "no If-None-Match" in s["label"]), None)
        if no_etag:
            note += (
                f"; without If-None-Match every poll is a full answer: p95 {no_etag['p95_ms']} "
                f"ms, server CPU {no_etag['server_cpu_pct']} % against {first['server_cpu_pct']} "
                f"%, {no_etag['body_kb_per_s']} KB/s of bodies against {first['body_kb_per_s']}"
            )
        lines += [
            note + ".",
            "",
            "How a poll is served: `events.live_fastpath` answers the state's path right after "
            "Django's SecurityMiddleware for a session that verifies (the session from Redis, "
            "as sessions are cached_db when REDIS_URL is set; the user from PostgreSQL; the "
            "event's head and the person's standing in one Redis round trip); the ETag is "
            "known from the head alone, so a 304 builds nothing. A phone's own document is "
            "under 1 KB and kept built in each process (per event, version and place on the "
            "timeline), so a full answer costs about what a 304 does: the ETag mostly saves "
            "the phones' data (and the big screen's 30 KB room). The scenarios ran one after "
            "the other on a shared machine whose load fell during the run; compare within a "
            "row more than across rows.",
        ]
        cross = first.get("wrk")
        if cross:
            lines += [
                "",
                f"Cross-check with {cross.get('version', 'wrk')} (`bench/live_wrk.lua`; 2 threads "
                f"x 1 connection, {a['wrk_delay_ms']} ms pause between requests: closed loop, "
                f"so it reports service time without queueing), same server and data, "
                f"{cross['duration_s']:g} s: {cross['rps']:.0f} requests/s, p50 "
                f"{cross['p50_ms']:.1f} ms, p95 {cross['p95_ms']:.1f} ms, p99 "
                f"{cross['p99_ms']:.1f} ms, {cross['share_304']:.0%} 304, errors "
                f"{cross['errors']}.",
            ]
        lines.append("")
    lines += [
        "Reproduce with `make bench-live` (PG_URL's server; drops and recreates the databases "
        "pairup_bench_live and pairup_bench_live_reseat; Redis at REDIS_BASE, database "
        f"{a['redis_db']}, is flushed). Not part of CI.",
        MARK_END,
    ]
    return "\n".join(lines)


def write_docs(result: dict) -> None:
    write_section(DOCS, MARK_START, MARK_END, markdown(result))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=["all", "reseat", "load"], default="all")
    parser.add_argument(
        "--pg", default=os.environ.get("LIVE_PG", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--db", default="pairup_bench_live")
    parser.add_argument("--redis", default=os.environ.get("REDIS_BASE", "redis://127.0.0.1:6379"))
    parser.add_argument("--redis-db", type=int, default=14)
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--duration", type=float, default=40.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--change-every", type=float, default=15.0)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--wrk-delay-ms", type=int, default=10)
    parser.add_argument("--no-wrk", action="store_true")
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument(
        "--reuse", action="store_true", help="skip seeding: the database of the last run"
    )
    parser.add_argument("--child-reseat", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_reseat:
        seed = json.loads(os.environ["LIVE_SEED"])
        args.child_reseat.write_text(json.dumps(child_reseat(seed, args.repeats)))
        return 0
    if not 1 <= args.duration <= 300 or not 0 <= args.warmup <= 60 or not 1 <= args.repeats <= 20:
        parser.error("--duration is 1-300 s, --warmup 0-60 s, --repeats 1-20")
    args.pg = args.pg.rstrip("/")
    args.redis = args.redis.rstrip("/")
    load = f"{os.getloadavg()[0]:.1f}"
    work = Path(tempfile.mkdtemp(prefix="pairup-live-"))
    try:
        kept = RESULTS / "live_seed.json"
        if args.reuse and kept.exists():
            seed = json.loads(kept.read_text())  # the databases of the last run, as they are
        else:
            seed = prepare(args, work)
            RESULTS.mkdir(exist_ok=True)
            kept.write_text(json.dumps(seed))
        result: dict = {
            "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}",
            "load_avg": load,
            "seats": seed["seats"],
            "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        }
        if args.part in ("all", "reseat"):
            print("re-seat ...", flush=True)
            result["reseat"] = run_reseat(args, work, seed)
        if args.part in ("all", "load"):
            result["load"] = run_load(args, work, seed)
        result["load_avg_after"] = f"{os.getloadavg()[0]:.1f}"
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "live.json").write_text(json.dumps(result, indent=2))
        print(markdown(result))
        if args.write_docs:
            write_docs(result)
            print(f"wrote {DOCS}")
        bad = any(
            r["repeats"] or r["absent_seated"] or not r["played_kept"]
            for r in result.get("reseat", {}).get("runs", [])
        )
        return 1 if bad else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

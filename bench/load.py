"""Web load test: this tree against a baseline commit, both on PostgreSQL, in one run.

    python bench/load.py                      # full run (about 6 minutes), JSON to bench/results/
    python bench/load.py --write-docs         # ... and the "Web load" section of docs/benchmarks.md
    python bench/load.py --duration 8 --warmup 2 --people 30 --closed 8   # a quick check

What it does, every step bounded in time and count, loopback only:
1. Extracts the baseline commit (default 5f7d0d6, main before issue 10) with `git archive`
   into a temporary folder; its server runs in this virtualenv with PYTHONPATH pointing there.
2. Seeds the baseline database with the demo plus a large program (bench/load_seed.py:
   300 mentors, 1,500 mentees with an open ask each, 1,500 active engagements), then copies
   it (CREATE DATABASE ... TEMPLATE) for this tree and migrates the copy forward, so both
   serve the same rows.
3. Starts both servers with `pairup serve` (gunicorn, DEBUG=false, 2 sync workers, each with
   its own default settings: the baseline opens a database connection per request).
4. For each scenario (30 and 100 people who pause ~1 s, exponentially distributed, between
   requests; then a closed loop of N clients without pauses) runs the baseline and then this
   tree, each for --warmup + --duration seconds, with one mix of requests: directory search
   (web page and API), ask detail (web page with its suggestions, API, API suggestions), slot
   listing, and booking (slots, then POST with an Idempotency-Key) on engagements handed out
   from one pool so they rarely collide; one booking in ten takes the first free slot, which
   others of the same mentor may want too.
5. Fires deliberate collisions (several mentees of one mentor booking one slot at the same
   instant), then checks each database: nobody has two overlapping booked sessions, and every
   201 the clients saw is a stored session.

A 409 on a booking (slot just taken, mentor's cap) is the right answer, not an error; errors
are 5xx, timeouts, refused connections and any other unexpected status.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from docs_section import write_section  # noqa: E402 (bench/ on the path first)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
DOCS = ROOT / "docs" / "benchmarks.md"
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
SECRET = "bench-load-secret-key-not-for-production-0123456789-abcdefghijklmnop"
MARK_START = "<!-- web-load:start -->"
MARK_END = "<!-- web-load:end -->"
REQUEST_TIMEOUT = 15.0
MAX_REQUESTS_PER_CLIENT = 100_000  # a second bound besides the clock

# Share of each action in the mix (booking = slot listing then POST, two requests).
MIX = {
    "directory_web": 15,
    "directory_api": 15,
    "ask_web": 8,
    "ask_api": 10,
    "suggestions_api": 7,
    "slots_api": 25,
    "book_api": 20,
}


# ------------------------------------------------------------------------- set-up


def run(cmd: list[str], env: dict[str, str], timeout: float = 600) -> None:
    subprocess.run(cmd, env=env, check=True, timeout=timeout, cwd=ROOT)


def psql(admin_url: str, db: str, sql: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(f"{admin_url}/{db}", autocommit=True) as conn:
        cur = conn.execute(sql)
        return cur.fetchall() if cur.description else []


def server_env(
    pg: str, db: str, var_dir: Path, pythonpath: str | None, **extra: str
) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "PYTHONPATH", "DB_CONN_MAX_AGE", "DJANGO_SETTINGS_MODULE"}
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
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    return env


def prepare(args: argparse.Namespace, work: Path) -> tuple[Path, dict]:
    """Baseline tree, both databases, the seed manifest."""
    base_tree = work / "base"
    base_tree.mkdir()
    archive = subprocess.run(
        ["git", "archive", args.base_commit, "src"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(base_tree)], input=archive, check=True)
    for db in (args.db_new, args.db_base):
        psql(args.pg, "postgres", f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    psql(args.pg, "postgres", f'CREATE DATABASE "{args.db_base}"')
    base_env = server_env(args.pg, args.db_base, work / "var-seed", str(base_tree / "src"))
    pairup = str(BIN / "pairup")
    t0 = time.perf_counter()
    run([pairup, "migrate", "--no-input", "-v0"], base_env)
    manifest_path = work / "seed.json"
    run(
        [
            sys.executable,
            str(HERE / "load_seed.py"),
            str(manifest_path),
            "--mentors",
            str(args.mentors),
            "--mentees",
            str(args.mentees),
            "--engagements",
            str(args.engagements),
        ],
        {**base_env, "DEBUG": "true"},
    )
    psql(args.pg, args.db_base, "ANALYZE")
    psql(args.pg, "postgres", f'CREATE DATABASE "{args.db_new}" TEMPLATE "{args.db_base}"')
    new_env = server_env(args.pg, args.db_new, work / "var-seed", None)
    run([pairup, "migrate", "--no-input", "-v0"], new_env)
    psql(args.pg, args.db_new, "ANALYZE")
    print(f"seeded and migrated both databases in {time.perf_counter() - t0:.0f} s", flush=True)
    # Kept (bench/results/ is not committed) to probe the servers by hand after a run.
    RESULTS.mkdir(exist_ok=True)
    shutil.copy(manifest_path, RESULTS / "load_seed.json")
    return base_tree, json.loads(manifest_path.read_text())


@dataclass
class Server:
    name: str
    port: int
    proc: subprocess.Popen
    log: Path


def start_server(args: argparse.Namespace, name: str, port: int, env: dict, work: Path) -> Server:
    log = work / f"{name}.log"
    proc = subprocess.Popen(
        [
            str(BIN / "pairup"),
            "serve",
            "--host",
            HOST,
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--no-worker",
        ],
        env={**env, "DEBUG": "false", "SECURE_SSL_REDIRECT": "false"},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        cwd=ROOT,
        start_new_session=True,  # its own process group: stopped as one, nothing else
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{name} server exited: see {log}\n{log.read_text()[-2000:]}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/accounts/login/")
            if conn.getresponse().status == 200:
                return Server(name, port, proc, log)
        except OSError:
            pass
        time.sleep(0.5)
    stop_server(Server(name, port, proc, log))
    raise SystemExit(f"{name} server did not answer within 90 s: see {log}")


def drain(server: Server, limit: float = 180.0) -> float:
    """Wait until the server answers a light page within a second: requests that clients of
    an overloaded run gave up on are still queued in gunicorn, and must not be charged to
    the next run. Returns the seconds waited (bounded by `limit`)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        status, _, seconds = http_call(server.port, "GET", "/accounts/login/", {"Host": HOST})
        if status == 200 and seconds < 1.0:
            break
        time.sleep(1.0)
    return round(time.monotonic() - t0, 1)


def stop_server(server: Server) -> None:
    if server.proc.poll() is None:
        os.killpg(server.proc.pid, signal.SIGTERM)
        try:
            server.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.proc.pid, signal.SIGKILL)
            server.proc.wait(timeout=10)


# ------------------------------------------------------------------------- clients


class Pool:
    """Engagements handed out for booking, each at most 3 times (its agreed sessions)."""

    def __init__(self, mentees: list[dict], rng: random.Random):
        items = [(e["id"], e["mentor"], m["token"]) for m in mentees for e in m["engagements"]]
        rng.shuffle(items)
        self.items = items
        self.left = dict.fromkeys((i[0] for i in items), 3)
        self.i = 0
        self.lock = threading.Lock()

    def take(self) -> tuple[int, int, str] | None:
        with self.lock:
            for _ in range(len(self.items)):
                item = self.items[self.i % len(self.items)]
                self.i += 1
                if self.left[item[0]] > 0:
                    self.left[item[0]] -= 1
                    return item
            return None

    def by_mentor(self) -> dict[int, list[tuple[int, int, str]]]:
        with self.lock:
            out: dict[int, list] = defaultdict(list)
            for item in self.items:
                if self.left[item[0]] > 0:
                    out[item[1]].append(item)
            return out

    def spend(self, engagement_id: int) -> None:
        with self.lock:
            self.left[engagement_id] = max(0, self.left[engagement_id] - 1)


@dataclass
class Recorder:
    rows: list[tuple[str, int, float, float]] = field(default_factory=list)  # kind, status, s, t
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, status: int, seconds: float, at: float) -> None:
        with self.lock:
            self.rows.append((kind, status, seconds, at))


def http_call(
    port: int, method: str, path: str, headers: dict[str, str], body: bytes | None = None
) -> tuple[int, bytes, float]:
    t0 = time.perf_counter()
    try:
        conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        conn.close()
        status = response.status
    except (OSError, http.client.HTTPException):
        status, data = 0, b""
    return status, data, time.perf_counter() - t0


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class Client(threading.Thread):
    def __init__(
        self,
        port: int,
        seed: dict,
        person: dict,
        pool: Pool,
        rec: Recorder,
        rng: random.Random,
        start_at: float,
        end_at: float,
        think: float,
    ):
        super().__init__(daemon=True)
        self.port, self.seed, self.person, self.pool, self.rec = port, seed, person, pool, rec
        self.rng, self.start_at, self.end_at, self.think = rng, start_at, end_at, think
        self.kinds = list(MIX)
        self.weights = list(MIX.values())
        self.booked: list[int] = []

    def call(self, kind: str, method: str, path: str, headers: dict, body: bytes | None = None):
        at = time.monotonic()
        status, data, seconds = http_call(self.port, method, path, headers, body)
        if at >= self.start_at and at < self.end_at:
            self.rec.add(kind, status, seconds, at)
        return status, data

    def bearer(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.person['token']}", "Host": HOST}

    def slots(self, mentor: int, engagement: int, token: str) -> list[dict]:
        now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        start = now + timedelta(days=self.rng.randint(1, 21))
        path = (
            f"/api/v1/mentors/{mentor}/slots?start={iso(start)}&end={iso(start + timedelta(days=7))}"
            f"&duration=30&engagement={engagement}"
        )
        status, data = self.call("slots_api", "GET", path, self.bearer(token))
        return json.loads(data)["slots"] if status == 200 else []

    def act(self, kind: str) -> None:
        slug, p = self.seed["program"], self.person
        word = self.rng.choice(self.seed["words"]) if self.rng.random() < 0.8 else ""
        web = {"Cookie": f"sessionid={p['session']}", "Host": HOST}
        if kind == "directory_web":
            self.call(kind, "GET", f"/p/{slug}/mentors/?q={word}", web)
        elif kind == "directory_api":
            self.call(kind, "GET", f"/api/v1/programs/{slug}/mentors?q={word}", self.bearer())
        elif kind == "ask_web":
            self.call(kind, "GET", f"/asks/{p['ask']}/", web)
        elif kind == "ask_api":
            self.call(kind, "GET", f"/api/v1/asks/{p['ask']}", self.bearer())
        elif kind == "suggestions_api":
            self.call(kind, "GET", f"/api/v1/asks/{p['ask']}/suggestions", self.bearer())
        elif kind == "slots_api":
            item = self.rng.choice(self.pool.items)
            self.slots(item[1], item[0], item[2])
        elif kind == "book_api":
            item = self.pool.take()
            if item is None:
                return  # every engagement used up: the run is longer than the seed allows
            engagement, mentor, token = item
            free = self.slots(mentor, engagement, token)
            if not free or time.monotonic() >= self.end_at:
                return
            self.pause()
            slot = free[0] if self.rng.random() < 0.1 else self.rng.choice(free)
            body = json.dumps({"start": slot["start"], "duration": 30}).encode()
            headers = {
                **self.bearer(token),
                "Content-Type": "application/json",
                "Idempotency-Key": uuid.uuid4().hex,
            }
            status, _ = self.call(
                kind, "POST", f"/api/v1/engagements/{engagement}/sessions", headers, body
            )
            if status == 201:
                self.booked.append(engagement)

    def pause(self) -> None:
        if self.think > 0:
            left = self.end_at - time.monotonic()
            time.sleep(max(0.0, min(self.rng.expovariate(1 / self.think), left)))

    def run(self) -> None:
        for _ in range(MAX_REQUESTS_PER_CLIENT):
            if time.monotonic() >= self.end_at:
                return
            self.act(self.rng.choices(self.kinds, self.weights)[0])
            self.pause()


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


OK = {"book_api": {201, 409}}


def summarise(rows: list[tuple[str, int, float, float]], duration: float) -> dict:
    def stats(rs: list) -> dict:
        lat = [r[2] * 1000 for r in rs]
        errors = [r for r in rs if r[1] not in OK.get(r[0], {200})]
        return {
            "requests": len(rs),
            "achieved_rps": round(len(rs) / duration, 1),
            "p50_ms": round(pct(lat, 50), 1),
            "p95_ms": round(pct(lat, 95), 1),
            "p99_ms": round(pct(lat, 99), 1),
            "errors": len(errors),
            "error_statuses": dict(sorted(_count(r[1] for r in errors).items())),
            "conflicts_409": sum(1 for r in rs if r[0] == "book_api" and r[1] == 409),
            "booked_201": sum(1 for r in rs if r[0] == "book_api" and r[1] == 201),
        }

    out = stats(rows)
    by: dict[str, list] = defaultdict(list)
    for r in rows:
        by[r[0]].append(r)
    out["by_kind"] = {k: stats(v) for k, v in sorted(by.items())}
    return out


def _count(items) -> dict:
    out: dict = defaultdict(int)
    for i in items:
        out[i] += 1
    return dict(out)


def run_load(
    server: Server,
    seed: dict,
    pool: Pool,
    clients: int,
    think: float,
    warmup: float,
    duration: float,
    rng_seed: int,
    offset: int,
) -> tuple[dict, int]:
    rec = Recorder()
    now = time.monotonic()
    start_at, end_at = now + warmup, now + warmup + duration
    mentees = seed["mentees"]
    threads = [
        Client(
            server.port,
            seed,
            mentees[(offset + i) % len(mentees)],
            pool,
            rec,
            random.Random(rng_seed * 1000 + i),
            start_at,
            end_at,
            think,
        )
        for i in range(clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=warmup + duration + REQUEST_TIMEOUT * 3)
    booked = sum(len(t.booked) for t in threads)
    return summarise(rec.rows, duration), booked


def collide(server: Server, pool: Pool, rounds: int, rng: random.Random) -> dict:
    """Several mentees of one mentor book the same slot at the same instant."""
    outcomes: list[list[int]] = []
    by_mentor = {m: items for m, items in pool.by_mentor().items() if len(items) >= 3}
    for mentor in sorted(by_mentor)[:rounds]:
        items = by_mentor[mentor][:5]
        start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(
            days=22 + rng.randint(0, 5)
        )
        path = (
            f"/api/v1/mentors/{mentor}/slots?start={iso(start)}&end={iso(start + timedelta(days=3))}"
            f"&duration=30&engagement={items[0][0]}"
        )
        status, data, _ = http_call(
            server.port, "GET", path, {"Authorization": f"Bearer {items[0][2]}", "Host": HOST}
        )
        if status != 200 or not json.loads(data)["slots"]:
            continue
        slot = json.loads(data)["slots"][0]["start"]
        barrier = threading.Barrier(len(items))
        statuses: list[int] = []

        def book(
            item: tuple[int, int, str],
            slot: str = slot,
            barrier: threading.Barrier = barrier,
            statuses: list[int] = statuses,
        ) -> None:
            body = json.dumps({"start": slot, "duration": 30}).encode()
            headers = {
                "Authorization": f"Bearer {item[2]}",
                "Host": HOST,
                "Content-Type": "application/json",
                "Idempotency-Key": uuid.uuid4().hex,
            }
            barrier.wait(timeout=30)
            statuses.append(
                http_call(
                    server.port, "POST", f"/api/v1/engagements/{item[0]}/sessions", headers, body
                )[0]
            )

        threads = [threading.Thread(target=book, args=(item,), daemon=True) for item in items]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=REQUEST_TIMEOUT * 2)
        for item in items:
            pool.spend(item[0])
        outcomes.append(sorted(statuses))
    return {
        "rounds": len(outcomes),
        "one_201_each": sum(1 for o in outcomes if o.count(201) == 1),
        "statuses": outcomes,
    }


DOUBLE_BOOKED = """
SELECT count(*) FROM scheduling_sessionparticipant a
JOIN scheduling_sessionparticipant b
  ON a.user_id = b.user_id AND a.id < b.id
WHERE a.booked AND b.booked AND a.start < b."end" AND b.start < a."end"
"""
STORED = """
SELECT count(*) FROM scheduling_session s JOIN asks_engagement e ON e.id = s.engagement_id
JOIN programs_program p ON p.id = e.program_id
WHERE p.slug = 'bench-load' AND s.status = 'booked'
"""


# ------------------------------------------------------------------------- report


def table(result: dict) -> str:
    lines = [
        "| run | server | offered req/s | achieved req/s | p50 ms | p95 ms | p99 ms | errors | bookings 201 / 409 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in result["runs"]:
        for name in ("baseline", "now"):
            s = r[name]
            lines.append(
                f"| {r['label']} | {name} | {r['offered']} | {s['achieved_rps']} | {s['p50_ms']} "
                f"| {s['p95_ms']} | {s['p99_ms']} | {s['errors']} | {s['booked_201']} / {s['conflicts_409']} |"
            )
    return "\n".join(lines)


def kinds_table(result: dict) -> str:
    r = next(x for x in result["runs"] if x["label"].startswith(f"{result['people'][0]} people"))
    lines = [
        f"Per request kind at {r['label']} (p50 / p95 ms, baseline → now):",
        "",
        "| request | baseline p50 | baseline p95 | now p50 | now p95 |",
        "|---|---|---|---|---|",
    ]
    for kind in MIX:
        b, n = r["baseline"]["by_kind"].get(kind), r["now"]["by_kind"].get(kind)
        if b and n:
            lines.append(
                f"| {kind} | {b['p50_ms']} | {b['p95_ms']} | {n['p50_ms']} | {n['p95_ms']} |"
            )
    return "\n".join(lines)


def markdown(result: dict) -> str:
    closed = next(r for r in result["runs"] if r["label"].startswith("closed"))
    ratio = closed["now"]["achieved_rps"] / max(closed["baseline"]["achieved_rps"], 0.1)
    checks = result["checks"]
    a = result["args"]
    return "\n".join(
        [
            MARK_START,
            "## Web load",
            "",
            f"Generated by `python bench/load.py --write-docs` (`make bench-load`) on {result['when']}; "
            f"{result['machine']}. Both servers ran `pairup serve` (gunicorn, DEBUG=false, "
            f"{a['workers']} sync workers) on PostgreSQL in the same run, one after the other per "
            f"scenario: **baseline** = commit `{a['base_commit']}` (a new database connection "
            "per request), **now** = this tree. Data: the demo plus a program of "
            f"{a['mentors']} mentors, {a['mentees']} mentees (an open ask each) and "
            f"{a['engagements']} active engagements. Each run: {a['warmup']:g} s warm-up, "
            f"{a['duration']:g} s measured. Mix: directory search (web page and API), ask detail "
            "(web page with suggestions, API, API suggestions), slot listing, booking (slots, "
            "pause, POST with an Idempotency-Key; one in ten takes the first free slot so "
            "mentees of one mentor collide). *People* pause ~1 s (exponential) between "
            "requests, so offered ≈ people/s; *closed* clients never pause (saturation). "
            "Errors = 5xx, timeouts, refused connections or any unexpected status; a 409 on "
            "a booking is a correct refusal.",
            *(["", f"**{result['note']}**"] if result.get("note") else []),
            "",
            table(result),
            "",
            f"**Saturation throughput (closed loop): {closed['now']['achieved_rps']} req/s now "
            f"against {closed['baseline']['achieved_rps']} req/s at the baseline: {ratio:.2f}x.**",
            "",
            kinds_table(result),
            "",
            "After the runs: "
            + "; ".join(
                f"{name}: {c['double_booked']} overlapping booked sessions for one person, "
                f"{c['stored']} booked sessions stored for {c['acknowledged']} 201s, deliberate "
                f"collisions {c['collisions']['one_201_each']}/{c['collisions']['rounds']} slots "
                "with exactly one 201"
                for name, c in checks.items()
            )
            + ".",
            "",
            MARK_END,
        ]
    )


def write_docs(result: dict) -> None:
    write_section(DOCS, MARK_START, MARK_END, markdown(result))


# ------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-commit", default="5f7d0d6")
    parser.add_argument(
        "--pg", default=os.environ.get("LOAD_PG", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--db-base", default="pairup_loadbase")
    parser.add_argument("--db-new", default="pairup_loadbench")
    parser.add_argument("--port-base", type=int, default=8106)
    parser.add_argument("--port-new", type=int, default=8107)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--people", default="30,100", help="comma-separated people counts")
    parser.add_argument("--closed", type=int, default=16, help="clients of the closed loop")
    parser.add_argument("--think", type=float, default=1.0, help="mean pause in seconds")
    parser.add_argument("--duration", type=float, default=40.0, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--mentors", type=int, default=300)
    parser.add_argument("--mentees", type=int, default=1500)
    parser.add_argument("--engagements", type=int, default=1500)
    parser.add_argument("--collisions", type=int, default=10, help="mentors in the collision test")
    parser.add_argument("--out", type=Path, default=RESULTS / "load.json")
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument(
        "--note", default="", help="a sentence for the docs, e.g. the machine's state"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.duration <= 300 or not 0 <= args.warmup <= 60:
        parser.error("--duration is 1-300 s and --warmup 0-60 s")
    args.pg = args.pg.rstrip("/")
    people = [int(x) for x in args.people.split(",") if x.strip()]
    if any(not 1 <= n <= 500 for n in people) or not 1 <= args.closed <= 200:
        parser.error("people and closed-loop clients are 1-500 and 1-200")

    work = Path(tempfile.mkdtemp(prefix="pairup-load-"))
    servers: list[Server] = []
    try:
        base_tree, seed = prepare(args, work)
        base = start_server(
            args,
            "baseline",
            args.port_base,
            server_env(args.pg, args.db_base, work / "var-base", str(base_tree / "src")),
            work,
        )
        servers.append(base)
        now = start_server(
            args,
            "now",
            args.port_new,
            server_env(args.pg, args.db_new, work / "var-new", None),
            work,
        )
        servers.append(now)
        rng = random.Random(7)
        pools = {
            "baseline": Pool(seed["mentees"], random.Random(1)),
            "now": Pool(seed["mentees"], random.Random(1)),
        }
        acknowledged = {"baseline": 0, "now": 0}
        scenarios = [(f"{n} people", n, args.think, f"~{n / args.think:g}") for n in people]
        scenarios.append((f"closed {args.closed}", args.closed, 0.0, "unbounded"))
        runs = []
        for k, (label, clients, think, offered) in enumerate(scenarios):
            entry: dict = {"label": label, "clients": clients, "think_s": think, "offered": offered}
            for server in (base, now):
                waited = drain(server)
                print(f"{label}: {server.name} (drained {waited} s) ...", flush=True)
                summary, booked = run_load(
                    server,
                    seed,
                    pools[server.name],
                    clients,
                    think,
                    args.warmup,
                    args.duration,
                    rng_seed=k,
                    offset=k * 200,
                )
                acknowledged[server.name] += booked
                summary["drained_before_s"] = waited
                entry[server.name] = summary
                print(
                    f"  {summary['achieved_rps']} req/s, p50 {summary['p50_ms']} ms, "
                    f"p95 {summary['p95_ms']} ms, p99 {summary['p99_ms']} ms, "
                    f"errors {summary['errors']} {summary['error_statuses']}",
                    flush=True,
                )
            runs.append(entry)
        checks = {}
        for server, db in ((base, args.db_base), (now, args.db_new)):
            coll = collide(server, pools[server.name], args.collisions, rng)
            acknowledged[server.name] += sum(s.count(201) for s in coll["statuses"])
            checks[server.name] = {
                "collisions": coll,
                "double_booked": psql(args.pg, db, DOUBLE_BOOKED)[0][0],
                "stored": psql(args.pg, db, STORED)[0][0],
                "acknowledged": acknowledged[server.name],
            }
            print(f"{server.name}: {checks[server.name]}", flush=True)
        result = {
            "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
            "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
            "people": people,
            "note": args.note,
            "runs": runs,
            "checks": checks,
        }
        RESULTS.mkdir(exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2))
        print(markdown(result))
        if args.write_docs:
            write_docs(result)
            print(f"wrote {DOCS}")
        bad = any(c["double_booked"] or c["stored"] < c["acknowledged"] for c in checks.values())
        return 1 if bad else 0
    finally:
        for server in servers:
            stop_server(server)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

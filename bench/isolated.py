"""What the database benchmarks share: each timed run in a fresh process (imports and
Django's start-up outside the timing), the median run with its range, and a fresh
PostgreSQL database."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable
from typing import Any


def _run_into(queue: Any, fn: Callable[..., dict], args: tuple[Any, ...]) -> None:
    try:
        queue.put(fn(*args))
    except Exception as exc:
        import traceback

        queue.put({"error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc()})


def isolated(fn: Callable[..., dict], *args: Any, timeout: float = 1800) -> dict:
    """fn(*args) in a fresh (spawned) process; its failure stops the benchmark, with the
    child's traceback."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_run_into, args=(queue, fn, args))
    proc.start()
    try:
        result = queue.get(timeout=timeout)
    finally:
        proc.join()
    if "error" in result:
        raise SystemExit(f"{fn.__name__} failed: {result['error']}\n{result.get('trace', '')}")
    return result


def median_run(runs: list[dict], key: str) -> dict:
    """The median run by `key`, with `range`: [fastest, slowest]."""
    ordered = sorted(runs, key=lambda r: r[key])
    middle = dict(ordered[len(ordered) // 2])
    middle["range"] = [ordered[0][key], ordered[-1][key]]
    return middle


def fresh_pg(url: str) -> None:
    """Drop and create the database at `url` (on its server's `postgres` database)."""
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')

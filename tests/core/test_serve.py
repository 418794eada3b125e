"""`pairup serve` in development: the task worker it starts lives and dies with it."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not Path(f"/proc/self/task/{os.getpid()}/children").exists(),
    reason="reads the process tree from /proc (Linux with CONFIG_PROC_CHILDREN)",
)


def children(pid: int) -> set[int]:
    """The pids of `pid`'s children, from /proc."""
    out: set[int] = set()
    tasks = Path(f"/proc/{pid}/task")
    assert tasks.is_dir(), f"process {pid} has ended"
    for task in tasks.iterdir():
        try:
            out |= {int(c) for c in (task / "children").read_text().split()}
        except (FileNotFoundError, ProcessLookupError):
            continue
    return out


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(check, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_stopping_the_development_server_stops_its_worker(tmp_path):
    # Seen on a demo machine: `kill <serve>` left `pairup db_worker` running, polling the
    # database and every source file (its own reloader) with nobody to stop it.
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    env.update(DEBUG="true", PAIRUP_VAR_DIR=str(tmp_path), PAIRUP_RELEVANCE="lexical")
    # The worker's table is all it needs (the whole schema takes four times as long).
    subprocess.run(
        [sys.executable, "-m", "pairup.cli", "migrate", "django_tasks_database", "--no-input"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    port = free_port()
    log = tmp_path / "serve.log"
    serve = subprocess.Popen(
        [sys.executable, "-m", "pairup.cli", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:

        def listening() -> bool:
            with socket.socket() as s:
                return s.connect_ex(("127.0.0.1", port)) == 0

        assert wait_for(listening), "the server did not start"
        # Printed by the process that takes tasks: a reloader's child, if any, exists now.
        assert wait_for(lambda: "Starting worker" in log.read_text()), log.read_text()
        [worker] = children(serve.pid)
        # No reloader of its own (the server beside it does not reload either): the worker
        # is the process that takes tasks, and starts no other.
        assert children(worker) == set()

        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=30)
        assert wait_for(lambda: not alive(worker), 15), "the worker outlived the server"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(serve.pid, signal.SIGKILL)

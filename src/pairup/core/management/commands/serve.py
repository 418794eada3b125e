import ctypes
import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from pairup.core.vectors import relevance_in_words

# prctl(2): the signal a child gets when the thread that started it ends.
PR_SET_PDEATHSIG = 1


class Command(BaseCommand):
    help = (
        "Serve PairUp: Django's server in development (with a task worker beside it, so "
        "emails and reminders really go out), gunicorn in production (DEBUG=false)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3"))
        )
        parser.add_argument("--no-worker", action="store_true", help="Do not start a task worker")

    def handle(
        self, *args: object, host: str, port: int, workers: int, no_worker: bool, **options: object
    ) -> None:
        pairup = os.path.join(os.path.dirname(sys.executable), "pairup")
        if settings.DEBUG:
            # The development server runs in this process: load the model now and say
            # which relevance it runs (gunicorn's workers log it on their first match).
            self.stdout.write(f"Relevance: {relevance_in_words()}")
            # A SIGTERM (kill, a supervisor, a container stopping) ends the server as Ctrl-C
            # does, through `finally`, which stops the worker with it.
            previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
            worker: subprocess.Popen[bytes] | None = None
            try:
                if not no_worker:
                    # No reloader of its own, as the server beside it has none (it would be
                    # one more process polling every source file); on Linux it also dies
                    # with this process however it ends (a port in use, kill -9).
                    worker = subprocess.Popen(
                        [pairup, "db_worker", "--interval", "2", "--no-reload"],
                        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
                    )
                call_command("runserver", f"{host}:{port}", use_reloader=False)
            finally:
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                if worker is not None:
                    worker.terminate()
                    try:
                        worker.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        worker.kill()
                        worker.wait()
                signal.signal(signal.SIGTERM, previous)
            return
        call_command("collectstatic", interactive=False, verbosity=0)
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        os.execv(
            gunicorn,
            [
                gunicorn,
                "pairup.wsgi",
                "--bind",
                f"{host}:{port}",
                "--workers",
                str(workers),
                "--access-logfile",
                "-",
            ],
        )


def _die_with_parent() -> None:
    """In the worker before it runs (Linux): SIGTERM it when this process ends."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)

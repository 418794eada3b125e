import os
import signal
import subprocess
import sys
from types import FrameType

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from pairup.core.vectors import relevance_in_words


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
            # The worker does not reload on code changes, as the server beside it does not;
            # a reloader would be one more process polling every source file.
            worker = (
                None
                if no_worker
                else subprocess.Popen([pairup, "db_worker", "--interval", "2", "--no-reload"])
            )
            # A SIGTERM (kill, a supervisor, a container stopping) ends the server as Ctrl-C
            # does, through `finally`: the worker is stopped with it, not left behind.
            signal.signal(signal.SIGTERM, _exit)
            try:
                call_command("runserver", f"{host}:{port}", use_reloader=False)
            finally:
                if worker is not None:
                    worker.terminate()
                    worker.wait(timeout=10)
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


def _exit(signum: int, frame: FrameType | None) -> None:
    sys.exit(128 + signum)

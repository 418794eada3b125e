from django.core.management.base import BaseCommand, CommandError

from pairup.site.demo import LOGINS, PASSWORD, demo_load


class Command(BaseCommand):
    help = "Load the demo programs and people (idempotent; never in production settings)."

    def handle(self, *args: object, **options: object) -> None:
        try:
            created = demo_load()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("Demo loaded." if created else "Demo already loaded: nothing changed.")
        self.stdout.write(f"Demo logins (password: {PASSWORD}):")
        for email, what in LOGINS:
            self.stdout.write(f"  {email:<24} {what}")

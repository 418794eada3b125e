from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    """Sessions: booking, reschedule, outcomes, .ics, reminders. The label is `meetings`
    because `sessions` is django.contrib.sessions'."""

    name = "pairup.sessions"
    label = "meetings"
    verbose_name = "sessions"

    def ready(self) -> None:
        from . import signals  # noqa: F401

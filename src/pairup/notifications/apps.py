from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "pairup.notifications"
    label = "notifications"

    def ready(self) -> None:
        from . import signals  # noqa: F401

from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "pairup.scheduling"
    label = "scheduling"

    def ready(self) -> None:
        from . import signals  # noqa: F401

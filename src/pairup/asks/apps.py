from django.apps import AppConfig


class AsksConfig(AppConfig):
    name = "pairup.asks"
    label = "asks"

    def ready(self) -> None:
        from . import signals  # noqa: F401

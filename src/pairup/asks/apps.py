from django.apps import AppConfig


class AsksConfig(AppConfig):
    name = "pairup.asks"
    label = "asks"

    def ready(self) -> None:
        from pairup.core.vectors import register_texts_in_use

        from . import signals  # noqa: F401
        from .matching.vectors import programs_texts

        register_texts_in_use(programs_texts)

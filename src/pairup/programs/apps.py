from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "pairup.programs"
    label = "programs"

    def ready(self) -> None:
        from . import signals  # noqa: F401

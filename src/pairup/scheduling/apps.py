from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    """An empty app that only keeps the history of migrations: its models moved, with their
    tables, to `availability` and `sessions` (label `meetings`). Databases made before the
    move have these migrations applied, and the new apps' first migrations depend on them."""

    name = "pairup.scheduling"
    label = "scheduling"

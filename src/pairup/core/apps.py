from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "pairup.core"
    label = "core"

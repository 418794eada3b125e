from django.apps import AppConfig


class AsksConfig(AppConfig):
    name = "pairup.asks"
    label = "asks"

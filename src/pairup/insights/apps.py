from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "pairup.insights"
    label = "insights"

from django.apps import AppConfig


class TopicsConfig(AppConfig):
    name = "pairup.topics"
    label = "topics"

from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "pairup.events"
    label = "events"
